// nmfkit benchmark (never run by CTest): float32, one thread unless --threads N, whole fits through the
// public API, ms per iteration and GFLOPS at 4nmr + 4r²(n+m) flops per iteration.
//
//   nmfkit_bench [--threads N] [--kernel scalar|auto] [--quick] [--reps N] [--kernels] [--sparse | --sparse-fits
//   [--raw]]
//
// --kernels times the two big products (X·Hᵀ via gemm_nt, Wᵀ·X via gemm_tn), both in one
// pass over X as the solver's one-pass iteration forms them, and the r×r-sized ones
// directly through the internal kernel tables. --sparse times the CSR kernels on issue 12's
// 20 000 × 5 000 matrix at 0.5 % density, r = 20, and sums them into the kernel cost of one
// Frobenius and one KL iteration on CSR (docs/performance.md, "Sparse kernels"); then it times
// whole CSR fits through the public API on the same matrix (Frobenius MU, KL MU, Frobenius AMU),
// ms per iteration = fit() / max_iter, the three rows interleaved rep by rep, min and median
// (docs/performance.md, "Sparse fits"). --sparse-fits runs only those; --reps N sets the number
// of timed runs (after one warm-up); --raw prints every sample as "sample nmfkit <row> <ms> <cpu ms>"
// for tests/sklearn/bench_sparse.sh, which interleaves them with scikit-learn's.
//
// tests/sklearn/bench_compare.sh (nmfkit against scikit-learn on the same data) drives three more
// modes: --write-data DIR writes the uniform compare matrices (u2000, u5000: this file's generator)
// for Python to read; --compare-mu P prints MU ms/iteration samples for problem P (digits, u2000,
// u5000); --to-error P SOLVER+INIT TARGET runs one candidate until its relative error is at most
// TARGET and prints its iterations and seconds (see to_error).
#include <nmfkit/nmfkit.hpp>
#include <nmfkit/thread_pool.hpp>

#include "kernels/kernels.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace nmfkit {
namespace detail {
// The solver's test hook (core/src/solver/solver.cpp): fit() with the kernel set k.
template <class T>
status fit_with_kernels(const kernel_table<T>& k, std::size_t fuse_rows, const_matrix_view<T> X, matrix_view<T> W,
                        matrix_view<T> H, const options& opt, void* workspace, std::size_t workspace_bytes, result& out,
                        progress_callback cb, void* user, const executor* exec) noexcept;
}  // namespace detail
}  // namespace nmfkit

namespace {

using clock_type = std::chrono::steady_clock;

// --threads N: every fit runs through this pool's executor (null: the caller's thread only).
const nmfkit::executor* g_exec = nullptr;
std::size_t g_threads = 1;
// --kernel NAME (a set of this CPU's, e.g. avx2 on an AVX-512 machine): --compare-mu runs it.
const nmfkit::detail::kernel_table<float>* g_kernels = nullptr;

struct dataset {
    std::string name;
    std::size_t n, m, r;
    std::uint32_t iters;
    std::vector<float> X;
    double sklearn_ms, sklearn_avx512_ms;  // sklearn 1.2.1 NMF(solver='mu'), OpenBLAS 1 thread
};

std::vector<float> uniform(std::size_t count, std::uint64_t seed) {
    std::vector<float> v(count);
    std::uint64_t s = seed;
    for (float& x : v) {
        s = s * 6364136223846793005ull + 1442695040888963407ull;
        x = float(s >> 40) * (1.0f / 16777216.0f);
    }
    return v;
}

bool load_digits(std::vector<float>& X) {
    const std::string path = std::string(NMFKIT_DATA_DIR) + "/digits/digits_1797x64_f32le.raw";
    std::FILE* f = std::fopen(path.c_str(), "rb");
    if (!f) return false;
    X.resize(1797 * 64);
    unsigned char buf[4];
    for (float& x : X) {  // little-endian on any host
        if (std::fread(buf, 1, 4, f) != 4) {
            std::fclose(f);
            return false;
        }
        std::uint32_t u = std::uint32_t(buf[0]) | std::uint32_t(buf[1]) << 8 | std::uint32_t(buf[2]) << 16 |
                          std::uint32_t(buf[3]) << 24;
        std::memcpy(&x, &u, 4);
    }
    std::fclose(f);
    return true;
}

double best_seconds(int reps, const std::function<void()>& f) {
    f();  // warm-up (page faults, caches, frequency)
    double best = 1e300;
    for (int i = 0; i < reps; ++i) {
        const auto t0 = clock_type::now();
        f();
        best = std::min(best, std::chrono::duration<double>(clock_type::now() - t0).count());
    }
    return best;
}

double iter_flops(double n, double m, double r) { return 4 * n * m * r + 4 * r * r * (n + m); }

// The options every timed fit uses: d's rank, a fixed iteration count (tol = 0), seed 42, MU
// unless a row names another solver.
nmfkit::options bench_options(const dataset& d, std::uint32_t iters) {
    nmfkit::options opt;
    opt.solver = nmfkit::algorithm::mu;
    opt.rank = d.r;
    opt.max_iter = iters;
    opt.tol = 0;
    opt.seed = 42;
    return opt;
}

// Best-of-reps seconds of a whole fit of d.X with opt (workspace and W, H allocated once).
double time_fit(const dataset& d, const nmfkit::options& opt, int reps, nmfkit::result& res, nmfkit::status& st) {
    std::size_t bytes = 0;
    st = nmfkit::workspace_size<float>(d.n, d.m, opt, bytes);
    if (st != nmfkit::status::ok) return 0;
    std::vector<std::byte> ws(bytes + nmfkit::workspace_alignment);
    void* wsp = nmfkit::align_workspace(ws.data(), ws.size());
    std::vector<float> W(d.n * d.r), H(d.r * d.m);
    return best_seconds(reps, [&] {
        st = nmfkit::fit<float>({d.X.data(), d.n, d.m}, {W.data(), d.n, d.r}, {H.data(), d.r, d.m}, opt, wsp, bytes,
                                res, nullptr, nullptr, g_exec);
    });
}

int bench_fits(std::vector<dataset>& sets, nmfkit::kernel_choice kc, int reps) {
    std::printf("%-22s %6s %9s %9s %8s | %8s %8s %8s %8s\n", "dataset (n x m, r)", "iters", "ms/iter", "GFLOPS", "loss",
                "skl ms", "ratio", "skl512", "ratio");
    for (dataset& d : sets) {
        nmfkit::options opt = bench_options(d, d.iters);
        opt.kernel = kc;
        nmfkit::result res;
        nmfkit::status st = nmfkit::status::ok;
        const double s = time_fit(d, opt, reps, res, st);
        if (st != nmfkit::status::ok) {
            std::printf("%s: fit failed: %s\n", d.name.c_str(), nmfkit::status_message(st));
            return 1;
        }
        const double ms = 1e3 * s / d.iters;
        const double gf = iter_flops(double(d.n), double(d.m), double(d.r)) / (ms * 1e6);
        char label[64];
        std::snprintf(label, sizeof label, "%s %zux%zu r=%zu", d.name.c_str(), d.n, d.m, d.r);
        std::printf("%-22s %6u %9.4f %9.2f %8.3g | %8.3f %7.2fx %8.3f %7.2fx\n", label, d.iters, ms, gf,
                    res.relative_error, d.sklearn_ms, d.sklearn_ms / ms, d.sklearn_avx512_ms, d.sklearn_avx512_ms / ms);
    }
    std::printf(
        "ms/iter = whole fit() / max_iter (tol = 0): init, validation and the final exact-loss\n"
        "pass over X are included, not subtracted. Best of %d after a warm-up run.\n"
        "loss column: relative error. ratio > 1: nmfkit faster than scikit-learn.\n"
        "sklearn 1.2.1 NMF(solver='mu') float32, OpenBLAS 1 thread (skl) / with OpenBLAS\n"
        "AVX-512 kernels (skl512).\n",
        reps);
    return 0;
}

// β ≠ 2 (tiled W·H, vectorized beta_tile): KL against scikit-learn's figure from the issue.
int bench_beta(const dataset& d, int reps) {
    std::printf("\nbeta-divergence fits (tiles of W·H, never materialized):\n");
    std::printf("%-30s %6s %9s %10s | %8s %8s\n", "dataset (n x m, r), beta", "iters", "ms/iter", "beta-div", "skl ms",
                "ratio");
    for (double beta : {1.0, 0.5}) {
        nmfkit::options opt = bench_options(d, 50);
        opt.beta = beta;
        nmfkit::result res;
        nmfkit::status st = nmfkit::status::ok;
        const double s = time_fit(d, opt, reps, res, st);
        if (st != nmfkit::status::ok) {
            std::printf("beta %g: fit failed: %s\n", beta, nmfkit::status_message(st));
            return 1;
        }
        const double ms = 1e3 * s / opt.max_iter;
        char label[64];
        std::snprintf(label, sizeof label, "%s %zux%zu r=%zu, beta=%g", d.name.c_str(), d.n, d.m, d.r, beta);
        if (beta == 1.0)
            std::printf("%-30s %6u %9.3f %10.4g | %8.1f %7.2fx\n", label, opt.max_iter, ms, res.loss, 15.9, 15.9 / ms);
        else std::printf("%-30s %6u %9.3f %10.4g | %8s %8s\n", label, opt.max_iter, ms, res.loss, "-", "-");
    }
    std::printf("skl: NMF(solver='mu', beta_loss='kullback-leibler') float32, 1 thread (the issue's figure).\n");
    return 0;
}

// Accelerated MU (Gillis & Glineur): time to reach the relative error plain MU reaches
// in 200 iterations from the same start, against scikit-learn's coordinate descent.
int bench_amu(const std::vector<dataset>& sets, int reps) {
    std::printf("\ntime to reach plain MU's relative error after 200 iterations (same random start):\n");
    std::printf("%-24s %10s | %6s %9s | %6s %9s %7s | %8s\n", "dataset (n x m, r)", "target", "mu it", "mu ms",
                "amu it", "amu ms", "speedup", "skl cd ms");
    for (const dataset& d : sets) {
        if (d.n * d.m > 2000 * 1000) continue;
        const double skl_cd_ms = d.n == 1797 ? 15.0 : 52.0;  // the figures, 1 thread
        nmfkit::options opt = bench_options(d, 200);
        std::size_t bytes = 0;
        if (nmfkit::workspace_size<float>(d.n, d.m, opt, bytes) != nmfkit::status::ok) return 1;
        std::vector<std::byte> ws(bytes + nmfkit::workspace_alignment);
        void* wsp = nmfkit::align_workspace(ws.data(), ws.size());
        std::vector<float> W(d.n * d.r), H(d.r * d.m);
        nmfkit::result res;
        const double mu_s = best_seconds(reps, [&] {
            (void)nmfkit::fit<float>({d.X.data(), d.n, d.m}, {W.data(), d.n, d.r}, {H.data(), d.r, d.m}, opt, wsp,
                                     bytes, res);
        });
        const double target = res.relative_error;
        opt.solver = nmfkit::algorithm::amu;
        opt.max_iter = 1000;
        std::uint32_t amu_iters = 0;
        bool reached = false;
        const double amu_s = best_seconds(reps, [&] {
            nmfkit::solver<float> sv;
            reached = false;
            if (sv.start({d.X.data(), d.n, d.m}, {W.data(), d.n, d.r}, {H.data(), d.r, d.m}, opt, wsp, bytes, res,
                         g_exec) != nmfkit::status::ok)
                return;
            while (!sv.done() && !reached) {
                (void)sv.run(1, res);  // the loss of β = 2 is refreshed every iteration
                reached = res.relative_error <= target;
            }
            amu_iters = res.iterations;
        });
        if (!reached) {
            std::printf("%s: amu did not reach the target in %u iterations\n", d.name.c_str(), opt.max_iter);
            return 1;
        }
        char label[64];
        std::snprintf(label, sizeof label, "%s %zux%zu r=%zu", d.name.c_str(), d.n, d.m, d.r);
        std::printf("%-24s %10.6f | %6d %9.2f | %6u %9.2f %6.2fx | %8.1f\n", label, target, 200, 1e3 * mu_s, amu_iters,
                    1e3 * amu_s, mu_s / amu_s, skl_cd_ms);
    }
    std::printf(
        "skl cd: scikit-learn NMF(solver='cd') on one thread, the fastest anchor (the issue's figures;\n"
        "its own stopping point, not this target).\n");
    return 0;
}

void bench_products(const std::vector<dataset>& sets, const nmfkit::detail::kernel_table<float>& k, int reps) {
    std::printf("\nper-product timings (kernel set %s), ms and GFLOPS (2·M·N·K flops):\n", k.name);
    {
        // The kernels' own ceiling: gemm_nt's dot tiles on operands that stay in L1/L2
        // (8×24×2048: A 64 KiB, B 192 KiB), no memory stream, no edge tiles. A whole
        // iteration cannot run faster than this many GFLOPS.
        const std::size_t M = 8, N = 24, K = 2048;
        const std::vector<float> A = uniform(M * K, 9), Bm = uniform(N * K, 10);
        std::vector<float> C(M * N);
        const int inner = 500;
        const double s = best_seconds(std::max(reps, 10),
                                      [&] {
                                          for (int i = 0; i < inner; ++i)
                                              k.gemm_nt(M, N, K, A.data(), K, Bm.data(), K, C.data(), N);
                                      }) /
                         inner;
        std::printf("ceiling: gemm_nt(%zu,%zu,%zu), operands in cache  %8.2f GFLOPS\n", M, N, K,
                    2.0 * M * N * K / s * 1e-9);
    }
    for (const dataset& d : sets) {
        const std::size_t n = d.n, m = d.m, r = d.r;
        const std::vector<float> W = uniform(n * r, 7), H = uniform(r * m, 8);
        std::vector<float> C(std::max(n * r, r * m)), C2(n * r), S(r * r), S2(r * r);
        struct item {
            const char* what;
            double flops;
            std::function<void()> f;
        };
        const float* X = d.X.data();
        const item items[] = {
            {"X*Ht  gemm_nt(n,r,m)", 2.0 * n * r * m, [&] { k.gemm_nt(n, r, m, X, m, H.data(), m, C.data(), r); }},
            {"Wt*X  gemm_tn(r,m,n)", 2.0 * r * m * n, [&] { k.gemm_tn(r, m, n, W.data(), r, X, m, C.data(), m); }},
            {"H*Ht  gemm_nt(r,r,m)", 2.0 * r * r * m,
             [&] { k.gemm_nt(r, r, m, H.data(), m, H.data(), m, S.data(), r); }},
            {"Wt*W  gemm_tn(r,r,n)", 2.0 * r * r * n,
             [&] { k.gemm_tn(r, r, n, W.data(), r, W.data(), r, S.data(), r); }},
            {"W*HHt gemm_nn(n,r,r)", 2.0 * n * r * r,
             [&] { k.gemm_nn(n, r, r, W.data(), r, S2.data(), r, C.data(), r); }},
            {"WtW*H gemm_nn(r,m,r)", 2.0 * r * m * r,
             [&] { k.gemm_nn(r, m, r, S2.data(), r, H.data(), m, C.data(), m); }},
            // The solver's one-pass Frobenius iteration (core/src/solver/step.cpp, w_step_fused) forms both
            // big products block by block, X_b·Hᵀ then Wᵀ·X += W_bᵀ·X_b, so X streams once.
            // Block rows as fused_rows picks them (1 MiB of L2 for X_b and Wᵀ·X, at least 5r).
            {"X*Ht + Wt*X one pass", 4.0 * n * r * m,
             [&] {
                 if (!k.gemm_tn_acc) return;
                 const std::size_t acc = r * m * sizeof(float), l2 = std::size_t(1) << 20;
                 std::size_t b = acc < l2 ? (l2 - acc) / (m * sizeof(float)) : 0;
                 b = std::max(b, 5 * r);
                 for (std::size_t i0 = 0; i0 < n; i0 += b) {
                     const std::size_t rows = std::min(b, n - i0);
                     k.gemm_nt(rows, r, m, X + i0 * m, m, H.data(), m, C2.data(), r);
                     (i0 == 0 ? k.gemm_tn : k.gemm_tn_acc)(r, m, rows, W.data() + i0 * r, r, X + i0 * m, m, C.data(),
                                                           m);
                 }
             }},
        };
        std::printf("%s %zux%zu r=%zu\n", d.name.c_str(), n, m, r);
        for (const item& it : items) {
            const int inner = it.flops < 1e8 ? 20 : 3;
            const double s = best_seconds(reps,
                                          [&] {
                                              for (int i = 0; i < inner; ++i) it.f();
                                          }) /
                             inner;
            std::printf("  %-22s %9.4f ms %8.2f GFLOPS\n", it.what, 1e3 * s, it.flops / s * 1e-9);
        }
    }
}

// Each entry of an n×m pattern kept with probability `density`, values uniform in (0, 1].
struct csr_matrix {
    std::size_t n, m;
    std::vector<std::uint64_t> indptr;
    std::vector<std::uint32_t> indices;
    std::vector<float> values;
};

csr_matrix random_csr(std::size_t n, std::size_t m, double density, std::uint64_t seed) {
    csr_matrix X{n, m, {0}, {}, {}};
    const std::uint64_t cut = std::uint64_t(density * 18446744073709551616.0);
    std::uint64_t s = seed;
    for (std::size_t i = 0; i < n; ++i) {
        for (std::size_t j = 0; j < m; ++j) {
            s = s * 6364136223846793005ull + 1442695040888963407ull;
            if (s >= cut) continue;
            X.indices.push_back(std::uint32_t(j));
            X.values.push_back(float((s >> 40) + 1) * (1.0f / 16777216.0f));
        }
        X.indptr.push_back(X.indices.size());
    }
    return X;
}

// Issue 12's matrix: 20 000 × 5 000 at 0.5 % density, rank 20.
constexpr std::size_t k_sparse_n = 20000, k_sparse_m = 5000, k_sparse_r = 20;

void bench_sparse(const csr_matrix& X, const nmfkit::detail::kernel_table<float>& k, int reps) {
    const std::size_t n = X.n, m = X.m, r = k_sparse_r;
    const std::size_t nnz = X.indices.size();
    std::vector<float> W = uniform(n * r, 7), Ht = uniform(m * r, 8);
    std::vector<float> C(n * r), Ct(m * r), q(nnz), S(r * r), S2(r * r);
    const std::uint64_t* ip = X.indptr.data();
    const std::uint32_t* ix = X.indices.data();
    const float* xv = X.values.data();
    std::printf("sparse kernels (kernel set %s): %zux%zu CSR, nnz %zu (%.2f %%), r=%zu, ms per call\n", k.name, n, m,
                nnz, 100.0 * double(nnz) / double(n * m), r);
    struct item {
        const char* what;
        double flops;
        std::function<void()> f;
    };
    const item items[] = {
        {"X*Ht  csr_times_dense", 2.0 * nnz * r,
         [&] { k.csr_times_dense(n, r, ip, ix, xv, Ht.data(), r, C.data(), r); }},
        {"Xt*W  csr_t_times_dense", 2.0 * nnz * r,
         [&] { k.csr_t_times_dense(n, m, r, ip, ix, xv, W.data(), r, Ct.data(), r, false); }},
        {"WH|X  sampled_dot", 2.0 * nnz * r, [&] { k.sampled_dot(n, r, ip, ix, W.data(), r, Ht.data(), r, q.data()); }},
        {"X/WH  sampled_ratio", 2.0 * nnz * r,
         [&] {
             if (k.sampled_ratio) k.sampled_ratio(n, r, ip, ix, xv, W.data(), r, Ht.data(), r, 1e-10f, q.data());
         }},
        // The dense O((n+m)·r²) rest of a Frobenius iteration: WᵀW, HHᵀ, W·(HHᵀ), Hᵀ·(WᵀW), two updates.
        {"r*r parts + updates", 4.0 * r * r * (n + m),
         [&] {
             k.gemm_tn(r, r, n, W.data(), r, W.data(), r, S.data(), r);
             k.gemm_tn(r, r, m, Ht.data(), r, Ht.data(), r, S2.data(), r);
             k.gemm_nn(n, r, r, W.data(), r, S2.data(), r, C.data(), r);
             k.gemm_nn(m, r, r, Ht.data(), r, S.data(), r, Ct.data(), r);
             k.mu_update(1, n * r, W.data(), n * r, C.data(), n * r, C.data(), n * r, 1e-10f);  // W ∘ 1
             k.mu_update(1, m * r, Ht.data(), m * r, Ct.data(), m * r, Ct.data(), m * r, 1e-10f);
         }},
    };
    double ms[5];
    for (std::size_t t = 0; t < 5; ++t) {
        const double sec = best_seconds(reps,
                                        [&] {
                                            for (int i = 0; i < 5; ++i) items[t].f();
                                        }) /
                           5;
        ms[t] = 1e3 * sec;
        std::printf("  %-24s %9.3f ms %8.2f GFLOPS\n", items[t].what, ms[t], items[t].flops / sec * 1e-9);
    }
    // Frobenius: X·Hᵀ and Xᵀ·W once each; KL: the ratio before each half-step and the two products.
    std::printf("  kernel sum per iteration: Frobenius %.3f ms, KL %.3f ms (plus O((n+m)·r) sums and updates)\n",
                ms[0] + ms[1] + ms[4], ms[0] + ms[1] + 2 * ms[3]);
}

double median(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    const std::size_t h = v.size() / 2;
    return v.size() % 2 ? v[h] : 0.5 * (v[h - 1] + v[h]);
}

int bench_sparse_fits(const csr_matrix& X, nmfkit::kernel_choice kc, int reps, bool raw) {
    struct row {
        const char* name;  // bench_sklearn.py --sparse names its rows the same way
        double beta;
        nmfkit::algorithm solver;
        std::uint32_t iters;             // scikit-learn's KL is slow: 20 there, so 20 here too
        std::vector<double> ms, cpu_ms;  // wall clock and process CPU time per iteration
        double loss = 0;
    };
    row rows[] = {{"csr_fro_mu", 2, nmfkit::algorithm::mu, 50, {}, {}},
                  {"csr_kl_mu", 1, nmfkit::algorithm::mu, 20, {}, {}},
                  {"csr_fro_amu", 2, nmfkit::algorithm::amu, 50, {}, {}}};
    const std::size_t n = X.n, m = X.m, r = k_sparse_r, nnz = X.indices.size();
    const nmfkit::csr_view<float> view(X.indptr.data(), X.indices.data(), X.values.data(), n, m, nnz);
    std::vector<float> W(n * r), H(r * m);
    std::vector<std::byte> ws;
    for (int rep = -1; rep < reps; ++rep) {  // rep -1: the warm-up of every row
        for (row& rw : rows) {
            nmfkit::options opt;
            opt.rank = r;
            opt.max_iter = rw.iters;
            opt.tol = 0;
            opt.seed = 42;
            opt.beta = rw.beta;
            opt.solver = rw.solver;
            opt.kernel = kc;
            std::size_t bytes = 0;
            nmfkit::status st = nmfkit::workspace_size<float>(n, m, nnz, opt, bytes);
            if (st == nmfkit::status::ok) {
                ws.resize(std::max(ws.size(), bytes + nmfkit::workspace_alignment));
                void* wsp = nmfkit::align_workspace(ws.data(), ws.size());
                nmfkit::result res;
                const auto t0 = clock_type::now();
                const std::clock_t c0 = std::clock();
                st = nmfkit::fit<float>(view, {W.data(), n, r}, {H.data(), r, m}, opt, wsp, bytes, res, nullptr,
                                        nullptr, g_exec);
                const double cpu = 1e3 * double(std::clock() - c0) / CLOCKS_PER_SEC / rw.iters;
                const double ms = 1e3 * std::chrono::duration<double>(clock_type::now() - t0).count() / rw.iters;
                rw.loss = res.relative_error;
                if (rep >= 0) {
                    rw.ms.push_back(ms);
                    rw.cpu_ms.push_back(cpu);
                }
                if (rep >= 0 && raw) std::printf("sample nmfkit %s %.4f %.4f\n", rw.name, ms, cpu);
            }
            if (st != nmfkit::status::ok) {
                std::printf("%s: fit failed: %s\n", rw.name, nmfkit::status_message(st));
                return 1;
            }
        }
    }
    if (raw) return 0;
    std::printf("\nsparse fits through nmfkit::fit (CSR %zux%zu, nnz %zu, r=%zu), ms/iter, %d interleaved runs:\n", n,
                m, nnz, r, reps);
    std::printf("  %-14s %6s %9s %9s %9s %9s %9s\n", "row", "iters", "min", "median", "cpu min", "cpu med", "rel.err");
    for (const row& rw : rows)
        std::printf("  %-14s %6u %9.3f %9.3f %9.3f %9.3f %9.4f\n", rw.name, rw.iters,
                    *std::min_element(rw.ms.begin(), rw.ms.end()), median(rw.ms),
                    *std::min_element(rw.cpu_ms.begin(), rw.cpu_ms.end()), median(rw.cpu_ms), rw.loss);
    std::printf(
        "ms/iter = whole fit() / max_iter (tol = 0, random init, seed 42): validation, init and the\n"
        "final exact loss included; wall clock, and process CPU time (cpu: what a loaded machine's\n"
        "other processes do not add). scikit-learn, same shape: tests/sklearn/bench_sparse.sh runs both.\n");
    return 0;
}

// ---- tests/sklearn/bench_compare.sh: nmfkit against scikit-learn on the same data ----

// The compare problems, by the names both sides print: digits from data/, the two uniform
// matrices from this file's generator (--write-data hands the same bytes to Python).
bool compare_problem(const std::string& name, dataset& d) {
    if (name == "digits") {
        d = {"digits", 1797, 64, 16, 200, {}, 0, 0};
        return load_digits(d.X);
    }
    if (name == "u2000") {
        d = {"u2000", 2000, 1000, 20, 200, uniform(2000 * 1000, 1), 0, 0};
        return true;
    }
    if (name == "u5000") {
        d = {"u5000", 5000, 2000, 50, 20, uniform(5000 * 2000, 2), 0, 0};
        return true;
    }
    return false;
}

int write_data(const std::string& dir) {
    for (const char* name : {"u2000", "u5000"}) {
        dataset d;
        compare_problem(name, d);
        const std::string path = dir + "/" + name + "_f32le.raw";
        std::FILE* f = std::fopen(path.c_str(), "wb");
        if (!f) return 1;
        for (float x : d.X) {  // little-endian on any host
            std::uint32_t u;
            std::memcpy(&u, &x, 4);
            const unsigned char b[4] = {static_cast<unsigned char>(u), static_cast<unsigned char>(u >> 8),
                                        static_cast<unsigned char>(u >> 16), static_cast<unsigned char>(u >> 24)};
            std::fwrite(b, 1, 4, f);
        }
        if (std::fclose(f) != 0) return 1;
    }
    return 0;
}

// FNV-1a of the bytes of W and H: equal hashes for two thread counts mean bitwise equal factors.
std::uint64_t factor_hash(const std::vector<float>& W, const std::vector<float>& H) {
    std::uint64_t h = 0xcbf29ce484222325ull;
    for (const std::vector<float>* v : {&W, &H}) {
        const auto* b = reinterpret_cast<const unsigned char*>(v->data());
        for (std::size_t i = 0; i < v->size() * sizeof(float); ++i) h = (h ^ b[i]) * 0x100000001b3ull;
    }
    return h;
}

// MU ms/iteration as bench_sklearn.py --compare-mu times it: whole fit() / max_iter, tol = 0,
// random init; one sample per call: "sample nmfkit mu_<problem> <ms> <cpu ms>". --solver hals
// times HALS the same way ("hals_<problem>"); with --threads N > 1 the label ends in "_t<N>".
// Then "hash nmfkit <label> <FNV-1a of W and H>": the same for every thread count.
int compare_mu(const std::string& name, nmfkit::kernel_choice kc, int reps, nmfkit::algorithm solver) {
    dataset d;
    if (!compare_problem(name, d)) return 1;
    nmfkit::options opt = bench_options(d, d.iters);
    opt.kernel = kc;
    opt.solver = solver;
    const std::string label = std::string(nmfkit::name(solver)) + "_" + name +
                              (g_threads > 1 ? "_t" + std::to_string(g_threads) : std::string());
    std::size_t bytes = 0;
    if (nmfkit::workspace_size<float>(d.n, d.m, opt, bytes) != nmfkit::status::ok) return 1;
    std::vector<std::byte> ws(bytes + nmfkit::workspace_alignment);
    void* wsp = nmfkit::align_workspace(ws.data(), ws.size());
    std::vector<float> W(d.n * d.r), H(d.r * d.m);
    std::printf("# nmfkit: float32, %zu thread(s), kernel set %s\n", g_threads,
                g_kernels                             ? g_kernels->name
                : kc == nmfkit::kernel_choice::scalar ? "scalar"
                                                      : nmfkit::default_kernel_name<float>());
    for (int rep = -1; rep < reps; ++rep) {  // rep -1: warm-up
        nmfkit::result res;
        const auto t0 = clock_type::now();
        const std::clock_t c0 = std::clock();
        const nmfkit::status st =
            g_kernels ? nmfkit::detail::fit_with_kernels<float>(*g_kernels, ~std::size_t(0), {d.X.data(), d.n, d.m},
                                                                {W.data(), d.n, d.r}, {H.data(), d.r, d.m}, opt, wsp,
                                                                bytes, res, nullptr, nullptr, g_exec)
                      : nmfkit::fit<float>({d.X.data(), d.n, d.m}, {W.data(), d.n, d.r}, {H.data(), d.r, d.m}, opt, wsp,
                                           bytes, res, nullptr, nullptr, g_exec);
        const double cpu = 1e3 * double(std::clock() - c0) / CLOCKS_PER_SEC / d.iters;
        const double ms = 1e3 * std::chrono::duration<double>(clock_type::now() - t0).count() / d.iters;
        if (st != nmfkit::status::ok) return 1;
        if (rep >= 0) std::printf("sample nmfkit %s %.4f %.4f\n", label.c_str(), ms, cpu);
    }
    std::printf("hash nmfkit %s %016llx\n", label.c_str(), static_cast<unsigned long long>(factor_hash(W, H)));
    return 0;
}

// ‖X − W·H‖_F / ‖X‖_F in double from the float factors (as the Python side computes
// scikit-learn's): the check that the target was really reached, outside the timing.
double relative_error_f64(const dataset& d, const std::vector<float>& W, const std::vector<float>& H) {
    double num = 0, den = 0;
    std::vector<double> row(d.m);
    for (std::size_t i = 0; i < d.n; ++i) {
        std::fill(row.begin(), row.end(), 0.0);
        for (std::size_t k = 0; k < d.r; ++k) {
            const double w = W[i * d.r + k];
            const float* h = &H[k * d.m];
            for (std::size_t j = 0; j < d.m; ++j) row[j] += w * h[j];
        }
        for (std::size_t j = 0; j < d.m; ++j) {
            const double x = d.X[i * d.m + j], e = x - row[j];
            num += e * e;
            den += x * x;
        }
    }
    return den > 0 ? std::sqrt(num / den) : 0;
}

// Time to solution: one candidate (solver + init, tol = 0) run through the resumable solver
// one iteration at a time until the relative error (from the cached products, as the progress
// callback sees it) is at most `target`, or `limit_s` seconds or `max_iter` iterations pass.
// The time covers everything a user's fit() call would: workspace and factor allocation,
// validation, initialization, the iterations and the exact final error (finish). Prints
// "tts nmfkit <problem> <solver>+<init> <iterations> <seconds> <exact error> <f64 error> <reached>".
int to_error(const std::string& name, const std::string& candidate, double target, double limit_s,
             std::uint32_t max_iter, std::uint32_t every, nmfkit::kernel_choice kc) {
    dataset d;
    if (!compare_problem(name, d)) return 1;
    const std::size_t plus = candidate.find('+');
    nmfkit::options opt;
    if (plus == std::string::npos || !nmfkit::parse_solver(candidate.substr(0, plus), opt.solver) ||
        !nmfkit::parse_init_method(candidate.substr(plus + 1), opt.init)) {
        std::fprintf(stderr, "candidate '%s': want <solver>+<init>\n", candidate.c_str());
        return 2;
    }
    opt.rank = d.r;
    opt.max_iter = max_iter;
    opt.tol = 0;
    opt.check_every = every;
    opt.seed = 0;
    opt.kernel = kc;
    const auto t0 = clock_type::now();
    std::size_t bytes = 0;
    if (nmfkit::workspace_size<float>(d.n, d.m, opt, bytes) != nmfkit::status::ok) return 1;
    std::vector<std::byte> ws(bytes + nmfkit::workspace_alignment);
    void* wsp = nmfkit::align_workspace(ws.data(), ws.size());
    std::vector<float> W(d.n * d.r), H(d.r * d.m);
    nmfkit::solver<float> s;
    nmfkit::result res;
    if (s.start({d.X.data(), d.n, d.m}, {W.data(), d.n, d.r}, {H.data(), d.r, d.m}, opt, wsp, bytes, res, g_exec) !=
        nmfkit::status::ok)
        return 1;
    bool reached = false;
    while (!s.done()) {
        if (s.run(every, res) != nmfkit::status::ok) return 1;
        if (res.relative_error <= target) {
            reached = true;
            break;
        }
        if (std::chrono::duration<double>(clock_type::now() - t0).count() > limit_s) break;
    }
    if (s.finish(res) != nmfkit::status::ok) return 1;
    const double sec = std::chrono::duration<double>(clock_type::now() - t0).count();
    const double e64 = relative_error_f64(d, W, H);
    std::printf("tts nmfkit %s %s %u %.4f %.7f %.7f %d\n", name.c_str(), candidate.c_str(), res.iterations, sec,
                res.relative_error, e64, reached ? 1 : 0);
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    bool quick = false, products = false, sparse = false, sparse_fits = false, raw = false;
    int reps_arg = 0;
    std::string write_dir, mu_problem, tts_problem, tts_candidate;
    double tts_target = 0, tts_limit = 60;
    std::uint32_t tts_max_iter = 100000, tts_every = 1;
    nmfkit::kernel_choice kc = nmfkit::kernel_choice::automatic;
    std::unique_ptr<nmfkit::thread_pool> pool;
    nmfkit::algorithm iter_solver = nmfkit::algorithm::mu;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        if (a == "--solver" && i + 1 < argc) {
            if (!nmfkit::parse_solver(argv[++i], iter_solver)) {
                std::fprintf(stderr, "--solver: mu, amu or hals\n");
                return 2;
            }
            continue;
        }
        if (a == "--threads" && i + 1 < argc) {
            const long t = std::strtol(argv[++i], nullptr, 10);
            if (t < 1) {
                std::fprintf(stderr, "--threads needs a count >= 1\n");
                return 2;
            }
            pool = std::make_unique<nmfkit::thread_pool>(static_cast<std::size_t>(t));
            g_threads = static_cast<std::size_t>(t);
            g_exec = t > 1 ? pool->executor() : nullptr;
        } else if (a == "--quick") {
            quick = true;
        } else if (a == "--kernels") {
            products = true;
        } else if (a == "--sparse") {
            sparse = true;
        } else if (a == "--sparse-fits") {
            sparse_fits = true;
        } else if (a == "--write-data" && i + 1 < argc) {
            write_dir = argv[++i];
        } else if (a == "--compare-mu" && i + 1 < argc) {
            mu_problem = argv[++i];
        } else if (a == "--to-error" && i + 3 < argc) {  // problem, candidate, target
            tts_problem = argv[++i];
            tts_candidate = argv[++i];
            tts_target = std::atof(argv[++i]);
        } else if (a == "--time-limit" && i + 1 < argc) {
            tts_limit = std::atof(argv[++i]);
        } else if (a == "--check-every" && i + 1 < argc) {
            tts_every = std::uint32_t(std::max(1L, std::atol(argv[++i])));
        } else if (a == "--max-iter" && i + 1 < argc) {
            tts_max_iter = std::uint32_t(std::atol(argv[++i]));
        } else if (a == "--raw") {
            raw = true;
        } else if (a == "--reps" && i + 1 < argc) {
            reps_arg = std::atoi(argv[++i]);
            if (reps_arg < 1) {
                std::fprintf(stderr, "--reps needs a count >= 1\n");
                return 2;
            }
        } else if (a == "--kernel" && i + 1 < argc) {
            const std::string v = argv[++i];
            if (v == "scalar") kc = nmfkit::kernel_choice::scalar;
            else if (v == "auto") kc = nmfkit::kernel_choice::automatic;
            else {
                std::size_t count = 0;
                const nmfkit::detail::kernel_table<float>* const* sets =
                    nmfkit::detail::available_kernels<float>(count);
                for (std::size_t k = 0; k < count; ++k)
                    if (v == sets[k]->name) g_kernels = sets[k];
                if (!g_kernels) {
                    std::fprintf(stderr, "unknown kernel '%s' (scalar|auto|a set this CPU runs:", v.c_str());
                    for (std::size_t k = 0; k < count; ++k) std::fprintf(stderr, " %s", sets[k]->name);
                    std::fprintf(stderr, ")\n");
                    return 2;
                }
            }
        } else {
            std::fprintf(stderr,
                         "usage: %s [--kernel scalar|auto] [--quick] [--reps N] [--kernels] [--sparse | --sparse-fits "
                         "[--raw]]\n"
                         "       %s --write-data DIR | --compare-mu digits|u2000|u5000 [--reps N]\n"
                         "       %s --to-error digits|u2000|u5000 SOLVER+INIT TARGET [--time-limit S] "
                         "[--max-iter N] [--check-every K]\n",
                         argv[0], argv[0], argv[0]);
            return 2;
        }
    }
    const int reps = reps_arg ? reps_arg : quick ? 2 : 5;
    if (!write_dir.empty()) return write_data(write_dir);
    if (!mu_problem.empty()) return compare_mu(mu_problem, kc, reps, iter_solver);
    if (!tts_problem.empty())
        return to_error(tts_problem, tts_candidate, tts_target, tts_limit, tts_max_iter, tts_every, kc);

    const nmfkit::detail::kernel_table<float>& k = kc == nmfkit::kernel_choice::scalar
                                                       ? nmfkit::detail::scalar_kernels<float>()
                                                       : nmfkit::detail::best_kernels<float>();
    if (raw) std::printf("# nmfkit: float32, 1 thread, kernel set %s\n", k.name);
    else
        std::printf("nmfkit bench: float32, 1 thread, kernel set %s (auto would pick %s)%s\n\n", k.name,
                    nmfkit::default_kernel_name<float>(), quick ? ", --quick" : "");
    if (sparse || sparse_fits) {
        const csr_matrix X = random_csr(k_sparse_n, k_sparse_m, 0.005, 3);
        if (!sparse_fits) bench_sparse(X, k, reps);
        return bench_sparse_fits(X, kc, reps, raw);
    }
    std::vector<dataset> sets;
    dataset digits{"digits", 1797, 64, 16, 200, {}, 0.17, 0.093};
    if (!load_digits(digits.X)) {
        std::fprintf(stderr, "cannot read %s/digits/digits_1797x64_f32le.raw\n", NMFKIT_DATA_DIR);
        return 1;
    }
    sets.push_back(std::move(digits));
    sets.push_back({"uniform", 2000, 1000, 20, 200, uniform(2000 * 1000, 1), 2.45, 1.70});
    sets.push_back({"uniform", 5000, 2000, 50, 50, uniform(5000 * 2000, 2), 28.7, 19.5});

    if (products) {
        bench_products(sets, k, reps);
        return 0;
    }
    if (bench_fits(sets, kc, reps) != 0) return 1;
    if (bench_beta(sets[1], reps) != 0) return 1;
    return bench_amu(sets, reps);
}
