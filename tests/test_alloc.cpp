// fit() and the solver must not touch the heap. This test replaces the global
// operator new/delete and, on glibc without sanitizers, malloc/calloc/realloc/free,
// counts every call while the library runs, and requires zero.
#include <doctest/doctest.h>

#include <cstddef>
#include <cstdlib>
#include <new>

#include "nmfkit/nmfkit.h"
#include "nmfkit/nmfkit.hpp"
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
        workspace ws = make_workspace<double>(n, m, o);  // the double workspace is the larger
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
