// The public truncated SVD: nmfkit::truncated_svd and nmfkit_truncated_svd_f32/_f64, the
// NNDSVD's randomized SVD (svd.cpp) of any dense X (signed too: PCA of centred data), with a
// fit's allocation contract: svd_workspace_size() bytes of 64-byte aligned workspace from the
// caller, no allocation, no exceptions, a status for every failure.
#include <cmath>
#include <cstddef>
#include <cstdint>

#include "nmfkit/nmfkit.h"
#include "nmfkit/nmfkit.hpp"
#include "solver/state.hpp"
#include "solver/tasks.hpp"
#include "svd.hpp"

namespace nmfkit {

template <class T>
status svd_workspace_size(std::size_t n, std::size_t m, std::size_t k, std::size_t& bytes) noexcept {
#if NMFKIT_EXTENDED
    if (n == 0 || m == 0) return status::empty_dimension;
    if (k == 0) return status::zero_rank;
    if (k > (n < m ? n : m)) return status::rank_too_large;
    std::size_t b = 0;
    if (!detail::svd_scratch_bytes<T>(n, m, k, b)) return status::size_overflow;
    bytes = b;
    return status::ok;
#else
    (void)n, (void)m, (void)k, (void)bytes;
    return status::not_built;
#endif
}

template <class T>
status truncated_svd(const_matrix_view<T> X, std::size_t k, std::uint64_t seed, matrix_view<T> U, double* sigma,
                     matrix_view<T> Vt, void* workspace, std::size_t workspace_bytes, const executor* exec) noexcept {
    std::size_t need = 0;
    if (const status s = svd_workspace_size<T>(X.rows, X.cols, k, need); s != status::ok) return s;
    if (!X.data || !U.data || !Vt.data || !sigma || !workspace) return status::null_pointer;
    if (U.rows != X.rows || U.cols != k || Vt.rows != k || Vt.cols != X.cols) return status::shape_mismatch;
    std::size_t ex_x = 0, ex_u = 0, ex_v = 0;
    if (const status s = detail::check_view<T>(X, ex_x); s != status::ok) return s;
    if (const status s = detail::check_view<T>(U, ex_u); s != status::ok) return s;
    if (const status s = detail::check_view<T>(Vt, ex_v); s != status::ok) return s;
    if (reinterpret_cast<std::uintptr_t>(workspace) % workspace_alignment != 0) return status::workspace_misaligned;
    if (workspace_bytes < need) return status::workspace_too_small;
    const void* in[5] = {X.data, U.data, Vt.data, sigma, workspace};
    const std::size_t len[5] = {ex_x, ex_u, ex_v, k * sizeof(double), need};
    for (int a = 0; a < 5; ++a)
        for (int b = a + 1; b < 5; ++b)
            if (detail::overlap(in[a], len[a], in[b], len[b])) return status::buffers_overlap;
    for (std::size_t i = 0; i < X.rows; ++i)
        for (std::size_t j = 0; j < X.cols; ++j)
            if (!std::isfinite(X(i, j))) return status::x_not_finite;
#if NMFKIT_EXTENDED
    detail::truncated_svd(detail::best_kernels<T>(), exec ? *exec : detail::k_serial, detail::dense_data(X), k, seed, U,
                          sigma, Vt, workspace);
    return status::ok;
#else
    (void)seed, (void)exec;
    return status::not_built;
#endif
}

#define NMFKIT_SVD_INSTANTIATE(T)                                                                               \
    template status svd_workspace_size<T>(std::size_t, std::size_t, std::size_t, std::size_t&) noexcept;        \
    template status truncated_svd<T>(const_matrix_view<T>, std::size_t, std::uint64_t, matrix_view<T>, double*, \
                                     matrix_view<T>, void*, std::size_t, const executor*) noexcept;
NMFKIT_SVD_INSTANTIATE(float)
NMFKIT_SVD_INSTANTIATE(double)
#undef NMFKIT_SVD_INSTANTIATE

}  // namespace nmfkit

// ---- C API ------------------------------------------------------------------------------
#define NMFKIT_SVD_C(T, SUFFIX)                                                                                       \
    nmfkit_status nmfkit_svd_workspace_size_##SUFFIX(size_t n, size_t m, size_t k, size_t* bytes) {                   \
        if (!bytes) return NMFKIT_NULL_POINTER;                                                                       \
        return static_cast<nmfkit_status>(nmfkit::svd_workspace_size<T>(n, m, k, *bytes));                            \
    }                                                                                                                 \
    nmfkit_status nmfkit_truncated_svd_##SUFFIX(const T* X, size_t n, size_t m, size_t ldx, size_t k, uint64_t seed,  \
                                                T* U, size_t ldu, double* sigma, T* Vt, size_t ldvt, void* workspace, \
                                                size_t workspace_bytes) {                                             \
        return static_cast<nmfkit_status>(nmfkit::truncated_svd<T>({X, n, m, ldx}, k, seed, {U, n, k, ldu}, sigma,    \
                                                                   {Vt, k, m, ldvt}, workspace, workspace_bytes));    \
    }

extern "C" {
NMFKIT_SVD_C(float, f32)
NMFKIT_SVD_C(double, f64)
}
#undef NMFKIT_SVD_C
