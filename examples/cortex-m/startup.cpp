// Minimal Cortex-M4F start-up: vector table, reset handler (copy .data, zero .bss,
// enable the FPU, run static constructors, call firmware_main) and fault handlers
// that report over semihosting and exit non-zero. Symbols come from mps2-an386.ld.
#include <cstddef>
#include <cstdint>

#include "semihost.hpp"

int firmware_main();

extern "C" {
extern std::uint32_t __data_start[], __data_end[], __data_load[];
extern std::uint32_t __bss_start[], __bss_end[];
extern unsigned char __stack_top[];
using init_fn = void (*)();
extern init_fn __init_array_start[], __init_array_end[];

[[noreturn]] void Reset_Handler();
[[noreturn]] void Fault_Handler();
[[noreturn]] void Default_Handler();
}

namespace {

struct vector_table {
    void* initial_sp;
    void (*handlers[15])();  // Reset, NMI, HardFault, MemManage, BusFault, UsageFault, 4 reserved,
                             // SVCall, DebugMon, reserved, PendSV, SysTick
};

// No peripheral interrupts are enabled, so the table stops after the 16 system entries.
__attribute__((section(".vectors"), used)) const vector_table g_vectors = {
    __stack_top,
    {Reset_Handler, Default_Handler, Fault_Handler, Fault_Handler, Fault_Handler, Fault_Handler, nullptr, nullptr,
     nullptr, nullptr, Default_Handler, Default_Handler, nullptr, Default_Handler, Default_Handler},
};

}  // namespace

extern "C" void Reset_Handler() {
    // CPACR: full access to coprocessors 10 and 11 (the FPU) before any float code.
    *reinterpret_cast<volatile std::uint32_t*>(0xE000ED88u) |= 0xFu << 20;
    __asm__ volatile("dsb\n\tisb" ::: "memory");

    // Word loops through volatile pointers: GCC must not turn them into memcpy/memset
    // calls before .data and .bss exist.
    volatile std::uint32_t* dst = __data_start;
    const volatile std::uint32_t* src = __data_load;
    while (dst < __data_end) *dst++ = *src++;
    for (volatile std::uint32_t* p = __bss_start; p < __bss_end; ++p) *p = 0;

    for (init_fn* f = __init_array_start; f < __init_array_end; ++f) (*f)();

    semihost::exit(firmware_main() == 0);
}

extern "C" void Fault_Handler() {
    semihost::write("FAULT: hard fault / memory / bus / usage fault\n");
    semihost::exit(false);
}

extern "C" void Default_Handler() {
    semihost::write("FAULT: unexpected exception\n");
    semihost::exit(false);
}
