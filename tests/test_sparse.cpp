// Sparse X (CSR): every fit, transform and loss on a csr_view must be the dense computation on
// the same matrix, densified, up to summation order; the CSR arrays are validated entry by entry;
// the workspace is what workspace_size() says and never more.
#include <doctest/doctest.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <string>
#include <vector>

#include "csr_util.hpp"
#include "nmfkit/nmfkit.hpp"
#include "nmfkit/workspace.hpp"
#include "test_util.hpp"

using namespace testutil;
using nmfkit::status;

namespace {

const char* init_name(nmfkit::init_method i) { return nmfkit::name(i); }

// Relative agreement of CSR and dense results after 20 iterations. Both paths compute the same
// updates in a different summation order (sparse products skip the zeros), so they differ by
// rounding only: ~1e-16 per operation in double, amplified mildly by 20 multiplicative steps.
// In float the rounding unit is 6e-8 and sums over ~100 terms in another order move each
// product by ~1e-6; 20 iterations of MU then reach a few 1e-6 on W and H, so 1e-4 leaves a wide
// margin while still catching any real difference in the updates (those are O(1)).
template <class T>
struct bounds {
    static constexpr double factors = sizeof(T) == 4 ? 1e-4 : 1e-9;
    static constexpr double loss = sizeof(T) == 4 ? 1e-5 : 1e-9;
    // One loss of the same W, H: W·H in T (float: r products rounded at 6e-8), summed in double.
    static constexpr double eval = sizeof(T) == 4 ? 1e-5 : 1e-11;
};

struct variant {
    double beta;
    nmfkit::algorithm solver;
    double alpha_w, alpha_h, l1_ratio;
};

}  // namespace

TEST_CASE_TEMPLATE("a CSR fit is the dense fit of the same matrix", T, float, double) {
    const std::size_t shapes[][3] = {{30, 24, 4}, {36, 50, 5}, {70, 6, 3}};
    const double densities[] = {0.3, 0.1, 0.5};
    const variant variants[] = {{2, nmfkit::algorithm::mu, 0, 0, 0},   {2, nmfkit::algorithm::mu, 0.1, 0.05, 0.3},
                                {2, nmfkit::algorithm::amu, 0, 0, 0},  {2, nmfkit::algorithm::amu, 0.02, 0.1, 1},
                                {1, nmfkit::algorithm::mu, 0, 0, 0},   {1, nmfkit::algorithm::mu, 0.1, 0.05, 0.3},
                                {0.5, nmfkit::algorithm::mu, 0, 0, 0}, {1.5, nmfkit::algorithm::mu, 0, 0.1, 0.5}};
    const nmfkit::init_method inits[] = {nmfkit::init_method::custom, nmfkit::init_method::nndsvda,
                                         nmfkit::init_method::random};
    splitmix rng(501);
    int compared = 0;
    for (std::size_t s = 0; s < 3; ++s) {
        const std::size_t n = shapes[s][0], m = shapes[s][1], r = shapes[s][2];
        const auto Xd = random_sparse<T>(n, m, densities[s], rng, 3.0);
        const auto X = to_csr(Xd);
        // amu's inner budget grows with the cost of a product, nnz for a CSR X (Gillis & Glineur's
        // ρ): only a CSR holding every entry (zeros stored) runs the dense fit's inner iterations.
        const auto Xfull = to_full_csr(Xd);
        const auto W0 = random_matrix<T>(n, r, rng, 1.0), H0 = random_matrix<T>(r, m, rng, 1.0);
        for (const variant& v : variants)
            for (nmfkit::init_method init : inits) {
                // The starts are independent of the penalties and the solver: nndsvda and random on the
                // plain mu variants (amu's inner iterations make it the costly one).
                if (init != nmfkit::init_method::custom &&
                    (v.alpha_w + v.alpha_h > 0 || v.solver == nmfkit::algorithm::amu))
                    continue;
                nmfkit::options o = beta_opts(r, 20, v.beta, 40 + s);
                o.solver = v.solver;
                o.alpha_w = v.alpha_w;
                o.alpha_h = v.alpha_h;
                o.l1_ratio = v.l1_ratio;
                o.init = init;
                CAPTURE(n);
                CAPTURE(m);
                CAPTURE(r);
                CAPTURE(v.beta);
                CAPTURE(std::string(nmfkit::name(v.solver)));
                CAPTURE(v.alpha_w);
                CAPTURE(std::string(init_name(init)));
                auto Wd = W0, Hd = H0, Ws = W0, Hs = H0;
                nmfkit::result dense, sparse;
                REQUIRE(run_fit(Xd, Wd, Hd, o, dense) == status::ok);
                REQUIRE(run_csr_fit(v.solver == nmfkit::algorithm::amu ? Xfull : X, Ws, Hs, o, sparse) == status::ok);
                CHECK(all_finite_nonneg(Wd));  // the dense fit itself
                CHECK(all_finite_nonneg(Ws));
                CHECK(sparse.iterations == dense.iterations);
                CHECK(rel_diff(Ws, Wd) < bounds<T>::factors);
                CHECK(rel_diff(Hs, Hd) < bounds<T>::factors);
                CHECK_REL(sparse.loss, dense.loss, bounds<T>::loss);
                CHECK_REL(sparse.relative_error, dense.relative_error, bounds<T>::loss);
                CHECK_REL(sparse.objective, dense.objective, bounds<T>::loss);
                CHECK(sparse.observed == static_cast<std::uint64_t>(n) * m);
                CHECK(dense.observed == static_cast<std::uint64_t>(n) * m);
                ++compared;
            }
    }
    CHECK(compared == 3 * (8 + 2 * 3));
}

// The sparse kernels vectorize over r: every rank remainder, and the scalar set, must agree;
// padded strides of W and H give the same fit and keep their padding.
TEST_CASE_TEMPLATE("CSR fits: scalar and best kernels agree; padded W and H strides", T, float, double) {
    splitmix rng(512);
    const double tol = sizeof(T) == 4 ? 1e-5 : 1e-11;
    for (std::size_t r : {1u, 3u, 8u, 9u, 17u}) {  // remainders of 4-, 8- and 16-lane vectors
        const std::size_t n = 23 + r, m = 37;
        const auto X = to_csr(random_sparse<T>(n, m, 0.2, rng, 2.0));
        const auto W0 = random_matrix<T>(n, r, rng, 1.0), H0 = random_matrix<T>(r, m, rng, 1.0);
        for (double beta : {2.0, 1.0, 0.5}) {
            for (auto miss : {nmfkit::missing_entries::none, nmfkit::missing_entries::unstored}) {
                CAPTURE(r);
                CAPTURE(beta);
                CAPTURE(std::string(nmfkit::name(miss)));
                nmfkit::options o = beta_opts(r, 8, beta);
                o.init = nmfkit::init_method::custom;
                o.missing = miss;
                auto Wa = W0, Ha = H0, Ws = W0, Hs = H0;
                nmfkit::result a, s;
                REQUIRE(run_csr_fit(X, Wa, Ha, o, a) == status::ok);
                o.kernel = nmfkit::kernel_choice::scalar;
                REQUIRE(run_csr_fit(X, Ws, Hs, o, s) == status::ok);
                CHECK(rel_diff(Wa, Ws) < tol);
                CHECK(rel_diff(Ha, Hs) < tol);
                CHECK_REL(a.loss, s.loss, tol);
                o.kernel = nmfkit::kernel_choice::automatic;
                matrix<T> Wp(n, r, 3, T(-2)), Hp(r, m, 5, T(-3));
                for (std::size_t i = 0; i < n; ++i)
                    for (std::size_t k = 0; k < r; ++k) Wp(i, k) = W0(i, k);
                for (std::size_t k = 0; k < r; ++k)
                    for (std::size_t j = 0; j < m; ++j) Hp(k, j) = H0(k, j);
                REQUIRE(run_csr_fit(X, Wp, Hp, o, s) == status::ok);
                CHECK(rel_diff(Wp, Wa) < tol);
                CHECK(rel_diff(Hp, Ha) < tol);
                bool pad_ok = true;
                for (std::size_t i = 0; i < n; ++i)
                    for (std::size_t j = r; j < Wp.stride; ++j) pad_ok &= Wp.data[i * Wp.stride + j] == T(-2);
                for (std::size_t k = 0; k < r; ++k)
                    for (std::size_t j = m; j < Hp.stride; ++j) pad_ok &= Hp.data[k * Hp.stride + j] == T(-3);
                CHECK(pad_ok);
            }
        }
    }
}

TEST_CASE_TEMPLATE("transform and transform_columns on CSR are the dense ones", T, float, double) {
    splitmix rng(502);
    const std::size_t n = 45, m = 33, r = 5;
    const auto Xd = random_sparse<T>(n, m, 0.25, rng, 2.0);
    const auto X = to_csr(Xd);
    const auto Wfix = random_matrix<T>(n, r, rng, 1.0), Hfix = random_matrix<T>(r, m, rng, 1.0);
    for (double beta : {2.0, 1.0, 0.5}) {
        for (int penalized = 0; penalized < 2; ++penalized) {
            CAPTURE(beta);
            CAPTURE(penalized);
            nmfkit::options o = beta_opts(r, 20, beta);
            if (penalized) {
                o.alpha_w = o.alpha_h = 0.05;
                o.l1_ratio = 0.5;
            }
            workspace wd = make_workspace<T>(n, m, o);
            workspace wsp = make_csr_workspace(X, o);
            nmfkit::result a, b;
            matrix<T> Wd(n, r), Ws(n, r), Hd(r, m), Hs(r, m);
            REQUIRE(nmfkit::transform<T>(Xd.cview(), Hfix.cview(), Wd.view(), o, wd.ptr, wd.bytes, a) == status::ok);
            REQUIRE(nmfkit::transform<T>(X.view(), Hfix.cview(), Ws.view(), o, wsp.ptr, wsp.bytes, b) == status::ok);
            CHECK(rel_diff(Ws, Wd) < bounds<T>::factors);
            CHECK_REL(b.loss, a.loss, bounds<T>::loss);
            REQUIRE(nmfkit::transform_columns<T>(Xd.cview(), Wfix.cview(), Hd.view(), o, wd.ptr, wd.bytes, a) ==
                    status::ok);
            REQUIRE(nmfkit::transform_columns<T>(X.view(), Wfix.cview(), Hs.view(), o, wsp.ptr, wsp.bytes, b) ==
                    status::ok);
            CHECK(rel_diff(Hs, Hd) < bounds<T>::factors);
            CHECK_REL(b.loss, a.loss, bounds<T>::loss);
            // The fixed factor of the wrong shape is the dense case's error too.
            matrix<T> Hbad(r, m + 1);
            CHECK(nmfkit::transform<T>(X.view(), Hbad.cview(), Ws.view(), o, wsp.ptr, wsp.bytes, b) ==
                  status::transform_shape_mismatch);
        }
    }
}

TEST_CASE_TEMPLATE("the resumable solver on CSR: slices give exactly the one-shot fit", T, float, double) {
    splitmix rng(503);
    const std::size_t n = 52, m = 41, r = 6;
    const auto X = to_csr(random_sparse<T>(n, m, 0.2, rng, 2.0));
    for (double beta : {2.0, 1.0, 0.5})
        for (auto miss : {nmfkit::missing_entries::none, nmfkit::missing_entries::unstored}) {
            CAPTURE(beta);
            CAPTURE(std::string(nmfkit::name(miss)));
            nmfkit::options o = beta_opts(r, 19, beta, 77);
            o.tol = 1e-7;
            o.check_every = 3;
            o.missing = miss;
            matrix<T> W1(n, r), H1(r, m), W2(n, r), H2(r, m);
            nmfkit::result one, sliced;
            REQUIRE(run_csr_fit(X, W1, H1, o, one) == status::ok);
            workspace ws = make_csr_workspace(X, o);
            nmfkit::solver<T> s;
            REQUIRE(s.start(X.view(), W2.view(), H2.view(), o, ws.ptr, ws.bytes, sliced) == status::ok);
            int slices = 0;
            while (!s.done()) {
                REQUIRE(s.run(4, sliced) == status::ok);
                ++slices;
            }
            REQUIRE(s.finish(sliced) == status::ok);
            CHECK(slices == (static_cast<int>(one.iterations) + 3) / 4);
            CHECK(sliced.iterations == one.iterations);
            CHECK(std::memcmp(W1.data.data(), W2.data.data(), W1.data.size() * sizeof(T)) == 0);
            CHECK(std::memcmp(H1.data.data(), H2.data.data(), H1.data.size() * sizeof(T)) == 0);
            CHECK(sliced.loss == one.loss);
            CHECK(sliced.relative_error == one.relative_error);
            CHECK(sliced.observed == one.observed);
        }
}

TEST_CASE("the progress callback on CSR sees the dense fit's checks and can cancel") {
    splitmix rng(504);
    const std::size_t n = 30, m = 26, r = 3;
    const auto Xd = random_sparse<double>(n, m, 0.3, rng, 1.0);
    const auto X = to_csr(Xd);
    struct log_t {
        std::vector<std::uint32_t> iters;
        std::vector<double> losses;
        std::uint32_t stop_at;
    };
    auto cb = [](const nmfkit::progress& p, void* user) {
        auto* l = static_cast<log_t*>(user);
        l->iters.push_back(p.iteration);
        l->losses.push_back(p.loss);
        return p.iteration < l->stop_at;
    };
    for (double beta : {2.0, 1.0}) {
        CAPTURE(beta);
        nmfkit::options o = beta_opts(r, 23, beta, 3);
        o.check_every = 5;
        matrix<double> W(n, r), H(r, m), Wd(n, r), Hd(r, m);
        log_t sparse_log{{}, {}, 1000}, dense_log{{}, {}, 1000};
        nmfkit::result res, dres;
        REQUIRE(run_csr_fit(X, W, H, o, res, cb, &sparse_log) == status::ok);
        workspace wd = make_workspace<double>(n, m, o);
        REQUIRE(nmfkit::fit<double>(Xd.cview(), Wd.view(), Hd.view(), o, wd.ptr, wd.bytes, dres, cb, &dense_log) ==
                status::ok);
        CHECK(sparse_log.iters == std::vector<std::uint32_t>{5, 10, 15, 20, 23});
        CHECK(sparse_log.iters == dense_log.iters);
        REQUIRE(sparse_log.losses.size() == dense_log.losses.size());
        for (std::size_t i = 0; i < sparse_log.losses.size(); ++i)
            CHECK_REL(sparse_log.losses[i], dense_log.losses[i], 1e-9);

        log_t stop{{}, {}, 10};
        CHECK(run_csr_fit(X, W, H, o, res, cb, &stop) == status::cancelled);
        CHECK(res.iterations == 10);
        CHECK(stop.iters == std::vector<std::uint32_t>{5, 10});
        CHECK(all_finite_nonneg(W));
        CHECK(all_finite_nonneg(H));
        double loss = 0;
        REQUIRE(nmfkit::beta_divergence<double>(X.view(), W.cview(), H.cview(), beta, nmfkit::missing_entries::none,
                                                loss) == status::ok);
        CHECK_REL(res.loss, loss, 1e-9);
    }
}

TEST_CASE_TEMPLATE("a pattern matrix (values == nullptr) is the matrix of ones at its entries", T, float, double) {
    splitmix rng(505);
    const std::size_t n = 40, m = 35, r = 4;
    auto ones = to_csr(random_sparse<T>(n, m, 0.2, rng, 1.0));
    for (T& v : ones.values) v = 1;
    auto pattern = ones;
    pattern.pattern = true;
    const auto W0 = random_matrix<T>(n, r, rng, 1.0), H0 = random_matrix<T>(r, m, rng, 1.0);
    // Multiplying by a stored 1 is exact: a pattern kernel may only reorder sums.
    const double tol = sizeof(T) == 4 ? 1e-5 : 1e-12;
    for (double beta : {2.0, 1.0, 0.5}) {
        for (auto init : {nmfkit::init_method::custom, nmfkit::init_method::nndsvda}) {
            CAPTURE(beta);
            CAPTURE(std::string(init_name(init)));
            nmfkit::options o = beta_opts(r, 15, beta, 8);
            o.init = init;
            auto W1 = W0, H1 = H0, W2 = W0, H2 = H0;
            nmfkit::result a, b;
            REQUIRE(run_csr_fit(ones, W1, H1, o, a) == status::ok);
            REQUIRE(run_csr_fit(pattern, W2, H2, o, b) == status::ok);
            CHECK(rel_diff(W2, W1) < tol);
            CHECK(rel_diff(H2, H1) < tol);
            CHECK_REL(b.loss, a.loss, tol);
            double la = 0, lb = 0;
            REQUIRE(nmfkit::beta_divergence<T>(ones.view(), W1.cview(), H1.cview(), beta, nmfkit::missing_entries::none,
                                               la) == status::ok);
            REQUIRE(nmfkit::beta_divergence<T>(pattern.view(), W1.cview(), H1.cview(), beta,
                                               nmfkit::missing_entries::none, lb) == status::ok);
            CHECK_REL(lb, la, 1e-12);
            matrix<T> Wt(n, r), Wp(n, r);
            workspace ws = make_csr_workspace(ones, o);
            CHECK(nmfkit::transform<T>(ones.view(), H1.cview(), Wt.view(), o, ws.ptr, ws.bytes, a) == status::ok);
            CHECK(nmfkit::transform<T>(pattern.view(), H1.cview(), Wp.view(), o, ws.ptr, ws.bytes, b) == status::ok);
            CHECK(rel_diff(Wp, Wt) < tol);
        }
    }
}

TEST_CASE_TEMPLATE("empty rows and columns of a CSR X fit like the dense zero rows and columns", T, float, double) {
    splitmix rng(506);
    const std::size_t n = 24, m = 19, r = 3;
    auto Xd = random_sparse<T>(n, m, 0.4, rng, 2.0);
    for (std::size_t i : {0u, 7u, 23u})
        for (std::size_t j = 0; j < m; ++j) Xd(i, j) = 0;  // first, middle and last rows empty
    for (std::size_t j : {0u, 11u, 18u})
        for (std::size_t i = 0; i < n; ++i) Xd(i, j) = 0;
    const auto X = to_csr(Xd);
    REQUIRE(X.indptr[1] == 0);
    REQUIRE(X.indptr[n - 1] == X.indptr[n]);
    const auto W0 = random_matrix<T>(n, r, rng, 1.0), H0 = random_matrix<T>(r, m, rng, 1.0);
    for (double beta : {2.0, 1.0, 0.5}) {
        for (auto init : {nmfkit::init_method::custom, nmfkit::init_method::nndsvda}) {
            CAPTURE(beta);
            CAPTURE(std::string(init_name(init)));
            nmfkit::options o = beta_opts(r, 20, beta, 2);
            o.init = init;
            auto Wd = W0, Hd = H0, Ws = W0, Hs = H0;
            nmfkit::result dense, sparse;
            REQUIRE(run_fit(Xd, Wd, Hd, o, dense) == status::ok);
            REQUIRE(run_csr_fit(X, Ws, Hs, o, sparse) == status::ok);
            CHECK(all_finite_nonneg(Ws));
            CHECK(all_finite_nonneg(Hs));
            CHECK(std::isfinite(sparse.loss));
            CHECK(rel_diff(Ws, Wd) < bounds<T>::factors);
            CHECK(rel_diff(Hs, Hd) < bounds<T>::factors);
            CHECK_REL(sparse.loss, dense.loss, bounds<T>::loss);
            // Nothing pulls an empty row of X up: its row of W is 0 after the first W update.
            for (std::size_t k = 0; k < r; ++k) CHECK(Ws(7, k) == 0);
            for (std::size_t k = 0; k < r; ++k) CHECK(Hs(k, 11) == 0);
        }
    }
}

TEST_CASE_TEMPLATE("an all-zero CSR X (nnz = 0): the dense all-zero fit, no NaN anywhere", T, float, double) {
    const std::size_t n = 9, m = 7, r = 2;
    csr<T> X;
    X.rows = n;
    X.cols = m;
    X.indptr.assign(n + 1, 0);
    const matrix<T> Z(n, m);
    splitmix rng(507);
    const auto W0 = random_matrix<T>(n, r, rng, 1.0), H0 = random_matrix<T>(r, m, rng, 1.0);
    for (double beta : {2.0, 1.0, 0.5}) {
        for (auto init : {nmfkit::init_method::random, nmfkit::init_method::custom, nmfkit::init_method::nndsvda}) {
            CAPTURE(beta);
            CAPTURE(std::string(init_name(init)));
            nmfkit::options o = beta_opts(r, 30, beta);
            o.init = init;
            o.tol = 1e-4;
            auto Wd = W0, Hd = H0, Ws = W0, Hs = H0;
            nmfkit::result dense, sparse;
            const status sd = run_fit(Z, Wd, Hd, o, dense);
            REQUIRE(run_csr_fit(X, Ws, Hs, o, sparse) == sd);
            if (sd != status::ok) continue;
            CHECK(all_finite_nonneg(Ws));
            CHECK(all_finite_nonneg(Hs));
            CHECK(sparse.loss == dense.loss);
            CHECK(sparse.relative_error == 0);
            CHECK(sparse.iterations == dense.iterations);
            CHECK(sparse.converged == dense.converged);
            CHECK(rel_diff(Ws, Wd) < bounds<T>::factors);
            CHECK(rel_diff(Hs, Hd) < bounds<T>::factors);
            double loss = -1;
            REQUIRE(nmfkit::beta_divergence<T>(X.view(), Ws.cview(), Hs.cview(), beta, nmfkit::missing_entries::none,
                                               loss) == status::ok);
            CHECK(std::isfinite(loss));
            matrix<T> Wt(n, r);
            workspace ws = make_csr_workspace(X, o);
            REQUIRE(nmfkit::transform<T>(X.view(), H0.cview(), Wt.view(), o, ws.ptr, ws.bytes, sparse) == status::ok);
            CHECK(all_finite_nonneg(Wt));
            // No entries, no arrays: null indices and values are fine when nnz = 0.
            auto bare = X.view();
            bare.indices = nullptr;
            bare.values = nullptr;
            auto Wb = W0, Hb = H0;
            REQUIRE(nmfkit::fit<T>(bare, Wb.view(), Hb.view(), o, ws.ptr, ws.bytes, sparse) == status::ok);
            CHECK(all_finite_nonneg(Wb));
            CHECK(all_finite_nonneg(Hb));
            CHECK(sparse.loss == dense.loss);
        }
    }
}

TEST_CASE_TEMPLATE("beta_divergence on CSR: the dense loss of the densified X, and a direct sum", T, float, double) {
    splitmix rng(508);
    for (int trial = 0; trial < 6; ++trial) {
        const std::size_t n = 1 + rng.below(40), m = 1 + rng.below(40), r = 1 + rng.below(6);
        const auto Xd = random_sparse<T>(n, m, 0.05 + 0.5 * rng.uniform(), rng, 4.0);
        const auto X = to_csr(Xd);
        const auto W = random_matrix<T>(n, r, rng, 1.0), H = random_matrix<T>(r, m, rng, 1.0);
        for (double beta : {2.0, 1.0, 0.5}) {
            CAPTURE(n);
            CAPTURE(m);
            CAPTURE(beta);
            double dense = 0, sparse = 0, stored = 0;
            REQUIRE(nmfkit::beta_divergence<T>(Xd.cview(), W.cview(), H.cview(), beta, dense) == status::ok);
            REQUIRE(nmfkit::beta_divergence<T>(X.view(), W.cview(), H.cview(), beta, nmfkit::missing_entries::none,
                                               sparse) == status::ok);
            const double direct = direct_loss(Xd, W, H, beta, [](std::size_t, std::size_t) { return true; });
            CHECK_REL(sparse, direct, bounds<T>::eval);
            CHECK_REL(sparse, dense, bounds<T>::eval);
            // Over the stored entries only (missing = unstored).
            REQUIRE(nmfkit::beta_divergence<T>(X.view(), W.cview(), H.cview(), beta, nmfkit::missing_entries::unstored,
                                               stored) == status::ok);
            const double direct_stored = direct_loss(Xd, W, H, beta,
                                                     [&Xd](std::size_t i, std::size_t j) { return Xd(i, j) != 0; });
            CHECK_REL(stored, direct_stored, bounds<T>::eval);
            CHECK(nmfkit::beta_divergence<T>(X.view(), W.cview(), H.cview(), beta, nmfkit::missing_entries::nan,
                                             stored) == status::invalid_missing);
        }
    }
}

// ‖X‖² − 2⟨WᵀX, H⟩ + ⟨WᵀW, HHᵀ⟩ cancels when W·H ≈ X: the loss must still be exact. X is a
// planted W·H plus 1e-4 noise at every entry (all stored), so ½‖X − W·H‖² is ~1e-9 of ½‖X‖².
TEST_CASE_TEMPLATE("the Frobenius loss on CSR stays exact when the fit is nearly perfect", T, float, double) {
    splitmix rng(509);
    const std::size_t n = 80, m = 60, r = 4;
    const auto W = random_matrix<T>(n, r, rng, 1.0), H = random_matrix<T>(r, m, rng, 1.0);
    matrix<T> Xd(n, m);
    for (std::size_t i = 0; i < n; ++i)
        for (std::size_t j = 0; j < m; ++j)
            Xd(i, j) = static_cast<T>(wh_entry(W, H, i, j) + 1e-4 * (rng.uniform() - 0.5));
    const auto X = to_full_csr(Xd);
    double sparse = 0, stored = 0;
    const double direct = direct_loss(Xd, W, H, 2.0, [](std::size_t, std::size_t) { return true; });
    REQUIRE(nmfkit::beta_divergence<T>(X.view(), W.cview(), H.cview(), 2.0, nmfkit::missing_entries::none, sparse) ==
            status::ok);
    REQUIRE(nmfkit::beta_divergence<T>(X.view(), W.cview(), H.cview(), 2.0, nmfkit::missing_entries::unstored,
                                       stored) == status::ok);
    double dense = 0;
    REQUIRE(nmfkit::beta_divergence<T>(Xd.cview(), W.cview(), H.cview(), 2.0, dense) == status::ok);
    MESSAGE("direct " << direct << ", CSR " << sparse << ", CSR over stored " << stored << ", dense " << dense);
    CHECK_REL(dense, direct, 1e-3);
    CHECK_REL(sparse, direct, 1e-3);
    CHECK_REL(stored, direct, 1e-3);
    // A fit's reported loss is exact too (0 iterations: the loss of the custom start).
    nmfkit::options o = beta_opts(r, 0, 2.0);
    o.init = nmfkit::init_method::custom;
    auto W1 = W, H1 = H;
    nmfkit::result res;
    REQUIRE(run_csr_fit(X, W1, H1, o, res) == status::ok);
    CHECK_REL(res.loss, direct, 1e-3);
}

namespace {

// A valid 4×5 CSR matrix to break, one defect at a time:
//   row 0: (0, 1) (0, 3)     row 1: (1, 0) (1, 2) (1, 4)     row 2: empty     row 3: (3, 1) (3, 4)
template <class T>
csr<T> small_csr() {
    csr<T> c;
    c.rows = 4;
    c.cols = 5;
    c.indptr = {0, 2, 5, 5, 7};
    c.indices = {1, 3, 0, 2, 4, 1, 4};
    c.values = {1, 2, 3, 4, 5, 6, 7};
    return c;
}

template <class T>
status fit_small(const csr<T>& c, nmfkit::result& res, double beta = 2,
                 nmfkit::missing_entries miss = nmfkit::missing_entries::none) {
    nmfkit::options o = beta_opts(2, 3, beta);
    o.missing = miss;
    matrix<T> W(c.rows, 2), H(2, c.cols);
    res = nmfkit::result{};
    return run_csr_fit(c, W, H, o, res);
}

}  // namespace

TEST_CASE_TEMPLATE("every malformed CSR array has its own status and position", T, float, double) {
    auto c = small_csr<T>();
    nmfkit::result res;
    REQUIRE(fit_small(c, res) == status::ok);
    SUBCASE("indptr[0] != 0") {
        c.indptr[0] = 1;
        CHECK(fit_small(c, res) == status::csr_bad_indptr);
        CHECK(res.bad_matrix == nmfkit::matrix_id::X);
        CHECK(res.bad_row == 0);
        CHECK(res.bad_col == 0);
    }
    // On the indptr statuses bad_row is the index k of the offending offset indptr[k].
    SUBCASE("decreasing offsets") {
        c.indptr[2] = 1;  // indptr[2] < indptr[1]: row 1 would end before it starts
        CHECK(fit_small(c, res) == status::csr_bad_indptr);
        CHECK(res.bad_matrix == nmfkit::matrix_id::X);
        CHECK(res.bad_row == 2);
        CHECK(res.bad_col == 0);
        c.indptr[2] = 5;
        c.indptr[3] = 4;  // a later decrease, after an empty row's offset
        CHECK(fit_small(c, res) == status::csr_bad_indptr);
        CHECK(res.bad_row == 3);
    }
    SUBCASE("last offset != nnz") {
        c.indptr[4] = 6;  // still non-decreasing; one entry too few
        CHECK(fit_small(c, res) == status::csr_nnz_mismatch);
        CHECK(res.bad_matrix == nmfkit::matrix_id::X);
        CHECK(res.bad_row == 4);
        CHECK(res.bad_col == 0);
        c.indptr[4] = 8;  // one too many
        CHECK(fit_small(c, res) == status::csr_nnz_mismatch);
        CHECK(res.bad_row == 4);
        CHECK(res.bad_col == 0);
    }
    SUBCASE("column index >= cols") {
        c.indices[4] = 5;
        CHECK(fit_small(c, res) == status::csr_index_out_of_range);
        CHECK(res.bad_matrix == nmfkit::matrix_id::X);
        CHECK(res.bad_row == 1);
        CHECK(res.bad_entry == 4);
        CHECK(res.bad_col == 5);
        c.indices[4] = 4;
        c.indices[6] = 0xffffffffu;
        CHECK(fit_small(c, res) == status::csr_index_out_of_range);
        CHECK(res.bad_row == 3);
        CHECK(res.bad_entry == 6);
        CHECK(res.bad_col == 0xffffffffu);
    }
    SUBCASE("unsorted indices within a row") {
        c.indices[2] = 2;
        c.indices[3] = 0;  // row 1: 2, 0, 4
        CHECK(fit_small(c, res) == status::csr_unsorted_indices);
        CHECK(res.bad_matrix == nmfkit::matrix_id::X);
        CHECK(res.bad_row == 1);
        CHECK(res.bad_entry == 3);
        CHECK(res.bad_col == 0);
    }
    SUBCASE("duplicate index within a row") {
        c.indices[6] = 1;  // row 3: 1, 1
        CHECK(fit_small(c, res) == status::csr_duplicate_index);
        CHECK(res.bad_matrix == nmfkit::matrix_id::X);
        CHECK(res.bad_row == 3);
        CHECK(res.bad_entry == 6);
        CHECK(res.bad_col == 1);
    }
    SUBCASE("negative value") {
        c.values[3] = T(-0.5);
        CHECK(fit_small(c, res) == status::x_negative);
        CHECK(res.bad_matrix == nmfkit::matrix_id::X);
        CHECK(res.bad_row == 1);
        CHECK(res.bad_entry == 3);
        CHECK(res.bad_col == 2);
    }
    SUBCASE("negative zero is a zero") {
        c.values[3] = T(-0.0);
        CHECK(fit_small(c, res) == status::ok);
    }
    SUBCASE("NaN and infinite values") {
        c.values[5] = std::numeric_limits<T>::quiet_NaN();
        CHECK(fit_small(c, res) == status::x_not_finite);
        CHECK(res.bad_matrix == nmfkit::matrix_id::X);
        CHECK(res.bad_row == 3);
        CHECK(res.bad_entry == 5);
        CHECK(res.bad_col == 1);
        // NaN is an error under missing = unstored too: only unstored entries are missing.
        CHECK(fit_small(c, res, 2, nmfkit::missing_entries::unstored) == status::x_not_finite);
        c.values[5] = 6;
        c.values[1] = std::numeric_limits<T>::infinity();
        CHECK(fit_small(c, res) == status::x_not_finite);
        CHECK(res.bad_row == 0);
        CHECK(res.bad_entry == 1);
        CHECK(res.bad_col == 3);
        c.values[1] = -std::numeric_limits<T>::infinity();
        CHECK(fit_small(c, res) == status::x_not_finite);
    }
    SUBCASE("the first bad entry in storage order wins") {
        c.values[2] = -1;
        c.values[6] = std::numeric_limits<T>::quiet_NaN();
        CHECK(fit_small(c, res) == status::x_negative);
        CHECK(res.bad_entry == 2);
    }
    SUBCASE("a stored zero with beta <= 0") {
        c.values[4] = 0;
        CHECK(fit_small(c, res, 0.5) == status::ok);
        for (double beta : {0.0, -1.0}) {
            CHECK(fit_small(c, res, beta, nmfkit::missing_entries::unstored) == status::x_not_positive);
            CHECK(res.bad_matrix == nmfkit::matrix_id::X);
            CHECK(res.bad_row == 1);
            CHECK(res.bad_entry == 4);
            CHECK(res.bad_col == 4);
        }
    }
    SUBCASE("unstored zeros with beta <= 0") {
        // Under missing = none the unstored entries are zeros: the first one, (0, 0), is the culprit.
        CHECK(fit_small(c, res, 0.0) == status::x_not_positive);
        CHECK(res.bad_matrix == nmfkit::matrix_id::X);
        CHECK(res.bad_row == 0);
        CHECK(res.bad_col == 0);
        // Under missing = unstored they are unknown, not zeros: IS fits the stored entries.
        CHECK(fit_small(c, res, 0.0, nmfkit::missing_entries::unstored) == status::ok);
        // A fully stored positive X is fine under missing = none.
        matrix<T> full(4, 5, 0, T(1.5));
        const auto f = to_full_csr(full);
        CHECK(fit_small(f, res, 0.0) == status::ok);
        CHECK(fit_small(f, res, -1.0) == status::ok);
    }
    SUBCASE("null arrays") {
        auto v = c.view();
        matrix<T> W(4, 2), H(2, 5);
        nmfkit::options o = beta_opts(2, 3);
        workspace ws = make_csr_workspace(c, o);
        v.indptr = nullptr;
        CHECK(nmfkit::fit<T>(v, W.view(), H.view(), o, ws.ptr, ws.bytes, res) == status::null_pointer);
        v = c.view();
        v.indices = nullptr;
        CHECK(nmfkit::fit<T>(v, W.view(), H.view(), o, ws.ptr, ws.bytes, res) == status::null_pointer);
    }
    SUBCASE("W, H or the workspace inside the CSR arrays") {
        // X's arrays are only read and may share memory; a written buffer may not overlap them.
        nmfkit::options o = beta_opts(2, 3);
        workspace ws = make_csr_workspace(c, o);
        matrix<T> W(4, 2), H(2, 5);
        std::vector<T> shared(64, T(1));
        const auto v = c.view();
        nmfkit::csr_view<T> in_shared = v;
        in_shared.values = shared.data();
        CHECK(nmfkit::fit<T>(in_shared, {shared.data() + 3, 4, 2, 2}, H.view(), o, ws.ptr, ws.bytes, res) ==
              status::buffers_overlap);
        CHECK(nmfkit::fit<T>(in_shared, W.view(), {shared.data() + 6, 2, 5, 5}, o, ws.ptr, ws.bytes, res) ==
              status::buffers_overlap);
        CHECK(nmfkit::fit<T>(in_shared, W.view(), H.view(), o, ws.ptr, ws.bytes, res) == status::ok);
        // The workspace holding the row offsets.
        std::vector<unsigned char> raw(ws.bytes + 2 * nmfkit::workspace_alignment);
        void* wp = nmfkit::align_workspace(raw.data(), raw.size());
        auto* offsets = static_cast<std::uint64_t*>(wp);
        for (std::size_t i = 0; i < c.indptr.size(); ++i) offsets[i] = c.indptr[i];
        nmfkit::csr_view<T> in_ws = v;
        in_ws.indptr = offsets;
        CHECK(nmfkit::fit<T>(in_ws, W.view(), H.view(), o, wp, ws.bytes, res) == status::buffers_overlap);
    }
    SUBCASE("transform, transform_columns, the solver and beta_divergence validate too") {
        c.indices[3] = 0;  // row 1: 0, 0, 4
        nmfkit::options o = beta_opts(2, 3);
        workspace ws = make_csr_workspace(c, o);
        matrix<T> W(4, 2, 0, T(1)), H(2, 5, 0, T(1));
        CHECK(nmfkit::transform<T>(c.view(), H.cview(), W.view(), o, ws.ptr, ws.bytes, res) ==
              status::csr_duplicate_index);
        CHECK(res.bad_entry == 3);
        CHECK(nmfkit::transform_columns<T>(c.view(), W.cview(), H.view(), o, ws.ptr, ws.bytes, res) ==
              status::csr_duplicate_index);
        nmfkit::solver<T> s;
        CHECK(s.start(c.view(), W.view(), H.view(), o, ws.ptr, ws.bytes, res) == status::csr_duplicate_index);
        CHECK(s.run(1, res) == status::not_started);
        // beta_divergence must not read H out of bounds: it checks the indices at least.
        c.indices[3] = 2;
        c.indices[6] = 5;
        double loss = 0;
        CHECK(nmfkit::beta_divergence<T>(c.view(), W.cview(), H.cview(), 2.0, nmfkit::missing_entries::none, loss) ==
              status::csr_index_out_of_range);
    }
}

TEST_CASE_TEMPLATE("CSR workspace: within workspace_bound, enough, never overrun", T, float, double) {
    splitmix rng(510);
    const std::size_t dims[][2] = {{1, 1}, {1, 70}, {70, 1}, {33, 17}, {45, 25}, {15, 70}};
    const double betas[] = {2, 1, 0.5, 0};
    int fits = 0;
    for (const auto& d : dims) {
        const std::size_t n = d[0], m = d[1];
        auto Xd = random_sparse<T>(n, m, 0.15, rng, 2.0);
        for (std::size_t i = 0; i < n; ++i)
            for (std::size_t j = 0; j < m; ++j) Xd(i, j) += T(0.01);  // β ≤ 0 needs every entry positive
        const auto full = to_full_csr(Xd);
        for (std::size_t r : {1u, 5u})
            for (double beta : betas)
                for (auto init : {nmfkit::init_method::random, nmfkit::init_method::nndsvda})
                    for (auto miss : {nmfkit::missing_entries::none, nmfkit::missing_entries::unstored}) {
                        // Sparse input for β > 0; every entry stored (positive) for β ≤ 0.
                        const auto X = beta > 0 ? to_csr(random_sparse<T>(n, m, 0.15, rng, 2.0)) : full;
                        nmfkit::options o = beta_opts(r, 2, beta, 5);
                        o.init = init;
                        o.missing = miss;
                        CAPTURE(n);
                        CAPTURE(m);
                        CAPTURE(r);
                        CAPTURE(beta);
                        CAPTURE(std::string(init_name(init)));
                        CAPTURE(std::string(nmfkit::name(miss)));
                        std::size_t bytes = 0;
                        const status s = nmfkit::workspace_size<T>(n, m, X.nnz(), o, bytes);
                        if (s == status::rank_too_large) continue;  // nndsvda with r > min(n, m)
                        REQUIRE(s == status::ok);
                        CHECK(bytes <= nmfkit::workspace_bound<T>(n, m, X.nnz(), o));
                        canary_workspace ws(bytes);
                        matrix<T> W(n, r), H(r, m);
                        nmfkit::result res;
                        REQUIRE(nmfkit::fit<T>(X.view(), W.view(), H.view(), o, ws.ptr, bytes, res) == status::ok);
                        CHECK(ws.tail_intact());
                        CHECK(all_finite_nonneg(W));
                        CHECK(all_finite_nonneg(H));
                        matrix<T> Wt(n, r);
                        REQUIRE(nmfkit::transform<T>(X.view(), H.cview(), Wt.view(), o, ws.ptr, bytes, res) ==
                                status::ok);
                        REQUIRE(nmfkit::transform_columns<T>(X.view(), W.cview(), H.view(), o, ws.ptr, bytes, res) ==
                                status::ok);
                        CHECK(ws.tail_intact());
                        // One byte short is refused before anything is written.
                        if (bytes > 0) {
                            CHECK(nmfkit::fit<T>(X.view(), W.view(), H.view(), o, ws.ptr, bytes - 1, res) ==
                                  status::workspace_too_small);
                        }
                        ++fits;
                    }
    }
    CHECK(fits > 150);
}

// nmfkit.hpp: a sparse X needs O((n + m)·r + r²) elements plus a buffer of min(nnz, max(m, 2^16))
// values per lane for β ∈ {1, 2}, missing entries or not — never n×m. 20000×5000 at 0.5 % density, r = 20.
TEST_CASE("CSR workspace: O((n + m) r) plus a buffer of min(nnz, max(m, 2^16)) values") {
    nmfkit::options o = beta_opts(20, 100, 2.0);
    const std::size_t n = 20000, m = 5000, nnz = 500000;
    std::size_t frobenius = 0, kl = 0, masked = 0, few = 0;
    REQUIRE(nmfkit::workspace_size<float>(n, m, nnz, o, frobenius) == status::ok);
    REQUIRE(nmfkit::workspace_size<float>(n, m, 1000, o, few) == status::ok);
    o.missing = nmfkit::missing_entries::unstored;
    REQUIRE(nmfkit::workspace_size<float>(n, m, nnz, o, masked) == status::ok);
    o.missing = nmfkit::missing_entries::none;
    o.beta = 1;
    REQUIRE(nmfkit::workspace_size<float>(n, m, nnz, o, kl) == status::ok);
    MESSAGE("CSR workspace for 20000x5000 r=20 nnz=5e5 float32: Frobenius "
            << frobenius << " B, KL " << kl << " B, Frobenius with missing " << masked << " B");
    const std::size_t factors = (n + m) * 20 * sizeof(float);
    CHECK(frobenius < 4 * factors);
    CHECK(kl == frobenius);
    CHECK(masked == frobenius);
    // max(m, 2^16) = 2^16 values for 5e5 entries, all 1000 of them for 1000, in each of the
    // k_csr_lanes lanes (lanes 1.. next to their m×r sums; regions rounded to 64 B).
    const std::size_t a = nmfkit::workspace_alignment, lanes = nmfkit::detail::k_csr_lanes - 1;
    auto rounded = [&](std::size_t bytes) { return (bytes + a - 1) / a * a; };
    const std::size_t sums = m * 20;
    CHECK(frobenius - few == rounded((std::size_t(1) << 16) * sizeof(float)) - rounded(1000 * sizeof(float)) +
                                 rounded(lanes * (sums + (std::size_t(1) << 16)) * sizeof(float)) -
                                 rounded(lanes * (sums + 1000) * sizeof(float)));
}

TEST_CASE("accelerated MU on a sparse CSR X: monotone, and ahead of MU after the same iterations") {
    splitmix rng(511);
    const std::size_t n = 90, m = 70, r = 6;
    const auto X = to_csr(random_sparse<double>(n, m, 0.15, rng, 2.0));
    nmfkit::options o = beta_opts(r, 30, 2, 5);
    o.alpha_w = 0.01;
    o.l1_ratio = 0.5;
    matrix<double> Wm(n, r), Hm(r, m), Wa(n, r), Ha(r, m);
    nmfkit::result mu, amu;
    REQUIRE(run_csr_fit(X, Wm, Hm, o, mu) == status::ok);
    o.solver = nmfkit::algorithm::amu;
    REQUIRE(run_csr_fit(X, Wa, Ha, o, amu) == status::ok);
    CHECK(amu.objective < mu.objective);

    matrix<double> W(n, r), H(r, m);
    workspace ws = make_csr_workspace(X, o);
    nmfkit::solver<double> s;
    nmfkit::result res;
    REQUIRE(s.start(X.view(), W.view(), H.view(), o, ws.ptr, ws.bytes, res) == status::ok);
    double prev = res.objective;
    while (!s.done()) {
        REQUIRE(s.run(1, res) == status::ok);
        CHECK(res.objective <= prev * (1 + 1e-12));
        prev = res.objective;
    }
}

// β < 1 with zeros in X drives W·H towards 0 at those entries; in float it underflows to
// subnormals where y^(β−2) overflows and 0·inf is NaN (scikit-learn clips W·H at eps there).
TEST_CASE("float, beta = 0.5, a sparse X: dense and CSR fits stay finite") {
    splitmix rng(501);
    const auto Xd = random_sparse<float>(37, 29, 0.3, rng, 3.0);
    const auto X = to_csr(Xd);
    const auto W0 = random_matrix<float>(37, 4, rng, 1.0), H0 = random_matrix<float>(4, 29, rng, 1.0);
    nmfkit::options o = beta_opts(4, 40, 0.5);
    o.init = nmfkit::init_method::custom;
    auto Wd = W0, Hd = H0, Ws = W0, Hs = H0;
    nmfkit::result dense, sparse;
    REQUIRE(run_fit(Xd, Wd, Hd, o, dense) == status::ok);
    REQUIRE(run_csr_fit(X, Ws, Hs, o, sparse) == status::ok);
    CHECK(all_finite_nonneg(Wd));
    CHECK(all_finite_nonneg(Hd));
    CHECK(std::isfinite(dense.loss));
    CHECK(all_finite_nonneg(Ws));
    CHECK(all_finite_nonneg(Hs));
    CHECK(std::isfinite(sparse.loss));
}
