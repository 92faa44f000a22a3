// The three GEMM shapes of kernel_table (plus the accumulating gemm_tn) for an xsimd arch:
// each entry picks one of the forms (gemm_bcast.hpp, gemm_dot.hpp, gemm_skinny.hpp,
// gemm_packed.hpp) from the shape of the product.
#pragma once

#include "kernels/gemm_bcast.hpp"
#include "kernels/gemm_dot.hpp"
#include "kernels/gemm_packed.hpp"
#include "kernels/gemm_skinny.hpp"

#include <cstddef>

namespace nmfkit {
namespace detail {
namespace {

template <class T, class Arch, int Regs>
struct simd_gemm {
    using B = xsimd::batch<T, Arch>;
    using bcast = bcast_form<T, Arch, Regs>;
    using dot = dot_form<T, Arch, Regs>;
    using skinny = skinny_form<T, Arch, Regs>;
    using packed = packed_tn<T, Arch, Regs>;
    static constexpr std::size_t W = B::size;
    static constexpr std::size_t CAP = bcast::CAP;

    static void gemm_nt(std::size_t M, std::size_t N, std::size_t K, const T* A, std::size_t lda, const T* Bm,
                        std::size_t ldb, T* C, std::size_t ldc) noexcept {
        if (M == 0 || N == 0) return;
        if (K == 0) return zero_matrix(M, N, C, ldc);
        const std::size_t npad = (N + W - 1) / W * W;
        if (K < W || npad * K <= CAP) {
            // Small K (digits: m = 64): transpose B into a padded stack panel and use the
            // broadcast form; the dot form would spend more on reductions than on FMAs.
            alignas(64) T panel[CAP];
            const std::size_t chunk = kmin(npad, CAP / K / W * W);
            for (std::size_t j0 = 0; j0 < N; j0 += chunk) {
                const std::size_t nc = kmin(chunk, N - j0);
                const std::size_t ncp = (nc + W - 1) / W * W;
                for (std::size_t k = 0; k < K; ++k) {
                    T* dst = panel + k * ncp;
                    for (std::size_t j = 0; j < ncp; ++j) dst[j] = j < nc ? Bm[(j0 + j) * ldb + k] : T(0);
                }
                bcast::run(M, nc, K, A, lda, 1, panel, ncp, true, C + j0, ldc, nullptr);
            }
            return;
        }
        dot::run(M, N, K, A, lda, Bm, ldb, C, ldc);
    }

    // C = Aᵀ·B, or C += Aᵀ·B if acc (gemm_tn_acc): every path below already sums K blocks
    // into C, so accumulating only changes how the first block starts.
    static void gemm_tn_impl(std::size_t M, std::size_t N, std::size_t K, const T* A, std::size_t lda, const T* Bm,
                             std::size_t ldb, T* C, std::size_t ldc, bool acc) noexcept {
        if (M == 0 || N == 0) return;
        if (K == 0) {
            if (!acc) zero_matrix(M, N, C, ldc);
            return;
        }
        if (skinny::enabled && N <= W && (M == 8 || M == 16)) {
            if (M == 16) return skinny::template tn<16>(N, K, A, lda, Bm, ldb, C, ldc, acc);
            return skinny::template tn<8>(N, K, A, lda, Bm, ldb, C, ldc, acc);
        }
        if constexpr (packed::enabled) {
            const std::size_t nw = packed::wide_cols(M, N, K);
            if (nw != 0) {
                packed::run(M, nw, K, A, lda, Bm, ldb, C, ldc, acc);
                if (nw == N) return;
                N -= nw;  // column remainder: unpacked path below
                Bm += nw;
                C += nw;
            }
        }
        bcast::run_unpadded(M, N, K, A, 1, lda, Bm, ldb, C, ldc, acc);
    }
    static void gemm_tn(std::size_t M, std::size_t N, std::size_t K, const T* A, std::size_t lda, const T* Bm,
                        std::size_t ldb, T* C, std::size_t ldc) noexcept {
        gemm_tn_impl(M, N, K, A, lda, Bm, ldb, C, ldc, false);
    }
    static void gemm_tn_acc(std::size_t M, std::size_t N, std::size_t K, const T* A, std::size_t lda, const T* Bm,
                            std::size_t ldb, T* C, std::size_t ldc) noexcept {
        gemm_tn_impl(M, N, K, A, lda, Bm, ldb, C, ldc, true);
    }

    static void gemm_nn(std::size_t M, std::size_t N, std::size_t K, const T* A, std::size_t lda, const T* Bm,
                        std::size_t ldb, T* C, std::size_t ldc) noexcept {
        if (M == 0 || N == 0) return;
        if (K == 0) return zero_matrix(M, N, C, ldc);
        if (skinny::enabled && N <= W && K <= skinny::SK && M >= 6) return skinny::nn(M, N, K, A, lda, Bm, ldb, C, ldc);
        const std::size_t npad = (N + W - 1) / W * W;
        if (N % W != 0 && npad * K <= CAP) {
            // Small B with a column tail (W·HHᵀ, r = 50): pad it once so every tile is full width.
            alignas(64) T panel[CAP];
            for (std::size_t k = 0; k < K; ++k)
                for (std::size_t j = 0; j < npad; ++j) panel[k * npad + j] = j < N ? Bm[k * ldb + j] : T(0);
            return bcast::run(M, N, K, A, lda, 1, panel, npad, true, C, ldc, nullptr);
        }
        bcast::run_unpadded(M, N, K, A, lda, 1, Bm, ldb, C, ldc);
    }
};

}  // namespace
}  // namespace detail
}  // namespace nmfkit
