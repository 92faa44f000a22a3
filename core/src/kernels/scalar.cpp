// The plain-C++ reference kernels: the test oracle, and the whole kernel set of the
// scalar-only builds (baseline wasm, Cortex-M). Never includes xsimd.
#include "kernels/kernels.hpp"
#include "kernels/sparse_scalar.hpp"

#include "beta.hpp"

#include <cmath>

namespace nmfkit {
namespace detail {
namespace {

template <class T>
void zero_rows(std::size_t M, std::size_t N, T* C, std::size_t ldc) noexcept {
    for (std::size_t i = 0; i < M; ++i)
        for (std::size_t j = 0; j < N; ++j) C[i * ldc + j] = T(0);
}

// C = A·Bᵀ: dot products along contiguous rows, four columns of C at a time for ILP.
template <class T>
void gemm_nt(std::size_t M, std::size_t N, std::size_t K, const T* A, std::size_t lda, const T* B, std::size_t ldb,
             T* C, std::size_t ldc) noexcept {
    for (std::size_t i = 0; i < M; ++i) {
        const T* a = A + i * lda;
        T* c = C + i * ldc;
        std::size_t j = 0;
        for (; j + 4 <= N; j += 4) {
            const T* b0 = B + j * ldb;
            const T* b1 = b0 + ldb;
            const T* b2 = b1 + ldb;
            const T* b3 = b2 + ldb;
            T s0 = 0, s1 = 0, s2 = 0, s3 = 0;
            for (std::size_t k = 0; k < K; ++k) {
                s0 += a[k] * b0[k];
                s1 += a[k] * b1[k];
                s2 += a[k] * b2[k];
                s3 += a[k] * b3[k];
            }
            c[j] = s0;
            c[j + 1] = s1;
            c[j + 2] = s2;
            c[j + 3] = s3;
        }
        for (; j < N; ++j) {
            const T* b = B + j * ldb;
            T s = 0;
            for (std::size_t k = 0; k < K; ++k) s += a[k] * b[k];
            c[j] = s;
        }
    }
}

// C += Aᵀ·B: rank-1 updates row by row of B; the inner loop is contiguous in B and C.
template <class T>
void gemm_tn_acc(std::size_t M, std::size_t N, std::size_t K, const T* A, std::size_t lda, const T* B, std::size_t ldb,
                 T* C, std::size_t ldc) noexcept {
    for (std::size_t k = 0; k < K; ++k) {
        const T* a = A + k * lda;
        const T* b = B + k * ldb;
        for (std::size_t i = 0; i < M; ++i) {
            const T aik = a[i];
            T* c = C + i * ldc;
            for (std::size_t j = 0; j < N; ++j) c[j] += aik * b[j];
        }
    }
}

// C = Aᵀ·B.
template <class T>
void gemm_tn(std::size_t M, std::size_t N, std::size_t K, const T* A, std::size_t lda, const T* B, std::size_t ldb,
             T* C, std::size_t ldc) noexcept {
    zero_rows(M, N, C, ldc);
    gemm_tn_acc(M, N, K, A, lda, B, ldb, C, ldc);
}

// C = A·B: i-k-j order, contiguous inner loop.
template <class T>
void gemm_nn(std::size_t M, std::size_t N, std::size_t K, const T* A, std::size_t lda, const T* B, std::size_t ldb,
             T* C, std::size_t ldc) noexcept {
    for (std::size_t i = 0; i < M; ++i) {
        T* c = C + i * ldc;
        for (std::size_t j = 0; j < N; ++j) c[j] = T(0);
        for (std::size_t k = 0; k < K; ++k) {
            const T aik = A[i * lda + k];
            const T* b = B + k * ldb;
            for (std::size_t j = 0; j < N; ++j) c[j] += aik * b[j];
        }
    }
}

template <class T>
double mu_update(std::size_t rows, std::size_t cols, T* x, std::size_t ldx, const T* num, std::size_t ldn, const T* den,
                 std::size_t ldd, T eps) noexcept {
    double step = 0;
    for (std::size_t i = 0; i < rows; ++i) {
        T* xr = x + i * ldx;
        const T* nr = num + i * ldn;
        const T* dr = den + i * ldd;
        T s = 0;
        for (std::size_t j = 0; j < cols; ++j) {
            const T d = dr[j] != T(0) ? dr[j] : eps;
            T v = xr[j] * nr[j] / d;
            if (v < k_tiny<T>) v = 0;
            s += (v - xr[j]) * (v - xr[j]);
            xr[j] = v;
        }
        step += static_cast<double>(s);
    }
    return step;
}

#ifndef NMFKIT_EXTENDED
#define NMFKIT_EXTENDED 1
#endif

template <class T>
double factor_update(std::size_t rows, std::size_t cols, T* x, std::size_t ldx, const T* num, std::size_t ldn,
                     const T* den, std::size_t ldd, const update_params<T>& p, bool track) noexcept {
    double change = 0;
    for (std::size_t i = 0; i < rows; ++i) {
        T* xr = x + i * ldx;
        const T* nr = num + i * ldn;
        const T* dr = den + i * ldd;
        for (std::size_t j = 0; j < cols; ++j) {
            T d = dr[j] + p.l1 + p.l2 * xr[j];
            if (d == 0) d = p.eps;
            T q = nr[j] / d;
#if NMFKIT_EXTENDED
            if (p.gamma != 1) q = static_cast<T>(std::pow(q, p.gamma));
#endif
            T v = xr[j] * q;
            if (v < p.zero_below) v = 0;
            if (track) {
                const double dv = static_cast<double>(v) - static_cast<double>(xr[j]);
                change += dv * dv;
            }
            xr[j] = v;
        }
    }
    return change;
}

template <class T>
void vmath(int f, std::size_t n, const T* x, T e, T* out) noexcept {
    for (std::size_t i = 0; i < n; ++i) out[i] = f == 0 ? std::log(x[i]) : f == 1 ? std::exp(x[i]) : std::pow(x[i], e);
}

#if NMFKIT_EXTENDED
// Σ_c a[c]·b[c] in double, in four partial sums (one chain would wait on every add's latency).
template <class T>
double dot_double(const T* a, const T* b, std::size_t len) noexcept {
    double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    std::size_t c = 0;
    for (; c + 4 <= len; c += 4) {
        s0 += double(a[c]) * double(b[c]);
        s1 += double(a[c + 1]) * double(b[c + 1]);
        s2 += double(a[c + 2]) * double(b[c + 2]);
        s3 += double(a[c + 3]) * double(b[c + 3]);
    }
    for (; c < len; ++c) s0 += double(a[c]) * double(b[c]);
    return (s0 + s1) + (s2 + s3);
}

// One row at a time, its sums in double: the reference for the vector sets' T-lane sums.
template <class T>
void hals_rows(std::size_t rows, std::size_t r, T* F, std::size_t ldf, const T* b, std::size_t bi, std::size_t bt,
               const T* G, double l1, double l2, std::uint32_t sweeps, double delta2) noexcept {
    for (std::size_t i = 0; i < rows; ++i) {
        T* f = F + i * ldf;
        const T* bf = b + i * bi;
        double first = 0;
        for (std::uint32_t s = 0; s < sweeps; ++s) {
            double step = 0;
            for (std::size_t t = 0; t < r; ++t) {
                const T* g = G + t * r;
                const double hess = double(g[t]) + l2;
                if (hess == 0) continue;
                const double ft = double(f[t]);
                const double grad = l1 - double(bf[t * bt]) + l2 * ft + dot_double(g, f, r);
                const double v = ft - grad / hess;
                const T nv = v > 0 ? static_cast<T>(v) : T(0);
                const double d = double(nv) - ft;
                step += d * d;
                f[t] = nv;
            }
            if (s == 0) first = step;
            if (step == 0 || (s != 0 && step <= delta2 * first)) break;
        }
    }
}
#endif

#if NMFKIT_EXTENDED
template <class T>
constexpr kernel_table<T> scalar_table{"scalar",
                                       &gemm_nt<T>,
                                       &gemm_tn<T>,
                                       &gemm_nn<T>,
                                       &mu_update<T>,
                                       &beta_tile_scalar<T>,
                                       &beta_loss_tile_scalar<T>,
                                       &vmath<T>,
                                       &gemm_tn_acc<T>,
                                       &factor_update<T>,
                                       &csr_times_dense<T>,
                                       &csr_t_times_dense<T>,
                                       &sampled_dot<T>,
                                       &sampled_ratio<T>,
                                       &hals_rows<T>};
#else
// Frobenius-only core (NMFKIT_EXTENDED=0, bare-metal default): dense X only, no pow/log linked in.
template <class T>
constexpr kernel_table<T> scalar_table{"scalar", &gemm_nt<T>, &gemm_tn<T>, &gemm_nn<T>,     &mu_update<T>,
                                       nullptr,  nullptr,     nullptr,     &gemm_tn_acc<T>, &factor_update<T>,
                                       nullptr,  nullptr,     nullptr,     nullptr,         nullptr};
#endif

}  // namespace

template <class T>
const kernel_table<T>& scalar_kernels() noexcept {
    return scalar_table<T>;
}

template const kernel_table<float>& scalar_kernels<float>() noexcept;
template const kernel_table<double>& scalar_kernels<double>() noexcept;

}  // namespace detail
}  // namespace nmfkit
