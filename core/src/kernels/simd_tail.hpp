// Vector accesses other than one whole batch of T: the first `rem` lanes (row tails), lane
// masks, and float → double widening loads (the loss tiles). The generic versions copy
// through the stack; the ISA versions are overloads on the xsimd arch tag (xsimd's own
// dispatch style: the most derived tag wins), each block compiled only where its
// intrinsics exist.
#pragma once

#include "kernels/simd_base.hpp"

#include <cstddef>
#include <cstring>

namespace nmfkit {
namespace detail {
namespace {

// Lane indices 0, 1, 2, ... (tail masks).
template <class T>
struct lane_iota {
    alignas(64) static constexpr T v[64] = {0,  1,  2,  3,  4,  5,  6,  7,  8,  9,  10, 11, 12, 13, 14, 15,
                                            16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31,
                                            32, 33, 34, 35, 36, 37, 38, 39, 40, 41, 42, 43, 44, 45, 46, 47,
                                            48, 49, 50, 51, 52, 53, 54, 55, 56, 57, 58, 59, 60, 61, 62, 63};
};

// Lanes [0, rem) of p, rem < lane count; the others read as 0 and are never written. The
// stack copy (a memcpy of a run-time length: a libc call) is the slow path; see
// docs/performance.md for why the masked forms matter.
template <class T, class Arch>
xsimd::batch<T, Arch> load_first(const T* p, std::size_t rem, const xsimd::generic&) noexcept {
    alignas(64) T t[xsimd::batch<T, Arch>::size] = {};
    std::memcpy(t, p, rem * sizeof(T));
    return xsimd::batch<T, Arch>::load_aligned(t);
}
template <class T, class Arch>
void store_first(T* p, const xsimd::batch<T, Arch>& v, std::size_t rem, const xsimd::generic&) noexcept {
    alignas(64) T t[xsimd::batch<T, Arch>::size];
    v.store_aligned(t);
    std::memcpy(p, t, rem * sizeof(T));
}

// 4 (double) or 8 (float) lanes of p, widened to double.
template <class Arch>
xsimd::batch<double, Arch> load_widened(const float* f, const xsimd::generic&) noexcept {
    constexpr std::size_t WD = xsimd::batch<double, Arch>::size;
    alignas(64) double t[WD];
    for (std::size_t k = 0; k < WD; ++k) t[k] = static_cast<double>(f[k]);
    return xsimd::batch<double, Arch>::load_aligned(t);
}

// Native widening loads: the generic path (store doubles, reload) stalls on store forwarding.
#if defined(__SSE2__)
template <class Arch>
xsimd::batch<double, Arch> load_widened(const float* f, const xsimd::sse2&) noexcept {
    __m128 v;
    std::memcpy(&v, f, 8);  // upper lanes unused
    return xsimd::batch<double, Arch>(_mm_cvtps_pd(v));
}
#endif

#if defined(__AVX__)
template <class Arch>
xsimd::batch<double, Arch> load_widened(const float* f, const xsimd::avx&) noexcept {
    return xsimd::batch<double, Arch>(_mm256_cvtps_pd(_mm_loadu_ps(f)));
}
#endif

#if defined(__AVX2__)
inline __m256i lane_mask32(std::size_t rem) noexcept {
    return _mm256_cmpgt_epi32(_mm256_set1_epi32(static_cast<int>(rem)), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
}
inline __m256i lane_mask64(std::size_t rem) noexcept {
    return _mm256_cmpgt_epi64(_mm256_set1_epi64x(static_cast<long long>(rem)), _mm256_setr_epi64x(0, 1, 2, 3));
}
template <class T, class Arch>
xsimd::batch<T, Arch> load_first(const T* p, std::size_t rem, const xsimd::avx2&) noexcept {
    if constexpr (sizeof(T) == 4)
        return xsimd::batch<T, Arch>(_mm256_maskload_ps(reinterpret_cast<const float*>(p), lane_mask32(rem)));
    else return xsimd::batch<T, Arch>(_mm256_maskload_pd(reinterpret_cast<const double*>(p), lane_mask64(rem)));
}
template <class T, class Arch>
void store_first(T* p, const xsimd::batch<T, Arch>& v, std::size_t rem, const xsimd::avx2&) noexcept {
    if constexpr (sizeof(T) == 4) _mm256_maskstore_ps(reinterpret_cast<float*>(p), lane_mask32(rem), v);
    else _mm256_maskstore_pd(reinterpret_cast<double*>(p), lane_mask64(rem), v);
}
#endif

#if defined(__AVX512F__)
template <class T, class Arch>
xsimd::batch<T, Arch> load_first(const T* p, std::size_t rem, const xsimd::avx512f&) noexcept {
    if constexpr (sizeof(T) == 4)
        return xsimd::batch<T, Arch>(_mm512_maskz_loadu_ps(static_cast<__mmask16>((1u << rem) - 1),
                                                           reinterpret_cast<const float*>(p)));
    else
        return xsimd::batch<T, Arch>(_mm512_maskz_loadu_pd(static_cast<__mmask8>((1u << rem) - 1),
                                                           reinterpret_cast<const double*>(p)));
}
template <class T, class Arch>
void store_first(T* p, const xsimd::batch<T, Arch>& v, std::size_t rem, const xsimd::avx512f&) noexcept {
    if constexpr (sizeof(T) == 4)
        _mm512_mask_storeu_ps(reinterpret_cast<float*>(p), static_cast<__mmask16>((1u << rem) - 1), v);
    else _mm512_mask_storeu_pd(reinterpret_cast<double*>(p), static_cast<__mmask8>((1u << rem) - 1), v);
}
template <class Arch>
xsimd::batch<double, Arch> load_widened(const float* f, const xsimd::avx512f&) noexcept {
    return xsimd::batch<double, Arch>(_mm512_cvtps_pd(_mm256_loadu_ps(f)));
}
#endif

#if defined(__aarch64__)
template <class Arch>
xsimd::batch<double, Arch> load_widened(const float* f, const xsimd::neon64&) noexcept {
    return xsimd::batch<double, Arch>(vcvt_f64_f32(vld1_f32(f)));
}
#endif

// The partial accesses of one batch type.
template <class T, class Arch>
struct partial {
    using B = xsimd::batch<T, Arch>;
    static constexpr std::size_t W = B::size;
    static B load(const T* p, std::size_t rem) noexcept { return load_first<T, Arch>(p, rem, Arch{}); }
    static void store(T* p, const B& v, std::size_t rem) noexcept { store_first<T, Arch>(p, v, rem, Arch{}); }
    // The first n ≤ W lanes: a plain access when n == W, the masked one otherwise.
    static B load_upto(const T* p, std::size_t n) noexcept { return n == W ? B::load_unaligned(p) : load(p, n); }
    static void store_upto(T* p, const B& v, std::size_t n) noexcept {
        if (n == W) return v.store_unaligned(p);
        store(p, v, n);
    }
};

// WD = batch<double, Arch>::size values at p as double lanes (T = float: widened).
template <class T, class Arch>
xsimd::batch<double, Arch> load_double(const T* p) noexcept {
    if constexpr (std::is_same<T, double>::value)
        return xsimd::batch<double, Arch>::load_unaligned(reinterpret_cast<const double*>(p));
    else return load_widened<Arch>(reinterpret_cast<const float*>(p), Arch{});
}

}  // namespace
}  // namespace detail
}  // namespace nmfkit
