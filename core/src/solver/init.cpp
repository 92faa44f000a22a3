// Initialization of W and H: random (nmfkit's PCG32), constant (transform's start), NNDSVD.
#include <cmath>
#include <cstdint>

#include "rng.hpp"
#include "solver/state.hpp"
#include "svd.hpp"

namespace nmfkit {
namespace detail {
namespace {

template <class T>
void fill_random(matrix_view<T> A, pcg32& rng, double scale) noexcept {
    for (std::size_t i = 0; i < A.rows; ++i) {
        T* a = A.row(i);
        for (std::size_t j = 0; j < A.cols; ++j) a[j] = static_cast<T>(rng.uniform_open() * scale);
    }
}

}  // namespace

template <class T>
void fill_constant(matrix_view<T> A, T v) noexcept {
    for (std::size_t i = 0; i < A.rows; ++i)
        for (std::size_t j = 0; j < A.cols; ++j) A(i, j) = v;
}

template <class T>
void random_fill(matrix_view<T> W, matrix_view<T> H, double mean, std::uint64_t seed) noexcept {
    const double scale = std::sqrt(mean / static_cast<double>(W.cols));
    pcg32 rng(seed);
    fill_random(W, rng, scale);
    fill_random(H, rng, scale);
}

#if NMFKIT_EXTENDED  // the Frobenius-only core has no SVD
// NNDSVD (Boutsidis & Gallopoulos 2008) from the truncated SVD X ≈ U·diag(σ)·Vᵀ,
// built in place: W's columns start as U, H's rows as Vᵀ.
template <class T>
void nndsvd_fill(const kernel_table<T>& k, const executor& ex, const data_matrix<T>& X, matrix_view<T> W,
                 matrix_view<T> H, const options& opt, double mean, void* svd_scratch, double* sigma) noexcept {
    const std::size_t n = X.rows, m = X.cols, r = opt.rank;
    truncated_svd(k, ex, X, r, opt.seed, W, sigma, H, svd_scratch);
    for (std::size_t j = 0; j < r; ++j) {
        double up = 0, un = 0, vp = 0, vn = 0;  // squared norms of the positive / negative parts
        for (std::size_t i = 0; i < n; ++i) {
            const double u = W(i, j);
            (u > 0 ? up : un) += u * u;
        }
        for (std::size_t c = 0; c < m; ++c) {
            const double v = H(j, c);
            (v > 0 ? vp : vn) += v * v;
        }
        // j = 0: the leading pair is non-negative up to its sign, use |u|, |v|.
        const double mp = std::sqrt(up * vp), mn = std::sqrt(un * vn);
        const bool positive = j == 0 || mp > mn;
        const double nu = j == 0 ? 1.0 : std::sqrt(positive ? up : un);
        const double nv = j == 0 ? 1.0 : std::sqrt(positive ? vp : vn);
        const double lambda = std::sqrt(sigma[j] * (j == 0 ? 1.0 : (positive ? mp : mn)));
        const double su = (nu > 0 ? lambda / nu : 0.0), sv = (nv > 0 ? lambda / nv : 0.0);
        for (std::size_t i = 0; i < n; ++i) {
            const double u = W(i, j);
            const double part = j == 0 ? std::fabs(u) : (positive ? (u > 0 ? u : 0) : (u < 0 ? -u : 0));
            W(i, j) = static_cast<T>(part * su);
        }
        for (std::size_t c = 0; c < m; ++c) {
            const double v = H(j, c);
            const double part = j == 0 ? std::fabs(v) : (positive ? (v > 0 ? v : 0) : (v < 0 ? -v : 0));
            H(j, c) = static_cast<T>(part * sv);
        }
    }
    pcg32 rng(opt.seed, 0x2545f4914f6cdd1dULL);
    auto finish = [&](matrix_view<T> A) {
        for (std::size_t i = 0; i < A.rows; ++i)
            for (std::size_t c = 0; c < A.cols; ++c) {
                T& a = A(i, c);
                if (a >= static_cast<T>(1e-6)) continue;
                if (opt.init == init_method::nndsvda) a = static_cast<T>(mean);
                else if (opt.init == init_method::nndsvdar) a = static_cast<T>(rng.uniform_open() * mean / 100);
                else a = 0;
            }
    };
    finish(W);
    finish(H);
}
template void nndsvd_fill<float>(const kernel_table<float>&, const executor&, const data_matrix<float>&,
                                 matrix_view<float>, matrix_view<float>, const options&, double, void*,
                                 double*) noexcept;
template void nndsvd_fill<double>(const kernel_table<double>&, const executor&, const data_matrix<double>&,
                                  matrix_view<double>, matrix_view<double>, const options&, double, void*,
                                  double*) noexcept;
#endif

#define NMFKIT_INIT_INSTANTIATE(T)                              \
    template void fill_constant<T>(matrix_view<T>, T) noexcept; \
    template void random_fill<T>(matrix_view<T>, matrix_view<T>, double, std::uint64_t) noexcept;
NMFKIT_INIT_INSTANTIATE(float)
NMFKIT_INIT_INSTANTIATE(double)
#undef NMFKIT_INIT_INSTANTIATE

}  // namespace detail

template <class T>
status random_init(const_matrix_view<T> X, matrix_view<T> W, matrix_view<T> H, std::uint64_t seed,
                   result& out) noexcept {
    out = result{};
    if (W.cols == 0) return status::zero_rank;
    std::size_t extents[3];
    status s = detail::check_problem<T>(X, W, H, W.cols, extents);
    if (s != status::ok) return s;
    double x_sum = 0;
    s = detail::scan_values<T>(X, status::x_not_finite, status::x_negative, out, matrix_id::X, &x_sum, nullptr);
    if (s != status::ok) return s;
    detail::random_fill(W, H, detail::mean_of(x_sum, X.rows, X.cols), seed);
    return status::ok;
}

template status random_init<float>(const_matrix_view<float>, matrix_view<float>, matrix_view<float>, std::uint64_t,
                                   result&) noexcept;
template status random_init<double>(const_matrix_view<double>, matrix_view<double>, matrix_view<double>, std::uint64_t,
                                    result&) noexcept;

}  // namespace nmfkit
