// Every kernel set the CPU supports (scalar included) against a long-double oracle.
#include <doctest/doctest.h>

#include "kernels/kernels.hpp"
#include "beta.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
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

enum class op { nt, tn, nn, tn_acc };

// Runs one product with every kernel set and compares with the long-double oracle
// (normwise relative error); checks C's padding was not written. tn_acc: C starts as C0
// (values in [1, 2)) and must end as C0 + Aᵀ·B; sets without gemm_tn_acc are skipped.
template <class T>
void check_gemm(op o, std::size_t M, std::size_t N, std::size_t K, std::size_t pad) {
    lcg g(M * 1000003 + N * 1009 + K * 7 + pad + (o == op::tn_acc ? 13 : 0));
    const bool tn = o == op::tn || o == op::tn_acc;
    // A is M×K (nt, nn) or K×M (tn); B is N×K (nt) or K×N (tn, nn).
    mat<T> A = tn ? mat<T>(K, M, pad, g) : mat<T>(M, K, pad, g);
    mat<T> B = o == op::nt ? mat<T>(N, K, pad + 1, g) : mat<T>(K, N, pad + 1, g);
    std::vector<T> C0(M * N, T(0));
    if (o == op::tn_acc)
        for (T& c : C0) c = T(1 + g.next());
    std::vector<long double> ref(M * N, 0.0L);
    for (std::size_t i = 0; i < M; ++i)
        for (std::size_t j = 0; j < N; ++j) {
            long double s = C0[i * N + j];
            for (std::size_t k = 0; k < K; ++k) {
                const long double a = tn ? A(k, i) : A(i, k);
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
        if (o == op::tn_acc && ks->gemm_tn_acc == nullptr) continue;
        std::vector<T> C(M * ldc + 1, sentinel);
        for (std::size_t i = 0; i < M; ++i)  // garbage (NaN) in C on entry, sentinel in padding
            for (std::size_t j = 0; j < N; ++j)
                C[i * ldc + j] = o == op::tn_acc ? C0[i * N + j] : std::numeric_limits<T>::quiet_NaN();
        auto f = o == op::nt       ? ks->gemm_nt
                 : o == op::tn     ? ks->gemm_tn
                 : o == op::tn_acc ? ks->gemm_tn_acc
                                   : ks->gemm_nn;
        f(M, N, K, A.data(), A.ld, B.data(), B.ld, C.data(), ldc);
        if (o == op::tn_acc && K == 0) {  // C unchanged, bit for bit
            bool same = true;
            for (std::size_t i = 0; i < M; ++i)
                for (std::size_t j = 0; j < N; ++j) same = same && C[i * ldc + j] == C0[i * N + j];
            CHECK(same);
        }
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
    const std::size_t big[][3] = {{7, 50, 1000},   {50, 7, 1000},  {33, 17, 1031}, {5, 129, 2049},
                                  {129, 20, 1000}, {20, 129, 777}, {64, 64, 1500}, {1, 1, 4099},
                                  {200, 3, 3},     {3, 300, 2},    {130, 50, 50},  {50, 130, 50}};
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
                if ((i + j) % 5 == 0) den.v[i * den.ld + j] = T(0);      // → eps
                if ((i + 2 * j) % 7 == 0) num.v[i * num.ld + j] = T(0);  // → x becomes 0
                if ((i + j) % 11 == 3) x.v[i * x.ld + j] = T(0);
            }
        for (const kernel_table<T>* ks : all_sets<T>()) {
            CAPTURE(ks->name);
            CAPTURE(rows);
            CAPTURE(cols);
            mat<T> y = x;
            const double step = ks->mu_update(rows, cols, y.data(), y.ld, num.data(), num.ld, den.data(), den.ld, eps);
            bool ok = true;
            long double want_step = 0;
            for (std::size_t i = 0; i < rows; ++i) {
                for (std::size_t j = 0; j < cols; ++j) {
                    const long double d = den(i, j) != 0 ? (long double)den(i, j) : (long double)eps;
                    const long double want = (long double)x(i, j) * num(i, j) / d;
                    const long double got = y(i, j);
                    want_step += (want - x(i, j)) * (want - x(i, j));
                    const bool close = std::fabs(got - want) <= tolerance<T>() * std::fabs(want);
                    if (!close) ok = false;
                    if (num(i, j) == 0 || x(i, j) == 0) ok = ok && got == 0;
                }
                for (std::size_t j = cols; j < y.ld; ++j) ok = ok && std::isnan(y(i, j));
            }
            CHECK(ok);
            // The returned step ‖y − x‖²_F (the accelerated MU stops on it).
            CHECK(std::fabs(step - (double)want_step) <= 1e-4 * (double)want_step + 1e-30);
        }
    }
}

// ---- β-divergence tiles: every set against the beta.hpp scalar reference ----------

const double betas[] = {2, 1, 0, 0.5, 1.5, 3, -0.5};

// X and P with exact zeros in P (and in X where β > 0), values spread over [1e-3, 3).
template <class T>
void beta_inputs(double beta, std::size_t rows, std::size_t cols, lcg& g, mat<T>& X, mat<T>& P) {
    for (std::size_t i = 0; i < rows; ++i)
        for (std::size_t j = 0; j < cols; ++j) {
            X.v[i * X.ld + j] = T(1e-3 + 3 * g.next() * g.next());
            P.v[i * P.ld + j] = T(1e-3 + 3 * g.next() * g.next());
            if ((i + 3 * j) % 7 == 2) P.v[i * P.ld + j] = T(0);
            if (beta > 0 && (2 * i + j) % 5 == 1) X.v[i * X.ld + j] = T(0);
        }
}

// Normwise relative difference of two rows×cols blocks (NaN → fails).
template <class T>
double rel_diff(const mat<T>& a, const mat<T>& b) {
    long double num = 0, den = 0;
    for (std::size_t i = 0; i < a.rows; ++i)
        for (std::size_t j = 0; j < a.cols; ++j) {
            const long double d = (long double)a(i, j) - b(i, j);
            num += d * d;
            den += (long double)b(i, j) * b(i, j);
        }
    if (!(num == num)) return 1e300;
    return den > 0 ? double(std::sqrt(num / den)) : double(std::sqrt(num));
}

template <class T>
bool padding_is_nan(const mat<T>& a) {
    for (std::size_t i = 0; i < a.rows; ++i)
        for (std::size_t j = a.cols; j < a.ld; ++j)
            if (!std::isnan(a(i, j))) return false;
    return true;
}

const std::size_t tile_shapes[][2] = {{1, 1}, {1, 7}, {3, 16}, {5, 17}, {2, 33}, {7, 64}, {4, 65}, {13, 100}, {3, 257}};

template <class T>
void beta_tile_suite() {
    const T eps = T(1.1920928955078125e-07);
    for (double beta : betas)
        for (const auto& sh : tile_shapes) {
            const std::size_t rows = sh[0], cols = sh[1];
            lcg g(rows * 131 + cols + std::uint64_t(beta * 8 + 100));
            mat<T> X(rows, cols, 3, g), P(rows, cols, 1, g), Bz(rows, cols, 2, g);
            beta_inputs(beta, rows, cols, g, X, P);
            mat<T> Pref = P, Bref = Bz;
            nmfkit::detail::beta_tile_scalar<T>(rows, cols, X.data(), X.ld, Pref.data(), Pref.ld, Bref.data(), Bref.ld,
                                                beta, eps);
            mat<T> Pref1 = P;  // B = nullptr (the solver's β = 1 call)
            nmfkit::detail::beta_tile_scalar<T>(rows, cols, X.data(), X.ld, Pref1.data(), Pref1.ld, nullptr, 0, beta,
                                                eps);
            for (const kernel_table<T>* ks : all_sets<T>()) {
                CAPTURE(ks->name);
                CAPTURE(beta);
                CAPTURE(rows);
                CAPTURE(cols);
                mat<T> Pk = P, Bk = Bz, Pk1 = P;
                ks->beta_tile(rows, cols, X.data(), X.ld, Pk.data(), Pk.ld, Bk.data(), Bk.ld, beta, eps);
                ks->beta_tile(rows, cols, X.data(), X.ld, Pk1.data(), Pk1.ld, nullptr, 0, beta, eps);
                CHECK(rel_diff(Pk, Pref) <= tolerance<T>());
                CHECK(rel_diff(Bk, Bref) <= tolerance<T>());
                CHECK(rel_diff(Pk1, Pref1) <= tolerance<T>());
                CHECK(padding_is_nan(Pk));
                CHECK(padding_is_nan(Bk));
                // Zeros of X stay exact zeros; the guarded entries are finite.
                bool zeros_ok = true, finite = true;
                for (std::size_t i = 0; i < rows; ++i)
                    for (std::size_t j = 0; j < cols; ++j) {
                        if (X(i, j) == 0) zeros_ok = zeros_ok && Pk(i, j) == 0;
                        finite = finite && std::isfinite(Pk(i, j)) && std::isfinite(Bk(i, j));
                    }
                CHECK(zeros_ok);
                CHECK(finite);
                // β = 1 and β = 0 are divisions only: bit-identical to the reference, except
                // on 32-bit NEON, which has no IEEE vector division (xsimd refines a
                // reciprocal estimate) and flushes denormals; the tolerance checks above hold.
                if ((beta == 1 || beta == 0) && std::string(ks->name) != "neon") {
                    bool exact = true;
                    for (std::size_t i = 0; i < rows; ++i)
                        for (std::size_t j = 0; j < cols; ++j)
                            exact = exact && Pk(i, j) == Pref(i, j) && Bk(i, j) == Bref(i, j);
                    CHECK(exact);
                }
            }
        }
}

template <class T>
void beta_loss_suite() {
    const T eps = T(1.1920928955078125e-07);
    for (double beta : betas)
        for (int near : {0, 1})  // near = 1: P within ±1% of X (the cancelling regime of a fit)
            for (const auto& sh : tile_shapes) {
                const std::size_t rows = sh[0], cols = sh[1];
                lcg g(rows * 977 + cols + std::uint64_t(beta * 8 + 100) + near);
                mat<T> X(rows, cols, 3, g), P(rows, cols, 1, g);
                beta_inputs(beta, rows, cols, g, X, P);
                if (near)
                    for (std::size_t i = 0; i < rows; ++i)
                        for (std::size_t j = 0; j < cols; ++j) {
                            const T x = X(i, j);
                            P.v[i * P.ld + j] = x == 0 ? T(0.5) : T(x * (0.99 + 0.02 * g.next()));
                        }
                double div_ref = 1, sq_ref = 2;  // the kernels add to div and sq
                nmfkit::detail::beta_loss_tile_scalar<T>(rows, cols, X.data(), X.ld, P.data(), P.ld, beta, eps, div_ref,
                                                         sq_ref);
                div_ref -= 1;
                sq_ref -= 2;
                for (const kernel_table<T>* ks : all_sets<T>()) {
                    CAPTURE(ks->name);
                    CAPTURE(beta);
                    CAPTURE(near);
                    CAPTURE(rows);
                    CAPTURE(cols);
                    double div = 1, sq = 2;
                    ks->beta_loss_tile(rows, cols, X.data(), X.ld, P.data(), P.ld, beta, eps, div, sq);
                    div -= 1;
                    sq -= 2;
                    REQUIRE(std::isfinite(div_ref));
                    // Sums evaluated in double lanes: close to double rounding for either T.
                    CHECK(std::fabs(div - div_ref) <= 1e-12 * std::fabs(div_ref) + 1e-13);
                    CHECK(std::fabs(sq - sq_ref) <= 1e-12 * std::fabs(sq_ref) + 1e-13);
                }
            }
}

// ---- factor_update: every set against the scalar set and a formula ----------------

// x ← x ∘ (num ⊘ d)^γ, d = den + l1 + l2·x (eps where d == 0), then x < zero_below → 0,
// in long double from the T operands (the parameters rounded to T as the kernels see them).
template <class T>
long double factor_formula(T x, T num, T den, const nmfkit::detail::update_params<T>& p) {
    long double d = (long double)den + (long double)p.l1 + (long double)p.l2 * (long double)x;
    if (d == 0) d = p.eps;
    long double q = (long double)num / d;
    if (p.gamma != 1) q = std::pow(q, (long double)p.gamma);
    const long double v = (long double)x * q;
    return v < (long double)p.zero_below ? 0.0L : v;
}

template <class T>
void factor_update_suite() {
    using params = nmfkit::detail::update_params<T>;
    const T eps = T(1.1920928955078125e-07);
    const T ulp = std::numeric_limits<T>::epsilon();
    // γ ≠ 1 only where it is compiled in (NMFKIT_EXTENDED, whose scalar set has vmath).
    const bool extended = nmfkit::detail::scalar_kernels<T>().vmath != nullptr;
    const double pens[][2] = {{0, 0}, {0.1, 0}, {0, 0.3}, {0.05, 0.2}};
    std::size_t zeroed = 0, eps_dens = 0;
    for (const auto& sh : tile_shapes)
        for (std::size_t pad : {0, 1})
            for (double gamma : {1.0, 0.5, 1 / 1.5})
                for (const auto& pen : pens)
                    for (double zb : {0.0, 0.05})
                        for (bool track : {false, true}) {
                            if (gamma != 1 && !extended) continue;
                            const std::size_t rows = sh[0], cols = sh[1];
                            const params p{eps, T(pen[0]), T(pen[1]), T(gamma), T(zb)};
                            lcg g(rows * 7919 + cols * 31 + pad);
                            // pad 1: every operand with its own row stride; 0: rows back to back.
                            mat<T> x(rows, cols, pad, g), num(rows, cols, 2 * pad, g), den(rows, cols, 3 * pad, g);
                            std::vector<long double> want(rows * cols);
                            long double want_step = 0;
                            for (std::size_t i = 0; i < rows; ++i)
                                for (std::size_t j = 0; j < cols; ++j) {
                                    if ((i + j) % 5 == 0) den.v[i * den.ld + j] = T(0);
                                    if ((i + 2 * j) % 7 == 0) num.v[i * num.ld + j] = T(0);
                                    if ((i + j) % 11 == 3 || (i + j) % 10 == 0) x.v[i * x.ld + j] = T(0);
                                    long double w = factor_formula(x(i, j), num(i, j), den(i, j), p);
                                    // Nothing within 0.1% of the threshold, where a rounding decides.
                                    if (w != 0 && std::fabs(w - zb) <= 1e-3 * zb) {
                                        x.v[i * x.ld + j] = T(0);
                                        w = 0;
                                    }
                                    if (w == 0 && x(i, j) != 0) ++zeroed;
                                    if (den(i, j) + p.l1 + p.l2 * x(i, j) == 0) ++eps_dens;
                                    want[i * cols + j] = w;
                                    want_step += (w - x(i, j)) * (w - x(i, j));
                                }
                            mat<T> ref = x;
                            const double ref_step = nmfkit::detail::scalar_kernels<T>().factor_update(
                                rows, cols, ref.data(), ref.ld, num.data(), num.ld, den.data(), den.ld, p, track);
                            for (const kernel_table<T>* ks : all_sets<T>()) {
                                CAPTURE(ks->name);
                                CAPTURE(rows);
                                CAPTURE(cols);
                                CAPTURE(pad);
                                CAPTURE(gamma);
                                CAPTURE(pen[0]);
                                CAPTURE(pen[1]);
                                CAPTURE(zb);
                                CAPTURE(track);
                                REQUIRE(bool(ks->factor_update));
                                mat<T> y = x;
                                const double step = ks->factor_update(rows, cols, y.data(), y.ld, num.data(), num.ld,
                                                                      den.data(), den.ld, p, track);
                                // A division then a product as the scalar loop: identical where d is
                                // exactly den + l1 (l2 = 0; not 32-bit NEON, whose vector division is
                                // not IEEE); else the rounding of d (FMA contraction) and the vector
                                // pow's few ulp.
                                const bool exact = gamma == 1 && pen[1] == 0 && std::string(ks->name) != "neon";
                                const double k = gamma == 1 ? 4 : 16;
                                bool formula_ok = true, scalar_ok = true, zeros_ok = true;
                                for (std::size_t i = 0; i < rows; ++i)
                                    for (std::size_t j = 0; j < cols; ++j) {
                                        const long double got = y(i, j), w = want[i * cols + j], r = ref(i, j);
                                        formula_ok = formula_ok && std::fabs(got - w) <= tolerance<T>() * w;
                                        zeros_ok = zeros_ok && (w == 0) == (got == 0);
                                        scalar_ok = scalar_ok && (exact ? got == r : std::fabs(got - r) <= k * ulp * r);
                                    }
                                CHECK(formula_ok);
                                CHECK(zeros_ok);
                                CHECK(scalar_ok);
                                CHECK(padding_is_nan(y));
                                if (track) {
                                    CHECK(std::fabs(step - (double)want_step) <= 1e-4 * (double)want_step + 1e-30);
                                    CHECK(std::fabs(step - ref_step) <= (sizeof(T) == 4 ? 1e-5 : 1e-12) * ref_step);
                                } else {
                                    CHECK(step == 0);
                                }
                            }
                        }
    // The cases above do exercise the zeroing and the eps guard.
    CHECK(zeroed > 0);
    CHECK(eps_dens > 0);
}

// ulp distance between a and the exact value w (long double), in units of T's ulp at w.
template <class T>
double ulps(T a, long double w) {
    if (std::isinf(w) || w > (long double)std::numeric_limits<T>::max()) return std::isinf(a) && a > 0 ? 0 : 1e30;
    const long double aw = std::fabs(w);
    const long double tiny = std::numeric_limits<T>::min();
    // Below the normal range the ulp is fixed at denorm_min.
    const long double ulp = aw < tiny ? (long double)std::numeric_limits<T>::denorm_min()
                                      : std::ldexp(1.0L, std::ilogb(aw) - std::numeric_limits<T>::digits + 1);
    return double(std::fabs((long double)a - w) / ulp);
}

// log, exp and pow of every set against long-double std:: functions over 1e-30 … 1e30 for
// the base (subnormals included) and exponents from the β range and beyond.
template <class T>
void vmath_suite(double& worst_log, double& worst_exp, double& worst_pow) {
    std::vector<T> xs;
    for (int k = -300; k <= 300; ++k) xs.push_back(T(std::pow(10.0, k / 10.0)));  // 1e-30 … 1e30
    lcg g(7);
    for (int k = 0; k < 2000; ++k) xs.push_back(T(std::pow(10.0, -30 + 60 * g.next())));
    for (int k = 0; k < 200; ++k) xs.push_back(T(0.5 + g.next()));  // around 1: log ≈ 0
    const T tiny = std::numeric_limits<T>::min();
    for (double f : {1.0, 0.5, 0.25, 1e-3, 1e-6}) xs.push_back(T(tiny * f));  // subnormal
    xs.push_back(std::numeric_limits<T>::denorm_min());
    xs.push_back(std::numeric_limits<T>::max());
    for (const kernel_table<T>* ks : all_sets<T>()) {
        CAPTURE(ks->name);
        std::vector<T> out(xs.size());
        ks->vmath(0, xs.size(), xs.data(), T(0), out.data());
        double wl = 0;
        for (std::size_t i = 0; i < xs.size(); ++i) {
            if (xs[i] < tiny) continue;  // log of subnormals: not used (bases are ≥ eps or normal)
            wl = std::max(wl, ulps(out[i], std::log((long double)xs[i])));
        }
        // exp over the finite normal range of the result.
        std::vector<T> es;
        const double lmax = std::log(double(std::numeric_limits<T>::max())) - 0.01;
        const double lmin = std::log(double(tiny)) + 0.01;
        for (int k = 0; k <= 4000; ++k) es.push_back(T(lmin + (lmax - lmin) * k / 4000.0));
        std::vector<T> eo(es.size());
        ks->vmath(1, es.size(), es.data(), T(0), eo.data());
        double we = 0;
        for (std::size_t i = 0; i < es.size(); ++i) we = std::max(we, ulps(eo[i], std::exp((long double)es[i])));
        double wp = 0;
        for (double e : {-2.5, -1.5, -1.0, -0.5, 0.5, 1.0, 1.5, 2.0, -0.3, 0.7, -7.25, 3.1}) {
            CAPTURE(e);
            ks->vmath(2, xs.size(), xs.data(), T(e), out.data());
            double w = 0;
            const bool ftz = std::string(ks->name) == "neon";  // flushes subnormal inputs too
            for (std::size_t i = 0; i < xs.size(); ++i) {
                if (ftz && xs[i] < tiny) continue;
                const long double want = std::pow((long double)xs[i], (long double)T(e));
                if (want < (long double)tiny) {  // subnormal or zero result: absolute
                    // 32-bit NEON flushes subnormals to zero.
                    const long double abs_tol = std::string(ks->name) == "neon"
                                                    ? (long double)tiny
                                                    : 2 * (long double)std::numeric_limits<T>::denorm_min();
                    CHECK(std::fabs((long double)out[i] - want) <= abs_tol);
                    continue;
                }
                w = std::max(w, ulps(out[i], want));
            }
            // 2^s and log2 m ~1 ulp each, plus e·(error of log2 m): grows slowly with |e|.
            CHECK(w <= 3 + 0.5 * std::fabs(e));
            if (std::fabs(e) <= 3) wp = std::max(wp, w);
            if (std::fabs(e) > 3) MESSAGE(std::string(ks->name) << " pow e=" << e << ": " << w << " ulp");
        }
        // Special values as std::pow.
        const T sp[] = {T(0), std::numeric_limits<T>::infinity(), T(1)};
        T so[3];
        ks->vmath(2, 3, sp, T(-0.5), so);
        CHECK(std::isinf(so[0]));
        CHECK(so[1] == 0);
        CHECK(so[2] == 1);
        ks->vmath(2, 3, sp, T(1.5), so);
        CHECK(so[0] == 0);
        CHECK(std::isinf(so[1]));
        ks->vmath(2, 3, sp, T(0), so);
        CHECK((so[0] == 1 && so[1] == 1 && so[2] == 1));
        CHECK(wl <= 4);
        CHECK(we <= 4);
        MESSAGE(std::string(ks->name) << std::string(sizeof(T) == 4 ? " float" : " double") << ": max ulp log " << wl
                                      << ", exp " << we << ", pow (|e| ≤ 3) " << wp);
        if (std::string(ks->name) != "scalar") {
            worst_log = std::max(worst_log, wl);
            worst_exp = std::max(worst_exp, we);
            worst_pow = std::max(worst_pow, wp);
        }
    }
}

}  // namespace

TEST_CASE_TEMPLATE("beta_tile: every set matches beta_tile_scalar", T, float, double) { beta_tile_suite<T>(); }
TEST_CASE_TEMPLATE("beta_loss_tile: every set matches beta_loss_tile_scalar", T, float, double) {
    beta_loss_suite<T>();
}
TEST_CASE_TEMPLATE("vector log/exp/pow: a few ulp over 1e-30 … 1e30", T, float, double) {
    double wl = 0, we = 0, wp = 0;
    vmath_suite<T>(wl, we, wp);
}

TEST_CASE_TEMPLATE("kernel sets: list ends with scalar, names are distinct", T, float, double) {
    const auto sets = all_sets<T>();
    REQUIRE(!sets.empty());
    CHECK(std::string(sets.back()->name) == "scalar");
    CHECK(&nmfkit::detail::best_kernels<T>() == sets.front());
    CHECK(&nmfkit::detail::scalar_kernels<T>() == sets.back());
    for (std::size_t i = 0; i < sets.size(); ++i)
        for (std::size_t j = i + 1; j < sets.size(); ++j) CHECK(std::string(sets[i]->name) != sets[j]->name);
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

// The accumulating gemm_tn of the solver's one-pass iteration (Wᵀ·X += W_bᵀ·X_b, WᵀW +=
// W_bᵀ·W_b) through every path of gemm_tn: the generic suite, the one-vector-wide 8- and
// 16-row path (r ≤ 16), the AVX-512 strip path (N ≥ 64 floats, K ≥ 16, several K blocks of
// 256 and a column remainder) and the block shapes the solver uses.
TEST_CASE_TEMPLATE("gemm_tn_acc: C += Aᵀ·B", T, float, double) {
    for (const kernel_table<T>* ks : all_sets<T>()) {
        CAPTURE(ks->name);
        const bool has_acc = ks->gemm_tn_acc != nullptr;  // optional in the contract; every set has one
        CHECK(has_acc);
    }
    const bool scalar_has_acc = nmfkit::detail::scalar_kernels<T>().gemm_tn_acc != nullptr;
    CHECK(scalar_has_acc);
    gemm_suite<T>(op::tn_acc);
    for (std::size_t N : {1, 4, 7, 8, 9, 15, 16, 17})
        for (std::size_t M : {8, 16})
            for (std::size_t K : {0, 1, 2, 16, 17, 300}) {
                CAPTURE(N);
                CAPTURE(M);
                CAPTURE(K);
                check_gemm<T>(op::tn_acc, M, N, K, N % 2 == 0 ? 0 : 3);
            }
    const std::size_t shapes[][3] = {{20, 1000, 64},  {50, 130, 200}, {6, 64, 16},    {7, 200, 300},
                                     {50, 2000, 200}, {20, 20, 256},  {50, 50, 200},  {13, 129, 513},
                                     {16, 16, 64},    {1, 64, 1000},  {20, 1000, 15}, {5, 300, 257}};
    for (const auto& s : shapes) {
        CAPTURE(s[0]);
        CAPTURE(s[1]);
        CAPTURE(s[2]);
        check_gemm<T>(op::tn_acc, s[0], s[1], s[2], 0);
        check_gemm<T>(op::tn_acc, s[0], s[1], s[2], 5);
    }
}
TEST_CASE_TEMPLATE("mu_update: x·num/den, zero den → eps", T, float, double) { mu_suite<T>(); }
TEST_CASE_TEMPLATE("factor_update: penalties, MM exponent, zeroing, zero den → eps", T, float, double) {
    factor_update_suite<T>();
}

// The register-resident paths for one-vector-wide C (gemm_nn with K ≤ 16, gemm_tn with 8 or
// 16 rows: W·HHᵀ and WᵀW at r ≤ 16) with every column count up to a vector, row counts
// around their 6-row blocks, K on both sides of 16, padded and unpadded strides.
TEST_CASE_TEMPLATE("gemm_nn / gemm_tn: one-vector-wide C, 8 and 16 rows", T, float, double) {
    for (std::size_t N = 1; N <= 17; ++N)
        for (std::size_t pad : {std::size_t(0), std::size_t(3)}) {
            CAPTURE(N);
            CAPTURE(pad);
            for (std::size_t M : {5, 6, 8, 11, 12, 13, 16, 31})
                for (std::size_t K : {1, 5, 15, 16, 17}) {
                    CAPTURE(M);
                    CAPTURE(K);
                    check_gemm<T>(op::nn, M, N, K, pad);
                }
            for (std::size_t M : {8, 16})
                for (std::size_t K : {1, 2, 16, 17, 300}) {
                    CAPTURE(M);
                    CAPTURE(K);
                    check_gemm<T>(op::tn, M, N, K, pad);
                }
        }
}

// Blocking edges of the WebAssembly GEMM (gemm_wasm.hpp), checked on every set: gemm_nt
// with K < 16 copies Bᵀ 32+ columns at a time (N = 130 at K = 15: five chunks, the last
// 2 wide); gemm_tn with M a multiple of 4 reads A in place in K blocks of 384; products
// with more than 64 rows pack A 64 rows at a time.
TEST_CASE_TEMPLATE("gemm: column chunks, K blocks and row chunks of the blocked paths", T, float, double) {
    const std::size_t nt[][3] = {{1, 130, 15}, {5, 130, 15}, {70, 41, 9}, {3, 300, 1}};
    for (const auto& s : nt) {
        CAPTURE(s[0]);
        CAPTURE(s[1]);
        CAPTURE(s[2]);
        check_gemm<T>(op::nt, s[0], s[1], s[2], 2);
    }
    const std::size_t tn[][3] = {{8, 19, 800}, {16, 9, 385}, {4, 3, 769}, {20, 1000, 384}};
    for (const auto& s : tn) {
        CAPTURE(s[0]);
        CAPTURE(s[1]);
        CAPTURE(s[2]);
        check_gemm<T>(op::tn, s[0], s[1], s[2], 1);
    }
    const std::size_t nn[][3] = {{70, 20, 20}, {131, 13, 45}, {65, 8, 500}};
    for (const auto& s : nn) {
        CAPTURE(s[0]);
        CAPTURE(s[1]);
        CAPTURE(s[2]);
        check_gemm<T>(op::nn, s[0], s[1], s[2], 3);
    }
}
