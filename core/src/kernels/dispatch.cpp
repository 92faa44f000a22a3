// Kernel-set selection. Compiled with baseline flags only: it runs before we know
// what the CPU supports.
#include "kernels/kernels.hpp"

#if defined(NMFKIT_KERNELS_X86_DISPATCH)
#if defined(__AVX__) || defined(__AVX2__) || defined(__AVX512F__)
#error "dispatch.cpp must be compiled with baseline x86-64 flags"
#endif
#include <xsimd/xsimd.hpp>
#endif

namespace nmfkit {
namespace detail {

#if defined(NMFKIT_KERNELS_X86_DISPATCH)
const kernel_table<float>* simd_tables_sse2_float() noexcept;
const kernel_table<double>* simd_tables_sse2_double() noexcept;
const kernel_table<float>* simd_tables_avx2_float() noexcept;
const kernel_table<double>* simd_tables_avx2_double() noexcept;
const kernel_table<float>* simd_tables_avx512f_float() noexcept;
const kernel_table<double>* simd_tables_avx512f_double() noexcept;
#elif defined(NMFKIT_KERNELS_DEFAULT_SIMD)
const kernel_table<float>* simd_tables_default_float() noexcept;
const kernel_table<double>* simd_tables_default_double() noexcept;
#endif

namespace {

#if defined(NMFKIT_KERNELS_X86_DISPATCH)
// xsimd 8.1 reads CPUID only; the OS must also save the YMM / ZMM state (XCR0),
// which is not a given in VMs and containers.
struct os_vector_state {
    bool avx = false, avx512 = false;
    os_vector_state() noexcept {
        unsigned a, b, c, d;
        __asm__("cpuid" : "=a"(a), "=b"(b), "=c"(c), "=d"(d) : "a"(1u), "c"(0u));
        if (((c >> 27) & 1u) == 0) return;  // no OSXSAVE
        unsigned lo, hi;
        __asm__("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0u));
        avx = (lo & 0x6u) == 0x6u;
        avx512 = (lo & 0xE6u) == 0xE6u;
    }
};
#endif

template <class T>
struct kernel_list {
    const kernel_table<T>* sets[8] = {};
    std::size_t count = 0;

    void add(const kernel_table<T>* t) noexcept {
        if (t != nullptr) sets[count++] = t;
    }

    kernel_list(const kernel_table<T>* avx512, const kernel_table<T>* avx2, const kernel_table<T>* sse2,
                const kernel_table<T>* other) noexcept {
#if defined(NMFKIT_KERNELS_X86_DISPATCH)
        const auto cpu = xsimd::available_architectures();
        const os_vector_state os;
        if (cpu.avx512f && cpu.avx512dq && cpu.fma3_avx2 && os.avx512) add(avx512);
        if (cpu.fma3_avx2 && os.avx) add(avx2);
        if (cpu.sse2) add(sse2);
#else
        (void)avx512;
        (void)avx2;
        (void)sse2;
#endif
        add(other);
        if (scalar_selectable<T>) add(&scalar_kernels<T>());
    }
};

template <class T>
const kernel_list<T>& kernels_for_cpu() noexcept;

// The tables compiled into this binary for element type T, in kernel_list's argument order.
#if defined(NMFKIT_KERNELS_X86_DISPATCH)
#define NMFKIT_COMPILED_SETS(T) simd_tables_avx512f_##T(), simd_tables_avx2_##T(), simd_tables_sse2_##T(), nullptr
#elif defined(NMFKIT_KERNELS_DEFAULT_SIMD)
#define NMFKIT_COMPILED_SETS(T) nullptr, nullptr, nullptr, simd_tables_default_##T()
#else
#define NMFKIT_COMPILED_SETS(T) nullptr, nullptr, nullptr, nullptr
#endif

template <>
const kernel_list<float>& kernels_for_cpu<float>() noexcept {
    static const kernel_list<float> l(NMFKIT_COMPILED_SETS(float));
    return l;
}

template <>
const kernel_list<double>& kernels_for_cpu<double>() noexcept {
    static const kernel_list<double> l(NMFKIT_COMPILED_SETS(double));
    return l;
}
#undef NMFKIT_COMPILED_SETS

}  // namespace

template <class T>
const kernel_table<T>* const* available_kernels(std::size_t& count) noexcept {
    const kernel_list<T>& l = kernels_for_cpu<T>();
    count = l.count;
    return l.sets;
}

template <class T>
const kernel_table<T>& best_kernels() noexcept {
    return *kernels_for_cpu<T>().sets[0];
}

template const kernel_table<float>* const* available_kernels<float>(std::size_t&) noexcept;
template const kernel_table<double>* const* available_kernels<double>(std::size_t&) noexcept;
template const kernel_table<float>& best_kernels<float>() noexcept;
template const kernel_table<double>& best_kernels<double>() noexcept;

}  // namespace detail
}  // namespace nmfkit
