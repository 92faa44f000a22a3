// The single SIMD kernel set of builds without x86-64 runtime dispatch: aarch64 (neon64),
// armhf (neon), Emscripten with -msimd128 -msse4.1 (xsimd's sse4.1 lowered to SIMD128),
// x86 with NMFKIT_DISPATCH=OFF (whatever -m flags the build uses). Targets where xsimd
// has no architecture (Cortex-M, wasm without SIMD128) get no table: scalar only.
#include "kernels/kernels.hpp"

#include <xsimd/config/xsimd_config.hpp>

#if defined(XSIMD_NO_SUPPORTED_ARCHITECTURE) || (defined(__EMSCRIPTEN__) && !defined(__wasm_simd128__))

namespace nmfkit {
namespace detail {
const kernel_table<float>* simd_tables_default_float() noexcept { return nullptr; }
const kernel_table<double>* simd_tables_default_double() noexcept { return nullptr; }
}  // namespace detail
}  // namespace nmfkit

#else

#include "kernels/simd_table.hpp"

#if defined(__EMSCRIPTEN__)
#define NMFKIT_SIMD_NAME "wasm-simd128"
#define NMFKIT_SIMD_REGS 16
#elif defined(__aarch64__) || defined(_M_ARM64)
#define NMFKIT_SIMD_NAME "neon64"
#define NMFKIT_SIMD_REGS 32
#elif defined(__ARM_NEON)
#define NMFKIT_SIMD_NAME "neon"
#define NMFKIT_SIMD_REGS 16
#elif defined(__AVX512F__)
#define NMFKIT_SIMD_NAME "avx512f"
#define NMFKIT_SIMD_REGS 32
#elif defined(__AVX2__) && defined(__FMA__)
#define NMFKIT_SIMD_NAME "avx2"
#define NMFKIT_SIMD_REGS 16
#else
#define NMFKIT_SIMD_NAME xsimd::default_arch::name()
#define NMFKIT_SIMD_REGS 16
#endif

#if defined(__EMSCRIPTEN__)
#include "kernels/gemm_wasm.hpp"

// WebAssembly: a float set only. Web pages hand in Float32Array; float64 fits run on the
// scalar set (clang auto-vectorizes part of it with SIMD128). A double set would add
// ~40 KB to the module (~10 KB gzip) for little use. The GEMM entries are the SIMD128
// kernels of gemm_wasm.hpp (written for V8's code generator); the rest is the xsimd set.
namespace nmfkit {
namespace detail {
const kernel_table<float>* simd_tables_default_float() noexcept {
    static constexpr kernel_table<float> t =
        with_wasm_gemm(simd_kernels<float, xsimd::default_arch, NMFKIT_SIMD_REGS>::table(NMFKIT_SIMD_NAME));
    return &t;
}
const kernel_table<double>* simd_tables_default_double() noexcept { return nullptr; }
}  // namespace detail
}  // namespace nmfkit
#else
NMFKIT_DEFINE_SIMD_TABLES(simd_tables_default, xsimd::default_arch, NMFKIT_SIMD_REGS, NMFKIT_SIMD_NAME)
#endif

#endif
