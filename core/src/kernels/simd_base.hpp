// Shared pieces of the xsimd kernel sets: per-target facts, small helpers, IEEE division.
// Include the kernels/*.hpp SIMD headers only from a per-ISA translation unit (simd_*.cpp,
// simd_wasm_lite.cpp). Everything in them has internal linkage (anonymous namespace) or
// depends on Arch, so code built under -mavx512f never merges with code built under
// baseline flags (the SIGILL/ODR trap). Do not call std:: algorithm templates in them for
// the same reason: they would be comdat-shared across ISA TUs.
#pragma once

#include "kernels/kernels.hpp"

#include <xsimd/xsimd.hpp>

#include <cstddef>
#include <type_traits>

#ifndef NMFKIT_EXTENDED
#define NMFKIT_EXTENDED 1
#endif

#if defined(__GNUC__) || defined(__clang__)
#define NMFKIT_NOINLINE __attribute__((noinline))
#define NMFKIT_PREFETCH(p) __builtin_prefetch((p), 0, 3)
#else
#define NMFKIT_NOINLINE
#define NMFKIT_PREFETCH(p) ((void)(p))
#endif

namespace nmfkit {
namespace detail {
namespace {

// β ≠ 2 and the MM exponent are compiled in (NMFKIT_EXTENDED=0: Frobenius-only core, no pow).
constexpr bool k_extended = NMFKIT_EXTENDED != 0;

// WebAssembly SIMD128 (xsimd's sse4_1 lowered by Emscripten): no FMA, no prefetch, 15
// vector registers in V8; the tile constants take their wasm values from it.
#if defined(__wasm_simd128__)
constexpr bool k_wasm_simd = true;
#else
constexpr bool k_wasm_simd = false;
#endif

// ARMv7 NEON has no vector division: xsimd refines a reciprocal estimate (not IEEE).
#if defined(__ARM_NEON) && !defined(__aarch64__) && !defined(_M_ARM64)
constexpr bool k_ieee_vdiv = false;
#else
constexpr bool k_ieee_vdiv = true;
#endif

// Whether the architecture has double lanes: xsimd 8.1 declares batch<double, neon>
// (32-bit NEON) with an empty register, so its size is 0.
template <class Arch>
constexpr bool has_double_lanes = xsimd::batch<double, Arch>::size >= 2;

inline std::size_t kmin(std::size_t a, std::size_t b) noexcept { return a < b ? a : b; }

inline void prefetch(const void* p) noexcept { NMFKIT_PREFETCH(p); }

// xsimd 9.0 renamed hadd to reduce_add (no alias).
#if XSIMD_VERSION_MAJOR >= 9
template <class B>
inline typename B::value_type simd_reduce_add(const B& b) noexcept {
    return xsimd::reduce_add(b);
}
#else
template <class B>
inline typename B::value_type simd_reduce_add(const B& b) noexcept {
    return xsimd::hadd(b);
}
#endif

// a / b, correctly rounded wherever the ISA has a vector division (not ARMv7: k_ieee_vdiv).
template <class T, class Arch>
inline xsimd::batch<T, Arch> vdiv(const xsimd::batch<T, Arch>& a, const xsimd::batch<T, Arch>& b) noexcept {
    return a / b;
}

#if defined(__aarch64__) || defined(_M_ARM64)
// xsimd 8.1's neon64 float division falls back to the ARMv7 path (reciprocal estimate + 2
// Newton steps); AArch64 has a real vdivq_f32.
inline xsimd::batch<float, xsimd::neon64> vdiv(const xsimd::batch<float, xsimd::neon64>& a,
                                               const xsimd::batch<float, xsimd::neon64>& b) noexcept {
    return xsimd::batch<float, xsimd::neon64>(vdivq_f32(a, b));
}
#endif

}  // namespace
}  // namespace detail
}  // namespace nmfkit
