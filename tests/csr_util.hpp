// Helpers of the sparse and missing-data suites: an owning CSR matrix built from a dense one,
// masks of missing entries, direct (entry by entry, long double) losses, and a workspace with a
// canary tail.
#pragma once

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <iomanip>
#include <limits>
#include <vector>

#include <doctest/doctest.h>

#include "nmfkit/nmfkit.hpp"
#include "test_util.hpp"

namespace testutil {

// Owning CSR arrays; view() is what the library sees.
template <class T>
struct csr {
    std::size_t rows = 0, cols = 0;
    std::vector<std::uint64_t> indptr;
    std::vector<std::uint32_t> indices;
    std::vector<T> values;
    bool pattern = false;  // view() passes values == nullptr

    std::size_t nnz() const { return indices.size(); }
    nmfkit::csr_view<T> view() const {
        // A one-element dummy keeps indices non-null when nnz = 0 (the view's arrays are then unread).
        static const std::uint32_t no_index = 0;
        static const T no_value = 0;
        return {indptr.data(),
                indices.empty() ? &no_index : indices.data(),
                pattern ? nullptr : (values.empty() ? &no_value : values.data()),
                rows,
                cols,
                indices.size()};
    }
};

// The entries of a where keep(i, j) holds, in row-major order.
template <class T, class Keep>
csr<T> to_csr_if(const matrix<T>& a, Keep keep) {
    csr<T> c;
    c.rows = a.rows;
    c.cols = a.cols;
    c.indptr.push_back(0);
    for (std::size_t i = 0; i < a.rows; ++i) {
        for (std::size_t j = 0; j < a.cols; ++j)
            if (keep(i, j)) {
                c.indices.push_back(static_cast<std::uint32_t>(j));
                c.values.push_back(a(i, j));
            }
        c.indptr.push_back(c.indices.size());
    }
    return c;
}

// The nonzero entries of a (the usual sparse matrix).
template <class T>
csr<T> to_csr(const matrix<T>& a) {
    return to_csr_if(a, [&a](std::size_t i, std::size_t j) { return a(i, j) != 0; });
}

// Every entry stored, zeros included.
template <class T>
csr<T> to_full_csr(const matrix<T>& a) {
    return to_csr_if(a, [](std::size_t, std::size_t) { return true; });
}

// The dense matrix of c: unstored entries become `fill` (0, or NaN for "missing").
template <class T>
matrix<T> densify(const csr<T>& c, T fill = T(0)) {
    matrix<T> a(c.rows, c.cols, 0, fill);
    for (std::size_t i = 0; i < c.rows; ++i)
        for (std::uint64_t k = c.indptr[i]; k < c.indptr[i + 1]; ++k)
            a(i, c.indices[k]) = c.pattern ? T(1) : c.values[k];
    return a;
}

// A random n×m matrix with about `density` of its entries nonzero (uniform in (0, scale)).
template <class T>
matrix<T> random_sparse(std::size_t n, std::size_t m, double density, splitmix& rng, double scale = 1.0) {
    matrix<T> a(n, m);
    for (std::size_t i = 0; i < n; ++i)
        for (std::size_t j = 0; j < m; ++j)
            if (rng.uniform() < density) a(i, j) = static_cast<T>(scale * (0.05 + 0.95 * rng.uniform()));
    return a;
}

// 1 where observed, 0 where missing, each entry missing with probability p.
inline matrix<unsigned char> random_mask(std::size_t n, std::size_t m, double p, splitmix& rng) {
    matrix<unsigned char> mask(n, m, 0, 1);
    for (std::size_t i = 0; i < n; ++i)
        for (std::size_t j = 0; j < m; ++j) mask(i, j) = rng.uniform() < p ? 0 : 1;
    return mask;
}

// X with its missing entries set to NaN (the input of missing = nan).
template <class T>
matrix<T> with_nans(const matrix<T>& X, const matrix<unsigned char>& mask) {
    matrix<T> a = X;
    for (std::size_t i = 0; i < X.rows; ++i)
        for (std::size_t j = 0; j < X.cols; ++j)
            if (!mask(i, j)) a(i, j) = std::numeric_limits<T>::quiet_NaN();
    return a;
}

// X's observed entries as CSR (the input of missing = unstored); observed zeros stay stored.
template <class T>
csr<T> observed_csr(const matrix<T>& X, const matrix<unsigned char>& mask) {
    return to_csr_if(X, [&mask](std::size_t i, std::size_t j) { return mask(i, j) != 0; });
}

template <class T>
long double wh_entry(const matrix<T>& W, const matrix<T>& H, std::size_t i, std::size_t j) {
    long double s = 0;
    for (std::size_t k = 0; k < W.cols; ++k) s += static_cast<long double>(W(i, k)) * H(k, j);
    return s;
}

// D_β(x | y) of one entry, from its definition (β = 1: KL, β = 0: IS).
inline long double beta_entry(long double x, long double y, double beta) {
    if (beta == 2) return 0.5L * (x - y) * (x - y);
    if (beta == 1) return (x > 0 ? x * std::log(x / y) : 0.0L) - x + y;
    if (beta == 0) return x / y - std::log(x / y) - 1;
    const long double b = beta;
    const long double cross = x == 0 ? 0.0L : b * x * std::pow(y, b - 1);  // 0·y^(β−1) is 0, also at y = 0
    return (std::pow(x, b) + (b - 1) * std::pow(y, b) - cross) / (b * (b - 1));
}

// D_β(X | W·H) over the entries with observed(i, j), entry by entry.
template <class T, class Observed>
double direct_loss(const matrix<T>& X, const matrix<T>& W, const matrix<T>& H, double beta, Observed observed) {
    long double s = 0;
    for (std::size_t i = 0; i < X.rows; ++i)
        for (std::size_t j = 0; j < X.cols; ++j)
            if (observed(i, j)) s += beta_entry(X(i, j), wh_entry(W, H, i, j), beta);
    return static_cast<double>(s);
}

// ‖S∘(X − W·H)‖_F / ‖S∘X‖_F over the entries with selected(i, j) (0 if that part of X is 0).
template <class T, class Selected>
double direct_relative_error(const matrix<T>& X, const matrix<T>& W, const matrix<T>& H, Selected selected) {
    long double d = 0, x = 0;
    for (std::size_t i = 0; i < X.rows; ++i)
        for (std::size_t j = 0; j < X.cols; ++j)
            if (selected(i, j)) {
                const long double e = X(i, j) - wh_entry(W, H, i, j);
                d += e * e;
                x += static_cast<long double>(X(i, j)) * X(i, j);
            }
    return x == 0 ? 0.0 : static_cast<double>(std::sqrt(d / x));
}

// |a − b| ≤ tol·max(|a|, |b|): relative at every magnitude (doctest::Approx adds an absolute
// 1·epsilon, which would let a tiny loss be off by 100 %).
inline bool rel_eq(double a, double b, double tol) {
    return std::fabs(a - b) <= tol * std::max(std::fabs(a), std::fabs(b));
}

#define CHECK_REL(a, b, tol)                                                                                           \
    do {                                                                                                               \
        const double check_rel_a_ = (a), check_rel_b_ = (b);                                                           \
        INFO(#a " = " << std::setprecision(12) << check_rel_a_ << ", " #b " = " << check_rel_b_ << ", tol " << (tol)); \
        CHECK(testutil::rel_eq(check_rel_a_, check_rel_b_, (tol)));                                                    \
    } while (0)

template <class T>
workspace make_csr_workspace(const csr<T>& X, const nmfkit::options& opt) {
    std::size_t bytes = 0;
    if (nmfkit::workspace_size<T>(X.rows, X.cols, X.nnz(), opt, bytes) != nmfkit::status::ok) bytes = 0;
    return workspace(bytes);
}

// fit() of a CSR X with a workspace of its own.
template <class T>
nmfkit::status run_csr_fit(const csr<T>& X, matrix<T>& W, matrix<T>& H, const nmfkit::options& opt, nmfkit::result& res,
                           nmfkit::progress_callback cb = nullptr, void* user = nullptr) {
    workspace ws = make_csr_workspace(X, opt);
    return nmfkit::fit<T>(X.view(), W.view(), H.view(), opt, ws.ptr, ws.bytes, res, cb, user);
}

// A workspace of exactly `bytes` followed by a tail of canary bytes, to catch writes past the
// end of what workspace_size() asked for.
struct canary_workspace {
    static constexpr std::size_t tail = 4096;
    static constexpr unsigned char fill = 0xA5;
    std::vector<unsigned char> raw;
    unsigned char* ptr = nullptr;
    std::size_t bytes = 0;
    explicit canary_workspace(std::size_t b) : raw(b + tail + nmfkit::workspace_alignment), bytes(b) {
        ptr = static_cast<unsigned char*>(nmfkit::align_workspace(raw.data(), raw.size()));
        std::memset(ptr + bytes, fill, tail);
    }
    bool tail_intact() const {
        for (std::size_t i = 0; i < tail; ++i)
            if (ptr[bytes + i] != fill) return false;
        return true;
    }
};

}  // namespace testutil
