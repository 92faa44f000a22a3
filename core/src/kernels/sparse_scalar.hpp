// The plain-C++ sparse (CSR) kernels of the scalar set: the reference the xsimd versions
// (sparse.hpp) are tested against. Included by scalar.cpp only; the layout is in kernels.hpp.
#pragma once

#include "kernels/kernels.hpp"

#include <cstddef>
#include <cstdint>

// WebAssembly: the scalar loops over r stay scalar (clang would vectorize and unroll each one,
// +2 KB gzip per module; there only float64 fits and the forced scalar set run them).
#if defined(__EMSCRIPTEN__)
#define NMFKIT_SCALAR_LOOP _Pragma("clang loop vectorize(disable) interleave(disable) unroll(disable)")
#else
#define NMFKIT_SCALAR_LOOP
#endif

namespace nmfkit {
namespace detail {
namespace {

// values[k], or 1 for every k when values is null (the pattern), without a branch per entry:
// a test in the loop would have the compiler duplicate each loop for the two cases (code size).
template <class T>
struct csr_values {
    static constexpr T one = T(1);
    const T* p;
    std::uint64_t mask;
    explicit csr_values(const T* values) noexcept
        : p(values != nullptr ? values : &one), mask(values != nullptr ? ~std::uint64_t(0) : 0) {}
    T operator[](std::uint64_t k) const noexcept { return p[k & mask]; }
};

// C = X·B: row i of C is Σ_k x_k·B_{indices[k]}, accumulated in place.
template <class T>
void csr_times_dense(std::size_t rows, std::size_t r, const std::uint64_t* indptr, const std::uint32_t* indices,
                     const T* values, const T* B, std::size_t ldb, T* C, std::size_t ldc) noexcept {
    const csr_values<T> val(values);
    for (std::size_t i = 0; i < rows; ++i) {
        T* c = C + i * ldc;
        for (std::size_t t = 0; t < r; ++t) c[t] = T(0);
        for (std::uint64_t k = indptr[i]; k < indptr[i + 1]; ++k) {
            const T v = val[k];
            const T* b = B + std::size_t(indices[k]) * ldb;
            NMFKIT_SCALAR_LOOP
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
    const csr_values<T> val(values);
    for (std::size_t i = 0; i < rows; ++i) {
        const T* a = A + i * lda;
        for (std::uint64_t k = indptr[i]; k < indptr[i + 1]; ++k) {
            const T v = val[k];
            T* c = C + std::size_t(indices[k]) * ldc;
            NMFKIT_SCALAR_LOOP
            for (std::size_t t = 0; t < r; ++t) c[t] += v * a[t];
        }
    }
}

// ⟨A_i, B_j⟩ at every stored (i, j); Ratio: values[k] / (that, eps where it is 0).
template <class T, bool Ratio>
void sampled(std::size_t rows, std::size_t r, const std::uint64_t* indptr, const std::uint32_t* indices,
             const T* values, const T* A, std::size_t lda, const T* B, std::size_t ldb, T eps, T* out) noexcept {
    const csr_values<T> val(values);
    for (std::size_t i = 0; i < rows; ++i) {
        const T* a = A + i * lda;
        for (std::uint64_t k = indptr[i]; k < indptr[i + 1]; ++k) {
            const T* b = B + std::size_t(indices[k]) * ldb;
            T s = 0;
            NMFKIT_SCALAR_LOOP
            for (std::size_t t = 0; t < r; ++t) s += a[t] * b[t];
            if (Ratio) s = val[k] / (s < eps ? eps : s);
            out[k] = s;
        }
    }
}

template <class T>
void sampled_dot(std::size_t rows, std::size_t r, const std::uint64_t* indptr, const std::uint32_t* indices, const T* A,
                 std::size_t lda, const T* B, std::size_t ldb, T* out) noexcept {
    sampled<T, false>(rows, r, indptr, indices, nullptr, A, lda, B, ldb, T(0), out);
}

template <class T>
void sampled_ratio(std::size_t rows, std::size_t r, const std::uint64_t* indptr, const std::uint32_t* indices,
                   const T* values, const T* A, std::size_t lda, const T* B, std::size_t ldb, T eps, T* out) noexcept {
    sampled<T, true>(rows, r, indptr, indices, values, A, lda, B, ldb, eps, out);
}

}  // namespace
}  // namespace detail
}  // namespace nmfkit
