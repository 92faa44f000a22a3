// Sparse X (issue 12) against scikit-learn: NMF(solver='mu') on the same CSR matrix from
// the same custom start, Frobenius and KL, with and without stored values (a pattern matrix
// is csr_view::values == nullptr) and with penalties, after 50 iterations; NMF.transform on
// a new CSR matrix; and the loss of the final factors. References:
// tests/sklearn/make_csr_reference.py.
#include <doctest/doctest.h>

#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "nmfkit/nmfkit.hpp"
#include "test_util.hpp"

#include "data/sklearn_mu_csr_reference.inc"

using namespace testutil;
using nmfkit::status;

namespace {

// The reference CSR arrays with values of type T (none for a pattern matrix).
template <class T>
struct csr_copy {
    std::vector<T> values;
    nmfkit::csr_view<T> view;
    csr_copy(const std::uint64_t* indptr, const std::uint32_t* indices, const double* v, std::size_t rows,
             bool pattern) {
        const auto nnz = static_cast<std::size_t>(indptr[rows]);
        values.assign(v, v + nnz);
        view = {indptr, indices, pattern ? nullptr : values.data(), rows, skcsr::m, nnz};
    }
};

nmfkit::options beta_opts(const skcsr::fit_case& c) {
    nmfkit::options o;
    o.solver = nmfkit::algorithm::mu;  // the references are solver='mu' (the default, auto, is hals)
    o.rank = skcsr::r;
    o.max_iter = skcsr::iterations;
    o.tol = 0;
    o.beta = c.beta;
    o.alpha_w = c.alpha_w;
    o.alpha_h = c.alpha_h;
    o.l1_ratio = c.l1_ratio;
    return o;
}

template <class T>
workspace csr_workspace(const nmfkit::csr_view<T>& X, const nmfkit::options& o) {
    std::size_t bytes = 0;
    REQUIRE(nmfkit::workspace_size<T>(X.rows, X.cols, X.nnz, o, bytes) == status::ok);
    return workspace(bytes);
}

double rel(double a, double b) { return std::fabs(a - b) / std::fabs(b); }

// f64 runs the same arithmetic as scikit-learn up to rounding (nmfkit's dense fit of the same
// matrix lands within 3e-15 of these references); f32 drifts from them by its own rounding over
// 50 multiplicative steps, ~4e-6 for the dense fit, so the same 1e-4 holds for both.
template <class T>
void check_fits(double tol) {
    for (const auto& c : skcsr::cases) {
        INFO("case " << std::string(c.name));
        const csr_copy<T> X(skcsr::indptr, skcsr::indices, skcsr::values, skcsr::n, c.pattern);
        auto W = from_array<T>(skcsr::W0, skcsr::n, skcsr::r);
        auto H = from_array<T>(skcsr::H0, skcsr::r, skcsr::m);
        nmfkit::options o = beta_opts(c);
        o.init = nmfkit::init_method::custom;
        workspace ws = csr_workspace(X.view, o);
        nmfkit::result res;
        REQUIRE(nmfkit::fit<T>(X.view, W.view(), H.view(), o, ws.ptr, ws.bytes, res) == status::ok);
        CHECK(res.iterations == static_cast<std::uint32_t>(skcsr::iterations));
        CHECK(rel_diff(W, from_array<T>(c.W, skcsr::n, skcsr::r)) < tol);
        CHECK(rel_diff(H, from_array<T>(c.H, skcsr::r, skcsr::m)) < tol);
        CHECK(rel(res.loss, c.loss) < tol);
        // The row and the column without stored entries: nothing pulls them up.
        for (std::size_t k = 0; k < skcsr::r; ++k) {
            CHECK(W(skcsr::empty_row, k) == T(0));
            CHECK(H(k, skcsr::empty_col) == T(0));
        }
    }
}

}  // namespace

TEST_CASE("CSR fit agrees with scikit-learn NMF(solver='mu') on the same CSR matrix, float64") {
    check_fits<double>(1e-4);
}

TEST_CASE("CSR fit agrees with scikit-learn NMF(solver='mu') on the same CSR matrix, float32") {
    check_fits<float>(1e-4);
}

TEST_CASE("beta_divergence of a CSR X equals scikit-learn's at its final factors") {
    for (const auto& c : skcsr::cases) {
        INFO("case " << std::string(c.name));
        const csr_copy<double> X(skcsr::indptr, skcsr::indices, skcsr::values, skcsr::n, c.pattern);
        const auto W = from_array<double>(c.W, skcsr::n, skcsr::r);
        const auto H = from_array<double>(c.H, skcsr::r, skcsr::m);
        double loss = -1;
        REQUIRE(nmfkit::beta_divergence<double>(X.view, W.cview(), H.cview(), c.beta, nmfkit::missing_entries::none,
                                                loss) == status::ok);
        CHECK(rel(loss, c.loss) < 1e-10);
    }
}

TEST_CASE("CSR transform agrees with scikit-learn's NMF.transform on a CSR matrix") {
    for (const auto& c : skcsr::transforms) {
        INFO("case " << std::string(c.name));
        const csr_copy<double> X(skcsr::transform_indptr, skcsr::transform_indices, skcsr::transform_values, skcsr::n,
                                 false);
        const auto H = from_array<double>(c.H, skcsr::r, skcsr::m);
        matrix<double> W(skcsr::n, skcsr::r);
        const nmfkit::options o = beta_opts(c);
        workspace ws = csr_workspace(X.view, o);
        nmfkit::result res;
        REQUIRE(nmfkit::transform<double>(X.view, H.cview(), W.view(), o, ws.ptr, ws.bytes, res) == status::ok);
        CHECK(rel_diff(W, from_array<double>(c.W, skcsr::n, skcsr::r)) < 1e-4);
        CHECK(rel(res.loss, c.loss) < 1e-4);
        for (std::size_t k = 0; k < skcsr::r; ++k) CHECK(W(skcsr::n - 1 - skcsr::empty_row, k) == 0.0);
    }
}
