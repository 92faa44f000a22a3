// Truncated SVD for the NNDSVD initializations: a randomized range finder with power
// iterations (Halko, Martinsson & Tropp 2011) and a cyclic Jacobi eigensolver on the
// small projected Gram matrix. Deterministic (nmfkit's PCG32), no LAPACK, no
// allocation: the caller provides svd_scratch_bytes() of 64-byte aligned scratch.
#pragma once

#include <cstddef>
#include <cstdint>

#include "kernels/kernels.hpp"
#include "nmfkit/nmfkit.hpp"
#include "solver/data.hpp"

namespace nmfkit {
namespace detail {

// Scratch bytes truncated_svd needs for an n×m matrix and rank r (r ≤ min(n, m));
// false if the size overflows size_t.
template <class T>
bool svd_scratch_bytes(std::size_t n, std::size_t m, std::size_t r, std::size_t& bytes) noexcept;

// The r leading singular triplets of X (reached through its products X·B and Aᵀ·X): X ≈ U·diag(sigma)·Vt with U (n×r)
// and Vt (r×m) having orthonormal columns / rows, sigma descending. scratch must be 64-byte aligned and hold
// svd_scratch_bytes() bytes.
template <class T>
void truncated_svd(const kernel_table<T>& k, const executor& ex, const data_matrix<T>& X, std::size_t r,
                   std::uint64_t seed, matrix_view<T> U, double* sigma, matrix_view<T> Vt, void* scratch) noexcept;

}  // namespace detail
}  // namespace nmfkit
