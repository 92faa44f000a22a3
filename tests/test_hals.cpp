// solver = hals (issue 13): Cichocki & Phan's fast HALS, scikit-learn's NMF(solver='cd',
// shuffle=False). Checked against scikit-learn from the same custom start (dense, penalties,
// l1_ratio = 1, CSR, transform; references: tests/sklearn/make_cd_reference.py), against
// theory (every coordinate step is an exact minimization, so the objective never increases),
// and for the solver's contract: slices equal a one-shot fit bitwise, cancel, errors, C API.
#include <doctest/doctest.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <string>
#include <vector>

#include "csr_util.hpp"
#include "kernels/kernels.hpp"
#include "nmfkit/nmfkit.h"
#include "nmfkit/nmfkit.hpp"
#include "test_util.hpp"

#include "solver/hals.hpp"

#include "data/sklearn_cd_reference.inc"

using namespace testutil;
using nmfkit::status;

namespace {

nmfkit::options hals_opts(std::size_t rank, std::uint32_t iters, double alpha_w = 0, double alpha_h = 0,
                          double l1_ratio = 0) {
    nmfkit::options o = beta_opts(rank, iters);
    o.solver = nmfkit::algorithm::hals;
    o.alpha_w = alpha_w;
    o.alpha_h = alpha_h;
    o.l1_ratio = l1_ratio;
    return o;
}

// The reference CSR arrays with values of type T.
template <class T>
struct csr_copy {
    std::vector<T> values;
    nmfkit::csr_view<T> view;
    csr_copy() : values(skcd::csr_values, skcd::csr_values + skcd::csr_nnz) {
        view = {skcd::csr_indptr, skcd::csr_indices, values.data(), skcd::csr_n, skcd::csr_m, skcd::csr_nnz};
    }
};

// The penalties of options o on W, H for an n×m X (scikit-learn's scaling, see nmfkit::options).
template <class T>
double penalties(const matrix<T>& W, const matrix<T>& H, std::size_t n, std::size_t m, const nmfkit::options& o) {
    auto pen = [](const matrix<T>& A, double l1, double l2) {
        long double s1 = 0, s2 = 0;
        for (std::size_t i = 0; i < A.rows; ++i)
            for (std::size_t j = 0; j < A.cols; ++j) {
                s1 += A(i, j);
                s2 += static_cast<long double>(A(i, j)) * A(i, j);
            }
        return static_cast<double>(l1 * s1 + 0.5L * l2 * s2);
    };
    const double dn = static_cast<double>(n), dm = static_cast<double>(m);
    return pen(W, dm * o.alpha_w * o.l1_ratio, dm * o.alpha_w * (1 - o.l1_ratio)) +
           pen(H, dn * o.alpha_h * o.l1_ratio, dn * o.alpha_h * (1 - o.l1_ratio));
}

// ½‖X − W·H‖²_F + penalties, computed by the test entry by entry in long double.
template <class T>
double objective(const matrix<T>& X, const matrix<T>& W, const matrix<T>& H, const nmfkit::options& o) {
    return direct_loss(X, W, H, 2, [](std::size_t, std::size_t) { return true; }) + penalties(W, H, X.rows, X.cols, o);
}

template <class T>
double sq_norm(const matrix<T>& X) {
    long double s = 0;
    for (std::size_t i = 0; i < X.rows; ++i)
        for (std::size_t j = 0; j < X.cols; ++j) s += static_cast<long double>(X(i, j)) * X(i, j);
    return static_cast<double>(s);
}

template <class T>
bool same_bits(const matrix<T>& a, const matrix<T>& b) {
    return a.rows == b.rows && a.cols == b.cols &&
           std::memcmp(a.data.data(), b.data.data(), a.data.size() * sizeof(T)) == 0;
}

template <class T>
workspace view_workspace(const nmfkit::csr_view<T>& X, const nmfkit::options& o) {
    std::size_t bytes = 0;
    REQUIRE(nmfkit::workspace_size<T>(X.rows, X.cols, X.nnz, o, bytes) == status::ok);
    return workspace(bytes);
}

// Fits every reference case from its start in T; tol bounds the normwise relative difference of
// W and H and the relative difference of the final error ‖X − W·H‖_F.
template <class T>
void check_references(double tol) {
    const auto X = from_array<T>(skcd::X, skcd::n, skcd::m);
    const double norm_x = std::sqrt(sq_norm(X));
    const csr_copy<T> C;
    double norm_c = 0;
    for (double v : skcd::csr_values) norm_c += v * v;
    norm_c = std::sqrt(norm_c);
    for (const auto& c : skcd::cases) {
        INFO("case " << std::string(c.name));
        const std::size_t n = c.sparse ? skcd::csr_n : skcd::n, m = c.sparse ? skcd::csr_m : skcd::m;
        const std::size_t r = c.sparse ? skcd::csr_r : skcd::r;
        auto W = from_array<T>(c.sparse ? skcd::csr_W0 : skcd::W0, n, r);
        auto H = from_array<T>(c.sparse ? skcd::csr_H0 : skcd::H0, r, m);
        nmfkit::options o = hals_opts(r, skcd::iterations, c.alpha_w, c.alpha_h, c.l1_ratio);
        o.init = nmfkit::init_method::custom;
        nmfkit::result res;
        if (c.sparse) {
            workspace ws = view_workspace(C.view, o);
            REQUIRE(nmfkit::fit<T>(C.view, W.view(), H.view(), o, ws.ptr, ws.bytes, res) == status::ok);
        } else {
            REQUIRE(run_fit(X, W, H, o, res) == status::ok);
        }
        CHECK(res.iterations == static_cast<std::uint32_t>(skcd::iterations));
        CHECK(all_finite_nonneg(W));
        CHECK(all_finite_nonneg(H));
        CHECK(rel_diff(W, from_array<T>(c.W, n, r)) < tol);
        CHECK(rel_diff(H, from_array<T>(c.H, r, m)) < tol);
        CHECK_REL(std::sqrt(2 * res.loss), c.err, tol);
        CHECK_REL(res.relative_error * (c.sparse ? norm_c : norm_x), c.err, tol);
        if (c.sparse)
            for (std::size_t k = 0; k < r; ++k) {
                CHECK(W(skcd::empty_row, k) == T(0));
                CHECK(H(k, skcd::empty_col) == T(0));
            }
    }
}

}  // namespace

// f64 runs scikit-learn's arithmetic up to rounding order (measured: within 7e-15 of every
// reference). In f32 the coordinate steps' own rounding is carried through 50 sweeps and a
// step clipped at 0 in one run but not the other amplifies it (measured: 2e-6, 6e-5 for H of
// the l1 case); 5e-4 still fails a wrong update: alpha_w off by 5 % moves W, H by 1e-2 or more.
// A fit's sweep budget 1 + α·ρ (Gillis & Glineur's acceleration) is one sweep on problems this
// small (ρ < 1/α): there hals is scikit-learn's cd exactly, which the references check.
TEST_CASE("the reference problems run one sweep per side: exactly scikit-learn's cd") {
    const double dense = double(skcd::n * skcd::m), sparse = double(skcd::csr_nnz);
    CHECK(nmfkit::detail::hals_sweeps(skcd::n, skcd::m, skcd::r, dense, true) == 1);
    CHECK(nmfkit::detail::hals_sweeps(skcd::n, skcd::m, skcd::r, dense, false) == 1);
    CHECK(nmfkit::detail::hals_sweeps(skcd::csr_n, skcd::csr_m, skcd::csr_r, sparse, true) == 1);
    CHECK(nmfkit::detail::hals_sweeps(skcd::csr_n, skcd::csr_m, skcd::csr_r, sparse, false) == 1);
    // ... and several on the benchmark's 5000×2000 r = 50 (ρ = 40 for W, 101 for H).
    CHECK(nmfkit::detail::hals_sweeps(5000, 2000, 50, 1e7, true) == 5);
    CHECK(nmfkit::detail::hals_sweeps(5000, 2000, 50, 1e7, false) == 11);
}

TEST_CASE("hals agrees with scikit-learn NMF(solver='cd', shuffle=False) from the same start, float64") {
    check_references<double>(1e-4);
}

TEST_CASE("hals agrees with scikit-learn NMF(solver='cd', shuffle=False) from the same start, float32") {
    check_references<float>(5e-4);
}

TEST_CASE("hals transform and transform_columns agree with scikit-learn's cd transform") {
    // scikit-learn's cd transform starts from a zero factor: init = custom with a zero output.
    const auto X = from_array<double>(skcd::transform_X, skcd::n, skcd::m);
    const auto H = from_array<double>(skcd::transform_H, skcd::r, skcd::m);
    nmfkit::options o = hals_opts(skcd::r, skcd::iterations);
    o.init = nmfkit::init_method::custom;
    nmfkit::result res;
    {
        matrix<double> W(skcd::n, skcd::r);
        workspace ws = make_workspace<double>(skcd::n, skcd::m, o);
        REQUIRE(nmfkit::transform<double>(X.cview(), H.cview(), W.view(), o, ws.ptr, ws.bytes, res) == status::ok);
        CHECK(res.iterations == static_cast<std::uint32_t>(skcd::iterations));
        CHECK(rel_diff(W, from_array<double>(skcd::transform_W, skcd::n, skcd::r)) < 1e-4);
        CHECK_REL(std::sqrt(2 * res.loss), skcd::transform_err, 1e-4);

        // The same X stored as CSR (every entry) gives the same W.
        const auto C = to_full_csr(X);
        matrix<double> Wc(skcd::n, skcd::r);
        workspace wc = make_csr_workspace(C, o);
        REQUIRE(nmfkit::transform<double>(C.view(), H.cview(), Wc.view(), o, wc.ptr, wc.bytes, res) == status::ok);
        CHECK(rel_diff(Wc, W) < 1e-12);
    }
    {
        const auto Xc = from_array<double>(skcd::columns_X, skcd::n, skcd::m);
        const auto W = from_array<double>(skcd::columns_W, skcd::n, skcd::r);
        matrix<double> Hc(skcd::r, skcd::m);
        workspace ws = make_workspace<double>(skcd::n, skcd::m, o);
        REQUIRE(nmfkit::transform_columns<double>(Xc.cview(), W.cview(), Hc.view(), o, ws.ptr, ws.bytes, res) ==
                status::ok);
        CHECK(rel_diff(Hc, from_array<double>(skcd::columns_H, skcd::r, skcd::m)) < 1e-4);
        CHECK_REL(std::sqrt(2 * res.loss), skcd::columns_err, 1e-4);

        const auto C = to_full_csr(Xc);
        matrix<double> Hs(skcd::r, skcd::m);
        workspace wc = make_csr_workspace(C, o);
        REQUIRE(nmfkit::transform_columns<double>(C.view(), W.cview(), Hs.view(), o, wc.ptr, wc.bytes, res) ==
                status::ok);
        CHECK(rel_diff(Hs, Hc) < 1e-12);
    }
}

namespace {

// kernel_table::hals_rows in long double: rows×r F (stride ldf), B[i, t] = b[i·bi + t·bt].
template <class T>
void hals_oracle(std::size_t rows, std::size_t r, std::vector<T>& F, std::size_t ldf, const std::vector<T>& b,
                 std::size_t bi, std::size_t bt, const std::vector<T>& G, double l1, double l2, std::uint32_t sweeps) {
    for (std::size_t i = 0; i < rows; ++i)
        for (std::uint32_t s = 0; s < sweeps; ++s)
            for (std::size_t t = 0; t < r; ++t) {
                const long double h = static_cast<long double>(G[t * r + t]) + l2;
                if (h == 0) continue;
                long double g = static_cast<long double>(l1) - b[i * bi + t * bt] +
                                l2 * static_cast<long double>(F[i * ldf + t]);
                for (std::size_t c = 0; c < r; ++c) g += static_cast<long double>(G[t * r + c]) * F[i * ldf + c];
                const long double v = F[i * ldf + t] - g / h;
                F[i * ldf + t] = v > 0 ? static_cast<T>(v) : T(0);
            }
}

// One HALS problem: G = HHᵀ (H r×k, one zero row: a column whose h is 0 when l2 = 0), B = X·Hᵀ,
// F with zeros, rows of stride r + 3 whose padding is NaN.
template <class T>
struct hals_problem {
    std::size_t rows, r, ldf;
    std::vector<T> F, b, bt_layout, G;
    hals_problem(std::size_t rows_, std::size_t r_, splitmix& rng) : rows(rows_), r(r_), ldf(r_ + 3) {
        const std::size_t k = 3 * r + 5;
        std::vector<double> H(r * k);
        for (auto& v : H) v = rng.uniform();
        for (std::size_t c = 0; c < k; ++c) H[(r / 2) * k + c] = 0;
        G.resize(r * r);
        for (std::size_t a = 0; a < r; ++a)
            for (std::size_t c = 0; c < r; ++c) {
                double s = 0;
                for (std::size_t j = 0; j < k; ++j) s += H[a * k + j] * H[c * k + j];
                G[a * r + c] = static_cast<T>(s);
            }
        F.assign(rows * ldf, std::numeric_limits<T>::quiet_NaN());
        b.resize(rows * r);
        bt_layout.resize(rows * r);
        for (std::size_t i = 0; i < rows; ++i)
            for (std::size_t t = 0; t < r; ++t) {
                F[i * ldf + t] = rng.uniform() < 0.2 ? T(0) : static_cast<T>(rng.uniform());
                double s = 0;
                for (std::size_t j = 0; j < k; ++j) s += 2 * rng.uniform() * H[t * k + j];
                b[i * r + t] = bt_layout[t * rows + i] = static_cast<T>(s);
            }
    }
};

// ‖a − b‖ / ‖start‖ over the rows (not over ‖b‖: b may be 0 up to rounding, e.g. when B = 0).
template <class T>
double rows_rel_diff(const std::vector<T>& a, const std::vector<T>& b, const std::vector<T>& start, std::size_t rows,
                     std::size_t r, std::size_t ld) {
    long double num = 0, den = 0;
    for (std::size_t i = 0; i < rows; ++i)
        for (std::size_t t = 0; t < r; ++t) {
            const long double d = static_cast<long double>(a[i * ld + t]) - b[i * ld + t];
            num += d * d;
            den += static_cast<long double>(start[i * ld + t]) * start[i * ld + t];
        }
    return static_cast<double>(std::sqrt(num / (den + 1e-300L)));
}

template <class T>
void hals_kernel_suite() {
    splitmix rng(sizeof(T) * 31 + 1);
    std::size_t count = 0;
    const nmfkit::detail::kernel_table<T>* const* sets = nmfkit::detail::available_kernels<T>(count);
    // r around the vector widths (tails, no tail, two chains), rows around the groups of four.
    for (std::size_t r : {1, 3, 4, 7, 8, 9, 16, 17, 31, 50}) {
        for (std::size_t rows : {1, 5, 13}) {
            const hals_problem<T> p(rows, r, rng);
            for (double l1 : {0.0, 0.3})
                for (double l2 : {0.0, 0.7}) {
                    for (std::size_t k = 0; k < count; ++k) {
                        const auto& ks = *sets[k];
                        if (ks.hals_rows == nullptr) continue;  // Frobenius-only cores
                        INFO("set " << std::string(ks.name) << " r=" << r << " rows=" << rows << " l1=" << l1
                                    << " l2=" << l2);
                        // Against the oracle: one sweep, and three (delta2 = 0: no early stop), both B layouts.
                        for (std::uint32_t sweeps : {1u, 3u}) {
                            std::vector<T> ref = p.F, got = p.F, got_t = p.F;
                            hals_oracle(rows, r, ref, p.ldf, p.b, r, 1, p.G, l1, l2, sweeps);
                            ks.hals_rows(rows, r, got.data(), p.ldf, p.b.data(), r, 1, p.G.data(), l1, l2, sweeps, 0);
                            ks.hals_rows(rows, r, got_t.data(), p.ldf, p.bt_layout.data(), 1, rows, p.G.data(), l1, l2,
                                         sweeps, 0);
                            const double tol = sizeof(T) == 4 ? 1e-4 : 1e-11;
                            CHECK(rows_rel_diff(got, ref, p.F, rows, r, p.ldf) < tol);
                            CHECK(std::memcmp(got.data(), got_t.data(), got.size() * sizeof(T)) == 0);
                            for (std::size_t i = 0; i < rows; ++i)
                                for (std::size_t t = 0; t < p.ldf; ++t) {
                                    const T v = got[i * p.ldf + t];
                                    if (t >= r) CHECK(std::isnan(v));  // padding untouched
                                    else CHECK((std::isfinite(v) && v >= 0));
                                }
                            if (l2 == 0)  // G[t, t] = 0 for t = r/2: that column stays
                                for (std::size_t i = 0; i < rows; ++i)
                                    CHECK(got[i * p.ldf + r / 2] == p.F[i * p.ldf + r / 2]);
                        }
                        // Three sweeps are three calls of one (no row stops on delta2 = 0 but for a
                        // zero step, after which a sweep changes nothing).
                        std::vector<T> three = p.F, ones = p.F;
                        ks.hals_rows(rows, r, three.data(), p.ldf, p.b.data(), r, 1, p.G.data(), l1, l2, 3, 0);
                        for (int s = 0; s < 3; ++s)
                            ks.hals_rows(rows, r, ones.data(), p.ldf, p.b.data(), r, 1, p.G.data(), l1, l2, 1, 0);
                        CHECK(std::memcmp(three.data(), ones.data(), three.size() * sizeof(T)) == 0);
                        // A delta2 no second sweep can beat stops every row after its second sweep.
                        std::vector<T> stopped = p.F, two = p.F;
                        ks.hals_rows(rows, r, stopped.data(), p.ldf, p.b.data(), r, 1, p.G.data(), l1, l2, 9, 1e300);
                        ks.hals_rows(rows, r, two.data(), p.ldf, p.b.data(), r, 1, p.G.data(), l1, l2, 2, 0);
                        CHECK(std::memcmp(stopped.data(), two.data(), two.size() * sizeof(T)) == 0);
                        // Rows are independent, early stops included: all rows at once, one at a time and
                        // in blocks of three give the same bits.
                        std::vector<T> all = p.F, single = p.F, blocks = p.F;
                        ks.hals_rows(rows, r, all.data(), p.ldf, p.b.data(), r, 1, p.G.data(), l1, l2, 6, 0.05);
                        for (std::size_t i = 0; i < rows; ++i)
                            ks.hals_rows(1, r, single.data() + i * p.ldf, p.ldf, p.b.data() + i * r, r, 1, p.G.data(),
                                         l1, l2, 6, 0.05);
                        for (std::size_t i = 0; i < rows; i += 3)
                            ks.hals_rows(rows - i < 3 ? rows - i : 3, r, blocks.data() + i * p.ldf, p.ldf,
                                         p.b.data() + i * r, r, 1, p.G.data(), l1, l2, 6, 0.05);
                        CHECK(std::memcmp(all.data(), single.data(), all.size() * sizeof(T)) == 0);
                        CHECK(std::memcmp(all.data(), blocks.data(), all.size() * sizeof(T)) == 0);
                    }
                }
        }
    }
}

}  // namespace

TEST_CASE_TEMPLATE("hals_rows: every kernel set against a long-double oracle; sweeps, early stop, rows independent", T,
                   float, double) {
    hals_kernel_suite<T>();
}

namespace {

// One random problem, run one iteration at a time: the objective the test computes and the one
// the solver reports (result.objective) never increase, and agree.
template <class T>
void check_monotone(splitmix& rng, bool sparse, bool penalized, int trial) {
    const std::size_t n = 2 + rng.below(30), m = 2 + rng.below(30), r = 1 + rng.below(7);
    matrix<T> X = sparse ? random_sparse<T>(n, m, 0.1 + 0.4 * rng.uniform(), rng, 3.0)
                         : random_matrix<T>(n, m, rng, 3.0);
    if (!sparse)
        for (auto& v : X.data)
            if (rng.uniform() < 0.1) v = 0;
    nmfkit::options o = hals_opts(r, 20);
    o.seed = 1000 + static_cast<std::uint64_t>(trial);
    o.check_every = 1;
    if (trial % 3 == 0) o.kernel = nmfkit::kernel_choice::scalar;  // the reference kernels too
    if (penalized) {
        o.alpha_w = 0.1 * rng.uniform();
        o.alpha_h = 0.1 * rng.uniform();
        o.l1_ratio = rng.below(4) == 0 ? 1.0 : rng.uniform();
    }
    INFO("sparse=" << sparse << " T=" << sizeof(T) << " n=" << n << " m=" << m << " r=" << r << " alpha_w=" << o.alpha_w
                   << " alpha_h=" << o.alpha_h << " l1_ratio=" << o.l1_ratio << " seed=" << o.seed
                   << " kernel=" << nmfkit::name(o.kernel));
    const csr<T> C = to_csr(X);
    matrix<T> W(n, r), H(r, m);
    workspace ws = sparse ? make_csr_workspace(C, o) : make_workspace<T>(n, m, o);
    nmfkit::solver<T> s;
    nmfkit::result res;
    const status st = sparse ? s.start(C.view(), W.view(), H.view(), o, ws.ptr, ws.bytes, res)
                             : s.start(X.cview(), W.view(), H.view(), o, ws.ptr, ws.bytes, res);
    REQUIRE(st == status::ok);
    // Rounding, relative to ½‖X‖²: the exact objective is summed in long double from W, H in T,
    // and a coordinate step off its minimizer by a rounding error δ raises it by O(δ²) only
    // (measured: 1e-14 in f32, 1e-32 in f64). result.objective comes from cached products and
    // cancels against ½‖X‖² (measured: rises by 2e-7 in f32, 9e-16 in f64, and is within 2e-7,
    // 8e-16 of the exact value).
    const double scale = 0.5 * sq_norm(X) + 1e-30;
    const bool f32 = sizeof(T) == 4;
    const double exact_slack = f32 ? 1e-10 : 1e-14, reported_slack = f32 ? 5e-6 : 1e-13;
    const double agreement = f32 ? 1e-5 : 1e-12;
    const double start = objective(X, W, H, o);
    double prev = start, prev_reported = prev;
    while (!s.done()) {
        REQUIRE(s.run(1, res) == status::ok);
        const double cur = objective(X, W, H, o);
        INFO("iteration " << res.iterations << ": objective " << prev << " -> " << cur << ", reported " << prev_reported
                          << " -> " << res.objective);
        CHECK(cur <= prev + exact_slack * scale);
        CHECK(res.objective <= prev_reported + reported_slack * scale);
        CHECK(std::fabs(res.objective - cur) <= agreement * scale);
        prev = cur;
        prev_reported = res.objective;
    }
    CHECK(res.iterations == 20);
    if (scale > 1e-20) CHECK(prev < start);  // and it does move
    CHECK(all_finite_nonneg(W));
    CHECK(all_finite_nonneg(H));
}

}  // namespace

TEST_CASE("the hals objective never increases: 224 random problems, dense and CSR, float and double") {
    splitmix rng(1313);
    int trial = 0;
    for (int sparse = 0; sparse < 2; ++sparse)
        for (int penalized = 0; penalized < 2; ++penalized)
            for (int k = 0; k < 28; ++k) {
                check_monotone<double>(rng, sparse != 0, penalized != 0, trial++);
                check_monotone<float>(rng, sparse != 0, penalized != 0, trial++);
            }
}

TEST_CASE("hals in slices equals a one-shot fit bitwise, dense and CSR") {
    splitmix rng(7);
    const auto X = random_matrix<double>(37, 23, rng, 2.0);
    const auto S = random_sparse<float>(50, 31, 0.2, rng, 2.0);
    const csr<float> C = to_csr(S);
    for (double tol : {0.0, 1e-4}) {
        nmfkit::options o = hals_opts(4, 60, 0.01, 0.02, 0.4);
        o.tol = tol;
        o.check_every = 5;
        INFO("tol " << tol);
        {
            matrix<double> W(37, 4), H(4, 23), Ws(37, 4), Hs(4, 23);
            nmfkit::result one, sliced;
            REQUIRE(run_fit(X, W, H, o, one) == status::ok);
            workspace ws = make_workspace<double>(37, 23, o);
            nmfkit::solver<double> s;
            REQUIRE(s.start(X.cview(), Ws.view(), Hs.view(), o, ws.ptr, ws.bytes, sliced) == status::ok);
            std::uint32_t slice = 1;
            while (!s.done()) REQUIRE(s.run(slice++ % 4 + 1, sliced) == status::ok);  // 2, 3, 4, 1, 2, ...
            REQUIRE(s.finish(sliced) == status::ok);
            CHECK(sliced.iterations == one.iterations);
            CHECK(sliced.converged == one.converged);
            CHECK(same_bits(Ws, W));
            CHECK(same_bits(Hs, H));
            CHECK(sliced.loss == one.loss);
            CHECK(sliced.objective == one.objective);
            if (tol > 0) CHECK(one.iterations < 60);  // the error rule did stop it
        }
        {
            matrix<float> W(50, 4), H(4, 31), Ws(50, 4), Hs(4, 31);
            nmfkit::result one, sliced;
            REQUIRE(run_csr_fit(C, W, H, o, one) == status::ok);
            workspace ws = make_csr_workspace(C, o);
            nmfkit::solver<float> s;
            REQUIRE(s.start(C.view(), Ws.view(), Hs.view(), o, ws.ptr, ws.bytes, sliced) == status::ok);
            while (!s.done()) REQUIRE(s.run(7, sliced) == status::ok);
            REQUIRE(s.finish(sliced) == status::ok);
            CHECK(sliced.iterations == one.iterations);
            CHECK(same_bits(Ws, W));
            CHECK(same_bits(Hs, H));
            CHECK(sliced.loss == one.loss);
        }
    }
}

TEST_CASE("hals stops through the progress callback with the iterate it reached") {
    splitmix rng(8);
    const auto X = random_matrix<float>(30, 20, rng, 1.0);
    const csr<float> C = to_csr(random_sparse<float>(30, 20, 0.3, rng));
    struct stop_t {
        std::uint32_t at;
        std::vector<std::uint32_t> seen;
    };
    auto cb = [](const nmfkit::progress& p, void* user) {
        auto* s = static_cast<stop_t*>(user);
        s->seen.push_back(p.iteration);
        return p.iteration < s->at;
    };
    for (int sparse = 0; sparse < 2; ++sparse) {
        INFO("sparse " << sparse);
        nmfkit::options o = hals_opts(3, 40);
        o.check_every = 1;
        stop_t stop{6, {}};
        matrix<float> W(30, 3), H(3, 20);
        nmfkit::result res;
        if (sparse) {
            workspace ws = make_csr_workspace(C, o);
            CHECK(nmfkit::fit<float>(C.view(), W.view(), H.view(), o, ws.ptr, ws.bytes, res, cb, &stop) ==
                  status::cancelled);
        } else {
            workspace ws = make_workspace<float>(30, 20, o);
            CHECK(nmfkit::fit<float>(X.cview(), W.view(), H.view(), o, ws.ptr, ws.bytes, res, cb, &stop) ==
                  status::cancelled);
        }
        CHECK(res.iterations == 6);
        CHECK(stop.seen == std::vector<std::uint32_t>{1, 2, 3, 4, 5, 6});
        // W, H are the iterate of a 6-iteration fit.
        matrix<float> W6(30, 3), H6(3, 20);
        nmfkit::result r6;
        o.max_iter = 6;
        REQUIRE((sparse ? run_csr_fit(C, W6, H6, o, r6) : run_fit(X, W6, H6, o, r6)) == status::ok);
        CHECK(same_bits(W, W6));
        CHECK(same_bits(H, H6));
    }
}

TEST_CASE("hals needs beta = 2 and every entry observed: invalid_solver otherwise") {
    splitmix rng(9);
    const auto X = random_matrix<double>(12, 9, rng, 1.0);
    const csr<double> C = to_csr(random_sparse<double>(12, 9, 0.4, rng));
    matrix<double> W(12, 3), H(3, 9);
    nmfkit::result res;
    std::size_t bytes = 0;
    workspace ws = make_workspace<double>(12, 9, beta_opts(3, 5, 1));
    workspace wc = make_csr_workspace(C, beta_opts(3, 5, 1));
    auto dense_fit = [&](const nmfkit::options& o) {
        return nmfkit::fit<double>(X.cview(), W.view(), H.view(), o, ws.ptr, ws.bytes, res);
    };
    auto csr_fit = [&](const nmfkit::options& o) {
        return nmfkit::fit<double>(C.view(), W.view(), H.view(), o, wc.ptr, wc.bytes, res);
    };
    for (double beta : {1.0, 0.0, 0.5, 1.5, 3.0}) {
        INFO("beta " << beta);
        nmfkit::options o = hals_opts(3, 5);
        o.beta = beta;
        CHECK(nmfkit::workspace_size<double>(12, 9, o, bytes) == status::invalid_solver);
        CHECK(nmfkit::workspace_size<double>(12, 9, C.nnz(), o, bytes) == status::invalid_solver);
        CHECK(dense_fit(o) == status::invalid_solver);
        CHECK(csr_fit(o) == status::invalid_solver);
        nmfkit::solver<double> s;
        CHECK(s.start(X.cview(), W.view(), H.view(), o, ws.ptr, ws.bytes, res) == status::invalid_solver);
        CHECK(nmfkit::transform<double>(X.cview(), H.cview(), W.view(), o, ws.ptr, ws.bytes, res) ==
              status::invalid_solver);
    }
    nmfkit::options o = hals_opts(3, 5);
    o.missing = nmfkit::missing_entries::nan;
    CHECK(nmfkit::workspace_size<double>(12, 9, o, bytes) == status::invalid_solver);
    CHECK(dense_fit(o) == status::invalid_solver);
    o.missing = nmfkit::missing_entries::unstored;
    CHECK(nmfkit::workspace_size<double>(12, 9, C.nnz(), o, bytes) == status::invalid_solver);
    CHECK(csr_fit(o) == status::invalid_solver);
    CHECK(nmfkit::transform<double>(C.view(), H.cview(), W.view(), o, wc.ptr, wc.bytes, res) == status::invalid_solver);
    // The same options with beta = 2 and nothing missing run.
    CHECK(dense_fit(hals_opts(3, 5)) == status::ok);
    CHECK(csr_fit(hals_opts(3, 5)) == status::ok);
}

TEST_CASE("hals by name: \"hals\" and scikit-learn's \"cd\" in C++ and C") {
    nmfkit::algorithm a = nmfkit::algorithm::mu;
    CHECK(nmfkit::parse_solver("hals", a));
    CHECK(a == nmfkit::algorithm::hals);
    a = nmfkit::algorithm::mu;
    CHECK(nmfkit::parse_solver("cd", a));
    CHECK(a == nmfkit::algorithm::hals);
    CHECK(std::string(nmfkit::name(nmfkit::algorithm::hals)) == "hals");
    CHECK(static_cast<int>(nmfkit::algorithm::hals) == 2);
    std::int32_t c = -1;
    CHECK(nmfkit_parse_solver("hals", &c));
    CHECK(c == NMFKIT_SOLVER_HALS);
    CHECK(std::string(nmfkit_solver_name(NMFKIT_SOLVER_HALS)) == "hals");
}

TEST_CASE("the C API's hals (NMFKIT_SOLVER_HALS) gives the C++ result bitwise, dense and CSR") {
    splitmix rng(10);
    const std::size_t n = 25, m = 18, r = 4;
    const auto X = random_matrix<double>(n, m, rng, 2.0);
    const auto S = random_sparse<float>(n, m, 0.25, rng, 2.0);
    const csr<float> C = to_csr(S);
    nmfkit::options o = hals_opts(r, 30, 0.02, 0.01, 0.5);
    o.seed = 5;
    nmfkit_options co;
    nmfkit_options_default(&co);
    co.rank = r;
    co.max_iter = 30;
    co.tol = 0;
    co.seed = 5;
    co.alpha_w = 0.02;
    co.alpha_h = 0.01;
    co.l1_ratio = 0.5;
    co.solver = NMFKIT_SOLVER_HALS;
    {
        matrix<double> W(n, r), H(r, m), Wc(n, r), Hc(r, m);
        nmfkit::result res;
        REQUIRE(run_fit(X, W, H, o, res) == status::ok);
        std::size_t bytes = 0;
        REQUIRE(nmfkit_workspace_size_f64(n, m, &co, &bytes) == NMFKIT_OK);
        workspace ws(bytes);
        nmfkit_result cres;
        REQUIRE(nmfkit_fit_f64(X.data.data(), n, m, 0, Wc.data.data(), 0, Hc.data.data(), 0, &co, ws.ptr, ws.bytes,
                               &cres, nullptr, nullptr) == NMFKIT_OK);
        CHECK(same_bits(Wc, W));
        CHECK(same_bits(Hc, H));
        CHECK(cres.loss == res.loss);
        CHECK(cres.iterations == 30);
    }
    {
        matrix<float> W(n, r), H(r, m), Wc(n, r), Hc(r, m);
        nmfkit::result res;
        REQUIRE(run_csr_fit(C, W, H, o, res) == status::ok);
        std::size_t bytes = 0;
        REQUIRE(nmfkit_workspace_size_csr_f32(n, m, C.nnz(), &co, &bytes) == NMFKIT_OK);
        workspace ws(bytes);
        nmfkit_result cres;
        REQUIRE(nmfkit_fit_csr_f32(n, m, C.nnz(), C.indptr.data(), C.indices.data(), C.values.data(), Wc.data.data(), r,
                                   Hc.data.data(), m, &co, ws.ptr, ws.bytes, &cres, nullptr, nullptr) == NMFKIT_OK);
        CHECK(same_bits(Wc, W));
        CHECK(same_bits(Hc, H));
        CHECK(cres.loss == res.loss);
    }
    co.beta = 1;
    std::size_t bytes = 0;
    CHECK(nmfkit_workspace_size_f64(n, m, &co, &bytes) == NMFKIT_INVALID_SOLVER);
}
