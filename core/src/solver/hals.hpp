// HALS's row update (Cichocki & Phan's fast HALS; scikit-learn's solver='cd'): the rows of a
// factor given its Gram matrix and the data's product. Row-local: the rows of W (columns of H)
// are independent, so the solver runs blocks of rows anywhere (the one-pass iteration, tasks).
#pragma once

#include <cstddef>

#include "solver/state.hpp"

namespace nmfkit {
namespace detail {

// HALS on the rows of F (rows × r, row stride ldf): for each column t in turn, F[i, t] ←
// max(0, F[i, t] − g / h) with g = (F·G)[i, t] − B[i, t] + l1 + l2·F[i, t], h = G[t, t] + l2, where
// B[i, t] = b[i·bi + t·bt]; an entry whose h is 0 stays. Sums in double. Rows go L at a time: one
// row's columns are a chain (each waits on the division before), L rows are L chains side by side.
template <std::size_t L, class T>
void hals_block(T* F, std::size_t ldf, const T* b, std::size_t bi, std::size_t bt, const T* G, std::size_t r, double l1,
                double l2) noexcept {
    for (std::size_t t = 0; t < r; ++t) {
        const T* g = G + t * r;
        const double hess = double(g[t]) + l2;
        if (hess == 0) continue;
        double grad[L];
        for (std::size_t q = 0; q < L; ++q) {
            const T* f = F + q * ldf;
            grad[q] = l1 - double(b[q * bi + t * bt]) + l2 * double(f[t]) + dot_double(g, f, r);
        }
        for (std::size_t q = 0; q < L; ++q) {
            T* f = F + q * ldf;
            const double v = double(f[t]) - grad[q] / hess;
            f[t] = v > 0 ? static_cast<T>(v) : T(0);
        }
    }
}

template <class T>
void hals_rows(T* F, std::size_t rows, std::size_t ldf, const T* b, std::size_t bi, std::size_t bt, const T* G,
               std::size_t r, double l1, double l2) noexcept {
    constexpr std::size_t L = 4;
    std::size_t i = 0;
    for (; i + L <= rows; i += L) hals_block<L>(F + i * ldf, ldf, b + i * bi, bi, bt, G, r, l1, l2);
    for (; i < rows; ++i) hals_block<1>(F + i * ldf, ldf, b + i * bi, bi, bt, G, r, l1, l2);
}

}  // namespace detail
}  // namespace nmfkit
