// Helpers shared by the doctest suites: owning problem buffers, a naive reference
// implementation of the multiplicative updates, and random problems.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "nmfkit/nmfkit.hpp"

namespace testutil {

// Deterministic test data (SplitMix64), independent of the library's PRNG.
struct splitmix {
    std::uint64_t s;
    explicit splitmix(std::uint64_t seed) : s(seed) {}
    std::uint64_t next() {
        std::uint64_t z = (s += 0x9e3779b97f4a7c15ULL);
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
        return z ^ (z >> 31);
    }
    double uniform() { return static_cast<double>(next() >> 11) * (1.0 / 9007199254740992.0); }
    std::size_t below(std::size_t n) { return static_cast<std::size_t>(next() % n); }
};

template <class T>
struct matrix {
    std::size_t rows = 0, cols = 0, stride = 0;
    std::vector<T> data;
    matrix() = default;
    matrix(std::size_t r, std::size_t c, std::size_t pad = 0, T fill = T(0))
        : rows(r), cols(c), stride(c + pad), data(r * (c + pad) + 1, fill) {}
    T& operator()(std::size_t i, std::size_t j) { return data[i * stride + j]; }
    T operator()(std::size_t i, std::size_t j) const { return data[i * stride + j]; }
    nmfkit::matrix_view<T> view() { return {data.data(), rows, cols, stride}; }
    nmfkit::const_matrix_view<T> cview() const { return {data.data(), rows, cols, stride}; }
};

template <class T>
matrix<T> random_matrix(std::size_t r, std::size_t c, splitmix& rng, double scale = 1.0, std::size_t pad = 0) {
    matrix<T> a(r, c, pad);
    for (std::size_t i = 0; i < r; ++i)
        for (std::size_t j = 0; j < c; ++j) a(i, j) = static_cast<T>(rng.uniform() * scale);
    return a;
}

// Aligned workspace owned by the test.
struct workspace {
    std::vector<unsigned char> raw;
    void* ptr = nullptr;
    std::size_t bytes = 0;
    explicit workspace(std::size_t b) : raw(b + nmfkit::workspace_alignment), bytes(b) {
        ptr = nmfkit::align_workspace(raw.data(), raw.size());
    }
    workspace(workspace&&) = default;  // moving a vector keeps its buffer, so ptr stays valid
    workspace& operator=(workspace&&) = default;
    workspace(const workspace&) = delete;
    workspace& operator=(const workspace&) = delete;
};

template <class T>
workspace make_workspace(std::size_t n, std::size_t m, const nmfkit::options& opt) {
    std::size_t bytes = 0;
    if (nmfkit::workspace_size<T>(n, m, opt, bytes) != nmfkit::status::ok) bytes = 0;
    return workspace(bytes);
}

// fit() with a workspace of its own.
template <class T>
nmfkit::status run_fit(const matrix<T>& X, matrix<T>& W, matrix<T>& H, const nmfkit::options& opt,
                       nmfkit::result& res) {
    workspace ws = make_workspace<T>(X.rows, X.cols, opt);
    return nmfkit::fit<T>(X.cview(), W.view(), H.view(), opt, ws.ptr, ws.bytes, res);
}

// Normwise relative difference ‖a − b‖_F / max(‖b‖_F, tiny).
template <class T>
double rel_diff(const matrix<T>& a, const matrix<T>& b) {
    double d = 0, nb = 0;
    for (std::size_t i = 0; i < a.rows; ++i)
        for (std::size_t j = 0; j < a.cols; ++j) {
            const double x = static_cast<double>(a(i, j)), y = static_cast<double>(b(i, j));
            d += (x - y) * (x - y);
            nb += y * y;
        }
    return std::sqrt(d) / std::max(std::sqrt(nb), 1e-300);
}

// One multiplicative-update iteration (W, then H) in long double, straight from the
// formulas, with the zero-denominator guard; the oracle for the solver.
inline void reference_iteration(const matrix<long double>& X, matrix<long double>& W, matrix<long double>& H,
                                long double eps) {
    const std::size_t n = X.rows, m = X.cols, r = W.cols;
    matrix<long double> WH(n, m);
    for (std::size_t i = 0; i < n; ++i)
        for (std::size_t j = 0; j < m; ++j) {
            long double s = 0;
            for (std::size_t k = 0; k < r; ++k) s += W(i, k) * H(k, j);
            WH(i, j) = s;
        }
    matrix<long double> Wn(n, r);
    for (std::size_t i = 0; i < n; ++i)
        for (std::size_t k = 0; k < r; ++k) {
            long double num = 0, den = 0;
            for (std::size_t j = 0; j < m; ++j) {
                num += X(i, j) * H(k, j);
                den += WH(i, j) * H(k, j);
            }
            Wn(i, k) = W(i, k) * num / (den == 0 ? eps : den);
        }
    W = Wn;
    for (std::size_t i = 0; i < n; ++i)
        for (std::size_t j = 0; j < m; ++j) {
            long double s = 0;
            for (std::size_t k = 0; k < r; ++k) s += W(i, k) * H(k, j);
            WH(i, j) = s;
        }
    matrix<long double> Hn(r, m);
    for (std::size_t k = 0; k < r; ++k)
        for (std::size_t j = 0; j < m; ++j) {
            long double num = 0, den = 0;
            for (std::size_t i = 0; i < n; ++i) {
                num += W(i, k) * X(i, j);
                den += W(i, k) * WH(i, j);
            }
            Hn(k, j) = H(k, j) * num / (den == 0 ? eps : den);
        }
    H = Hn;
}

template <class T, class U>
matrix<T> convert(const matrix<U>& a) {
    matrix<T> b(a.rows, a.cols);
    for (std::size_t i = 0; i < a.rows; ++i)
        for (std::size_t j = 0; j < a.cols; ++j) b(i, j) = static_cast<T>(a(i, j));
    return b;
}

// Every entry finite and ≥ 0 (what every fit must return).
template <class T>
bool all_finite_nonneg(const matrix<T>& a) {
    for (std::size_t i = 0; i < a.rows; ++i)
        for (std::size_t j = 0; j < a.cols; ++j)
            if (!(a(i, j) >= 0) || !std::isfinite(a(i, j))) return false;
    return true;
}

// A row-major array (a committed scikit-learn reference) as a matrix of T.
template <class T>
matrix<T> from_array(const double* a, std::size_t rows, std::size_t cols) {
    matrix<T> out(rows, cols);
    for (std::size_t i = 0; i < rows; ++i)
        for (std::size_t j = 0; j < cols; ++j) out(i, j) = static_cast<T>(a[i * cols + j]);
    return out;
}

// Options of a fixed-length MU fit: tol = 0 runs exactly `iters` iterations (mu named: the
// default, auto, is hals for β = 2).
inline nmfkit::options beta_opts(std::size_t rank, std::uint32_t iters, double beta = 2, std::uint64_t seed = 1) {
    nmfkit::options o;
    o.solver = nmfkit::algorithm::mu;
    o.rank = rank;
    o.max_iter = iters;
    o.tol = 0;
    o.beta = beta;
    o.seed = seed;
    return o;
}

}  // namespace testutil
