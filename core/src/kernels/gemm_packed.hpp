// Strip-ordered broadcast-form gemm_tn for the AVX-512F set: C(M×N) = A(K×M)ᵀ·B(K×N) with
// M = r small and N = m wide (Wᵀ·X). Column strips of NR = NV·W columns outer, K blocks
// inner, MR-row blocks of C innermost: the C strip stays in L1 for the whole K loop and
// consecutive K blocks walk down the same strip of B (prefetched one block ahead). B is read
// in place; only whole strips run here, the column remainder goes through the caller's
// unpacked path. Why this order and not a packed copy of B: docs/performance.md.
#pragma once

#include "kernels/simd_base.hpp"

#include <cstddef>
#include <type_traits>

namespace nmfkit {
namespace detail {
namespace {

template <class T, class Arch, int Regs>
struct packed_tn {
    using B = xsimd::batch<T, Arch>;
    static constexpr std::size_t W = B::size;
    // AVX-512F only: with AVX2's 16-float strips A is re-read 4× as often (slower measured).
#ifdef NMFKIT_NO_PACKED_TN  // build knob for A/B timing only
    static constexpr bool enabled = false;
#else
    static constexpr bool enabled = std::is_same<Arch, xsimd::avx512f>::value;
#endif

    // 6×4 (32 registers: 24 accumulators + 4 B vectors + 1 broadcast) / 6×2 (16 registers).
    static constexpr int MR = 6;
    static constexpr int NV = Regs >= 32 ? 4 : 2;
    static constexpr std::size_t NR = NV * W;
    static constexpr std::size_t KC = 256;  // measured best of 48–512 (docs/performance.md)

    // Number of leading columns of a product this path takes (0: none). Narrow products
    // (Wᵀ·W, N = r < NR) keep the unpacked path. So do products whose A (K×M) does not
    // fit in L2 with room to spare: every strip streams all of A again.
    static std::size_t wide_cols(std::size_t M, std::size_t N, std::size_t K) noexcept {
        if (!enabled || M == 0 || K < 16 || K * M * sizeof(T) > (std::size_t(256) << 10)) return 0;
        return N / NR * NR;
    }

    // C[r][·] (+)= Σ_k a[k·lda + r] · b[k·ldb + ·], r < mr, nv vectors. pf: prefetch pf_rows
    // rows (stride ldp bytes) of pf_lines cache lines, one row every `every` steps.
    template <int mr, int nv>
    static void tile(std::size_t kc, const T* a, std::size_t lda, const T* b, std::size_t ldb, T* c, std::size_t ldc,
                     bool acc, const char* pf, std::size_t ldp, std::size_t pf_rows, std::size_t pf_lines,
                     std::size_t every) noexcept {
        B cc[mr][nv];
        if (acc) {
            for (int r = 0; r < mr; ++r)
                for (int v = 0; v < nv; ++v) cc[r][v] = B::load_unaligned(c + r * ldc + v * W);
        } else {
            for (int r = 0; r < mr; ++r)
                for (int v = 0; v < nv; ++v) cc[r][v] = B(T(0));
        }
        std::size_t cnt = 0;
        for (std::size_t k = 0; k < kc; ++k) {
            if (pf_rows != 0 && ++cnt == every) {
                cnt = 0;
                for (std::size_t l = 0; l < pf_lines; ++l) prefetch(pf + 64 * l);
                if (--pf_rows != 0) pf += ldp;  // never a pointer past the rows
            }
            // Indexed, not bumped: b + kc·ldb may lie outside the array.
            const T* ak = a + k * lda;
            const T* bk = b + k * ldb;
            B bv[nv];
            for (int v = 0; v < nv; ++v) bv[v] = B::load_unaligned(bk + v * W);
            for (int r = 0; r < mr; ++r) {
                const B av(ak[r]);
                for (int v = 0; v < nv; ++v) cc[r][v] = xsimd::fma(av, bv[v], cc[r][v]);
            }
        }
        for (int r = 0; r < mr; ++r)
            for (int v = 0; v < nv; ++v) cc[r][v].store_unaligned(c + r * ldc + v * W);
    }

    using tile_fn = void (*)(std::size_t, const T*, std::size_t, const T*, std::size_t, T*, std::size_t, bool,
                             const char*, std::size_t, std::size_t, std::size_t, std::size_t) noexcept;
    static tile_fn pick(std::size_t mr) noexcept {
        static constexpr tile_fn t[MR] = {&tile<1, NV>, &tile<2, NV>, &tile<3, NV>,
                                          &tile<4, NV>, &tile<5, NV>, &tile<6, NV>};
        static_assert(MR == 6, "pick() lists MR entries");
        return t[mr - 1];
    }

    // Requires N % NR == 0 (wide_cols). acc: C += Aᵀ·B (gemm_tn_acc) instead of C = Aᵀ·B.
    static void run(std::size_t M, std::size_t N, std::size_t K, const T* A, std::size_t lda, const T* Bm,
                    std::size_t ldb, T* C, std::size_t ldc, bool acc) noexcept {
        // Row blocks of nearly equal size (r = 50: 6,6,6,6,6,5,5,5,5; r = 20: 5,5,5,5).
        const std::size_t nb = (M + MR - 1) / MR, base = M / nb, extra = M % nb;
        // K blocks of nearly equal size too (≤ KC): the one-pass solver calls this with K =
        // rows of a block of X, where a tail block of a few rows would reload and store all
        // of C for little work.
        const std::size_t nstrips = N / NR, nkb = (K + KC - 1) / KC, kcb = (K + nkb - 1) / nkb;
        // Lines of one row of a strip, [p, p + NR·sizeof(T)) with p possibly unaligned.
        const std::size_t lines = (NR * sizeof(T) + 63) / 64 + ((ldb * sizeof(T)) % 64 != 0 ? 1 : 0);
        for (std::size_t s = 0; s < nstrips; ++s) {
            const std::size_t j0 = s * NR;
            for (std::size_t kb = 0; kb < nkb; ++kb) {
                const std::size_t k0 = kb * kcb, kc = kmin(kcb, K - k0);
                // The next block: (k0 + kcb, j0), else the first block of the next strip.
                const T* nx = nullptr;
                std::size_t nrows = 0;
                if (kb + 1 < nkb) {
                    nx = Bm + (k0 + kcb) * ldb + j0;
                    nrows = kmin(kcb, K - k0 - kcb);
                } else if (s + 1 < nstrips) {
                    nx = Bm + j0 + NR;
                    nrows = kmin(kcb, K);
                }
                const std::size_t slice = (nrows + nb - 1) / nb;
                for (std::size_t bi = 0; bi < nb; ++bi) {
                    const std::size_t i = bi * base + kmin(bi, extra), mr = base + (bi < extra ? 1 : 0);
                    const std::size_t first = kmin(nrows, bi * slice), rows = kmin(slice, nrows - first);
                    const std::size_t every = rows != 0 && kc / rows > 0 ? kc / rows : 1;
                    const char* pf = nx && rows != 0 ? reinterpret_cast<const char*>(nx + first * ldb) : nullptr;
                    pick(mr)(kc, A + k0 * lda + i, lda, Bm + k0 * ldb + j0, ldb, C + i * ldc + j0, ldc, acc || kb != 0,
                             pf, ldb * sizeof(T), k_wasm_simd ? 0 : rows, lines, every);
                }
            }
        }
    }
};

}  // namespace
}  // namespace detail
}  // namespace nmfkit
