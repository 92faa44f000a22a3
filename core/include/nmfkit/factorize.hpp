// Owning convenience layer over nmfkit.hpp: allocates W, H and the workspace with
// std::vector and returns them; X dense or sparse (CSR). For callers who don't need to control memory; the
// core below never allocates.
//
//     auto f = nmfkit::factorize<float>({X.data(), n, m}, opt);
//     if (f.status != nmfkit::status::ok) ...;
//     f.W  // n×rank, row-major        f.H  // rank×m, row-major
//
// Threads: pass nmfkit::parallelism(N) (a pool of N threads for the call; 0: every core) or an
// executor you keep between calls; W and H are the same as on one thread, bit for bit:
//
//     auto f = nmfkit::factorize<float>({X.data(), n, m}, opt, nmfkit::parallelism(0));
//     nmfkit::thread_pool pool;                                      // nmfkit/thread_pool.hpp
//     auto g = nmfkit::factorize<float>({X.data(), n, m}, opt, pool.executor());
#pragma once

#include <optional>
#include <type_traits>
#include <vector>

#include "nmfkit/nmfkit.hpp"
#include "nmfkit/thread_pool.hpp"

namespace nmfkit {

template <class T>
struct factorization {
    nmfkit::status status = nmfkit::status::ok;
    std::vector<T> W;  // rows × rank
    std::vector<T> H;  // rank × cols
    std::size_t rows = 0, cols = 0, rank = 0;
    result info;
};

// Where factorize() runs its loops: through `exec` if given (a thread_pool kept between calls, or
// your own executor), else on `threads` threads of a thread_pool made for the call (0: one per
// core; 1, the default: the caller's thread alone).
struct parallelism {
    std::size_t threads = 1;
    const executor* exec = nullptr;
    constexpr parallelism() noexcept = default;
    // Any integer type, so that parallelism(0) is a thread count, not a null executor.
    template <class Count, std::enable_if_t<std::is_integral_v<Count>, int> = 0>
    constexpr explicit parallelism(Count thread_count) noexcept
        : threads(thread_count > 0 ? static_cast<std::size_t>(thread_count) : 0) {}
    constexpr parallelism(const executor* e) noexcept : exec(e) {}  // implicit: factorize(X, opt, pool.executor())
};

namespace detail {
// The fit of either form of X (n×m), its workspace sized by `size`.
template <class T, class XIn, class Size>
factorization<T> factorize_any(const XIn& X, const options& opt, const std::vector<T>* W0, const std::vector<T>* H0,
                               Size size, const parallelism& how) {
    factorization<T> f;
    f.rows = X.rows;
    f.cols = X.cols;
    f.rank = opt.rank;
    std::size_t bytes = 0;
    f.status = size(bytes);
    if (f.status != status::ok) return f;
    if (opt.init == init_method::custom &&
        (!W0 || !H0 || W0->size() != X.rows * opt.rank || H0->size() != opt.rank * X.cols)) {
        f.status = W0 && H0 ? status::shape_mismatch : status::null_pointer;
        return f;
    }
    f.W = W0 && opt.init == init_method::custom ? *W0 : std::vector<T>(X.rows * opt.rank);
    f.H = H0 && opt.init == init_method::custom ? *H0 : std::vector<T>(opt.rank * X.cols);
    std::vector<unsigned char> buffer(bytes + workspace_alignment);
    void* ws = align_workspace(buffer.data(), buffer.size());
    std::optional<thread_pool> pool;
    const executor* exec = how.exec;
    if (!exec && how.threads != 1) exec = pool.emplace(how.threads).executor();
    f.status = fit<T>(X, {f.W.data(), X.rows, opt.rank}, {f.H.data(), opt.rank, X.cols}, opt, ws, bytes, f.info,
                      nullptr, nullptr, exec);
    return f;
}
}  // namespace detail

// Fits X with `opt`. For init_method::custom, pass W0 (n×r) and H0 (r×m) row-major.
// Throws std::bad_alloc only if the buffers cannot be allocated (and, with threads, what
// std::thread throws when it cannot start one).
template <class T>
factorization<T> factorize(const_matrix_view<T> X, const options& opt, const parallelism& how,
                           const std::vector<T>* W0 = nullptr, const std::vector<T>* H0 = nullptr) {
    return detail::factorize_any<T>(
        X, opt, W0, H0, [&](std::size_t& bytes) { return workspace_size<T>(X.rows, X.cols, opt, bytes); }, how);
}
template <class T>
factorization<T> factorize(const_matrix_view<T> X, const options& opt, const std::vector<T>* W0 = nullptr,
                           const std::vector<T>* H0 = nullptr) {
    return factorize<T>(X, opt, parallelism(), W0, H0);
}

// The same for a sparse X (CSR; see csr_view), never densified:
//
//     nmfkit::csr_view<float> X(indptr.data(), indices.data(), values.data(), n, m, values.size());
//     auto f = nmfkit::factorize<float>(X, opt);
template <class T>
factorization<T> factorize(const csr_view<T>& X, const options& opt, const parallelism& how,
                           const std::vector<T>* W0 = nullptr, const std::vector<T>* H0 = nullptr) {
    return detail::factorize_any<T>(
        X, opt, W0, H0, [&](std::size_t& bytes) { return workspace_size<T>(X.rows, X.cols, X.nnz, opt, bytes); }, how);
}
template <class T>
factorization<T> factorize(const csr_view<T>& X, const options& opt, const std::vector<T>* W0 = nullptr,
                           const std::vector<T>* H0 = nullptr) {
    return factorize<T>(X, opt, parallelism(), W0, H0);
}

}  // namespace nmfkit
