// The multiplicative-update solver's private interface: its build knobs, the state it keeps
// in the workspace, and the functions its parts (validate, layout, init, loss, step, solver)
// offer each other. All heavy arithmetic goes through a kernel_table; X through data_ops.
#pragma once

#include <cmath>
#include <cstddef>
#include <cstdint>

#include "kernels/kernels.hpp"
#include "nmfkit/nmfkit.hpp"
#include "solver/data.hpp"

// NMFKIT_EXTENDED=0 builds a Frobenius-only core (β = 2, random/custom init, mu/amu,
// penalties, transform) without pow/log and the SVD: for microcontrollers, where
// those double-precision library routines would triple the flash footprint.
#ifndef NMFKIT_EXTENDED
#define NMFKIT_EXTENDED 1
#endif
// NMFKIT_ONE_PASS=0 (bare-metal builds, CMakeLists.txt) compiles the one-pass iteration out:
// it only runs for X > 8 MiB, and its code would push the Cortex-M4 firmware past 16 KB.
#ifndef NMFKIT_ONE_PASS
#define NMFKIT_ONE_PASS 1
#endif
// Rarely run steps (the scale of extreme X, reports) are kept out of their callers: one copy
// each, for the size of the WebAssembly modules and the Cortex-M flash.
#if defined(__GNUC__)
#define NMFKIT_SOLVER_OUTLINE __attribute__((noinline))
#else
#define NMFKIT_SOLVER_OUTLINE
#endif

namespace nmfkit {
namespace detail {

constexpr bool k_extended = NMFKIT_EXTENDED != 0;
constexpr double k_f64_eps = 2.220446049250313e-16;  // scikit-learn's zeroing threshold for β ≤ 1

enum class mode { fit, solve_w, solve_h };  // solve_w: H fixed (transform); solve_h: W fixed

// Everything the solver keeps between calls; it lives at the start of the workspace.
template <class T>
struct state {
    std::uint32_t magic;
    const kernel_table<T>* k;
    executor exec;                 // the caller's, or {nullptr, nullptr}: tasks run in order here
    const_matrix_view<T> dense_x;  // the caller's X, the context of X (dense data_ops)
#if NMFKIT_EXTENDED
    csr_context<T> csr_x;  // ... or the context of a sparse X (the Frobenius-only core has none)
#endif
    data_matrix<T> X;
    matrix_view<T> W, H;
    options opt;
    bool update_w, update_h;
    double gamma;               // MM exponent of Févotte & Idier
    double l1w, l2w, l1h, l2h;  // penalties scaled as scikit-learn's
    T* num;                     // X·Hᵀ (n×r) in the W step, Wᵀ·X (r×m) in the H step
    T* den;                     // W·HHᵀ (n×r), WᵀW·H (r×m); scratch for the exact loss
    T* hht;                     // H·Hᵀ (r×r) of the current H
    T* wtw;                     // Wᵀ·W (r×r) of the current W
    T* ta;                      // β ≠ 2: tile of W·H, then X ∘ (W·H)^(β−2)
    T* tb;                      // β ∉ {1, 2}: tile of (W·H)^(β−1)
    std::size_t cap;            // elements in num, den
    std::size_t tile_rows;      // rows of a W-step tile (tile_rows × m)
    std::size_t tile_cols;      // columns of an H-step tile (n × tile_cols)
    std::size_t fuse_rows;      // β = 2, mu: rows of X per block of the one-pass iteration (0: two passes)
    std::uint32_t iter;
    bool num_holds_xht;  // num = X·Hᵀ for the current H
    bool num_holds_wtx;  // num = Wᵀ·X for the current W (and then wtw = WᵀW too)
    bool done;
    bool converged;
    double x_sqnorm;         // ‖X‖²_F (observed entries)
    std::uint64_t observed;  // entries the loss sums over
    double e0;               // sqrt(2·D_β(X | W0·H0))
    double e_prev;           // the same at the previous convergence check
    double loss;             // D_β(X | W·H) of the current iterate (β = 2: from cached products)
    double sq_err;           // ‖X − W·H‖²_F, computed with loss
    bool loss_stale;         // β = 2: loss / sq_err not yet formed from the cached products
    bool quiet;              // a one-shot fit with tol = 0 and no callback: no one reads the losses of the checks
    // The scale of the problem (solver.cpp: x_scale_of): the solver fits X·4^-q (X.q = q) with
    // W·2^-ew, H·2^-eh in the caller's matrices while it runs; between calls they hold W, H.
    // Losses above are those of the scaled problem: D_β(X | WH) = 2^(2qβ)·loss.
    int ew, eh;
    int zero_shift;  // the free factor of a transform is 2^zero_shift in size (solver.cpp: free_factor_shift)
    bool internal;   // W, H hold the scaled factors now
};

// Puts the scaled factors (to_internal) or the caller's into W, H; nothing for q = 0. The fixed
// factor of a transform (exponent 0) is never written.
template <class T>
NMFKIT_SOLVER_OUTLINE void set_scale(state<T>& st, bool to_internal) noexcept {
    if (!k_scale_safe || st.X.q == 0 || st.internal == to_internal) return;
    st.internal = to_internal;
    const int sign = to_internal ? -1 : 1;
    if (st.ew != 0) scale_block(st.W.data, st.W.rows, st.W.cols, st.W.stride, sign * st.ew);
    if (st.eh != 0) scale_block(st.H.data, st.H.rows, st.H.cols, st.H.stride, sign * st.eh);
}

// A loss (or objective) of the scaled problem as the caller's: ·2^(2qβ).
template <class T>
double unscaled_loss(const state<T>& st, double v) noexcept {
    if (!k_scale_safe || st.X.q == 0) return v;
    if constexpr (!k_extended) return times_pow2i(v, 4 * st.X.q);  // β = 2: no exp2 in the small core
    return times_pow2(v, 2.0 * st.X.q * st.opt.beta);
}

// Σ_t a[t]·b[t] in double, in four partial sums (one chain would wait on every add's latency).
template <class T>
double dot_double(const T* a, const T* b, std::size_t len) noexcept {
    double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    std::size_t t = 0;
    for (; t + 4 <= len; t += 4) {
        s0 += double(a[t]) * double(b[t]);
        s1 += double(a[t + 1]) * double(b[t + 1]);
        s2 += double(a[t + 2]) * double(b[t + 2]);
        s3 += double(a[t + 3]) * double(b[t + 3]);
    }
    for (; t < len; ++t) s0 += double(a[t]) * double(b[t]);
    return (s0 + s1) + (s2 + s3);
}

// scikit-learn's penalty weights at the caller's scale: l1w, l2w, l1h, l2h (X n×m).
inline void penalty_weights(const options& o, std::size_t n, std::size_t m, double (&w)[4]) noexcept {
    const double nd = static_cast<double>(n), md = static_cast<double>(m);
    w[0] = md * o.alpha_w * o.l1_ratio;
    w[1] = md * o.alpha_w * (1 - o.l1_ratio);
    w[2] = nd * o.alpha_h * o.l1_ratio;
    w[3] = nd * o.alpha_h * (1 - o.l1_ratio);
}

// The Gram matrices of the current factors, in fixed blocks of their rows through the executor:
// WᵀW (r×r, K = n) into wtw, HHᵀ (K = m) into hht.
template <class T>
void gram_of_w(const state<T>& st) noexcept {
    const std::size_t r = st.opt.rank, n = st.W.rows;
    const block_plan p = plan_blocks(r, double(r) * double(n));
    for_blocks(st.exec, p, r, [&](std::size_t c0, std::size_t c) {
        st.k->gemm_tn(c, r, n, st.W.data + c0, st.W.stride, st.W.data, st.W.stride, st.wtw + c0 * r, r);
    });
}
template <class T>
void gram_of_h(const state<T>& st) noexcept {
    const std::size_t r = st.opt.rank, m = st.H.cols;
    const block_plan p = plan_blocks(r, double(r) * double(m));
    for_blocks(st.exec, p, r, [&](std::size_t c0, std::size_t c) {
        st.k->gemm_nt(c, r, m, st.H.row(c0), st.H.stride, st.H.data, st.H.stride, st.hht + c0 * r, r);
    });
}

// ---- validate.cpp ----------------------------------------------------------------------
// sparse: X is CSR (missing must then be none or unstored, else none or nan).
template <class T>
status check_options(const options& o, bool sparse) noexcept;
// Bytes spanned by a view: ((rows − 1)·stride + cols)·sizeof(T).
template <class T>
status check_view(const_matrix_view<T> v, std::size_t& extent_bytes) noexcept;
bool overlap(const void* a, std::size_t a_bytes, const void* b, std::size_t b_bytes) noexcept;
// Validates the shapes of X (n×m), W (n×r), H (r×m) and computes their extents.
// In the solve modes a wrong shape of the fixed factor has its own status.
template <class T>
status check_problem(const_matrix_view<T> X, const_matrix_view<T> W, const_matrix_view<T> H, std::size_t r,
                     std::size_t extents[3], mode md = mode::fit) noexcept;
// The same for a sparse X: pointers (indptr always; indices and values unless nnz == 0; values
// may be null: a pattern), W, H shapes, and the bytes the three arrays and W, H span; the
// arrays' content is checked by csr_data's scan.
template <class T>
status check_csr_problem(const csr_view<T>& X, const_matrix_view<T> W, const_matrix_view<T> H, std::size_t r, mode md,
                         std::size_t (&x_bytes)[3], std::size_t (&wh_extents)[2]) noexcept;
// Checks that every entry is finite and ≥ 0 (> 0 if `positive`); reports the first bad one
// (row-major). Also returns Σx and Σx² in double (either may be null), summed in a fixed order.
template <class T>
status scan_values(const_matrix_view<T> A, status not_finite, status negative, result& out, matrix_id which,
                   double* sum, double* sqsum, bool positive = false) noexcept;

// ---- layout.cpp ------------------------------------------------------------------------
struct layout {
    std::size_t at[r_count];  // byte offsets from the workspace start (nmfkit/workspace.hpp's regions)
    std::size_t total;        // bytes
    std::size_t cap, tile_rows, tile_cols;
    std::size_t xt_cols, samples, xtile;  // sparse X's scratch (csr_context): m × xt_cols, values, tile values
    std::size_t lane_cols, lane_stride;   // ... and its lanes
};
template <class T>
bool compute_layout(std::size_t n, std::size_t m, const options& opt, const data_shape& x, layout& L) noexcept;
// Whether the one-pass Frobenius iteration applies, and its rows per block of X (0: two passes).
template <class T>
bool can_fuse(const kernel_table<T>& k, const options& opt, mode md) noexcept;
template <class T>
std::size_t fused_rows(std::size_t n, std::size_t m, std::size_t r, std::size_t most) noexcept;

// ---- init.cpp --------------------------------------------------------------------------
template <class T>
void fill_constant(matrix_view<T> A, T v) noexcept;
// W, H uniform in (0, 1) times sqrt(mean(X) / r); W first, then H.
template <class T>
void random_fill(matrix_view<T> W, matrix_view<T> H, double mean, std::uint64_t seed) noexcept;
// NNDSVD from the truncated SVD of X (through its products x_ht / wt_x: dense or sparse).
template <class T>
void nndsvd_fill(const kernel_table<T>& k, const executor& ex, const data_matrix<T>& X, matrix_view<T> W,
                 matrix_view<T> H, const options& opt, double mean, void* svd_scratch, double* sigma) noexcept;
// The mean over `count` entries; 0 when there are none (every entry missing).
inline double mean_of(double sum, double count) noexcept { return count > 0 ? sum / count : 0.0; }
inline double mean_of(double sum, std::size_t n, std::size_t m) noexcept {
    return mean_of(sum, static_cast<double>(n) * static_cast<double>(m));
}

// ---- loss.cpp --------------------------------------------------------------------------
// D_β(X | W·H) and ‖X − W·H‖²_F exactly, in tiles of W·H that fit in buf (≥ 1 element; split:
// ≥ n·r, in fixed blocks of rows through ex).
template <class T>
void exact_loss(const kernel_table<T>& k, const executor& ex, bool split, const data_matrix<T>& X,
                const_matrix_view<T> W, const_matrix_view<T> H, double beta, T eps, T* buf, std::size_t buf_elems,
                double& div, double& sq) noexcept;
template <class T>
void refresh_exact_loss(state<T>& st) noexcept;
// β = 2: the loss of the current iterate from the cached products.
template <class T>
void frobenius_from_cache(state<T>& st) noexcept;
// Forms the loss iterate() deferred.
template <class T>
void settle_loss(state<T>& st) noexcept;
template <class T>
NMFKIT_SOLVER_OUTLINE void report(const state<T>& st, result& out) noexcept;

// ---- step.cpp --------------------------------------------------------------------------
// One iteration: the W step, the H step (with HHᵀ of the new H), and the loss `check` needs.
template <class T>
void iterate(state<T>& st, bool check) noexcept;

}  // namespace detail
}  // namespace nmfkit
