// Compiled with -mavx2 -mfma (sources.cmake); only called after a CPUID/XCR0 check.
#include "kernels/simd_table.hpp"

#if !defined(__AVX2__) || !defined(__FMA__)
#error "simd_avx2.cpp must be compiled with -mavx2 -mfma"
#endif

NMFKIT_DEFINE_SIMD_TABLES(simd_tables_avx2, xsimd::fma3<xsimd::avx2>, 16, "avx2")
