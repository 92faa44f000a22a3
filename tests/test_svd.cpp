// The public truncated SVD (nmfkit::truncated_svd, nmfkit_truncated_svd_*): on a matrix built
// with known singular values (orthonormal factors from Householder reflections) it must find
// them, with orthonormal U and Vt whose product rebuilds X; the same through the C API; every
// failure a status. Skipped in a Frobenius-only build, where it reports not_built.
#include <doctest/doctest.h>

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <type_traits>
#include <vector>

#include "nmfkit/nmfkit.h"
#include "nmfkit/nmfkit.hpp"

using nmfkit::status;

namespace {

// Q (n×n) = the product of two Householder reflections I − 2vvᵀ/‖v‖²: orthogonal.
std::vector<double> orthogonal(std::size_t n, double a, double b) {
    std::vector<double> Q(n * n, 0.0);
    for (std::size_t i = 0; i < n; ++i) Q[i * n + i] = 1;
    for (double c : {a, b}) {
        std::vector<double> v(n);
        double vv = 0;
        for (std::size_t i = 0; i < n; ++i) {
            v[i] = std::sin(c * double(i + 1)) + 0.5;
            vv += v[i] * v[i];
        }
        std::vector<double> Qv(n, 0.0);  // Q·v, then Q ← Q − 2(Qv)vᵀ/vv
        for (std::size_t i = 0; i < n; ++i)
            for (std::size_t j = 0; j < n; ++j) Qv[i] += Q[i * n + j] * v[j];
        for (std::size_t i = 0; i < n; ++i)
            for (std::size_t j = 0; j < n; ++j) Q[i * n + j] -= 2 * Qv[i] * v[j] / vv;
    }
    return Q;
}

// X (n×m) = A·diag(s)·Bᵀ with A, B the first columns of orthogonal matrices: singular values s.
template <class T>
std::vector<T> planted(std::size_t n, std::size_t m, const std::vector<double>& s) {
    const auto A = orthogonal(n, 0.7, 1.9), B = orthogonal(m, 1.3, 2.6);
    std::vector<T> X(n * m);
    for (std::size_t i = 0; i < n; ++i)
        for (std::size_t j = 0; j < m; ++j) {
            double x = 0;
            for (std::size_t c = 0; c < s.size(); ++c) x += A[i * n + c] * s[c] * B[j * m + c];
            X[i * m + j] = static_cast<T>(x);
        }
    return X;
}

}  // namespace

TEST_CASE_TEMPLATE("truncated_svd finds planted singular values, orthonormal factors, X rebuilt", T, float, double) {
    const std::size_t n = 40, m = 25, k = 5;
    const std::vector<double> s = {9, 6, 4, 2.5, 1, 0.5, 0.25};  // rank 7: k = 5 leaves 0.5, 0.25
    const auto X = planted<T>(n, m, s);
    std::size_t bytes = 0;
    const status st = nmfkit::svd_workspace_size<T>(n, m, k, bytes);
    if (st == status::not_built) return;  // Frobenius-only build
    REQUIRE(st == status::ok);
    std::vector<unsigned char> ws(bytes + nmfkit::workspace_alignment);
    std::vector<T> U(n * k), Vt(k * m);
    std::vector<double> sigma(k);
    REQUIRE(nmfkit::truncated_svd<T>({X.data(), n, m}, k, 3, {U.data(), n, k}, sigma.data(), {Vt.data(), k, m},
                                     nmfkit::align_workspace(ws.data(), ws.size()), bytes) == status::ok);
    const double tol = std::is_same_v<T, float> ? 2e-4 : 1e-9;
    for (std::size_t c = 0; c < k; ++c) CHECK(std::fabs(sigma[c] - s[c]) <= tol * s[0]);
    for (std::size_t a = 0; a < k; ++a)
        for (std::size_t b = 0; b < k; ++b) {
            double uu = 0, vv = 0;
            for (std::size_t i = 0; i < n; ++i) uu += double(U[i * k + a]) * U[i * k + b];
            for (std::size_t j = 0; j < m; ++j) vv += double(Vt[a * m + j]) * Vt[b * m + j];
            CHECK(std::fabs(uu - (a == b)) <= 10 * tol);
            CHECK(std::fabs(vv - (a == b)) <= 10 * tol);
        }
    // ‖X − U·S·Vt‖²_F = the dropped singular values' squares: 0.5² + 0.25²
    double err = 0;
    for (std::size_t i = 0; i < n; ++i)
        for (std::size_t j = 0; j < m; ++j) {
            double x = 0;
            for (std::size_t c = 0; c < k; ++c) x += double(U[i * k + c]) * sigma[c] * Vt[c * m + j];
            err += (X[i * m + j] - x) * (X[i * m + j] - x);
        }
    CHECK(std::fabs(err - (0.25 + 0.0625)) <= 100 * tol);
    // the same seed, the same numbers; the C API gives them too
    std::vector<T> U2(n * k), Vt2(k * m);
    std::vector<double> sigma2(k);
    nmfkit_status c = 0;
    if constexpr (std::is_same_v<T, float>)
        c = nmfkit_truncated_svd_f32(X.data(), n, m, m, k, 3, U2.data(), k, sigma2.data(), Vt2.data(), m,
                                     nmfkit::align_workspace(ws.data(), ws.size()), bytes);
    else
        c = nmfkit_truncated_svd_f64(X.data(), n, m, m, k, 3, U2.data(), k, sigma2.data(), Vt2.data(), m,
                                     nmfkit::align_workspace(ws.data(), ws.size()), bytes);
    REQUIRE(c == NMFKIT_OK);
    CHECK(U2 == U);
    CHECK(Vt2 == Vt);
    CHECK(sigma2 == sigma);
}

TEST_CASE("truncated_svd: every failure is a status, nothing is written on one") {
    const std::size_t n = 6, m = 4;
    std::vector<float> X(n * m, 1.0f);
    std::size_t bytes = 0;
    if (nmfkit::svd_workspace_size<float>(n, m, 2, bytes) == status::not_built) {
        float U[12], Vt[8];
        double sg[2];
        CHECK(nmfkit::truncated_svd<float>({X.data(), n, m}, 2, 0, {U, n, 2}, sg, {Vt, 2, m}, nullptr, 0) ==
              status::not_built);
        return;
    }
    CHECK(nmfkit::svd_workspace_size<float>(0, m, 2, bytes) == status::empty_dimension);
    CHECK(nmfkit::svd_workspace_size<float>(n, m, 0, bytes) == status::zero_rank);
    CHECK(nmfkit::svd_workspace_size<float>(n, m, 5, bytes) == status::rank_too_large);
    const std::size_t huge = std::numeric_limits<std::size_t>::max() / 2;  // 32- and 64-bit targets
    CHECK(nmfkit::svd_workspace_size<float>(huge, huge, 3, bytes) == status::size_overflow);
    size_t cbytes = 0;
    CHECK(nmfkit_svd_workspace_size_f32(n, m, 2, nullptr) == NMFKIT_NULL_POINTER);
    REQUIRE(nmfkit_svd_workspace_size_f32(n, m, 2, &cbytes) == NMFKIT_OK);
    REQUIRE(nmfkit::svd_workspace_size<float>(n, m, 2, bytes) == status::ok);
    CHECK(cbytes == bytes);
    std::vector<unsigned char> buf(bytes + 2 * nmfkit::workspace_alignment);
    void* ws = nmfkit::align_workspace(buf.data(), buf.size());
    std::vector<float> U(n * 2, -7.0f), Vt(2 * m, -7.0f);
    double sg[2] = {-7, -7};
    auto call = [&](nmfkit::const_matrix_view<float> x, nmfkit::matrix_view<float> u, double* s,
                    nmfkit::matrix_view<float> v, void* w,
                    std::size_t b) { return nmfkit::truncated_svd<float>(x, 2, 1, u, s, v, w, b); };
    const nmfkit::matrix_view<float> u{U.data(), n, 2}, v{Vt.data(), 2, m};
    CHECK(call({nullptr, n, m}, u, sg, v, ws, bytes) == status::null_pointer);
    CHECK(call({X.data(), n, m}, u, nullptr, v, ws, bytes) == status::null_pointer);
    CHECK(call({X.data(), n, m}, {U.data(), n - 1, 2}, sg, v, ws, bytes) == status::shape_mismatch);
    CHECK(call({X.data(), n, m}, u, sg, {Vt.data(), 2, m - 1}, ws, bytes) == status::shape_mismatch);
    CHECK(call({X.data(), n, m, 2}, u, sg, v, ws, bytes) == status::stride_too_small);
    CHECK(call({X.data(), n, m}, u, sg, v, static_cast<unsigned char*>(ws) + 8, bytes) == status::workspace_misaligned);
    CHECK(call({X.data(), n, m}, u, sg, v, ws, bytes - 1) == status::workspace_too_small);
    CHECK(call({X.data(), n, m}, {X.data(), n, 2}, sg, v, ws, bytes) == status::buffers_overlap);
    X[5] = std::numeric_limits<float>::quiet_NaN();
    CHECK(call({X.data(), n, m}, u, sg, v, ws, bytes) == status::x_not_finite);
    X[5] = std::numeric_limits<float>::infinity();
    CHECK(call({X.data(), n, m}, u, sg, v, ws, bytes) == status::x_not_finite);
    for (float x : U) CHECK(x == -7.0f);
    for (float x : Vt) CHECK(x == -7.0f);
    CHECK(sg[0] == -7);
    // signed X is fine (PCA of centred data): a rank-1 ±1 pattern
    for (std::size_t i = 0; i < n; ++i)
        for (std::size_t j = 0; j < m; ++j) X[i * m + j] = ((i + j) % 2 ? -1.0f : 1.0f);
    REQUIRE(call({X.data(), n, m}, u, sg, v, ws, bytes) == status::ok);
    CHECK(std::fabs(sg[0] - std::sqrt(double(n * m))) < 1e-4);
    CHECK(std::fabs(sg[1]) < 1e-3);
}
