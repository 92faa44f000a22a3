// Beyond Frobenius: beta-divergence updates, penalties, NNDSVD initializations,
// transform, accelerated MU — checked against scikit-learn, against theory
// (monotone objective, exact NNDSVD construction) and for their errors.
#include <doctest/doctest.h>

#include <cmath>
#include <cstring>
#include <string>
#include <vector>

#include "kernels/kernels.hpp"
#include "nmfkit/nmfkit.hpp"
#include "svd.hpp"
#include "test_util.hpp"

#include "data/sklearn_mu_reference.inc"

using namespace testutil;
using nmfkit::status;

namespace {

// The objective the updates minimize, computed by the test: D_β + penalties.
template <class T>
double objective(const matrix<T>& X, const matrix<T>& W, const matrix<T>& H, const nmfkit::options& o) {
    double loss = 0;
    REQUIRE(nmfkit::beta_divergence<T>(X.cview(), W.cview(), H.cview(), o.beta, loss) == status::ok);
    const double n = static_cast<double>(X.rows), m = static_cast<double>(X.cols);
    auto pen = [](const matrix<T>& A, double l1, double l2) {
        double s1 = 0, s2 = 0;
        for (std::size_t i = 0; i < A.rows; ++i)
            for (std::size_t j = 0; j < A.cols; ++j) {
                s1 += A(i, j);
                s2 += double(A(i, j)) * A(i, j);
            }
        return l1 * s1 + 0.5 * l2 * s2;
    };
    return loss + pen(W, m * o.alpha_w * o.l1_ratio, m * o.alpha_w * (1 - o.l1_ratio)) +
           pen(H, n * o.alpha_h * o.l1_ratio, n * o.alpha_h * (1 - o.l1_ratio));
}

}  // namespace

TEST_CASE("agreement with scikit-learn NMF(solver='mu') from the same custom start") {
    for (const auto& c : skref::cases) {
        INFO("case " << std::string(c.name));
        const auto X = from_array<double>(c.X, skref::n, skref::m);
        auto W = from_array<double>(skref::W0, skref::n, skref::r);
        auto H = from_array<double>(skref::H0, skref::r, skref::m);
        nmfkit::options o = beta_opts(skref::r, skref::iterations, c.beta);
        o.init = nmfkit::init_method::custom;
        o.alpha_w = c.alpha_w;
        o.alpha_h = c.alpha_h;
        o.l1_ratio = c.l1_ratio;
        nmfkit::result res;
        REQUIRE(run_fit(X, W, H, o, res) == status::ok);
        CHECK(res.iterations == static_cast<std::uint32_t>(skref::iterations));
        CHECK(rel_diff(W, from_array<double>(c.W, skref::n, skref::r)) < 1e-4);
        CHECK(rel_diff(H, from_array<double>(c.H, skref::r, skref::m)) < 1e-4);
    }
}

TEST_CASE("transform agrees with scikit-learn's NMF.transform") {
    for (const auto& c : skref::transforms) {
        INFO("case " << std::string(c.name));
        const auto X = from_array<double>(c.X, skref::n, skref::m);
        const auto H = from_array<double>(c.H, skref::r, skref::m);
        matrix<double> W(skref::n, skref::r);
        nmfkit::options o = beta_opts(skref::r, skref::iterations, c.beta);
        workspace ws = make_workspace<double>(skref::n, skref::m, o);
        nmfkit::result res;
        REQUIRE(nmfkit::transform<double>(X.cview(), H.cview(), W.view(), o, ws.ptr, ws.bytes, res) == status::ok);
        CHECK(rel_diff(W, from_array<double>(c.W, skref::n, skref::r)) < 1e-4);
    }
}

TEST_CASE("the objective never increases, for every beta, with and without penalties") {
    splitmix rng(77);
    for (double beta : {0.0, 0.5, 1.0, 1.5, 2.0, 3.0}) {
        for (int regularized = 0; regularized < 2; ++regularized) {
            for (int trial = 0; trial < 12; ++trial) {
                const std::size_t n = 2 + rng.below(25), m = 2 + rng.below(25), r = 1 + rng.below(6);
                auto X = random_matrix<double>(n, m, rng, 3.0);
                for (std::size_t i = 0; i < n; ++i)
                    for (std::size_t j = 0; j < m; ++j) {
                        if (beta <= 0) X(i, j) += 0.05;              // IS needs X > 0
                        else if (rng.uniform() < 0.15) X(i, j) = 0;  // exact zeros otherwise
                    }
                matrix<double> W(n, r), H(r, m);
                nmfkit::options o = beta_opts(r, 25, beta, 100 + trial);
                o.check_every = 1;
                if (regularized) {
                    o.alpha_w = 0.05 * rng.uniform();
                    o.alpha_h = 0.05 * rng.uniform();
                    o.l1_ratio = rng.uniform();
                }
                workspace ws = make_workspace<double>(n, m, o);
                nmfkit::solver<double> s;
                nmfkit::result res;
                REQUIRE(s.start(X.cview(), W.view(), H.view(), o, ws.ptr, ws.bytes, res) == status::ok);
                double prev = objective(X, W, H, o);
                bool monotone = true;
                while (!s.done()) {
                    REQUIRE(s.run(1, res) == status::ok);
                    const double cur = objective(X, W, H, o);
                    if (cur > prev + 1e-9 * std::fabs(prev) + 1e-12) {
                        monotone = false;
                        INFO("beta=" << beta << " reg=" << regularized << " n=" << n << " m=" << m << " r=" << r
                                     << " iter=" << res.iterations << " prev=" << prev << " cur=" << cur);
                        CHECK(cur <= prev);
                    }
                    CHECK(res.objective == doctest::Approx(cur).epsilon(1e-9));
                    prev = cur;
                }
                CHECK(monotone);
            }
        }
    }
}

TEST_CASE("KL and IS fits make progress and stay finite in float32") {
    splitmix rng(5);
    auto X = random_matrix<float>(60, 40, rng, 4.0);
    for (auto& v : X.data) v += 0.01f;
    for (double beta : {1.0, 0.0, 0.5}) {
        matrix<float> W(60, 5), H(5, 40);
        nmfkit::options o = beta_opts(5, 100, beta, 3);
        nmfkit::result start, res;
        REQUIRE(run_fit(X, W, H, beta_opts(5, 0, beta, 3), start) == status::ok);
        REQUIRE(run_fit(X, W, H, o, res) == status::ok);
        INFO("beta " << beta);
        CHECK(std::isfinite(res.loss));
        CHECK(res.loss < 0.5 * start.loss);
        double loss = 0;
        REQUIRE(nmfkit::beta_divergence<float>(X.cview(), W.cview(), H.cview(), beta, loss) == status::ok);
        CHECK(res.loss == doctest::Approx(loss).epsilon(1e-5));
    }
}

TEST_CASE("beta-divergence values on a hand-checked 1x2 example") {
    // X = [1 2], W = [1], H = [2 1] → WH = [2 1].
    matrix<double> X(1, 2), W(1, 1), H(1, 2);
    X(0, 0) = 1;
    X(0, 1) = 2;
    W(0, 0) = 1;
    H(0, 0) = 2;
    H(0, 1) = 1;
    double d = 0;
    REQUIRE(nmfkit::beta_divergence<double>(X.cview(), W.cview(), H.cview(), 2, d) == status::ok);
    CHECK(d == doctest::Approx(1.0));  // ½(1 + 1)
    REQUIRE(nmfkit::beta_divergence<double>(X.cview(), W.cview(), H.cview(), 1, d) == status::ok);
    CHECK(d == doctest::Approx(std::log(0.5) - 1 + 2 + 2 * std::log(2.0) - 2 + 1));
    REQUIRE(nmfkit::beta_divergence<double>(X.cview(), W.cview(), H.cview(), 0, d) == status::ok);
    CHECK(d == doctest::Approx(0.5 - std::log(0.5) - 1 + 2 - std::log(2.0) - 1));
    REQUIRE(nmfkit::beta_divergence<double>(X.cview(), W.cview(), H.cview(), 3, d) == status::ok);
    // (x³ + 2y³ − 3xy²)/6 for (1, 2) and (2, 1)
    CHECK(d == doctest::Approx((1 + 16 - 12) / 6.0 + (8 + 2 - 6) / 6.0));
}

TEST_CASE("randomized truncated SVD recovers a known SVD") {
    splitmix rng(9);
    const std::size_t n = 40, m = 30, full = 8, r = 4;
    // X = U·diag(s)·Vᵀ with random orthonormal U (n×8), V (m×8).
    auto U = random_matrix<double>(n, full, rng, 1.0);
    auto V = random_matrix<double>(m, full, rng, 1.0);
    auto orthonormalize = [](matrix<double>& A) {
        for (std::size_t j = 0; j < A.cols; ++j) {
            for (std::size_t l = 0; l < j; ++l) {
                double p = 0;
                for (std::size_t i = 0; i < A.rows; ++i) p += A(i, l) * A(i, j);
                for (std::size_t i = 0; i < A.rows; ++i) A(i, j) -= p * A(i, l);
            }
            double nn = 0;
            for (std::size_t i = 0; i < A.rows; ++i) nn += A(i, j) * A(i, j);
            for (std::size_t i = 0; i < A.rows; ++i) A(i, j) /= std::sqrt(nn);
        }
    };
    orthonormalize(U);
    orthonormalize(V);
    const double s[full] = {10, 6, 3, 2, 0.5, 0.25, 0.1, 0.05};
    matrix<double> X(n, m);
    for (std::size_t i = 0; i < n; ++i)
        for (std::size_t j = 0; j < m; ++j)
            for (std::size_t k = 0; k < full; ++k) X(i, j) += U(i, k) * s[k] * V(j, k);

    std::size_t bytes = 0;
    REQUIRE(nmfkit::detail::svd_scratch_bytes<double>(n, m, r, bytes));
    workspace ws(bytes);
    matrix<double> Uo(n, r), Vt(r, m);
    double sigma[r];
    const nmfkit::const_matrix_view<double> Xv = X.cview();
    nmfkit::detail::truncated_svd(nmfkit::detail::best_kernels<double>(), nmfkit::detail::k_serial,
                                  nmfkit::detail::dense_data(Xv), r, 42, Uo.view(), sigma, Vt.view(), ws.ptr);
    for (std::size_t k = 0; k < r; ++k) CHECK(sigma[k] == doctest::Approx(s[k]).epsilon(1e-8));
    // Rank-r reconstruction error equals the optimum sqrt(Σ_{k≥r} s_k²).
    double err = 0, best = 0;
    for (std::size_t k = r; k < full; ++k) best += s[k] * s[k];
    for (std::size_t i = 0; i < n; ++i)
        for (std::size_t j = 0; j < m; ++j) {
            double y = 0;
            for (std::size_t k = 0; k < r; ++k) y += Uo(i, k) * sigma[k] * Vt(k, j);
            err += (X(i, j) - y) * (X(i, j) - y);
        }
    CHECK(std::sqrt(err) == doctest::Approx(std::sqrt(best)).epsilon(1e-6));
    // Orthonormal columns / rows.
    for (std::size_t a = 0; a < r; ++a)
        for (std::size_t b = 0; b < r; ++b) {
            double uu = 0, vv = 0;
            for (std::size_t i = 0; i < n; ++i) uu += Uo(i, a) * Uo(i, b);
            for (std::size_t j = 0; j < m; ++j) vv += Vt(a, j) * Vt(b, j);
            CHECK(uu == doctest::Approx(a == b ? 1.0 : 0.0).epsilon(1e-9).scale(1));
            CHECK(vv == doctest::Approx(a == b ? 1.0 : 0.0).epsilon(1e-9).scale(1));
        }
}

TEST_CASE("NNDSVD reproduces its construction on a matrix with a known non-negative SVD") {
    // Block-diagonal X with constant blocks: its singular vectors are the (non-negative)
    // block indicators, so NNDSVD gives W·H = X exactly, with W's columns the
    // indicators scaled by sqrt(σ).
    const std::size_t n = 9, m = 7;
    const std::size_t rows[3] = {4, 3, 2}, cols[3] = {3, 2, 2};
    const double level[3] = {5, 2, 1};
    matrix<double> X(n, m);
    std::size_t i0 = 0, j0 = 0;
    for (int b = 0; b < 3; ++b) {
        for (std::size_t i = 0; i < rows[b]; ++i)
            for (std::size_t j = 0; j < cols[b]; ++j) X(i0 + i, j0 + j) = level[b];
        i0 += rows[b];
        j0 += cols[b];
    }
    for (auto init : {nmfkit::init_method::nndsvd, nmfkit::init_method::nndsvda, nmfkit::init_method::nndsvdar}) {
        matrix<double> W(n, 3), H(3, m);
        nmfkit::options o = beta_opts(3, 0);
        o.init = init;
        nmfkit::result res;
        REQUIRE(run_fit(X, W, H, o, res) == status::ok);
        INFO("init " << static_cast<int>(init));
        if (init == nmfkit::init_method::nndsvd) {
            CHECK(res.relative_error < 1e-9);
            // Column c of W is sqrt(σ_c)·(indicator / sqrt(rows)), σ_c = level·sqrt(rows·cols).
            i0 = 0;
            for (int b = 0; b < 3; ++b) {
                const double sigma = level[b] * std::sqrt(double(rows[b] * cols[b]));
                const double expect = std::sqrt(sigma) / std::sqrt(double(rows[b]));
                for (std::size_t i = 0; i < n; ++i) {
                    const bool inside = i >= i0 && i < i0 + rows[b];
                    CHECK(W(i, b) == doctest::Approx(inside ? expect : 0.0).epsilon(1e-9).scale(1));
                }
                i0 += rows[b];
            }
        } else {
            // Zeros filled: no entry below 1e-6 is left at zero.
            for (double v : W.data) CHECK(v >= 0);
            std::size_t zeros = 0;
            for (std::size_t i = 0; i < n; ++i)
                for (std::size_t k = 0; k < 3; ++k) zeros += W(i, k) == 0;
            CHECK(zeros == 0);
        }
    }
}

TEST_CASE("NNDSVD output is non-negative, deterministic, and a good start") {
    splitmix rng(14);
    auto X = random_matrix<float>(50, 35, rng, 2.0);
    nmfkit::result rnd, a, b;
    matrix<float> W1(50, 6), H1(6, 35), W2(50, 6), H2(6, 35), W3(50, 6), H3(6, 35);
    nmfkit::options o = beta_opts(6, 0, 2, 7);
    o.init = nmfkit::init_method::nndsvda;
    REQUIRE(run_fit(X, W1, H1, o, a) == status::ok);
    REQUIRE(run_fit(X, W2, H2, o, b) == status::ok);
    CHECK(std::memcmp(W1.data.data(), W2.data.data(), W1.data.size() * sizeof(float)) == 0);
    CHECK(std::memcmp(H1.data.data(), H2.data.data(), H1.data.size() * sizeof(float)) == 0);
    for (float v : W1.data) CHECK(v >= 0);
    for (float v : H1.data) CHECK(v >= 0);
    // The SVD start (nndsvd, nndsvdar) is better than random; nndsvda fills the zeros of
    // the split singular vectors with mean(X), which scikit-learn also does (its error on
    // uniform data is large too), and pays off only after iterating.
    REQUIRE(run_fit(X, W3, H3, beta_opts(6, 0, 2, 7), rnd) == status::ok);
    for (auto init : {nmfkit::init_method::nndsvd, nmfkit::init_method::nndsvdar}) {
        o.init = init;
        REQUIRE(run_fit(X, W3, H3, o, a) == status::ok);
        CHECK(a.relative_error < rnd.relative_error);
    }
}

TEST_CASE("transform recovers the weights of a planted factorization; inverse_transform is W·H") {
    splitmix rng(31);
    const std::size_t n = 25, m = 18, r = 3;
    auto Wt = random_matrix<double>(n, r, rng, 1.0), Ht = random_matrix<double>(r, m, rng, 1.0);
    for (std::size_t j = 0; j < m; ++j) Ht(j % r, j) += 1;
    for (std::size_t i = 0; i < n; ++i) Wt(i, i % r) += 1;
    matrix<double> X(n, m);
    REQUIRE(nmfkit::inverse_transform<double>(Wt.cview(), Ht.cview(), X.view()) == status::ok);
    for (std::size_t i = 0; i < n; ++i)
        for (std::size_t j = 0; j < m; ++j) {
            double s = 0;
            for (std::size_t k = 0; k < r; ++k) s += Wt(i, k) * Ht(k, j);
            CHECK(X(i, j) == doctest::Approx(s).epsilon(1e-14));
        }
    for (double beta : {2.0, 1.0}) {
        INFO("beta " << beta);
        nmfkit::options o = beta_opts(r, 3000, beta);
        workspace ws = make_workspace<double>(n, m, o);
        nmfkit::result res;
        matrix<double> W(n, r), H(r, m);
        REQUIRE(nmfkit::transform<double>(X.cview(), Ht.cview(), W.view(), o, ws.ptr, ws.bytes, res) == status::ok);
        CHECK(rel_diff(W, Wt) < 1e-3);
        REQUIRE(nmfkit::transform_columns<double>(X.cview(), Wt.cview(), H.view(), o, ws.ptr, ws.bytes, res) ==
                status::ok);
        CHECK(rel_diff(H, Ht) < 1e-3);
    }
}

TEST_CASE("accelerated MU: monotone, and ahead of MU after the same number of iterations") {
    splitmix rng(40);
    auto X = random_matrix<double>(80, 60, rng, 1.0);
    matrix<double> Wm(80, 8), Hm(8, 60), Wa(80, 8), Ha(8, 60);
    nmfkit::options o = beta_opts(8, 30, 2, 5);
    nmfkit::result mu, amu;
    REQUIRE(run_fit(X, Wm, Hm, o, mu) == status::ok);
    o.solver = nmfkit::algorithm::amu;
    REQUIRE(run_fit(X, Wa, Ha, o, amu) == status::ok);
    CHECK(amu.loss < mu.loss);

    matrix<double> W(80, 8), H(8, 60);
    workspace ws = make_workspace<double>(80, 60, o);
    nmfkit::solver<double> s;
    nmfkit::result res;
    REQUIRE(s.start(X.cview(), W.view(), H.view(), o, ws.ptr, ws.bytes, res) == status::ok);
    double prev = objective(X, W, H, o);
    while (!s.done()) {
        REQUIRE(s.run(1, res) == status::ok);
        const double cur = objective(X, W, H, o);
        CHECK(cur <= prev * (1 + 1e-12));
        prev = cur;
    }
}

TEST_CASE("KL needs no n x m buffer: workspace of a 20000 x 5000 problem") {
    nmfkit::options o = beta_opts(20, 100, 1.0);
    std::size_t bytes = 0;
    REQUIRE(nmfkit::workspace_size<float>(20000, 5000, o, bytes) == status::ok);
    const std::size_t nm_floats = 20000ull * 5000ull * sizeof(float);
    MESSAGE("KL workspace for 20000x5000 r=20 float32: " << bytes << " bytes (n*m floats: " << nm_floats << ")");
    CHECK(bytes < nm_floats / 10);
    o.beta = 0.5;  // the general path needs a second tile
    REQUIRE(nmfkit::workspace_size<float>(20000, 5000, o, bytes) == status::ok);
    CHECK(bytes < nm_floats / 10);
}

TEST_CASE("new bad inputs each have their own error") {
    splitmix rng(2);
    auto X = random_matrix<double>(6, 5, rng, 1.0);
    matrix<double> W(6, 2), H(2, 5);
    nmfkit::result res;
    auto fit = [&](const nmfkit::options& o) { return run_fit(X, W, H, o, res); };
    nmfkit::options o = beta_opts(2, 5);
    SUBCASE("beta <= 0 with a zero in X") {
        X(4, 3) = 0;
        o.beta = 0;
        CHECK(fit(o) == status::x_not_positive);
        CHECK(res.bad_row == 4);
        CHECK(res.bad_col == 3);
        o.beta = -1;
        CHECK(fit(o) == status::x_not_positive);
        o.beta = 0.5;  // fine for beta > 0
        CHECK(fit(o) == status::ok);
    }
    SUBCASE("beta not finite") {
        o.beta = std::nan("");
        CHECK(fit(o) == status::invalid_beta);
        o.beta = INFINITY;
        CHECK(fit(o) == status::invalid_beta);
    }
    SUBCASE("negative alpha") {
        o.alpha_w = -0.1;
        CHECK(fit(o) == status::invalid_alpha);
        o.alpha_w = 0;
        o.alpha_h = -1e-9;
        CHECK(fit(o) == status::invalid_alpha);
    }
    SUBCASE("l1_ratio outside [0, 1]") {
        o.l1_ratio = 1.5;
        CHECK(fit(o) == status::invalid_l1_ratio);
        o.l1_ratio = -0.1;
        CHECK(fit(o) == status::invalid_l1_ratio);
    }
    SUBCASE("amu needs beta = 2") {
        o.solver = nmfkit::algorithm::amu;
        o.beta = 1;
        CHECK(fit(o) == status::invalid_solver);
        o.solver = static_cast<nmfkit::algorithm>(5);
        o.beta = 2;
        CHECK(fit(o) == status::invalid_solver);
    }
    SUBCASE("nndsvd with rank > min(n, m)") {
        o.init = nmfkit::init_method::nndsvd;
        o.rank = 6;
        matrix<double> W6(6, 6), H6(6, 5);
        CHECK(run_fit(X, W6, H6, o, res) == status::rank_too_large);
        std::size_t bytes = 0;
        CHECK(nmfkit::workspace_size<double>(6, 5, o, bytes) == status::rank_too_large);
    }
    SUBCASE("transform with mismatched shapes") {
        workspace ws = make_workspace<double>(6, 5, o);
        matrix<double> Hbad(2, 4), Wbad(5, 2), Wout(6, 2), Hout(2, 5);
        CHECK(nmfkit::transform<double>(X.cview(), Hbad.cview(), Wout.view(), o, ws.ptr, ws.bytes, res) ==
              status::transform_shape_mismatch);
        CHECK(nmfkit::transform_columns<double>(X.cview(), Wbad.cview(), Hout.view(), o, ws.ptr, ws.bytes, res) ==
              status::transform_shape_mismatch);
        matrix<double> Wwrong(6, 3);  // the solved factor with the wrong rank is an ordinary mismatch
        CHECK(nmfkit::transform<double>(X.cview(), H.cview(), Wwrong.view(), o, ws.ptr, ws.bytes, res) ==
              status::shape_mismatch);
        matrix<double> out(6, 4);
        CHECK(nmfkit::inverse_transform<double>(W.cview(), H.cview(), out.view()) == status::shape_mismatch);
    }
}

// A near-exact fit's tiled loss sums to about −1e-14 in rounding; the loss is D_β ≥ 0, and a
// negative one made e0 = sqrt(2·loss) NaN, which switched the tol rule off (the fit then ran
// max_iter iterations). A rank-1 column is fitted exactly by NNDSVD from the start.
TEST_CASE("the loss of a near-exact fit is >= 0 and the tol rule still fires") {
    matrix<double> X(4, 1);
    const double col[4] = {3.1, 10.8, 6.9, 8.3};
    for (std::size_t i = 0; i < 4; ++i) X(i, 0) = col[i];
    for (double beta : {1.5, 3.0, 1.0, 0.5}) {
        CAPTURE(beta);
        nmfkit::options o = beta_opts(1, 50, beta);
        o.init = nmfkit::init_method::nndsvd;
        o.tol = 1e-4;
        o.check_every = 1;
        matrix<double> W(4, 1), H(1, 1);
        nmfkit::result res;
        REQUIRE(run_fit(X, W, H, o, res) == status::ok);
        CHECK(res.loss >= 0);
        CHECK(std::isfinite(res.relative_error));
        CHECK(res.converged);
        CHECK(res.iterations < 50);
    }
}
