// HALS's row update of an xsimd kernel set (kernel_table::hals_rows). Up to a rank that fits
// the stack buffers, one row per lane, the whole step in T lanes; beyond, each gradient entry
// is a dot product along the row in T lanes, the rest of the step in double as in the scalar set.
#pragma once

#include "kernels/simd_tail.hpp"

#include <cstddef>
#include <cstdint>
#include <type_traits>

namespace nmfkit {
namespace detail {
namespace {

template <class T, class Arch>
struct hals_kernels {
    using B = xsimd::batch<T, Arch>;
    static constexpr std::size_t W = B::size;
    // Masked loads are instructions here; elsewhere a tail goes through the stack (a libc
    // memcpy), slower than its few scalar products.
    static constexpr bool k_masked = std::is_base_of<xsimd::avx2, Arch>::value;

    // Σ_c g[c]·f[c]: two vector chains, the tail masked (AVX2, AVX-512) or scalar.
    static T dot(const T* g, const T* f, std::size_t r) noexcept {
        B a0(T(0)), a1(T(0));
        std::size_t c = 0;
        for (; c + 2 * W <= r; c += 2 * W) {
            a0 = xsimd::fma(B::load_unaligned(g + c), B::load_unaligned(f + c), a0);
            a1 = xsimd::fma(B::load_unaligned(g + c + W), B::load_unaligned(f + c + W), a1);
        }
        if (c + W <= r) {
            a0 = xsimd::fma(B::load_unaligned(g + c), B::load_unaligned(f + c), a0);
            c += W;
        }
        if constexpr (k_masked) {
            if (c < r) {
                using P = partial<T, Arch>;
                a1 = xsimd::fma(P::load(g + c, r - c), P::load(f + c, r - c), a1);
            }
            return simd_reduce_add(a0 + a1);
        } else {
            T s = simd_reduce_add(a0 + a1);
            for (; c < r; ++c) s += g[c] * f[c];
            return s;
        }
    }

    // One coordinate step of F[t] (row f) with (f·G)[t] = ft_dot: returns the new entry.
    static T step(T ft, double ft_dot, double bt, double hess, double l1, double l2) noexcept {
        const double x = static_cast<double>(ft);
        const double grad = l1 - bt + l2 * x + ft_dot;
        const double v = x - grad / hess;
        return v > 0 ? static_cast<T>(v) : T(0);
    }

    // Whether row q stops after sweep s with step² `moved` (first: its first sweep's).
    static bool stops(std::uint32_t s, double moved, double& first, double delta2) noexcept {
        if (s == 0) first = moved;
        return moved == 0 || (s != 0 && moved <= delta2 * first);
    }

    // Up to this r, rows go W at a time, one per lane (lane_rows): their entries transposed
    // into FT (r × W) and B's into BT, 6 KiB each on the stack.
    static constexpr std::size_t k_lane_cap = 6144 / (W * sizeof(T));

    // a0..a3 += Σ_{c0 ≤ c < c1} g[c]·FT[c] in four chains, in order of c (a chain's last term
    // is its latest entry).
    static void lane_dot(const T* g, const T* FT, std::size_t c0, std::size_t c1, B& a0, B& a1, B& a2, B& a3) noexcept {
        std::size_t c = c0;
        for (; c + 4 <= c1; c += 4) {
            a0 = xsimd::fma(B(g[c]), B::load_aligned(FT + c * W), a0);
            a1 = xsimd::fma(B(g[c + 1]), B::load_aligned(FT + (c + 1) * W), a1);
            a2 = xsimd::fma(B(g[c + 2]), B::load_aligned(FT + (c + 2) * W), a2);
            a3 = xsimd::fma(B(g[c + 3]), B::load_aligned(FT + (c + 3) * W), a3);
        }
        for (; c < c1; ++c) a0 = xsimd::fma(B(g[c]), B::load_aligned(FT + c * W), a0);
    }

    // hals_rows for r ≤ k_lane_cap: lane q holds row i0 + q, so a whole coordinate step is a few
    // vector operations for W rows, in T lanes. Entry t's product sums the entries not yet
    // updated (t..r−1) first, then 0..t−2, and adds G[t, t−1]·F[t−1] last: only that product
    // and the step wait on entry t−1. A row that stops keeps its lane's values from then on.
    static void lane_rows(std::size_t rows, std::size_t r, T* F, std::size_t ldf, const T* b, std::size_t bi,
                          std::size_t bt, const T* G, double l1, double l2, std::uint32_t sweeps,
                          double delta2) noexcept {
        using M = xsimd::batch_bool<T, Arch>;
        alignas(64) T FT[k_lane_cap * W];
        alignas(64) T BT[k_lane_cap * W];
        const B zero(T(0)), vl1(static_cast<T>(l1)), vl2(static_cast<T>(l2)), vdelta2(static_cast<T>(delta2));
        const B lane = B::load_aligned(lane_iota<T>::v);
        for (std::size_t i0 = 0; i0 < rows; i0 += W) {
            const std::size_t nq = kmin(W, rows - i0);
            for (std::size_t c = 0; c < r; ++c)
                for (std::size_t q = 0; q < W; ++q) {
                    FT[c * W + q] = q < nq ? F[(i0 + q) * ldf + c] : T(0);
                    BT[c * W + q] = q < nq ? b[(i0 + q) * bi + c * bt] : T(0);
                }
            M active = lane < B(static_cast<T>(nq));
            B first = zero;
            for (std::uint32_t s = 0; s < sweeps; ++s) {
                B moved = zero;
                for (std::size_t t = 0; t < r; ++t) {
                    const T* g = G + t * r;
                    const double hess = static_cast<double>(g[t]) + l2;
                    if (hess == 0) continue;
                    B a0 = zero, a1 = zero, a2 = zero, a3 = zero;
                    lane_dot(g, FT, t, r, a0, a1, a2, a3);
                    if (t >= 2) lane_dot(g, FT, 0, t - 1, a0, a1, a2, a3);
                    B dot = (a0 + a1) + (a2 + a3);
                    if (t >= 1) dot = xsimd::fma(B(g[t - 1]), B::load_aligned(FT + (t - 1) * W), dot);
                    const B x = B::load_aligned(FT + t * W);
                    const B grad = ((vl1 - B::load_aligned(BT + t * W)) + vl2 * x) + dot;
                    const B v = x - vdiv(grad, B(static_cast<T>(hess)));
                    const B nv = xsimd::select(active, xsimd::select(v > zero, v, zero), x);
                    const B d = nv - x;
                    moved = xsimd::fma(d, d, moved);
                    nv.store_aligned(FT + t * W);
                }
                if (s == 0) first = moved;
                const M stop = (moved == zero) | (M(s != 0) & (moved <= vdelta2 * first));
                active = active & !stop;
                if (!xsimd::any(active)) break;
            }
            for (std::size_t q = 0; q < nq; ++q)
                for (std::size_t c = 0; c < r; ++c) F[(i0 + q) * ldf + c] = FT[c * W + q];
        }
    }

    // kernel_table::hals_rows. Rows of r ≤ k_lane_cap go W at a time in the lanes (lane_rows);
    // longer ones in groups of L whose sweeps interleave: each row's columns are a chain (an
    // entry's step waits on the one before, through a store to f and a vector load of it), L
    // rows are L chains side by side. A row that stops sits out its group's later sweeps. Every
    // row runs the same code whichever group and lane it falls in (the path depends on r only),
    // so its result does not depend on the rows passed with it.
    static void hals_rows(std::size_t rows, std::size_t r, T* F, std::size_t ldf, const T* b, std::size_t bi,
                          std::size_t bt, const T* G, double l1, double l2, std::uint32_t sweeps,
                          double delta2) noexcept {
        if (r <= k_lane_cap) return lane_rows(rows, r, F, ldf, b, bi, bt, G, l1, l2, sweeps, delta2);
        constexpr std::size_t L = 4;
        for (std::size_t i0 = 0; i0 < rows; i0 += L) {
            bool active[L] = {};
            double first[L] = {};
            std::size_t live = 0;
            for (std::size_t q = 0; q < L && i0 + q < rows; ++q, ++live) active[q] = true;
            for (std::uint32_t s = 0; s < sweeps && live != 0; ++s) {
                double moved[L] = {};
                for (std::size_t t = 0; t < r; ++t) {
                    const T* g = G + t * r;
                    const double hess = static_cast<double>(g[t]) + l2;
                    if (hess == 0) continue;
                    for (std::size_t q = 0; q < L; ++q) {
                        if (!active[q]) continue;
                        T* f = F + (i0 + q) * ldf;
                        const T old = f[t];
                        const T nv = step(old, static_cast<double>(dot(g, f, r)),
                                          static_cast<double>(b[(i0 + q) * bi + t * bt]), hess, l1, l2);
                        const double d = static_cast<double>(nv) - static_cast<double>(old);
                        moved[q] += d * d;
                        f[t] = nv;
                    }
                }
                for (std::size_t q = 0; q < L; ++q)
                    if (active[q] && stops(s, moved[q], first[q], delta2)) {
                        active[q] = false;
                        --live;
                    }
            }
        }
    }
};

}  // namespace
}  // namespace detail
}  // namespace nmfkit
