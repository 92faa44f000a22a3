// Owning convenience layer over nmfkit.hpp: allocates W, H and the workspace with
// std::vector and returns them; X dense or sparse (CSR). For callers who don't need to control memory; the
// core below never allocates.
//
//     auto f = nmfkit::factorize<float>({X.data(), n, m}, opt);
//     if (f.status != nmfkit::status::ok) ...;
//     f.W  // n×rank, row-major        f.H  // rank×m, row-major
#pragma once

#include <vector>

#include "nmfkit/nmfkit.hpp"

namespace nmfkit {

template <class T>
struct factorization {
    nmfkit::status status = nmfkit::status::ok;
    std::vector<T> W;  // rows × rank
    std::vector<T> H;  // rank × cols
    std::size_t rows = 0, cols = 0, rank = 0;
    result info;
};

namespace detail {
// The fit of either form of X (n×m), its workspace sized by `size`.
template <class T, class XIn, class Size>
factorization<T> factorize_any(const XIn& X, const options& opt, const std::vector<T>* W0, const std::vector<T>* H0,
                               Size size) {
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
    f.status = fit<T>(X, {f.W.data(), X.rows, opt.rank}, {f.H.data(), opt.rank, X.cols}, opt, ws, bytes, f.info);
    return f;
}
}  // namespace detail

// Fits X with `opt`. For init_method::custom, pass W0 (n×r) and H0 (r×m) row-major.
// Throws std::bad_alloc only if the buffers cannot be allocated.
template <class T>
factorization<T> factorize(const_matrix_view<T> X, const options& opt, const std::vector<T>* W0 = nullptr,
                           const std::vector<T>* H0 = nullptr) {
    return detail::factorize_any<T>(X, opt, W0, H0,
                                    [&](std::size_t& bytes) { return workspace_size<T>(X.rows, X.cols, opt, bytes); });
}

// The same for a sparse X (CSR; see csr_view), never densified:
//
//     nmfkit::csr_view<float> X(indptr.data(), indices.data(), values.data(), n, m, values.size());
//     auto f = nmfkit::factorize<float>(X, opt);
template <class T>
factorization<T> factorize(const csr_view<T>& X, const options& opt, const std::vector<T>* W0 = nullptr,
                           const std::vector<T>* H0 = nullptr) {
    return detail::factorize_any<T>(X, opt, W0, H0, [&](std::size_t& bytes) {
        return workspace_size<T>(X.rows, X.cols, X.nnz, opt, bytes);
    });
}

}  // namespace nmfkit
