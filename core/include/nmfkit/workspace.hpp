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
inline constexpr std::size_t workspace_header_bytes = 192 + 64 * sizeof(void*);

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

// What the layout depends on besides n, m and the options: whether X is sparse (CSR, nnz stored
// entries) and whether some entries are missing (options::missing ≠ none).
struct data_shape {
    bool sparse = false;
    std::size_t nnz = 0;
    bool masked = false;
};

// Sparse X: W·H at the stored entries (β = 1, missing entries, exact losses) is formed in blocks of
// rows whose entries fit a buffer of min(nnz, max(m, k_sample_min)) values (a row holds at most m).
constexpr std::size_t k_sample_min = std::size_t(1) << 16;
constexpr std::size_t sample_buffer(std::size_t m, std::size_t nnz) noexcept {
    const std::size_t most = m > k_sample_min ? m : k_sample_min;
    return nnz < most ? nnz : most;
}

// Sparse X: Xᵀ·A products scatter each row's entries over all of the m×r result, so the rows
// are split into this many fixed lanes (by entries), each summing into its own m×r buffer with
// its own value buffer; the lanes are then added in order (the same result on any thread count).
constexpr std::size_t k_csr_lanes = 4;

// Region offsets of the solver's workspace (workspace_regions).
enum region : int {
    r_num,    // X·Hᵀ (n×r) or Wᵀ·X (r×m): max(n, m)·r
    r_den,    // the matching denominators, same size
    r_hht,    // H·Hᵀ, r×r
    r_wtw,    // Wᵀ·W, r×r
    r_ta,     // β ≠ 2 or missing entries: a tile of W·H
    r_tb,     // ... and of its second form (β ≠ 1 or missing)
    r_svd,    // nndsvd*: the SVD's scratch, overlaying num.. (it runs before they are used)
    r_sigma,  // nndsvd*: the r singular values (double), after the scratch
    r_xt,     // sparse: Hᵀ and Xᵀ·W (m×2r; m×k for the SVD's sketch), before the overlay
    r_vals,   // sparse: sample_buffer() values of W·H at the stored entries of a block of rows
    r_xtile,  // sparse, tiled β: X's block of a tile, densified
    r_lanes,  // sparse: lanes 1.. (k_csr_lanes − 1): an m×max(r, sketch) sum and sample_buffer() values each
    r_count
};

// The solver's regions after a header of `header` bytes; offsets in at[region], total size in
// `total`; false on overflow. Extended = false: the Frobenius-only core's (num, den and the Gram
// matrices only: no tiles, no SVD, no sparse X), without the code for the others.
template <bool Extended = true>
constexpr bool workspace_regions(std::size_t n, std::size_t m, std::size_t r, double beta, bool nndsvd,
                                 std::size_t elem, std::size_t header, const data_shape& x, std::size_t (&at)[r_count],
                                 std::size_t& total) noexcept {
    std::size_t cap = 0, rr = 0, off = header;
    if constexpr (!Extended) {
        for (std::size_t& a : at) a = header;
        (void)beta;
        (void)nndsvd;
        (void)x;
        if (!checked_mul(n > m ? n : m, r, cap) || !checked_mul(r, r, rr) ||
            !append_region(off, cap, elem, at[r_num]) || !append_region(off, cap, elem, at[r_den]) ||
            !append_region(off, rr, elem, at[r_hht]) || !append_region(off, rr, elem, at[r_wtw]))
            return false;
        at[r_ta] = at[r_tb] = off;
        total = off;
        return true;
    }
    const bool svd = nndsvd && r <= (n < m ? n : m);
    const std::size_t sketch = svd ? svd_sketch_size(n, m, r) : 0;
    at[r_xt] = at[r_vals] = at[r_xtile] = at[r_lanes] = header;
    if (x.sparse) {
        std::size_t xt = 0;
        std::size_t cols = 0;             // Hᵀ and an m×r accumulator side by side, or the sketch's transpose
        std::size_t lane = 0, lanes = 0;  // the lanes too: the SVD's products use them
        if (!checked_mul(r, 2, cols) || !checked_mul(m, cols > sketch ? cols : sketch, xt) ||
            !append_region(off, xt, elem, at[r_xt]) || !checked_mul(m, r > sketch ? r : sketch, lane) ||
            !checked_add(lane, sample_buffer(m, x.nnz), lane) || !checked_mul(lane, k_csr_lanes - 1, lanes) ||
            !append_region(off, lanes, elem, at[r_lanes]))
            return false;
    }
    const std::size_t overlay = off;  // the SVD may reuse everything from here on
    if (!checked_mul(n > m ? n : m, r, cap) || !checked_mul(r, r, rr) || !append_region(off, cap, elem, at[r_num]) ||
        !append_region(off, cap, elem, at[r_den]) || !append_region(off, rr, elem, at[r_hht]) ||
        !append_region(off, rr, elem, at[r_wtw]))
        return false;
    at[r_ta] = at[r_tb] = off;
    const bool sampled = x.sparse && (beta == 1 || (beta == 2 && x.masked));
    if (x.sparse && !append_region(off, sample_buffer(m, x.nnz), elem, at[r_vals])) return false;
    if ((beta != 2 || x.masked) && !sampled) {  // tiles of W·H
        std::size_t tile_rows = 0, tile_cols = 0, tile = 0;
        if (!beta_tile_shape(n, m, tile_rows, tile_cols, tile) || !append_region(off, tile, elem, at[r_ta]))
            return false;
        if ((beta != 1 || x.masked) && !append_region(off, tile, elem, at[r_tb])) return false;
        // A sparse X's block, densified; exact losses use tiles of num's size (cap).
        if (x.sparse && !append_region(off, tile > cap ? tile : cap, elem, at[r_xtile])) return false;
    }
    total = off;
    at[r_svd] = at[r_sigma] = overlay;
    if (svd) {
        std::size_t svd_bytes = 0, svd_end = overlay;
        if (!svd_scratch(n, m, r, elem, svd_bytes) || !append_region(svd_end, svd_bytes, 1, at[r_svd]) ||
            !append_region(svd_end, r, sizeof(double), at[r_sigma]))
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
    std::size_t at[detail::r_count] = {}, total = 0;
    const detail::data_shape x{false, 0, opt.missing != missing_entries::none};
    if (!detail::workspace_regions(n, m, opt.rank, opt.beta, detail::is_nndsvd(opt.init), sizeof(T),
                                   workspace_header_bytes, x, at, total))
        return 0;
    return total;
}

// The same for a sparse X with nnz stored entries: at least workspace_size<T>(n, m, nnz, opt).
template <class T>
constexpr std::size_t workspace_bound(std::size_t n, std::size_t m, std::size_t nnz, const options& opt) noexcept {
    std::size_t at[detail::r_count] = {}, total = 0;
    const detail::data_shape x{true, nnz, opt.missing != missing_entries::none};
    if (!detail::workspace_regions(n, m, opt.rank, opt.beta, detail::is_nndsvd(opt.init), sizeof(T),
                                   workspace_header_bytes, x, at, total))
        return 0;
    return total;
}

}  // namespace nmfkit
