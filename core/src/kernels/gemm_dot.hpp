// The dot form of the xsimd GEMM (large-K gemm_nt: X·Hᵀ): DMR×DNR tiles of vector
// accumulators along K, reduced once at the end; the K tail is one overlapping masked vector.
#pragma once

#include "kernels/gemm_bcast.hpp"

#include <cstddef>
#include <utility>

namespace nmfkit {
namespace detail {
namespace {

template <class T, class Arch, int Regs>
struct dot_form {
    using B = xsimd::batch<T, Arch>;
    static constexpr std::size_t W = B::size;

    // 4×6 = 24 accumulators + 6 B rows + 1 A row = 31 of 32 registers; wasm 3×3 (3×4 spilled in V8).
    static constexpr int DMR = Regs >= 32 ? 4 : 3;
    static constexpr int DNR = Regs >= 32 ? 6 : k_wasm_simd ? 3 : 4;

    // Dot-form tile: acc[r][s] += A[r][k..k+W) ∘ B[s][k..k+W); requires K ≥ W. The K tail
    // is one overlapping vector ending at K with the already-counted lanes masked off in A.
    template <int mr, int nr>
    static void tile(std::size_t K, const T* a, std::size_t lda, const T* b, std::size_t ldb, T* c, std::size_t ldc,
                     const xsimd::batch_bool<T, Arch>& tail_mask, const T* pf, std::size_t pf_rows,
                     std::size_t pf_lines, std::size_t every) noexcept {
        B acc[mr][nr];
        for (int r = 0; r < mr; ++r)
            for (int s = 0; s < nr; ++s) acc[r][s] = B(T(0));
        std::size_t k = 0, cnt = 0;
        for (; k + W <= K; k += W) {
            if (!k_wasm_simd && pf_lines != 0 && ++cnt == every) {
                cnt = 0;
                for (std::size_t r = 0; r < pf_rows; ++r) prefetch(pf + r * lda);
                pf += 64 / sizeof(T);
                --pf_lines;
            }
            B bv[nr];
            for (int s = 0; s < nr; ++s) bv[s] = B::load_unaligned(b + s * ldb + k);
            for (int r = 0; r < mr; ++r) {
                const B av = B::load_unaligned(a + r * lda + k);
                for (int s = 0; s < nr; ++s) acc[r][s] = xsimd::fma(av, bv[s], acc[r][s]);
            }
        }
        if (k < K) {
            k = K - W;
            B bv[nr];
            for (int s = 0; s < nr; ++s) bv[s] = B::load_unaligned(b + s * ldb + k);
            for (int r = 0; r < mr; ++r) {
                const B av = xsimd::select(tail_mask, B::load_unaligned(a + r * lda + k), B(T(0)));
                for (int s = 0; s < nr; ++s) acc[r][s] = xsimd::fma(av, bv[s], acc[r][s]);
            }
        }
        for (int r = 0; r < mr; ++r)
            for (int s = 0; s < nr; ++s) c[r * ldc + s] = simd_reduce_add(acc[r][s]);
    }

    using dot_fn = void (*)(std::size_t, const T*, std::size_t, const T*, std::size_t, T*, std::size_t,
                            const xsimd::batch_bool<T, Arch>&, const T*, std::size_t, std::size_t,
                            std::size_t) noexcept;
    static dot_fn pick(std::size_t mr, std::size_t nr) noexcept {
        return tile_table<dot_form, dot_fn, DMR, DNR>::pick(mr, nr);
    }

    // C(M×N) = A(M×K)·B(N×K)ᵀ, K ≥ W. A rows (X, streamed from memory) outer; all of B (H,
    // r×m) stays in L2. Each column tile prefetches a slice of the next row block, one line
    // per row every jb.count steps, spreading the DRAM stream over the whole row block.
    static void run(std::size_t M, std::size_t N, std::size_t K, const T* A, std::size_t lda, const T* Bm,
                    std::size_t ldb, T* C, std::size_t ldc) noexcept {
        static_assert(W <= 64, "vector wider than the lane table");
        const auto mask = B::load_aligned(lane_iota<T>::v) >= B(T(W - K % W));
        const blocks ib(M, DMR), jb(N, DNR);
        const std::size_t lines = (K * sizeof(T) + 63) / 64;
        const std::size_t slice = (lines + jb.count - 1) / jb.count;
        for (std::size_t bi = 0; bi < ib.count; ++bi) {
            const std::size_t i = ib.start(bi), mr = ib.size(bi);
            const bool more = bi + 1 < ib.count;
            for (std::size_t bj = 0; bj < jb.count; ++bj) {
                const std::size_t j = jb.start(bj), nr = jb.size(bj);
                const std::size_t first = kmin(lines, bj * slice);
                const T* pf = more ? A + ib.start(bi + 1) * lda + first * (64 / sizeof(T)) : nullptr;
                pick(mr, nr)(K, A + i * lda, lda, Bm + j * ldb, ldb, C + i * ldc + j, ldc, mask, pf,
                             more ? ib.size(bi + 1) : 0, more ? kmin(slice, lines - first) : 0, jb.count);
            }
        }
    }
};

}  // namespace
}  // namespace detail
}  // namespace nmfkit
