// Register-resident GEMM forms for C at most one vector wide (r ≤ 16 with 32 registers:
// WᵀW and W·HHᵀ of small-rank fits). All of C (tn) or all of B (nn) stays in registers, so
// the operands are read once and there is no K loop per tile.
#pragma once

#include "kernels/simd_tail.hpp"

#include <cstddef>

namespace nmfkit {
namespace detail {
namespace {

template <class T, class Arch, int Regs>
struct skinny_form {
    using B = xsimd::batch<T, Arch>;
    static constexpr std::size_t W = B::size;
    static constexpr bool enabled = Regs >= 32 && !k_wasm_simd;
    static constexpr std::size_t SK = 16;  // deepest K of the nn form

    // gemm_tn with N ≤ W and R (8 or 16) rows: the R rows of C stay in registers for the
    // whole K loop (the 6-row broadcast tiles read B three times at r = 16). add: C += Aᵀ·B.
    template <int R>
    static void tn(std::size_t N, std::size_t K, const T* A, std::size_t lda, const T* Bm, std::size_t ldb, T* C,
                   std::size_t ldc, bool add) noexcept {
        B acc[R];
        for (int i = 0; i < R; ++i) {
            if (!add) acc[i] = B(T(0));
            else acc[i] = partial<T, Arch>::load_upto(C + i * ldc, N);
        }
        if (N == W) {
            for (std::size_t k = 0; k < K; ++k) {
                const B b = B::load_unaligned(Bm + k * ldb);
                for (int i = 0; i < R; ++i) acc[i] = xsimd::fma(B(A[k * lda + i]), b, acc[i]);
            }
        } else {
            for (std::size_t k = 0; k < K; ++k) {
                const B b = partial<T, Arch>::load(Bm + k * ldb, N);
                for (int i = 0; i < R; ++i) acc[i] = xsimd::fma(B(A[k * lda + i]), b, acc[i]);
            }
        }
        for (int i = 0; i < R; ++i) partial<T, Arch>::store_upto(C + i * ldc, acc[i], N);
    }

    // gemm_nn with N ≤ W and K ≤ SK: B lives in registers and 6 rows of A run at once (6
    // independent chains, one broadcast load per FMA).
    template <int R>
    static void rows(std::size_t N, std::size_t K, const T* a, std::size_t lda, const B* b, T* c,
                     std::size_t ldc) noexcept {
        B acc[R];
        const T* ap[R];
        for (int r = 0; r < R; ++r) {
            acc[r] = B(T(0));
            ap[r] = a + r * lda;
        }
        if (K == SK) {
            for (std::size_t k = 0; k < SK; ++k)
                for (int r = 0; r < R; ++r) acc[r] = xsimd::fma(B(ap[r][k]), b[k], acc[r]);
        } else {
            for (std::size_t k = 0; k < K; ++k)
                for (int r = 0; r < R; ++r) acc[r] = xsimd::fma(B(ap[r][k]), b[k], acc[r]);
        }
        for (int r = 0; r < R; ++r) partial<T, Arch>::store_upto(c + r * ldc, acc[r], N);
    }
    static void nn(std::size_t M, std::size_t N, std::size_t K, const T* A, std::size_t lda, const T* Bm,
                   std::size_t ldb, T* C, std::size_t ldc) noexcept {
        B b[SK];
        for (std::size_t k = 0; k < SK; ++k) b[k] = k >= K ? B(T(0)) : partial<T, Arch>::load_upto(Bm + k * ldb, N);
        std::size_t i = 0;
        for (; i + 6 <= M; i += 6) rows<6>(N, K, A + i * lda, lda, b, C + i * ldc, ldc);
        for (; i < M; ++i) rows<1>(N, K, A + i * lda, lda, b, C + i * ldc, ldc);
    }
};

}  // namespace
}  // namespace detail
}  // namespace nmfkit
