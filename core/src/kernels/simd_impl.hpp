// xsimd kernel sets, templated on the xsimd architecture. Include this header only
// from a per-ISA translation unit (simd_*.cpp) and instantiate it there with
// NMFKIT_DEFINE_SIMD_TABLES. Everything here has internal linkage (anonymous
// namespace) or depends on Arch, so code built under -mavx512f never merges with
// code built under baseline flags (the SIGILL/ODR trap). Do not call std:: algorithm
// templates here for the same reason: they would be comdat-shared across ISA TUs.
#pragma once

#include "kernels/kernels.hpp"

#include <xsimd/xsimd.hpp>

#include <cstddef>
#include <cstring>
#include <utility>

namespace nmfkit {
namespace detail {
namespace {

// xsimd 9.0 renamed hadd to reduce_add (no alias).
template <class B>
inline typename B::value_type simd_reduce_add(const B& b) noexcept {
#if XSIMD_VERSION_MAJOR >= 9
    return xsimd::reduce_add(b);
#else
    return xsimd::hadd(b);
#endif
}

inline std::size_t kmin(std::size_t a, std::size_t b) noexcept { return a < b ? a : b; }

inline void prefetch(const void* p) noexcept {
#if defined(__GNUC__) || defined(__clang__)
    __builtin_prefetch(p, 0, 3);
#else
    (void)p;
#endif
}


// Regs: number of architectural vector registers (16 or 32); sets the tile sizes.
template <class T, class Arch, int Regs>
struct simd_kernels {
    using B = xsimd::batch<T, Arch>;
    static constexpr std::size_t W = B::size;

    // Broadcast-form tile (gemm_nn, gemm_tn, small-K gemm_nt): MR rows × NV vectors of
    // accumulators. 6×4 (32 regs) / 6×2 (16 regs) leave room for NV loads + 1
    // broadcast; 6 rows keep loads per FMA at (NV + MR) / (MR·NV) ≤ 0.42.
    static constexpr int MR = 6;
    static constexpr int NV = Regs >= 32 ? 4 : 2;
    // Dot-form tile (large-K gemm_nt): MR×NR vector accumulators reduced once at the end.
    // 4×6 = 24 accumulators + 6 B rows + 1 A row = 31 of 32 registers.
    static constexpr int DMR = Regs >= 32 ? 4 : 3;
    static constexpr int DNR = Regs >= 32 ? 6 : 4;
    // Stack scratch: packed B panel (≤ 13 KiB; frames measured with -fstack-usage: the
    // deepest chain, gemm_nt → bcast_tile, stays under the 16 KiB rule).
    static constexpr std::size_t CAP = 13312 / sizeof(T);
    // K block for the broadcast form: a KC×(NV·W) strip of B (32 KiB at 128, float,
    // AVX-512) is reused by all MR-row blocks while the A strip (KC×r) stays in L1/L2.
    // Zen 4, Wᵀ·X 5000×2000 r=50: KC = 64 was slower, 224 no better than 128 (within
    // noise), and 128 keeps the tail panel KC×W at 8 KiB. 8×3 tiles: no better than 6×4.
    static constexpr std::size_t KC = (CAP / W) < 128 ? (CAP / W) : 128;

    // C[r][v] (+)= Σ_k a[r·a_rs + k·a_ks] · b[k·ldb + v·W]. If rem != 0 the last vector
    // column holds only rem valid entries of C (B is readable for all W lanes).
    // pf: optional software prefetch of pf_rows rows (stride ldb) of pf_vecs vectors,
    // one row every `every` steps (see bcast_gemm).
    template <int mr, int nv>
    static void bcast_tile(std::size_t K, const T* a, std::size_t a_rs, std::size_t a_ks,
                           const T* b, std::size_t ldb, T* c, std::size_t ldc, bool acc,
                           std::size_t rem, const T* pf, std::size_t pf_rows, std::size_t pf_vecs,
                           std::size_t every) noexcept {
        B cc[mr][nv];
        alignas(64) T tmp[mr][W];
        if (acc) {
            for (int r = 0; r < mr; ++r)
                for (int v = 0; v < nv; ++v) {
                    const T* p = c + r * ldc + v * W;
                    if (rem != 0 && v == nv - 1) {
                        std::memset(tmp[r], 0, sizeof(tmp[r]));
                        std::memcpy(tmp[r], p, rem * sizeof(T));
                        cc[r][v] = B::load_aligned(tmp[r]);
                    } else {
                        cc[r][v] = B::load_unaligned(p);
                    }
                }
        } else {
            for (int r = 0; r < mr; ++r)
                for (int v = 0; v < nv; ++v) cc[r][v] = B(T(0));
        }
        std::size_t cnt = 0;
        for (std::size_t k = 0; k < K; ++k) {
            if (pf_rows != 0 && ++cnt == every) {
                cnt = 0;
                for (std::size_t v = 0; v < pf_vecs; ++v) prefetch(pf + v * W);
                pf += ldb;
                --pf_rows;
            }
            B bv[nv];
            for (int v = 0; v < nv; ++v) bv[v] = B::load_unaligned(b + v * W);
            for (int r = 0; r < mr; ++r) {
                const B av(a[r * a_rs]);
                for (int v = 0; v < nv; ++v) cc[r][v] = xsimd::fma(av, bv[v], cc[r][v]);
            }
            a += a_ks;
            b += ldb;
        }
        for (int r = 0; r < mr; ++r)
            for (int v = 0; v < nv; ++v) {
                T* p = c + r * ldc + v * W;
                if (rem != 0 && v == nv - 1) {
                    cc[r][v].store_aligned(tmp[r]);
                    std::memcpy(p, tmp[r], rem * sizeof(T));
                } else {
                    cc[r][v].store_unaligned(p);
                }
            }
    }

    using bcast_fn = void (*)(std::size_t, const T*, std::size_t, std::size_t, const T*,
                              std::size_t, T*, std::size_t, bool, std::size_t, const T*,
                              std::size_t, std::size_t, std::size_t) noexcept;

    struct bcast_table {
        bcast_fn f[MR][NV];
    };
    template <int mr, int... nv>
    static constexpr void fill_bcast_row(bcast_fn* row, std::integer_sequence<int, nv...>) noexcept {
        ((row[nv] = &bcast_tile<mr, nv + 1>), ...);
    }
    template <int... mr>
    static constexpr bcast_table make_bcast(std::integer_sequence<int, mr...>) noexcept {
        bcast_table t{};
        (fill_bcast_row<mr + 1>(t.f[mr], std::make_integer_sequence<int, NV>{}), ...);
        return t;
    }
    static bcast_fn bcast_pick(std::size_t mr, std::size_t nv) noexcept {
        static constexpr bcast_table t = make_bcast(std::make_integer_sequence<int, MR>{});
        return t.f[mr - 1][nv - 1];
    }

    // Splits n into ceil(n / max) blocks of nearly equal size (e.g. r = 50 with 6-row
    // tiles: 6,6,6,6,6,5,5,5,5 instead of 8×6 + 2), so no tile runs at a fraction.
    struct blocks {
        std::size_t count, base, extra;
        blocks(std::size_t n, std::size_t max) noexcept
            : count((n + max - 1) / max), base(count ? n / count : 0), extra(count ? n % count : 0) {}
        std::size_t start(std::size_t b) const noexcept { return b * base + kmin(b, extra); }
        std::size_t size(std::size_t b) const noexcept { return base + (b < extra ? 1 : 0); }
    };

    // C(M×N) = Σ_k A(i,k) B(k,j) with A(i,k) = a[i·a_rs + k·a_ks]. If b_padded, every row
    // of B is readable up to N rounded up to W (a packed panel); otherwise `panel` (KC×W)
    // receives the column tail of B.
    static void bcast_gemm(std::size_t M, std::size_t N, std::size_t K, const T* a,
                           std::size_t a_rs, std::size_t a_ks, const T* b, std::size_t ldb,
                           bool b_padded, T* c, std::size_t ldc, T* panel) noexcept {
        const std::size_t rem = N % W;
        const std::size_t nfull = N / W;
        const std::size_t nvec = nfull + ((b_padded && rem) ? 1 : 0);
        const bool packed_tail = rem != 0 && !b_padded;
        const blocks ib(M, MR), jb(nvec, NV);
        // Many rows and few columns (W·HHᵀ): rows outer, so A streams once.
        const bool rows_outer = M > 4 * N;
        for (std::size_t k0 = 0; k0 < K; k0 += KC) {
            const std::size_t kc = kmin(KC, K - k0);
            const bool acc = k0 != 0;
            if (packed_tail) {
                for (std::size_t k = 0; k < kc; ++k) {
                    const T* src = b + (k0 + k) * ldb + nfull * W;
                    T* dst = panel + k * W;
                    for (std::size_t j = 0; j < W; ++j) dst[j] = j < rem ? src[j] : T(0);
                }
            }
            // Columns outer (Wᵀ·X): the first row block of a column group would wait on
            // DRAM for the whole KC×(NV·W) strip of X; instead every row block prefetches
            // a slice of the next group's strip (measured: 41 → ~80 GFLOPS, 5000×2000 r=50).
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
                    if (pf) pf += first * ldb;
                }
                bcast_pick(mr, nv)(kc, a + i * a_rs + k0 * a_ks, a_rs, a_ks, b + k0 * ldb + j * W,
                                   ldb, c + i * ldc + j * W, ldc, acc, last_partial ? rem : 0, pf,
                                   pf_rows, pf_vecs, 1);
            };
            auto tail = [&](std::size_t bi) noexcept {
                const std::size_t i = ib.start(bi), mr = ib.size(bi);
                bcast_pick(mr, 1)(kc, a + i * a_rs + k0 * a_ks, a_rs, a_ks, panel, W,
                                  c + i * ldc + nfull * W, ldc, acc, rem, nullptr, 0, 0, 1);
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
#if defined(__GNUC__) || defined(__clang__)
    __attribute__((noinline))
#endif
    static void bcast_gemm_unpadded(std::size_t M, std::size_t N, std::size_t K, const T* a,
                                    std::size_t a_rs, std::size_t a_ks, const T* b, std::size_t ldb,
                                    T* c, std::size_t ldc) noexcept {
        alignas(64) T panel[KC * W];
        bcast_gemm(M, N, K, a, a_rs, a_ks, b, ldb, false, c, ldc, panel);
    }

    static void zero(std::size_t M, std::size_t N, T* c, std::size_t ldc) noexcept {
        for (std::size_t i = 0; i < M; ++i)
            for (std::size_t j = 0; j < N; ++j) c[i * ldc + j] = T(0);
    }

    // Dot-form tile: acc[r][s] += A[r][k..k+W) ∘ B[s][k..k+W); requires K ≥ W. The K tail
    // is one overlapping vector ending at K with the already-counted lanes masked off in A.
    template <int mr, int nr>
    static void dot_tile(std::size_t K, const T* a, std::size_t lda, const T* b,
                         std::size_t ldb, T* c, std::size_t ldc,
                         const xsimd::batch_bool<T, Arch>& tail_mask, const T* pf,
                         std::size_t pf_rows, std::size_t pf_lines, std::size_t every) noexcept {
        B acc[mr][nr];
        for (int r = 0; r < mr; ++r)
            for (int s = 0; s < nr; ++s) acc[r][s] = B(T(0));
        std::size_t k = 0, cnt = 0;
        for (; k + W <= K; k += W) {
            if (pf_lines != 0 && ++cnt == every) {
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

    using dot_fn = void (*)(std::size_t, const T*, std::size_t, const T*, std::size_t, T*,
                            std::size_t, const xsimd::batch_bool<T, Arch>&, const T*, std::size_t,
                            std::size_t, std::size_t) noexcept;
    struct dot_table {
        dot_fn f[DMR][DNR];
    };
    template <int mr, int... nr>
    static constexpr void fill_dot_row(dot_fn* row, std::integer_sequence<int, nr...>) noexcept {
        ((row[nr] = &dot_tile<mr, nr + 1>), ...);
    }
    template <int... mr>
    static constexpr dot_table make_dot(std::integer_sequence<int, mr...>) noexcept {
        dot_table t{};
        (fill_dot_row<mr + 1>(t.f[mr], std::make_integer_sequence<int, DNR>{}), ...);
        return t;
    }
    static dot_fn dot_pick(std::size_t mr, std::size_t nr) noexcept {
        static constexpr dot_table t = make_dot(std::make_integer_sequence<int, DMR>{});
        return t.f[mr - 1][nr - 1];
    }

    static void gemm_nt(std::size_t M, std::size_t N, std::size_t K, const T* A, std::size_t lda,
                        const T* Bm, std::size_t ldb, T* C, std::size_t ldc) noexcept {
        if (M == 0 || N == 0) return;
        if (K == 0) return zero(M, N, C, ldc);
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
                    for (std::size_t j = 0; j < ncp; ++j)
                        dst[j] = j < nc ? Bm[(j0 + j) * ldb + k] : T(0);
                }
                bcast_gemm(M, nc, K, A, lda, 1, panel, ncp, true, C + j0, ldc, nullptr);
            }
            return;
        }
        alignas(64) static constexpr T iota[64] = {
            0,  1,  2,  3,  4,  5,  6,  7,  8,  9,  10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21,
            22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40, 41, 42, 43,
            44, 45, 46, 47, 48, 49, 50, 51, 52, 53, 54, 55, 56, 57, 58, 59, 60, 61, 62, 63};
        static_assert(W <= 64, "vector wider than the lane table");
        const auto mask = B::load_aligned(iota) >= B(T(W - K % W));
        const blocks ib(M, DMR), jb(N, DNR);
        // A rows (X, streamed from memory) outer; all of B (H, r×m) stays in L2. Each
        // column tile prefetches a slice of the next row block, one line per row every
        // jb.count steps, so the DRAM stream is spread over the whole row block instead of
        // stalling its first tile (measured: 53 → ~100 GFLOPS for X·Hᵀ, 5000×2000 r=50).
        const std::size_t lines = (K * sizeof(T) + 63) / 64;
        const std::size_t slice = (lines + jb.count - 1) / jb.count;
        for (std::size_t bi = 0; bi < ib.count; ++bi) {
            const std::size_t i = ib.start(bi), mr = ib.size(bi);
            const bool more = bi + 1 < ib.count;
            for (std::size_t bj = 0; bj < jb.count; ++bj) {
                const std::size_t j = jb.start(bj), nr = jb.size(bj);
                const std::size_t first = kmin(lines, bj * slice);
                const T* pf = more ? A + ib.start(bi + 1) * lda + first * (64 / sizeof(T)) : nullptr;
                dot_pick(mr, nr)(K, A + i * lda, lda, Bm + j * ldb, ldb, C + i * ldc + j, ldc, mask, pf,
                                 more ? ib.size(bi + 1) : 0, more ? kmin(slice, lines - first) : 0,
                                 jb.count);
            }
        }
    }

    static void gemm_tn(std::size_t M, std::size_t N, std::size_t K, const T* A, std::size_t lda,
                        const T* Bm, std::size_t ldb, T* C, std::size_t ldc) noexcept {
        if (M == 0 || N == 0) return;
        if (K == 0) return zero(M, N, C, ldc);
        bcast_gemm_unpadded(M, N, K, A, 1, lda, Bm, ldb, C, ldc);
    }

    static void gemm_nn(std::size_t M, std::size_t N, std::size_t K, const T* A, std::size_t lda,
                        const T* Bm, std::size_t ldb, T* C, std::size_t ldc) noexcept {
        if (M == 0 || N == 0) return;
        if (K == 0) return zero(M, N, C, ldc);
        const std::size_t npad = (N + W - 1) / W * W;
        if (N % W != 0 && npad * K <= CAP) {
            // Small B with a column tail (W·HHᵀ, r = 50): pad it once so every tile is full width.
            alignas(64) T panel[CAP];
            for (std::size_t k = 0; k < K; ++k)
                for (std::size_t j = 0; j < npad; ++j)
                    panel[k * npad + j] = j < N ? Bm[k * ldb + j] : T(0);
            return bcast_gemm(M, N, K, A, lda, 1, panel, npad, true, C, ldc, nullptr);
        }
        bcast_gemm_unpadded(M, N, K, A, lda, 1, Bm, ldb, C, ldc);
    }

    static void mu_update(std::size_t rows, std::size_t cols, T* x, std::size_t ldx, const T* num,
                          std::size_t ldn, const T* den, std::size_t ldd, T eps) noexcept {
        const B veps(eps), zero_v(T(0));
        for (std::size_t i = 0; i < rows; ++i) {
            T* xr = x + i * ldx;
            const T* nr = num + i * ldn;
            const T* dr = den + i * ldd;
            std::size_t j = 0;
            for (; j + W <= cols; j += W) {
                const B d = B::load_unaligned(dr + j);
                const B dd = xsimd::select(d == zero_v, veps, d);
                (B::load_unaligned(xr + j) * B::load_unaligned(nr + j) / dd).store_unaligned(xr + j);
            }
            for (; j < cols; ++j) {
                const T d = dr[j] != T(0) ? dr[j] : eps;
                xr[j] = xr[j] * nr[j] / d;
            }
        }
    }

    static constexpr kernel_table<T> table(const char* name) noexcept {
        return kernel_table<T>{name, &gemm_nt, &gemm_tn, &gemm_nn, &mu_update};
    }
};

}  // namespace
}  // namespace detail
}  // namespace nmfkit

// Defines `const kernel_table<T>* FN_<float|double>() noexcept` (external linkage,
// unique per ISA TU) returning the tables for Arch.
#define NMFKIT_DEFINE_SIMD_TABLES(FN, ARCH, REGS, NAME)                                      \
    namespace nmfkit {                                                                       \
    namespace detail {                                                                       \
    const kernel_table<float>* FN##_float() noexcept {                                       \
        static constexpr kernel_table<float> t = simd_kernels<float, ARCH, REGS>::table(NAME);   \
        return &t;                                                                           \
    }                                                                                        \
    const kernel_table<double>* FN##_double() noexcept {                                     \
        static constexpr kernel_table<double> t = simd_kernels<double, ARCH, REGS>::table(NAME); \
        return &t;                                                                           \
    }                                                                                        \
    }                                                                                        \
    }
