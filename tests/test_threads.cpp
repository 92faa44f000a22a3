// Threads (issue 13): the results do not depend on the executor. Every fit, transform and solver
// run here is repeated with no executor (the reference), thread pools of 1, 2, 3 and 8 threads and
// an executor that runs the tasks backwards, and W, H and the reported numbers must be the same
// bytes (memcmp): dense and CSR X, every solver, losses, penalties, initializations, tol = 0 and
// tol > 0, small problems and one big enough for the one-pass iteration. Then the C API's _ex
// functions and its pool, the owning layer, and nmfkit::thread_pool itself (every task once).
#include <doctest/doctest.h>

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <cstring>
#include <thread>
#include <utility>
#include <vector>

#include "csr_util.hpp"
#include "nmfkit/factorize.hpp"
#include "nmfkit/nmfkit.h"
#include "nmfkit/nmfkit.hpp"
#include "nmfkit/rank.hpp"
#include "nmfkit/thread_pool.hpp"
#include "test_util.hpp"

using namespace testutil;
using nmfkit::status;

namespace {

// Debug builds (debug-asan) run unoptimized kernels, 50 to 100 times slower: there the problems
// that span several blocks check a few representative cases with fewer iterations (release and
// tsan run them all).
#ifdef NDEBUG
constexpr bool k_light = false;
#else
constexpr bool k_light = true;
#endif
constexpr std::uint32_t iterations(std::uint32_t full, std::uint32_t light) { return k_light ? light : full; }

// A schedule no pool produces in order: every task on the caller's thread, last task first. It
// notes the largest job it ran, so a test can tell that its problem spans several blocks.
struct job_log {
    std::size_t most_tasks = 0;
};
job_log g_backwards_log;
void run_backwards(void* self, std::size_t tasks, void (*body)(std::size_t, void*), void* ctx) {
    auto* log = static_cast<job_log*>(self);
    if (log && tasks > log->most_tasks) log->most_tasks = tasks;
    for (std::size_t t = tasks; t-- > 0;) body(t, ctx);
}
const nmfkit::executor k_backwards{run_backwards, &g_backwards_log};

struct named_executor {
    const char* name;
    const nmfkit::executor* exec;
};

// Made once: the suite reuses them, as a program would.
struct pools {
    nmfkit::thread_pool p1{1}, p2{2}, p3{3}, p8{8};
    std::vector<named_executor> all() const {
        return {{"1 thread", p1.executor()},
                {"2 threads", p2.executor()},
                {"3 threads", p3.executor()},
                {"8 threads", p8.executor()},
                {"backwards", &k_backwards}};
    }
};
const pools& the_pools() {
    static const pools p;
    return p;
}

template <class T>
bool same_bytes(const std::vector<T>& a, const std::vector<T>& b) {
    return a.size() == b.size() && (a.empty() || std::memcmp(a.data(), b.data(), a.size() * sizeof(T)) == 0);
}
bool same_bytes(double a, double b) { return std::memcmp(&a, &b, sizeof a) == 0; }

// What a run produced.
template <class T>
struct outcome {
    status st = status::ok;
    std::vector<T> W, H;
    nmfkit::result res;
};

template <class T>
void check_same(const outcome<T>& ref, const outcome<T>& got) {
    REQUIRE(got.st == ref.st);
    CHECK(same_bytes(got.W, ref.W));
    CHECK(same_bytes(got.H, ref.H));
    CHECK(got.res.iterations == ref.res.iterations);
    CHECK(got.res.converged == ref.res.converged);
    CHECK(same_bytes(got.res.loss, ref.res.loss));
    CHECK(same_bytes(got.res.relative_error, ref.res.relative_error));
    CHECK(same_bytes(got.res.objective, ref.res.objective));
    CHECK(got.res.observed == ref.res.observed);
}

// run(exec) with every executor against run(nullptr); the reference must succeed. blocks: the
// problem is big enough for the solver to split some loop into several tasks (else it is one
// of the small problems, run whole on the caller's thread).
template <class T, class Run>
void check_every_executor(Run run, bool blocks = true) {
    const outcome<T> ref = run(nullptr);
    REQUIRE(ref.st == status::ok);
    REQUIRE(ref.res.iterations > 0);
    g_backwards_log = {};
    for (const named_executor& e : the_pools().all()) {
        INFO("executor: " << std::string(e.name));
        check_same(ref, run(e.exec));
    }
    if (blocks) CHECK_MESSAGE(g_backwards_log.most_tasks > 1, "the problem runs in one block: make it bigger");
}

template <class T>
outcome<T> fit_dense(const matrix<T>& X, const nmfkit::options& o, const nmfkit::executor* exec) {
    matrix<T> W(X.rows, o.rank), H(o.rank, X.cols);
    workspace ws = make_workspace<T>(X.rows, X.cols, o);
    outcome<T> out;
    out.st = nmfkit::fit<T>(X.cview(), W.view(), H.view(), o, ws.ptr, ws.bytes, out.res, nullptr, nullptr, exec);
    out.W = std::move(W.data);
    out.H = std::move(H.data);
    return out;
}

template <class T>
outcome<T> fit_csr(const csr<T>& X, const nmfkit::options& o, const nmfkit::executor* exec) {
    matrix<T> W(X.rows, o.rank), H(o.rank, X.cols);
    workspace ws = make_csr_workspace(X, o);
    outcome<T> out;
    out.st = nmfkit::fit<T>(X.view(), W.view(), H.view(), o, ws.ptr, ws.bytes, out.res, nullptr, nullptr, exec);
    out.W = std::move(W.data);
    out.H = std::move(H.data);
    return out;
}

struct named_options {
    const char* name;
    nmfkit::options opt;
};

nmfkit::options make(std::size_t rank, std::uint32_t iters, nmfkit::algorithm solver, double beta = 2, double tol = 0,
                     nmfkit::init_method init = nmfkit::init_method::random, double alpha = 0) {
    nmfkit::options o = beta_opts(rank, iters, beta, 11);
    o.solver = solver;
    o.tol = tol;
    o.check_every = 3;
    o.init = init;
    o.alpha_w = alpha;
    o.alpha_h = 2 * alpha;
    o.l1_ratio = alpha > 0 ? 0.4 : 0;
    return o;
}

// The dense cases of every size: solvers, losses, penalties, inits, tol = 0 and tol > 0.
std::vector<named_options> dense_cases(std::size_t r, std::uint32_t iters) {
    using nmfkit::algorithm;
    using nmfkit::init_method;
    return {
        {"mu", make(r, iters, algorithm::mu)},
        {"mu, tol > 0", make(r, iters, algorithm::mu, 2, 1e-3)},
        {"amu", make(r, iters, algorithm::amu)},
        {"amu, tol > 0, nndsvda", make(r, iters, algorithm::amu, 2, 1e-3, init_method::nndsvda)},
        {"hals", make(r, iters, algorithm::hals)},
        {"hals, tol > 0, nndsvda, penalties", make(r, iters, algorithm::hals, 2, 1e-3, init_method::nndsvda, 0.01)},
        {"mu, kl", make(r, iters, algorithm::mu, 1)},
        {"mu, kl, tol > 0, penalties", make(r, iters, algorithm::mu, 1, 1e-3, init_method::random, 0.01)},
        {"mu, beta 0.5, nndsvda", make(r, iters, algorithm::mu, 0.5, 0, init_method::nndsvda)},
        {"mu, beta 0.5, tol > 0", make(r, iters, algorithm::mu, 0.5, 1e-3)},
        {"mu, penalties", make(r, iters, algorithm::mu, 2, 0, init_method::random, 0.02)},
    };
}

template <class T>
void check_dense_problem(std::size_t n, std::size_t m, std::size_t r, std::uint32_t iters, std::uint64_t seed,
                         bool blocks) {
    splitmix rng(seed);
    const matrix<T> X = random_matrix<T>(n, m, rng, 3.0);
    const std::vector<named_options> cases = dense_cases(r, iters);
    for (std::size_t i = 0; i < cases.size(); ++i) {
        // light: mu with checks, hals with nndsvda and penalties, kl with penalties
        if (k_light && blocks && i != 1 && i != 5 && i != 7) continue;
        const named_options& c = cases[i];
        INFO(n << "x" << m << " r=" << r << ": " << std::string(c.name));
        check_every_executor<T>([&](const nmfkit::executor* e) { return fit_dense(X, c.opt, e); }, blocks);
    }
}

}  // namespace

TEST_CASE("dense fits: the same bytes with any executor, small and odd sizes") {
    check_dense_problem<float>(50, 40, 5, 25, 1, false);  // one block
    check_dense_problem<float>(3, 200, 2, 10, 4, false);
    check_dense_problem<float>(333, 257, 7, iterations(8, 3), 2, true);  // a few blocks, the last one short
    if (!k_light) check_dense_problem<float>(601, 517, 8, 5, 3, true);   // about 10
    check_dense_problem<double>(301, 347, 6, iterations(6, 2), 4, true);
}

TEST_CASE("dense fits: the same bytes with any executor, X above 8 MiB (the one-pass iteration)") {
    splitmix rng(5);
    const matrix<float> X = random_matrix<float>(2200, 1000, rng, 2.0);  // 8.8 MB of float
    using nmfkit::algorithm;
    for (const named_options& c : {named_options{"mu, tol > 0, checked every iteration",
                                                 [] {
                                                     nmfkit::options o = make(8, iterations(3, 2), algorithm::mu, 2,
                                                                              1e-9);
                                                     o.check_every = 1;
                                                     return o;
                                                 }()},
                                   named_options{"hals", make(8, 2, algorithm::hals)}}) {
        if (k_light && c.opt.solver == algorithm::hals) continue;
        INFO(std::string(c.name));
        check_every_executor<float>([&](const nmfkit::executor* e) { return fit_dense(X, c.opt, e); });
    }
}

TEST_CASE("CSR fits: the same bytes with any executor") {
    splitmix rng(6);
    // β = 2's products at the stored entries are split into blocks of rows by nnz·r: a few here.
    const csr<float> X = to_csr(random_sparse<float>(2003, 1499, 0.05, rng, 2.0));
    const csr<double> Xd = to_csr(random_sparse<double>(1000, 901, 0.1, rng, 2.0));
    // The others (W·H at the stored entries, tiles) run whole today; still compared, on less data.
    const csr<float> Y = to_csr(random_sparse<float>(800, 601, 0.05, rng, 2.0));
    const csr<double> Yd = to_csr(random_sparse<double>(500, 399, 0.1, rng, 2.0));
    using nmfkit::algorithm;
    nmfkit::options unstored = make(6, iterations(15, 2), algorithm::mu);
    unstored.missing = nmfkit::missing_entries::unstored;
    nmfkit::options unstored_kl = make(6, iterations(15, 2), algorithm::mu, 1, 1e-3);
    unstored_kl.missing = nmfkit::missing_entries::unstored;
    const named_options split[] = {
        {"mu", make(6, iterations(15, 2), algorithm::mu)},
        {"mu, tol > 0, nndsvda", make(6, iterations(15, 2), algorithm::mu, 2, 1e-3, nmfkit::init_method::nndsvda)},
        {"hals, penalties", make(6, iterations(15, 2), algorithm::hals, 2, 0, nmfkit::init_method::random, 0.01)},
    };
    const named_options whole[] = {
        {"mu, kl", make(6, iterations(15, 2), algorithm::mu, 1)},
        {"mu, missing = unstored", unstored},
        {"mu, kl, missing = unstored, tol > 0", unstored_kl},
        {"mu, beta 1.5 (tiles)", make(6, iterations(4, 2), algorithm::mu, 1.5)},
    };
    // light: mu on the float X, hals on the double one
    for (std::size_t i = 0; i < std::size(split); ++i) {
        if (k_light && i == 1) continue;
        const named_options& c = split[i];
        INFO(std::string(c.name));
        if (!k_light || i % 2 == 0)
            check_every_executor<float>([&](const nmfkit::executor* e) { return fit_csr(X, c.opt, e); });
        if (!k_light || i == 2)
            check_every_executor<double>([&](const nmfkit::executor* e) { return fit_csr(Xd, c.opt, e); });
    }
    for (std::size_t i = 0; i < std::size(whole); ++i) {
        const named_options& c = whole[i];
        INFO(std::string(c.name));
        if (k_light && i != 2) continue;  // light: kl with unstored entries only
        if (!k_light || i % 2 == 0)
            check_every_executor<float>([&](const nmfkit::executor* e) { return fit_csr(Y, c.opt, e); }, false);
        if (!k_light || i % 2 == 1)
            check_every_executor<double>([&](const nmfkit::executor* e) { return fit_csr(Yd, c.opt, e); }, false);
    }
}

TEST_CASE("transform and transform_columns, dense and CSR: the same bytes with any executor") {
    splitmix rng(8);
    const std::size_t r = 5;
    const matrix<float> X = random_matrix<float>(500, 400, rng, 2.0);
    const matrix<float> W = random_matrix<float>(500, r, rng), H = random_matrix<float>(r, 400, rng);
    const csr<float> S = to_csr(random_sparse<float>(2000, 1200, 0.05, rng, 2.0));
    const matrix<float> WS = random_matrix<float>(2000, r, rng), HS = random_matrix<float>(r, 1200, rng);
    for (double beta : {2.0, 1.0}) {
        INFO("beta " << beta);
        if (k_light && beta != 2) continue;
        nmfkit::options o = make(r, iterations(10, 4), nmfkit::algorithm::mu, beta, 1e-4);
        o.check_every = 2;
        auto solve = [&](bool sparse, bool solve_w, const nmfkit::executor* e) {
            const std::size_t n = sparse ? S.rows : X.rows, m = sparse ? S.cols : X.cols;
            matrix<float> out = solve_w ? matrix<float>(n, r) : matrix<float>(r, m);
            std::size_t bytes = 0;
            REQUIRE((sparse ? nmfkit::workspace_size<float>(n, m, S.nnz(), o, bytes)
                            : nmfkit::workspace_size<float>(n, m, o, bytes)) == status::ok);
            workspace ws(bytes);
            outcome<float> res;
            if (sparse)
                res.st = solve_w ? nmfkit::transform<float>(S.view(), HS.cview(), out.view(), o, ws.ptr, ws.bytes,
                                                            res.res, nullptr, nullptr, e)
                                 : nmfkit::transform_columns<float>(S.view(), WS.cview(), out.view(), o, ws.ptr,
                                                                    ws.bytes, res.res, nullptr, nullptr, e);
            else
                res.st = solve_w ? nmfkit::transform<float>(X.cview(), H.cview(), out.view(), o, ws.ptr, ws.bytes,
                                                            res.res, nullptr, nullptr, e)
                                 : nmfkit::transform_columns<float>(X.cview(), W.cview(), out.view(), o, ws.ptr,
                                                                    ws.bytes, res.res, nullptr, nullptr, e);
            (solve_w ? res.W : res.H) = std::move(out.data);
            return res;
        };
        for (bool sparse : {false, true})
            for (bool solve_w : {true, false}) {
                INFO((std::string(sparse ? "CSR " : "dense ") + (solve_w ? "transform" : "transform_columns")));
                // A CSR X: only β = 2's X·Hᵀ (transform) is split into blocks today.
                const bool blocks = !sparse || (beta == 2 && solve_w);
                check_every_executor<float>([&](const nmfkit::executor* e) { return solve(sparse, solve_w, e); },
                                            blocks);
            }
    }
}

TEST_CASE("the solver: set_executor between slices changes nothing") {
    splitmix rng(9);
    const std::size_t n = 400, m = 300, ns = 2000, ms = 1200, r = 6;
    const matrix<float> X = random_matrix<float>(n, m, rng, 2.0);
    const csr<float> S = to_csr(random_sparse<float>(ns, ms, 0.05, rng, 2.0));
    const pools& p = the_pools();
    // Each slice runs on the next executor of this list, the first one also start()'s.
    const nmfkit::executor* sequence[] = {p.p3.executor(), nullptr,         p.p8.executor(), &k_backwards,
                                          p.p2.executor(), p.p1.executor(), nullptr};
    for (nmfkit::algorithm solver : {nmfkit::algorithm::mu, nmfkit::algorithm::amu, nmfkit::algorithm::hals})
        for (bool sparse : {false, true}) {
            if (sparse && solver == nmfkit::algorithm::amu) continue;
            INFO((std::string(nmfkit::name(solver)) + (sparse ? ", CSR" : ", dense")));
            const nmfkit::options o = make(r, iterations(12, 6), solver, 2, 1e-6);
            const outcome<float> one = sparse ? fit_csr(S, o, nullptr) : fit_dense(X, o, nullptr);
            REQUIRE(one.st == status::ok);
            for (std::size_t first = 0; first < 2; ++first) {
                matrix<float> W(sparse ? ns : n, r), H(r, sparse ? ms : m);
                workspace ws = sparse ? make_csr_workspace(S, o) : make_workspace<float>(n, m, o);
                nmfkit::solver<float> s;
                outcome<float> sliced;
                const nmfkit::executor* start_exec = sequence[first];
                REQUIRE((sparse ? s.start(S.view(), W.view(), H.view(), o, ws.ptr, ws.bytes, sliced.res, start_exec)
                                : s.start(X.cview(), W.view(), H.view(), o, ws.ptr, ws.bytes, sliced.res,
                                          start_exec)) == status::ok);
                for (std::size_t k = first + 1; !s.done(); ++k) {
                    REQUIRE(s.set_executor(sequence[k % std::size(sequence)]) == status::ok);
                    REQUIRE(s.run(static_cast<std::uint32_t>(k % 3 + 1), sliced.res) == status::ok);
                }
                REQUIRE(s.set_executor(p.p3.executor()) == status::ok);
                REQUIRE(s.finish(sliced.res) == status::ok);
                sliced.W = std::move(W.data);
                sliced.H = std::move(H.data);
                check_same(one, sliced);
            }
        }
    nmfkit::solver<float> idle;
    CHECK(idle.set_executor(p.p2.executor()) == status::not_started);
}

TEST_CASE("C API: the _ex functions and nmfkit_thread_pool give the serial bytes") {
    nmfkit_thread_pool* pool = nmfkit_thread_pool_create(3);
    REQUIRE(pool != nullptr);
    CHECK(nmfkit_thread_pool_threads(pool) == 3);
    const nmfkit_executor* ex = nmfkit_thread_pool_executor(pool);
    REQUIRE(ex != nullptr);
    CHECK(nmfkit_thread_pool_executor(nullptr) == nullptr);
    CHECK(nmfkit_thread_pool_threads(nullptr) == 0);
    const nmfkit_executor backwards{run_backwards, nullptr};

    splitmix rng(10);
    const std::size_t n = 400, m = 300, r = 6;  // both X span several blocks
    const matrix<float> X = random_matrix<float>(n, m, rng, 2.0);
    const csr<double> S = to_csr(random_sparse<double>(n, m, 0.8, rng, 2.0));
    nmfkit_options opt;
    nmfkit_options_default(&opt);
    opt.rank = r;
    opt.max_iter = iterations(12, 6);
    opt.tol = 1e-6;
    opt.check_every = 4;
    opt.solver = NMFKIT_SOLVER_HALS;
    std::size_t bytes = 0, csr_bytes = 0;
    REQUIRE(nmfkit_workspace_size_f32(n, m, &opt, &bytes) == NMFKIT_OK);
    REQUIRE(nmfkit_workspace_size_csr_f64(n, m, S.nnz(), &opt, &csr_bytes) == NMFKIT_OK);
    workspace ws(bytes), cws(csr_bytes);

    // The serial references.
    std::vector<float> W0(n * r), H0(r * m);
    std::vector<double> Wd0(n * r), Hd0(r * m);
    nmfkit_result res0, csr0;
    REQUIRE(nmfkit_fit_f32(X.data.data(), n, m, 0, W0.data(), 0, H0.data(), 0, &opt, ws.ptr, bytes, &res0, nullptr,
                           nullptr) == NMFKIT_OK);
    REQUIRE(nmfkit_fit_csr_f64(n, m, S.nnz(), S.indptr.data(), S.indices.data(), S.values.data(), Wd0.data(), 0,
                               Hd0.data(), 0, &opt, cws.ptr, csr_bytes, &csr0, nullptr, nullptr) == NMFKIT_OK);

    for (const nmfkit_executor* e : {ex, &backwards, static_cast<const nmfkit_executor*>(nullptr)}) {
        INFO(std::string(e == ex ? "pool" : e ? "backwards" : "NULL"));
        std::vector<float> W(n * r), H(r * m);
        nmfkit_result res;
        REQUIRE(nmfkit_fit_ex_f32(X.data.data(), n, m, 0, W.data(), 0, H.data(), 0, &opt, ws.ptr, bytes, &res, nullptr,
                                  nullptr, e) == NMFKIT_OK);
        CHECK(same_bytes(W, W0));
        CHECK(same_bytes(H, H0));
        CHECK(res.iterations == res0.iterations);
        CHECK(same_bytes(res.loss, res0.loss));

        // The solver, its executor switched between slices.
        std::fill(W.begin(), W.end(), 0.0f);
        REQUIRE(nmfkit_solver_start_ex_f32(X.data.data(), n, m, 0, W.data(), 0, H.data(), 0, &opt, ws.ptr, bytes, &res,
                                           e) == NMFKIT_OK);
        for (int k = 0; !res.done; ++k) {
            REQUIRE(nmfkit_solver_set_executor_f32(ws.ptr, k % 2 ? ex : e) == NMFKIT_OK);
            REQUIRE(nmfkit_solver_run_f32(ws.ptr, 5, &res) == NMFKIT_OK);
        }
        REQUIRE(nmfkit_solver_finish_f32(ws.ptr, &res) == NMFKIT_OK);
        CHECK(same_bytes(W, W0));
        CHECK(same_bytes(H, H0));
        CHECK(same_bytes(res.loss, res0.loss));

        std::vector<double> Wd(n * r), Hd(r * m);
        REQUIRE(nmfkit_fit_csr_ex_f64(n, m, S.nnz(), S.indptr.data(), S.indices.data(), S.values.data(), Wd.data(), 0,
                                      Hd.data(), 0, &opt, cws.ptr, csr_bytes, &res, nullptr, nullptr, e) == NMFKIT_OK);
        CHECK(same_bytes(Wd, Wd0));
        CHECK(same_bytes(Hd, Hd0));
        CHECK(same_bytes(res.loss, csr0.loss));
        std::fill(Wd.begin(), Wd.end(), 0.0);
        REQUIRE(nmfkit_solver_start_csr_ex_f64(n, m, S.nnz(), S.indptr.data(), S.indices.data(), S.values.data(),
                                               Wd.data(), 0, Hd.data(), 0, &opt, cws.ptr, csr_bytes, &res,
                                               e) == NMFKIT_OK);
        while (!res.done) {
            REQUIRE(nmfkit_solver_set_executor_f64(cws.ptr, res.iterations % 2 ? e : ex) == NMFKIT_OK);
            REQUIRE(nmfkit_solver_run_f64(cws.ptr, 4, &res) == NMFKIT_OK);
        }
        REQUIRE(nmfkit_solver_finish_f64(cws.ptr, &res) == NMFKIT_OK);
        CHECK(same_bytes(Wd, Wd0));
        CHECK(same_bytes(Hd, Hd0));
    }

    // transform and transform_columns against the fitted factors.
    nmfkit_options topt = opt;
    topt.solver = NMFKIT_SOLVER_MU;
    REQUIRE(nmfkit_workspace_size_f32(n, m, &topt, &bytes) == NMFKIT_OK);
    workspace tws(bytes);
    std::vector<float> Wt0(n * r), Ht0(r * m), Wt(n * r), Ht(r * m);
    nmfkit_result tres;
    REQUIRE(nmfkit_transform_f32(X.data.data(), n, m, 0, H0.data(), 0, Wt0.data(), 0, &topt, tws.ptr, bytes, &tres,
                                 nullptr, nullptr) == NMFKIT_OK);
    REQUIRE(nmfkit_transform_columns_f32(X.data.data(), n, m, 0, W0.data(), 0, Ht0.data(), 0, &topt, tws.ptr, bytes,
                                         &tres, nullptr, nullptr) == NMFKIT_OK);
    REQUIRE(nmfkit_transform_ex_f32(X.data.data(), n, m, 0, H0.data(), 0, Wt.data(), 0, &topt, tws.ptr, bytes, &tres,
                                    nullptr, nullptr, ex) == NMFKIT_OK);
    REQUIRE(nmfkit_transform_columns_ex_f32(X.data.data(), n, m, 0, W0.data(), 0, Ht.data(), 0, &topt, tws.ptr, bytes,
                                            &tres, nullptr, nullptr, ex) == NMFKIT_OK);
    CHECK(same_bytes(Wt, Wt0));
    CHECK(same_bytes(Ht, Ht0));
    CHECK(nmfkit_solver_set_executor_f32(nullptr, ex) == NMFKIT_NOT_STARTED);

    nmfkit_thread_pool_destroy(pool);
    nmfkit_thread_pool_destroy(nullptr);
    nmfkit_thread_pool* every_core = nmfkit_thread_pool_create(0);
    REQUIRE(every_core != nullptr);
    CHECK(nmfkit_thread_pool_threads(every_core) == std::max(1u, std::thread::hardware_concurrency()));
    nmfkit_thread_pool_destroy(every_core);
}

TEST_CASE("factorize: threads or an executor give the serial W and H") {
    splitmix rng(12);
    const matrix<float> X = random_matrix<float>(400, 300, rng, 2.0);
    const csr<float> S = to_csr(random_sparse<float>(400, 300, 0.8, rng, 2.0));
    const nmfkit::options o = make(6, 10, nmfkit::algorithm::hals, 2, 1e-6);
    const auto serial = nmfkit::factorize<float>(X.cview(), o);
    REQUIRE(serial.status == status::ok);
    const auto threaded = nmfkit::factorize<float>(X.cview(), o, nmfkit::parallelism(3));
    const auto every_core = nmfkit::factorize<float>(X.cview(), o, nmfkit::parallelism(0));
    const auto pooled = nmfkit::factorize<float>(X.cview(), o, the_pools().p8.executor());
    for (const nmfkit::factorization<float>* f : {&threaded, &every_core, &pooled}) {
        REQUIRE(f->status == status::ok);
        CHECK(same_bytes(f->W, serial.W));
        CHECK(same_bytes(f->H, serial.H));
        CHECK(same_bytes(f->info.loss, serial.info.loss));
    }
    const auto sparse_serial = nmfkit::factorize<float>(S.view(), o);
    const auto sparse_threaded = nmfkit::factorize<float>(S.view(), o, nmfkit::parallelism(2));
    REQUIRE(sparse_threaded.status == status::ok);
    CHECK(same_bytes(sparse_threaded.W, sparse_serial.W));
    CHECK(same_bytes(sparse_threaded.H, sparse_serial.H));
}

// ---- the pool itself -----------------------------------------------------------------

namespace {

struct tally {
    std::vector<std::atomic<int>> runs;
    std::vector<std::size_t> written;  // plain writes, read by the caller after parallel_for
    explicit tally(std::size_t tasks) : runs(tasks), written(tasks, 0) {}
    static void body(std::size_t t, void* ctx) {
        auto* self = static_cast<tally*>(ctx);
        self->runs[t].fetch_add(1, std::memory_order_relaxed);
        self->written[t] = t + 1;
    }
    bool each_once() const {
        for (std::size_t t = 0; t < runs.size(); ++t)
            if (runs[t].load() != 1 || written[t] != t + 1) return false;
        return true;
    }
};

}  // namespace

// One fit at a time (its loops on the executor) or parallel_fits at once (each fit on one task):
// the same scores, bit for bit, for every executor and lane count; restarts and the consensus
// too, so the order in which fits end (lanes of different ranks end out of order) cannot show.
TEST_CASE("rank selection: the same scores with any executor and any number of fits at once") {
    splitmix rng(8);
    const matrix<float> X = random_matrix<float>(133, 97, rng, 1.0);
    const std::uint32_t ranks[] = {2, 5, 3};
    nmfkit::rank_options ro;
    ro.ranks = ranks;
    ro.n_ranks = 3;
    ro.reps = 2;
    ro.restarts = 2;
    nmfkit::options o;
    o.max_iter = iterations(30, 6);
    o.tol = 1e-3;  // fits end at different iterations
    std::size_t bytes1 = 0;
    REQUIRE(nmfkit::rank_workspace_size<float>(X.rows, X.cols, o, ro, bytes1) == status::ok);
    auto run = [&](const nmfkit::executor* e, std::uint32_t lanes) {
        ro.parallel_fits = lanes;
        std::size_t bytes = 0;
        REQUIRE(nmfkit::rank_workspace_size<float>(X.rows, X.cols, o, ro, bytes) == status::ok);
        if (lanes > 1) CHECK(bytes > bytes1);  // a lane each: W, H, a fit's workspace
        workspace ws(bytes);
        std::vector<nmfkit::rank_score> sc(3);
        std::uint32_t best = 0, best1 = 0;
        REQUIRE(nmfkit::select_rank<float>(X.cview(), o, ro, ws.ptr, bytes, sc.data(), &best, &best1, nullptr, nullptr,
                                           e) == status::ok);
        std::vector<double> v;
        for (const auto& s : sc)
            v.insert(v.end(),
                     {s.train, s.train_sd, s.test, s.test_sd, s.cophenetic, s.dispersion, double(s.reps_done)});
        v.push_back(best);
        v.push_back(best1);
        return v;
    };
    const std::vector<double> ref = run(nullptr, 1);
    for (const std::uint32_t lanes : {1u, 2u, 3u, 5u, 255u})
        for (const named_executor& e : the_pools().all()) {
            INFO("executor: " << std::string(e.name) << ", " << lanes << " fits at once");
            CHECK(same_bytes(run(e.exec, lanes), ref));
        }
    CHECK(same_bytes(run(nullptr, 4), ref));  // lanes without an executor: one after another
}

TEST_CASE("thread_pool: every task runs exactly once, for any size, call after call") {
    const std::size_t sizes[] = {0, 1, 2, 3, 4, 7, 8, 9, 15, 16, 17, 63, 64, 65, 1000, 4099};
    for (std::size_t threads : {1, 2, 3, 8}) {
        nmfkit::thread_pool pool(threads);
        CHECK(pool.threads() == threads);
        REQUIRE(pool.executor() != nullptr);
        CHECK(pool.executor()->self == &pool);
        for (int round = 0; round < 30; ++round)
            for (std::size_t tasks : sizes) {
                INFO(threads << " threads, " << tasks << " tasks, round " << round);
                tally t(tasks);
                if (round % 2) pool.parallel_for(tasks, tally::body, &t);
                else pool.executor()->parallel_for(pool.executor()->self, tasks, tally::body, &t);
                REQUIRE(t.each_once());
            }
    }
    nmfkit::thread_pool every_core;
    CHECK(every_core.threads() == std::max(1u, std::thread::hardware_concurrency()));
}

TEST_CASE("thread_pool: 0 tasks call nothing; nested and concurrent calls") {
    nmfkit::thread_pool pool(3);
    int calls = 0;
    pool.parallel_for(
        0, [](std::size_t, void* c) { ++*static_cast<int*>(c); }, &calls);
    CHECK(calls == 0);

    // A task that calls parallel_for of its own pool: the inner job runs inline, whole.
    struct nested {
        nmfkit::thread_pool* pool;
        std::vector<tally> inner;
    } n{&pool, {}};
    for (int i = 0; i < 6; ++i) n.inner.emplace_back(50);
    pool.parallel_for(
        6,
        [](std::size_t t, void* c) {
            auto* self = static_cast<nested*>(c);
            self->pool->parallel_for(50, tally::body, &self->inner[t]);
        },
        &n);
    for (const tally& t : n.inner) CHECK(t.each_once());

    // Two threads share the pool: their jobs take turns, each complete.
    bool ok[2] = {true, true};
    auto use = [&](int who) {
        for (int k = 0; k < 200; ++k) {
            tally t(static_cast<std::size_t>(k % 40));
            pool.parallel_for(t.runs.size(), tally::body, &t);
            ok[who] = ok[who] && t.each_once();
        }
    };
    std::thread other(use, 1);
    use(0);
    other.join();
    CHECK(ok[0]);
    CHECK(ok[1]);
}
