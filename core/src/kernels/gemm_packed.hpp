// Strip-ordered broadcast-form gemm_tn for the AVX-512F set:
// C(M×N) = A(K×M)ᵀ·B(K×N) with M = r small and N = m wide (Wᵀ·X). Included by
// simd_impl.hpp inside its anonymous namespace (internal linkage, templated on Arch: no
// code shared across ISA TUs); uses its kmin / k_wasm_simd helpers.
//
// Loop order: column strips of NR = NV·W columns outer, K blocks of KC rows inner, the
// MR-row blocks of C innermost. The C strip (M×NR, 12.8 KiB at r = 50) stays in L1 for
// the whole K loop instead of streaming all of C (r×m) through L2 once per K block, and
// consecutive K blocks walk down the same strip of B, so its rows are prefetched (in
// software, one block ahead, spread over the row blocks) on a regular stride.
//
// B is read in place (row stride ldb). A GOTO-style copy of each KC×NR slice into a
// contiguous stack panel was measured slower on Zen 4 (Wᵀ·X, same loop order, KC = 48,
// 12 KiB panel: 65 vs 90 GFLOPS at 2000×1000 r = 20, 80 vs 86 at 5000×2000 r = 50): the
// copy costs as much as the contiguous reads save. Only whole strips run here; the column
// remainder (N mod NR) goes through the caller's unpacked path (it owns a tail panel).
#pragma once

namespace packed_detail {
// AVX-512F only: with AVX2 the strip is 16 floats wide, so A is re-read 4× as often; measured
// on Zen 4 (avx2 set, Wᵀ·X): 91 vs 86 GFLOPS at 1797×64 r=16 but 63 vs 79 at 2000×1000
// r=20 and 42 vs 62 at 5000×2000 r=50.
template <class Arch>
constexpr bool is_x86_fma_arch() noexcept {
#if (defined(__x86_64__) || defined(_M_X64)) && defined(__AVX512F__)
    if constexpr (std::is_same<Arch, xsimd::avx512f>::value) return true;
#endif
    return false;
}
}  // namespace packed_detail

template <class T, class Arch, int Regs>
struct packed_tn {
    using B = xsimd::batch<T, Arch>;
    static constexpr std::size_t W = B::size;
#ifdef NMFKIT_NO_PACKED_TN  // build knob for A/B timing only
    static constexpr bool enabled = false;
#else
    static constexpr bool enabled = !k_wasm_simd && packed_detail::is_x86_fma_arch<Arch>();
#endif

    // 6×4 (32 registers: 24 accumulators + 4 B vectors + 1 broadcast) / 6×2 (16 registers).
    static constexpr int MR = 6;
    static constexpr int NV = Regs >= 32 ? 4 : 2;
    static constexpr std::size_t NR = NV * W;
    // Zen 4, AVX-512 float, Wᵀ·X (GFLOPS at KC = 48 / 128 / 256 / 512):
    // 1797×64 r=16: 91 / 104 / 113 / 116; 2000×1000 r=20: 91 / 100 / 101 / 105;
    // 5000×2000 r=50: 86 / 88–90 / 85–95 / 73–85 (that shape is noisy: DRAM-bound, shared host).
    static constexpr std::size_t KC = 256;

    // Number of leading columns of a product this path takes (0: none). Narrow products
    // (Wᵀ·W, N = r < NR) keep the unpacked path. So do products whose A (K×M) does not
    // fit in L2 with room to spare: every strip streams all of A again (5000×2000 r = 50,
    // A = W is 1 MB: 78 vs 83 GFLOPS for the K-outer unpacked path, loaded host).
    static std::size_t wide_cols(std::size_t M, std::size_t N, std::size_t K) noexcept {
        if (!enabled || M == 0 || K < 16 || K * M * sizeof(T) > (std::size_t(256) << 10)) return 0;
        return N / NR * NR;
    }

    // C[r][·] (+)= Σ_k a[k·lda + r] · b[k·ldb + ·], r < mr, nv vectors. pf: prefetch pf_rows
    // rows (stride ldp bytes) of pf_lines cache lines, one row every `every` steps.
    template <int mr, int nv>
    static void tile(std::size_t kc, const T* a, std::size_t lda, const T* b, std::size_t ldb, T* c,
                     std::size_t ldc, bool acc, const char* pf, std::size_t ldp, std::size_t pf_rows,
                     std::size_t pf_lines, std::size_t every) noexcept {
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
                pf += ldp;
                --pf_rows;
            }
            B bv[nv];
            for (int v = 0; v < nv; ++v) bv[v] = B::load_unaligned(b + v * W);
            for (int r = 0; r < mr; ++r) {
                const B av(a[r]);
                for (int v = 0; v < nv; ++v) cc[r][v] = xsimd::fma(av, bv[v], cc[r][v]);
            }
            a += lda;
            b += ldb;
        }
        for (int r = 0; r < mr; ++r)
            for (int v = 0; v < nv; ++v) cc[r][v].store_unaligned(c + r * ldc + v * W);
    }

    using tile_fn = void (*)(std::size_t, const T*, std::size_t, const T*, std::size_t, T*, std::size_t,
                             bool, const char*, std::size_t, std::size_t, std::size_t, std::size_t) noexcept;
    static tile_fn pick(std::size_t mr) noexcept {
        static constexpr tile_fn t[MR] = {&tile<1, NV>, &tile<2, NV>, &tile<3, NV>,
                                          &tile<4, NV>, &tile<5, NV>, &tile<6, NV>};
        static_assert(MR == 6, "pick() lists MR entries");
        return t[mr - 1];
    }

    // Requires N % NR == 0 (wide_cols). acc: C += Aᵀ·B (gemm_tn_acc) instead of C = Aᵀ·B.
    static void run(std::size_t M, std::size_t N, std::size_t K, const T* A, std::size_t lda,
                    const T* Bm, std::size_t ldb, T* C, std::size_t ldc, bool acc) noexcept {
        // Row blocks of nearly equal size (r = 50: 6,6,6,6,6,5,5,5,5; r = 20: 5,5,5,5).
        const std::size_t nb = (M + MR - 1) / MR, base = M / nb, extra = M % nb;
        // K blocks of nearly equal size too (≤ KC): the one-pass solver calls this with K =
        // rows of a block of X, a few hundred, where a tail block of a few rows reloads and
        // stores all of C for little work (2000×1000 r=20, the X part of an iteration in
        // blocks of 262 rows = 256 + 6: 1.71 ms vs 1.66 at 256; balanced, 1.68–1.70).
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
                    const char* pf = nx ? reinterpret_cast<const char*>(nx + first * ldb) : nullptr;
                    pick(mr)(kc, A + k0 * lda + i, lda, Bm + k0 * ldb + j0, ldb, C + i * ldc + j0, ldc,
                             acc || kb != 0, pf, ldb * sizeof(T), k_wasm_simd ? 0 : rows, lines, every);
                }
            }
        }
    }
};
