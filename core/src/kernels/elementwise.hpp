// The elementwise multiplicative updates of an xsimd kernel set: mu_update (the plain
// Frobenius update, the fit's hot path) and factor_update (penalties, MM exponent, zeroing).
#pragma once

#include "kernels/simd_math.hpp"
#include "kernels/simd_tail.hpp"

#include <cstddef>
#include <type_traits>

namespace nmfkit {
namespace detail {
namespace {

// Σ (double(v) − double(old))² over the lanes of the vectors added, in double lanes.
template <class T, class Arch, bool = has_double_lanes<Arch>>
struct step_sum {
    using B = xsimd::batch<T, Arch>;
    using D = xsimd::batch<double, Arch>;
    D acc = D(0.0);
    void add(const B& v, const B& old) noexcept {
        if constexpr (std::is_same<T, double>::value) {
            const D d = v - old;
            acc = xsimd::fma(d, d, acc);
        } else {
            alignas(64) T vb[B::size], ob[B::size];
            v.store_aligned(vb);
            old.store_aligned(ob);
            for (std::size_t k = 0; k < B::size; k += D::size) {
                const D d = load_double<T, Arch>(vb + k) - load_double<T, Arch>(ob + k);
                acc = xsimd::fma(d, d, acc);
            }
        }
    }
    double get() const noexcept { return simd_reduce_add(acc); }
};

// 32-bit NEON (no double lanes): the same sum lane by lane.
template <class T, class Arch>
struct step_sum<T, Arch, false> {
    using B = xsimd::batch<T, Arch>;
    double acc = 0;
    void add(const B& v, const B& old) noexcept {
        alignas(64) T vb[B::size], ob[B::size];
        v.store_aligned(vb);
        old.store_aligned(ob);
        for (std::size_t k = 0; k < B::size; ++k) {
            const double d = static_cast<double>(vb[k]) - static_cast<double>(ob[k]);
            acc += d * d;
        }
    }
    double get() const noexcept { return acc; }
};

template <class T, class Arch>
struct elementwise {
    using B = xsimd::batch<T, Arch>;
    using M = simd_math<T, Arch>;
    static constexpr std::size_t W = B::size;

    // One vector of the update; adds (v − old)² to acc.
    static void mu_vec(T* x, const T* num, const T* den, const B& veps, B& acc) noexcept {
        const B d = B::load_unaligned(den);
        const B dd = xsimd::select(d == B(T(0)), veps, d);
        const B old = B::load_unaligned(x);
        const B q = vdiv(old * B::load_unaligned(num), dd);
        const B v = xsimd::select(q < B(k_tiny<T>), B(T(0)), q);
        acc = xsimd::fma(v - old, v - old, acc);
        v.store_unaligned(x);
    }

    // x ← x·num / d (d = den, eps where den == 0); returns ‖Δx‖²_F. Rows stored back to back
    // (the solver's W, H and products) run as one long row, and the step is summed in two
    // float vectors flushed to double every 64 vectors, not reduced per row (r = 16: every row
    // of W is one vector).
    static double mu_update(std::size_t rows, std::size_t cols, T* x, std::size_t ldx, const T* num, std::size_t ldn,
                            const T* den, std::size_t ldd, T eps) noexcept {
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
                    T v = xr[j] * nr[j] / d;
                    if (v < k_tiny<T>) v = 0;
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

    // factor_update's operands, broadcast once.
    struct factor_consts {
        B eps, l1, l2, zero_below;
        typename M::exponent gamma;
        explicit factor_consts(const update_params<T>& p) noexcept
            : eps(p.eps), l1(p.l1), l2(p.l2), zero_below(p.zero_below), gamma(M::split(p.gamma)) {}
    };

    // One vector of factor_update, in the scalar set's order of operations: d = (den + l1) +
    // l2·x, q = num / d, q^γ, then x·q.
    template <bool use_pow>
    static B factor_vec(const B& old, const B& n, const B& dn, const factor_consts& c) noexcept {
        B d = (dn + c.l1) + c.l2 * old;
        d = xsimd::select(d == B(T(0)), c.eps, d);
        B q = vdiv(n, d);
        if constexpr (use_pow) q = M::pow(q, c.gamma);
        const B v = old * q;
        return xsimd::select(v < c.zero_below, B(T(0)), v);
    }

    // Every entry goes through the vector path (the row tail as a masked vector, whose
    // zero-filled lanes update to 0), so the result does not depend on the row stride even
    // where vdiv is not IEEE (ARMv7), and contiguous rows run as one.
    template <bool track, bool use_pow>
    static double factor_rows(std::size_t rows, std::size_t cols, T* x, std::size_t ldx, const T* num, std::size_t ldn,
                              const T* den, std::size_t ldd, const update_params<T>& p) noexcept {
        if (rows > 1 && ldx == cols && ldn == cols && ldd == cols) {
            cols *= rows;
            rows = 1;
        }
        const factor_consts c(p);
        step_sum<T, Arch> step;
        const std::size_t rem = cols % W, full = cols - rem;
        for (std::size_t i = 0; i < rows; ++i) {
            T* xr = x + i * ldx;
            const T* nr = num + i * ldn;
            const T* dr = den + i * ldd;
            for (std::size_t j = 0; j < full; j += W) {
                const B old = B::load_unaligned(xr + j);
                const B v = factor_vec<use_pow>(old, B::load_unaligned(nr + j), B::load_unaligned(dr + j), c);
                v.store_unaligned(xr + j);
                if constexpr (track) step.add(v, old);
            }
            if (rem != 0) {
                using P = partial<T, Arch>;
                const B old = P::load(xr + full, rem);
                const B v = factor_vec<use_pow>(old, P::load(nr + full, rem), P::load(dr + full, rem), c);
                P::store(xr + full, v, rem);
                if constexpr (track) step.add(v, old);
            }
        }
        return track ? step.get() : 0.0;
    }

    // kernel_table::factor_update. γ ≠ 1 (the vector pow) only in NMFKIT_EXTENDED builds. wasm
    // (module size): one loop per γ path, the step always summed.
    static double factor_update(std::size_t rows, std::size_t cols, T* x, std::size_t ldx, const T* num,
                                std::size_t ldn, const T* den, std::size_t ldd, const update_params<T>& p,
                                bool track) noexcept {
        const bool sum = track || k_wasm_simd;
        double s;
        if (k_extended && p.gamma != T(1))
            s = sum ? factor_rows<true, k_extended>(rows, cols, x, ldx, num, ldn, den, ldd, p)
                    : factor_rows<k_wasm_simd, k_extended>(rows, cols, x, ldx, num, ldn, den, ldd, p);
        else
            s = sum ? factor_rows<true, false>(rows, cols, x, ldx, num, ldn, den, ldd, p)
                    : factor_rows<k_wasm_simd, false>(rows, cols, x, ldx, num, ldn, den, ldd, p);
        return track ? s : 0.0;
    }
};

}  // namespace
}  // namespace detail
}  // namespace nmfkit
