// Behaviour of the multiplicative-update solver: exact updates on small cases, the
// Lee–Seung monotonicity theorem, recovery of planted factorizations, determinism,
// kernel agreement, awkward shapes and strides, degenerate data, resumable runs.
#include <doctest/doctest.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "kernels/kernels.hpp"
#include "nmfkit/nmfkit.hpp"
#include "test_util.hpp"

using namespace testutil;
using nmfkit::status;

// FNV-1a of the random init of a fixed problem (see the test that uses it).
constexpr std::uint64_t k_init_checksum = 15371524975255973602ULL;

namespace {

nmfkit::options opts(std::size_t rank, std::uint32_t iters, double tol = 0, std::uint64_t seed = 1) {
    nmfkit::options o;
    o.solver = nmfkit::algorithm::mu;  // these are MU's tests (the default, auto, is hals for β = 2)
    o.rank = rank;
    o.max_iter = iters;
    o.tol = tol;
    o.seed = seed;
    return o;
}

}  // namespace

TEST_CASE("one iteration on a 2x2 problem matches the update computed by hand") {
    // X = [1 2; 3 4], W0 = [1; 1], H0 = [1 1], r = 1.
    // W step: XHᵀ = [3; 7], HHᵀ = 2, W·HHᵀ = [2; 2]      → W1 = [1.5; 3.5]
    // H step: W1ᵀW1 = 14.5, W1ᵀX = [12 17], WᵀW·H = [14.5 14.5] → H1 = [12/14.5  17/14.5]
    matrix<double> X(2, 2), W(2, 1), H(1, 2);
    X(0, 0) = 1;
    X(0, 1) = 2;
    X(1, 0) = 3;
    X(1, 1) = 4;
    W(0, 0) = 1;
    W(1, 0) = 1;
    H(0, 0) = 1;
    H(0, 1) = 1;
    nmfkit::options o = opts(1, 1);
    o.init = nmfkit::init_method::custom;
    nmfkit::result res;
    REQUIRE(run_fit(X, W, H, o, res) == status::ok);
    CHECK(res.iterations == 1);
    CHECK(W(0, 0) == doctest::Approx(1.5).epsilon(1e-15));
    CHECK(W(1, 0) == doctest::Approx(3.5).epsilon(1e-15));
    CHECK(H(0, 0) == doctest::Approx(12 / 14.5).epsilon(1e-15));
    CHECK(H(0, 1) == doctest::Approx(17 / 14.5).epsilon(1e-15));
    // ½‖X − W1H1‖², entry by entry.
    double sq = 0;
    for (int i = 0; i < 2; ++i)
        for (int j = 0; j < 2; ++j) {
            const double d = X(i, j) - W(i, 0) * H(0, j);
            sq += d * d;
        }
    CHECK(res.loss == doctest::Approx(0.5 * sq).epsilon(1e-12));
    CHECK(res.relative_error == doctest::Approx(std::sqrt(sq / 30.0)).epsilon(1e-12));
}

TEST_CASE("iterations match a long-double reference implementation of the formulas") {
    splitmix rng(7);
    for (int trial = 0; trial < 6; ++trial) {
        const std::size_t n = 3 + rng.below(9), m = 2 + rng.below(11), r = 1 + rng.below(5);
        auto X = random_matrix<long double>(n, m, rng, 3.0);
        X(rng.below(n), rng.below(m)) = 0;  // an exact zero entry
        auto W0 = random_matrix<long double>(n, r, rng), H0 = random_matrix<long double>(r, m, rng);
        auto Wr = W0, Hr = H0;
        for (int it = 0; it < 15; ++it) reference_iteration(X, Wr, Hr, 1.1920928955078125e-07L);

        SUBCASE("double") {
            auto Xd = convert<double>(X), W = convert<double>(W0), H = convert<double>(H0);
            nmfkit::options o = opts(r, 15);
            o.init = nmfkit::init_method::custom;
            for (auto kernel : {nmfkit::kernel_choice::automatic, nmfkit::kernel_choice::scalar}) {
                auto Wt = W, Ht = H;
                o.kernel = kernel;
                nmfkit::result res;
                REQUIRE(run_fit(Xd, Wt, Ht, o, res) == status::ok);
                CHECK(rel_diff(Wt, convert<double>(Wr)) < 1e-11);
                CHECK(rel_diff(Ht, convert<double>(Hr)) < 1e-11);
            }
        }
        SUBCASE("float") {
            auto Xf = convert<float>(X), W = convert<float>(W0), H = convert<float>(H0);
            nmfkit::options o = opts(r, 15);
            o.init = nmfkit::init_method::custom;
            nmfkit::result res;
            REQUIRE(run_fit(Xf, W, H, o, res) == status::ok);
            CHECK(rel_diff(W, convert<float>(Wr)) < 1e-4);
            CHECK(rel_diff(H, convert<float>(Hr)) < 1e-4);
        }
    }
}

TEST_CASE("the Frobenius loss never increases (Lee-Seung), 240 random problems") {
    splitmix rng(2024);
    int problems = 0;
    for (int trial = 0; trial < 240; ++trial) {
        std::size_t n = 1 + rng.below(40), m = 1 + rng.below(40), r = 1 + rng.below(8);
        switch (trial % 6) {  // make sure every shape class appears
            case 0:
                n = 40 + rng.below(60);
                m = 1 + rng.below(4);
                break;  // tall
            case 1:
                n = 1 + rng.below(4);
                m = 40 + rng.below(60);
                break;                                             // wide
            case 2: r = 1; break;                                  // rank 1
            case 3: r = std::min(n, m) + 1 + rng.below(4); break;  // rank > min(n, m)
            default: break;
        }
        auto X = random_matrix<double>(n, m, rng, 1 + 10 * rng.uniform());
        if (trial % 5 == 0) X(rng.below(n), rng.below(m)) = 0;
        matrix<double> W(n, r), H(r, m);
        nmfkit::options o = opts(r, 30, 0, static_cast<std::uint64_t>(trial));
        workspace ws = make_workspace<double>(n, m, o);
        nmfkit::solver<double> s;
        nmfkit::result res;
        REQUIRE(s.start(X.cview(), W.view(), H.view(), o, ws.ptr, ws.bytes, res) == status::ok);
        double prev = 0, x_sq = 0;
        REQUIRE(nmfkit::frobenius_loss<double>(X.cview(), W.cview(), H.cview(), prev) == status::ok);
        for (std::size_t i = 0; i < n; ++i)
            for (std::size_t j = 0; j < m; ++j) x_sq += X(i, j) * X(i, j);
        // Rounding noise of a loss that has reached ~0 is of the order eps·‖X‖².
        const double noise = 1e-13 * x_sq;
        bool monotone = true;
        while (!s.done()) {
            REQUIRE(s.run(1, res) == status::ok);
            double cur = 0;
            REQUIRE(nmfkit::frobenius_loss<double>(X.cview(), W.cview(), H.cview(), cur) == status::ok);
            if (cur > prev * (1 + 1e-10) + noise) {
                monotone = false;
                INFO("n=" << n << " m=" << m << " r=" << r << " iter=" << res.iterations << " prev=" << prev
                          << " cur=" << cur);
                CHECK(cur <= prev);
            }
            prev = cur;
        }
        CHECK(monotone);
        ++problems;
    }
    CHECK(problems >= 200);
}

TEST_CASE("a planted exact non-negative low-rank matrix is recovered") {
    splitmix rng(99);
    const std::size_t n = 30, m = 24, r = 3;
    // Sparse planted factors make the factorization essentially unique.
    auto Wt = random_matrix<double>(n, r, rng), Ht = random_matrix<double>(r, m, rng);
    for (std::size_t i = 0; i < n; ++i) Wt(i, i % r) += 1.0;
    for (std::size_t j = 0; j < m; ++j) Ht(j % r, j) += 1.0;
    matrix<double> X(n, m);
    for (std::size_t i = 0; i < n; ++i)
        for (std::size_t j = 0; j < m; ++j)
            for (std::size_t k = 0; k < r; ++k) X(i, j) += Wt(i, k) * Ht(k, j);
    matrix<double> W(n, r), H(r, m);
    nmfkit::result res;
    REQUIRE(run_fit(X, W, H, opts(r, 4000, 0, 3), res) == status::ok);
    CHECK(res.relative_error < 1e-3);

    SUBCASE("float32 too") {
        auto Xf = convert<float>(X);
        matrix<float> Wf(n, r), Hf(r, m);
        REQUIRE(run_fit(Xf, Wf, Hf, opts(r, 4000, 0, 3), res) == status::ok);
        CHECK(res.relative_error < 1e-3);
    }
}

TEST_CASE("the same seed gives bitwise the same W and H; another seed does not") {
    splitmix rng(5);
    auto X = random_matrix<float>(37, 29, rng, 4.0);
    matrix<float> W1(37, 5), H1(5, 29), W2(37, 5), H2(5, 29), W3(37, 5), H3(5, 29);
    nmfkit::result res;
    REQUIRE(run_fit(X, W1, H1, opts(5, 40, 0, 123), res) == status::ok);
    REQUIRE(run_fit(X, W2, H2, opts(5, 40, 0, 123), res) == status::ok);
    REQUIRE(run_fit(X, W3, H3, opts(5, 40, 0, 124), res) == status::ok);
    CHECK(std::memcmp(W1.data.data(), W2.data.data(), W1.data.size() * sizeof(float)) == 0);
    CHECK(std::memcmp(H1.data.data(), H2.data.data(), H1.data.size() * sizeof(float)) == 0);
    CHECK(std::memcmp(W1.data.data(), W3.data.data(), W1.data.size() * sizeof(float)) != 0);
}

TEST_CASE("random initialization: positive, scaled like scikit-learn, platform-independent checksum") {
    // X = all 4: mean 4, r = 4 → entries uniform in (0, sqrt(4/4)) = (0, 1).
    matrix<float> X(50, 40, 0, 4.0f), W(50, 4), H(4, 40);
    nmfkit::result res;
    REQUIRE(nmfkit::random_init<float>(X.cview(), W.view(), H.view(), 42, res) == status::ok);
    double sum = 0;
    for (float v : W.data) sum += v;
    for (float v : H.data) sum += v;
    CHECK(all_finite_nonneg(W));
    for (std::size_t i = 0; i < W.rows; ++i)
        for (std::size_t k = 0; k < 4; ++k) CHECK((W(i, k) > 0 && W(i, k) < 1));
    CHECK(sum / (50 * 4 + 4 * 40) == doctest::Approx(0.5).epsilon(0.05));

    // FNV-1a over the bits of W0 then H0 for a fixed problem. The value is committed:
    // every target (x86-64, aarch64, armhf, wasm, Cortex-M) must reproduce it.
    matrix<float> Xd(16, 12), Wd(16, 3), Hd(3, 12);
    for (std::size_t i = 0; i < 16; ++i)
        for (std::size_t j = 0; j < 12; ++j) Xd(i, j) = static_cast<float>((i * 7 + j * 3) % 11) * 0.25f;
    REQUIRE(nmfkit::random_init<float>(Xd.cview(), Wd.view(), Hd.view(), 2026, res) == status::ok);
    std::uint64_t h = 1469598103934665603ULL;
    auto mix = [&h](const matrix<float>& a) {
        for (std::size_t i = 0; i < a.rows; ++i)
            for (std::size_t j = 0; j < a.cols; ++j) {
                std::uint32_t bits;
                const float v = a(i, j);
                std::memcpy(&bits, &v, 4);
                for (int b = 0; b < 4; ++b) h = (h ^ ((bits >> (8 * b)) & 0xffu)) * 1099511628211ULL;
            }
    };
    mix(Wd);
    mix(Hd);
    MESSAGE("init checksum " << h);
    CHECK(h == k_init_checksum);
}

TEST_CASE("every compiled kernel set agrees with the scalar path to 1e-5") {
    splitmix rng(11);
    std::size_t count = 0;
    const auto* const* sets = nmfkit::detail::available_kernels<float>(count);
    REQUIRE(count >= 1);
    MESSAGE("kernel sets: " << count << ", best: " << std::string(sets[0]->name));
    for (std::size_t n : {1u, 3u, 17u, 33u, 100u})
        for (std::size_t m : {1u, 5u, 16u, 33u, 70u})
            for (std::size_t r : {1u, 4u, 17u}) {
                auto X = random_matrix<float>(n, m, rng, 2.0);
                matrix<float> Ws(n, r), Hs(r, m), Wa(n, r), Ha(r, m);
                nmfkit::options o = opts(r, 20, 0, n * 1000 + m * 10 + r);
                nmfkit::result res;
                o.kernel = nmfkit::kernel_choice::scalar;
                REQUIRE(run_fit(X, Ws, Hs, o, res) == status::ok);
                const double scalar_err = res.relative_error;
                o.kernel = nmfkit::kernel_choice::automatic;
                REQUIRE(run_fit(X, Wa, Ha, o, res) == status::ok);
                INFO("n=" << n << " m=" << m << " r=" << r);
                CHECK(rel_diff(Wa, Ws) < 1e-5);
                CHECK(rel_diff(Ha, Hs) < 1e-5);
                CHECK(res.relative_error == doctest::Approx(scalar_err).epsilon(1e-5));
            }
}

TEST_CASE("padded strides give the same result and leave the padding untouched") {
    splitmix rng(3);
    for (std::size_t n : {1u, 3u, 17u, 33u})
        for (std::size_t m : {1u, 3u, 17u, 33u}) {
            const std::size_t r = 1 + (n + m) % 5;
            auto X = random_matrix<float>(n, m, rng, 1.0);
            matrix<float> Xp(n, m, 7, -1.0f), Wp(n, r, 3, -2.0f), Hp(r, m, 5, -3.0f), W(n, r), H(r, m);
            for (std::size_t i = 0; i < n; ++i)
                for (std::size_t j = 0; j < m; ++j) Xp(i, j) = X(i, j);
            nmfkit::result a, b;
            REQUIRE(run_fit(X, W, H, opts(r, 25), a) == status::ok);
            REQUIRE(run_fit(Xp, Wp, Hp, opts(r, 25), b) == status::ok);
            INFO("n=" << n << " m=" << m << " r=" << r);
            CHECK(rel_diff(Wp, W) < 1e-6);
            CHECK(rel_diff(Hp, H) < 1e-6);
            CHECK(b.relative_error == doctest::Approx(a.relative_error).epsilon(1e-6));
            bool pad_ok = true;
            for (std::size_t i = 0; i < n; ++i) {
                for (std::size_t j = r; j < Wp.stride; ++j) pad_ok &= Wp.data[i * Wp.stride + j] == -2.0f;
            }
            for (std::size_t k = 0; k < r; ++k)
                for (std::size_t j = m; j < Hp.stride; ++j) pad_ok &= Hp.data[k * Hp.stride + j] == -3.0f;
            CHECK(pad_ok);
        }
}

TEST_CASE("zero rows, zero columns and an all-zero X give finite results") {
    splitmix rng(8);
    auto X = random_matrix<float>(12, 9, rng, 3.0);
    for (std::size_t j = 0; j < 9; ++j) X(4, j) = 0;   // zero row
    for (std::size_t i = 0; i < 12; ++i) X(i, 2) = 0;  // zero column
    matrix<float> W(12, 3), H(3, 9);
    nmfkit::result res;
    REQUIRE(run_fit(X, W, H, opts(3, 100, 1e-4), res) == status::ok);
    CHECK(all_finite_nonneg(W));
    CHECK(all_finite_nonneg(H));
    CHECK(std::isfinite(res.loss));
    CHECK(res.relative_error < 1);

    matrix<float> Z(6, 5), Wz(6, 2), Hz(2, 5);
    REQUIRE(run_fit(Z, Wz, Hz, opts(2, 50, 1e-4), res) == status::ok);
    CHECK(all_finite_nonneg(Wz));
    CHECK(all_finite_nonneg(Hz));
    CHECK(res.loss == 0);
    CHECK(res.relative_error == 0);
    CHECK(res.converged);
}

TEST_CASE("tol: scikit-learn's rule, checked every check_every iterations") {
    splitmix rng(21);
    auto X = random_matrix<double>(40, 30, rng, 5.0);
    const double tol = 1e-3;
    matrix<double> W(40, 4), H(4, 30);
    nmfkit::result res;
    REQUIRE(run_fit(X, W, H, opts(4, 1000, tol, 9), res) == status::ok);
    CHECK(res.converged);
    CHECK(res.done);
    CHECK(res.iterations < 1000);
    CHECK(res.iterations % 10 == 0);

    // Replay in slices of 10 and apply the rule by hand to the reported errors.
    matrix<double> W2(40, 4), H2(4, 30);
    nmfkit::options o = opts(4, 1000, 0, 9);
    workspace ws = make_workspace<double>(40, 30, o);
    nmfkit::solver<double> s;
    nmfkit::result r;
    REQUIRE(s.start(X.cview(), W2.view(), H2.view(), o, ws.ptr, ws.bytes, r) == status::ok);
    const double e0 = std::sqrt(2 * r.loss);
    double prev = e0;
    std::uint32_t stop = 0;
    while (stop == 0 && !s.done()) {
        REQUIRE(s.run(10, r) == status::ok);
        const double e = std::sqrt(2 * r.loss);
        if ((prev - e) / e0 < tol) stop = r.iterations;
        prev = e;
    }
    CHECK(stop == res.iterations);
}

TEST_CASE("tol: float32 checks use the exact error, not the cancellation-prone cached one") {
    // Apply the rule by hand to exact errors of the same float32 trajectory (tol = 0
    // run, slices of 10): the tol run must stop at the same check.
    splitmix rng(33);
    const std::size_t n = 500, m = 400, rank = 5;
    const std::uint32_t iters = 2500;
    auto X = random_matrix<float>(n, m, rng, 1.0);
    const double tol = 1e-5;
    matrix<float> W(n, rank), H(rank, m);
    nmfkit::result res;
    REQUIRE(run_fit(X, W, H, opts(rank, iters, tol, 4), res) == status::ok);
    matrix<float> W2(n, rank), H2(rank, m);
    nmfkit::options o = opts(rank, iters, 0, 4);
    workspace ws = make_workspace<float>(n, m, o);
    nmfkit::solver<float> s;
    nmfkit::result r;
    REQUIRE(s.start(X.cview(), W2.view(), H2.view(), o, ws.ptr, ws.bytes, r) == status::ok);
    double loss = 0;
    REQUIRE(nmfkit::frobenius_loss<float>(X.cview(), W2.cview(), H2.cview(), loss) == status::ok);
    const double e0 = std::sqrt(2 * loss);
    double prev = e0;
    std::uint32_t stop = 0;
    while (stop == 0 && !s.done()) {
        REQUIRE(s.run(10, r) == status::ok);
        REQUIRE(nmfkit::frobenius_loss<float>(X.cview(), W2.cview(), H2.cview(), loss) == status::ok);
        const double e = std::sqrt(2 * loss);
        if ((prev - e) / e0 < tol) stop = r.iterations;
        prev = e;
    }
    INFO("stopped at " << res.iterations << ", exact rule at " << stop);
    CHECK(res.converged == (stop != 0));
    CHECK(res.iterations == (stop != 0 ? stop : iters));
}

TEST_CASE("slices of a resumable solver give exactly the one-shot fit") {
    splitmix rng(4);
    auto X = random_matrix<float>(45, 31, rng, 2.0);
    matrix<float> W1(45, 6), H1(6, 31), W2(45, 6), H2(6, 31);
    const nmfkit::options o = opts(6, 57, 1e-6, 77);
    nmfkit::result one, sliced;
    REQUIRE(run_fit(X, W1, H1, o, one) == status::ok);

    workspace ws = make_workspace<float>(45, 31, o);
    nmfkit::solver<float> s;
    REQUIRE(s.start(X.cview(), W2.view(), H2.view(), o, ws.ptr, ws.bytes, sliced) == status::ok);
    CHECK(std::strlen(s.kernel_name()) > 0);
    int slices = 0;
    while (!s.done()) {
        REQUIRE(s.run(7, sliced) == status::ok);
        ++slices;
    }
    REQUIRE(s.finish(sliced) == status::ok);
    CHECK(slices == 9);  // 57 iterations in slices of 7
    CHECK(sliced.iterations == one.iterations);
    CHECK(std::memcmp(W1.data.data(), W2.data.data(), W1.data.size() * sizeof(float)) == 0);
    CHECK(std::memcmp(H1.data.data(), H2.data.data(), H1.data.size() * sizeof(float)) == 0);
    CHECK(sliced.loss == one.loss);
    // A handle rebuilt from the workspace pointer sees the same solver.
    nmfkit::solver<float> again(ws.ptr);
    CHECK(again.done());
    CHECK(again.run(5, sliced) == status::ok);
    CHECK(sliced.iterations == 57);
}

TEST_CASE("the progress callback sees every check and can stop the fit") {
    splitmix rng(6);
    auto X = random_matrix<float>(20, 15, rng, 1.0);
    matrix<float> W(20, 3), H(3, 15);
    nmfkit::options o = opts(3, 45);
    o.check_every = 10;
    struct log_t {
        std::vector<std::uint32_t> iters;
        std::vector<double> errors;
        std::uint32_t stop_at;
    } log{{}, {}, 1000};
    auto cb = [](const nmfkit::progress& p, void* user) {
        auto* l = static_cast<log_t*>(user);
        l->iters.push_back(p.iteration);
        l->errors.push_back(p.relative_error);
        return p.iteration < l->stop_at;
    };
    workspace ws = make_workspace<float>(20, 15, o);
    nmfkit::result res;
    REQUIRE(nmfkit::fit<float>(X.cview(), W.view(), H.view(), o, ws.ptr, ws.bytes, res, cb, &log) == status::ok);
    CHECK(log.iters == std::vector<std::uint32_t>{10, 20, 30, 40, 45});
    for (std::size_t i = 1; i < log.errors.size(); ++i) CHECK(log.errors[i] <= log.errors[i - 1] * (1 + 1e-6));

    log = log_t{{}, {}, 20};
    CHECK(nmfkit::fit<float>(X.cview(), W.view(), H.view(), o, ws.ptr, ws.bytes, res, cb, &log) == status::cancelled);
    CHECK(res.iterations == 20);
    CHECK(all_finite_nonneg(W));
    double loss = 0;
    REQUIRE(nmfkit::frobenius_loss<float>(X.cview(), W.cview(), H.cview(), loss) == status::ok);
    CHECK(res.loss == doctest::Approx(loss).epsilon(1e-6));
}

TEST_CASE("max_iter = 0 only initializes; the reported loss is that of W0, H0") {
    splitmix rng(12);
    auto X = random_matrix<double>(9, 8, rng, 1.0);
    matrix<double> W(9, 2), H(2, 8);
    nmfkit::result res;
    REQUIRE(run_fit(X, W, H, opts(2, 0, 1e-4, 5), res) == status::ok);
    CHECK(res.iterations == 0);
    double loss = 0;
    REQUIRE(nmfkit::frobenius_loss<double>(X.cview(), W.cview(), H.cview(), loss) == status::ok);
    CHECK(res.loss == doctest::Approx(loss).epsilon(1e-12));
    CHECK(all_finite_nonneg(W));
}

namespace nmfkit {
namespace detail {
// Test hook defined in core/src/solver/solver.cpp: fit() with kernel set k and fuse_rows rows per block of
// the one-pass Frobenius iteration (0: two-pass; SIZE_MAX: fit()'s size rule).
template <class T>
status fit_with_kernels(const kernel_table<T>& k, std::size_t fuse_rows, const_matrix_view<T> X, matrix_view<T> W,
                        matrix_view<T> H, const options& opt, void* workspace, std::size_t workspace_bytes, result& out,
                        progress_callback cb, void* user, const executor* exec = nullptr) noexcept;
}  // namespace detail
}  // namespace nmfkit

namespace {

struct fused_run {
    nmfkit::result res;
    std::vector<double> losses;  // at every check (callback), from the cached products or exact
};

template <class T>
fused_run run_with(const nmfkit::detail::kernel_table<T>& k, std::size_t rows, const matrix<T>& X, matrix<T>& W,
                   matrix<T>& H, const nmfkit::options& o) {
    fused_run out;
    workspace ws = make_workspace<T>(X.rows, X.cols, o);
    auto cb = [](const nmfkit::progress& p, void* user) {
        static_cast<std::vector<double>*>(user)->push_back(p.loss);
        return true;
    };
    const status s = nmfkit::detail::fit_with_kernels<T>(k, rows, X.cview(), W.view(), H.view(), o, ws.ptr, ws.bytes,
                                                         out.res, cb, &out.losses);
    REQUIRE(s == status::ok);
    return out;
}

}  // namespace

// β = 2 with mu streams X once per iteration where it pays (core/src/solver/step.cpp, w_step_fused): blocks
// of rows of X update W and accumulate Wᵀ·X, WᵀW for the H step. It must give the two-pass
// iteration up to summation order, cached losses included, with any block size (n not a
// multiple of it, one block, one row), penalties and a tol check; a set whose gemm_tn_acc
// is null must fall back to the two-pass iteration.
TEST_CASE_TEMPLATE("the one-pass Frobenius iteration matches the two-pass one", T, float, double) {
    const double tol = sizeof(T) == 4 ? 2e-5 : 1e-11;
    const std::size_t shapes[][4] = {{103, 37, 5, 16}, {50, 200, 7, 9}, {257, 64, 16, 48},
                                     {31, 40, 3, 31},  {64, 19, 4, 1},  {70, 33, 2, 1000}};
    std::size_t count = 0;
    const auto* const* sets = nmfkit::detail::available_kernels<T>(count);
    splitmix rng(21);
    for (std::size_t si = 0; si < count; ++si) {
        const nmfkit::detail::kernel_table<T>& k = *sets[si];
        nmfkit::detail::kernel_table<T> no_acc = k;
        no_acc.gemm_tn_acc = nullptr;
        CAPTURE(std::string(k.name));
        for (const auto& s : shapes) {
            const std::size_t n = s[0], m = s[1], r = s[2], rows = s[3];
            auto X = random_matrix<T>(n, m, rng, 2.0);
            for (int variant = 0; variant < 3; ++variant) {
                CAPTURE(n);
                CAPTURE(m);
                CAPTURE(rows);
                CAPTURE(variant);
                nmfkit::options o = opts(r, 23, 0, n + m + r);
                o.check_every = 5;
                if (variant == 1) {  // penalties on both factors
                    o.alpha_w = 0.2;
                    o.alpha_h = 0.05;
                    o.l1_ratio = 0.3;
                } else if (variant == 2) {  // L1 only, exact losses at the checks (tol > 0)
                    o.alpha_w = o.alpha_h = 0.1;
                    o.l1_ratio = 1;
                    o.tol = 1e-12;
                    o.check_every = 4;
                }
                matrix<T> W1(n, r), H1(r, m), W2(n, r), H2(r, m), W3(n, r), H3(r, m);
                const fused_run one = run_with(k, rows, X, W1, H1, o);
                const fused_run two = run_with(k, 0, X, W2, H2, o);
                const fused_run fallback = run_with(no_acc, rows, X, W3, H3, o);
                CHECK(rel_diff(W1, W2) < tol);
                CHECK(rel_diff(H1, H2) < tol);
                CHECK(one.res.iterations == two.res.iterations);
                CHECK(one.res.loss == doctest::Approx(two.res.loss).epsilon(tol));
                CHECK(one.res.relative_error == doctest::Approx(two.res.relative_error).epsilon(tol));
                REQUIRE(one.losses.size() == two.losses.size());
                for (std::size_t i = 0; i < one.losses.size(); ++i)
                    CHECK(one.losses[i] == doctest::Approx(two.losses[i]).epsilon(sizeof(T) == 4 ? 1e-4 : 1e-10));
                // Null gemm_tn_acc: exactly the two-pass iteration.
                CHECK(std::memcmp(W3.data.data(), W2.data.data(), W2.data.size() * sizeof(T)) == 0);
                CHECK(std::memcmp(H3.data.data(), H2.data.data(), H2.data.size() * sizeof(T)) == 0);
                CHECK(fallback.losses == two.losses);
            }
        }
    }
}

// fit()'s own rule fuses only when X exceeds 8 MiB (core/src/solver/layout.cpp, fused_rows): one such
// problem per type, the best set against the same set without gemm_tn_acc.
TEST_CASE_TEMPLATE("fit() takes the one-pass iteration on a large X and matches the two-pass one", T, float, double) {
    const std::size_t n = 1100, m = sizeof(T) == 4 ? 2000 : 1000, r = 4;  // 8.8 MB
    splitmix rng(22);
    auto X = random_matrix<T>(n, m, rng, 1.0);
    nmfkit::options o = opts(r, 4, 0, 9);
    o.alpha_w = 0.01;
    o.check_every = 2;
    const auto& k = nmfkit::detail::best_kernels<T>();
    nmfkit::detail::kernel_table<T> no_acc = k;
    no_acc.gemm_tn_acc = nullptr;
    matrix<T> W1(n, r), H1(r, m), W2(n, r), H2(r, m);
    const fused_run one = run_with(k, SIZE_MAX, X, W1, H1, o);
    const fused_run two = run_with(no_acc, SIZE_MAX, X, W2, H2, o);
    const double tol = sizeof(T) == 4 ? 2e-5 : 1e-11;
    CHECK(rel_diff(W1, W2) < tol);
    CHECK(rel_diff(H1, H2) < tol);
    CHECK(one.res.loss == doctest::Approx(two.res.loss).epsilon(tol));
    REQUIRE(one.losses.size() == two.losses.size());
    for (std::size_t i = 0; i < one.losses.size(); ++i)
        CHECK(one.losses[i] == doctest::Approx(two.losses[i]).epsilon(sizeof(T) == 4 ? 1e-4 : 1e-10));
    // ... and fit() itself is the hook's SIZE_MAX path with the best set.
    matrix<T> W4(n, r), H4(r, m);
    nmfkit::result res;
    REQUIRE(run_fit(X, W4, H4, o, res) == status::ok);
    CHECK(std::memcmp(W4.data.data(), W1.data.data(), W1.data.size() * sizeof(T)) == 0);
    CHECK(res.loss == one.res.loss);
}

// nmfkit::workspace_bound is the compile-time form of workspace_size: a constant expression,
// never below it, and exact up to the state header (the same slack for every shape and option).
namespace {
constexpr nmfkit::options bound_demo_options() {
    nmfkit::options o;
    o.rank = 4;
    return o;
}
static_assert(nmfkit::workspace_bound<float>(32, 16, bound_demo_options()) ==
                  nmfkit::workspace_header_bytes + 2 * 512 + 2 * 64,
              "32x16, r = 4, float, beta = 2: the header, num and den (32·4 floats), HHᵀ and WᵀW");
}  // namespace

TEST_CASE_TEMPLATE("workspace_bound bounds workspace_size, exactly up to the state header", T, float, double) {
    nmfkit::options tiny;
    tiny.rank = 1;
    std::size_t tiny_bytes = 0;
    REQUIRE(nmfkit::workspace_size<T>(1, 1, tiny, tiny_bytes) == status::ok);
    const std::size_t header = tiny_bytes - 4 * nmfkit::workspace_alignment;  // four 1-element regions
    CHECK(header % nmfkit::workspace_alignment == 0);
    REQUIRE(header <= nmfkit::workspace_header_bytes);
    const std::size_t slack = nmfkit::workspace_header_bytes - header;

    const std::size_t dims[] = {1, 2, 7, 64, 65, 300, 1000, 4097};
    const std::size_t ranks[] = {1, 3, 17, 80};
    const double betas[] = {2, 1, 0.5, 0, 3};
    const nmfkit::init_method inits[] = {nmfkit::init_method::random, nmfkit::init_method::custom,
                                         nmfkit::init_method::nndsvd, nmfkit::init_method::nndsvdar};
    int checked = 0, nndsvd_checked = 0;
    for (std::size_t n : dims)
        for (std::size_t m : dims)
            for (std::size_t r : ranks)
                for (double beta : betas)
                    for (nmfkit::init_method init : inits) {
                        nmfkit::options o;
                        o.rank = r;
                        o.beta = beta;
                        o.init = init;
                        std::size_t bytes = 0;
                        const status s = nmfkit::workspace_size<T>(n, m, o, bytes);
                        if (s == status::rank_too_large) continue;  // nndsvd with r > min(n, m)
                        REQUIRE(s == status::ok);
                        const std::size_t bound = nmfkit::workspace_bound<T>(n, m, o);
                        CHECK(bytes <= bound);
                        CHECK(bound - bytes == slack);
                        ++checked;
                        nndsvd_checked += init == nmfkit::init_method::nndsvd;
                    }
    CHECK(checked > 2000);
    CHECK(nndsvd_checked > 300);

    nmfkit::options huge;
    huge.rank = std::size_t(1) << (sizeof(std::size_t) * 4);
    std::size_t bytes = 0;
    CHECK(nmfkit::workspace_size<T>(huge.rank, huge.rank, huge, bytes) == status::size_overflow);
    CHECK(nmfkit::workspace_bound<T>(huge.rank, huge.rank, huge) == 0);
}
