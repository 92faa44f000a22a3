// The SIMD128 kernel set of nmfkit-simd.wasm, the Frobenius-only module (its core copy is
// compiled with NMFKIT_EXTENDED=0, see wasm/CMakeLists.txt): it replaces simd_default.cpp
// there. The same float kernels without the β-divergence ones (beta_tile, beta_loss_tile,
// vmath) and the sparse ones, which a Frobenius-only core (dense X) never calls: their entries
// are null, so their code (and pow/log/exp) is not linked in. factor_update (penalized fits
// only, rare here) is the scalar set's, which the module holds anyway: the vector one would
// cost ~600 B of gzip. The GEMM entries come from gemm_wasm.hpp; float64 runs on the scalar set.
// The relaxed-SIMD and threaded modules (clang-19, wasm/direct.cmake) use it too.
#include "kernels/kernels.hpp"

#if !defined(__EMSCRIPTEN__) || !defined(__wasm_simd128__) || NMFKIT_EXTENDED
#error "simd_wasm_lite.cpp is for the Frobenius-only SIMD128 module only"
#endif

#include "kernels/gemm_wasm.hpp"
#include "kernels/simd_table.hpp"

namespace nmfkit {
namespace detail {
namespace {
double scalar_factor_update(std::size_t rows, std::size_t cols, float* x, std::size_t ldx, const float* num,
                            std::size_t ldn, const float* den, std::size_t ldd, const update_params<float>& p,
                            bool track) noexcept {
    return scalar_kernels<float>().factor_update(rows, cols, x, ldx, num, ldn, den, ldd, p, track);
}

constexpr kernel_table<float> frobenius_only(kernel_table<float> t) noexcept {
    t.beta_tile = nullptr;
    t.beta_loss_tile = nullptr;
    t.vmath = nullptr;
    t.csr_times_dense = nullptr;
    t.csr_t_times_dense = nullptr;
    t.sampled_dot = nullptr;
    t.sampled_ratio = nullptr;
    t.hals_rows = nullptr;
    t.factor_update = &scalar_factor_update;
    return t;
}
}  // namespace

#if defined(__wasm_relaxed_simd__)
#define NMFKIT_WASM_LITE_NAME "wasm-relaxed-simd"  // nmfkit-relaxed*.wasm (wasm/direct.cmake)
#else
#define NMFKIT_WASM_LITE_NAME "wasm-simd128"
#endif

const kernel_table<float>* simd_tables_default_float() noexcept {
    static constexpr kernel_table<float> t =
        frobenius_only(with_wasm_gemm(simd_kernels<float, xsimd::default_arch, 16>::table(NMFKIT_WASM_LITE_NAME)));
    return &t;
}
const kernel_table<double>* simd_tables_default_double() noexcept { return nullptr; }
}  // namespace detail
}  // namespace nmfkit
