// x86-64 baseline (SSE2, no FMA): compiled with the default flags only.
#include "kernels/simd_table.hpp"

NMFKIT_DEFINE_SIMD_TABLES(simd_tables_sse2, xsimd::sse2, 16, "sse2")
