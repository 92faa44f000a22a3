// HALS (Cichocki & Phan's fast HALS; scikit-learn's solver='cd') on blocks of rows of a factor
// given its Gram matrix and the data's product, through the kernel set's hals_rows. Row-local:
// the rows of W (columns of H) are independent, so the solver runs blocks of rows anywhere (the
// one-pass iteration, tasks), and a row's result does not depend on the block it is in.
#pragma once

#include <cmath>
#include <cstddef>
#include <cstdint>

#include "solver/state.hpp"

namespace nmfkit {
namespace detail {

// Gillis & Glineur's accelerated HALS: with the products B and G of a side fixed, each row of the
// factor repeats its sweep up to 1 + α·ρ times (ρ: what the products cost in sweeps), until a
// sweep moves it by at most δ times its first sweep (norms). α = 0.5 as in their HALS runs.
constexpr double k_hals_alpha = 0.1;
constexpr double k_hals_delta = 0.1;

// The sweep budget of the W side (for_w) or the H side of an n×m fit at rank r; `entries` is
// what one product visits of X (n·m dense, nnz sparse). ρ = 1 + (entries + m·r) / (n·(r + 1))
// for W, n and m swapped for H.
inline std::uint32_t hals_sweeps(std::size_t n, std::size_t m, std::size_t r, double entries, bool for_w) noexcept {
    const double dn = static_cast<double>(for_w ? n : m), dm = static_cast<double>(for_w ? m : n);
    const double dr = static_cast<double>(r);
    const double rho = 1 + std::floor((entries + dm * dr) / (dn * (dr + 1)));
    const double b = std::floor(1 + k_hals_alpha * rho);
    return b > 1000 ? 1000u : static_cast<std::uint32_t>(b);
}

// HALS on `rows` rows of F (row stride ldf) with G (r×r) and B[i, t] = b[i·bi + t·bt] (W: X·Hᵀ
// with bi = r, bt = 1; H's columns as rows: Wᵀ·X with bi = 1, bt = m), penalties l1, l2; each row
// at most `sweeps` sweeps (1: one exact cd sweep, scikit-learn's). Deterministic per row.
template <class T>
void hals_rows(const kernel_table<T>& k, T* F, std::size_t rows, std::size_t ldf, const T* b, std::size_t bi,
               std::size_t bt, const T* G, std::size_t r, double l1, double l2, std::uint32_t sweeps) noexcept {
    k.hals_rows(rows, r, F, ldf, b, bi, bt, G, l1, l2, sweeps, k_hals_delta * k_hals_delta);
}

}  // namespace detail
}  // namespace nmfkit
