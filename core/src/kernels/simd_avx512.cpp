// Compiled with -mavx512f -mavx512dq -mavx2 -mfma (sources.cmake); only called after a CPUID/XCR0 check.
// GCC 12's _mm256_undefined_ps/pd (inlined from xsimd's avx512 hadd) trip
// -Wuninitialized (GCC PR 105593): not our code, silence it for this TU only.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif

#include "kernels/simd_table.hpp"

#if !defined(__AVX512F__) || !defined(__AVX512DQ__)
#error "simd_avx512.cpp must be compiled with -mavx512f -mavx512dq"
#endif

NMFKIT_DEFINE_SIMD_TABLES(simd_tables_avx512f, xsimd::avx512f, 32, "avx512f")
