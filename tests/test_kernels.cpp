// Every kernel set the CPU supports (scalar included) against a long-double oracle.
#include <doctest/doctest.h>

#include "kernels/kernels.hpp"

#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

using nmfkit::detail::kernel_table;

namespace {

// Deterministic values in [0, 1) (NMF data is non-negative).
struct lcg {
    std::uint64_t s;
    explicit lcg(std::uint64_t seed) : s(seed * 6364136223846793005ull + 1442695040888963407ull) {}
    double next() {
        s = s * 6364136223846793005ull + 1442695040888963407ull;
        return double(s >> 11) * (1.0 / 9007199254740992.0);
    }
};

// rows×cols matrix with row stride ld ≥ cols; padding holds NaN, so a kernel that lets
// padding leak into results fails.
template <class T>
struct mat {
    std::size_t rows, cols, ld;
    std::vector<T> v;
    mat(std::size_t r, std::size_t c, std::size_t pad, lcg& g)
        : rows(r), cols(c), ld(c + pad), v(r * (c + pad) + 1, std::numeric_limits<T>::quiet_NaN()) {
        for (std::size_t i = 0; i < r; ++i)
            for (std::size_t j = 0; j < c; ++j) v[i * ld + j] = T(g.next());
    }
    T* data() { return v.data(); }
    T operator()(std::size_t i, std::size_t j) const { return v[i * ld + j]; }
};

template <class T>
double tolerance() {
    return sizeof(T) == 4 ? 1e-5 : 1e-12;
}

template <class T>
std::vector<const kernel_table<T>*> all_sets() {
    std::size_t n = 0;
    const kernel_table<T>* const* s = nmfkit::detail::available_kernels<T>(n);
    return std::vector<const kernel_table<T>*>(s, s + n);
}

enum class op { nt, tn, nn };

// Runs one product with every kernel set and compares with the long-double oracle
// (normwise relative error); checks C's padding was not written.
template <class T>
void check_gemm(op o, std::size_t M, std::size_t N, std::size_t K, std::size_t pad) {
    lcg g(M * 1000003 + N * 1009 + K * 7 + pad);
    // A is M×K (nt, nn) or K×M (tn); B is N×K (nt) or K×N (tn, nn).
    mat<T> A = o == op::tn ? mat<T>(K, M, pad, g) : mat<T>(M, K, pad, g);
    mat<T> B = o == op::nt ? mat<T>(N, K, pad + 1, g) : mat<T>(K, N, pad + 1, g);
    std::vector<long double> ref(M * N, 0.0L);
    for (std::size_t i = 0; i < M; ++i)
        for (std::size_t j = 0; j < N; ++j) {
            long double s = 0;
            for (std::size_t k = 0; k < K; ++k) {
                const long double a = o == op::tn ? A(k, i) : A(i, k);
                const long double b = o == op::nt ? B(j, k) : B(k, j);
                s += a * b;
            }
            ref[i * N + j] = s;
        }
    long double ref_norm = 0;
    for (long double x : ref) ref_norm += x * x;
    ref_norm = std::sqrt(ref_norm);

    const std::size_t ldc = N + pad + 2;
    const T sentinel = T(-12345.5);
    for (const kernel_table<T>* ks : all_sets<T>()) {
        CAPTURE(ks->name);
        std::vector<T> C(M * ldc + 1, sentinel);
        for (std::size_t i = 0; i < M; ++i)  // garbage (NaN) in C on entry, sentinel in padding
            for (std::size_t j = 0; j < N; ++j) C[i * ldc + j] = std::numeric_limits<T>::quiet_NaN();
        auto f = o == op::nt ? ks->gemm_nt : o == op::tn ? ks->gemm_tn : ks->gemm_nn;
        f(M, N, K, A.data(), A.ld, B.data(), B.ld, C.data(), ldc);
        long double err = 0;
        bool padding_ok = C[M * ldc] == sentinel;
        for (std::size_t i = 0; i < M; ++i) {
            for (std::size_t j = 0; j < N; ++j) {
                const long double d = (long double)C[i * ldc + j] - ref[i * N + j];
                err += d * d;
            }
            for (std::size_t j = N; j < ldc; ++j) padding_ok = padding_ok && C[i * ldc + j] == sentinel;
        }
        err = std::sqrt(err);
        CHECK(padding_ok);
        if (ref_norm == 0) {
            CHECK(err == 0);  // K == 0 writes zeros (and NaN fails this)
        } else {
            const double rel = double(err / ref_norm);
            CHECK(rel <= tolerance<T>());  // NaN fails too
        }
    }
}

const std::size_t dims[] = {1, 2, 3, 7, 16, 17, 33, 50, 65};
const std::size_t depths[] = {0, 1, 2, 3, 7, 16, 17, 33, 50, 129};

template <class T>
void gemm_suite(op o) {
    for (std::size_t M : dims)
        for (std::size_t N : dims)
            for (std::size_t K : depths) {
                CAPTURE(M);
                CAPTURE(N);
                CAPTURE(K);
                check_gemm<T>(o, M, N, K, (M + N + K) % 3 == 0 ? 0 : 5);
            }
    // Large K (cache blocking, K tails) and the NMF shapes.
    const std::size_t big[][3] = {{7, 50, 1000}, {50, 7, 1000}, {33, 17, 1031}, {5, 129, 2049},
                                  {129, 20, 1000}, {20, 129, 777}, {64, 64, 1500}, {1, 1, 4099},
                                  {200, 3, 3}, {3, 300, 2}, {130, 50, 50}, {50, 130, 50}};
    for (const auto& s : big) {
        CAPTURE(s[0]);
        CAPTURE(s[1]);
        CAPTURE(s[2]);
        check_gemm<T>(o, s[0], s[1], s[2], 3);
    }
}

template <class T>
void mu_suite() {
    const std::size_t shapes[][2] = {{1, 1}, {3, 7}, {16, 16}, {17, 33}, {50, 65}, {2, 129}};
    const T eps = T(1.1920928955078125e-07);
    for (const auto& s : shapes) {
        const std::size_t rows = s[0], cols = s[1];
        lcg g(rows * 31 + cols);
        mat<T> x(rows, cols, 1, g), num(rows, cols, 2, g), den(rows, cols, 3, g);
        for (std::size_t i = 0; i < rows; ++i)
            for (std::size_t j = 0; j < cols; ++j) {
                if ((i + j) % 5 == 0) den.v[i * den.ld + j] = T(0);   // → eps
                if ((i + 2 * j) % 7 == 0) num.v[i * num.ld + j] = T(0);  // → x becomes 0
                if ((i + j) % 11 == 3) x.v[i * x.ld + j] = T(0);
            }
        for (const kernel_table<T>* ks : all_sets<T>()) {
            CAPTURE(ks->name);
            CAPTURE(rows);
            CAPTURE(cols);
            mat<T> y = x;
            ks->mu_update(rows, cols, y.data(), y.ld, num.data(), num.ld, den.data(), den.ld, eps);
            bool ok = true;
            for (std::size_t i = 0; i < rows; ++i) {
                for (std::size_t j = 0; j < cols; ++j) {
                    const long double d = den(i, j) != 0 ? (long double)den(i, j) : (long double)eps;
                    const long double want = (long double)x(i, j) * num(i, j) / d;
                    const long double got = y(i, j);
                    const bool close = std::fabs(got - want) <= tolerance<T>() * std::fabs(want);
                    if (!close) ok = false;
                    if (num(i, j) == 0 || x(i, j) == 0) ok = ok && got == 0;
                }
                for (std::size_t j = cols; j < y.ld; ++j) ok = ok && std::isnan(y(i, j));
            }
            CHECK(ok);
        }
    }
}

}  // namespace

TEST_CASE_TEMPLATE("kernel sets: list ends with scalar, names are distinct", T, float, double) {
    const auto sets = all_sets<T>();
    REQUIRE(!sets.empty());
    CHECK(std::string(sets.back()->name) == "scalar");
    CHECK(&nmfkit::detail::best_kernels<T>() == sets.front());
    CHECK(&nmfkit::detail::scalar_kernels<T>() == sets.back());
    for (std::size_t i = 0; i < sets.size(); ++i)
        for (std::size_t j = i + 1; j < sets.size(); ++j)
            CHECK(std::string(sets[i]->name) != sets[j]->name);
}

#if defined(NMFKIT_HAVE_XSIMD) && (defined(__x86_64__) || defined(_M_X64) || defined(__aarch64__))
TEST_CASE("a SIMD set is picked on x86-64 / aarch64") {
    CHECK(std::string(nmfkit::detail::best_kernels<float>().name) != "scalar");
    CHECK(std::string(nmfkit::detail::best_kernels<double>().name) != "scalar");
}
#endif

TEST_CASE_TEMPLATE("gemm_nt: C = A·Bᵀ", T, float, double) { gemm_suite<T>(op::nt); }
TEST_CASE_TEMPLATE("gemm_tn: C = Aᵀ·B", T, float, double) { gemm_suite<T>(op::tn); }
TEST_CASE_TEMPLATE("gemm_nn: C = A·B", T, float, double) { gemm_suite<T>(op::nn); }
TEST_CASE_TEMPLATE("mu_update: x·num/den, zero den → eps", T, float, double) { mu_suite<T>(); }
