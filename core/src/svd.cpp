#include "svd.hpp"

#include <cmath>
#include <limits>

#include "rng.hpp"

namespace nmfkit {
namespace detail {
namespace {

// A vector whose norm drops below ~100 ulp of its norm before the projections lies
// in the span of the previous ones (X is rank-deficient): it becomes zero instead of
// amplified rounding noise, which would duplicate an earlier direction.
template <class T>
bool independent(double after, double before_sq) noexcept {
    return after > 0 && after > 100 * std::numeric_limits<T>::epsilon() * std::sqrt(before_sq);
}

// Orthonormalizes the k columns of the row-major n×k matrix Y (modified Gram–Schmidt,
// run twice: "twice is enough"). A column that vanishes becomes zero.
template <class T>
void orthonormalize_columns(T* Y, std::size_t n, std::size_t k) noexcept {
    for (int pass = 0; pass < 2; ++pass) {
        for (std::size_t j = 0; j < k; ++j) {
            double before = 0;
            for (std::size_t i = 0; i < n; ++i) before += double(Y[i * k + j]) * double(Y[i * k + j]);
            for (std::size_t l = 0; l < j; ++l) {
                double proj = 0;
                for (std::size_t i = 0; i < n; ++i) proj += double(Y[i * k + l]) * double(Y[i * k + j]);
                for (std::size_t i = 0; i < n; ++i) Y[i * k + j] -= static_cast<T>(proj * double(Y[i * k + l]));
            }
            double nrm = 0;
            for (std::size_t i = 0; i < n; ++i) nrm += double(Y[i * k + j]) * double(Y[i * k + j]);
            nrm = std::sqrt(nrm);
            const double inv = independent<T>(nrm, before) ? 1.0 / nrm : 0.0;
            for (std::size_t i = 0; i < n; ++i) Y[i * k + j] = static_cast<T>(double(Y[i * k + j]) * inv);
        }
    }
}

// The same for the k rows (length m) of Z.
template <class T>
void orthonormalize_rows(T* Z, std::size_t k, std::size_t m) noexcept {
    for (int pass = 0; pass < 2; ++pass) {
        for (std::size_t j = 0; j < k; ++j) {
            T* zj = Z + j * m;
            double before = 0;
            for (std::size_t i = 0; i < m; ++i) before += double(zj[i]) * double(zj[i]);
            for (std::size_t l = 0; l < j; ++l) {
                const T* zl = Z + l * m;
                double proj = 0;
                for (std::size_t i = 0; i < m; ++i) proj += double(zl[i]) * double(zj[i]);
                for (std::size_t i = 0; i < m; ++i) zj[i] -= static_cast<T>(proj * double(zl[i]));
            }
            double nrm = 0;
            for (std::size_t i = 0; i < m; ++i) nrm += double(zj[i]) * double(zj[i]);
            nrm = std::sqrt(nrm);
            const double inv = independent<T>(nrm, before) ? 1.0 / nrm : 0.0;
            for (std::size_t i = 0; i < m; ++i) zj[i] = static_cast<T>(double(zj[i]) * inv);
        }
    }
}

// Cyclic Jacobi eigen-decomposition of the symmetric k×k matrix G (destroyed):
// eigenvalues in lam, eigenvectors in the columns of E, sorted by decreasing value.
void jacobi_eigen(double* G, std::size_t k, double* lam, double* E) noexcept {
    for (std::size_t i = 0; i < k; ++i)
        for (std::size_t j = 0; j < k; ++j) E[i * k + j] = i == j ? 1.0 : 0.0;
    for (int sweep = 0; sweep < 60; ++sweep) {
        double off = 0, diag = 0;
        for (std::size_t i = 0; i < k; ++i) {
            diag += G[i * k + i] * G[i * k + i];
            for (std::size_t j = i + 1; j < k; ++j) off += G[i * k + j] * G[i * k + j];
        }
        if (off <= 1e-30 * diag || off == 0) break;
        for (std::size_t p = 0; p + 1 < k; ++p) {
            for (std::size_t q = p + 1; q < k; ++q) {
                const double gpq = G[p * k + q];
                if (std::fabs(gpq) < 1e-300) continue;
                const double theta = (G[q * k + q] - G[p * k + p]) / (2 * gpq);
                const double t = (theta >= 0 ? 1.0 : -1.0) / (std::fabs(theta) + std::sqrt(theta * theta + 1));
                const double c = 1 / std::sqrt(t * t + 1), s = t * c;
                for (std::size_t i = 0; i < k; ++i) {  // G ← G·J
                    const double gip = G[i * k + p], giq = G[i * k + q];
                    G[i * k + p] = c * gip - s * giq;
                    G[i * k + q] = s * gip + c * giq;
                }
                for (std::size_t i = 0; i < k; ++i) {  // G ← Jᵀ·G
                    const double gpi = G[p * k + i], gqi = G[q * k + i];
                    G[p * k + i] = c * gpi - s * gqi;
                    G[q * k + i] = s * gpi + c * gqi;
                }
                for (std::size_t i = 0; i < k; ++i) {  // E ← E·J
                    const double eip = E[i * k + p], eiq = E[i * k + q];
                    E[i * k + p] = c * eip - s * eiq;
                    E[i * k + q] = s * eip + c * eiq;
                }
            }
        }
    }
    for (std::size_t i = 0; i < k; ++i) lam[i] = G[i * k + i];
    for (std::size_t i = 0; i < k; ++i) {  // selection sort, descending, columns follow
        std::size_t best = i;
        for (std::size_t j = i + 1; j < k; ++j)
            if (lam[j] > lam[best]) best = j;
        if (best == i) continue;
        const double t = lam[i];
        lam[i] = lam[best];
        lam[best] = t;
        for (std::size_t row = 0; row < k; ++row) {
            const double e = E[row * k + i];
            E[row * k + i] = E[row * k + best];
            E[row * k + best] = e;
        }
    }
}

}  // namespace

template <class T>
bool svd_scratch_bytes(std::size_t n, std::size_t m, std::size_t r, std::size_t& bytes) noexcept {
    return svd_scratch(n, m, r, sizeof(T), bytes);  // the formula workspace_bound reads (nmfkit/workspace.hpp)
}

template <class T>
void truncated_svd(const kernel_table<T>& kt, const executor& ex, const data_matrix<T>& X, std::size_t r,
                   std::uint64_t seed, matrix_view<T> U, double* sigma, matrix_view<T> Vt, void* scratch) noexcept {
    const std::size_t n = X.rows, m = X.cols, k = svd_sketch_size(n, m, r);
    auto* p = static_cast<unsigned char*>(scratch);
    std::size_t off = 0;
    auto take = [&](std::size_t b) {
        unsigned char* q = p + off;
        checked_round_up(b, b);  // no overflow: svd_scratch_bytes summed these
        off += b;
        return q;
    };
    T* Y = reinterpret_cast<T*>(take(n * k * sizeof(T)));  // n×k: range basis Q
    T* Z = reinterpret_cast<T*>(take(k * m * sizeof(T)));  // k×m: Ωᵀ, then XᵀQ rows, then B = QᵀX
    double* G = reinterpret_cast<double*>(take(k * k * sizeof(double)));
    double* E = reinterpret_cast<double*>(take(k * k * sizeof(double)));
    double* lam = reinterpret_cast<double*>(take(k * sizeof(double)));

    pcg32 rng(seed, 0x5851f42d4c957f2dULL);  // its own stream, apart from the random init
    for (std::size_t i = 0; i < k * m; ++i) Z[i] = static_cast<T>(2 * rng.uniform_open() - 1);
    const const_matrix_view<T> Zv(Z, k, m), Yv(Y, n, k);
    X.x_ht(kt, ex, 0, n, Zv, Y, k);  // Y = X·Ω
    orthonormalize_columns(Y, n, k);
    const std::size_t lim = n < m ? n : m;
    const int power_iterations = 10 * r < lim ? 7 : 4;  // scikit-learn's 'auto'
    for (int it = 0; it < power_iterations; ++it) {
        X.wt_x(kt, ex, 0, Yv, Z, m, false);  // Zᵀ = QᵀX
        orthonormalize_rows(Z, k, m);
        X.x_ht(kt, ex, 0, n, Zv, Y, k);  // Y = X·Z
        orthonormalize_columns(Y, n, k);
    }
    X.wt_x(kt, ex, 0, Yv, Z, m, false);  // B = QᵀX (k×m)

    for (std::size_t a = 0; a < k; ++a)  // G = B·Bᵀ in double
        for (std::size_t b = a; b < k; ++b) {
            double s = 0;
            for (std::size_t j = 0; j < m; ++j) s += double(Z[a * m + j]) * double(Z[b * m + j]);
            G[a * k + b] = G[b * k + a] = s;
        }
    jacobi_eigen(G, k, lam, E);

    for (std::size_t c = 0; c < r; ++c) {
        const double s = lam[c] > 0 ? std::sqrt(lam[c]) : 0.0;
        sigma[c] = s;
        for (std::size_t i = 0; i < n; ++i) {  // u_c = Q·e_c
            double acc = 0;
            for (std::size_t l = 0; l < k; ++l) acc += double(Y[i * k + l]) * E[l * k + c];
            U(i, c) = static_cast<T>(acc);
        }
        const double inv = s > 0 ? 1.0 / s : 0.0;
        T* v = Vt.row(c);
        for (std::size_t j = 0; j < m; ++j) {  // v_c = Bᵀ·e_c / σ_c
            double acc = 0;
            for (std::size_t l = 0; l < k; ++l) acc += E[l * k + c] * double(Z[l * m + j]);
            v[j] = static_cast<T>(acc * inv);
        }
    }
}

template bool svd_scratch_bytes<float>(std::size_t, std::size_t, std::size_t, std::size_t&) noexcept;
template bool svd_scratch_bytes<double>(std::size_t, std::size_t, std::size_t, std::size_t&) noexcept;
template void truncated_svd<float>(const kernel_table<float>&, const executor&, const data_matrix<float>&, std::size_t,
                                   std::uint64_t, matrix_view<float>, double*, matrix_view<float>, void*) noexcept;
template void truncated_svd<double>(const kernel_table<double>&, const executor&, const data_matrix<double>&,
                                    std::size_t, std::uint64_t, matrix_view<double>, double*, matrix_view<double>,
                                    void*) noexcept;

}  // namespace detail
}  // namespace nmfkit
