// C++ consumer of nmfkit, built by .ci/test-package three ways: against an installed
// static and an installed shared nmfkit (find_package, cxx/CMakeLists.txt) and with
// nmfkit as a subproject (subdir/CMakeLists.txt). Fits an exactly rank-3 matrix with the
// C++ API (the owning factorize() and the caller-owned fit()) and the C API, and checks
// each result against the error computed here; then the same fits on threads (nmfkit/thread_pool.hpp,
// Threads::Threads from the package) give the same bytes.
#include <cmath>
#include <cstdio>
#include <vector>

#include <nmfkit/factorize.hpp>
#include <nmfkit/nmfkit.h>
#include <nmfkit/thread_pool.hpp>

namespace {

constexpr std::size_t n = 30, m = 20, r = 3;

double relative_error(const std::vector<double>& X, const std::vector<double>& W, const std::vector<double>& H) {
    double num = 0, den = 0;
    for (std::size_t i = 0; i < n; ++i)
        for (std::size_t j = 0; j < m; ++j) {
            double wh = 0;
            for (std::size_t k = 0; k < r; ++k) wh += W[i * r + k] * H[k * m + j];
            num += (X[i * m + j] - wh) * (X[i * m + j] - wh);
            den += X[i * m + j] * X[i * m + j];
        }
    return std::sqrt(num / den);
}

bool check(const char* what, int ok, std::uint32_t iterations, double reported, double computed) {
    std::printf("%-18s %u iterations, relative error %.3g (reported %.3g)\n", what, iterations, computed, reported);
    if (ok && std::fabs(reported - computed) <= 1e-6 && computed < 1e-3) return true;
    std::fprintf(stderr, "cxx consumer: %s: unexpected result\n", what);
    return false;
}

}  // namespace

int main() {
    std::vector<double> X(n * m);
    for (std::size_t i = 0; i < n; ++i)
        for (std::size_t j = 0; j < m; ++j)
            X[i * m + j] = double((1 + i % 5) * (1 + j % 4) + (1 + i % 3) * (2 + j % 3) + (i % 2) * (1 + j % 5));

    nmfkit::options opt;
    opt.rank = r;
    opt.max_iter = 3000;
    opt.tol = 0;
    std::printf("nmfkit %s, %s kernels\n", nmfkit_version(), nmfkit::default_kernel_name<double>());
    bool ok = true;

    // the owning convenience layer
    auto f = nmfkit::factorize<double>({X.data(), n, m}, opt);
    ok &= check("factorize<double>:", f.status == nmfkit::status::ok, f.info.iterations, f.info.relative_error,
                relative_error(X, f.W, f.H));

    // caller-owned memory
    std::size_t bytes = 0;
    if (nmfkit::workspace_size<double>(n, m, opt, bytes) != nmfkit::status::ok) return 1;
    std::vector<unsigned char> ws(bytes + nmfkit::workspace_alignment);
    std::vector<double> W(n * r), H(r * m);
    nmfkit::result res;
    nmfkit::status st = nmfkit::fit<double>({X.data(), n, m}, {W.data(), n, r}, {H.data(), r, m}, opt,
                                            nmfkit::align_workspace(ws.data(), ws.size()), bytes, res);
    ok &= check("fit<double>:", st == nmfkit::status::ok, res.iterations, res.relative_error, relative_error(X, W, H));
    // the same problem, the same seed: the same factors
    ok &= W == f.W && H == f.H;

    // the C API on the same problem and workspace
    nmfkit_options copt;
    nmfkit_options_default(&copt);
    copt.rank = r;
    copt.max_iter = opt.max_iter;
    copt.tol = 0;
    nmfkit_result cres;
    std::vector<double> cW(n * r), cH(r * m);
    nmfkit_status cst = nmfkit_fit_f64(X.data(), n, m, 0, cW.data(), 0, cH.data(), 0, &copt,
                                       nmfkit::align_workspace(ws.data(), ws.size()), bytes, &cres, nullptr, nullptr);
    ok &= check("nmfkit_fit_f64:", cst == NMFKIT_OK, cres.iterations, cres.relative_error, relative_error(X, cW, cH));
    ok &= cW == W && cH == H;

    // threads: the pool of the C++ header and the C API's, the same factors
    nmfkit::thread_pool pool(3);
    auto threaded = nmfkit::factorize<double>({X.data(), n, m}, opt, pool.executor());
    ok &= threaded.status == nmfkit::status::ok && threaded.W == f.W && threaded.H == f.H;
    ok &= nmfkit::factorize<double>({X.data(), n, m}, opt, nmfkit::parallelism(2)).W == f.W;
    nmfkit_thread_pool* cpool = nmfkit_thread_pool_create(2);
    ok &= cpool != nullptr && nmfkit_thread_pool_threads(cpool) == 2;
    std::vector<double> tW(n * r), tH(r * m);
    cst = nmfkit_fit_ex_f64(X.data(), n, m, 0, tW.data(), 0, tH.data(), 0, &copt,
                            nmfkit::align_workspace(ws.data(), ws.size()), bytes, &cres, nullptr, nullptr,
                            nmfkit_thread_pool_executor(cpool));
    nmfkit_thread_pool_destroy(cpool);
    ok &= cst == NMFKIT_OK && tW == W && tH == H;
    std::printf("threads:           %zu and 2 threads, the same W and H: %s\n", pool.threads(), ok ? "yes" : "no");

    // a status crosses the API with its message
    nmfkit::options bad = opt;
    bad.rank = 0;
    ok &= nmfkit::factorize<double>({X.data(), n, m}, bad).status == nmfkit::status::zero_rank;
    std::printf("zero rank: %s\n", nmfkit::status_message(nmfkit::status::zero_rank));
    if (!ok) std::fprintf(stderr, "cxx consumer: FAILED\n");
    return ok ? 0 : 1;
}
