// WebAssembly SIMD128 float GEMM (gemm_nt, gemm_tn, gemm_nn and gemm_tn_acc of
// kernel_table<float>), written with <wasm_simd128.h> for V8's TurboFan instead of the
// generic xsimd templates: faster there, and smaller. Included by the Emscripten kernel TUs
// only (simd_default.cpp, simd_wasm_lite.cpp), whose tables take these four entries through
// with_wasm_gemm. Shaped for TurboFan: at most 15 vector registers, no FMA, and every K step
// its own basic block (`if (--n == 0) break` after each step), so a tile's live values are
// its accumulators plus one step's loads. Edge tiles recompute a duplicate row or read a
// zero-padded copy and store only what is valid. Why, and the measurements:
// docs/performance.md.
#pragma once

#include "kernels/kernels.hpp"

#include <wasm_simd128.h>

#include <cstddef>

namespace nmfkit {
namespace detail {
namespace {
namespace wasm_gemm {

using std::size_t;
using f4 = v128_t;

inline f4 ld(const float* p) noexcept { return wasm_v128_load(p); }
inline f4 bc(const float* p) noexcept { return wasm_v128_load32_splat(p); }
#if defined(__wasm_relaxed_simd__)
// nmfkit-relaxed*.wasm (clang-19, -mrelaxed-simd): f32x4.relaxed_madd, a·b + c fused or not as
// the engine decides (V8 on x86 with FMA3: vfmadd). Either way within an ulp of mul+add per step.
inline f4 madd(f4 c, f4 a, f4 b) noexcept { return wasm_f32x4_relaxed_madd(a, b, c); }
#else
inline f4 madd(f4 c, f4 a, f4 b) noexcept { return wasm_f32x4_add(c, wasm_f32x4_mul(a, b)); }
#endif
inline size_t mn(size_t a, size_t b) noexcept { return a < b ? a : b; }

// Floats of the stack panels (12 KiB; with gemm_nt's 2 KiB Bᵀ copy the deepest chain stays
// under the 16 KiB rule).
constexpr size_t PANEL = 3072;

// C[r][0..cols) (+)= s[r][·] for r < rows.
template <int R, int V>
inline void put(f4 (&s)[R][V], float* c, size_t ldc, size_t rows, size_t cols, bool acc) noexcept {
    for (size_t r = 0; r < rows; ++r)
        for (size_t v = 0; v < V; ++v) {
            float* p = c + r * ldc + v * 4;
            if (v * 4 + 4 <= cols) {
                wasm_v128_store(p, acc ? wasm_f32x4_add(s[r][v], ld(p)) : s[r][v]);
            } else if (v * 4 < cols) {
                alignas(16) float t[4];
                wasm_v128_store(t, s[r][v]);
                for (size_t q = 0; q < cols - v * 4; ++q) p[q] = acc ? p[q] + t[q] : t[q];
            }
        }
}

// Broadcast tile: C[r][4v ..] (+)= Σ_k a[k·lda + r] · b[k·ldb + 4v ..], 4 rows × 2 vectors,
// K ≥ 1. Each step bumps its two pointers (an add each) rather than forming k·lda: the
// unrolled offsets 2·lda, 3·lda cost V8 two to four lea and a spilled register per step.
__attribute__((noinline)) void tile_b(size_t K, const float* a, size_t lda, const float* b, size_t ldb, float* c,
                                      size_t ldc, size_t rows, size_t cols, bool acc) noexcept {
    f4 s[4][2];
    for (auto& r : s) r[0] = r[1] = wasm_f32x4_splat(0.f);
    auto step = [&](const float* x, const float* y) noexcept {
        const f4 y0 = ld(y), y1 = ld(y + 4);
        for (int r = 0; r < 4; ++r) {
            const f4 xr = bc(x + r);
            s[r][0] = madd(s[r][0], xr, y0);
            s[r][1] = madd(s[r][1], xr, y1);
        }
    };
    // The pointers move only between steps: past the last row of B they would point
    // outside the array (ldb may be huge where K is 1).
    size_t n = K;
    auto next = [&]() noexcept {
        step(a, b);
        if (--n == 0) return false;
        a += lda;
        b += ldb;
        return true;
    };
    while (next() && next() && next() && next()) {
    }
    put(s, c, ldc, rows, cols, acc);
}

inline float hsum(f4 v) noexcept {
    v = wasm_f32x4_add(v, wasm_i32x4_shuffle(v, v, 2, 3, 0, 1));
    v = wasm_f32x4_add(v, wasm_i32x4_shuffle(v, v, 1, 0, 3, 2));
    return wasm_f32x4_extract_lane(v, 0);
}

// Dot tile: C[r][s] = Σ_{k < 4n} A[r][k] · B[s][k], 2 rows of A (at a + r·lda) × 4 rows
// of B (at b + s·ldb), n ≥ 1; rows past `rows` / `cols` alias row 0 and are not stored.
// X·Hᵀ streams X rows once (row pairs outer, K unblocked); H (r×m) stays in L2.
__attribute__((noinline)) void tile_d(size_t n, const float* a, size_t lda, size_t rows, const float* b, size_t ldb,
                                      size_t cols, float* c, size_t ldc) noexcept {
    const float* a0 = a;
    const float* a1 = a + (rows > 1 ? lda : 0);
    const float* b0 = b;
    const float* b1 = b + (cols > 1 ? ldb : 0);
    const float* b2 = b + (cols > 2 ? 2 * ldb : 0);
    const float* b3 = b + (cols > 3 ? 3 * ldb : 0);
    f4 s[2][4];
    for (auto& r : s) r[0] = r[1] = r[2] = r[3] = wasm_f32x4_splat(0.f);
    auto step = [&](size_t o) noexcept {
        const f4 x0 = ld(a0 + o), x1 = ld(a1 + o);
        const float* bs[4] = {b0, b1, b2, b3};
        for (int j = 0; j < 4; ++j) {
            const f4 y = ld(bs[j] + o);
            s[0][j] = madd(s[0][j], x0, y);
            s[1][j] = madd(s[1][j], x1, y);
        }
    };
    // 4 steps a round: the 6 pointer adds and V8's stack check are paid once per 16 k
    // (8 steps a round measured no faster).
    for (;;) {
#pragma clang loop unroll(full)
        for (int u = 0; u < 4; ++u) {
            step(size_t(u) * 4);
            if (--n == 0) goto done;
        }
        a0 += 16;
        a1 += 16;
        b0 += 16;
        b1 += 16;
        b2 += 16;
        b3 += 16;
    }
done:
    for (size_t r = 0; r < rows; ++r)
        for (size_t j = 0; j < cols; ++j) c[r * ldc + j] = hsum(s[r][j]);
}

// p[4k + r] = A(r, k) = a[r·ais + k·aks] for k < kc, r < 4 (zero from `rows` on).
void pack4(float* p, const float* a, size_t ais, size_t aks, size_t rows, size_t kc) noexcept {
    size_t k = 0;
    if (aks == 1 && rows == 4)  // 4×4 transposes (W·HHᵀ: the scalar copy took a third of it)
        for (; k + 4 <= kc; k += 4, p += 16) {
            const f4 r0 = ld(a + k), r1 = ld(a + ais + k), r2 = ld(a + 2 * ais + k), r3 = ld(a + 3 * ais + k);
            const f4 t0 = wasm_i32x4_shuffle(r0, r1, 0, 4, 1, 5), t1 = wasm_i32x4_shuffle(r2, r3, 0, 4, 1, 5);
            const f4 t2 = wasm_i32x4_shuffle(r0, r1, 2, 6, 3, 7), t3 = wasm_i32x4_shuffle(r2, r3, 2, 6, 3, 7);
            wasm_v128_store(p, wasm_i32x4_shuffle(t0, t1, 0, 1, 4, 5));
            wasm_v128_store(p + 4, wasm_i32x4_shuffle(t0, t1, 2, 3, 6, 7));
            wasm_v128_store(p + 8, wasm_i32x4_shuffle(t2, t3, 0, 1, 4, 5));
            wasm_v128_store(p + 12, wasm_i32x4_shuffle(t2, t3, 2, 3, 6, 7));
        }
    for (; k < kc; ++k, p += 4)
        for (size_t r = 0; r < 4; ++r) p[r] = r < rows ? a[r * ais + k * aks] : 0.f;
}

// One K block of kc ≥ 1 steps: C(M×N) (+)= A·B with the 4-row groups of A at a + g·gs
// (k stride lda) and B rows at b + k·ldb; `tail` (kc×8) takes the last N mod 8 columns,
// zero-padded, so every tile reads whole vectors.
void block(size_t M, size_t N, size_t kc, const float* a, size_t gs, size_t lda, const float* b, size_t ldb, float* c,
           size_t ldc, float* tail, bool acc) noexcept {
    const size_t full = N / 8 * 8;
    for (size_t j = 0; j < N; j += 8) {
        const float* bj = b + j;
        size_t lb = ldb;
        if (j == full) {
            for (size_t k = 0; k < kc; ++k)
                for (size_t q = 0; q < 8; ++q) tail[k * 8 + q] = j + q < N ? bj[k * ldb + q] : 0.f;
            bj = tail;
            lb = 8;
        }
        for (size_t g = 0; g < M; g += 4)
            tile_b(kc, a + g / 4 * gs, lda, bj, lb, c + g * ldc + j, ldc, mn(4, M - g), mn(8, N - j), acc);
    }
}

// C(M×N) = A·B, or C += A·B if acc, with A(i,k) = a[i·ais + k·aks] and B rows at
// b + k·ldb (columns outer, so a B strip is reused from L1 by all row groups).
void run_b(size_t M, size_t N, size_t K, const float* a, size_t ais, size_t aks, const float* b, size_t ldb, float* c,
           size_t ldc, bool acc = false) noexcept {
    alignas(16) float panel[PANEL];
    if (ais == 1 && M % 4 == 0) {
        // Wᵀ·X: the 4 broadcasts of a step are contiguous in W already. K blocks of 384.
        constexpr size_t KC = PANEL / 8;
        for (size_t k0 = 0; k0 < K; k0 += KC)
            block(M, N, mn(KC, K - k0), a + k0 * aks, 4, aks, b + k0 * ldb, ldb, c, ldc, panel, acc || k0 != 0);
        return;
    }
    // Otherwise A is packed, 64 rows at a time, into zero-padded [k][4] panels.
    constexpr size_t MC = 64;
    for (size_t m0 = 0; m0 < M; m0 += MC) {
        const size_t mc = mn(MC, M - m0), mp = (mc + 3) / 4 * 4;
        const size_t KC = mn(512, PANEL / (mp + 8));
        for (size_t k0 = 0; k0 < K; k0 += KC) {
            const size_t kc = mn(KC, K - k0);
            for (size_t g = 0; g < mc; g += 4)
                pack4(panel + g * kc, a + (m0 + g) * ais + k0 * aks, ais, aks, mn(4, mc - g), kc);
            block(mc, N, kc, panel, 4 * kc, 4, b + k0 * ldb, ldb, c + m0 * ldc, ldc, panel + mp * kc, acc || k0 != 0);
        }
    }
}

void zero(size_t M, size_t N, float* c, size_t ldc) noexcept {
    for (size_t i = 0; i < M; ++i)
        for (size_t j = 0; j < N; ++j) c[i * ldc + j] = 0.f;
}

void gemm_nt(size_t M, size_t N, size_t K, const float* A, size_t lda, const float* B, size_t ldb, float* C,
             size_t ldc) noexcept {
    if (M == 0 || N == 0) return;
    if (K == 0) return zero(M, N, C, ldc);
    if (K >= 16) {  // the dot form; the K mod 4 tail in scalar code afterwards
        for (size_t i = 0; i < M; i += 2)
            for (size_t j = 0; j < N; j += 4)
                tile_d(K / 4, A + i * lda, lda, mn(2, M - i), B + j * ldb, ldb, mn(4, N - j), C + i * ldc + j, ldc);
        if (const size_t k4 = K / 4 * 4; k4 != K)
            for (size_t i = 0; i < M; ++i)
                for (size_t j = 0; j < N; ++j) {
                    float t = 0.f;
                    for (size_t k = k4; k < K; ++k) t += A[i * lda + k] * B[j * ldb + k];
                    C[i * ldc + j] += t;
                }
        return;
    }
    // Small K (the dot form would spend more on reductions than on products): Bᵀ copied,
    // 32 or more columns at a time, then the broadcast form.
    alignas(16) float bt[512];
    const size_t nc = 512 / K / 8 * 8;
    for (size_t j0 = 0; j0 < N; j0 += nc) {
        const size_t w = mn(nc, N - j0);
        for (size_t k = 0; k < K; ++k)
            for (size_t j = 0; j < w; ++j) bt[k * w + j] = B[(j0 + j) * ldb + k];
        run_b(M, w, K, A, lda, 1, bt, w, C + j0, ldc);
    }
}

void gemm_tn(size_t M, size_t N, size_t K, const float* A, size_t lda, const float* B, size_t ldb, float* C,
             size_t ldc) noexcept {
    if (M == 0 || N == 0) return;
    if (K == 0) return zero(M, N, C, ldc);
    run_b(M, N, K, A, 1, lda, B, ldb, C, ldc);
}

void gemm_tn_acc(size_t M, size_t N, size_t K, const float* A, size_t lda, const float* B, size_t ldb, float* C,
                 size_t ldc) noexcept {
    if (M != 0 && N != 0 && K != 0) run_b(M, N, K, A, 1, lda, B, ldb, C, ldc, true);
}

void gemm_nn(size_t M, size_t N, size_t K, const float* A, size_t lda, const float* B, size_t ldb, float* C,
             size_t ldc) noexcept {
    if (M == 0 || N == 0) return;
    if (K == 0) return zero(M, N, C, ldc);
    run_b(M, N, K, A, lda, 1, B, ldb, C, ldc);
}

}  // namespace wasm_gemm

// Replaces the GEMM entries of a SIMD128 float table (gemm_tn_acc included: the solver's
// one-pass Frobenius iteration then runs in wasm too).
constexpr kernel_table<float> with_wasm_gemm(kernel_table<float> t) noexcept {
    t.gemm_nt = &wasm_gemm::gemm_nt;
    t.gemm_tn = &wasm_gemm::gemm_tn;
    t.gemm_nn = &wasm_gemm::gemm_nn;
    t.gemm_tn_acc = &wasm_gemm::gemm_tn_acc;
    return t;
}

}  // namespace
}  // namespace detail
}  // namespace nmfkit
