// The API contract: every bad input has its own status (with the location of bad
// values), workspace sizing and its checks, pinned status values, the C API.
#include <doctest/doctest.h>

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include "nmfkit/nmfkit.h"
#include "nmfkit/nmfkit.hpp"
#include "test_util.hpp"

using namespace testutil;
using nmfkit::status;

namespace {

// A valid small problem that each test case breaks in one way.
struct problem {
    matrix<float> X, W, H;
    nmfkit::options opt;
    workspace ws;
    problem(std::size_t n = 6, std::size_t m = 5, std::size_t r = 2) : X(n, m), W(n, r), H(r, m), ws(0) {
        splitmix rng(1);
        X = random_matrix<float>(n, m, rng, 1.0);
        opt.rank = r;
        opt.max_iter = 5;
        ws = make_workspace<float>(n, m, opt);
    }
    status fit(nmfkit::result& res) {
        return nmfkit::fit<float>(X.cview(), W.view(), H.view(), opt, ws.ptr, ws.bytes, res);
    }
    status fit() {
        nmfkit::result res;
        return fit(res);
    }
};

}  // namespace

TEST_CASE("status values are pinned and every status has a name and a message") {
    CHECK(static_cast<int>(status::ok) == 0);
    CHECK(static_cast<int>(status::x_negative) == 10);
    CHECK(static_cast<int>(status::buffers_overlap) == 20);
    CHECK(static_cast<int>(status::not_built) == 28);
    for (int v = 0; v <= 28; ++v) {
        const auto s = static_cast<status>(v);
        CHECK(std::string(nmfkit::status_name(s)) != "unknown");
        CHECK(std::strlen(nmfkit::status_message(s)) > 5);
        CHECK(std::string(nmfkit_status_name(v)) == nmfkit::status_name(s));
    }
    CHECK(std::string(nmfkit::status_name(status::x_not_finite)) == "x_not_finite");
    CHECK(std::string(nmfkit::status_message(static_cast<status>(999))) == "unknown status");
    CHECK(std::string(nmfkit_status_name(-1)) == "unknown");
}

TEST_CASE("a valid problem fits") {
    problem p;
    nmfkit::result res;
    CHECK(p.fit(res) == status::ok);
    CHECK(res.iterations == 5);
    CHECK(res.bad_matrix == nmfkit::matrix_id::none);
}

TEST_CASE("bad values in X are reported with their position") {
    problem p;
    nmfkit::result res;
    SUBCASE("NaN") {
        p.X(3, 2) = std::numeric_limits<float>::quiet_NaN();
        CHECK(p.fit(res) == status::x_not_finite);
        CHECK(res.bad_matrix == nmfkit::matrix_id::X);
        CHECK(res.bad_row == 3);
        CHECK(res.bad_col == 2);
    }
    SUBCASE("+Inf") {
        p.X(0, 4) = std::numeric_limits<float>::infinity();
        CHECK(p.fit(res) == status::x_not_finite);
        CHECK(res.bad_row == 0);
        CHECK(res.bad_col == 4);
    }
    SUBCASE("-Inf is not finite") {
        p.X(5, 0) = -std::numeric_limits<float>::infinity();
        CHECK(p.fit(res) == status::x_not_finite);
    }
    SUBCASE("negative") {
        p.X(5, 1) = -0.5f;
        CHECK(p.fit(res) == status::x_negative);
        CHECK(res.bad_matrix == nmfkit::matrix_id::X);
        CHECK(res.bad_row == 5);
        CHECK(res.bad_col == 1);
    }
    SUBCASE("the first bad entry in row-major order wins") {
        p.X(2, 3) = -1.0f;
        p.X(4, 0) = std::numeric_limits<float>::quiet_NaN();
        CHECK(p.fit(res) == status::x_negative);
        CHECK(res.bad_row == 2);
    }
    SUBCASE("negative zero is fine") {
        p.X(1, 1) = -0.0f;
        CHECK(p.fit(res) == status::ok);
    }
}

TEST_CASE("custom W0, H0 are checked") {
    problem p;
    p.opt.init = nmfkit::init_method::custom;
    for (auto& v : p.W.data) v = 0.5f;
    for (auto& v : p.H.data) v = 0.5f;
    nmfkit::result res;
    SUBCASE("valid") { CHECK(p.fit(res) == status::ok); }
    SUBCASE("negative in W0") {
        p.W(4, 1) = -1e-3f;
        CHECK(p.fit(res) == status::init_negative);
        CHECK(res.bad_matrix == nmfkit::matrix_id::W);
        CHECK(res.bad_row == 4);
        CHECK(res.bad_col == 1);
    }
    SUBCASE("NaN in H0") {
        p.H(1, 3) = std::numeric_limits<float>::quiet_NaN();
        CHECK(p.fit(res) == status::init_not_finite);
        CHECK(res.bad_matrix == nmfkit::matrix_id::H);
        CHECK(res.bad_row == 1);
        CHECK(res.bad_col == 3);
    }
    SUBCASE("Inf in W0") {
        p.W(0, 0) = std::numeric_limits<float>::infinity();
        CHECK(p.fit(res) == status::init_not_finite);
    }
}

TEST_CASE("bad options") {
    problem p;
    SUBCASE("rank 0") {
        p.opt.rank = 0;
        CHECK(p.fit() == status::zero_rank);
    }
    SUBCASE("negative tol") {
        p.opt.tol = -1e-3;
        CHECK(p.fit() == status::invalid_tol);
    }
    SUBCASE("NaN tol") {
        p.opt.tol = std::nan("");
        CHECK(p.fit() == status::invalid_tol);
    }
    SUBCASE("epsilon 0") {
        p.opt.epsilon = 0;
        CHECK(p.fit() == status::invalid_epsilon);
    }
    SUBCASE("epsilon below float range") {
        p.opt.epsilon = 1e-60;
        CHECK(p.fit() == status::invalid_epsilon);
    }
    SUBCASE("epsilon Inf") {
        p.opt.epsilon = INFINITY;
        CHECK(p.fit() == status::invalid_epsilon);
    }
    SUBCASE("check_every 0") {
        p.opt.check_every = 0;
        CHECK(p.fit() == status::invalid_check_every);
    }
    SUBCASE("unknown init") {
        p.opt.init = static_cast<nmfkit::init_method>(7);
        CHECK(p.fit() == status::invalid_init);
    }
    SUBCASE("unknown kernel") {
        p.opt.kernel = static_cast<nmfkit::kernel_choice>(9);
        CHECK(p.fit() == status::invalid_kernel);
    }
}

TEST_CASE("bad shapes, strides and pointers") {
    problem p;
    nmfkit::result res;
    auto fit = [&](nmfkit::const_matrix_view<float> X, nmfkit::matrix_view<float> W, nmfkit::matrix_view<float> H) {
        return nmfkit::fit<float>(X, W, H, p.opt, p.ws.ptr, p.ws.bytes, res);
    };
    SUBCASE("empty dimension") {
        CHECK(fit({p.X.data.data(), 0, 5}, p.W.view(), p.H.view()) == status::empty_dimension);
        CHECK(fit({p.X.data.data(), 6, 0}, p.W.view(), p.H.view()) == status::empty_dimension);
    }
    SUBCASE("null pointers") {
        CHECK(fit({nullptr, 6, 5}, p.W.view(), p.H.view()) == status::null_pointer);
        CHECK(fit(p.X.cview(), {nullptr, 6, 2}, p.H.view()) == status::null_pointer);
        CHECK(fit(p.X.cview(), p.W.view(), {nullptr, 2, 5}) == status::null_pointer);
        CHECK(nmfkit::fit<float>(p.X.cview(), p.W.view(), p.H.view(), p.opt, nullptr, p.ws.bytes, res) ==
              status::null_pointer);
    }
    SUBCASE("shape mismatch") {
        CHECK(fit(p.X.cview(), {p.W.data.data(), 5, 2}, p.H.view()) == status::shape_mismatch);
        CHECK(fit(p.X.cview(), {p.W.data.data(), 6, 3}, p.H.view()) == status::shape_mismatch);
        CHECK(fit(p.X.cview(), p.W.view(), {p.H.data.data(), 2, 4}) == status::shape_mismatch);
    }
    SUBCASE("stride smaller than the row") {
        nmfkit::const_matrix_view<float> X(p.X.data.data(), 6, 5);
        X.stride = 4;
        CHECK(fit(X, p.W.view(), p.H.view()) == status::stride_too_small);
        nmfkit::matrix_view<float> W(p.W.data.data(), 6, 2);
        W.stride = 1;
        CHECK(fit(p.X.cview(), W, p.H.view()) == status::stride_too_small);
    }
    SUBCASE("a stride whose extent overflows size_t") {
        nmfkit::const_matrix_view<float> X(p.X.data.data(), 6, 5, std::numeric_limits<std::size_t>::max() / 2);
        CHECK(fit(X, p.W.view(), p.H.view()) == status::size_overflow);
    }
    SUBCASE("overlapping buffers") {
        CHECK(fit(p.X.cview(), p.W.view(), {p.W.data.data(), 2, 5}) == status::buffers_overlap);
        CHECK(nmfkit::fit<float>(p.X.cview(), p.W.view(), p.H.view(), p.opt, p.ws.ptr, p.ws.bytes, res) == status::ok);
    }
}

TEST_CASE("workspace size, alignment and overflow") {
    nmfkit::options o;
    o.rank = 4;
    std::size_t bytes = 0;
    REQUIRE(nmfkit::workspace_size<float>(100, 50, o, bytes) == status::ok);
    // O((n + m)·r + r²): two max(n, m)·r buffers, two r×r, a header; never n·m.
    CHECK(bytes >= 2 * 100 * 4 * sizeof(float) + 2 * 16 * sizeof(float));
    CHECK(bytes < 2 * 100 * 4 * sizeof(float) + 2 * 16 * sizeof(float) + 1024);
    std::size_t big = 0;
    o.rank = 20;
    REQUIRE(nmfkit::workspace_size<float>(20000, 5000, o, big) == status::ok);
    CHECK(big < 20000ull * 5000ull * sizeof(float) / 20);
    std::size_t dbytes = 0;
    REQUIRE(nmfkit::workspace_size<double>(20000, 5000, o, dbytes) == status::ok);
    CHECK(dbytes > big);

    const std::size_t huge = std::numeric_limits<std::size_t>::max() / 4;
    CHECK(nmfkit::workspace_size<float>(huge, 3, o, bytes) == status::size_overflow);
    o.rank = huge;
    CHECK(nmfkit::workspace_size<float>(10, 10, o, bytes) == status::size_overflow);
    o.rank = 0;
    CHECK(nmfkit::workspace_size<float>(10, 10, o, bytes) == status::zero_rank);
    o.rank = 2;
    CHECK(nmfkit::workspace_size<float>(0, 10, o, bytes) == status::empty_dimension);

    problem p;
    nmfkit::result res;
    CHECK(nmfkit::fit<float>(p.X.cview(), p.W.view(), p.H.view(), p.opt, p.ws.ptr, p.ws.bytes - 1, res) ==
          status::workspace_too_small);
    workspace bigger(p.ws.bytes + 128);
    void* misaligned = static_cast<unsigned char*>(bigger.ptr) + 4;
    CHECK(nmfkit::fit<float>(p.X.cview(), p.W.view(), p.H.view(), p.opt, misaligned, p.ws.bytes, res) ==
          status::workspace_misaligned);
    CHECK(nmfkit::align_workspace(nullptr, 100) == nullptr);
}

TEST_CASE("a solver that was never started, or failed to start, reports not_started") {
    nmfkit::solver<float> s;
    nmfkit::result res;
    CHECK(s.run(3, res) == status::not_started);
    CHECK(s.finish(res) == status::not_started);
    CHECK(s.done());
    problem p;
    p.X(0, 0) = -1;
    CHECK(s.start(p.X.cview(), p.W.view(), p.H.view(), p.opt, p.ws.ptr, p.ws.bytes, res) == status::x_negative);
    CHECK(s.run(3, res) == status::not_started);
    CHECK(nmfkit::solver<float>(p.ws.ptr).run(1, res) == status::not_started);
}

TEST_CASE("a workspace started as float is not a double solver (and vice versa)") {
    problem p;
    nmfkit::result res;
    nmfkit::solver<float> s;
    REQUIRE(s.start(p.X.cview(), p.W.view(), p.H.view(), p.opt, p.ws.ptr, p.ws.bytes, res) == status::ok);
    CHECK(nmfkit::solver<double>(p.ws.ptr).run(1, res) == status::not_started);
    CHECK(nmfkit::solver<double>(p.ws.ptr).finish(res) == status::not_started);
    nmfkit_result cres;
    CHECK(nmfkit_solver_run_f64(p.ws.ptr, 1, &cres) == NMFKIT_NOT_STARTED);
    CHECK(std::string(nmfkit_kernel_name_f64(p.ws.ptr)).empty());
    CHECK(nmfkit_solver_run_f32(p.ws.ptr, 1, &cres) == NMFKIT_OK);
}

TEST_CASE("C API: same results and statuses as the C++ API") {
    nmfkit_options o;
    nmfkit_options_default(&o);
    CHECK(o.max_iter == 200);
    CHECK(o.check_every == 10);
    CHECK(o.tol == 1e-4);
    CHECK(o.init == NMFKIT_INIT_RANDOM);
    CHECK(nmfkit_sizeof_options() == 88);
    CHECK(nmfkit_sizeof_result() == 72);
    CHECK(std::strlen(nmfkit_version()) > 0);
    o.rank = 3;
    o.max_iter = 30;
    o.seed = 17;

    splitmix rng(31);
    auto X = random_matrix<float>(11, 7, rng, 2.0);
    matrix<float> W(11, 3), H(3, 7), Wc(11, 3), Hc(3, 7);
    size_t bytes = 0;
    REQUIRE(nmfkit_workspace_size_f32(11, 7, &o, &bytes) == NMFKIT_OK);
    workspace ws(bytes);
    nmfkit_result cres;
    REQUIRE(nmfkit_fit_f32(X.data.data(), 11, 7, 0, Wc.data.data(), 0, Hc.data.data(), 0, &o, ws.ptr, bytes, &cres,
                           nullptr, nullptr) == NMFKIT_OK);
    nmfkit::options co;
    co.rank = 3;
    co.max_iter = 30;
    co.seed = 17;
    nmfkit::result res;
    REQUIRE(nmfkit::fit<float>(X.cview(), W.view(), H.view(), co, ws.ptr, bytes, res) == status::ok);
    CHECK(std::memcmp(W.data.data(), Wc.data.data(), W.data.size() * sizeof(float)) == 0);
    CHECK(cres.iterations == res.iterations);
    CHECK(cres.loss == res.loss);
    CHECK(cres.relative_error == res.relative_error);
    CHECK(cres.done == 1);

    SUBCASE("solver in slices through the C API") {
        matrix<float> Ws(11, 3), Hs(3, 7);
        REQUIRE(nmfkit_solver_start_f32(X.data.data(), 11, 7, 0, Ws.data.data(), 0, Hs.data.data(), 0, &o, ws.ptr,
                                        bytes, &cres) == NMFKIT_OK);
        CHECK(std::strlen(nmfkit_kernel_name_f32(ws.ptr)) > 0);
        CHECK(std::string(nmfkit_kernel_name_f32(nullptr)) == nmfkit::default_kernel_name<float>());
        int slices = 0;
        while (!cres.done) {
            REQUIRE(nmfkit_solver_run_f32(ws.ptr, 4, &cres) == NMFKIT_OK);
            ++slices;
        }
        REQUIRE(nmfkit_solver_finish_f32(ws.ptr, &cres) == NMFKIT_OK);
        CHECK(slices == 8);
        CHECK(cres.loss == res.loss);
        CHECK(std::memcmp(Ws.data.data(), W.data.data(), W.data.size() * sizeof(float)) == 0);
    }
    SUBCASE("errors and their locations") {
        X(2, 5) = -3;
        REQUIRE(nmfkit_fit_f32(X.data.data(), 11, 7, 0, Wc.data.data(), 0, Hc.data.data(), 0, &o, ws.ptr, bytes, &cres,
                               nullptr, nullptr) == NMFKIT_X_NEGATIVE);
        CHECK(cres.bad_matrix == NMFKIT_MATRIX_X);
        CHECK(cres.bad_row == 2);
        CHECK(cres.bad_col == 5);
        CHECK(nmfkit_fit_f32(X.data.data(), 11, 7, 0, Wc.data.data(), 0, Hc.data.data(), 0, nullptr, ws.ptr, bytes,
                             &cres, nullptr, nullptr) == NMFKIT_NULL_POINTER);
        CHECK(nmfkit_solver_run_f32(ws.ptr, 1, &cres) == NMFKIT_NOT_STARTED);
        CHECK(nmfkit_workspace_size_f32(11, 7, &o, nullptr) == NMFKIT_NULL_POINTER);
    }
    SUBCASE("progress callback and cancellation") {
        struct counter {
            int calls;
            int stop_after;
        } c{0, 2};
        auto cb = [](uint32_t, uint32_t, double, double rel, void* user) -> int {
            auto* k = static_cast<counter*>(user);
            CHECK(std::isfinite(rel));
            return ++k->calls < k->stop_after;
        };
        CHECK(nmfkit_fit_f32(X.data.data(), 11, 7, 0, Wc.data.data(), 0, Hc.data.data(), 0, &o, ws.ptr, bytes, &cres,
                             cb, &c) == NMFKIT_CANCELLED);
        CHECK(c.calls == 2);
        CHECK(cres.iterations == 20);
    }
    SUBCASE("double precision, loss and random init") {
        auto Xd = convert<double>(X);
        matrix<double> Wd(11, 3), Hd(3, 7);
        size_t dbytes = 0;
        REQUIRE(nmfkit_workspace_size_f64(11, 7, &o, &dbytes) == NMFKIT_OK);
        workspace dws(dbytes);
        REQUIRE(nmfkit_fit_f64(Xd.data.data(), 11, 7, 0, Wd.data.data(), 0, Hd.data.data(), 0, &o, dws.ptr, dbytes,
                               &cres, nullptr, nullptr) == NMFKIT_OK);
        double loss = 0;
        REQUIRE(nmfkit_loss_f64(Xd.data.data(), 11, 7, 0, Wd.data.data(), 0, Hd.data.data(), 0, 3, &loss) == NMFKIT_OK);
        CHECK(loss == doctest::Approx(cres.loss).epsilon(1e-12));
        matrix<float> Wi(11, 3), Hi(3, 7);
        REQUIRE(nmfkit_random_init_f32(X.data.data(), 11, 7, 0, Wi.data.data(), 0, Hi.data.data(), 0, 3, 17, &cres) ==
                NMFKIT_OK);
        // The fit started from this same W0: f32 and f64 inits agree to float rounding.
        for (std::size_t i = 0; i < 11; ++i) CHECK(Wi(i, 0) > 0);
    }
}

namespace {

// A random sparse X in CSR form (about 30 % stored), its arrays as the C API takes them.
template <class T>
struct csr_problem {
    std::size_t n, m;
    std::vector<std::uint64_t> indptr;
    std::vector<std::uint32_t> indices;
    std::vector<T> values;
    csr_problem(std::size_t rows, std::size_t cols, std::uint64_t seed) : n(rows), m(cols), indptr(1, 0) {
        splitmix rng(seed);
        for (std::size_t i = 0; i < n; ++i) {
            for (std::uint32_t j = 0; j < m; ++j)
                if (rng.uniform() < 0.3) {
                    indices.push_back(j);
                    values.push_back(static_cast<T>(0.1 + rng.uniform()));
                }
            indptr.push_back(indices.size());
        }
    }
    std::size_t nnz() const { return indices.size(); }
    nmfkit::csr_view<T> view() const { return {indptr.data(), indices.data(), values.data(), n, m, nnz()}; }
};

void check_same_result(const nmfkit_result& c, const nmfkit::result& r) {
    CHECK(c.iterations == r.iterations);
    CHECK(c.loss == r.loss);
    CHECK(c.relative_error == r.relative_error);
    CHECK(c.objective == r.objective);
    CHECK(c.converged == int32_t(r.converged));
    CHECK(c.bad_matrix == int32_t(r.bad_matrix));
    CHECK(c.bad_row == r.bad_row);
    CHECK(c.bad_col == r.bad_col);
    CHECK(c.bad_entry == r.bad_entry);
    CHECK(c.observed == r.observed);
}

template <class T>
bool same(const matrix<T>& a, const matrix<T>& b) {
    return a.data.size() == b.data.size() && std::memcmp(a.data.data(), b.data.data(), a.data.size() * sizeof(T)) == 0;
}

}  // namespace

TEST_CASE("C API, sparse X: the _csr functions give the C++ overloads' results and statuses") {
    const std::size_t n = 13, m = 9, r = 3;
    const csr_problem<float> X(n, m, 5);
    REQUIRE(X.nnz() > 10);
    nmfkit_options o;
    nmfkit_options_default(&o);
    CHECK(o.missing == NMFKIT_MISSING_NONE);
    o.rank = r;
    o.max_iter = 30;
    o.seed = 17;
    nmfkit::options co;
    co.rank = r;
    co.max_iter = 30;
    co.seed = 17;

    size_t bytes = 0, cpp_bytes = 0;
    REQUIRE(nmfkit_workspace_size_csr_f32(n, m, X.nnz(), &o, &bytes) == NMFKIT_OK);
    REQUIRE(nmfkit::workspace_size<float>(n, m, X.nnz(), co, cpp_bytes) == status::ok);
    CHECK(bytes == cpp_bytes);
    CHECK(nmfkit_workspace_size_csr_f32(n, m, X.nnz(), &o, nullptr) == NMFKIT_NULL_POINTER);
    CHECK(nmfkit_workspace_size_csr_f32(n, m, X.nnz(), nullptr, &bytes) == NMFKIT_NULL_POINTER);
    workspace ws(bytes);

    matrix<float> W(n, r), H(r, m), Wc(n, r), Hc(r, m);
    nmfkit::result res;
    nmfkit_result cres;
    REQUIRE(nmfkit::fit<float>(X.view(), W.view(), H.view(), co, ws.ptr, bytes, res) == status::ok);
    REQUIRE(nmfkit_fit_csr_f32(n, m, X.nnz(), X.indptr.data(), X.indices.data(), X.values.data(), Wc.data.data(), 0,
                               Hc.data.data(), 0, &o, ws.ptr, bytes, &cres, nullptr, nullptr) == NMFKIT_OK);
    CHECK(same(W, Wc));
    CHECK(same(H, Hc));
    check_same_result(cres, res);
    CHECK(cres.observed == n * m);
    CHECK(cres.done == 1);

    SUBCASE("the resumable solver in slices") {
        matrix<float> Ws(n, r), Hs(r, m);
        REQUIRE(nmfkit_solver_start_csr_f32(n, m, X.nnz(), X.indptr.data(), X.indices.data(), X.values.data(),
                                            Ws.data.data(), 0, Hs.data.data(), 0, &o, ws.ptr, bytes,
                                            &cres) == NMFKIT_OK);
        while (!cres.done) REQUIRE(nmfkit_solver_run_f32(ws.ptr, 7, &cres) == NMFKIT_OK);
        REQUIRE(nmfkit_solver_finish_f32(ws.ptr, &cres) == NMFKIT_OK);
        CHECK(cres.loss == res.loss);
        CHECK(same(Ws, W));
        CHECK(same(Hs, H));
    }
    SUBCASE("transform, transform_columns and beta_divergence") {
        matrix<float> Wt(n, r), Wtc(n, r), Ht(r, m), Htc(r, m);
        REQUIRE(nmfkit::transform<float>(X.view(), H.cview(), Wt.view(), co, ws.ptr, bytes, res) == status::ok);
        REQUIRE(nmfkit_transform_csr_f32(n, m, X.nnz(), X.indptr.data(), X.indices.data(), X.values.data(),
                                         H.data.data(), 0, Wtc.data.data(), 0, &o, ws.ptr, bytes, &cres, nullptr,
                                         nullptr) == NMFKIT_OK);
        CHECK(same(Wt, Wtc));
        check_same_result(cres, res);
        REQUIRE(nmfkit::transform_columns<float>(X.view(), W.cview(), Ht.view(), co, ws.ptr, bytes, res) == status::ok);
        REQUIRE(nmfkit_transform_columns_csr_f32(n, m, X.nnz(), X.indptr.data(), X.indices.data(), X.values.data(),
                                                 W.data.data(), 0, Htc.data.data(), 0, &o, ws.ptr, bytes, &cres,
                                                 nullptr, nullptr) == NMFKIT_OK);
        CHECK(same(Ht, Htc));
        check_same_result(cres, res);
        for (const double beta : {2.0, 1.0, 0.5}) {
            for (const auto missing : {nmfkit::missing_entries::none, nmfkit::missing_entries::unstored}) {
                double loss = -1, closs = -2;
                REQUIRE(nmfkit::beta_divergence<float>(X.view(), W.cview(), H.cview(), beta, missing, loss) ==
                        status::ok);
                REQUIRE(nmfkit_beta_divergence_csr_f32(n, m, X.nnz(), X.indptr.data(), X.indices.data(),
                                                       X.values.data(), W.data.data(), 0, H.data.data(), 0, r, beta,
                                                       int32_t(missing), &closs) == NMFKIT_OK);
                CHECK(closs == loss);
            }
        }
        CHECK(nmfkit_beta_divergence_csr_f32(n, m, X.nnz(), X.indptr.data(), X.indices.data(), X.values.data(),
                                             W.data.data(), 0, H.data.data(), 0, r, 2, NMFKIT_MISSING_NONE,
                                             nullptr) == NMFKIT_NULL_POINTER);
    }
    SUBCASE("a pattern matrix (values NULL) fits as stored values of 1; missing = unstored through the C field") {
        const std::vector<float> ones(X.nnz(), 1.f);
        matrix<float> Wp(n, r), Hp(r, m), W1(n, r), H1(r, m);
        REQUIRE(nmfkit_fit_csr_f32(n, m, X.nnz(), X.indptr.data(), X.indices.data(), nullptr, Wp.data.data(), 0,
                                   Hp.data.data(), 0, &o, ws.ptr, bytes, &cres, nullptr, nullptr) == NMFKIT_OK);
        REQUIRE(nmfkit_fit_csr_f32(n, m, X.nnz(), X.indptr.data(), X.indices.data(), ones.data(), W1.data.data(), 0,
                                   H1.data.data(), 0, &o, ws.ptr, bytes, &cres, nullptr, nullptr) == NMFKIT_OK);
        CHECK(same(Wp, W1));
        CHECK(same(Hp, H1));

        o.missing = NMFKIT_MISSING_UNSTORED;
        co.missing = nmfkit::missing_entries::unstored;
        REQUIRE(nmfkit_workspace_size_csr_f32(n, m, X.nnz(), &o, &bytes) == NMFKIT_OK);
        workspace wsu(bytes);
        REQUIRE(nmfkit::fit<float>(X.view(), W.view(), H.view(), co, wsu.ptr, bytes, res) == status::ok);
        REQUIRE(nmfkit_fit_csr_f32(n, m, X.nnz(), X.indptr.data(), X.indices.data(), X.values.data(), Wc.data.data(), 0,
                                   Hc.data.data(), 0, &o, wsu.ptr, bytes, &cres, nullptr, nullptr) == NMFKIT_OK);
        CHECK(same(W, Wc));
        check_same_result(cres, res);
        CHECK(cres.observed == X.nnz());
        o.missing = NMFKIT_MISSING_NAN;  // dense X only
        CHECK(nmfkit_fit_csr_f32(n, m, X.nnz(), X.indptr.data(), X.indices.data(), X.values.data(), Wc.data.data(), 0,
                                 Hc.data.data(), 0, &o, wsu.ptr, bytes, &cres, nullptr,
                                 nullptr) == NMFKIT_INVALID_MISSING);
    }
    SUBCASE("double precision") {
        const csr_problem<double> Xd(n, m, 5);
        REQUIRE(nmfkit_workspace_size_csr_f64(n, m, Xd.nnz(), &o, &bytes) == NMFKIT_OK);
        workspace dws(bytes);
        matrix<double> Wd(n, r), Hd(r, m), Wdc(n, r), Hdc(r, m);
        REQUIRE(nmfkit::fit<double>(Xd.view(), Wd.view(), Hd.view(), co, dws.ptr, bytes, res) == status::ok);
        REQUIRE(nmfkit_fit_csr_f64(n, m, Xd.nnz(), Xd.indptr.data(), Xd.indices.data(), Xd.values.data(),
                                   Wdc.data.data(), 0, Hdc.data.data(), 0, &o, dws.ptr, bytes, &cres, nullptr,
                                   nullptr) == NMFKIT_OK);
        CHECK(same(Wd, Wdc));
        check_same_result(cres, res);
        matrix<double> Wt(n, r);
        REQUIRE(nmfkit_transform_csr_f64(n, m, Xd.nnz(), Xd.indptr.data(), Xd.indices.data(), Xd.values.data(),
                                         Hd.data.data(), 0, Wt.data.data(), 0, &o, dws.ptr, bytes, &cres, nullptr,
                                         nullptr) == NMFKIT_OK);
        matrix<double> Ht(r, m);
        REQUIRE(nmfkit_transform_columns_csr_f64(n, m, Xd.nnz(), Xd.indptr.data(), Xd.indices.data(), Xd.values.data(),
                                                 Wd.data.data(), 0, Ht.data.data(), 0, &o, dws.ptr, bytes, &cres,
                                                 nullptr, nullptr) == NMFKIT_OK);
        REQUIRE(nmfkit_solver_start_csr_f64(n, m, Xd.nnz(), Xd.indptr.data(), Xd.indices.data(), Xd.values.data(),
                                            Wdc.data.data(), 0, Hdc.data.data(), 0, &o, dws.ptr, bytes,
                                            &cres) == NMFKIT_OK);
        double loss = 0;
        REQUIRE(nmfkit_beta_divergence_csr_f64(n, m, Xd.nnz(), Xd.indptr.data(), Xd.indices.data(), Xd.values.data(),
                                               Wd.data.data(), 0, Hd.data.data(), 0, r, 2, NMFKIT_MISSING_NONE,
                                               &loss) == NMFKIT_OK);
        CHECK(loss == doctest::Approx(res.loss).epsilon(1e-9));
    }
    SUBCASE("bad CSR arrays: the status and where, as the C++ overload reports them") {
        // Row 4 (with at least two entries) is the one broken each time.
        std::size_t row = 4;
        while (X.indptr[row + 1] - X.indptr[row] < 2) ++row;
        REQUIRE(row + 1 < n);
        REQUIRE(X.indptr[row] > 0);
        const std::size_t k = X.indptr[row] + 1;  // the row's second entry
        struct broken {
            const char* what;
            nmfkit_status expected;
            csr_problem<float> x;
        };
        std::vector<broken> cases;
        cases.push_back({"unsorted", NMFKIT_CSR_UNSORTED_INDICES, X});
        std::swap(cases.back().x.indices[k - 1], cases.back().x.indices[k]);
        cases.push_back({"duplicate", NMFKIT_CSR_DUPLICATE_INDEX, X});
        cases.back().x.indices[k] = cases.back().x.indices[k - 1];
        cases.push_back({"index >= m", NMFKIT_CSR_INDEX_OUT_OF_RANGE, X});
        cases.back().x.indices[k] = uint32_t(m);
        cases.push_back({"negative value", NMFKIT_X_NEGATIVE, X});
        cases.back().x.values[k] = -1.f;
        cases.push_back({"NaN value", NMFKIT_X_NOT_FINITE, X});
        cases.back().x.values[k] = std::numeric_limits<float>::quiet_NaN();
        cases.push_back({"decreasing offsets", NMFKIT_CSR_BAD_INDPTR, X});
        cases.back().x.indptr[row + 1] = cases.back().x.indptr[row] - 1;
        for (const broken& b : cases) {
            CAPTURE(b.what);
            nmfkit::result r2;
            const status s = nmfkit::fit<float>(b.x.view(), W.view(), H.view(), co, ws.ptr, ws.bytes, r2);
            CHECK(int(s) == int(b.expected));
            CHECK(nmfkit_fit_csr_f32(n, m, X.nnz(), b.x.indptr.data(), b.x.indices.data(), b.x.values.data(),
                                     Wc.data.data(), 0, Hc.data.data(), 0, &o, ws.ptr, ws.bytes, &cres, nullptr,
                                     nullptr) == b.expected);
            check_same_result(cres, r2);
            CHECK(cres.bad_matrix == NMFKIT_MATRIX_X);
            CHECK((cres.bad_row == row || (b.expected == NMFKIT_CSR_BAD_INDPTR && cres.bad_row == row + 1)));
            if (b.expected != NMFKIT_CSR_BAD_INDPTR) {
                CHECK(cres.bad_entry == k);
                CHECK(cres.bad_col == b.x.indices[k]);
            }
        }
        // The last offset is not nnz.
        csr_problem<float> short_x = X;
        short_x.indptr.back() -= 1;
        CHECK(nmfkit_fit_csr_f32(n, m, X.nnz(), short_x.indptr.data(), X.indices.data(), X.values.data(),
                                 Wc.data.data(), 0, Hc.data.data(), 0, &o, ws.ptr, ws.bytes, &cres, nullptr,
                                 nullptr) == NMFKIT_CSR_NNZ_MISMATCH);
        CHECK(nmfkit_fit_csr_f32(n, m, X.nnz(), nullptr, X.indices.data(), X.values.data(), Wc.data.data(), 0,
                                 Hc.data.data(), 0, &o, ws.ptr, ws.bytes, &cres, nullptr,
                                 nullptr) == NMFKIT_NULL_POINTER);
        CHECK(nmfkit_fit_csr_f32(n, m, X.nnz(), X.indptr.data(), X.indices.data(), X.values.data(), Wc.data.data(), 0,
                                 Hc.data.data(), 0, nullptr, ws.ptr, ws.bytes, &cres, nullptr,
                                 nullptr) == NMFKIT_NULL_POINTER);
    }
}

#include "nmfkit/factorize.hpp"

TEST_CASE("owning layer: factorize returns W and H") {
    splitmix rng(8);
    auto X = random_matrix<float>(20, 12, rng, 1.0);
    nmfkit::options o;
    o.rank = 3;
    o.seed = 4;
    o.max_iter = 40;
    auto f = nmfkit::factorize<float>(X.cview(), o);
    REQUIRE(f.status == status::ok);
    CHECK(f.W.size() == 20 * 3);
    CHECK(f.H.size() == 3 * 12);
    CHECK(f.info.iterations > 0);
    // The same as the allocation-free fit.
    matrix<float> W(20, 3), H(3, 12);
    workspace ws = make_workspace<float>(20, 12, o);
    nmfkit::result res;
    REQUIRE(nmfkit::fit<float>(X.cview(), W.view(), H.view(), o, ws.ptr, ws.bytes, res) == status::ok);
    CHECK(std::memcmp(f.W.data(), W.data.data(), f.W.size() * sizeof(float)) == 0);
    CHECK(f.info.loss == res.loss);

    o.init = nmfkit::init_method::custom;
    CHECK(nmfkit::factorize<float>(X.cview(), o).status == status::null_pointer);
    std::vector<float> W0(20 * 3, 0.5f), H0(3 * 11, 0.5f);
    CHECK(nmfkit::factorize<float>(X.cview(), o, &W0, &H0).status == status::shape_mismatch);
    o.rank = 0;
    CHECK(nmfkit::factorize<float>(X.cview(), o).status == status::zero_rank);
}

// ---- names and spellings: the library is the authority the CLI and the JS wrapper follow ----

namespace {

// Every accepted spelling of one enum: name() gives it back, parse gives the value, the C
// functions agree.
template <class E, class Parse, class CName, class CParse>
void check_spellings(const std::vector<std::pair<std::string, E>>& expected, Parse parse, CName c_name,
                     CParse c_parse) {
    for (const auto& e : expected) {
        const std::string& text = e.first;  // not a structured binding: CAPTURE's lambda needs a variable
        const E value = e.second;
        CAPTURE(text);
        CHECK(std::string(nmfkit::name(value)) == text);
        E parsed{};
        CHECK(parse(text, parsed));
        CHECK(parsed == value);
        CHECK(std::string(c_name(static_cast<int32_t>(value))) == text);
        int32_t c = -1;
        CHECK(c_parse(text.c_str(), &c) == 1);
        CHECK(c == static_cast<int32_t>(value));
    }
    // Unknown spellings are rejected and leave the output alone.
    for (const char* bad :
         {"", "unknown", "Random", "MU", "AUTO", "automatic", "nndsvd ", " mu", "nndsvdb", "0", "kl", "x"}) {
        CAPTURE(bad);
        E out = expected.back().second;
        CHECK_FALSE(parse(bad, out));
        CHECK(out == expected.back().second);
        int32_t c = -7;
        CHECK(c_parse(bad, &c) == 0);
        CHECK(c == -7);
    }
    CHECK(c_parse(nullptr, nullptr) == 0);
    int32_t c = -7;
    CHECK(c_parse(nullptr, &c) == 0);
    CHECK(c_parse(expected.front().first.c_str(), nullptr) == 0);
    // A value outside the enum has no spelling.
    CHECK(std::string(nmfkit::name(static_cast<E>(99))) == "unknown");
    CHECK(std::string(c_name(-1)) == "unknown");
}

}  // namespace

TEST_CASE("names: init methods, solvers and kernel choices round-trip; unknown spellings are rejected") {
    using nmfkit::init_method;
    check_spellings<init_method>({{"random", init_method::random},
                                  {"custom", init_method::custom},
                                  {"nndsvd", init_method::nndsvd},
                                  {"nndsvda", init_method::nndsvda},
                                  {"nndsvdar", init_method::nndsvdar}},
                                 nmfkit::parse_init_method, nmfkit_init_name, nmfkit_parse_init);
    using nmfkit::algorithm;
    check_spellings<algorithm>(
        {{"mu", algorithm::mu}, {"amu", algorithm::amu}, {"hals", algorithm::hals}, {"auto", algorithm::automatic}},
        nmfkit::parse_solver, nmfkit_solver_name, nmfkit_parse_solver);
    using nmfkit::kernel_choice;
    check_spellings<kernel_choice>({{"auto", kernel_choice::automatic}, {"scalar", kernel_choice::scalar}},
                                   nmfkit::parse_kernel_choice, nmfkit_kernel_choice_name, nmfkit_parse_kernel_choice);
    // The C values are the C++ ones.
    CHECK(NMFKIT_INIT_NNDSVDAR == static_cast<int>(init_method::nndsvdar));
    CHECK(NMFKIT_SOLVER_AMU == static_cast<int>(algorithm::amu));
    CHECK(NMFKIT_KERNEL_SCALAR == static_cast<int>(kernel_choice::scalar));
}

TEST_CASE("names: matrix ids") {
    using nmfkit::matrix_id;
    const std::pair<const char*, matrix_id> ids[] = {
        {"none", matrix_id::none}, {"X", matrix_id::X}, {"W", matrix_id::W}, {"H", matrix_id::H}};
    for (const auto& [text, id] : ids) {
        CHECK(std::string(nmfkit::name(id)) == text);
        CHECK(std::string(nmfkit_matrix_name(static_cast<int32_t>(id))) == text);
    }
    CHECK(NMFKIT_MATRIX_H == 3);
    CHECK(std::string(nmfkit_matrix_name(4)) == "unknown");
}

TEST_CASE("names: losses, their short names (the CLI's) and every accepted spelling") {
    struct named {
        const char* text;
        double beta;
    };
    for (const named& l : {named{"frobenius", 2}, named{"kullback-leibler", 1}, named{"kl", 1},
                           named{"itakura-saito", 0}, named{"is", 0}}) {
        CAPTURE(l.text);
        double beta = -5;
        CHECK(nmfkit::parse_loss(l.text, beta));
        CHECK(beta == l.beta);
        double c = -5;
        CHECK(nmfkit_parse_loss(l.text, &c) == 1);
        CHECK(c == l.beta);
    }
    const struct {
        double beta;
        const char *name, *short_name;
    } names[] = {{2, "frobenius", "frobenius"}, {1, "kullback-leibler", "kl"}, {0, "itakura-saito", "is"}};
    for (const auto& n : names) {
        CHECK(std::string(nmfkit::loss_name(n.beta)) == n.name);
        CHECK(std::string(nmfkit::loss_short_name(n.beta)) == n.short_name);
        CHECK(std::string(nmfkit_loss_name(n.beta)) == n.name);
        CHECK(std::string(nmfkit_loss_short_name(n.beta)) == n.short_name);
        double beta = -5;  // round trip through both names
        CHECK((nmfkit::parse_loss(nmfkit::loss_name(n.beta), beta) && beta == n.beta));
        CHECK((nmfkit::parse_loss(nmfkit::loss_short_name(n.beta), beta) && beta == n.beta));
    }
    CHECK(std::string(nmfkit::loss_name(-0.0)) == "itakura-saito");
    // Other betas are valid losses without a name; numbers are not names.
    for (double beta : {0.5, 1.5, 3.0, -1.0, std::numeric_limits<double>::quiet_NaN()}) {
        CHECK(nmfkit::loss_name(beta) == nullptr);
        CHECK(nmfkit::loss_short_name(beta) == nullptr);
        CHECK(nmfkit_loss_name(beta) == nullptr);
    }
    for (const char* bad :
         {"", "2", "1.5", "beta", "Frobenius", "KL", "l2", "euclidean", "kullback_leibler", "frobenius "}) {
        CAPTURE(bad);
        double beta = 7;
        CHECK_FALSE(nmfkit::parse_loss(bad, beta));
        CHECK(beta == 7);
        CHECK(nmfkit_parse_loss(bad, &beta) == 0);
        CHECK(beta == 7);
    }
    double beta = 7;
    CHECK(nmfkit_parse_loss(nullptr, &beta) == 0);
    CHECK(nmfkit_parse_loss("kl", nullptr) == 0);
    CHECK(beta == 7);
}

TEST_CASE("ABI: every status of abi.def has its name and message; the version is project(VERSION)'s") {
    int count = 0;
#define NMFKIT_STATUS(value, name, NAME, message)                        \
    CHECK(static_cast<int>(status::name) == value);                      \
    CHECK(NMFKIT_##NAME == value);                                       \
    CHECK(std::string(nmfkit::status_name(status::name)) == #name);      \
    CHECK(std::string(nmfkit_status_message(NMFKIT_##NAME)) == message); \
    ++count;
#include "nmfkit/abi.def"
    CHECK(count == 37);
    CHECK(std::string(nmfkit::status_name(static_cast<status>(count))) == "unknown");

    char v[32];
    std::snprintf(v, sizeof v, "%d.%d.%d", NMFKIT_VERSION_MAJOR, NMFKIT_VERSION_MINOR, NMFKIT_VERSION_PATCH);
    CHECK(std::string(v) == NMFKIT_VERSION_STRING);
    CHECK(std::string(nmfkit_version()) == NMFKIT_VERSION_STRING);
}

TEST_CASE("the default solver, auto: hals where it applies (beta = 2, every entry observed), else mu") {
    using nmfkit::algorithm;
    nmfkit::options o;
    CHECK(o.solver == algorithm::automatic);
    CHECK(nmfkit::resolve_solver(o) == algorithm::hals);
    o.beta = 1;
    CHECK(nmfkit::resolve_solver(o) == algorithm::mu);
    o.beta = 2;
    o.missing = nmfkit::missing_entries::nan;
    CHECK(nmfkit::resolve_solver(o) == algorithm::mu);
    o.missing = nmfkit::missing_entries::unstored;
    CHECK(nmfkit::resolve_solver(o) == algorithm::mu);
    o.missing = nmfkit::missing_entries::none;
    for (algorithm a : {algorithm::mu, algorithm::amu, algorithm::hals}) {  // a named solver is itself
        o.solver = a;
        CHECK(nmfkit::resolve_solver(o) == a);
    }
    nmfkit_options c;
    nmfkit_options_default(&c);
    CHECK(c.solver == NMFKIT_SOLVER_AUTO);
    CHECK(nmfkit_resolve_solver(&c) == NMFKIT_SOLVER_HALS);
    c.beta = 0.5;
    CHECK(nmfkit_resolve_solver(&c) == NMFKIT_SOLVER_MU);
    CHECK(nmfkit_resolve_solver(nullptr) == -1);

    // A default fit is the hals fit, bit for bit; with beta = 1 the mu one (auto is valid there).
    for (double beta : {2.0, 1.0}) {
        CAPTURE(beta);
        problem a, b;
        a.opt.beta = b.opt.beta = beta;
        b.opt.solver = beta == 2 ? algorithm::hals : algorithm::mu;
        a.ws = make_workspace<float>(a.X.rows, a.X.cols, a.opt);  // β = 1 needs its tiles
        b.ws = make_workspace<float>(b.X.rows, b.X.cols, b.opt);
        REQUIRE(a.fit() == status::ok);
        REQUIRE(b.fit() == status::ok);
        CHECK(a.W.data == b.W.data);
        CHECK(a.H.data == b.H.data);
    }
}

TEST_CASE("C API: nmfkit_options_default writes every field") {
    nmfkit_options o;
    std::memset(&o, 0xA5, sizeof o);
    nmfkit_options_default(&o);
    const nmfkit::options d;
    CHECK(o.rank == d.rank);
    CHECK(o.max_iter == d.max_iter);
    CHECK(o.check_every == d.check_every);
    CHECK(o.tol == d.tol);
    CHECK(o.epsilon == d.epsilon);
    CHECK(o.seed == d.seed);
    CHECK(o.init == static_cast<int32_t>(d.init));
    CHECK(o.kernel == static_cast<int32_t>(d.kernel));
    CHECK(o.beta == d.beta);
    CHECK(o.alpha_w == d.alpha_w);
    CHECK(o.alpha_h == d.alpha_h);
    CHECK(o.l1_ratio == d.l1_ratio);
    CHECK(o.solver == static_cast<int32_t>(d.solver));
    CHECK(o.missing == static_cast<int32_t>(d.missing));
}
