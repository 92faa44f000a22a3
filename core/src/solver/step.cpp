// The multiplicative update of one factor (factor_step, both sides), its accelerated form
// (AMU), the one-pass Frobenius W step, and one iteration (iterate).
#include <cmath>
#include <cstdint>

#include "solver/hals.hpp"
#include "solver/state.hpp"

namespace nmfkit {
namespace detail {
namespace {

constexpr double k_amu_alpha = 2.0;  // Gillis & Glineur: inner budget 1 + α·ρ
constexpr double k_amu_delta = 0.1;  // ... and early stop at δ·‖first step‖

// x ← x ∘ (num ⊘ d)^γ with d = den + l1 + l2·x (d = eps where it is 0); entries below
// `zero_below` (at least k_tiny) are set to 0 afterwards. Returns ‖Δx‖²_F when `track` is set.
template <class T>
double update_factor(const kernel_table<T>& k, matrix_view<T> x, const T* num, const T* den, std::size_t ld, T eps,
                     double l1, double l2, double gamma, double zero_below, bool track) noexcept {
    if (l1 == 0 && l2 == 0 && gamma == 1 && zero_below == 0) {  // mu_update keeps k_tiny too
        const double step = k.mu_update(x.rows, x.cols, x.data, x.stride, num, ld, den, ld, eps);
        return track ? step : 0;
    }
    const T floor = static_cast<T>(zero_below) > k_tiny<T> ? static_cast<T>(zero_below) : k_tiny<T>;
    const update_params<T> p{eps, static_cast<T>(l1), static_cast<T>(l2), static_cast<T>(gamma), floor};
    return k.factor_update(x.rows, x.cols, x.data, x.stride, num, ld, den, ld, p, track);
}

// Gillis & Glineur's inner budget 1 + α·ρ for a factor whose products cost ρ inner updates;
// `entries` is what one product visits of X (n·m dense, nnz sparse).
std::uint32_t amu_budget(std::size_t n, std::size_t m, std::size_t r, double entries, bool for_w) noexcept {
    const double dn = static_cast<double>(n), dm = static_cast<double>(m), dr = static_cast<double>(r);
    const double rho = for_w ? 1 + std::floor((entries + dm * dr) / (dn * (dr + 1)))
                             : 1 + std::floor((entries + dn * dr) / (dm * (dr + 1)));
    const double b = std::floor(1 + k_amu_alpha * rho);
    return b > 1000 ? 1000u : static_cast<std::uint32_t>(b);
}

enum class side { w, h };

// What distinguishes the two sides of a step. W: num = X·Hᵀ, den = W·(HHᵀ), both n×r; H:
// num = Wᵀ·X, den = (WᵀW)·H, both r×m. The W side's β ≠ 2 tiles of W·H are blocks of rows,
// the H side's blocks of columns.
template <class T>
struct side_view {
    bool is_w;
    matrix_view<T> F;   // the factor updated (W or H)
    const T* gram;      // HHᵀ or WᵀW (r×r)
    std::size_t ld;     // row stride of num and den: r or m
    double l1, l2;      // its penalties
    double zero_below;  // scikit-learn zeroes W below eps for β < 1, H for β ≤ 1
    std::size_t tile;   // rows (W) or columns (H) of W·H per β ≠ 2 tile
};

template <class T>
side_view<T> side_of(const state<T>& st, side s) noexcept {
    const double beta = st.opt.beta;
    const double zero = times_pow2i(k_f64_eps, st.zero_shift);  // relative to the factor's size
    if (s == side::w) return {true, st.W, st.hht, st.opt.rank, st.l1w, st.l2w, beta < 1 ? zero : 0.0, st.tile_rows};
    return {false, st.H, st.wtw, st.X.cols, st.l1h, st.l2h, beta <= 1 ? zero : 0.0, st.tile_cols};
}

// The update of the side's factor, in fixed blocks of rows of W or columns of H: den's block
// (W_b·(HHᵀ) or (WᵀW)·H_b, unless `den_ready`) then F_b ← F_b ∘ (num_b ⊘ den_b)^γ. Returns Σ‖ΔF_b‖²
// in block order when `track`.
template <class T>
double update_side(const state<T>& st, const side_view<T>& sv, bool den_ready, bool track) noexcept {
    const kernel_table<T>& k = *st.k;
    const std::size_t r = st.opt.rank;
    const T eps = static_cast<T>(st.opt.epsilon);
    const matrix_view<T> F = sv.F;
    const std::size_t extent = sv.is_w ? F.rows : F.cols;
    const block_plan p = plan_blocks(extent, double(r) * double(r));
    return sum_blocks(st.exec, p, extent, [&](std::size_t f, std::size_t c) {
        const std::size_t at = sv.is_w ? f * r : f;  // the block's first entry in num and den
        const matrix_view<T> Fb = sv.is_w ? matrix_view<T>(F.row(f), c, r, F.stride)
                                          : matrix_view<T>(F.data + f, r, c, F.stride);
        if (!den_ready) {
            if (sv.is_w) k.gemm_nn(c, r, r, Fb.data, F.stride, sv.gram, r, st.den + at, sv.ld);
            else k.gemm_nn(r, c, r, sv.gram, r, Fb.data, F.stride, st.den + at, sv.ld);
        }
        return update_factor(k, Fb, st.num + at, st.den + at, sv.ld, eps, sv.l1, sv.l2, st.gamma, sv.zero_below, track);
    });
}

// β = 2: the Frobenius products of the side, unless the cache already holds them.
template <class T>
void frobenius_products(state<T>& st, const side_view<T>& sv) noexcept {
    const kernel_table<T>& k = *st.k;
    const std::size_t n = st.X.rows, r = st.opt.rank;
    const matrix_view<T> W = st.W;
    if (sv.is_w) {
        // num = X·Hᵀ is still valid after start(): the two-pass step reuses it.
        if (!st.num_holds_xht) st.X.x_ht(k, st.exec, 0, n, st.H, st.num, r);
        st.num_holds_xht = true;
        st.num_holds_wtx = false;
    } else {
        if (!st.num_holds_wtx) {  // else the one-pass W step (or a fixed W) left both
            gram_of_w(st);
            st.X.wt_x(k, st.exec, 0, W, st.num, st.X.cols, false);
        }
        st.num_holds_wtx = true;
        st.num_holds_xht = false;
    }
}

// β = 1: the denominator is 1·Hᵀ (W side: the row sums of H on every row) or Wᵀ·1 (H side:
// the column sums of W on every column, a zero sum counting as 1).
template <class T>
void kl_denominator(const state<T>& st, const side_view<T>& sv) noexcept {
    const std::size_t n = st.X.rows, m = st.X.cols, r = st.opt.rank;
    if (sv.is_w) {
        for (std::size_t c = 0; c < r; ++c) {
            double s = 0;
            for (std::size_t j = 0; j < m; ++j) s += static_cast<double>(st.H(c, j));
            st.den[c] = static_cast<T>(s);
        }
        for (std::size_t i = 1; i < n; ++i)
            for (std::size_t c = 0; c < r; ++c) st.den[i * r + c] = st.den[c];
        return;
    }
    for (std::size_t c = 0; c < r; ++c) {
        double s = 0;
        for (std::size_t i = 0; i < n; ++i) s += static_cast<double>(st.W(i, c));
        const T v = s == 0 ? T(1) : static_cast<T>(s);
        for (std::size_t j = 0; j < m; ++j) st.den[c * m + j] = v;
    }
}

// β ≠ 2: num = (X ∘ (WH)^(β−2))·Hᵀ or Wᵀ·(X ∘ (WH)^(β−2)), den likewise with (WH)^(β−1),
// one tile of W·H at a time (rows i0.. × all columns, or all rows × columns j0..), each tile in
// fixed blocks of its rows (W side) or columns (H side) that write their own rows of num, den
// (their own columns). A sparse X densifies its tile's block into one buffer: serial.
template <class T>
void beta_products(state<T>& st, const side_view<T>& sv) noexcept {
    const kernel_table<T>& k = *st.k;
    const std::size_t n = st.X.rows, m = st.X.cols, r = st.opt.rank;
    const double beta = st.opt.beta;
    const T eps = static_cast<T>(st.opt.epsilon);
    const matrix_view<T> W = st.W, H = st.H;
    T* const tb = beta == 1 && !st.X.masked ? nullptr : st.tb;
    const executor& ex = st.X.serial_tiles ? k_serial : st.exec;
    const std::size_t extent = sv.is_w ? n : m;
    const double products = tb ? 3 : 2;
    for (std::size_t t0 = 0; t0 < extent; t0 += sv.tile) {
        const std::size_t t = (extent - t0) < sv.tile ? (extent - t0) : sv.tile;
        if (sv.is_w) {  // rows t0.. × all m columns; the tile's row stride is m
            const block_plan p = plan_blocks(t, products * double(m) * double(r));
            for_blocks(ex, p, t, [&](std::size_t f, std::size_t c) {
                const std::size_t i0 = t0 + f;
                T* const a = st.ta + f * m;
                T* const q = tb ? tb + f * m : nullptr;
                k.gemm_nn(c, m, r, W.row(i0), W.stride, H.data, H.stride, a, m);
                st.X.beta_tile(k, i0, c, 0, m, a, m, q, m, beta, eps);
                k.gemm_nt(c, r, m, a, m, H.data, H.stride, st.num + i0 * r, r);
                if (q) k.gemm_nt(c, r, m, q, m, H.data, H.stride, st.den + i0 * r, r);
            });
        } else {  // all n rows × columns t0..; the tile's row stride is t
            const block_plan p = plan_blocks(t, products * double(n) * double(r));
            for_blocks(ex, p, t, [&](std::size_t f, std::size_t c) {
                const std::size_t j0 = t0 + f;
                T* const a = st.ta + f;
                T* const q = tb ? tb + f : nullptr;
                k.gemm_nn(n, c, r, W.data, W.stride, H.data + j0, H.stride, a, t);
                st.X.beta_tile(k, 0, n, j0, c, a, t, q, t, beta, eps);
                k.gemm_tn(r, c, n, W.data, W.stride, a, t, st.num + j0, m);
                if (q) k.gemm_tn(r, c, n, W.data, W.stride, q, t, st.den + j0, m);
            });
        }
    }
}

#if NMFKIT_EXTENDED
// HALS, one side (scikit-learn's _update_cdnmf_fast, shuffle=False): W's columns in turn with
// G = HHᵀ, B = X·Hᵀ; H's rows with G = WᵀW, B = (Wᵀ·X)ᵀ. The rows of W (columns of H) are
// independent (each reads only its own entries and G), so the loop runs row by row, each row's
// columns in order: the same arithmetic as scikit-learn's column by column, in cache; in fixed
// blocks of rows (of columns of H). H's columns are made rows in `scratch` (m×r: den, unused
// by HALS) and copied back.
template <class T>
void hals_update(const state<T>& st, const side_view<T>& sv, const T* num, T* scratch, std::uint32_t sweeps) noexcept {
    const kernel_table<T>& k = *st.k;
    const std::size_t r = st.opt.rank;
    const matrix_view<T> F = sv.F;
    const std::size_t extent = sv.is_w ? F.rows : F.cols;
    const block_plan p = plan_blocks(extent, 2.0 * double(r) * double(r));
    for_blocks(st.exec, p, extent, [&](std::size_t f, std::size_t c) {
        if (sv.is_w)
            return hals_rows(k, F.row(f), c, F.stride, num + f * r, sv.ld, 1, sv.gram, r, sv.l1, sv.l2, sweeps);
        T* const rows = scratch + f * r;
        for (std::size_t t = 0; t < r; ++t)
            for (std::size_t j = 0; j < c; ++j) rows[j * r + t] = F(t, f + j);
        hals_rows(k, rows, c, r, num + f, 1, sv.ld, sv.gram, r, sv.l1, sv.l2, sweeps);
        for (std::size_t t = 0; t < r; ++t)
            for (std::size_t j = 0; j < c; ++j) F(t, f + j) = rows[j * r + t];
    });
}
#endif

#if NMFKIT_ONE_PASS
// β = 2, mu or hals, fit: W's update and the H step's Wᵀ·X, WᵀW in one pass over X. For each block
// of b rows: num_b = X_b·Hᵀ, den_b = W_b·HHᵀ, W_b ← W_b ∘ num_b ⊘ den_b (row-local, so
// exactly the two-pass update up to the summation order of the products), then, while X_b
// and W_b are still in cache, Wᵀ·X += W_bᵀ·X_b with the new W_b (WᵀW after the pass). The blocks
// go in order; within one, the tasks take fixed rows of X_b (products and update), then fixed
// columns of X_b (Wᵀ·X's columns). Buffers: Wᵀ·X accumulates in num (r×m); num_b and den_b
// share den (b ≤ cap / 2r).
template <class T>
void w_step_fused(state<T>& st) noexcept {
    const kernel_table<T>& k = *st.k;
    const std::size_t n = st.X.rows, m = st.X.cols, r = st.opt.rank, rows = st.fuse_rows;
    const T eps = static_cast<T>(st.opt.epsilon);
    const matrix_view<T> W = st.W;
    T* const num_b = st.den;
    T* const den_b = st.den + rows * r;
    for (std::size_t i0 = 0; i0 < n; i0 += rows) {
        const std::size_t b = (n - i0) < rows ? (n - i0) : rows;
        const matrix_view<T> Wb(W.row(i0), b, r, W.stride);
        const block_plan p = plan_blocks(b, double(r) * (double(m) + double(r)));
        for_blocks(st.exec, p, b, [&](std::size_t f, std::size_t c) {
            T* const nb = num_b + f * r;
            st.X.x_ht(k, k_serial, i0 + f, c, st.H, nb, r);
#if NMFKIT_EXTENDED
            if (st.opt.solver == algorithm::hals)  // its updates are row-local too
                return hals_rows(k, Wb.row(f), c, W.stride, nb, r, 1, st.hht, r, st.l1w, st.l2w,
                                 hals_sweeps(n, m, r, st.X.entries, true));
#endif
            k.gemm_nn(c, r, r, Wb.row(f), W.stride, st.hht, r, den_b + f * r, r);
            update_factor(k, matrix_view<T>(Wb.row(f), c, r, W.stride), nb, den_b + f * r, r, eps, st.l1w, st.l2w,
                          st.gamma, 0.0, false);
        });
        st.X.wt_x(k, st.exec, i0, Wb, st.num, m, i0 != 0);
    }
    gram_of_w(st);  // WᵀW of the new W: in tasks, where accumulating it per block would be serial
    st.num_holds_xht = false;
    st.num_holds_wtx = true;  // for the new W, with wtw
}
#endif

// One update of the side's factor: F ← F ∘ (num ⊘ den)^γ (with penalties), or HALS's.
// β = 2, every entry observed: num and den from the Frobenius products; amu repeats the den
// product and the update while the step shrinks (Gillis & Glineur). Otherwise num, den from
// W·H at the stored entries of a sparse X (β = 1; β = 2 with missing entries), else from tiles.
template <class T>
void factor_step(state<T>& st, side s) noexcept {
    const kernel_table<T>& k = *st.k;
    const std::size_t n = st.X.rows, m = st.X.cols, r = st.opt.rank;
    const T eps = static_cast<T>(st.opt.epsilon);
    const side_view<T> sv = side_of(st, s);

    if (st.opt.beta == 2 && !st.X.masked) {
#if NMFKIT_ONE_PASS
        if (sv.is_w && st.fuse_rows != 0 && !st.num_holds_xht) return w_step_fused(st);
#endif
        frobenius_products(st, sv);
#if NMFKIT_EXTENDED
        if (st.opt.solver == algorithm::hals) {  // accelerated in a fit (both factors move)
            const bool fit = st.update_w && st.update_h;
            return hals_update(st, sv, st.num, st.den, fit ? hals_sweeps(n, m, r, st.X.entries, sv.is_w) : 1);
        }
#endif
        const bool amu = k_extended && st.opt.solver == algorithm::amu;
        const std::uint32_t inner = amu ? amu_budget(n, m, r, st.X.entries, sv.is_w) : 1;
        double first = 0;
        for (std::uint32_t l = 0; l < inner; ++l) {
            const double change = update_side(st, sv, false, amu);
            if (l == 0) first = change;
            else if (change <= k_amu_delta * k_amu_delta * first) break;
        }
        return;
    }
    if constexpr (!k_extended) return;  // β ≠ 2 and missing entries are rejected by check_options
    st.num_holds_xht = st.num_holds_wtx = false;
    const double beta = st.opt.beta;
    if (beta == 1 && !st.X.masked) kl_denominator(st, sv);
    if (st.X.samples(beta)) st.X.sampled_side(k, st.exec, sv.is_w, st.W, st.H, beta, eps, st.num, st.den);
    else beta_products(st, sv);
    update_side(st, sv, true, false);
}

}  // namespace

template <class T>
void iterate(state<T>& st, bool check) noexcept {
    if (st.update_w) factor_step(st, side::w);
    if (st.update_h) {
        factor_step(st, side::h);
        // HHᵀ of the new H: needed by the next W step and by the loss.
        gram_of_h(st);
    }
    // Checks with tol > 0 need the exact loss (the cached one loses digits); between checks the
    // loss is formed only when reported (settle_loss). Why: docs/performance.md, "Solver".
    st.loss_stale = false;
    if (st.opt.beta == 2 && !st.X.masked && !(check && st.opt.tol > 0)) {
        if (check) frobenius_from_cache(st);
        else st.loss_stale = true;
    } else if (check || (!st.quiet && st.iter + 1 >= st.opt.max_iter)) {
        refresh_exact_loss(st);
    }
    ++st.iter;
}

template void iterate<float>(state<float>&, bool) noexcept;
template void iterate<double>(state<double>&, bool) noexcept;

}  // namespace detail
}  // namespace nmfkit
