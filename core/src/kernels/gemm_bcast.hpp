// The broadcast form of the xsimd GEMM (gemm_nn, gemm_tn, small-K gemm_nt): C(M×N) (+)=
// Σ_k A(i,k)·B(k,j) in MR×(NV vectors) register tiles, B rows loaded as vectors, A entries
// broadcast, K blocked by KC, software prefetch of the next strip of B.
#pragma once

#include "kernels/simd_tail.hpp"

#include <cstddef>
#include <utility>

namespace nmfkit {
namespace detail {
namespace {

// Splits n into ceil(n / max) blocks of nearly equal size (e.g. r = 50 with 6-row
// tiles: 6,6,6,6,6,5,5,5,5 instead of 8×6 + 2), so no tile runs at a fraction.
struct blocks {
    std::size_t count, base, extra;
    blocks(std::size_t n, std::size_t max) noexcept
        : count((n + max - 1) / max), base(count ? n / count : 0), extra(count ? n % count : 0) {}
    std::size_t start(std::size_t b) const noexcept { return b * base + kmin(b, extra); }
    std::size_t size(std::size_t b) const noexcept { return base + (b < extra ? 1 : 0); }
};

template <class T>
void zero_matrix(std::size_t M, std::size_t N, T* c, std::size_t ldc) noexcept {
    for (std::size_t i = 0; i < M; ++i)
        for (std::size_t j = 0; j < N; ++j) c[i * ldc + j] = T(0);
}

// f[mr − 1][nr − 1] = &F::tile<mr, nr> for every mr ≤ MR, nr ≤ NR, filled at compile time:
// the register tile of an edge block is picked at run time without a switch.
template <class F, class Fn, int MR, int NR>
struct tile_table {
    Fn f[MR][NR];
    template <int mr, int... nr>
    static constexpr void fill_row(Fn* row, std::integer_sequence<int, nr...>) noexcept {
        ((row[nr] = &F::template tile<mr, nr + 1>), ...);
    }
    template <int... mr>
    static constexpr tile_table make(std::integer_sequence<int, mr...>) noexcept {
        tile_table t{};
        (fill_row<mr + 1>(t.f[mr], std::make_integer_sequence<int, NR>{}), ...);
        return t;
    }
    static Fn pick(std::size_t mr, std::size_t nr) noexcept {
        static constexpr tile_table t = make(std::make_integer_sequence<int, MR>{});
        return t.f[mr - 1][nr - 1];
    }
};

// Regs: number of architectural vector registers (16 or 32); sets the tile sizes.
template <class T, class Arch, int Regs>
struct bcast_form {
    using B = xsimd::batch<T, Arch>;
    static constexpr std::size_t W = B::size;

    // MR rows × NV vectors of accumulators: 6×4 (32 regs) / 6×2 (16 regs) leave room for NV
    // loads + 1 broadcast; wasm 4×2 (V8 has no FMA: each product needs a temporary).
    static constexpr int MR = k_wasm_simd ? 4 : 6;
    static constexpr int NV = Regs >= 32 ? 4 : 2;
    // Stack scratch: packed B panel (≤ 13 KiB; the deepest chain, gemm_nt → tile, stays
    // under the 16 KiB rule).
    static constexpr std::size_t CAP = 13312 / sizeof(T);
    // K block: a KC×(NV·W) strip of B is reused by all MR-row blocks; wasm (no prefetch)
    // takes longer blocks. Measurements: docs/performance.md.
    static constexpr std::size_t KC_MAX = k_wasm_simd ? 512 : 128;
    static constexpr std::size_t KC = (CAP / W) < KC_MAX ? (CAP / W) : KC_MAX;

    // C[r][v] (+)= Σ_k a[r·a_rs + k·a_ks] · b[k·ldb + v·W]. If rem != 0 the last vector
    // column holds only rem valid entries of C (B is readable for all W lanes).
    // pf: optional software prefetch of pf_rows rows (stride ldb) of pf_vecs vectors,
    // one row every `every` steps (see run).
    template <int mr, int nv>
    static void tile(std::size_t K, const T* a, std::size_t a_rs, std::size_t a_ks, const T* b, std::size_t ldb, T* c,
                     std::size_t ldc, bool acc, std::size_t rem, const T* pf, std::size_t pf_rows, std::size_t pf_vecs,
                     std::size_t every) noexcept {
        B cc[mr][nv];
        if (acc) {
            for (int r = 0; r < mr; ++r)
                for (int v = 0; v < nv; ++v) {
                    const T* p = c + r * ldc + v * W;
                    if (rem != 0 && v == nv - 1) cc[r][v] = partial<T, Arch>::load(p, rem);
                    else cc[r][v] = B::load_unaligned(p);
                }
        } else {
            for (int r = 0; r < mr; ++r)
                for (int v = 0; v < nv; ++v) cc[r][v] = B(T(0));
        }
        std::size_t cnt = 0;
        for (std::size_t k = 0; k < K; ++k) {
            if (!k_wasm_simd && pf_rows != 0 && ++cnt == every) {
                cnt = 0;
                for (std::size_t v = 0; v < pf_vecs; ++v) prefetch(pf + v * W);
                if (--pf_rows != 0) pf += ldb;  // never a pointer past the rows (ldb may be huge)
            }
            // Indexed, not bumped: b + K·ldb may lie outside the address space.
            const T* ak = a + k * a_ks;
            const T* bk = b + k * ldb;
            B bv[nv];
            for (int v = 0; v < nv; ++v) bv[v] = B::load_unaligned(bk + v * W);
            for (int r = 0; r < mr; ++r) {
                const B av(ak[r * a_rs]);
                for (int v = 0; v < nv; ++v) cc[r][v] = xsimd::fma(av, bv[v], cc[r][v]);
            }
        }
        for (int r = 0; r < mr; ++r)
            for (int v = 0; v < nv; ++v) {
                T* p = c + r * ldc + v * W;
                if (rem != 0 && v == nv - 1) partial<T, Arch>::store(p, cc[r][v], rem);
                else cc[r][v].store_unaligned(p);
            }
    }

    using bcast_fn = void (*)(std::size_t, const T*, std::size_t, std::size_t, const T*, std::size_t, T*, std::size_t,
                              bool, std::size_t, const T*, std::size_t, std::size_t, std::size_t) noexcept;

    static bcast_fn pick(std::size_t mr, std::size_t nv) noexcept {
        return tile_table<bcast_form, bcast_fn, MR, NV>::pick(mr, nv);
    }

    // C(M×N) = Σ_k A(i,k) B(k,j) with A(i,k) = a[i·a_rs + k·a_ks] (C += ... if acc_in). If
    // b_padded, every row of B is readable up to N rounded up to W (a packed panel); otherwise
    // `panel` (KC×W) receives the column tail of B.
    static void run(std::size_t M, std::size_t N, std::size_t K, const T* a, std::size_t a_rs, std::size_t a_ks,
                    const T* b, std::size_t ldb, bool b_padded, T* c, std::size_t ldc, T* panel,
                    bool acc_in = false) noexcept {
        const std::size_t rem = N % W;
        const std::size_t nfull = N / W;
        const std::size_t nvec = nfull + ((b_padded && rem) ? 1 : 0);
        const bool packed_tail = rem != 0 && !b_padded;
        const blocks ib(M, MR), jb(nvec, NV);
        // Many rows and few columns (W·HHᵀ): rows outer, so A streams once.
        const bool rows_outer = M > 4 * N;
        for (std::size_t k0 = 0; k0 < K; k0 += KC) {
            const std::size_t kc = kmin(KC, K - k0);
            const bool acc = acc_in || k0 != 0;
            if (packed_tail) {
                for (std::size_t k = 0; k < kc; ++k) {
                    const T* src = b + (k0 + k) * ldb + nfull * W;
                    T* dst = panel + k * W;
                    for (std::size_t j = 0; j < W; ++j) dst[j] = j < rem ? src[j] : T(0);
                }
            }
            // Columns outer (Wᵀ·X): every row block prefetches a slice of the next group's
            // strip of X, so the first row block of a group does not wait on DRAM for all of it.
            auto tile = [&](std::size_t bi, std::size_t bj) noexcept {
                const std::size_t i = ib.start(bi), mr = ib.size(bi);
                const std::size_t j = jb.start(bj), nv = jb.size(bj);
                const bool last_partial = b_padded && rem && j + nv == nvec;
                const T* pf = nullptr;
                std::size_t pf_rows = 0, pf_vecs = 0, pf_k = 0;
                if (!rows_outer && ib.count > 1) {
                    if (bj + 1 < jb.count) {
                        pf = b + k0 * ldb + jb.start(bj + 1) * W;
                        pf_k = kc;
                        pf_vecs = jb.size(bj + 1);
                    } else if (k0 + KC < K && jb.count > 0) {
                        pf = b + (k0 + KC) * ldb;
                        pf_k = kmin(KC, K - k0 - KC);
                        pf_vecs = jb.size(0);
                    }
                    const std::size_t slice = (pf_k + ib.count - 1) / ib.count;
                    const std::size_t first = kmin(pf_k, bi * slice);
                    pf_rows = kmin(slice, pf_k - first);
                    if (pf && pf_rows != 0) pf += first * ldb;  // first = pf_k would be past the rows
                }
                pick(mr, nv)(kc, a + i * a_rs + k0 * a_ks, a_rs, a_ks, b + k0 * ldb + j * W, ldb, c + i * ldc + j * W,
                             ldc, acc, last_partial ? rem : 0, pf, pf_rows, pf_vecs, 1);
            };
            auto tail = [&](std::size_t bi) noexcept {
                const std::size_t i = ib.start(bi), mr = ib.size(bi);
                pick(mr, 1)(kc, a + i * a_rs + k0 * a_ks, a_rs, a_ks, panel, W, c + i * ldc + nfull * W, ldc, acc, rem,
                            nullptr, 0, 0, 1);
            };
            if (rows_outer) {
                for (std::size_t bi = 0; bi < ib.count; ++bi) {
                    for (std::size_t bj = 0; bj < jb.count; ++bj) tile(bi, bj);
                    if (packed_tail) tail(bi);
                }
            } else {
                for (std::size_t bj = 0; bj < jb.count; ++bj)
                    for (std::size_t bi = 0; bi < ib.count; ++bi) tile(bi, bj);
                if (packed_tail)
                    for (std::size_t bi = 0; bi < ib.count; ++bi) tail(bi);
            }
        }
    }

    // Owns the tail panel in its own frame, so the packing callers (13 KiB panel) never
    // stack both: worst case 13 KiB + the tile frame.
    NMFKIT_NOINLINE static void run_unpadded(std::size_t M, std::size_t N, std::size_t K, const T* a, std::size_t a_rs,
                                             std::size_t a_ks, const T* b, std::size_t ldb, T* c, std::size_t ldc,
                                             bool acc = false) noexcept {
        alignas(64) T panel[KC * W];
        run(M, N, K, a, a_rs, a_ks, b, ldb, false, c, ldc, panel, acc);
    }
};

}  // namespace
}  // namespace detail
}  // namespace nmfkit
