// The workspace: the solver's state, then the product buffers (nmfkit/workspace.hpp states the
// regions once, for this layout and for workspace_bound), and the one-pass iteration's block size.
#include <cstdint>

#include "solver/state.hpp"

// One-pass Frobenius iteration (step.cpp): X larger than k_fuse_min_bytes; blocks of X that fit
// in k_fuse_l2_bytes next to Wᵀ·X, but at least k_fuse_rank_rows·r rows. Measurements behind
// these figures: docs/performance.md, "Solver".
#ifndef NMFKIT_FUSE_MIN_BYTES  // build knob for A/B timing only
#define NMFKIT_FUSE_MIN_BYTES (std::size_t(8) << 20)
#endif

namespace nmfkit {
namespace detail {
namespace {

constexpr std::size_t k_fuse_min_bytes = NMFKIT_FUSE_MIN_BYTES;
constexpr std::size_t k_fuse_l2_bytes = std::size_t(1) << 20;
constexpr std::size_t k_fuse_rank_rows = 5;

static_assert(sizeof(state<float>) <= workspace_header_bytes && sizeof(state<double>) <= workspace_header_bytes,
              "workspace_bound (nmfkit/workspace.hpp) reserves too little for the solver state");

}  // namespace

template <class T>
bool compute_layout(std::size_t n, std::size_t m, const options& opt, const data_shape& x, layout& L) noexcept {
    const std::size_t r = opt.rank;
    // The Frobenius-only core has neither tiles, the SVD nor sparse X (check_options rejects
    // them): constants let the compiler drop their sizing.
    const double beta = k_extended ? opt.beta : 2.0;
    const bool nndsvd = k_extended && is_nndsvd(opt.init);
    const data_shape shape = k_extended ? x : data_shape{};
    std::size_t header = 0;
    if (!checked_round_up(sizeof(state<T>), header) ||
        !workspace_regions<k_extended>(n, m, r, beta, nndsvd, sizeof(T), header, shape, L.at, L.total))
        return false;
    // The sizes below were checked by workspace_regions.
    L.cap = (n > m ? n : m) * r;
    const bool svd = nndsvd && r <= (n < m ? n : m);
    const std::size_t sketch = svd ? svd_sketch_size(n, m, r) : 0;
    L.xt_cols = shape.sparse ? (2 * r > sketch ? 2 * r : sketch) : 0;
    L.samples = shape.sparse ? sample_buffer(m, shape.nnz) : 0;
    L.lane_cols = shape.sparse ? (r > sketch ? r : sketch) : 0;
    L.lane_stride = m * L.lane_cols + L.samples;  // checked by workspace_regions
    L.tile_rows = L.tile_cols = L.xtile = 0;
    const bool sampled = shape.sparse && (beta == 1 || (beta == 2 && shape.masked));
    if ((beta != 2 || shape.masked) && !sampled) {
        std::size_t tile = 0;
        beta_tile_shape(n, m, L.tile_rows, L.tile_cols, tile);
        if (shape.sparse) L.xtile = tile > L.cap ? tile : L.cap;
    }
    return true;
}

// β = 2 with plain MU or HALS (amu runs several W updates per pass over X), a fit (transform never
// updates H; W fixed never runs a W step), and a kernel set with an accumulating gemm_tn.
template <class T>
bool can_fuse(const kernel_table<T>& k, const options& opt, mode md) noexcept {
    return NMFKIT_ONE_PASS && k.gemm_tn_acc != nullptr && opt.beta == 2 &&
           (opt.solver == algorithm::mu || opt.solver == algorithm::hals) && md == mode::fit;
}

// Rows per block of X of the one-pass iteration, 0 for the two-pass one; at most `most`. Every
// block reads and writes all of Wᵀ·X (r×m), so X_b fills L2 next to it, with at least 5r rows.
template <class T>
std::size_t fused_rows(std::size_t n, std::size_t m, std::size_t r, std::size_t most) noexcept {
    const std::size_t row_bytes = m * sizeof(T);  // n·row_bytes ≤ X's extent: no overflow
    if (n * row_bytes <= k_fuse_min_bytes) return 0;
    const std::size_t acc_bytes = r * row_bytes;  // Wᵀ·X: ≤ the workspace's num region
    std::size_t rows = acc_bytes < k_fuse_l2_bytes ? (k_fuse_l2_bytes - acc_bytes) / row_bytes : 0;
    // n·m > 2^20 / sizeof(T): max(n, m) ≥ 2^9, so max(n, m)·r (checked) bounds 5r.
    if (rows < k_fuse_rank_rows * r) rows = k_fuse_rank_rows * r;
    return rows < most ? rows : most;
}

}  // namespace detail

void* align_workspace(void* p, std::size_t size) noexcept {
    const auto a = reinterpret_cast<std::uintptr_t>(p);
    const std::uintptr_t aligned = (a + (workspace_alignment - 1)) & ~std::uintptr_t(workspace_alignment - 1);
    if (!p || aligned - a >= size) return nullptr;
    return reinterpret_cast<void*>(aligned);
}

namespace detail {
template <class T>
status workspace_size_of(std::size_t n, std::size_t m, const options& opt, const data_shape& x,
                         std::size_t& bytes) noexcept {
    const status s = check_options<T>(opt, x.sparse);
    if (s != status::ok) return s;
    if (n == 0 || m == 0) return status::empty_dimension;
    if (is_nndsvd(opt.init) && opt.rank > (n < m ? n : m)) return status::rank_too_large;
    layout L{};
    if (!compute_layout<T>(n, m, opt, x, L)) return status::size_overflow;
    bytes = L.total;
    return status::ok;
}
}  // namespace detail

template <class T>
status workspace_size(std::size_t n, std::size_t m, const options& opt, std::size_t& bytes) noexcept {
    return detail::workspace_size_of<T>(n, m, opt, detail::data_shape{false, 0, opt.missing != missing_entries::none},
                                        bytes);
}

template <class T>
status workspace_size(std::size_t n, std::size_t m, std::size_t nnz, const options& opt, std::size_t& bytes) noexcept {
    return detail::workspace_size_of<T>(n, m, opt, detail::data_shape{true, nnz, opt.missing != missing_entries::none},
                                        bytes);
}

namespace detail {
#define NMFKIT_LAYOUT_INSTANTIATE(T)                                                                                \
    template bool compute_layout<T>(std::size_t, std::size_t, const options&, const data_shape&, layout&) noexcept; \
    template bool can_fuse<T>(const kernel_table<T>&, const options&, mode) noexcept;                               \
    template std::size_t fused_rows<T>(std::size_t, std::size_t, std::size_t, std::size_t) noexcept;
NMFKIT_LAYOUT_INSTANTIATE(float)
NMFKIT_LAYOUT_INSTANTIATE(double)
#undef NMFKIT_LAYOUT_INSTANTIATE
}  // namespace detail

template status workspace_size<float>(std::size_t, std::size_t, const options&, std::size_t&) noexcept;
template status workspace_size<double>(std::size_t, std::size_t, const options&, std::size_t&) noexcept;
template status workspace_size<float>(std::size_t, std::size_t, std::size_t, const options&, std::size_t&) noexcept;
template status workspace_size<double>(std::size_t, std::size_t, std::size_t, const options&, std::size_t&) noexcept;

}  // namespace nmfkit
