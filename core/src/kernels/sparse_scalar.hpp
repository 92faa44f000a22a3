// The plain-C++ sparse (CSR) kernels of the scalar set: the reference the xsimd versions
// (sparse.hpp) are tested against. Included by scalar.cpp only; the layout is in kernels.hpp.
#pragma once

#include "kernels/kernels.hpp"

#include <cstddef>
#include <cstdint>

namespace nmfkit {
namespace detail {
namespace {

template <class T>
inline T csr_value(const T* values, std::uint64_t k) noexcept {
    return values != nullptr ? values[k] : T(1);
}

// C = X·B: row i of C is Σ_k x_k·B_{indices[k]}, accumulated in place.
template <class T>
void csr_times_dense(std::size_t rows, std::size_t r, const std::uint64_t* indptr, const std::uint32_t* indices,
                     const T* values, const T* B, std::size_t ldb, T* C, std::size_t ldc) noexcept {
    for (std::size_t i = 0; i < rows; ++i) {
        T* c = C + i * ldc;
        for (std::size_t t = 0; t < r; ++t) c[t] = T(0);
        for (std::uint64_t k = indptr[i]; k < indptr[i + 1]; ++k) {
            const T v = csr_value(values, k);
            const T* b = B + std::size_t(indices[k]) * ldb;
            for (std::size_t t = 0; t < r; ++t) c[t] += v * b[t];
        }
    }
}

// C (+)= Xᵀ·A: entry (i, j) scatters x_ij·A_i into row j of C.
template <class T>
void csr_t_times_dense(std::size_t rows, std::size_t cols, std::size_t r, const std::uint64_t* indptr,
                       const std::uint32_t* indices, const T* values, const T* A, std::size_t lda, T* C,
                       std::size_t ldc, bool accumulate) noexcept {
    if (!accumulate)
        for (std::size_t j = 0; j < cols; ++j)
            for (std::size_t t = 0; t < r; ++t) C[j * ldc + t] = T(0);
    for (std::size_t i = 0; i < rows; ++i) {
        const T* a = A + i * lda;
        for (std::uint64_t k = indptr[i]; k < indptr[i + 1]; ++k) {
            const T v = csr_value(values, k);
            T* c = C + std::size_t(indices[k]) * ldc;
            for (std::size_t t = 0; t < r; ++t) c[t] += v * a[t];
        }
    }
}

// ⟨A_i, B_j⟩ at every stored (i, j); Ratio: values[k] / (that, eps where it is 0).
template <class T, bool Ratio>
void sampled(std::size_t rows, std::size_t r, const std::uint64_t* indptr, const std::uint32_t* indices,
             const T* values, const T* A, std::size_t lda, const T* B, std::size_t ldb, T eps, T* out) noexcept {
    for (std::size_t i = 0; i < rows; ++i) {
        const T* a = A + i * lda;
        for (std::uint64_t k = indptr[i]; k < indptr[i + 1]; ++k) {
            const T* b = B + std::size_t(indices[k]) * ldb;
            T s = 0;
            for (std::size_t t = 0; t < r; ++t) s += a[t] * b[t];
            if (Ratio) s = csr_value(values, k) / (s != T(0) ? s : eps);
            out[k] = s;
        }
    }
}

template <class T>
void sampled_dot(std::size_t rows, std::size_t r, const std::uint64_t* indptr, const std::uint32_t* indices,
                 const T* A, std::size_t lda, const T* B, std::size_t ldb, T* out) noexcept {
    sampled<T, false>(rows, r, indptr, indices, nullptr, A, lda, B, ldb, T(0), out);
}

template <class T>
void sampled_ratio(std::size_t rows, std::size_t r, const std::uint64_t* indptr, const std::uint32_t* indices,
                   const T* values, const T* A, std::size_t lda, const T* B, std::size_t ldb, T eps,
                   T* out) noexcept {
    sampled<T, true>(rows, r, indptr, indices, values, A, lda, B, ldb, eps, out);
}

}  // namespace
}  // namespace detail
}  // namespace nmfkit
