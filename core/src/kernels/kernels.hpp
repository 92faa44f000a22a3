// Internal kernel interface of nmfkit. Not installed, not part of the public API.
//
// A kernel set (kernel_table) holds the three row-major GEMM shapes every product of the
// multiplicative updates is one of (plus an accumulating gemm_tn), the elementwise updates
// (mu_update, factor_update) and the β-divergence tiles. Sets: scalar.cpp (the reference),
// the xsimd sets (simd_table.hpp, one TU per ISA), the WebAssembly GEMM (gemm_wasm.hpp);
// dispatch.cpp picks one. Contract for every function in a kernel_table:
//   - all matrices are row-major with unit column stride; ld* is the row stride
//     in elements (ld >= number of columns);
//   - C is overwritten (never read), so it may hold garbage on entry (BLAS beta = 0),
//     except by gemm_tn_acc, which adds to it (beta = 1);
//   - C never aliases A or B; any M, N or K may be 0 (K == 0 writes zeros);
//   - no heap allocation, no exceptions, no I/O; at most 16 KiB of stack.
//
// Sparse X (the csr_* and sampled_* entries) is CSR, rows×cols:
//   - indptr: rows + 1 offsets (64-bit, so nnz > 2^32 works on 64-bit targets), non-decreasing;
//     row i holds the entries k ∈ [indptr[i], indptr[i + 1]). The offsets are absolute positions
//     into indices, values and out: a block of rows [i0, i1) is (indptr + i0, i1 − i0) with the
//     same indices, values and out pointers;
//   - indices[k] < cols: the column of entry k (32-bit), sorted and unique within a row (the
//     kernels do not rely on the order, the test oracle does not either);
//   - values[k]: the value of entry k; values == nullptr means every stored value is 1 (the
//     pattern M of X: the KL denominators M·Hᵀ and Mᵀ·W under missing = unstored);
//   - the dense factors are rank-r rows: B = Hᵀ (cols×r, stride ldb), A = W (rows×r, stride lda),
//     so row j of Hᵀ is contiguous and the kernels vectorize over r. Validation (sorted, in
//     range, finite) is the caller's: the kernels trust the arrays.
#pragma once

#include <cstddef>
#include <cstdint>
#include <type_traits>

namespace nmfkit {
namespace detail {

// The smallest factor entry kept: sqrt of the smallest normal number (2^-63 in float, 2^-511 in
// double). The multiplicative updates shrink entries geometrically toward 0; below this they
// would reach subnormal numbers, whose arithmetic is 10–100× slower on x86 (measured: a KL fit
// on sparse X 4× slower per iteration after a few hundred iterations), and a product of two
// kept entries is still normal. Such an entry is 0 to every digit of the fit, and updates
// cannot grow it back measurably: mu_update sets it to 0; the solver passes at least this
// zero_below to factor_update.
template <class T>
constexpr T k_tiny = sizeof(T) == sizeof(float) ? T(0x1p-63) : T(0x1p-511);

// Parameters of the general multiplicative update (kernel_table::factor_update).
template <class T>
struct update_params {
    T eps;         // a zero denominator is replaced by eps (> 0)
    T l1, l2;      // penalties: d = den + l1 + l2·x
    T gamma;       // MM exponent (Févotte & Idier); 1 means none. ≠ 1 only in NMFKIT_EXTENDED builds
    T zero_below;  // updated entries below it become 0 (0: none)
};

template <class T>
struct kernel_table {
    // Short architecture name: "scalar", "sse2", "avx2", "avx512f", "neon64", "neon",
    // "wasm-simd128" (xsimd sse4.1 lowered to SIMD128 by Emscripten), ...
    const char* name;

    // C(M×N) = A(M×K) · B(N×K)ᵀ      e.g. X·Hᵀ (n×r), H·Hᵀ (r×r)
    void (*gemm_nt)(std::size_t M, std::size_t N, std::size_t K, const T* A, std::size_t lda, const T* B,
                    std::size_t ldb, T* C, std::size_t ldc) noexcept;

    // C(M×N) = A(K×M)ᵀ · B(K×N)      e.g. Wᵀ·X (r×m), Wᵀ·W (r×r)
    void (*gemm_tn)(std::size_t M, std::size_t N, std::size_t K, const T* A, std::size_t lda, const T* B,
                    std::size_t ldb, T* C, std::size_t ldc) noexcept;

    // C(M×N) = A(M×K) · B(K×N)       e.g. W·(HHᵀ) (n×r), (WᵀW)·H (r×m)
    void (*gemm_nn)(std::size_t M, std::size_t N, std::size_t K, const T* A, std::size_t lda, const T* B,
                    std::size_t ldb, T* C, std::size_t ldc) noexcept;

    // Fused multiplicative update on a rows×cols block:
    //   x[i][j] ← x[i][j] · num[i][j] / d,  d = den[i][j] if den[i][j] != 0 else eps
    // (scikit-learn's guard: a zero denominator is replaced by eps; eps > 0); a result below
    // k_tiny<T> becomes 0.
    // Returns ‖x_new − x_old‖²_F (the step size the accelerated MU's inner loop stops on).
    double (*mu_update)(std::size_t rows, std::size_t cols, T* x, std::size_t ldx, const T* num, std::size_t ldn,
                        const T* den, std::size_t ldd, T eps) noexcept;

    // β-divergence tile, exactly the semantics of beta_tile_scalar (beta.hpp): with P = W·H
    // on entry, P ← X ∘ p^(β−2) (p = eps where P < eps and β < 2) and, unless B is null,
    // B ← q^(β−1) (q = eps where P < eps and β < 1). β = 1 and β = 0 use divisions only.
    void (*beta_tile)(std::size_t rows, std::size_t cols, const T* X, std::size_t ldx, T* P, std::size_t ldp, T* B,
                      std::size_t ldb, double beta, T eps) noexcept;

    // Adds Σ d_β(x | p) to div and Σ (x − p)² to sq over a tile (P = W·H), exactly the
    // semantics of beta_loss_tile_scalar (beta.hpp); evaluated in double lanes.
    void (*beta_loss_tile)(std::size_t rows, std::size_t cols, const T* X, std::size_t ldx, const T* P, std::size_t ldp,
                           double beta, T eps, double& div, double& sq) noexcept;

    // The elementwise math of this set, exposed for the accuracy tests only:
    // out[i] = log(x[i]) (f = 0), exp(x[i]) (f = 1), pow(x[i], e) with x[i] ≥ 0 (f = 2).
    void (*vmath)(int f, std::size_t n, const T* x, T e, T* out) noexcept;

    // C(M×N) += A(K×M)ᵀ · B(K×N)     e.g. Wᵀ·X, Wᵀ·W summed over blocks of rows of W, X
    // (the solver's one-pass Frobenius iteration). Optional: a set may leave it null (every
    // set of this tree has one), and the solver then runs the two-pass iteration. K == 0
    // leaves C unchanged.
    void (*gemm_tn_acc)(std::size_t M, std::size_t N, std::size_t K, const T* A, std::size_t lda, const T* B,
                        std::size_t ldb, T* C, std::size_t ldc) noexcept;

    // General multiplicative update on a rows×cols block (penalties, MM exponent, zeroing):
    //   x ← x ∘ (num ⊘ d)^γ,  d = den + l1 + l2·x (d = eps where it is 0); then x < zero_below → 0.
    // Returns ‖x_new − x_old‖²_F when `track`, else 0. mu_update is the l1 = l2 = 0, γ = 1,
    // zero_below = 0 case.
    double (*factor_update)(std::size_t rows, std::size_t cols, T* x, std::size_t ldx, const T* num, std::size_t ldn,
                            const T* den, std::size_t ldd, const update_params<T>& p, bool track) noexcept;

    // The sparse (CSR) entries below are null in the Frobenius-only cores (NMFKIT_EXTENDED=0:
    // bare metal, nmfkit-simd.wasm), which take dense X only, as they leave out β ≠ 2.
    //
    // C(rows×r) = X(rows×cols, CSR) · B(cols×r)      X·Hᵀ with B = Hᵀ; O(nnz·r). Empty rows of X
    // give zero rows of C.
    void (*csr_times_dense)(std::size_t rows, std::size_t r, const std::uint64_t* indptr, const std::uint32_t* indices,
                            const T* values, const T* B, std::size_t ldb, T* C, std::size_t ldc) noexcept;

    // C(cols×r) = Xᵀ · A(rows×r)                      (Wᵀ·X)ᵀ = Xᵀ·W; entry (i, j) adds x_ij·A_i to
    // row j of C. accumulate = false: C's cols rows are zeroed first; true: C += Xᵀ·A (cols is then
    // unused), so blocks of rows of X and A can be summed into one C (the one-pass iteration).
    void (*csr_t_times_dense)(std::size_t rows, std::size_t cols, std::size_t r, const std::uint64_t* indptr,
                              const std::uint32_t* indices, const T* values, const T* A, std::size_t lda, T* C,
                              std::size_t ldc, bool accumulate) noexcept;

    // SDDMM: out[k] = ⟨A_i, B_j⟩ for each stored (i, j) = (row, indices[k]), in CSR order
    // (A = W rows×r, B = Hᵀ cols×r): W·H at the stored entries only.
    void (*sampled_dot)(std::size_t rows, std::size_t r, const std::uint64_t* indptr, const std::uint32_t* indices,
                        const T* A, std::size_t lda, const T* B, std::size_t ldb, T* out) noexcept;

    // The KL ratio X ⊘ WH at the stored entries: out[k] = values[k] / p, p = ⟨A_i, B_j⟩ (eps where
    // p < eps, as beta_tile at β = 1), so the KL numerators are csr_times_dense / csr_t_times_dense
    // with values = out. out may equal values.
    void (*sampled_ratio)(std::size_t rows, std::size_t r, const std::uint64_t* indptr, const std::uint32_t* indices,
                          const T* values, const T* A, std::size_t lda, const T* B, std::size_t ldb, T eps,
                          T* out) noexcept;

    // HALS (Cichocki & Phan's fast HALS; scikit-learn's cd) on `rows` rows of F (rows×r, row
    // stride ldf) given G (r×r, symmetric, stride r) and B (B[i, t] = b[i·bi + t·bt]): for each
    // column t in turn, F[i, t] ← max(0, F[i, t] − g / h) with g = (F·G)[i, t] − B[i, t] + l1 +
    // l2·F[i, t] and h = G[t, t] + l2; a column whose h is 0 stays. Each row repeats this sweep
    // up to `sweeps` (≥ 1) times and stops after a sweep whose ‖Δrow‖² is 0 or ≤ delta2 · its
    // first sweep's (Gillis & Glineur's accelerated HALS, row by row). Rows are independent:
    // a row's result does not depend on the other rows passed with it. Null in the
    // Frobenius-only cores (no HALS there).
    void (*hals_rows)(std::size_t rows, std::size_t r, T* F, std::size_t ldf, const T* b, std::size_t bi,
                      std::size_t bt, const T* G, double l1, double l2, std::uint32_t sweeps, double delta2) noexcept;
};

// The plain-C++ reference set. Always compiled (without xsimd); a SIMD set may call its
// kernels for the steps it does not vectorize.
template <class T>
const kernel_table<T>& scalar_kernels() noexcept;

// NMFKIT_SCALAR_FALLBACK=0 (the default wasm modules, whose engines all run their float
// SIMD set): the float scalar set is not among the sets a fit can choose, so its kernels
// (1 KB gzip of the page's module) are linked only where the SIMD set calls them; a float
// fit with kernel_choice::scalar is then not_built (the wrapper runs it in the full
// module). double, which has no SIMD set there, keeps its scalar set.
#ifndef NMFKIT_SCALAR_FALLBACK
#define NMFKIT_SCALAR_FALLBACK 1
#endif
template <class T>
constexpr bool scalar_selectable = NMFKIT_SCALAR_FALLBACK || !std::is_same<T, float>::value;

// Every kernel set compiled into this binary that the running CPU supports, best
// first; the last one is the scalar set (unless scalar_selectable<T> is false). `count`
// receives the number of sets.
// The result is computed once (CPU detection) and is safe to call from any thread.
template <class T>
const kernel_table<T>* const* available_kernels(std::size_t& count) noexcept;

// The best set for the running CPU (available_kernels()[0]).
template <class T>
const kernel_table<T>& best_kernels() noexcept;

}  // namespace detail
}  // namespace nmfkit
