// Missing entries (options::missing): NaN entries of a dense X (nan) or the unstored entries of
// a CSR X (unstored) are unknown. The weighted updates must reduce to the plain ones when nothing
// is missing, keep the observed-entry loss monotone, report losses over observed entries only,
// complete a planted low-rank matrix, fold new rows in from their known entries, and never make
// a NaN out of a row or column that has no observed entry.
#include <doctest/doctest.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "csr_util.hpp"
#include "nmfkit/nmfkit.hpp"
#include "test_util.hpp"

using namespace testutil;
using nmfkit::missing_entries;
using nmfkit::status;

namespace {

std::uint64_t count_observed(const matrix<unsigned char>& mask) {
    std::uint64_t c = 0;
    for (std::size_t i = 0; i < mask.rows; ++i)
        for (std::size_t j = 0; j < mask.cols; ++j) c += mask(i, j) != 0;
    return c;
}

// X = W*·H* with uniform (0, 1) planted factors; `boost` adds 1 to one entry per row of W* and
// column of H*, which makes the factorization essentially unique and MU's convergence faster.
template <class T>
matrix<T> planted(std::size_t n, std::size_t m, std::size_t r, splitmix& rng, matrix<T>& Wt, matrix<T>& Ht,
                  bool boost = false) {
    Wt = random_matrix<T>(n, r, rng, 1.0);
    Ht = random_matrix<T>(r, m, rng, 1.0);
    if (boost) {
        for (std::size_t i = 0; i < n; ++i) Wt(i, i % r) += 1;
        for (std::size_t j = 0; j < m; ++j) Ht(j % r, j) += 1;
    }
    matrix<T> X(n, m);
    for (std::size_t i = 0; i < n; ++i)
        for (std::size_t j = 0; j < m; ++j) X(i, j) = static_cast<T>(wh_entry(Wt, Ht, i, j));
    return X;
}

}  // namespace

// With nothing missing the masked updates are the plain ones: Σ over observed entries is Σ over
// all, M∘(W·H) is W·H. Only summation order may differ (the masked path forms W·H in tiles or at
// the stored entries where the plain one uses HHᵀ): the bounds of test_sparse's CSR == dense.
TEST_CASE_TEMPLATE("a masked fit with no entry missing is the unmasked fit", T, float, double) {
    const double tol_factors = sizeof(T) == 4 ? 1e-4 : 1e-9, tol_loss = sizeof(T) == 4 ? 1e-5 : 1e-9;
    splitmix rng(601);
    const std::size_t shapes[][3] = {{25, 19, 4}, {9, 53, 3}};
    for (const auto& sh : shapes) {
        const std::size_t n = sh[0], m = sh[1], r = sh[2];
        auto X = random_matrix<T>(n, m, rng, 2.0);
        for (std::size_t i = 0; i < n; ++i) X(i, (i * 7) % m) = 0;  // observed zeros stay observed
        const auto Xcsr = to_full_csr(X);
        const auto W0 = random_matrix<T>(n, r, rng, 1.0), H0 = random_matrix<T>(r, m, rng, 1.0);
        for (double beta : {2.0, 1.0, 0.5})
            for (auto init : {nmfkit::init_method::custom, nmfkit::init_method::random})
                for (int penalized = 0; penalized < 2; ++penalized) {
                    if (penalized && init != nmfkit::init_method::custom) continue;
                    CAPTURE(n);
                    CAPTURE(beta);
                    CAPTURE(std::string(nmfkit::name(init)));
                    CAPTURE(penalized);
                    nmfkit::options o = beta_opts(r, 20, beta, 9);
                    o.init = init;
                    if (penalized) {
                        o.alpha_w = 0.05;
                        o.alpha_h = 0.1;
                        o.l1_ratio = 0.4;
                    }
                    auto Wp = W0, Hp = H0;
                    nmfkit::result plain;
                    REQUIRE(run_fit(X, Wp, Hp, o, plain) == status::ok);
                    CHECK(plain.observed == std::uint64_t(n) * m);

                    o.missing = missing_entries::nan;  // dense, no NaN in X
                    auto Wn = W0, Hn = H0;
                    nmfkit::result nan_fit;
                    REQUIRE(run_fit(X, Wn, Hn, o, nan_fit) == status::ok);
                    CHECK(rel_diff(Wn, Wp) < tol_factors);
                    CHECK(rel_diff(Hn, Hp) < tol_factors);
                    CHECK_REL(nan_fit.loss, plain.loss, tol_loss);
                    CHECK_REL(nan_fit.relative_error, plain.relative_error, tol_loss);
                    CHECK_REL(nan_fit.objective, plain.objective, tol_loss);
                    CHECK(nan_fit.observed == std::uint64_t(n) * m);

                    o.missing = missing_entries::unstored;  // CSR, every entry stored
                    auto Wu = W0, Hu = H0;
                    nmfkit::result unstored_fit;
                    REQUIRE(run_csr_fit(Xcsr, Wu, Hu, o, unstored_fit) == status::ok);
                    CHECK(rel_diff(Wu, Wp) < tol_factors);
                    CHECK(rel_diff(Hu, Hp) < tol_factors);
                    CHECK_REL(unstored_fit.loss, plain.loss, tol_loss);
                    CHECK_REL(unstored_fit.relative_error, plain.relative_error, tol_loss);
                    CHECK_REL(unstored_fit.objective, plain.objective, tol_loss);
                    CHECK(unstored_fit.observed == std::uint64_t(n) * m);
                }
    }
}

// NaN entries of a dense X and the unstored entries of the CSR of its known entries are the same
// missing entries: every β, init (the NNDSVD's products read a missing entry as 0 in both) and
// penalty gives the same fit up to summation order.
TEST_CASE_TEMPLATE("dense missing = nan and CSR missing = unstored are the same problem", T, float, double) {
    const double tol_factors = sizeof(T) == 4 ? 1e-4 : 1e-9, tol_loss = sizeof(T) == 4 ? 1e-5 : 1e-9;
    splitmix rng(609);
    const std::size_t n = 33, m = 26, r = 4;
    auto X = random_matrix<T>(n, m, rng, 2.0);
    for (std::size_t i = 0; i < n; ++i) X(i, (3 * i) % m) = 0;  // observed zeros
    const auto mask = random_mask(n, m, 0.45, rng);
    const auto Xnan = with_nans(X, mask);
    const auto Xcsr = observed_csr(X, mask);
    const auto W0 = random_matrix<T>(n, r, rng, 1.0), H0 = random_matrix<T>(r, m, rng, 1.0);
    for (double beta : {2.0, 1.0, 0.5})
        for (auto init : {nmfkit::init_method::custom, nmfkit::init_method::random, nmfkit::init_method::nndsvd,
                          nmfkit::init_method::nndsvda})
            for (int penalized = 0; penalized < 2; ++penalized) {
                if (penalized && init != nmfkit::init_method::custom) continue;
                CAPTURE(beta);
                CAPTURE(std::string(nmfkit::name(init)));
                CAPTURE(penalized);
                nmfkit::options o = beta_opts(r, 20, beta, 12);
                o.init = init;
                if (penalized) {
                    o.alpha_w = 0.1;
                    o.alpha_h = 0.02;
                    o.l1_ratio = 0.7;
                }
                auto Wd = W0, Hd = H0, Ws = W0, Hs = H0;
                nmfkit::result dense, sparse;
                o.missing = missing_entries::nan;
                REQUIRE(run_fit(Xnan, Wd, Hd, o, dense) == status::ok);
                o.missing = missing_entries::unstored;
                REQUIRE(run_csr_fit(Xcsr, Ws, Hs, o, sparse) == status::ok);
                CHECK(all_finite_nonneg(Wd));
                CHECK(all_finite_nonneg(Hd));
                CHECK(rel_diff(Ws, Wd) < tol_factors);
                CHECK(rel_diff(Hs, Hd) < tol_factors);
                CHECK_REL(sparse.loss, dense.loss, tol_loss);
                CHECK_REL(sparse.relative_error, dense.relative_error, tol_loss);
                CHECK_REL(sparse.objective, dense.objective, tol_loss);
                CHECK(sparse.observed == dense.observed);
                CHECK(dense.observed == Xcsr.nnz());
                if (init != nmfkit::init_method::custom || penalized) continue;
                // transform and transform_columns against the fitted factors: the same too.
                matrix<T> Wtd(n, r), Wts(n, r), Htd(r, m), Hts(r, m);
                o.missing = missing_entries::nan;
                workspace wd = make_workspace<T>(n, m, o);
                REQUIRE(nmfkit::transform<T>(Xnan.cview(), Hd.cview(), Wtd.view(), o, wd.ptr, wd.bytes, dense) ==
                        status::ok);
                REQUIRE(nmfkit::transform_columns<T>(Xnan.cview(), Wd.cview(), Htd.view(), o, wd.ptr, wd.bytes,
                                                     dense) == status::ok);
                o.missing = missing_entries::unstored;
                workspace wsp = make_csr_workspace(Xcsr, o);
                REQUIRE(nmfkit::transform<T>(Xcsr.view(), Hd.cview(), Wts.view(), o, wsp.ptr, wsp.bytes, sparse) ==
                        status::ok);
                REQUIRE(nmfkit::transform_columns<T>(Xcsr.view(), Wd.cview(), Hts.view(), o, wsp.ptr, wsp.bytes,
                                                     sparse) == status::ok);
                CHECK(rel_diff(Wts, Wtd) < tol_factors);
                CHECK(rel_diff(Hts, Htd) < tol_factors);
                CHECK(all_finite_nonneg(Wtd));
                CHECK(all_finite_nonneg(Htd));
            }
}

// The weighted MU of Lee & Seung (and its KL form) is a majorize-minimize step of the loss over
// the observed entries: it never increases. Checked after every iteration from W and H directly.
TEST_CASE("the observed-entry loss never increases: random masks, Frobenius and KL, dense and CSR") {
    splitmix rng(602);
    int runs = 0;
    for (double beta : {2.0, 1.0, 0.5, 0.0}) {  // also the tiled β (Févotte & Idier's exponent keeps MM)
        for (int sparse = 0; sparse < 2; ++sparse) {
            for (int trial = 0; trial < (beta == 2 || beta == 1 ? 12 : 5); ++trial) {
                const std::size_t n = 2 + rng.below(30), m = 2 + rng.below(30), r = 1 + rng.below(5);
                auto X = random_matrix<double>(n, m, rng, 1 + 4 * rng.uniform());
                for (std::size_t i = 0; i < n; ++i)
                    for (std::size_t j = 0; j < m; ++j)
                        if (beta <= 0) X(i, j) += 0.05;             // IS needs X > 0 where observed
                        else if (rng.uniform() < 0.1) X(i, j) = 0;  // observed zeros
                const auto mask = random_mask(n, m, 0.1 + 0.6 * rng.uniform(), rng);
                auto observed = [&mask](std::size_t i, std::size_t j) { return mask(i, j) != 0; };
                const auto Xnan = with_nans(X, mask);
                const auto Xcsr = observed_csr(X, mask);
                nmfkit::options o = beta_opts(r, 30, beta, 50 + trial);
                o.check_every = 1;
                o.missing = sparse ? missing_entries::unstored : missing_entries::nan;
                matrix<double> W(n, r), H(r, m);
                workspace ws = sparse ? make_csr_workspace(Xcsr, o) : make_workspace<double>(n, m, o);
                nmfkit::solver<double> s;
                nmfkit::result res;
                const status st = sparse ? s.start(Xcsr.view(), W.view(), H.view(), o, ws.ptr, ws.bytes, res)
                                         : s.start(Xnan.cview(), W.view(), H.view(), o, ws.ptr, ws.bytes, res);
                CAPTURE(beta);
                CAPTURE(sparse);
                CAPTURE(n);
                CAPTURE(m);
                CAPTURE(r);
                REQUIRE(st == status::ok);
                double prev = direct_loss(X, W, H, beta, observed);
                double x_sq = 0;
                for (std::size_t i = 0; i < n; ++i)
                    for (std::size_t j = 0; j < m; ++j)
                        if (mask(i, j)) x_sq += X(i, j) * X(i, j);
                const double noise = 1e-13 * (x_sq + 1);
                bool monotone = true;
                while (!s.done()) {
                    REQUIRE(s.run(1, res) == status::ok);
                    const double cur = direct_loss(X, W, H, beta, observed);
                    if (cur > prev * (1 + 1e-10) + noise) {
                        monotone = false;
                        INFO("iteration " << res.iterations << ": " << prev << " -> " << cur);
                        CHECK(cur <= prev);
                    }
                    // The solver's own report is the same loss over observed entries.
                    CHECK_REL(res.loss, cur, 1e-9);
                    prev = cur;
                }
                CHECK(monotone);
                CHECK(all_finite_nonneg(W));
                CHECK(all_finite_nonneg(H));
                CHECK(res.observed == count_observed(mask));
                ++runs;
            }
        }
    }
    CHECK(runs == 2 * (2 * 12 + 2 * 5));
}

TEST_CASE_TEMPLATE("result.observed, loss and relative_error are over the observed entries", T, float, double) {
    const double tol = sizeof(T) == 4 ? 1e-5 : 1e-10;
    splitmix rng(603);
    const std::size_t n = 27, m = 34, r = 4;
    const auto X = random_matrix<T>(n, m, rng, 3.0);
    const auto mask = random_mask(n, m, 0.35, rng);
    auto observed = [&mask](std::size_t i, std::size_t j) { return mask(i, j) != 0; };
    const auto Xnan = with_nans(X, mask);
    const auto Xcsr = observed_csr(X, mask);
    const std::uint64_t expected = count_observed(mask);
    REQUIRE(expected == Xcsr.nnz());
    for (double beta : {2.0, 1.0, 0.5}) {
        for (int sparse = 0; sparse < 2; ++sparse) {
            CAPTURE(beta);
            CAPTURE(sparse);
            nmfkit::options o = beta_opts(r, 25, beta, 4);
            o.missing = sparse ? missing_entries::unstored : missing_entries::nan;
            o.check_every = 5;
            matrix<T> W(n, r), H(r, m);
            nmfkit::result res;
            std::vector<nmfkit::progress> seen;
            auto cb = [](const nmfkit::progress& p, void* user) {
                static_cast<std::vector<nmfkit::progress>*>(user)->push_back(p);
                return true;
            };
            if (sparse) {
                REQUIRE(run_csr_fit(Xcsr, W, H, o, res, cb, &seen) == status::ok);
            } else {
                workspace ws = make_workspace<T>(n, m, o);
                REQUIRE(nmfkit::fit<T>(Xnan.cview(), W.view(), H.view(), o, ws.ptr, ws.bytes, res, cb, &seen) ==
                        status::ok);
            }
            CHECK(res.observed == expected);
            // The progress reports are over the observed entries too (the last one is the final W, H).
            REQUIRE(seen.size() == 5);
            CHECK_REL(seen.back().loss, res.loss, sizeof(T) == 4 ? 1e-4 : 1e-9);
            CHECK_REL(seen.back().relative_error, res.relative_error, sizeof(T) == 4 ? 1e-4 : 1e-9);
            CHECK(all_finite_nonneg(W));
            CHECK(all_finite_nonneg(H));
            CHECK_REL(res.loss, direct_loss(X, W, H, beta, observed), tol);
            CHECK_REL(res.relative_error, direct_relative_error(X, W, H, observed), tol);
            // ... not over all entries.
            const double all = direct_relative_error(X, W, H, [](std::size_t, std::size_t) { return true; });
            CHECK(std::fabs(res.relative_error - all) > 1e3 * tol * all);
            if (sparse) {
                double loss = 0;
                REQUIRE(nmfkit::beta_divergence<T>(Xcsr.view(), W.cview(), H.cview(), beta, missing_entries::unstored,
                                                   loss) == status::ok);
                CHECK_REL(loss, res.loss, tol);
            }
        }
    }
}

// Matrix completion: a planted rank-5 60×50 matrix with 40 % of its entries hidden. MU converges
// slowly here (sublinearly near the solution): from uniform (0, 1) factors this instance's hidden
// entries are at 8.4e-3 after 1000 iterations and 5.3e-3 after 4000, and one of 8 other seeds is
// still at 1.0e-2 after 4000. Factors with one boosted entry per row of W* and column of H* (an
// essentially unique factorization) are completed faster: 4.1e-3 after 1000 iterations for this
// instance, 2.8e-3 after 1500; 1000 iterations keep the test a few seconds under the sanitizers.
TEST_CASE("a planted rank-5 matrix with 40 % missing is completed (dense nan and CSR unstored)") {
    splitmix rng(604);
    const std::size_t n = 60, m = 50, r = 5;
    matrix<double> Wt, Ht;
    const auto X = planted<double>(n, m, r, rng, Wt, Ht, true);
    const auto mask = random_mask(n, m, 0.4, rng);
    auto hidden = [&mask](std::size_t i, std::size_t j) { return mask(i, j) == 0; };
    auto observed = [&mask](std::size_t i, std::size_t j) { return mask(i, j) != 0; };
    const auto Xnan = with_nans(X, mask);
    const auto Xcsr = observed_csr(X, mask);
    nmfkit::options o = beta_opts(r, 1000, 2, 11);
    double errors[2] = {1, 1};
    for (int sparse = 0; sparse < 2; ++sparse) {
        CAPTURE(sparse);
        o.missing = sparse ? missing_entries::unstored : missing_entries::nan;
        matrix<double> W(n, r), H(r, m);
        nmfkit::result res;
        REQUIRE((sparse ? run_csr_fit(Xcsr, W, H, o, res) : run_fit(Xnan, W, H, o, res)) == status::ok);
        const double on_hidden = direct_relative_error(X, W, H, hidden);
        const double on_observed = direct_relative_error(X, W, H, observed);
        MESSAGE(std::string(sparse ? "CSR unstored" : "dense nan")
                << ": relative error on the hidden entries " << on_hidden << ", on the observed " << on_observed
                << " (reported " << res.relative_error << ")");
        CHECK(on_hidden < 1e-2);
        CHECK(on_observed < 1e-2);
        errors[sparse] = on_hidden;
    }
    // The two inputs are one problem: the same iterates up to rounding.
    CHECK_REL(errors[0], errors[1], 1e-6);
}

TEST_CASE_TEMPLATE("a row or column without an observed entry gets zeros, never NaN", T, float, double) {
    splitmix rng(605);
    const std::size_t n = 14, m = 11, r = 3;
    const auto X = random_matrix<T>(n, m, rng, 2.0);
    auto mask = random_mask(n, m, 0.3, rng);
    const std::size_t empty_row = 5, empty_col = 8;
    for (std::size_t j = 0; j < m; ++j) mask(empty_row, j) = 0;
    for (std::size_t i = 0; i < n; ++i) mask(i, empty_col) = 0;
    auto observed = [&mask](std::size_t i, std::size_t j) { return mask(i, j) != 0; };
    const auto Xnan = with_nans(X, mask);
    const auto Xcsr = observed_csr(X, mask);
    for (double beta : {2.0, 1.0, 0.5}) {
        for (auto init : {nmfkit::init_method::random, nmfkit::init_method::custom}) {
            for (int sparse = 0; sparse < 2; ++sparse) {
                for (int penalized = 0; penalized < 2; ++penalized) {
                    CAPTURE(beta);
                    CAPTURE(std::string(nmfkit::name(init)));
                    CAPTURE(sparse);
                    CAPTURE(penalized);
                    nmfkit::options o = beta_opts(r, 20, beta, 6);
                    o.init = init;
                    o.missing = sparse ? missing_entries::unstored : missing_entries::nan;
                    if (penalized) {
                        o.alpha_w = o.alpha_h = 0.1;
                        o.l1_ratio = 0.5;
                    }
                    auto W = random_matrix<T>(n, r, rng, 1.0), H = random_matrix<T>(r, m, rng, 1.0);
                    nmfkit::result res;
                    REQUIRE((sparse ? run_csr_fit(Xcsr, W, H, o, res) : run_fit(Xnan, W, H, o, res)) == status::ok);
                    CHECK(all_finite_nonneg(W));
                    CHECK(all_finite_nonneg(H));
                    for (std::size_t k = 0; k < r; ++k) {
                        CHECK(W(empty_row, k) == 0);
                        CHECK(H(k, empty_col) == 0);
                    }
                    CHECK(std::isfinite(res.loss));
                    CHECK(std::isfinite(res.relative_error));
                    CHECK(std::isfinite(res.objective));
                    CHECK_REL(res.loss, direct_loss(X, W, H, beta, observed), sizeof(T) == 4 ? 1e-5 : 1e-10);
                }
            }
        }
    }
}

TEST_CASE("nothing observed at all: zeros everywhere, zero loss and error, no NaN") {
    const std::size_t n = 6, m = 5, r = 2;
    matrix<double> Xnan(n, m, 0, std::numeric_limits<double>::quiet_NaN());
    csr<double> Xcsr;
    Xcsr.rows = n;
    Xcsr.cols = m;
    Xcsr.indptr.assign(n + 1, 0);
    for (double beta : {2.0, 1.0, 0.5}) {
        for (int sparse = 0; sparse < 2; ++sparse) {
            CAPTURE(beta);
            CAPTURE(sparse);
            nmfkit::options o = beta_opts(r, 10, beta);
            o.missing = sparse ? missing_entries::unstored : missing_entries::nan;
            matrix<double> W(n, r), H(r, m);
            nmfkit::result res;
            REQUIRE((sparse ? run_csr_fit(Xcsr, W, H, o, res) : run_fit(Xnan, W, H, o, res)) == status::ok);
            CHECK(res.observed == 0);
            CHECK(all_finite_nonneg(W));
            CHECK(all_finite_nonneg(H));
            CHECK(res.loss == 0);
            CHECK(res.relative_error == 0);
            CHECK(std::isfinite(res.objective));
        }
    }
}

// Fold-in: a new user's few ratings against a fixed item basis H. With the planted H* the
// weights are identifiable from the known entries (20 of 30 columns for rank 4), so MU on the
// convex problem in w recovers w*. Dense rows with NaN and CSR rows of only the known entries are
// the same problem.
TEST_CASE_TEMPLATE("transform folds in new rows with missing entries", T, float, double) {
    splitmix rng(606);
    const std::size_t m = 30, r = 4, rows = 5;
    matrix<T> Wt, Ht;
    auto Xnew = planted<T>(rows, m, r, rng, Wt, Ht);
    for (std::size_t i = 0; i < rows; ++i) Wt(i, i % r) += 1;  // well away from the boundary
    for (std::size_t i = 0; i < rows; ++i)
        for (std::size_t j = 0; j < m; ++j) Xnew(i, j) = static_cast<T>(wh_entry(Wt, Ht, i, j));
    const auto mask = random_mask(rows, m, 1.0 / 3, rng);
    const auto Xnan = with_nans(Xnew, mask);
    const auto Xcsr = observed_csr(Xnew, mask);
    for (double beta : {2.0, 1.0}) {
        CAPTURE(beta);
        nmfkit::options o = beta_opts(r, 1000, beta);
        nmfkit::result a, b;
        matrix<T> Wd(rows, r), Ws(rows, r);
        o.missing = missing_entries::nan;
        workspace wd = make_workspace<T>(rows, m, o);
        REQUIRE(nmfkit::transform<T>(Xnan.cview(), Ht.cview(), Wd.view(), o, wd.ptr, wd.bytes, a) == status::ok);
        CHECK(a.observed == Xcsr.nnz());
        CHECK(rel_diff(Wd, Wt) < (sizeof(T) == 4 ? 1e-3 : 1e-4));
        o.missing = missing_entries::unstored;
        workspace ws = make_csr_workspace(Xcsr, o);
        REQUIRE(nmfkit::transform<T>(Xcsr.view(), Ht.cview(), Ws.view(), o, ws.ptr, ws.bytes, b) == status::ok);
        CHECK(b.observed == Xcsr.nnz());
        CHECK(rel_diff(Ws, Wd) < (sizeof(T) == 4 ? 1e-4 : 1e-9));
        // Both losses are ~0 (an exact fit of the known entries): compare them on the data's scale.
        double x_sq = 0;
        for (T v : Xcsr.values) x_sq += double(v) * v;
        CHECK(std::fabs(b.loss - a.loss) <= (sizeof(T) == 4 ? 1e-6 : 1e-12) * x_sq);
        // A new row with nothing known folds in as zeros, without NaN.
        auto Xblank = Xnan;
        for (std::size_t j = 0; j < m; ++j) Xblank(2, j) = std::numeric_limits<T>::quiet_NaN();
        matrix<T> Wb(rows, r);
        o.missing = missing_entries::nan;
        REQUIRE(nmfkit::transform<T>(Xblank.cview(), Ht.cview(), Wb.view(), o, wd.ptr, wd.bytes, a) == status::ok);
        CHECK(all_finite_nonneg(Wb));
        for (std::size_t k = 0; k < r; ++k) CHECK(Wb(2, k) == 0);
        CHECK(std::isfinite(a.loss));
        // Unstored read as zeros (missing = none) is a different, wrong, problem.
        matrix<T> Wz(rows, r);
        o.missing = missing_entries::none;
        workspace wz = make_csr_workspace(Xcsr, o);
        REQUIRE(nmfkit::transform<T>(Xcsr.view(), Ht.cview(), Wz.view(), o, wz.ptr, wz.bytes, b) == status::ok);
        CHECK(rel_diff(Wz, Wt) > 0.1);
    }
}

// The same fold-in against a fitted H (not the planted one): W is then only identified up to the
// factorization's own scaling, but the new row's reconstruction w·H recovers its hidden entries.
TEST_CASE("fold-in against a fitted H recovers a new row's hidden entries") {
    splitmix rng(607);
    const std::size_t n = 60, m = 40, r = 4;
    matrix<double> Wt, Ht;
    const auto X = planted<double>(n + 1, m, r, rng, Wt, Ht, true);  // the last row is the new user
    matrix<double> Xtrain(n, m);
    for (std::size_t i = 0; i < n; ++i)
        for (std::size_t j = 0; j < m; ++j) Xtrain(i, j) = X(i, j);
    matrix<double> W(n, r), H(r, m);
    nmfkit::result res;
    REQUIRE(run_fit(Xtrain, W, H, beta_opts(r, 1000, 2, 3), res) == status::ok);
    REQUIRE(res.relative_error < 5e-3);  // 2.0e-3 after 1000 iterations
    matrix<double> row(1, m);
    matrix<unsigned char> mask(1, m, 0, 1);
    for (std::size_t j = 0; j < m; ++j) {
        row(0, j) = X(n, j);
        mask(0, j) = j % 3 != 1;  // a third of the ratings unknown
    }
    const auto rnan = with_nans(row, mask);
    const auto rcsr = observed_csr(row, mask);
    nmfkit::options o = beta_opts(r, 1000);
    o.missing = missing_entries::nan;
    matrix<double> w(1, r), w2(1, r);
    workspace ws = make_workspace<double>(1, m, o);
    REQUIRE(nmfkit::transform<double>(rnan.cview(), H.cview(), w.view(), o, ws.ptr, ws.bytes, res) == status::ok);
    o.missing = missing_entries::unstored;
    workspace ws2 = make_csr_workspace(rcsr, o);
    REQUIRE(nmfkit::transform<double>(rcsr.view(), H.cview(), w2.view(), o, ws2.ptr, ws2.bytes, res) == status::ok);
    CHECK(rel_diff(w2, w) < 1e-9);
    const double hidden_err = direct_relative_error(row, w, H,
                                                    [&mask](std::size_t, std::size_t j) { return mask(0, j) == 0; });
    MESSAGE("fold-in: relative error on the new row's hidden entries " << hidden_err);
    CHECK(hidden_err < 1e-2);
}

TEST_CASE("invalid_missing and invalid_solver") {
    splitmix rng(608);
    const std::size_t n = 8, m = 6, r = 2;
    const auto X = random_matrix<double>(n, m, rng, 1.0);
    const auto Xcsr = to_csr(X);
    matrix<double> W(n, r), H(r, m);
    nmfkit::result res;
    nmfkit::options o = beta_opts(r, 5);
    workspace wd = make_workspace<double>(n, m, o);
    workspace wsp = make_csr_workspace(Xcsr, o);
    auto dense_fit = [&](const nmfkit::options& op) {
        return nmfkit::fit<double>(X.cview(), W.view(), H.view(), op, wd.ptr, wd.bytes, res);
    };
    auto sparse_fit = [&](const nmfkit::options& op) {
        return nmfkit::fit<double>(Xcsr.view(), W.view(), H.view(), op, wsp.ptr, wsp.bytes, res);
    };
    SUBCASE("unstored needs a CSR X, nan a dense X") {
        o.missing = missing_entries::unstored;
        CHECK(dense_fit(o) == status::invalid_missing);
        CHECK(nmfkit::transform<double>(X.cview(), H.cview(), W.view(), o, wd.ptr, wd.bytes, res) ==
              status::invalid_missing);
        CHECK(nmfkit::transform_columns<double>(X.cview(), W.cview(), H.view(), o, wd.ptr, wd.bytes, res) ==
              status::invalid_missing);
        nmfkit::solver<double> s;
        CHECK(s.start(X.cview(), W.view(), H.view(), o, wd.ptr, wd.bytes, res) == status::invalid_missing);
        o.missing = missing_entries::nan;
        CHECK(sparse_fit(o) == status::invalid_missing);
        CHECK(nmfkit::transform<double>(Xcsr.view(), H.cview(), W.view(), o, wsp.ptr, wsp.bytes, res) ==
              status::invalid_missing);
        CHECK(s.start(Xcsr.view(), W.view(), H.view(), o, wsp.ptr, wsp.bytes, res) == status::invalid_missing);
    }
    SUBCASE("an unknown missing value") {
        o.missing = static_cast<missing_entries>(7);
        CHECK(dense_fit(o) == status::invalid_missing);
        CHECK(sparse_fit(o) == status::invalid_missing);
    }
    SUBCASE("amu needs every entry observed") {
        o.solver = nmfkit::algorithm::amu;
        CHECK(dense_fit(o) == status::ok);
        CHECK(sparse_fit(o) == status::ok);
        o.missing = missing_entries::nan;
        CHECK(dense_fit(o) == status::invalid_solver);
        o.missing = missing_entries::unstored;
        CHECK(sparse_fit(o) == status::invalid_solver);
        CHECK(nmfkit::transform<double>(Xcsr.view(), H.cview(), W.view(), o, wsp.ptr, wsp.bytes, res) ==
              status::invalid_solver);
    }
    SUBCASE("under missing = nan only NaN is missing: infinities and negatives stay errors") {
        auto Xbad = X;
        Xbad(2, 3) = std::numeric_limits<double>::quiet_NaN();
        Xbad(4, 1) = std::numeric_limits<double>::infinity();
        o.missing = missing_entries::nan;
        CHECK(run_fit(Xbad, W, H, o, res) == status::x_not_finite);
        CHECK(res.bad_row == 4);
        CHECK(res.bad_col == 1);
        Xbad(4, 1) = -1;
        CHECK(run_fit(Xbad, W, H, o, res) == status::x_negative);
        CHECK(res.bad_row == 4);
        Xbad(4, 1) = 1;
        CHECK(run_fit(Xbad, W, H, o, res) == status::ok);
        o.missing = missing_entries::none;  // NaN is an error without missing = nan
        CHECK(run_fit(Xbad, W, H, o, res) == status::x_not_finite);
        CHECK(res.bad_row == 2);
        CHECK(res.bad_col == 3);
    }
    SUBCASE("beta <= 0: a missing entry is not a zero, an observed zero is") {
        auto Xz = X;
        for (std::size_t i = 0; i < n; ++i)
            for (std::size_t j = 0; j < m; ++j) Xz(i, j) += 0.1;
        Xz(1, 1) = std::numeric_limits<double>::quiet_NaN();
        o.missing = missing_entries::nan;
        o.beta = 0;
        CHECK(run_fit(Xz, W, H, o, res) == status::ok);
        Xz(3, 2) = 0;
        CHECK(run_fit(Xz, W, H, o, res) == status::x_not_positive);
        CHECK(res.bad_row == 3);
        CHECK(res.bad_col == 2);
    }
}
