// What SIMD128 float arithmetic can reach in this engine, for reading the GEMM figures of
// scripts/bench.mjs (built as ceiling.wasm next to the modules; run by scripts/ceiling.mjs):
//   madd_peak       register-only f32x4 multiplies and adds: 7 chains of each, the most
//                   the 15 xmm registers V8 gives wasm hold without a spill. Wasm SIMD has
//                   no fused multiply-add (relaxed SIMD is off in Node 20), so a product
//                   and its sum are two instructions on two different FP pipes.
//   gemm_nt_cached  the modules' own gemm_nt (gemm_wasm.hpp, dot tiles) and gemm_tn
//   gemm_tn_cached  (broadcast tiles) on operands that stay in L1: no memory stream, no
//                   wait on DRAM or L3, the rate of the register tiles themselves.
// Each returns a value derived from its result so the work cannot be optimized away.
#include "kernels/gemm_wasm.hpp"

#include <cstddef>

namespace {

using nmfkit::detail::wasm_gemm::f4;

constexpr std::size_t NT_M = 2, NT_N = 4, NT_K = 500;    // one 2×4 dot tile, 12 KiB
constexpr std::size_t TN_M = 20, TN_N = 32, TN_K = 128;  // A 10 KiB + B 16 KiB

alignas(16) float a_nt[NT_M * NT_K], b_nt[NT_N * NT_K], c_nt[NT_M * NT_N];
alignas(16) float a_tn[TN_K * TN_M], b_tn[TN_K * TN_N], c_tn[TN_M * TN_N];

void fill(float* p, std::size_t n, unsigned seed) {
    for (std::size_t i = 0; i < n; ++i) {
        seed = seed * 1103515245u + 12345u;
        p[i] = float(seed >> 8) * (1.0f / 16777216.0f);
    }
}

}  // namespace

extern "C" {

void ceiling_init() {
    fill(a_nt, NT_M * NT_K, 1);
    fill(b_nt, NT_N * NT_K, 2);
    fill(a_tn, TN_K * TN_M, 3);
    fill(b_tn, TN_K * TN_N, 4);
}

// 7 × 8 flops (4 lanes × (mul + add)) per trip.
float madd_peak(int trips, float c) {
    const f4 k = wasm_f32x4_splat(c);
    f4 m0 = wasm_f32x4_splat(1), m1 = wasm_f32x4_splat(2), m2 = wasm_f32x4_splat(3), m3 = wasm_f32x4_splat(4);
    f4 m4 = wasm_f32x4_splat(5), m5 = wasm_f32x4_splat(6), m6 = wasm_f32x4_splat(7);
    f4 s0 = wasm_f32x4_splat(0), s1 = s0, s2 = s0, s3 = s0, s4 = s0, s5 = s0, s6 = s0;
    for (int i = 0; i < trips; ++i) {
        m0 = wasm_f32x4_mul(m0, k), m1 = wasm_f32x4_mul(m1, k), m2 = wasm_f32x4_mul(m2, k);
        m3 = wasm_f32x4_mul(m3, k), m4 = wasm_f32x4_mul(m4, k), m5 = wasm_f32x4_mul(m5, k);
        m6 = wasm_f32x4_mul(m6, k);
        s0 = wasm_f32x4_add(s0, m0), s1 = wasm_f32x4_add(s1, m1), s2 = wasm_f32x4_add(s2, m2);
        s3 = wasm_f32x4_add(s3, m3), s4 = wasm_f32x4_add(s4, m4), s5 = wasm_f32x4_add(s5, m5);
        s6 = wasm_f32x4_add(s6, m6);
    }
    const f4 s = wasm_f32x4_add(wasm_f32x4_add(wasm_f32x4_add(s0, s1), wasm_f32x4_add(s2, s3)),
                                wasm_f32x4_add(wasm_f32x4_add(s4, s5), s6));
    return wasm_f32x4_extract_lane(s, 0);
}

// 2·M·N·K flops per call.
float gemm_nt_cached(int calls) {
    for (int i = 0; i < calls; ++i)
        nmfkit::detail::wasm_gemm::gemm_nt(NT_M, NT_N, NT_K, a_nt, NT_K, b_nt, NT_K, c_nt, NT_N);
    return c_nt[NT_M * NT_N - 1];
}
float gemm_tn_cached(int calls) {
    for (int i = 0; i < calls; ++i)
        nmfkit::detail::wasm_gemm::gemm_tn(TN_M, TN_N, TN_K, a_tn, TN_M, b_tn, TN_N, c_tn, TN_N);
    return c_tn[TN_M * TN_N - 1];
}
double gemm_nt_flops() { return 2.0 * NT_M * NT_N * NT_K; }
double gemm_tn_flops() { return 2.0 * TN_M * TN_N * TN_K; }

}  // extern "C"
