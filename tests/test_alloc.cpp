// fit() and the solver must not touch the heap. This test replaces the global
// operator new/delete and, on glibc without sanitizers, malloc/calloc/realloc/free,
// counts every call while the library runs, and requires zero.
#include <doctest/doctest.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <new>

#include "nmfkit/nmfkit.h"
#include "nmfkit/nmfkit.hpp"
#include "nmfkit/rank.hpp"
#include "test_util.hpp"

namespace {
volatile bool g_counting = false;
volatile long g_allocations = 0;
void note_allocation() {
    if (g_counting) g_allocations = g_allocations + 1;
}
struct counting_scope {
    counting_scope() {
        g_allocations = 0;
        g_counting = true;
    }
    ~counting_scope() { g_counting = false; }
};
}  // namespace

void* operator new(std::size_t n) {
    note_allocation();
    if (void* p = std::malloc(n ? n : 1)) return p;
    throw std::bad_alloc();
}
void* operator new[](std::size_t n) { return operator new(n); }
void* operator new(std::size_t n, const std::nothrow_t&) noexcept {
    note_allocation();
    return std::malloc(n ? n : 1);
}
void* operator new[](std::size_t n, const std::nothrow_t& t) noexcept { return operator new(n, t); }
void operator delete(void* p) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t) noexcept { std::free(p); }

#if defined(__GLIBC__) && !defined(__SANITIZE_ADDRESS__) && !defined(__EMSCRIPTEN__)
#define NMFKIT_HOOK_MALLOC 1
extern "C" {
void* __libc_malloc(std::size_t);
void* __libc_calloc(std::size_t, std::size_t);
void* __libc_realloc(void*, std::size_t);
void* __libc_memalign(std::size_t, std::size_t);
void __libc_free(void*);
void* malloc(std::size_t n) {
    note_allocation();
    return __libc_malloc(n);
}
void* calloc(std::size_t a, std::size_t b) {
    note_allocation();
    return __libc_calloc(a, b);
}
void* realloc(void* p, std::size_t n) {
    note_allocation();
    return __libc_realloc(p, n);
}
void* aligned_alloc(std::size_t a, std::size_t n) {
    note_allocation();
    return __libc_memalign(a, n);
}
int posix_memalign(void** out, std::size_t a, std::size_t n) {
    note_allocation();
    *out = __libc_memalign(a, n);
    return *out ? 0 : 12;
}
void free(void* p) { __libc_free(p); }
}
#endif

using namespace testutil;

TEST_CASE("the hooks see allocations (the test can fail)") {
    {
        counting_scope scope;
        auto* v = new std::vector<int>(100);
        delete v;
#ifdef NMFKIT_HOOK_MALLOC
        void* p = std::malloc(64);
        std::free(p);
#endif
        CHECK(g_allocations >= 2);
    }
}

TEST_CASE("fit, the resumable solver and the C API allocate nothing") {
    splitmix rng(1);
    for (std::size_t n : {1u, 17u, 300u}) {
        const std::size_t m = 129, r = 7;
        auto X = random_matrix<float>(n, m, rng, 1.0);
        auto Xd = convert<double>(X);
        matrix<float> W(n, r), H(r, m);
        matrix<double> Wd(n, r), Hd(r, m);
        nmfkit::options o;
        o.rank = r;
        o.max_iter = 30;
        nmfkit::options hals = o;
        hals.solver = nmfkit::algorithm::hals;
        hals.alpha_w = 0.01;
        hals.l1_ratio = 0.5;
        std::size_t hals_bytes = 0, mu_bytes = 0;
        REQUIRE(nmfkit::workspace_size<double>(n, m, hals, hals_bytes) == nmfkit::status::ok);
        REQUIRE(nmfkit::workspace_size<double>(n, m, o, mu_bytes) == nmfkit::status::ok);
        workspace ws(hals_bytes > mu_bytes ? hals_bytes : mu_bytes);  // the double workspace is the larger
        nmfkit::result res;
        nmfkit_options co;
        nmfkit_options_default(&co);
        co.rank = r;
        co.max_iter = 12;
        nmfkit_result cres;
        auto cb = [](const nmfkit::progress&, void*) { return true; };
        long seen = -1;
        {
            counting_scope scope;
            CHECK(nmfkit::fit<float>(X.cview(), W.view(), H.view(), o, ws.ptr, ws.bytes, res, cb, nullptr) ==
                  nmfkit::status::ok);
            CHECK(nmfkit::fit<double>(Xd.cview(), Wd.view(), Hd.view(), o, ws.ptr, ws.bytes, res) ==
                  nmfkit::status::ok);
            o.kernel = nmfkit::kernel_choice::scalar;
            CHECK(nmfkit::fit<float>(X.cview(), W.view(), H.view(), o, ws.ptr, ws.bytes, res) == nmfkit::status::ok);
            nmfkit::solver<float> s;
            CHECK(s.start(X.cview(), W.view(), H.view(), o, ws.ptr, ws.bytes, res) == nmfkit::status::ok);
            while (!s.done()) CHECK(s.run(4, res) == nmfkit::status::ok);
            CHECK(s.finish(res) == nmfkit::status::ok);
            CHECK(nmfkit::fit<double>(Xd.cview(), Wd.view(), Hd.view(), hals, ws.ptr, ws.bytes, res, cb, nullptr) ==
                  nmfkit::status::ok);
            CHECK(s.start(X.cview(), W.view(), H.view(), hals, ws.ptr, ws.bytes, res) == nmfkit::status::ok);
            while (!s.done()) CHECK(s.run(4, res) == nmfkit::status::ok);
            CHECK(s.finish(res) == nmfkit::status::ok);
            CHECK(nmfkit::transform<float>(X.cview(), H.cview(), W.view(), hals, ws.ptr, ws.bytes, res) ==
                  nmfkit::status::ok);
            CHECK(nmfkit_fit_f32(X.data.data(), n, m, 0, W.data.data(), 0, H.data.data(), 0, &co, ws.ptr, ws.bytes,
                                 &cres, nullptr, nullptr) == NMFKIT_OK);
            double loss = 0;
            CHECK(nmfkit::frobenius_loss<float>(X.cview(), W.cview(), H.cview(), loss) == nmfkit::status::ok);
            X(n - 1, 3) = -1;  // error paths allocate nothing either
            CHECK(nmfkit::fit<float>(X.cview(), W.view(), H.view(), o, ws.ptr, ws.bytes, res) ==
                  nmfkit::status::x_negative);
            X(n - 1, 3) = 0;
            seen = g_allocations;
        }
        CHECK(seen == 0);
    }
}

TEST_CASE("CSR fits, the CSR solver, transforms and losses allocate nothing, missing entries too") {
    splitmix rng(2);
    const std::size_t n = 150, m = 97, r = 6;
    auto Xd = random_matrix<float>(n, m, rng, 1.0);
    for (std::size_t i = 0; i < n; ++i)
        for (std::size_t j = 0; j < m; ++j)
            if (rng.uniform() < 0.8) Xd(i, j) = 0;
    // The CSR arrays of Xd, built here so that the counting scope sees only the library.
    std::vector<std::uint64_t> indptr(1, 0);
    std::vector<std::uint32_t> indices;
    std::vector<float> values;
    for (std::size_t i = 0; i < n; ++i) {
        for (std::size_t j = 0; j < m; ++j)
            if (Xd(i, j) != 0) {
                indices.push_back(static_cast<std::uint32_t>(j));
                values.push_back(Xd(i, j));
            }
        indptr.push_back(indices.size());
    }
    std::vector<double> values_d(values.begin(), values.end());
    const nmfkit::csr_view<float> X(indptr.data(), indices.data(), values.data(), n, m, indices.size());
    const nmfkit::csr_view<double> Xdbl(indptr.data(), indices.data(), values_d.data(), n, m, indices.size());
    const nmfkit::csr_view<float> pattern(indptr.data(), indices.data(), nullptr, n, m, indices.size());

    struct variant {
        double beta;
        nmfkit::missing_entries missing;
        nmfkit::init_method init;
        nmfkit::algorithm solver;
    };
    const variant variants[] = {
        {2, nmfkit::missing_entries::none, nmfkit::init_method::random, nmfkit::algorithm::mu},
        {2, nmfkit::missing_entries::none, nmfkit::init_method::nndsvda, nmfkit::algorithm::amu},
        {2, nmfkit::missing_entries::none, nmfkit::init_method::random, nmfkit::algorithm::hals},
        {1, nmfkit::missing_entries::none, nmfkit::init_method::nndsvd, nmfkit::algorithm::mu},
        {0.5, nmfkit::missing_entries::none, nmfkit::init_method::random, nmfkit::algorithm::mu},
        {2, nmfkit::missing_entries::unstored, nmfkit::init_method::random, nmfkit::algorithm::mu},
        {1, nmfkit::missing_entries::unstored, nmfkit::init_method::nndsvda, nmfkit::algorithm::mu},
        {0.5, nmfkit::missing_entries::unstored, nmfkit::init_method::random, nmfkit::algorithm::mu},
    };
    std::size_t dup = 0;  // an entry whose row holds the entry before it too
    for (std::size_t i = 0; i < n && dup == 0; ++i)
        if (indptr[i + 1] - indptr[i] >= 2) dup = indptr[i] + 1;
    REQUIRE(dup > 0);
    std::size_t most = 0;
    for (const variant& v : variants) {
        nmfkit::options o;
        o.rank = r;
        o.beta = v.beta;
        o.missing = v.missing;
        o.init = v.init;
        o.solver = v.solver;
        std::size_t bytes = 0;
        REQUIRE(nmfkit::workspace_size<double>(n, m, indices.size(), o, bytes) == nmfkit::status::ok);
        most = bytes > most ? bytes : most;
    }
    workspace ws(most);
    matrix<float> W(n, r), H(r, m);
    matrix<double> Wd(n, r), Hd(r, m);
    nmfkit::result res;
    auto cb = [](const nmfkit::progress&, void*) { return true; };
    for (const variant& v : variants) {
        nmfkit::options o;
        o.rank = r;
        o.max_iter = 8;
        o.check_every = 3;
        o.tol = 1e-9;
        o.beta = v.beta;
        o.missing = v.missing;
        o.init = v.init;
        o.solver = v.solver;
        CAPTURE(v.beta);
        CAPTURE(static_cast<int>(v.missing));
        nmfkit_options co;
        nmfkit_options_default(&co);
        co.rank = r;
        co.max_iter = 5;
        co.beta = v.beta;
        co.missing = static_cast<std::int32_t>(v.missing);
        co.init = static_cast<std::int32_t>(v.init);
        co.solver = static_cast<std::int32_t>(v.solver);
        nmfkit_result cres;
        long seen = -1;
        {
            counting_scope scope;
            CHECK(nmfkit::fit<float>(X, W.view(), H.view(), o, ws.ptr, ws.bytes, res, cb, nullptr) ==
                  nmfkit::status::ok);
            CHECK(nmfkit::fit<double>(Xdbl, Wd.view(), Hd.view(), o, ws.ptr, ws.bytes, res) == nmfkit::status::ok);
            CHECK(nmfkit::fit<float>(pattern, W.view(), H.view(), o, ws.ptr, ws.bytes, res) == nmfkit::status::ok);
            nmfkit::solver<float> s;
            CHECK(s.start(X, W.view(), H.view(), o, ws.ptr, ws.bytes, res) == nmfkit::status::ok);
            while (!s.done()) CHECK(s.run(3, res) == nmfkit::status::ok);
            CHECK(s.finish(res) == nmfkit::status::ok);
            CHECK(nmfkit::transform<float>(X, H.cview(), W.view(), o, ws.ptr, ws.bytes, res) == nmfkit::status::ok);
            CHECK(nmfkit::transform_columns<float>(X, W.cview(), H.view(), o, ws.ptr, ws.bytes, res) ==
                  nmfkit::status::ok);
            double loss = 0;
            CHECK(nmfkit::beta_divergence<float>(X, W.cview(), H.cview(), v.beta, v.missing, loss) ==
                  nmfkit::status::ok);
            CHECK(nmfkit_fit_csr_f32(n, m, indices.size(), indptr.data(), indices.data(), values.data(), W.data.data(),
                                     r, H.data.data(), m, &co, ws.ptr, ws.bytes, &cres, nullptr, nullptr) == NMFKIT_OK);
            CHECK(nmfkit_transform_csr_f64(n, m, indices.size(), indptr.data(), indices.data(), values_d.data(),
                                           Hd.data.data(), m, Wd.data.data(), r, &co, ws.ptr, ws.bytes, &cres, nullptr,
                                           nullptr) == NMFKIT_OK);
            CHECK(nmfkit_beta_divergence_csr_f32(n, m, indices.size(), indptr.data(), indices.data(), nullptr,
                                                 W.data.data(), r, H.data.data(), m, r, v.beta, co.missing,
                                                 &loss) == NMFKIT_OK);
            const std::uint32_t kept5 = indices[5];
            indices[5] = static_cast<std::uint32_t>(m);  // error paths allocate nothing either
            CHECK(nmfkit::fit<float>(X, W.view(), H.view(), o, ws.ptr, ws.bytes, res) ==
                  nmfkit::status::csr_index_out_of_range);
            indices[5] = kept5;
            const std::uint32_t kept = indices[dup];
            indices[dup] = indices[dup - 1];
            CHECK(nmfkit::fit<float>(X, W.view(), H.view(), o, ws.ptr, ws.bytes, res) ==
                  nmfkit::status::csr_duplicate_index);
            indices[dup] = kept;
            seen = g_allocations;
        }
        CHECK(seen == 0);
    }
}

TEST_CASE("rank selection, restarts, consensus and quality measures never touch the heap") {
    const std::size_t n = 24, m = 18;
    testutil::splitmix rng(5);
    std::vector<float> X(n * m);
    for (auto& v : X) v = float(rng.uniform());
    std::vector<std::uint64_t> indptr(n + 1);
    std::vector<std::uint32_t> indices;
    std::vector<float> values;
    for (std::size_t i = 0; i < n; ++i) {
        for (std::size_t j = 0; j < m; ++j)
            if ((i + j) % 3 != 0) indices.push_back(std::uint32_t(j)), values.push_back(X[i * m + j]);
        indptr[i + 1] = indices.size();
    }
    const nmfkit::csr_view<float> Xs(indptr.data(), indices.data(), values.data(), n, m, indices.size());
    const std::uint32_t ranks[] = {1, 2, 3};
    nmfkit::rank_options ro;
    ro.ranks = ranks;
    ro.n_ranks = 3;
    ro.reps = 2;
    ro.restarts = 2;
    nmfkit::options opt;
    opt.max_iter = 30;
    std::size_t bytes = 0, bytes_csr = 0, bytes_rs = 0, bytes_c = 0;
    REQUIRE(nmfkit::rank_workspace_size<float>(n, m, opt, ro, bytes) == nmfkit::status::ok);
    nmfkit::options uo = opt;
    uo.missing = nmfkit::missing_entries::unstored;
    REQUIRE(nmfkit::rank_workspace_size<float>(n, m, indices.size(), uo, ro, bytes_csr) == nmfkit::status::ok);
    nmfkit::options fo = opt;
    fo.rank = 3;
    REQUIRE(nmfkit::restarts_workspace_size<float>(n, m, fo, bytes_rs) == nmfkit::status::ok);
    REQUIRE(nmfkit::consensus_workspace_size(m, bytes_c) == nmfkit::status::ok);
    testutil::workspace ws(std::max(std::max(bytes, bytes_csr), std::max(bytes_rs, bytes_c)));
    std::vector<nmfkit::rank_score> scores(3);
    std::vector<float> W(n * 3), H(3 * m);
    std::vector<std::uint32_t> labels(2 * m);
    double contrib[3];
    long seen = -1;
    {
        counting_scope scope;
        std::uint32_t best = 0;
        CHECK(nmfkit::select_rank<float>({X.data(), n, m}, opt, ro, ws.ptr, ws.bytes, scores.data(), &best, nullptr) ==
              nmfkit::status::ok);
        CHECK(nmfkit::select_rank<float>(Xs, uo, ro, ws.ptr, ws.bytes, scores.data(), &best, nullptr) ==
              nmfkit::status::ok);
        nmfkit::rank_search<float> rs;
        CHECK(rs.start(Xs, opt, ro, ws.ptr, ws.bytes) == nmfkit::status::ok);  // CSR, zeros observed
        nmfkit::rank_progress p;
        while (!rs.done()) CHECK(rs.run(7, p) == nmfkit::status::ok);
        nmfkit::result res;
        CHECK(nmfkit::fit_restarts<float>({X.data(), n, m}, {W.data(), n, 3}, {H.data(), 3, m}, fo, 3, ws.ptr, ws.bytes,
                                          res) == nmfkit::status::ok);
        double ev = 0, sw = 0, sh = 0, coph = 0, disp = 0;
        CHECK(nmfkit::explained_variance<float>({X.data(), n, m}, {W.data(), n, 3}, {H.data(), 3, m}, ev) ==
              nmfkit::status::ok);
        CHECK(nmfkit::hoyer_sparseness<float>({W.data(), n, 3}, {H.data(), 3, m}, sw, sh) == nmfkit::status::ok);
        CHECK(nmfkit::component_contribution<float>({W.data(), n, 3}, {H.data(), 3, m}, contrib) == nmfkit::status::ok);
        CHECK(nmfkit::canonicalize<float>({W.data(), n, 3}, {H.data(), 3, m}) == nmfkit::status::ok);
        CHECK(nmfkit::column_labels<float>({W.data(), n, 3}, {H.data(), 3, m}, labels.data()) == nmfkit::status::ok);
        CHECK(nmfkit::column_labels<float>({W.data(), n, 2}, {H.data(), 2, m}, labels.data() + m) ==
              nmfkit::status::ok);
        CHECK(nmfkit::consensus_measures(labels.data(), 2, m, ws.ptr, ws.bytes, coph, disp) == nmfkit::status::ok);
        seen = g_allocations;
    }
    CHECK(seen == 0);
}
