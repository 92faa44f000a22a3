// The β-divergence kernels of an xsimd kernel set (semantics: beta.hpp): the update
// operands X ∘ p^(β−2) and p^(β−1) of a tile of W·H, the loss over a tile (in double lanes),
// and the vector math itself for the accuracy tests (vmath).
#pragma once

#include "beta.hpp"
#include "kernels/simd_math.hpp"
#include "kernels/simd_tail.hpp"

#include <cstddef>

namespace nmfkit {
namespace detail {
namespace {

template <class T, class Arch>
struct beta_kernels {
    using B = xsimd::batch<T, Arch>;
    static constexpr std::size_t W = B::size;
    using M = simd_math<T, Arch>;
    enum beta_mode { kl, is, below2, general };

    // One vector of the tile: returns the new P, writes q^(β−1) to b.
    template <int mode>
    static B beta_vec(const B& x, const B& y, B& b, const typename M::exponent& e1, const typename M::exponent& e2,
                      const B& veps, bool guard_b) noexcept {
        const auto y0 = y < veps;  // scikit-learn's guard: W·H below eps counts as eps
        if (mode == kl) {
            b = B(T(1));  // pow(q, 0)
            return vdiv(x, xsimd::select(y0, veps, y));
        } else if (mode == is) {
            const B inv = vdiv(B(T(1)), xsimd::select(y0, veps, y));
            b = inv;
            return x * (inv * inv);
        } else if (mode == below2) {
            // p^(β−2) = p^(β−1) / p: one pow instead of two (≤ 1 ulp more than the reference).
            const B yn = xsimd::select(y0, veps, y);
            const B q = M::pow(yn, e1);
            b = q;
            // 1 < β < 2: the denominator's p^(β−1) is not guarded (a positive power of a small p).
            if (!guard_b && xsimd::any(y0))
                b = xsimd::select(y0, xsimd::select(y == B(T(0)), B(e1.at0), M::pow(y, e1)), q);
            return x * vdiv(q, yn);
        } else {  // β ≥ 2: no guards, 0^(β−2) must stay exact
            b = M::pow(y, e1);
            return x * M::pow(y, e2);
        }
    }

    template <int mode>
    static void beta_rows(std::size_t rows, std::size_t cols, const T* X, std::size_t ldx, T* P, std::size_t ldp, T* Bo,
                          std::size_t ldb, double beta, T eps) noexcept {
        const typename M::exponent e1 = M::split(static_cast<T>(beta - 1));
        const typename M::exponent e2 = M::split(static_cast<T>(beta - 2));
        const B veps(eps);
        const bool guard_b = beta < 1;
        const std::size_t rem = cols % W, full = cols - rem;
        for (std::size_t i = 0; i < rows; ++i) {
            const T* x = X + i * ldx;
            T* p = P + i * ldp;
            T* bo = Bo ? Bo + i * ldb : nullptr;
            for (std::size_t j = 0; j < full; j += W) {
                B b;
                const B r = beta_vec<mode>(B::load_unaligned(x + j), B::load_unaligned(p + j), b, e1, e2, veps,
                                           guard_b);
                r.store_unaligned(p + j);
                if (bo) b.store_unaligned(bo + j);
            }
            if (rem) {
                alignas(64) T xt[W], pt[W], bt[W];
                for (std::size_t t = 0; t < W; ++t) {
                    xt[t] = t < rem ? x[full + t] : T(1);
                    pt[t] = t < rem ? p[full + t] : T(1);
                }
                B b;
                beta_vec<mode>(B::load_aligned(xt), B::load_aligned(pt), b, e1, e2, veps, guard_b).store_aligned(pt);
                b.store_aligned(bt);
                for (std::size_t t = 0; t < rem; ++t) p[full + t] = pt[t];
                if (bo)
                    for (std::size_t t = 0; t < rem; ++t) bo[full + t] = bt[t];
            }
        }
    }

    static void beta_tile(std::size_t rows, std::size_t cols, const T* X, std::size_t ldx, T* P, std::size_t ldp, T* Bo,
                          std::size_t ldb, double beta, T eps) noexcept {
        if (beta == 1) return beta_rows<kl>(rows, cols, X, ldx, P, ldp, Bo, ldb, beta, eps);
        if (beta == 0) return beta_rows<is>(rows, cols, X, ldx, P, ldp, Bo, ldb, beta, eps);
        if (beta < 2) return beta_rows<below2>(rows, cols, X, ldx, P, ldp, Bo, ldb, beta, eps);
        beta_rows<general>(rows, cols, X, ldx, P, ldp, Bo, ldb, beta, eps);
    }

    // The loss runs in double lanes (float inputs widened): the terms cancel heavily near a
    // fit (x·log(x/y) − x + y ≈ (x−y)²/2y), which float lanes could not resolve to 1e-6.
    using D = xsimd::batch<double, Arch>;
    using MD = simd_math<double, Arch>;
    static constexpr std::size_t WD = D::size;

    template <int mode>
    static void loss_vec(const D& xv, const D& yv, const D& ve, const typename MD::exponent* pe, double beta, D& dacc,
                         D& sacc) noexcept {
        const D d = xv - yv;
        sacc += d * d;
        if (mode == 2) {
            dacc += D(0.5) * d * d;
            return;
        }
        const D zero(0.0);
        const D yg = xsimd::select(yv == zero, ve, yv);
        D t;
        if (mode == 1) {
            const D l = MD::log(xsimd::select(xv > zero, xv / yg, D(1.0)));
            t = xv * l - xv + yv;
        } else if (mode == 0) {
            const D q = xv / yg;
            t = q - MD::log(q) - D(1.0);
        } else {
            // pe: β, β−1. d_β = (x^β + (β−1)·y^β − β·x·y^(β−1)) / (β(β−1)).
            const D yb = beta < 1 ? yg : yv;
            t = (MD::pow(xv, pe[0]) + D(beta - 1) * MD::pow(beta < 0 ? yg : yv, pe[0]) -
                 D(beta) * xv * MD::pow(yb, pe[1])) /
                D(beta * (beta - 1));
        }
        dacc += xsimd::select(t < zero, zero, t);  // as beta_loss_tile_scalar: never below 0, NaN stays
    }

    template <int mode>
    static void loss_rows(std::size_t rows, std::size_t cols, const T* X, std::size_t ldx, const T* P, std::size_t ldp,
                          double beta, T eps, double& div, double& sq) noexcept {
        const typename MD::exponent pe[2] = {MD::split(beta), MD::split(beta - 1)};
        const D ve(static_cast<double>(eps)), zero(0.0);
        const std::size_t rem = cols % WD, full = cols - rem;
        static_assert(WD <= 64, "vector wider than the lane table");
        const auto tail = D::load_aligned(lane_iota<double>::v) < D(static_cast<double>(rem));
        double d_sum = 0, s_sum = 0;
        for (std::size_t i = 0; i < rows; ++i) {
            const T* x = X + i * ldx;
            const T* p = P + i * ldp;
            D dacc(0.0), sacc(0.0);
            for (std::size_t j = 0; j < full; j += WD)
                loss_vec<mode>(load_double<T, Arch>(x + j), load_double<T, Arch>(p + j), ve, pe, beta, dacc, sacc);
            if (rem) {
                alignas(64) T xt[WD], pt[WD];
                for (std::size_t t = 0; t < WD; ++t) {
                    xt[t] = t < rem ? x[full + t] : T(1);
                    pt[t] = t < rem ? p[full + t] : T(1);
                }
                D dt(0.0), st(0.0);
                loss_vec<mode>(load_double<T, Arch>(xt), load_double<T, Arch>(pt), ve, pe, beta, dt, st);
                dacc += xsimd::select(tail, dt, zero);
                sacc += xsimd::select(tail, st, zero);
            }
            d_sum += simd_reduce_add(dacc);
            s_sum += simd_reduce_add(sacc);
        }
        div += d_sum;
        sq += s_sum;
    }

    static void beta_loss_tile(std::size_t rows, std::size_t cols, const T* X, std::size_t ldx, const T* P,
                               std::size_t ldp, double beta, T eps, double& div, double& sq) noexcept {
        if (beta == 2) return loss_rows<2>(rows, cols, X, ldx, P, ldp, beta, eps, div, sq);
        if (beta == 1) return loss_rows<1>(rows, cols, X, ldx, P, ldp, beta, eps, div, sq);
        if (beta == 0) return loss_rows<0>(rows, cols, X, ldx, P, ldp, beta, eps, div, sq);
        // Near 1 and 0 the stable forms need expm1, which the vector math lacks; rare β.
        if (beta_near_limit(beta)) return beta_loss_tile_scalar<T>(rows, cols, X, ldx, P, ldp, beta, eps, div, sq);
        loss_rows<3>(rows, cols, X, ldx, P, ldp, beta, eps, div, sq);
    }

    static void vmath(int f, std::size_t n, const T* x, T e, T* out) noexcept {
        const typename M::exponent pe = M::split(e);
        for (std::size_t i = 0; i < n; i += W) {
            const std::size_t c = kmin(W, n - i);
            alignas(64) T t[W];
            for (std::size_t k = 0; k < W; ++k) t[k] = k < c ? x[i + k] : T(1);
            const B v = B::load_aligned(t);
            (f == 0 ? M::log(v) : f == 1 ? M::exp(v) : M::pow(v, pe)).store_aligned(t);
            for (std::size_t k = 0; k < c; ++k) out[i + k] = t[k];
        }
    }
};

}  // namespace
}  // namespace detail
}  // namespace nmfkit
