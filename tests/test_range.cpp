// The numeric range (issue 15): β near 1 and 0, no undefined behaviour on valid but extreme
// views and on bad solver handles, the finite-result check, scaled sums over X, and the
// scale-safe fit: fit(s·X) over the whole range of the element type.
#include <doctest/doctest.h>

#include <cfloat>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <limits>
#include <string>
#include <vector>

#include "beta.hpp"
#include "kernels/kernels.hpp"
#include "nmfkit/nmfkit.h"
#include "csr_util.hpp"
#include "solver/finite.hpp"
#include "test_util.hpp"

using nmfkit::status;
using testutil::matrix;

namespace {

// A 3×4 X and factors with W·H ≠ X: every term of D_β is of order 1.
struct beta_problem {
    matrix<double> X{3, 4}, W{3, 2}, H{2, 4};
    beta_problem() {
        testutil::splitmix g(7);
        for (double& v : X.data) v = 0.5 + 1.5 * g.uniform();
        for (double& v : W.data) v = 0.3 + g.uniform();
        for (double& v : H.data) v = 0.3 + g.uniform();
    }
    double d(double beta) const {
        double out = -1;
        REQUIRE(nmfkit::beta_divergence<double>(X.cview(), W.cview(), H.cview(), beta, out) == status::ok);
        return out;
    }
};

}  // namespace

TEST_CASE("D_beta tends to KL and IS as beta tends to 1 and 0, from both sides") {
    const beta_problem p;
    for (const double limit : {1.0, 0.0}) {
        const double d0 = p.d(limit);
        REQUIRE(d0 > 0);
        // dD/dβ at the limit, from a step where the general formula is accurate.
        const double slope = (p.d(limit + 1e-2) - p.d(limit - 1e-2)) / 2e-2;
        for (int k = 1; k <= 16; ++k)
            for (const double sign : {1.0, -1.0}) {
                const double step = sign * std::pow(10.0, -k), beta = limit + step;
                if (beta == limit) continue;
                CAPTURE(beta);
                const double d = p.d(beta);
                // First order in the step, plus rounding: the old general formula was off by
                // 20% at β = 1 + 2.2e-16 and by a factor 4 at β = 1e-300.
                CHECK(std::fabs(d - (d0 + slope * step)) <= (0.1 * std::fabs(slope) * std::fabs(step) + 1e-12) * d0);
            }
        for (const double beta : {limit + 1e-300, limit - 1e-300, limit + 1e-200})
            if (beta != limit) CHECK(p.d(beta) == doctest::Approx(d0).epsilon(1e-12));
    }
}

TEST_CASE("D_beta is continuous across the edges of the neighbourhoods of 1 and 0") {
    const beta_problem p;
    const double h = nmfkit::detail::k_beta_near;
    for (const double edge : {1 + h, 1 - h, h, -h}) {
        CAPTURE(edge);
        const double below = p.d(std::nextafter(edge, -1e9)), above = p.d(std::nextafter(edge, 1e9));
        CHECK(std::fabs(below - above) <= 1e-11 * above);
    }
}

TEST_CASE("the beta_loss_tile of every kernel set agrees with the scalar one near 1 and 0") {
    std::vector<double> X(37), P(37);
    testutil::splitmix g(3);
    for (std::size_t i = 0; i < X.size(); ++i) {
        X[i] = (i % 7 == 0) ? 0.0 : 1e-3 + 4 * g.uniform();
        P[i] = (i % 11 == 0) ? 0.0 : 1e-3 + 4 * g.uniform();
    }
    for (const double beta : {1 + 1e-9, 1 - 1e-9, 1e-9, 1 + 1e-3, 1 - 1e-5}) {
        double dr = 0, sr = 0;
        nmfkit::detail::beta_loss_tile_scalar<double>(1, X.size(), X.data(), 0, P.data(), 0, beta, 1e-7, dr, sr);
        const nmfkit::detail::kernel_table<double>& k = nmfkit::detail::best_kernels<double>();
        double dk = 0, sk = 0;
        k.beta_loss_tile(1, X.size(), X.data(), 0, P.data(), 0, beta, 1e-7, dk, sk);
        CAPTURE(beta);
        CHECK(dk == doctest::Approx(dr).epsilon(1e-12));
        CHECK(dr >= 0);
    }
}

TEST_CASE("no term of D_beta counts below 0, whatever beta and the scales of x and y") {
    testutil::splitmix g(11);
    const double betas[] = {1e-300, -1e-300, 1e-12, 1 + 1e-15, 1 - 1e-15, 0.5, 1.5, -3, 7, 1e-3, 1 - 1e-3};
    for (const double beta : betas)
        for (int trial = 0; trial < 200; ++trial) {
            const double x = std::ldexp(1 + g.uniform(), static_cast<int>(g.below(80)) - 40);
            const double y = x * (1 + 1e-9 * (g.uniform() - 0.5));  // a near-exact fit: heavy cancellation
            double d = 0, s = 0;
            nmfkit::detail::beta_loss_tile_scalar<double>(1, 1, &x, 1, &y, 1, beta, 1e-7, d, s);
            CAPTURE(beta);
            CAPTURE(x);
            REQUIRE(d >= 0);
            const nmfkit::detail::kernel_table<double>& k = nmfkit::detail::best_kernels<double>();
            double dk = 0, sk = 0;
            k.beta_loss_tile(1, 1, &x, 1, &y, 1, beta, 1e-7, dk, sk);
            REQUIRE(dk >= 0);
        }
}

TEST_CASE("a subnormal beta is invalid_beta; the smallest normal beta is a beta") {
    const beta_problem p;
    double out = 0;
    for (const double beta : {std::numeric_limits<double>::denorm_min(), -DBL_MIN / 2, DBL_MIN * 0.75}) {
        CAPTURE(beta);
        CHECK(nmfkit::beta_divergence<double>(p.X.cview(), p.W.cview(), p.H.cview(), beta, out) ==
              status::invalid_beta);
        nmfkit::options o = testutil::beta_opts(2, 3, beta);
        matrix<double> W(3, 2), H(2, 4);
        nmfkit::result res;
        CHECK(testutil::run_fit(p.X, W, H, o, res) == status::invalid_beta);
    }
    CHECK(p.d(DBL_MIN) == doctest::Approx(p.d(0)).epsilon(1e-12));
    CHECK(p.d(-DBL_MIN) == doctest::Approx(p.d(0)).epsilon(1e-12));
}

TEST_CASE("beta_divergence checks the entries of X, W and H: a NaN is never a loss (fuzz_api's finding)") {
    beta_problem p;
    double out = 0;
    p.W(1, 1) = std::nan("");
    CHECK(nmfkit::beta_divergence<double>(p.X.cview(), p.W.cview(), p.H.cview(), 2, out) == status::init_not_finite);
    p.W(1, 1) = -1;
    CHECK(nmfkit::beta_divergence<double>(p.X.cview(), p.W.cview(), p.H.cview(), 1, out) == status::init_negative);
    p.W(1, 1) = 1;
    p.H(0, 3) = HUGE_VAL;
    CHECK(nmfkit::frobenius_loss<double>(p.X.cview(), p.W.cview(), p.H.cview(), out) == status::init_not_finite);
    p.H(0, 3) = 1;
    p.X(2, 2) = 0;
    CHECK(nmfkit::beta_divergence<double>(p.X.cview(), p.W.cview(), p.H.cview(), 0, out) == status::x_not_positive);
    CHECK(nmfkit::beta_divergence<double>(p.X.cview(), p.W.cview(), p.H.cview(), 0.5, out) == status::ok);
    p.X(2, 2) = std::nan("");
    CHECK(nmfkit::beta_divergence<double>(p.X.cview(), p.W.cview(), p.H.cview(), 2, out) == status::x_not_finite);
    // CSR: X's values were checked already; W and H now are too.
    const std::uint64_t indptr[] = {0, 1, 1, 2};
    const std::uint32_t indices[] = {0, 3};
    const double values[] = {1, 2};
    p.W(0, 0) = std::nan("");
    const nmfkit::csr_view<double> c{indptr, indices, values, 3, 4, 2};
    CHECK(nmfkit::beta_divergence<double>(c, p.W.cview(), p.H.cview(), 2, nmfkit::missing_entries::none, out) ==
          status::init_not_finite);
}

// ---- undefined behaviour: the reproducers (the debug-asan preset's UBSan aborts on them)

// A stride whose one row is valid but whose next would lie past the address space (2^61 on 64-bit
// targets, 2^29 on 32-bit ones).
constexpr std::size_t k_huge_stride = std::size_t(1) << (sizeof(std::size_t) * 8 - 3);

TEST_CASE("a factor with one row and a huge valid stride: a status, no pointer past the address space") {
    std::vector<double> X(64, 1.0), W(8, 1.0), H(8, 0.5);
    double loss = -1;
    CHECK(nmfkit_beta_divergence_f64(X.data(), 8, 8, 0, W.data(), 1, H.data(), k_huge_stride, 1, 2.0, &loss) ==
          NMFKIT_OK);
    CHECK(loss == doctest::Approx(0.5 * 64 * 0.25));
    for (const double beta : {1.0, 0.5, 0.0}) {
        CHECK(nmfkit_beta_divergence_f64(X.data(), 8, 8, 0, W.data(), 1, H.data(), k_huge_stride, 1, beta, &loss) ==
              NMFKIT_OK);
        CHECK(std::isfinite(loss));
    }
    std::vector<float> Xf(64, 1.0f), Wf(8, 1.0f), Hf(8, 0.5f);
    CHECK(nmfkit_beta_divergence_f32(Xf.data(), 8, 8, 0, Wf.data(), 1, Hf.data(), k_huge_stride, 1, 2.0, &loss) ==
          NMFKIT_OK);
}

TEST_CASE_TEMPLATE("every kernel set's GEMMs take one row of B (or A) at a huge stride", T, float, double) {
    // The form each set picks depends on its width (AVX-512 takes the register form, AVX2 and
    // SSE2 the broadcast tiles, which stepped b += ldb past the only row).
    std::size_t count = 0;
    const nmfkit::detail::kernel_table<T>* const* sets = nmfkit::detail::available_kernels<T>(count);
    const std::size_t huge = k_huge_stride;
    for (std::size_t s = 0; s < count; ++s)
        for (const std::size_t n : {std::size_t(3), std::size_t(8), std::size_t(37)}) {
            CAPTURE(sets[s]->name);
            CAPTURE(n);
            std::vector<T> A(n, T(2)), B(n, T(3)), C(n * n, T(-1));
            sets[s]->gemm_nn(n, n, 1, A.data(), 1, B.data(), huge, C.data(), n);  // A n×1, B 1×n
            for (const T c : C) CHECK(c == T(6));
            sets[s]->gemm_tn(n, n, 1, A.data(), huge, B.data(), huge, C.data(), n);  // A, B 1×n
            for (const T c : C) CHECK(c == T(6));
            if (sets[s]->gemm_tn_acc) {
                sets[s]->gemm_tn_acc(n, n, 1, A.data(), huge, B.data(), huge, C.data(), n);
                for (const T c : C) CHECK(c == T(12));
            }
        }
}

TEST_CASE("a view whose extent wraps around the address space is size_overflow") {
    std::vector<double> W(8, 1.0), H(8, 1.0);
    // Two rows almost SIZE_MAX bytes apart: the extent is a valid size_t, but X's second row
    // would lie past the end of the address space (the data pointer is not 0).
    std::vector<double> X(16, 1.0);
    // (Half the data pointer's distance from 0 short of SIZE_MAX bytes: wraps on any target.)
    const std::uintptr_t at = reinterpret_cast<std::uintptr_t>(X.data());
    REQUIRE(at > 4096);
    const std::size_t stride = SIZE_MAX / sizeof(double) - at / (2 * sizeof(double));
    double loss = 0;
    CHECK(nmfkit_beta_divergence_f64(X.data(), 2, 8, stride, W.data(), 1, H.data(), 8, 1, 2.0, &loss) ==
          NMFKIT_SIZE_OVERFLOW);
    std::vector<double> W2(16, 1.0);
    CHECK(nmfkit_beta_divergence_f64(X.data(), 1, 8, 8, W2.data(), stride, H.data(), 8, 1, 2.0, &loss) == NMFKIT_OK);
}

TEST_CASE("a misaligned or foreign solver handle is refused before it is read") {
    alignas(64) unsigned char buf[1024] = {};
    nmfkit_result res;
    CHECK(nmfkit_solver_run_f64(buf + 1, 1, &res) == NMFKIT_NOT_STARTED);
    CHECK(nmfkit_solver_finish_f64(buf + 1, &res) == NMFKIT_NOT_STARTED);
    CHECK(nmfkit_solver_run_f32(buf + 3, 1, &res) == NMFKIT_NOT_STARTED);
    CHECK(std::string(nmfkit_kernel_name_f64(buf + 1)).empty());
    CHECK(nmfkit_solver_run_f64(buf, 1, &res) == NMFKIT_NOT_STARTED);  // aligned, but no marker
}

// ---- not_finite_result and the scaled sums

TEST_CASE("finite_result: not_finite_result for a NaN or infinite entry of W or H, or loss") {
    matrix<float> W(4, 2, 1, 1.0f), H(2, 5, 0, 1.0f);
    using nmfkit::detail::finite_result;
    CHECK(finite_result<float>(W.cview(), H.cview(), 1.5) == status::ok);
    CHECK(finite_result<float>(W.cview(), H.cview(), HUGE_VAL) == status::not_finite_result);
    CHECK(finite_result<float>(W.cview(), H.cview(), std::nan("")) == status::not_finite_result);
    W.data[3 * 3 + 2] = std::numeric_limits<float>::quiet_NaN();  // the padding: not an entry
    CHECK(finite_result<float>(W.cview(), H.cview(), 1.5) == status::ok);
    W(3, 1) = std::numeric_limits<float>::infinity();
    CHECK(finite_result<float>(W.cview(), H.cview(), 1.5) == status::not_finite_result);
    W(3, 1) = 0;
    H(1, 4) = -std::numeric_limits<float>::quiet_NaN();
    CHECK(finite_result<float>(W.cview(), H.cview(), 1.5) == status::not_finite_result);
    CHECK(std::string(nmfkit::status_name(status::not_finite_result)) == "not_finite_result");
    CHECK(NMFKIT_NOT_FINITE_RESULT == 35);
}

TEST_CASE("scan_values keeps Σx and Σx² of extreme X in range, and the plain sums of ordinary X bit for bit") {
    using nmfkit::detail::scaled_sums;
    nmfkit::result where;
    for (const double scale : {1e-200, 1e-300, 1e300, 1e306, 1.0}) {
        matrix<double> X(3, 5);
        double ref_sq = 0, ref_sum = 0;
        for (std::size_t i = 0; i < 3; ++i)
            for (std::size_t j = 0; j < 5; ++j) {
                X(i, j) = double(1 + i * 5 + j);
                ref_sum += X(i, j);
                ref_sq += X(i, j) * X(i, j);
            }
        for (double& v : X.data) v *= scale;
        scaled_sums s;
        REQUIRE(nmfkit::detail::scan_values<double>(X.cview(), status::x_not_finite, status::x_negative, where,
                                                    nmfkit::matrix_id::X, s) == status::ok);
        CAPTURE(scale);
        CHECK(nmfkit::detail::scaled_norm(s) == doctest::Approx(std::sqrt(ref_sq) * scale).epsilon(1e-14));
        CHECK(s.max == 15 * scale);
        CHECK(std::ldexp(s.sum, s.e) / scale == doctest::Approx(ref_sum).epsilon(1e-14));
        if (scale == 1.0) {
            CHECK(s.e == 0);
            CHECK(s.sq == ref_sq);
        }
    }
    // Rows of very different scales: the small one is negligible, the sum does not overflow.
    matrix<double> X(2, 2);
    X(0, 0) = 1e-300;
    X(0, 1) = 2e-300;
    X(1, 0) = 1e308;
    X(1, 1) = 1e308;
    scaled_sums s;
    REQUIRE(nmfkit::detail::scan_values<double>(X.cview(), status::x_not_finite, status::x_negative, where,
                                                nmfkit::matrix_id::X, s) == status::ok);
    CHECK(nmfkit::detail::scaled_norm(s) == doctest::Approx(std::sqrt(2.0) * 1e308).epsilon(1e-14));
    CHECK(std::isinf(nmfkit::detail::plain_sum(s)));  // 2e308: only the scaled form holds it
}

// ---- the scale-safe fit: fit(s·X) reaches the relative error of fit(X) with status ok for
// every power of two s from the smallest normal to the largest finite value (the solver fits
// X·4^-q, solver.cpp: x_scale_of), and reports D_β at the caller's scale.

namespace {

template <class T>
struct sweep_row {
    int log2s;
    double rel, loss;
    status st;
};

template <class T>
matrix<T> sweep_x() {
    testutil::splitmix g(5);
    matrix<T> X(12, 9);
    for (T& v : X.data) v = static_cast<T>(0.05 + g.uniform());
    return X;
}

template <class T>
std::vector<sweep_row<T>> scale_sweep(double beta) {
    const matrix<T> X = sweep_x<T>();
    nmfkit::options o = testutil::beta_opts(3, 60, beta, 7);
    std::vector<sweep_row<T>> rows;
    int lo = std::numeric_limits<T>::min_exponent - 1;  // 2^lo: the smallest normal
#if defined(__arm__) && !defined(__aarch64__)
    // ARMv7 NEON flushes subnormal floats to zero: X's entries (≥ 0.05·s) must be normal there
    if (sizeof(T) == sizeof(float)) lo += 5;
#endif
    const int hi = std::numeric_limits<T>::max_exponent - 1;  // 2^hi ≤ max; X < 1.05 keeps s·X finite
    std::vector<int> exps;
    for (int e = lo; e < hi - 1; e += (hi - lo) / 24) exps.push_back(e);
    exps.push_back(hi - 1);
    exps.push_back(0);
    for (const int e : exps) {
        matrix<T> Xs = X;
        for (T& v : Xs.data) v = std::ldexp(v, e);
        matrix<T> W(12, 3), H(3, 9);
        nmfkit::result res;
        const status st = testutil::run_fit(Xs, W, H, o, res);
        rows.push_back({e, res.relative_error, res.loss, st});
    }
    return rows;
}

template <class T>
void check_sweep(double beta) {
    const std::vector<sweep_row<T>> rows = scale_sweep<T>(beta);
    const sweep_row<T> base = rows.back();  // s = 1
    REQUIRE(base.st == status::ok);
    for (const sweep_row<T>& r : rows) {
        char line[160];
        std::snprintf(line, sizeof line, "f%d beta %g: s = 2^%d  relative error %.9f  loss %.6g  status %s",
                      int(sizeof(T) * 8), beta, r.log2s, r.rel, r.loss, nmfkit::status_name(r.st));
        MESSAGE(line);
        CAPTURE(r.log2s);
        CHECK(r.st == status::ok);
        CHECK(std::fabs(r.rel - base.rel) <= 1e-5);
        // D_β(sX | sWH) = s^β·D_β(X | WH): where that is a double (f64 near the top: +inf)
        const double expect = base.loss * std::pow(2.0, beta * r.log2s);
        if (std::isfinite(expect)) CHECK(r.loss == doctest::Approx(expect).epsilon(1e-5));
        else CHECK(r.loss == HUGE_VAL);
    }
}

// fit(4^k·X) = (2^k·W, 2^k·H) of fit(X) bit for bit when 4^k·X is outside the unscaled band: the
// solver then fits X itself. For every solver, start and form of X.
template <class T, class Fit>
void check_exact_rescale(const Fit& fit, int k, const char* what) {
    matrix<T> W0(12, 3), H0(3, 9), W1(12, 3), H1(3, 9);
    nmfkit::result r0, r1;
    const std::string name = what;
    CAPTURE(name);
    CAPTURE(k);
    REQUIRE(fit(0, W0, H0, r0) == status::ok);
    REQUIRE(fit(k, W1, H1, r1) == status::ok);
    bool same = true;
    for (std::size_t t = 0; t < W0.data.size(); ++t) same &= W1.data[t] == std::ldexp(W0.data[t], k);
    for (std::size_t t = 0; t < H0.data.size(); ++t) same &= H1.data[t] == std::ldexp(H0.data[t], k);
    CHECK(same);
    // the final loss's tiles of 4^-q·X run in shorter rows: the same sum but for rounding
    CHECK(r1.relative_error == doctest::Approx(r0.relative_error).epsilon(1e-12));
    CHECK(r1.iterations == r0.iterations);
}

template <class T>
void exact_rescale_suite() {
    const matrix<T> X = sweep_x<T>();
    matrix<unsigned char> mask(12, 9);
    testutil::splitmix g(11);
    for (unsigned char& b : mask.data) b = g.uniform() < 0.8;
    const int big = std::is_same<T, float>::value ? 30 : 300;
    struct variant {
        const char* what;
        nmfkit::algorithm solver;
        nmfkit::init_method init;
        double beta, alpha, l1_ratio;
        int form;  // 0 dense, 1 CSR, 2 missing = nan, 3 custom start
    };
    const variant vs[] = {
        {"mu random", nmfkit::algorithm::mu, nmfkit::init_method::random, 2, 0, 0, 0},
        {"mu nndsvda", nmfkit::algorithm::mu, nmfkit::init_method::nndsvda, 2, 0, 0, 0},
        {"amu l1", nmfkit::algorithm::amu, nmfkit::init_method::random, 2, 0.05, 1, 0},
        {"hals nndsvd l2", nmfkit::algorithm::hals, nmfkit::init_method::nndsvd, 2, 0.05, 0, 0},
        {"kl", nmfkit::algorithm::mu, nmfkit::init_method::random, 1, 0, 0, 0},
        {"beta 0.5 l1", nmfkit::algorithm::mu, nmfkit::init_method::nndsvdar, 0.5, 0.02, 1, 0},
        {"beta 0.5 l2", nmfkit::algorithm::mu, nmfkit::init_method::random, 0.5, 0.02, 0, 0},
        {"csr frobenius", nmfkit::algorithm::mu, nmfkit::init_method::nndsvda, 2, 0, 0, 1},
        {"csr hals", nmfkit::algorithm::hals, nmfkit::init_method::random, 2, 0, 0, 1},
        {"csr kl", nmfkit::algorithm::mu, nmfkit::init_method::random, 1, 0, 0, 1},
        {"csr beta 1.5", nmfkit::algorithm::mu, nmfkit::init_method::random, 1.5, 0, 0, 1},
        {"missing frobenius", nmfkit::algorithm::mu, nmfkit::init_method::random, 2, 0, 0, 2},
        {"missing kl", nmfkit::algorithm::mu, nmfkit::init_method::random, 1, 0, 0, 2},
        {"custom start", nmfkit::algorithm::mu, nmfkit::init_method::custom, 2, 0, 0, 3},
    };
    for (const variant& v : vs) {
        nmfkit::options o = testutil::beta_opts(3, 25, v.beta, 3);
        o.solver = v.solver;
        o.init = v.init;
        o.l1_ratio = v.l1_ratio;
        if (v.form == 2) o.missing = nmfkit::missing_entries::nan;
        auto fit = [&](int k, matrix<T>& W, matrix<T>& H, nmfkit::result& res) {
            // Penalties do not scale with X: the same problem at 4^k·X weighs ‖F‖₁ by 2^((2β−1)k)
            // and ‖F‖² by 2^((2β−2)k) (D_β by 2^(2βk), ‖F‖₁ by 2^k, ‖F‖² by 4^k).
            o.alpha_w = o.alpha_h = std::ldexp(v.alpha, static_cast<int>((2 * v.beta - 2 + v.l1_ratio) * k));
            matrix<T> Xs = X;
            for (T& x : Xs.data) x = std::ldexp(x, 2 * k);
            if (v.form == 1) {  // a sparse X: the entries of the mask stored
                const testutil::csr<T> C = testutil::to_csr_if(Xs, [&](std::size_t i, std::size_t j) {
                    return mask(i, j) != 0;
                });
                return testutil::run_csr_fit(C, W, H, o, res);
            }
            if (v.form == 2) Xs = testutil::with_nans(Xs, mask);
            if (v.form == 3) {
                testutil::splitmix s(2);
                for (T& w : W.data) w = static_cast<T>(std::ldexp(0.2 + s.uniform(), k));
                for (T& h : H.data) h = static_cast<T>(std::ldexp(0.2 + s.uniform(), k));
            }
            return testutil::run_fit(Xs, W, H, o, res);
        };
        check_exact_rescale<T>(fit, big, v.what);
        check_exact_rescale<T>(fit, -big, v.what);
    }
}

}  // namespace

TEST_CASE_TEMPLATE("scale sweep: fit(s*X) has the relative error of fit(X) over the whole range", T, float, double) {
    check_sweep<T>(2);
    check_sweep<T>(1);
}

TEST_CASE_TEMPLATE("fit(4^k X) is fit(X) rescaled bit for bit: every solver, start, loss, dense, CSR, missing", T,
                   float, double) {
    exact_rescale_suite<T>();
}

// The factors fit(4^k·X) gives are 2^k·(W, H) of fit(X); transforming 4^k·X with them gives
// 2^k times the transform of X, bit for bit: scikit-learn's start sqrt(mean(X) / r) and the
// scaled problem agree.
TEST_CASE_TEMPLATE("transform(4^k X, 2^k H) is 2^k transform(X, H): bit for bit (Frobenius), to 1e-6 (KL)", T, float,
                   double) {
    const matrix<T> X = sweep_x<T>();
    matrix<T> W(12, 3), H(3, 9);
    nmfkit::result res;
    nmfkit::options o = testutil::beta_opts(3, 40, 2, 3);
    REQUIRE(testutil::run_fit(X, W, H, o, res) == status::ok);
    const int k = std::is_same<T, float>::value ? 31 : 250;
    matrix<T> Xs = X, Ws = W, Hs = H;
    for (T& x : Xs.data) x = std::ldexp(x, 2 * k);
    for (T& w : Ws.data) w = std::ldexp(w, k);
    for (T& h : Hs.data) h = std::ldexp(h, k);
    for (const double beta : {2.0, 1.0}) {
        CAPTURE(beta);
        o.beta = beta;
        matrix<T> W0(12, 3), W1(12, 3), H0(3, 9), H1(3, 9);
        testutil::workspace ws = testutil::make_workspace<T>(12, 9, o);
        nmfkit::result r0, r1;
        REQUIRE(nmfkit::transform<T>(X.cview(), H.cview(), W0.view(), o, ws.ptr, ws.bytes, r0) == status::ok);
        REQUIRE(nmfkit::transform<T>(Xs.cview(), Hs.cview(), W1.view(), o, ws.ptr, ws.bytes, r1) == status::ok);
        // KL zeroes the free factor below 2.2e-16 of its size, a power of two from X's and the
        // fixed factor's largest entries: the same threshold up to a factor 2, not bit for bit.
        const bool exact = beta == 2;
        bool same = true;
        for (std::size_t t = 0; t < W0.data.size(); ++t) same &= W1.data[t] == std::ldexp(W0.data[t], k);
        CHECK((same || !exact));
        CHECK(r1.relative_error == doctest::Approx(r0.relative_error).epsilon(exact ? 1e-12 : 1e-6));
        REQUIRE(nmfkit::transform_columns<T>(X.cview(), W.cview(), H0.view(), o, ws.ptr, ws.bytes, r0) == status::ok);
        REQUIRE(nmfkit::transform_columns<T>(Xs.cview(), Ws.cview(), H1.view(), o, ws.ptr, ws.bytes, r1) == status::ok);
        same = true;
        for (std::size_t t = 0; t < H0.data.size(); ++t) same &= H1.data[t] == std::ldexp(H0.data[t], k);
        CHECK((same || !exact));
        CHECK(r1.relative_error == doctest::Approx(r0.relative_error).epsilon(exact ? 1e-12 : 1e-6));
    }
}

TEST_CASE("tiny data no longer collapses: 1e-200 in f64, 1e-30 in f32 (the issue's reproducer)") {
    matrix<double> X(2, 2), W(2, 2), H(2, 2);
    X.data = {1e-200, 2e-200, 3e-200, 4e-200};
    nmfkit::result res;
    nmfkit::options o = testutil::beta_opts(2, 500, 2, 1);
    REQUIRE(testutil::run_fit(X, W, H, o, res) == status::ok);
    CHECK(res.relative_error > 0);
    CHECK(res.relative_error < 0.05);
    double wh00 = W(0, 0) * H(0, 0) + W(0, 1) * H(1, 0);
    CHECK(wh00 == doctest::Approx(1e-200).epsilon(0.1));
    matrix<float> Xf(2, 3), Wf(2, 2), Hf(2, 3);
    Xf.data = {1e-30f, 2e-30f, 3e-30f, 4e-30f, 5e-30f, 7e-30f};
    nmfkit::options k = testutil::beta_opts(2, 500, 1, 1);
    REQUIRE(testutil::run_fit(Xf, Wf, Hf, k, res) == status::ok);
    CHECK(res.relative_error < 0.05);  // KL no longer collapses to relative error 1
    CHECK(res.loss > 0);
    CHECK(res.loss < 1e-30);
}

TEST_CASE("a fit that overflows anyway returns not_finite_result with its iteration, never ok") {
    // β = 3 on X spread over 1e-30..1e30 with a start far from it: (WH)^(β−1) overflows float.
    matrix<float> X(6, 5), W(6, 2), H(2, 5);
    testutil::splitmix g(3);
    for (float& v : X.data) v = static_cast<float>(std::pow(10.0, -30 + 60 * g.uniform()));
    nmfkit::options o = testutil::beta_opts(2, 50, 3, 1);
    o.init = nmfkit::init_method::custom;
    for (float& w : W.data) w = 1e30f;
    for (float& h : H.data) h = 1e30f;
    nmfkit::result res;
    const status st = testutil::run_fit(X, W, H, o, res);
    CHECK(st == status::not_finite_result);
    CHECK(res.iterations <= o.max_iter);
    o.check_every = 1;
    o.tol = 1e-4;
    for (float& w : W.data) w = 1e30f;
    for (float& h : H.data) h = 1e30f;
    CHECK(testutil::run_fit(X, W, H, o, res) == status::not_finite_result);
}

TEST_CASE("inverse_transform and a start that overflow return not_finite_result; a failed start is no solver") {
    matrix<float> W(3, 2, 0, 1e30f), H(2, 4, 0, 1e30f), out(3, 4);
    CHECK(nmfkit::inverse_transform<float>(W.cview(), H.cview(), out.view()) == status::not_finite_result);
    matrix<float> Hs(2, 4, 0, 0.5f);
    CHECK(nmfkit::inverse_transform<float>(W.cview(), Hs.cview(), out.view()) == status::ok);

    matrix<float> X(3, 4, 0, 1.0f);
    nmfkit::options o = testutil::beta_opts(2, 10, 2, 1);
    o.init = nmfkit::init_method::custom;  // W0·H0 = 2e60: beyond float
    testutil::workspace ws = testutil::make_workspace<float>(3, 4, o);
    nmfkit::solver<float> s;
    nmfkit::result res;
    CHECK(s.start(X.cview(), W.view(), H.view(), o, ws.ptr, ws.bytes, res) == status::not_finite_result);
    CHECK(res.iterations == 0);
    CHECK(s.run(1, res) == status::not_started);
}
