// The sparse (CSR) kernels of an xsimd kernel set: X·B, Xᵀ·A and the sampled products, each
// vectorized over the rank r (the rows of W and Hᵀ are contiguous rank-r vectors). Layout and
// contract: kernels.hpp; the reference: sparse_scalar.hpp. Why this shape: docs/performance.md.
#pragma once

#include "kernels/simd_tail.hpp"
#include "kernels/sparse_scalar.hpp"

#include <cstddef>
#include <cstdint>
#include <type_traits>

namespace nmfkit {
namespace detail {
namespace {

template <class T, class Arch>
struct sparse_kernels {
    using B = xsimd::batch<T, Arch>;
    using P = partial<T, Arch>;
    static constexpr std::size_t W = B::size;
    // Tails (r mod W lanes) as one masked vector where the ISA has masked loads and stores
    // (AVX2, AVX-512); elsewhere lane by lane: the generic masked access copies through memory.
    static constexpr bool k_masked = std::is_base_of<xsimd::avx2, Arch>::value ||
                                     std::is_base_of<xsimd::avx512f, Arch>::value;

    // Columns [0, NF·W + rem) of C's rows (B and C offset to the panel): the panel of row i is
    // held in registers over the row's entries and stored once.
    template <std::size_t NF, bool Tail>
    NMFKIT_NOINLINE static void times_panel(std::size_t rows, const std::uint64_t* indptr, const std::uint32_t* indices,
                                            const T* values, const T* Bm, std::size_t ldb, T* C, std::size_t ldc,
                                            std::size_t rem) noexcept {
        constexpr std::size_t NA = NF + (Tail && k_masked ? 1 : 0);
        const csr_values<T> val(values);
        for (std::size_t i = 0; i < rows; ++i) {
            B acc[NA > 0 ? NA : 1];
            for (std::size_t f = 0; f < NA; ++f) acc[f] = B(T(0));
            T tail[W] = {};
            for (std::uint64_t k = indptr[i], e = indptr[i + 1]; k < e; ++k) {
                const T v = val[k];
                const B vv(v);
                const T* b = Bm + std::size_t(indices[k]) * ldb;
                for (std::size_t f = 0; f < NF; ++f) acc[f] = xsimd::fma(vv, B::load_unaligned(b + f * W), acc[f]);
                if constexpr (Tail && k_masked) {
                    acc[NF] = xsimd::fma(vv, P::load(b + NF * W, rem), acc[NF]);
                } else if constexpr (Tail) {
                    NMFKIT_SCALAR_LOOP
                    for (std::size_t t = 0; t < rem; ++t) tail[t] += v * b[NF * W + t];
                }
            }
            T* c = C + i * ldc;
            for (std::size_t f = 0; f < NF; ++f) acc[f].store_unaligned(c + f * W);
            if constexpr (Tail && k_masked) {
                P::store(c + NF * W, acc[NF], rem);
            } else if constexpr (Tail) {
                for (std::size_t t = 0; t < rem; ++t) c[NF * W + t] = tail[t];
            }
        }
    }

    static void csr_times_dense(std::size_t rows, std::size_t r, const std::uint64_t* indptr,
                                const std::uint32_t* indices, const T* values, const T* Bm, std::size_t ldb, T* C,
                                std::size_t ldc) noexcept {
        // Panels of 4 vectors (8 accumulators would spill on 16-register ISAs with the loads).
        std::size_t c0 = 0;
        for (; c0 + 4 * W <= r; c0 += 4 * W)
            times_panel<4, false>(rows, indptr, indices, values, Bm + c0, ldb, C + c0, ldc, 0);
        std::size_t left = r - c0;
        const std::size_t rem = left % W;
        const T* b = Bm + c0;
        T* c = C + c0;
        if constexpr (k_wasm_simd) {
            // Size: panels of 2 and 1 vectors and the tail one after the other (a pass over the
            // row's entries each) instead of one panel per remainder: 4 instantiations, not 8.
            if (left >= 2 * W) {
                times_panel<2, false>(rows, indptr, indices, values, b, ldb, c, ldc, 0);
                b += 2 * W, c += 2 * W, left -= 2 * W;
            }
            if (left >= W) {
                times_panel<1, false>(rows, indptr, indices, values, b, ldb, c, ldc, 0);
                b += W, c += W, left -= W;
            }
            if (left != 0) times_panel<0, true>(rows, indptr, indices, values, b, ldb, c, ldc, rem);
            return;
        }
        switch (2 * (left / W) + (rem != 0 ? 1 : 0)) {
            case 1: return times_panel<0, true>(rows, indptr, indices, values, b, ldb, c, ldc, rem);
            case 2: return times_panel<1, false>(rows, indptr, indices, values, b, ldb, c, ldc, rem);
            case 3: return times_panel<1, true>(rows, indptr, indices, values, b, ldb, c, ldc, rem);
            case 4: return times_panel<2, false>(rows, indptr, indices, values, b, ldb, c, ldc, rem);
            case 5: return times_panel<2, true>(rows, indptr, indices, values, b, ldb, c, ldc, rem);
            case 6: return times_panel<3, false>(rows, indptr, indices, values, b, ldb, c, ldc, rem);
            case 7: return times_panel<3, true>(rows, indptr, indices, values, b, ldb, c, ldc, rem);
            default: return;  // 0: r was a multiple of 4·W
        }
    }

    // c[0, r) += v·a[0, r): one scattered row of Xᵀ·A.
    static void axpy(T* c, const T* a, T v, std::size_t nf, std::size_t rem) noexcept {
        const B vv(v);
        std::size_t t = 0;
        for (std::size_t f = 0; f < nf; ++f, t += W)
            xsimd::fma(vv, B::load_unaligned(a + t), B::load_unaligned(c + t)).store_unaligned(c + t);
        if constexpr (k_masked) {
            if (rem != 0) P::store(c + t, xsimd::fma(vv, P::load(a + t, rem), P::load(c + t, rem)), rem);
        } else {
            NMFKIT_SCALAR_LOOP
            for (std::size_t q = 0; q < rem; ++q) c[t + q] += v * a[t + q];
        }
    }

    static void csr_t_times_dense(std::size_t rows, std::size_t cols, std::size_t r, const std::uint64_t* indptr,
                                  const std::uint32_t* indices, const T* values, const T* A, std::size_t lda, T* C,
                                  std::size_t ldc, bool accumulate) noexcept {
        if (!accumulate)
            for (std::size_t j = 0; j < cols; ++j)
                for (std::size_t t = 0; t < r; ++t) C[j * ldc + t] = T(0);
        const std::size_t nf = r / W, rem = r % W;
        const csr_values<T> val(values);
        for (std::size_t i = 0; i < rows; ++i) {
            const T* a = A + i * lda;
            for (std::uint64_t k = indptr[i], e = indptr[i + 1]; k < e; ++k)
                axpy(C + std::size_t(indices[k]) * ldc, a, val[k], nf, rem);
        }
    }

    // ⟨a, b⟩ over r = nf·W + rem lanes, two accumulators.
    static T dot(const T* a, const T* b, std::size_t nf, std::size_t rem) noexcept {
        B s0(T(0)), s1(T(0));
        std::size_t f = 0, t = 0;
        for (; f + 2 <= nf; f += 2, t += 2 * W) {
            s0 = xsimd::fma(B::load_unaligned(a + t), B::load_unaligned(b + t), s0);
            s1 = xsimd::fma(B::load_unaligned(a + t + W), B::load_unaligned(b + t + W), s1);
        }
        if (f < nf) {
            s0 = xsimd::fma(B::load_unaligned(a + t), B::load_unaligned(b + t), s0);
            t += W;
        }
        if constexpr (k_masked) {
            if (rem != 0) s1 = xsimd::fma(P::load(a + t, rem), P::load(b + t, rem), s1);
            return simd_reduce_add(s0 + s1);
        } else {
            T s = simd_reduce_add(s0 + s1);
            NMFKIT_SCALAR_LOOP
            for (std::size_t q = 0; q < rem; ++q) s += a[t + q] * b[t + q];
            return s;
        }
    }

    template <bool Ratio>
    static void sampled(std::size_t rows, std::size_t r, const std::uint64_t* indptr, const std::uint32_t* indices,
                        const T* values, const T* A, std::size_t lda, const T* Bm, std::size_t ldb, T eps,
                        T* out) noexcept {
        const std::size_t nf = r / W, rem = r % W;
        const csr_values<T> val(values);
        for (std::size_t i = 0; i < rows; ++i) {
            const T* a = A + i * lda;
            for (std::uint64_t k = indptr[i], e = indptr[i + 1]; k < e; ++k) {
                T s = dot(a, Bm + std::size_t(indices[k]) * ldb, nf, rem);
                // A scalar IEEE division (ARMv7's vector one is an estimate).
                if constexpr (Ratio) s = val[k] / (s < eps ? eps : s);
                out[k] = s;
            }
        }
    }

    static void sampled_dot(std::size_t rows, std::size_t r, const std::uint64_t* indptr, const std::uint32_t* indices,
                            const T* A, std::size_t lda, const T* Bm, std::size_t ldb, T* out) noexcept {
        sampled<false>(rows, r, indptr, indices, nullptr, A, lda, Bm, ldb, T(0), out);
    }

    static void sampled_ratio(std::size_t rows, std::size_t r, const std::uint64_t* indptr,
                              const std::uint32_t* indices, const T* values, const T* A, std::size_t lda, const T* Bm,
                              std::size_t ldb, T eps, T* out) noexcept {
        sampled<true>(rows, r, indptr, indices, values, A, lda, Bm, ldb, eps, out);
    }
};

}  // namespace
}  // namespace detail
}  // namespace nmfkit
