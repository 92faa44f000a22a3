// nmfkit's workspace, as a compile-time formula: workspace_bound<T>(n, m, opt) is at least
// what workspace_size<T>(n, m, opt, bytes) returns, so a caller without a heap can size a
// static buffer:
//
//     alignas(nmfkit::workspace_alignment) unsigned char ws[nmfkit::workspace_bound<float>(32, 16, opt)];
//
// The bound is exact up to the solver's private header: workspace_size() adds the header
// rounded to workspace_alignment (at most workspace_header_bytes) where the bound adds
// workspace_header_bytes. The solver computes its own layout from the same helpers.
#pragma once

#include <cstddef>

#include "nmfkit/nmfkit.hpp"

namespace nmfkit {

// Bytes reserved for the solver's state at the start of the workspace: it holds a fixed
// number of pointers, sizes and doubles (the solver static_asserts that it fits).
inline constexpr std::size_t workspace_header_bytes = 128 + 48 * sizeof(void*);

namespace detail {

constexpr std::size_t k_size_max = ~std::size_t(0);

constexpr bool checked_mul(std::size_t a, std::size_t b, std::size_t& out) noexcept {
    if (a != 0 && b > k_size_max / a) return false;
    out = a * b;
    return true;
}

constexpr bool checked_add(std::size_t a, std::size_t b, std::size_t& out) noexcept {
    if (b > k_size_max - a) return false;
    out = a + b;
    return true;
}

constexpr bool checked_round_up(std::size_t v, std::size_t& out) noexcept {
    if (!checked_add(v, workspace_alignment - 1, out)) return false;
    out &= ~(workspace_alignment - 1);
    return true;
}

// Appends a region of count·elem bytes (rounded to workspace_alignment) at `offset`, advancing it.
constexpr bool append_region(std::size_t& offset, std::size_t count, std::size_t elem, std::size_t& at) noexcept {
    std::size_t bytes = 0;
    if (!checked_mul(count, elem, bytes) || !checked_round_up(bytes, bytes)) return false;
    at = offset;
    return checked_add(offset, bytes, offset);
}

constexpr bool is_nndsvd(init_method i) noexcept {
    return i == init_method::nndsvd || i == init_method::nndsvda || i == init_method::nndsvdar;
}

// β ≠ 2: the solver forms W·H in tiles of k_tile_width·max(n, m) entries, tile_rows × m in the
// W step and n × tile_cols in the H step; false on overflow.
constexpr std::size_t k_tile_width = 64;
constexpr bool beta_tile_shape(std::size_t n, std::size_t m, std::size_t& tile_rows, std::size_t& tile_cols,
                               std::size_t& tile) noexcept {
    std::size_t budget = 0;
    if (!checked_mul(n > m ? n : m, k_tile_width, budget)) return false;
    tile_rows = budget / m < n ? (budget / m > 0 ? budget / m : 1) : n;
    tile_cols = budget / n < m ? (budget / n > 0 ? budget / n : 1) : m;
    tile = tile_rows * m > n * tile_cols ? tile_rows * m : n * tile_cols;  // ≤ budget + max(n, m)
    return true;
}

// The NNDSVD's truncated SVD (core/src/svd.cpp): a sketch of k = min(r + 10, n, m) columns.
constexpr std::size_t k_svd_oversample = 10;  // as scikit-learn's randomized_svd
constexpr std::size_t svd_sketch_size(std::size_t n, std::size_t m, std::size_t r) noexcept {
    const std::size_t lim = n < m ? n : m;
    return r + k_svd_oversample < lim ? r + k_svd_oversample : lim;
}

// Its scratch: Y (n×k), Z (k×m) of elem-byte entries, then two k×k and one k-vector of doubles.
constexpr bool svd_scratch(std::size_t n, std::size_t m, std::size_t r, std::size_t elem, std::size_t& bytes) noexcept {
    const std::size_t k = svd_sketch_size(n, m, r);
    std::size_t off = 0, at = 0, kk = 0;
    if (!checked_mul(k, k, kk) || !checked_mul(n, k, bytes) || !append_region(off, bytes, elem, at) ||
        !checked_mul(k, m, bytes) || !append_region(off, bytes, elem, at) ||
        !append_region(off, kk, sizeof(double), at) || !append_region(off, kk, sizeof(double), at) ||
        !append_region(off, k, sizeof(double), at))
        return false;
    bytes = off;
    return true;
}

// The solver's regions after a header of `header` bytes: num, den (max(n, m)·r each), HHᵀ, WᵀW
// (r² each), for β ≠ 2 one or two tiles of W·H; NNDSVD's scratch and σ overlay them from the
// header on. Offsets in at[0..5] (num, den, hht, wtw, ta, tb) and at[6..7] (svd, sigma); false
// on overflow.
constexpr bool workspace_regions(std::size_t n, std::size_t m, std::size_t r, double beta, bool nndsvd,
                                 std::size_t elem, std::size_t header, std::size_t (&at)[8],
                                 std::size_t& total) noexcept {
    std::size_t cap = 0, rr = 0, off = header;
    if (!checked_mul(n > m ? n : m, r, cap) || !checked_mul(r, r, rr) || !append_region(off, cap, elem, at[0]) ||
        !append_region(off, cap, elem, at[1]) || !append_region(off, rr, elem, at[2]) ||
        !append_region(off, rr, elem, at[3]))
        return false;
    at[4] = at[5] = off;
    if (beta != 2) {
        std::size_t tile_rows = 0, tile_cols = 0, tile = 0;
        if (!beta_tile_shape(n, m, tile_rows, tile_cols, tile) || !append_region(off, tile, elem, at[4])) return false;
        if (beta != 1 && !append_region(off, tile, elem, at[5])) return false;
    }
    total = off;
    at[6] = at[7] = header;
    if (nndsvd && r <= (n < m ? n : m)) {  // the SVD runs before the buffers are used
        std::size_t svd_bytes = 0, svd_end = header;
        if (!svd_scratch(n, m, r, elem, svd_bytes) || !append_region(svd_end, svd_bytes, 1, at[6]) ||
            !append_region(svd_end, r, sizeof(double), at[7]))
            return false;
        if (svd_end > total) total = svd_end;
    }
    return true;
}

}  // namespace detail

// At least workspace_size<T>(n, m, opt): a constant expression when the arguments are. 0 if the
// size overflows size_t. Options that workspace_size() rejects still get a (meaningless) bound.
template <class T>
constexpr std::size_t workspace_bound(std::size_t n, std::size_t m, const options& opt) noexcept {
    std::size_t at[8] = {}, total = 0;
    if (!detail::workspace_regions(n, m, opt.rank, opt.beta, detail::is_nndsvd(opt.init), sizeof(T),
                                   workspace_header_bytes, at, total))
        return 0;
    return total;
}

}  // namespace nmfkit
