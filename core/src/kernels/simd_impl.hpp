// xsimd kernel sets, templated on the xsimd architecture. Include this header only
// from a per-ISA translation unit (simd_*.cpp) and instantiate it there with
// NMFKIT_DEFINE_SIMD_TABLES. Everything here has internal linkage (anonymous
// namespace) or depends on Arch, so code built under -mavx512f never merges with
// code built under baseline flags (the SIGILL/ODR trap). Do not call std:: algorithm
// templates here for the same reason: they would be comdat-shared across ISA TUs.
#pragma once

#include "kernels/kernels.hpp"
#include "beta.hpp"

#include <xsimd/xsimd.hpp>

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <limits>
#include <type_traits>
#include <utility>

#ifndef NMFKIT_EXTENDED
#define NMFKIT_EXTENDED 1
#endif

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

// WebAssembly SIMD128 (xsimd's sse4_1 lowered by Emscripten): V8 allocates 15 vector
// registers to wasm and has no FMA instruction (xsimd's fma is a mul and an add, so each
// product needs a temporary), and wasm has no prefetch. The wasm modules take their GEMM
// entries from gemm_wasm.hpp instead of the tiles below (~15% faster there); the wasm
// values of the tile constants below are the ones these templates measured best in V8
// before that (no spills), and the prefetch bookkeeping is compiled out.
#if defined(__wasm_simd128__)
constexpr bool k_wasm_simd = true;
#else
constexpr bool k_wasm_simd = false;
#endif

#if defined(__ARM_NEON) && !defined(__aarch64__) && !defined(_M_ARM64)
constexpr bool k_ieee_vdiv = false;
#else
constexpr bool k_ieee_vdiv = true;
#endif

// Whether the architecture has double lanes: xsimd 8.1 declares batch<double, neon>
// (32-bit NEON) with an empty register, so its size is 0.
template <class Arch>
constexpr bool has_double_lanes = xsimd::batch<double, Arch>::size >= 2;

inline void prefetch(const void* p) noexcept {
#if defined(__GNUC__) || defined(__clang__)
    __builtin_prefetch(p, 0, 3);
#else
    (void)p;
#endif
}


// Correctly rounded a / b. xsimd 8.1's neon64 float division falls back to the armv7 path
// (reciprocal estimate + 2 Newton steps, not IEEE); AArch64 has a real vdivq_f32.
template <class T, class Arch>
inline xsimd::batch<T, Arch> vdiv(const xsimd::batch<T, Arch>& a, const xsimd::batch<T, Arch>& b) noexcept {
#if defined(__aarch64__) || defined(_M_ARM64)
    if constexpr (std::is_same<T, float>::value && std::is_same<Arch, xsimd::neon64>::value)
        return xsimd::batch<T, Arch>(vdivq_f32(a, b));
#endif
    return a / b;
}

// Vector math of the β kernels, built from IEEE bit manipulation and polynomials only:
// xsimd 8.1's log/exp/frexp/ldexp convert between double and int64 lanes, which SSE2 and
// AVX2 lack (emulated lane by lane: slower than scalar code).
//   log x = E·ln2 + log m,  x = m·2^E, m ∈ [√½, √2): musl's log/logf kernel (fdlibm, < 1 ulp).
//   x^e: exp(e·ln x) in working precision loses |e·ln x| ulp (1e30^-2.5 in float: ~170 ulp),
//   so e·E is formed exactly from e = e_hi + e_lo (e_hi short enough that e_hi·E is exact)
//   and only the small remainder s ∈ [−½, ½] goes through 2^s (Taylor, degree 7 / 13).
// A few ulp over the whole range, subnormal x included (tests/test_kernels.cpp measures it).
template <class T, class Arch>
struct simd_math {
    using B = xsimd::batch<T, Arch>;
    using U = xsimd::batch<typename std::conditional<sizeof(T) == 4, std::uint32_t, std::uint64_t>::type, Arch>;
    using u_t = typename U::value_type;
    static constexpr bool f32 = sizeof(T) == 4;
    static constexpr int mant = std::numeric_limits<T>::digits - 1;       // 23 | 52
    static constexpr int bias = std::numeric_limits<T>::max_exponent - 1;  // 127 | 1023
    static constexpr T two_mant = f32 ? T(8388608.0) : T(4503599627370496.0);  // 2^mant

    static B c(T v) noexcept { return B(v); }
    static u_t bits_of(T v) noexcept {
        u_t u;
        std::memcpy(&u, &v, sizeof u);
        return u;
    }

    // x normal, > 0: x = m·2^E with m ∈ [√½, √2); returns m, E as an integral T.
    static B reduce(const B& x, B& E) noexcept {
        const U bits = xsimd::bitwise_cast<U>(x);
        const B field = xsimd::bitwise_cast<B>((bits >> mant) | U(bits_of(two_mant))) - c(two_mant);
        B m = xsimd::bitwise_cast<B>((bits & U((u_t(1) << mant) - 1)) | U(bits_of(T(1))));  // [1, 2)
        const auto hi = m > c(T(1.41421356237309504880));
        m = xsimd::select(hi, m * c(T(0.5)), m);
        E = field - c(T(bias)) + xsimd::select(hi, c(T(1)), c(T(0)));
        return m;
    }

    // Subnormal x: scaled into the normal range first.
    static B reduce_any(const B& x, B& E) noexcept {
        const auto sub = x < B(std::numeric_limits<T>::min());
        const T up = f32 ? T(16777216.0) : T(9007199254740992.0);  // 2^(mant+1)
        const B m = reduce(xsimd::select(sub, x * c(up), x), E);
        E -= xsimd::select(sub, c(T(mant + 1)), c(T(0)));
        return m;
    }

    // log(m) − f and f = m − 1 for m ∈ [√½, √2) (musl log / logf).
    static B log_m(const B& m, B& f) noexcept {
        f = m - c(T(1));
        const B hfsq = c(T(0.5)) * f * f;
        const B s = vdiv(f, c(T(2)) + f);
        const B z = s * s, w = z * z;
        B R;
        if (f32) {
            const B t1 = w * (c(T(0.40000972152)) + w * c(T(0.24279078841)));
            const B t2 = z * (c(T(0.66666662693)) + w * c(T(0.28498786688)));
            R = t2 + t1;
        } else {
            const B t1 = w * (c(T(3.999999999940941908e-01)) +
                              w * (c(T(2.222219843214978396e-01)) + w * c(T(1.531383769920937332e-01))));
            const B t2 = z * (c(T(6.666666666666735130e-01)) +
                              w * (c(T(2.857142874366239149e-01)) +
                                   w * (c(T(1.818357216161805012e-01)) + w * c(T(1.479819860511658591e-01)))));
            R = t2 + t1;
        }
        return s * (hfsq + R) - hfsq;  // log m = this + f
    }

    static B log(const B& x) noexcept {
        B E, f;
        const B m = reduce_any(x, E);
        const B lm = log_m(m, f);
        const T ln2_hi = f32 ? T(6.9313812256e-01) : T(6.93147180369123816490e-01);
        const T ln2_lo = f32 ? T(9.0580006145e-06) : T(1.90821492927058770002e-10);
        B r = (lm + E * c(ln2_lo)) + f + E * c(ln2_hi);
        const T inf = std::numeric_limits<T>::infinity();
        r = xsimd::select(x == c(T(0)), c(-inf), r);
        r = xsimd::select(x == c(inf), c(inf), r);
        return xsimd::select(x < c(T(0)) || x != x, c(std::numeric_limits<T>::quiet_NaN()), r);
    }

    // 2^s for |s| ≤ ½ (Taylor series of exp(s·ln2)).
    static B exp2_small(const B& s) noexcept {
        if (f32) {
            B p = c(T(1.5252733804059838e-05));
            p = p * s + c(T(0.00015403530393381606));
            p = p * s + c(T(0.0013333558146428441));
            p = p * s + c(T(0.009618129107628477));
            p = p * s + c(T(0.055504108664821576));
            p = p * s + c(T(0.2402265069591007));
            p = p * s + c(T(0.6931471805599453));
            return p * s + c(T(1));
        } else {
            B p = c(T(1.3691488853904124e-12));
            p = p * s + c(T(2.5678435993488196e-11));
            p = p * s + c(T(4.44553827187081e-10));
            p = p * s + c(T(7.054911620801121e-09));
            p = p * s + c(T(1.0178086009239696e-07));
            p = p * s + c(T(1.3215486790144305e-06));
            p = p * s + c(T(1.5252733804059838e-05));
            p = p * s + c(T(0.00015403530393381606));
            p = p * s + c(T(0.0013333558146428441));
            p = p * s + c(T(0.009618129107628477));
            p = p * s + c(T(0.055504108664821576));
            p = p * s + c(T(0.2402265069591007));
            p = p * s + c(T(0.6931471805599453));
            return p * s + c(T(1));
        }
    }

    // 2^n for integral n in [1 − bias, bias]: the biased exponent n + bias is the low
    // mantissa bits of 2^mant + n + bias, shifted into place.
    static B pow2i(const B& n) noexcept {
        return xsimd::bitwise_cast<B>(xsimd::bitwise_cast<U>(n + c(two_mant + T(bias))) << mant);
    }

    // Rounds to an integral value (|v| < 2^mant; ties: either way).
    static B round_int(const B& v) noexcept {
        const B big = xsimd::select(v < c(T(0)), c(-T(1.5) * two_mant), c(T(1.5) * two_mant));
        return (v + big) - big;
    }

    // e^x (used by the tests only): Cody–Waite reduction x = n·ln2 + r, then 2^(r·log2 e).
    static B exp(const B& x) noexcept {
        const T lim = T(2 * (bias - 1));
        const B n = round_int(xsimd::min(xsimd::max(x * c(T(1.44269504088896340736)), c(-lim)), c(lim)));
        const T ln2_hi = f32 ? T(0.693145751953125) : T(6.93147180369123816490e-01);  // n·ln2_hi exact
        const T ln2_lo = f32 ? T(1.428606765330187045e-06) : T(1.90821492927058770002e-10);
        const B r = (x - n * c(ln2_hi)) - n * c(ln2_lo);
        const B n1 = round_int(n * c(T(0.5)));
        return exp2_small(r * c(T(1.44269504088896340736))) * pow2i(n1) * pow2i(n - n1);
    }

    struct exponent {
        T e, hi, lo, at0, atinf;
    };
    static exponent split(T e) noexcept {
        u_t u = bits_of(e);
        // Keep 12 (float) / 26 (double) significant bits: |E| < 2^8 / 2^11, so e_hi·E is exact.
        u &= ~((u_t(1) << (f32 ? 12 : 27)) - 1);
        exponent x;
        x.e = e;
        std::memcpy(&x.hi, &u, sizeof u);
        x.lo = e - x.hi;
        const T inf = std::numeric_limits<T>::infinity();
        x.at0 = e > 0 ? T(0) : e == 0 ? T(1) : inf;  // std::pow(0, e), std::pow(inf, e)
        x.atinf = e > 0 ? inf : e == 0 ? T(1) : T(0);
        return x;
    }

    // x^e for x ≥ 0 (x = 0, inf and NaN as std::pow).
    static B pow(const B& x, const exponent& p) noexcept {
        B E, f;
        const B m = reduce_any(x, E);
        const B l2m = (log_m(m, f) + f) * c(T(1.44269504088896340736));  // log2 m, |·| ≤ ½
        const B a = c(p.hi) * E;                                          // exact
        B n = round_int(a);
        B s = (a - n) + (c(p.lo) * E + c(p.e) * l2m);
        const B n2 = round_int(s);
        s -= n2;
        const T lim = T(2 * (bias - 1));  // beyond: inf or 0 anyway
        n = xsimd::min(xsimd::max(n + n2, c(-lim)), c(lim));
        const B n1 = round_int(n * c(T(0.5)));
        B r = exp2_small(s) * pow2i(n1) * pow2i(n - n1);  // one rounding if subnormal
        r = xsimd::select(x == c(T(0)), c(p.at0), r);
        r = xsimd::select(x == c(std::numeric_limits<T>::infinity()), c(p.atinf), r);
        return xsimd::select(x != x, p.e == 0 ? c(T(1)) : x, r);
    }
};

// Lane indices 0, 1, 2, ... (tail masks).
template <class T>
struct lane_iota {
    alignas(64) static constexpr T v[64] = {
        0,  1,  2,  3,  4,  5,  6,  7,  8,  9,  10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21,
        22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40, 41, 42, 43,
        44, 45, 46, 47, 48, 49, 50, 51, 52, 53, 54, 55, 56, 57, 58, 59, 60, 61, 62, 63};
};

// The first `rem` (< lane count) lanes of a vector at p: masked loads / stores on AVX-512
// and AVX2 (masked-off lanes are never touched, so no fault past the end), a stack copy
// elsewhere. The copy (a memcpy of a run-time length: a libc call) made W·HHᵀ at r = 20
// run at 50 GFLOPS on Zen 4: every 6×2 tile ends in 6 of them.
template <class T, class Arch>
struct partial {
    using B = xsimd::batch<T, Arch>;
    static constexpr std::size_t W = B::size;
#if defined(__AVX512F__)
    static constexpr bool avx512 = std::is_same<Arch, xsimd::avx512f>::value;
#else
    static constexpr bool avx512 = false;
#endif
#if defined(__AVX2__)
    static constexpr bool avx2 = std::is_same<Arch, xsimd::fma3<xsimd::avx2>>::value ||
                                 std::is_same<Arch, xsimd::avx2>::value;
#else
    static constexpr bool avx2 = false;
#endif
    static B load(const T* p, std::size_t rem) noexcept {
#if defined(__AVX512F__)
        if constexpr (avx512 && sizeof(T) == 4)
            return B(_mm512_maskz_loadu_ps(static_cast<__mmask16>((1u << rem) - 1), p));
        if constexpr (avx512 && sizeof(T) == 8)
            return B(_mm512_maskz_loadu_pd(static_cast<__mmask8>((1u << rem) - 1), p));
#endif
#if defined(__AVX2__)
        if constexpr (avx2 && sizeof(T) == 4)
            return B(_mm256_maskload_ps(reinterpret_cast<const float*>(p), mask32(rem)));
        if constexpr (avx2 && sizeof(T) == 8)
            return B(_mm256_maskload_pd(reinterpret_cast<const double*>(p), mask64(rem)));
#endif
        alignas(64) T t[W] = {};
        std::memcpy(t, p, rem * sizeof(T));
        return B::load_aligned(t);
    }
    static void store(T* p, B v, std::size_t rem) noexcept {
#if defined(__AVX512F__)
        if constexpr (avx512 && sizeof(T) == 4)
            return _mm512_mask_storeu_ps(p, static_cast<__mmask16>((1u << rem) - 1), v);
        if constexpr (avx512 && sizeof(T) == 8)
            return _mm512_mask_storeu_pd(p, static_cast<__mmask8>((1u << rem) - 1), v);
#endif
#if defined(__AVX2__)
        if constexpr (avx2 && sizeof(T) == 4)
            return _mm256_maskstore_ps(reinterpret_cast<float*>(p), mask32(rem), v);
        if constexpr (avx2 && sizeof(T) == 8)
            return _mm256_maskstore_pd(reinterpret_cast<double*>(p), mask64(rem), v);
#endif
        alignas(64) T t[W];
        v.store_aligned(t);
        std::memcpy(p, t, rem * sizeof(T));
    }
    // The first n ≤ W lanes: a plain access when n == W, the masked one otherwise.
    static B load_upto(const T* p, std::size_t n) noexcept {
        return n == W ? B::load_unaligned(p) : load(p, n);
    }
    static void store_upto(T* p, B v, std::size_t n) noexcept {
        if (n == W) return v.store_unaligned(p);
        store(p, v, n);
    }
#if defined(__AVX2__)
    static __m256i mask32(std::size_t rem) noexcept {
        return _mm256_cmpgt_epi32(_mm256_set1_epi32(static_cast<int>(rem)), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
    }
    static __m256i mask64(std::size_t rem) noexcept {
        return _mm256_cmpgt_epi64(_mm256_set1_epi64x(static_cast<long long>(rem)), _mm256_setr_epi64x(0, 1, 2, 3));
    }
#endif
};

// Strip-ordered gemm_tn for the AVX-512F set (uses kmin, prefetch, k_wasm_simd above).
#include "kernels/gemm_packed.hpp"

// Regs: number of architectural vector registers (16 or 32); sets the tile sizes.
template <class T, class Arch, int Regs>
struct simd_kernels {
    using B = xsimd::batch<T, Arch>;
    static constexpr std::size_t W = B::size;

    // Broadcast-form tile (gemm_nn, gemm_tn, small-K gemm_nt): MR rows × NV vectors of
    // accumulators. 6×4 (32 regs) / 6×2 (16 regs) leave room for NV loads + 1
    // broadcast; 6 rows keep loads per FMA at (NV + MR) / (MR·NV) ≤ 0.42.
    // wasm: 4×2 (8 accumulators + 2 loads + broadcast + temporary; 6×2 spilled in V8).
    static constexpr int MR = k_wasm_simd ? 4 : 6;
    static constexpr int NV = Regs >= 32 ? 4 : 2;
    // Dot-form tile (large-K gemm_nt): MR×NR vector accumulators reduced once at the end.
    // 4×6 = 24 accumulators + 6 B rows + 1 A row = 31 of 32 registers.
    // wasm: 3×3 (3×4 spilled in V8).
    static constexpr int DMR = Regs >= 32 ? 4 : 3;
    static constexpr int DNR = Regs >= 32 ? 6 : k_wasm_simd ? 3 : 4;
    // Stack scratch: packed B panel (≤ 13 KiB; frames measured with -fstack-usage: the
    // deepest chain, gemm_nt → bcast_tile, stays under the 16 KiB rule).
    static constexpr std::size_t CAP = 13312 / sizeof(T);
    // K block for the broadcast form: a KC×(NV·W) strip of B (32 KiB at 128, float,
    // AVX-512) is reused by all MR-row blocks while the A strip (KC×r) stays in L1/L2.
    // Zen 4, Wᵀ·X 5000×2000 r=50: KC = 64 was slower, 224 no better than 128 (within
    // noise), and 128 keeps the tail panel KC×W at 8 KiB. 8×3 tiles: no better than 6×4.
    // wasm (no prefetch): 512. Measured in Node, fit of 2000×1000 r=20: 7.3 ms/iteration
    // at 128, 6.0 at 384–512, 7.2 at 832 (= CAP / W).
    static constexpr std::size_t KC_MAX = k_wasm_simd ? 512 : 128;
    static constexpr std::size_t KC = (CAP / W) < KC_MAX ? (CAP / W) : KC_MAX;

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
        if (acc) {
            for (int r = 0; r < mr; ++r)
                for (int v = 0; v < nv; ++v) {
                    const T* p = c + r * ldc + v * W;
                    if (rem != 0 && v == nv - 1)
                        cc[r][v] = partial<T, Arch>::load(p, rem);
                    else
                        cc[r][v] = B::load_unaligned(p);
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
                if (rem != 0 && v == nv - 1)
                    partial<T, Arch>::store(p, cc[r][v], rem);
                else
                    cc[r][v].store_unaligned(p);
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

    // C(M×N) = Σ_k A(i,k) B(k,j) with A(i,k) = a[i·a_rs + k·a_ks] (C += ... if acc_in). If
    // b_padded, every row of B is readable up to N rounded up to W (a packed panel); otherwise
    // `panel` (KC×W) receives the column tail of B.
    static void bcast_gemm(std::size_t M, std::size_t N, std::size_t K, const T* a,
                           std::size_t a_rs, std::size_t a_ks, const T* b, std::size_t ldb,
                           bool b_padded, T* c, std::size_t ldc, T* panel, bool acc_in = false) noexcept {
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
                                    T* c, std::size_t ldc, bool acc = false) noexcept {
        alignas(64) T panel[KC * W];
        bcast_gemm(M, N, K, a, a_rs, a_ks, b, ldb, false, c, ldc, panel, acc);
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

    // gemm_tn with C at most one vector wide and R (8 or 16) rows: WᵀW at r ≤ 16 (digits).
    // All R rows of C stay in registers for the whole K loop, so A and B are read once
    // (the 6-row broadcast tiles read B three times at r = 16, once per row block).
    // add: C += Aᵀ·B (gemm_tn_acc).
    template <int R>
    static void skinny_tn(std::size_t N, std::size_t K, const T* A, std::size_t lda, const T* Bm,
                          std::size_t ldb, T* C, std::size_t ldc, bool add) noexcept {
        B acc[R];
        for (int i = 0; i < R; ++i) {
            if (!add)
                acc[i] = B(T(0));
            else
                acc[i] = partial<T, Arch>::load_upto(C + i * ldc, N);
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

    // C = Aᵀ·B, or C += Aᵀ·B if acc (gemm_tn_acc): every path below already sums K blocks
    // into C, so accumulating only changes how the first block starts.
    static void gemm_tn_impl(std::size_t M, std::size_t N, std::size_t K, const T* A, std::size_t lda,
                             const T* Bm, std::size_t ldb, T* C, std::size_t ldc, bool acc) noexcept {
        if (M == 0 || N == 0) return;
        if (K == 0) {
            if (!acc) zero(M, N, C, ldc);
            return;
        }
        if (skinny_nn && N <= W && (M == 8 || M == 16)) {
            if (M == 16) return skinny_tn<16>(N, K, A, lda, Bm, ldb, C, ldc, acc);
            return skinny_tn<8>(N, K, A, lda, Bm, ldb, C, ldc, acc);
        }
        if constexpr (packed_tn<T, Arch, Regs>::enabled) {  // AVX-512F: gemm_packed.hpp
            const std::size_t nw = packed_tn<T, Arch, Regs>::wide_cols(M, N, K);
            if (nw != 0) {
                packed_tn<T, Arch, Regs>::run(M, nw, K, A, lda, Bm, ldb, C, ldc, acc);
                if (nw == N) return;
                N -= nw;  // column remainder: unpacked path below
                Bm += nw;
                C += nw;
            }
        }
        bcast_gemm_unpadded(M, N, K, A, 1, lda, Bm, ldb, C, ldc, acc);
    }
    static void gemm_tn(std::size_t M, std::size_t N, std::size_t K, const T* A, std::size_t lda,
                        const T* Bm, std::size_t ldb, T* C, std::size_t ldc) noexcept {
        gemm_tn_impl(M, N, K, A, lda, Bm, ldb, C, ldc, false);
    }
    static void gemm_tn_acc(std::size_t M, std::size_t N, std::size_t K, const T* A, std::size_t lda,
                            const T* Bm, std::size_t ldb, T* C, std::size_t ldc) noexcept {
        gemm_tn_impl(M, N, K, A, lda, Bm, ldb, C, ldc, true);
    }

    // gemm_nn with B at most one vector wide and SK deep (W·HHᵀ at r ≤ 16 with AVX-512:
    // digits, r = 16). B lives in registers and 6 rows of A run at once: 6 independent
    // chains, one broadcast load per FMA, no K loop and no per-tile call. Zen 4, digits
    // 1797×16×16: ~11 → ~8 µs (the 6×1 broadcast tile spends a third of its time outside
    // its 16-step K loop).
    static constexpr std::size_t SK = 16;
    static constexpr bool skinny_nn = Regs >= 32 && !k_wasm_simd;
    template <int R>
    static void skinny_rows(std::size_t N, std::size_t K, const T* a, std::size_t lda, const B* b, T* c,
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
    static void gemm_nn_skinny(std::size_t M, std::size_t N, std::size_t K, const T* A, std::size_t lda,
                               const T* Bm, std::size_t ldb, T* C, std::size_t ldc) noexcept {
        B b[SK];
        for (std::size_t k = 0; k < SK; ++k)
            b[k] = k >= K ? B(T(0)) : partial<T, Arch>::load_upto(Bm + k * ldb, N);
        std::size_t i = 0;
        for (; i + 6 <= M; i += 6) skinny_rows<6>(N, K, A + i * lda, lda, b, C + i * ldc, ldc);
        for (; i < M; ++i) skinny_rows<1>(N, K, A + i * lda, lda, b, C + i * ldc, ldc);
    }

    static void gemm_nn(std::size_t M, std::size_t N, std::size_t K, const T* A, std::size_t lda,
                        const T* Bm, std::size_t ldb, T* C, std::size_t ldc) noexcept {
        if (M == 0 || N == 0) return;
        if (K == 0) return zero(M, N, C, ldc);
        if (skinny_nn && N <= W && K <= SK && M >= 6) return gemm_nn_skinny(M, N, K, A, lda, Bm, ldb, C, ldc);
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

    // One vector of the update; adds (v − old)² to acc.
    static void mu_vec(T* x, const T* num, const T* den, const B& veps, B& acc) noexcept {
        const B d = B::load_unaligned(den);
        const B dd = xsimd::select(d == B(T(0)), veps, d);
        const B old = B::load_unaligned(x);
        const B v = vdiv(old * B::load_unaligned(num), dd);
        acc = xsimd::fma(v - old, v - old, acc);
        v.store_unaligned(x);
    }

    // Rows stored back to back (the solver's W, H and products) run as one long row, and the
    // step is summed in two float vectors flushed to double every 64 vectors, not reduced
    // per row: with r = 16 every row of W is one vector, and a horizontal sum plus a float →
    // double add per row made this pass 10% of a digits iteration (Zen 4: 12 → ~4 µs).
    static double mu_update(std::size_t rows, std::size_t cols, T* x, std::size_t ldx, const T* num,
                            std::size_t ldn, const T* den, std::size_t ldd, T eps) noexcept {
        // Contiguous rows run as one long row. Not on ARMv7 NEON, whose vector division is a
        // reciprocal estimate refined by Newton steps, not the scalar tail's IEEE division:
        // which entries fall in the tail would then depend on the row stride, and padded
        // strides would no longer give the same factors (test_solver, armhf).
        if (k_ieee_vdiv && rows > 1 && ldx == cols && ldn == cols && ldd == cols) {
            cols *= rows;
            rows = 1;
        }
        const B veps(eps);
        double step = 0;
        B acc0(T(0)), acc1(T(0));
        std::size_t pending = 0;  // vectors summed into acc0 + acc1 since the last flush
        for (std::size_t i = 0; i < rows; ++i) {
            T* xr = x + i * ldx;
            const T* nr = num + i * ldn;
            const T* dr = den + i * ldd;
            std::size_t j = 0;
            for (; j + 2 * W <= cols; j += 2 * W) {
                mu_vec(xr + j, nr + j, dr + j, veps, acc0);
                mu_vec(xr + j + W, nr + j + W, dr + j + W, veps, acc1);
                if ((pending += 2) >= 64) {
                    step += static_cast<double>(simd_reduce_add(acc0 + acc1));
                    acc0 = acc1 = B(T(0));
                    pending = 0;
                }
            }
            if (j + W <= cols) {
                mu_vec(xr + j, nr + j, dr + j, veps, acc0);
                j += W;
                ++pending;
            }
            if (j < cols) {
                T s = 0;
                for (; j < cols; ++j) {
                    const T d = dr[j] != T(0) ? dr[j] : eps;
                    const T v = xr[j] * nr[j] / d;
                    s += (v - xr[j]) * (v - xr[j]);
                    xr[j] = v;
                }
                step += static_cast<double>(s);
            }
            if (pending >= 64) {
                step += static_cast<double>(simd_reduce_add(acc0 + acc1));
                acc0 = acc1 = B(T(0));
                pending = 0;
            }
        }
        return step + static_cast<double>(simd_reduce_add(acc0 + acc1));
    }

    // ---- β-divergence tiles (semantics: beta.hpp) ------------------------------------
    using M = simd_math<T, Arch>;
    enum beta_mode { kl, is, below2, general };

    // One vector of the tile: returns the new P, writes q^(β−1) to b.
    template <int mode>
    static B beta_vec(const B& x, const B& y, B& b, const typename M::exponent& e1,
                      const typename M::exponent& e2, const B& veps, bool guard_b) noexcept {
        const B zero(T(0));
        const auto y0 = y == zero;
        if (mode == kl) {
            b = B(T(1));  // pow(q, 0)
            return vdiv(x, xsimd::select(y0, veps, y));
        } else if (mode == is) {
            const B inv = vdiv(B(T(1)), xsimd::select(y0, veps, y));
            b = inv;
            return x * (inv * inv);
        } else if (mode == below2) {
            // p^(β−2) = p^(β−1) / p: one pow instead of two (≤ 1 ulp more than the reference).
            const B yn = xsimd::select(y0, veps, y);
            const B q = M::pow(yn, e1);
            b = guard_b ? q : xsimd::select(y0, B(e1.at0), q);
            return x * vdiv(q, yn);
        } else {  // β ≥ 2: no guards, 0^(β−2) must stay exact
            b = M::pow(y, e1);
            return x * M::pow(y, e2);
        }
    }

    template <int mode>
    static void beta_rows(std::size_t rows, std::size_t cols, const T* X, std::size_t ldx, T* P,
                          std::size_t ldp, T* Bo, std::size_t ldb, double beta, T eps) noexcept {
        const typename M::exponent e1 = M::split(static_cast<T>(beta - 1));
        const typename M::exponent e2 = M::split(static_cast<T>(beta - 2));
        const B veps(eps);
        const bool guard_b = beta < 1;
        const std::size_t rem = cols % W, full = cols - rem;
        for (std::size_t i = 0; i < rows; ++i) {
            const T* x = X + i * ldx;
            T* p = P + i * ldp;
            T* bo = Bo ? Bo + i * ldb : nullptr;
            for (std::size_t j = 0; j < full; j += W) {
                B b;
                const B r = beta_vec<mode>(B::load_unaligned(x + j), B::load_unaligned(p + j), b, e1, e2,
                                           veps, guard_b);
                r.store_unaligned(p + j);
                if (bo) b.store_unaligned(bo + j);
            }
            if (rem) {
                alignas(64) T xt[W], pt[W], bt[W];
                for (std::size_t t = 0; t < W; ++t) {
                    xt[t] = t < rem ? x[full + t] : T(1);
                    pt[t] = t < rem ? p[full + t] : T(1);
                }
                B b;
                beta_vec<mode>(B::load_aligned(xt), B::load_aligned(pt), b, e1, e2, veps, guard_b)
                    .store_aligned(pt);
                b.store_aligned(bt);
                for (std::size_t t = 0; t < rem; ++t) p[full + t] = pt[t];
                if (bo)
                    for (std::size_t t = 0; t < rem; ++t) bo[full + t] = bt[t];
            }
        }
    }

    static void beta_tile(std::size_t rows, std::size_t cols, const T* X, std::size_t ldx, T* P,
                          std::size_t ldp, T* Bo, std::size_t ldb, double beta, T eps) noexcept {
        if (beta == 1) return beta_rows<kl>(rows, cols, X, ldx, P, ldp, Bo, ldb, beta, eps);
        if (beta == 0) return beta_rows<is>(rows, cols, X, ldx, P, ldp, Bo, ldb, beta, eps);
        if (beta < 2) return beta_rows<below2>(rows, cols, X, ldx, P, ldp, Bo, ldb, beta, eps);
        beta_rows<general>(rows, cols, X, ldx, P, ldp, Bo, ldb, beta, eps);
    }

    // The loss runs in double lanes (float inputs widened): the terms cancel heavily near a
    // fit (x·log(x/y) − x + y ≈ (x−y)²/2y), which float lanes could not resolve to 1e-6.
    using D = xsimd::batch<double, Arch>;
    using MD = simd_math<double, Arch>;
    static constexpr std::size_t WD = D::size;

    static D load_d(const T* p) noexcept {
        if constexpr (std::is_same<T, double>::value) {
            return D::load_unaligned(reinterpret_cast<const double*>(p));
        } else {
            // Native widening loads; the generic path (store doubles, reload) stalls on
            // store forwarding.
            const float* f = reinterpret_cast<const float*>(p);
#if defined(__AVX512F__)
            if constexpr (WD == 8) return D(_mm512_cvtps_pd(_mm256_loadu_ps(f)));
#endif
#if defined(__AVX__)
            if constexpr (WD == 4) return D(_mm256_cvtps_pd(_mm_loadu_ps(f)));
#endif
#if defined(__SSE2__)
            if constexpr (WD == 2) {
                __m128 v;
                std::memcpy(&v, f, 8);  // upper lanes unused
                return D(_mm_cvtps_pd(v));
            }
#endif
#if defined(__aarch64__)
            if constexpr (WD == 2) return D(vcvt_f64_f32(vld1_f32(f)));
#endif
            alignas(64) double t[WD];
            for (std::size_t k = 0; k < WD; ++k) t[k] = static_cast<double>(f[k]);
            return D::load_aligned(t);
        }
    }

    template <int mode>
    static void loss_vec(const D& xv, const D& yv, const D& ve, const typename MD::exponent* pe,
                         double beta, D& dacc, D& sacc) noexcept {
        const D d = xv - yv;
        sacc += d * d;
        if (mode == 2) {
            dacc += D(0.5) * d * d;
            return;
        }
        const D zero(0.0);
        const D yg = xsimd::select(yv == zero, ve, yv);
        if (mode == 1) {
            const D l = MD::log(xsimd::select(xv > zero, xv / yg, D(1.0)));
            dacc += xv * l - xv + yv;
        } else if (mode == 0) {
            const D q = xv / yg;
            dacc += q - MD::log(q) - D(1.0);
        } else {
            // pe: β, β−1. d_β = (x^β + (β−1)·y^β − β·x·y^(β−1)) / (β(β−1)).
            const D yb = beta < 1 ? yg : yv;
            dacc += (MD::pow(xv, pe[0]) + D(beta - 1) * MD::pow(beta < 0 ? yg : yv, pe[0]) -
                     D(beta) * xv * MD::pow(yb, pe[1])) /
                    D(beta * (beta - 1));
        }
    }

    template <int mode>
    static void loss_rows(std::size_t rows, std::size_t cols, const T* X, std::size_t ldx, const T* P,
                          std::size_t ldp, double beta, T eps, double& div, double& sq) noexcept {
        const typename MD::exponent pe[2] = {MD::split(beta), MD::split(beta - 1)};
        const D ve(static_cast<double>(eps)), zero(0.0);
        const std::size_t rem = cols % WD, full = cols - rem;
        static_assert(WD <= 64, "vector wider than the lane table");
        const auto tail = D::load_aligned(lane_iota<double>::v) < D(static_cast<double>(rem));
        double d_sum = 0, s_sum = 0;
        for (std::size_t i = 0; i < rows; ++i) {
            const T* x = X + i * ldx;
            const T* p = P + i * ldp;
            D dacc(0.0), sacc(0.0);
            for (std::size_t j = 0; j < full; j += WD)
                loss_vec<mode>(load_d(x + j), load_d(p + j), ve, pe, beta, dacc, sacc);
            if (rem) {
                alignas(64) T xt[WD], pt[WD];
                for (std::size_t t = 0; t < WD; ++t) {
                    xt[t] = t < rem ? x[full + t] : T(1);
                    pt[t] = t < rem ? p[full + t] : T(1);
                }
                D dt(0.0), st(0.0);
                loss_vec<mode>(load_d(xt), load_d(pt), ve, pe, beta, dt, st);
                dacc += xsimd::select(tail, dt, zero);
                sacc += xsimd::select(tail, st, zero);
            }
            d_sum += simd_reduce_add(dacc);
            s_sum += simd_reduce_add(sacc);
        }
        div += d_sum;
        sq += s_sum;
    }

    static void beta_loss_tile(std::size_t rows, std::size_t cols, const T* X, std::size_t ldx,
                               const T* P, std::size_t ldp, double beta, T eps, double& div,
                               double& sq) noexcept {
        if (beta == 2) return loss_rows<2>(rows, cols, X, ldx, P, ldp, beta, eps, div, sq);
        if (beta == 1) return loss_rows<1>(rows, cols, X, ldx, P, ldp, beta, eps, div, sq);
        if (beta == 0) return loss_rows<0>(rows, cols, X, ldx, P, ldp, beta, eps, div, sq);
        loss_rows<3>(rows, cols, X, ldx, P, ldp, beta, eps, div, sq);
    }

    // General update (kernel_table::factor_update). Scalar loop for now, per Arch (internal
    // linkage: never merged with code built under other ISA flags).
    static double factor_update(std::size_t rows, std::size_t cols, T* x, std::size_t ldx, const T* num,
                                std::size_t ldn, const T* den, std::size_t ldd, const update_params<T>& p,
                                bool track) noexcept {
        double change = 0;
        for (std::size_t i = 0; i < rows; ++i) {
            T* xr = x + i * ldx;
            const T* nr = num + i * ldn;
            const T* dr = den + i * ldd;
            for (std::size_t j = 0; j < cols; ++j) {
                T d = dr[j] + p.l1 + p.l2 * xr[j];
                if (d == 0) d = p.eps;
                T q = nr[j] / d;
#if NMFKIT_EXTENDED
                if (p.gamma != 1) q = static_cast<T>(std::pow(q, p.gamma));
#endif
                T v = xr[j] * q;
                if (v < p.zero_below) v = 0;
                if (track) {
                    const double dv = static_cast<double>(v) - static_cast<double>(xr[j]);
                    change += dv * dv;
                }
                xr[j] = v;
            }
        }
        return change;
    }

    static void vmath(int f, std::size_t n, const T* x, T e, T* out) noexcept {
        const typename M::exponent pe = M::split(e);
        for (std::size_t i = 0; i < n; i += W) {
            const std::size_t c = kmin(W, n - i);
            alignas(64) T t[W];
            for (std::size_t k = 0; k < W; ++k) t[k] = k < c ? x[i + k] : T(1);
            const B v = B::load_aligned(t);
            (f == 0 ? M::log(v) : f == 1 ? M::exp(v) : M::pow(v, pe)).store_aligned(t);
            for (std::size_t k = 0; k < c; ++k) out[i + k] = t[k];
        }
    }

    static constexpr kernel_table<T> table(const char* name) noexcept {
        // The loss runs in double lanes; 32-bit NEON has none: its float set uses the
        // scalar loss (it runs only on convergence checks). So does wasm, for size
        // (the vector loss is ~12 KB of nmfkit-simd.wasm).
        // gemm_tn_acc is null here on wasm: its tables swap in all four GEMM entries from
        // gemm_wasm.hpp (with_wasm_gemm), and naming this one would link the xsimd GEMM back in.
        if constexpr (has_double_lanes<Arch> && !k_wasm_simd) {
            return kernel_table<T>{name,       &gemm_nt,        &gemm_tn, &gemm_nn, &mu_update,
                                   &beta_tile, &beta_loss_tile, &vmath,   &gemm_tn_acc, &factor_update};
        } else {
            return kernel_table<T>{name,       &gemm_nt,        &gemm_tn, &gemm_nn, &mu_update,
                                   &beta_tile, &beta_loss_tile_scalar<T>, &vmath,
                                   k_wasm_simd ? nullptr : &gemm_tn_acc, &factor_update};
        }
    }
};

}  // namespace
}  // namespace detail
}  // namespace nmfkit

// Defines `const kernel_table<T>* FN_<float|double>() noexcept` (external linkage,
// unique per ISA TU) returning the tables for Arch.
namespace nmfkit {
namespace detail {
namespace {
// A double set where the architecture has double lanes (not on 32-bit NEON: there
// double uses the scalar set).
template <class Arch, int Regs, class Name>
const kernel_table<double>* simd_double_table() noexcept {
    if constexpr (has_double_lanes<Arch>) {
        static constexpr kernel_table<double> t = simd_kernels<double, Arch, Regs>::table(Name::get());
        return &t;
    } else {
        return nullptr;
    }
}
}  // namespace
}  // namespace detail
}  // namespace nmfkit

#define NMFKIT_DEFINE_SIMD_TABLES(FN, ARCH, REGS, NAME)                                      \
    namespace nmfkit {                                                                       \
    namespace detail {                                                                       \
    const kernel_table<float>* FN##_float() noexcept {                                       \
        static constexpr kernel_table<float> t = simd_kernels<float, ARCH, REGS>::table(NAME);   \
        return &t;                                                                           \
    }                                                                                        \
    struct FN##_name {                                                                       \
        static constexpr const char* get() noexcept { return NAME; }                         \
    };                                                                                       \
    const kernel_table<double>* FN##_double() noexcept {                                     \
        return simd_double_table<ARCH, REGS, FN##_name>();                                   \
    }                                                                                        \
    }                                                                                        \
    }
