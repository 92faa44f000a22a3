// The seam between the solver and its data matrix X (n×m). The update logic (step.cpp,
// loss.cpp, solver.cpp) reaches X only through these operations, so a sparse (CSR) or masked
// X is a second data_ops table and nothing else changes. A table of function pointers with
// an opaque context rather than a template parameter: the storage is chosen at run time (C
// API, wasm) and one compiled copy of the update logic serves every storage. No heap, no RTTI.
#pragma once

#include <cstddef>
#include <cstdint>

#include "kernels/kernels.hpp"
#include "nmfkit/nmfkit.hpp"
#include "solver/finite.hpp"
#include "solver/tasks.hpp"

// NMFKIT_SCALE_SAFE=0 (bare-metal builds, CMakeLists.txt; the default WebAssembly modules,
// wasm/CMakeLists.txt) fits X at its own scale (q = 0 always): no scaled products, no rescaling
// of W, H. X whose largest entry is outside [2^-60, 2^56] (where an unscaled float fit loses
// range) is not_built there; a fit that overflows still returns not_finite_result.
#ifndef NMFKIT_SCALE_SAFE
#define NMFKIT_SCALE_SAFE 1
#endif

namespace nmfkit {
namespace detail {

constexpr bool k_scale_safe = NMFKIT_SCALE_SAFE != 0;

// a (rows×cols, row stride ld) ·= 2^e.
template <class T>
void scale_block(T* a, std::size_t rows, std::size_t cols, std::size_t ld, int e) noexcept {
    const T f = pow2<T>(e);
    for (std::size_t i = 0; i < rows; ++i)
        for (std::size_t j = 0; j < cols; ++j) a[i * ld + j] *= f;
}

template <class T>
struct data_matrix;
// data_matrix::x_ht (wt = false: X[i0 : i0+b, :]·Fᵀ) or wt_x (wt: Fᵀ·X[i0 : i0+b, :], F b×r) with
// q ≠ 0: F·2^-q (a copy in spare, or F itself scaled in place and back: the solver's factors
// and the SVD's sketches are its own memory; the fixed factor of a transform always fits in
// spare), the product, then out·2^-q. dense_data.cpp.
template <class T>
void scaled_product(const data_matrix<T>& d, const kernel_table<T>& k, const executor& ex, std::size_t i0,
                    std::size_t b, const_matrix_view<T> F, T* out, std::size_t ldo, bool wt) noexcept;

template <class T>
struct data_ops {
    // out (b×r, row stride ldo) = X[i0 : i0+b, :] · Hᵀ. Both products run their fixed blocks
    // through `ex` (k_serial: on this thread); the result does not depend on it.
    void (*x_ht)(const void* x, const kernel_table<T>& k, const executor& ex, std::size_t i0, std::size_t b,
                 const_matrix_view<T> H, T* out, std::size_t ldo) noexcept;
    // out (r×m) = Wbᵀ · X[i0 : i0+b, :] with Wb (b×r) the rows i0.. of W; adds to out when `acc`
    // (only called when k.gemm_tn_acc is set).
    void (*wt_x)(const void* x, const kernel_table<T>& k, const executor& ex, std::size_t i0, const_matrix_view<T> Wb,
                 T* out, std::size_t ldo, bool acc) noexcept;
    // β ≠ 2: P (ti×tj) holds W·H at rows i0.., columns j0..; combines it with that block of
    // xs·X as k.beta_tile does (P ← xs·X ∘ P^(β−2), B ← P^(β−1) unless B is null). xs is X's
    // scale in the solver (data_matrix::q): a power of two, 1 for ordinary X.
    void (*beta_tile)(const void* x, const kernel_table<T>& k, std::size_t i0, std::size_t ti, std::size_t j0,
                      std::size_t tj, T* P, std::size_t ldp, T* B, std::size_t ldb, double beta, T eps, T xs) noexcept;
    // Adds D_β(xs·X_block | P) to div and ‖xs·X_block − P‖²_F to sq, P (ti×tj) = W·H at rows i0..,
    // columns j0...
    void (*loss_tile)(const void* x, const kernel_table<T>& k, std::size_t i0, std::size_t ti, std::size_t j0,
                      std::size_t tj, const T* P, std::size_t ldp, double beta, T eps, T xs, double& div,
                      double& sq) noexcept;
    // Every entry finite and ≥ 0 (> 0 if `positive`), else the status of the first bad entry
    // (located in out; a sparse X also checks its arrays: csr_* statuses); Σx, Σx² in double,
    // summed in a fixed order and scaled where they would leave the double range, the largest
    // entry (finite.hpp: scaled_sums), and the number of entries they sum over. Masked X:
    // observed only.
    status (*scan)(const void* x, bool positive, result& out, scaled_sums& sums, std::uint64_t& observed) noexcept;
    // Optional (null: the solver uses tiles of W·H). β = 1, or β = 2 with missing entries: one
    // side's products at O(nnz·r) from W·H at the stored entries only. W side (num, den n×r,
    // row stride r): num = (M∘X ⊘ WH)·Hᵀ (β = 1), (M∘X)·Hᵀ (β = 2); H side (r×m, stride m) the
    // mirrors Wᵀ·(...). den = M·Hᵀ (β = 1) or (M∘WH)·Hᵀ (β = 2) and mirrors, only when the X is
    // masked: the unmasked KL denominator is the solver's (row sums of H, column sums of W). A
    // W·H entry below eps counts as eps, as in beta_tile. X is taken as 4^-q·X (data_matrix::q).
    void (*sampled_side)(const void* x, const kernel_table<T>& k, const executor& ex, bool w_side,
                         const_matrix_view<T> W, const_matrix_view<T> H, double beta, T eps, int q, T* num,
                         T* den) noexcept;
    // Optional (null: tiles of W·H). β ∈ {1, 2}: D_β(xs·X | W·H) into div and ‖M∘(xs·X − W·H)‖²_F
    // into sq, exactly (double sums) and without tiles; over the observed entries when masked.
    void (*exact_loss)(const void* x, const kernel_table<T>& k, const executor& ex, const_matrix_view<T> W,
                       const_matrix_view<T> H, double beta, T eps, T xs, double& div, double& sq) noexcept;
};

// X as the solver sees it: its shape and its operations.
//
// A masked X (options::missing ≠ none) has unknown entries; M is the 0/1 mask of the observed
// ones. Its operations see M∘X: x_ht and wt_x treat missing entries as 0 (used by the NNDSVD's
// products only), beta_tile is called for every β (1 and 2 too, B never null) and forms
// P ← M∘X∘P^(β−2), B ← M∘P^(β−1); loss_tile sums over observed entries only.
template <class T>
struct data_matrix {
    const data_ops<T>* ops;
    const void* x;  // the implementation's own description of X (dense: a const_matrix_view<T>)
    std::size_t rows, cols;
    bool masked;        // some entries are missing (weighted updates, losses over observed entries)
    double entries;     // entries one product X·B visits per column of B: n·m dense, nnz sparse
    bool serial_tiles;  // beta_tile and loss_tile share scratch (a sparse X's densified block): one at a time
    // The scale of X in the solver: its operations compute with X·4^-q (exactly: powers of two),
    // so that the products and sums of X at the ends of the floating-point range neither
    // overflow nor underflow (solver.cpp: x_scale_of). q = 0: X itself, the calls go straight
    // to the operations. The products X·B scale their other operand by 2^-q (into `spare` when
    // it holds spare_elems ≥ the operand, else in place and back) and the result by 2^-q.
    int q = 0;
    T* spare = nullptr;
    std::size_t spare_elems = 0;

    // The solver calls sampled_side for these β instead of forming tiles.
    bool samples(double beta) const noexcept {
        return ops->sampled_side != nullptr && (beta == 1 || (beta == 2 && masked));
    }
    bool exact(double beta) const noexcept { return ops->exact_loss != nullptr && (beta == 1 || beta == 2); }

    // 4^-q as T (a normal number: |q| is kept within the type's exponent range).
    T xs() const noexcept { return k_scale_safe ? pow2<T>(-2 * q) : T(1); }

    void x_ht(const kernel_table<T>& k, const executor& ex, std::size_t i0, std::size_t b, const_matrix_view<T> H,
              T* out, std::size_t ldo) const noexcept {
        if (!k_scale_safe || q == 0) return ops->x_ht(x, k, ex, i0, b, H, out, ldo);
        scaled_product(*this, k, ex, i0, b, H, out, ldo, false);
    }
    // acc (the one-pass iteration) only with q = 0.
    void wt_x(const kernel_table<T>& k, const executor& ex, std::size_t i0, const_matrix_view<T> Wb, T* out,
              std::size_t ldo, bool acc) const noexcept {
        if (!k_scale_safe || q == 0) return ops->wt_x(x, k, ex, i0, Wb, out, ldo, acc);
        scaled_product(*this, k, ex, i0, Wb.rows, Wb, out, ldo, true);
    }
    void beta_tile(const kernel_table<T>& k, std::size_t i0, std::size_t ti, std::size_t j0, std::size_t tj, T* P,
                   std::size_t ldp, T* B, std::size_t ldb, double beta, T eps) const noexcept {
        ops->beta_tile(x, k, i0, ti, j0, tj, P, ldp, B, ldb, beta, eps, xs());
    }
    void loss_tile(const kernel_table<T>& k, std::size_t i0, std::size_t ti, std::size_t j0, std::size_t tj, const T* P,
                   std::size_t ldp, double beta, T eps, double& div, double& sq) const noexcept {
        ops->loss_tile(x, k, i0, ti, j0, tj, P, ldp, beta, eps, xs(), div, sq);
    }
    status scan(bool positive, result& out, scaled_sums& sums, std::uint64_t& observed) const noexcept {
        return ops->scan(x, positive, out, sums, observed);
    }
    void sampled_side(const kernel_table<T>& k, const executor& ex, bool w_side, const_matrix_view<T> W,
                      const_matrix_view<T> H, double beta, T eps, T* num, T* den) const noexcept {
        ops->sampled_side(x, k, ex, w_side, W, H, beta, eps, q, num, den);
    }
    void exact_loss(const kernel_table<T>& k, const executor& ex, const_matrix_view<T> W, const_matrix_view<T> H,
                    double beta, T eps, double& div, double& sq) const noexcept {
        ops->exact_loss(x, k, ex, W, H, beta, eps, xs(), div, sq);
    }
};

// The dense implementation (dense_data.cpp); masked: NaN entries are missing (missing = nan).
// The view must outlive the data_matrix.
template <class T>
data_matrix<T> dense_data(const const_matrix_view<T>& X, bool masked = false) noexcept;

// Sparse X (csr_data.cpp): the caller's arrays and the workspace scratch its operations use. An
// aggregate without member initializers, so the solver state that holds one is zeroed by `{}`.
template <class T>
struct csr_context {
    csr_view<T> X;
    T* xt;  // m × xt_cols: Hᵀ (or the SVD sketch's transpose), or Xᵀ·W before its transpose
    std::size_t xt_cols;
    T* vals;  // `samples` values: W·H (or M∘X ⊘ W·H) at the stored entries of a block of rows
    std::size_t samples;
    T* xtile;  // tiled β: X's block of a tile, densified (xtile_elems values)
    std::size_t xtile_elems;
    // Lanes 1.. (k_csr_lanes − 1, nmfkit/workspace.hpp): lane l's m×lane_cols sum at
    // lanes + (l − 1)·lane_stride, its `samples` values after it. Lane 0 uses xt and vals.
    T* lanes;
    std::size_t lane_cols, lane_stride;
    bool masked;  // the unstored entries are missing
};

// The context must outlive the data_matrix; c.masked: the unstored entries are missing.
template <class T>
data_matrix<T> csr_data(const csr_context<T>& c) noexcept;

}  // namespace detail
}  // namespace nmfkit
