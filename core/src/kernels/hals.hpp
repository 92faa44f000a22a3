// HALS's row update of an xsimd kernel set (kernel_table::hals_rows): each gradient entry is a
// dot product of a row of G with the row of F, in T lanes along the row, the rest of the
// coordinate step in double as in the scalar set.
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

    // kernel_table::hals_rows. Rows go in groups of L whose sweeps interleave: each row's
    // columns are a chain (an entry's step waits on the one before, through a store to f and
    // a vector load of it), L rows are L chains side by side. A row that stops sits out its
    // group's later sweeps. Every row runs the same code whichever group and lane it falls in,
    // so its result does not depend on the rows passed with it.
    static void hals_rows(std::size_t rows, std::size_t r, T* F, std::size_t ldf, const T* b, std::size_t bi,
                          std::size_t bt, const T* G, double l1, double l2, std::uint32_t sweeps,
                          double delta2) noexcept {
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
