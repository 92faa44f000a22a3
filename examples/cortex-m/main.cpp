// nmfkit on a Cortex-M4F microcontroller: factorizes a 32×16 float32 matrix at rank 4
// with every buffer static (X in flash, W, H and the solver workspace in .bss), no
// heap, no exceptions, no RTTI. Results go out over semihosting:
//
//   qemu-system-arm -M mps2-an386 -nographic -semihosting-config enable=on,target=native
//                   -kernel nmfkit_cortex_m4.elf
//
// The lines printed ("key value") are read by run_firmware.cmake, which compares them
// with host_reference (the same problem solved natively) and tests/test_solver.cpp.
#include <cstddef>
#include <cstdint>

#include "demo_problem.hpp"
#include "nmfkit/nmfkit.hpp"
#include "semihost.hpp"

extern "C" std::uint32_t __stack_bottom[];  // mps2-an386.ld
extern "C" unsigned char __stack_top[];

namespace {

using demo::m;
using demo::n;
using demo::r;

// ---- workspace, sized at compile time ------------------------------------------------
// nmfkit::workspace_bound (nmfkit/workspace.hpp) is the compile-time form of workspace_size:
// at least what the library asks for; firmware_main checks the two against each other.
constexpr std::size_t k_workspace_bytes = nmfkit::workspace_bound<float>(n, m, demo::fit_options());
static_assert(k_workspace_bytes != 0, "the bound overflows");

static_assert(demo::ck_n * demo::ck_r <= n * r && demo::ck_r * demo::ck_m <= r * m && demo::ck_n * demo::ck_m <= n * m,
              "the checksum problem borrows X, W and H");

alignas(nmfkit::workspace_alignment) unsigned char g_workspace[k_workspace_bytes];
float g_X[n * m];  // the data, as a sensor would deliver it
float g_W[n * r];
float g_H[r * m];

// ---- stack high-water mark -------------------------------------------------------------
constexpr std::uint32_t k_paint = 0xA5A5A5A5u;

std::uint32_t* current_sp() {
    std::uint32_t* sp;
    __asm__ volatile("mov %0, sp" : "=r"(sp));
    return sp;
}

void paint_stack() {
    volatile std::uint32_t* p = __stack_bottom;
    std::uint32_t* const limit = current_sp() - 16;  // leave this frame alone
    while (p < limit) *p++ = k_paint;
}

std::size_t stack_used_bytes() {
    const volatile std::uint32_t* p = __stack_bottom;
    while (*p == k_paint) ++p;
    return static_cast<std::size_t>(__stack_top - reinterpret_cast<const volatile unsigned char*>(p));
}

bool fail(const char* what, nmfkit::status s) {
    semihost::write("FAIL: ");
    semihost::write(what);
    semihost::write(": ");
    semihost::write(nmfkit::status_name(s));
    semihost::write("\n");
    return false;
}

bool run() {
    char buf[32];
#ifdef NMFKIT_VERSION_STRING
    semihost::line("nmfkit", NMFKIT_VERSION_STRING);
#endif
    semihost::line("target", "cortex-m4f");
    semihost::line("kernel", nmfkit::default_kernel_name<float>());

    // 1. Same numbers everywhere: the committed init checksum of tests/test_solver.cpp.
    std::uint64_t checksum = 0;
    nmfkit::status s = demo::init_checksum(g_X, g_W, g_H, checksum);
    if (s != nmfkit::status::ok) return fail("random_init", s);
    semihost::line("init_checksum", semihost::u64_dec(buf, checksum));

    // 2. The workspace: the library's own count against the static array.
    const nmfkit::options opt = demo::fit_options();
    std::size_t need = 0;
    s = nmfkit::workspace_size<float>(n, m, opt, need);
    if (s != nmfkit::status::ok) return fail("workspace_size", s);
    semihost::line("workspace_size", semihost::u64_dec(buf, need));
    semihost::line("workspace_static", semihost::u64_dec(buf, sizeof(g_workspace)));
    if (need > sizeof(g_workspace)) {
        semihost::write("FAIL: workspace_size exceeds nmfkit::workspace_bound\n");
        return false;
    }

    // 3. The fit.
    nmfkit::result res;
    demo::fill_x(g_X);
    s = nmfkit::fit<float>({g_X, n, m}, {g_W, n, r}, {g_H, r, m}, opt, g_workspace, sizeof(g_workspace), res);
    if (s != nmfkit::status::ok) return fail("fit", s);
    semihost::line("iterations", semihost::u64_dec(buf, res.iterations));
    semihost::line("converged", res.converged ? "1" : "0");
    semihost::line("relative_error", semihost::sci(buf, res.relative_error));
    std::uint64_t bits = 0;
    static_assert(sizeof(bits) == sizeof(res.relative_error), "IEEE double");
    __builtin_memcpy(&bits, &res.relative_error, sizeof(bits));
    semihost::line("relative_error_bits", semihost::u64_hex(buf, bits));
    std::uint64_t wh = demo::fnv1a_floats(1469598103934665603ULL, g_W, n * r);
    wh = demo::fnv1a_floats(wh, g_H, r * m);
    semihost::line("wh_checksum", semihost::u64_dec(buf, wh));
    return true;
}

}  // namespace

int firmware_main() {
    paint_stack();
    const bool ok = run();
    char buf[32];
    semihost::line("stack_used", semihost::u64_dec(buf, stack_used_bytes()));
    semihost::write(ok ? "DONE ok\n" : "DONE failed\n");
    return ok ? 0 : 1;
}
