// The seam between the solver and its data matrix X (n×m). The update logic (step.cpp,
// loss.cpp, solver.cpp) reaches X only through these operations, so a sparse (CSR) or masked
// X is a second data_ops table and nothing else changes. A table of function pointers with
// an opaque context rather than a template parameter: the storage is chosen at run time (C
// API, wasm) and one compiled copy of the update logic serves every storage. No heap, no RTTI.
#pragma once

#include <cstddef>

#include "kernels/kernels.hpp"
#include "nmfkit/nmfkit.hpp"

namespace nmfkit {
namespace detail {

template <class T>
struct data_ops {
    // out (b×r, row stride ldo) = X[i0 : i0+b, :] · Hᵀ
    void (*x_ht)(const void* x, const kernel_table<T>& k, std::size_t i0, std::size_t b, const_matrix_view<T> H, T* out,
                 std::size_t ldo) noexcept;
    // out (r×m) = Wbᵀ · X[i0 : i0+b, :] with Wb (b×r) the rows i0.. of W; adds to out when `acc`
    // (only called when k.gemm_tn_acc is set).
    void (*wt_x)(const void* x, const kernel_table<T>& k, std::size_t i0, const_matrix_view<T> Wb, T* out,
                 std::size_t ldo, bool acc) noexcept;
    // β ≠ 2: P (ti×tj) holds W·H at rows i0.., columns j0..; combines it with that block of X as
    // k.beta_tile does (P ← X ∘ P^(β−2), B ← P^(β−1) unless B is null).
    void (*beta_tile)(const void* x, const kernel_table<T>& k, std::size_t i0, std::size_t ti, std::size_t j0,
                      std::size_t tj, T* P, std::size_t ldp, T* B, std::size_t ldb, double beta, T eps) noexcept;
    // Adds D_β(X_block | P) to div and ‖X_block − P‖²_F to sq, P (ti×tj) = W·H at rows i0.., columns j0...
    void (*loss_tile)(const void* x, const kernel_table<T>& k, std::size_t i0, std::size_t ti, std::size_t j0,
                      std::size_t tj, const T* P, std::size_t ldp, double beta, T eps, double& div,
                      double& sq) noexcept;
    // Every entry finite and ≥ 0 (> 0 if `positive`), else the status of the first bad entry
    // (located in out); Σx and Σx² in double, summed in a fixed order.
    status (*scan)(const void* x, bool positive, result& out, double& sum, double& sqsum) noexcept;
};

// X as the solver sees it: its shape and its operations.
template <class T>
struct data_matrix {
    const data_ops<T>* ops;
    const void* x;  // the implementation's own description of X (dense: a const_matrix_view<T>)
    std::size_t rows, cols;

    void x_ht(const kernel_table<T>& k, std::size_t i0, std::size_t b, const_matrix_view<T> H, T* out,
              std::size_t ldo) const noexcept {
        ops->x_ht(x, k, i0, b, H, out, ldo);
    }
    void wt_x(const kernel_table<T>& k, std::size_t i0, const_matrix_view<T> Wb, T* out, std::size_t ldo,
              bool acc) const noexcept {
        ops->wt_x(x, k, i0, Wb, out, ldo, acc);
    }
    void beta_tile(const kernel_table<T>& k, std::size_t i0, std::size_t ti, std::size_t j0, std::size_t tj, T* P,
                   std::size_t ldp, T* B, std::size_t ldb, double beta, T eps) const noexcept {
        ops->beta_tile(x, k, i0, ti, j0, tj, P, ldp, B, ldb, beta, eps);
    }
    void loss_tile(const kernel_table<T>& k, std::size_t i0, std::size_t ti, std::size_t j0, std::size_t tj, const T* P,
                   std::size_t ldp, double beta, T eps, double& div, double& sq) const noexcept {
        ops->loss_tile(x, k, i0, ti, j0, tj, P, ldp, beta, eps, div, sq);
    }
    status scan(bool positive, result& out, double& sum, double& sqsum) const noexcept {
        return ops->scan(x, positive, out, sum, sqsum);
    }
};

// The dense implementation (dense_data.cpp). The view must outlive the data_matrix.
template <class T>
data_matrix<T> dense_data(const const_matrix_view<T>& X) noexcept;

}  // namespace detail
}  // namespace nmfkit
