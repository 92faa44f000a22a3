// Elementwise pieces of the beta-divergence updates (Févotte & Idier 2011), applied
// to one tile P = W·H of the product at a time so W·H is never materialized.
// The zero guards follow scikit-learn's NMF(solver='mu'): a zero entry of W·H is
// replaced by eps wherever a negative power (or a division) would meet it.
#pragma once

#include <cmath>
#include <cstddef>
#include <limits>

namespace nmfkit {
namespace detail {

// β is a finite number and not subnormal: a subnormal β (0 < |β| < 2.2e-308) is rejected
// (invalid_beta) rather than taken as 0, so that β = 0's X > 0 requirement never depends on
// which side of the subnormal range a computed β lands.
inline bool valid_beta(double beta) noexcept {
    return std::isfinite(beta) && (beta == 0 || std::fabs(beta) >= std::numeric_limits<double>::min());
}

// Within k_beta_near of 1 or of 0 (β itself excluded) the loss uses forms of d_β that tend
// to KL and IS continuously; the general formula's 1/(β(β−1)) amplifies rounding by
// 1/|β−1| or 1/|β| there (at 2^-10 from a limit: ~2e-13 relative, below that worse).
constexpr double k_beta_near = 0x1p-10;

inline bool beta_near_limit(double beta) noexcept {
    return beta != 0 && beta != 1 && (std::fabs(beta) < k_beta_near || std::fabs(beta - 1) < k_beta_near);
}

// expm1(e·L)/e, which tends to L as e → 0; the series keeps it exact where e·L is tiny.
inline double expm1_over(double e, double L) noexcept {
    const double t = e * L;
    if (std::fabs(t) < 1e-4) return L * (1 + t * (0.5 + t * (1.0 / 6 + t * (1.0 / 24))));
    return std::expm1(t) / e;
}

// d_β(x | y) for β near 1 or 0 (beta_near_limit), y > 0 (guarded), algebraically the general
// formula: with e = β − 1, L = log(x/y):  d = y^e/β · (x·expm1(eL)/e − x + y)   (→ KL);
// with q = x/y:  d = y^β/(1 − β) · (q − 1 − expm1(β·log q)/β)                  (→ IS).
inline double beta_term_near(double x, double y, double beta) noexcept {
    if (std::fabs(beta - 1) < k_beta_near) {
        const double e = beta - 1;
        const double core = (x > 0 ? x * expm1_over(e, std::log(x / y)) : 0.0) - x + y;
        return std::pow(y, e) / beta * core;
    }
    if (x == 0) return std::pow(y, beta) / beta;  // β > 0 here (β ≤ 0 needs X > 0)
    const double q = x / y;
    return std::pow(y, beta) / (1 - beta) * ((q - 1) - expm1_over(beta, std::log(q)));
}

// On a rows×cols tile, with P = W·H on entry:
//   P ← X ∘ p^(β−2),  p = (P < eps ? eps : P)      (numerator operand; β < 2 guarded)
//   B ← q^(β−1),      q = (P < eps && β < 1 ? eps : P)   (denominator operand; skipped if B is null)
// scikit-learn's guards: a W·H entry below eps counts as eps where a negative power (or a
// division) meets it, so (W·H)^(β−2) cannot overflow where W·H underflows toward 0.
// β = 1 and β = 0 take exact division paths instead of pow.
template <class T>
void beta_tile_scalar(std::size_t rows, std::size_t cols, const T* X, std::size_t ldx, T* P, std::size_t ldp, T* B,
                      std::size_t ldb, double beta, T eps) noexcept {
    const T e1 = static_cast<T>(beta - 1), e2 = static_cast<T>(beta - 2);
    for (std::size_t i = 0; i < rows; ++i) {
        const T* x = X + i * ldx;
        T* p = P + i * ldp;
        T* b = B ? B + i * ldb : nullptr;
        for (std::size_t j = 0; j < cols; ++j) {
            const T y = p[j];
            const T yn = (beta < 2 && y < eps) ? eps : y;
            if (b) {
                const T yd = (beta < 1 && y < eps) ? eps : y;
                b[j] = beta == 0 ? T(1) / yd : static_cast<T>(std::pow(yd, e1));
            }
            if (beta == 1) {
                p[j] = x[j] / yn;
            } else if (beta == 0) {
                const T inv = T(1) / yn;
                p[j] = x[j] * (inv * inv);
            } else {
                p[j] = x[j] * static_cast<T>(std::pow(yn, e2));
            }
        }
    }
}

// Sums over a tile (P = W·H) of the divergence terms d_β(x | y) and of (x − y)², in
// double. d_β(x|y) = (x^β + (β−1)·y^β − β·x·y^(β−1)) / (β(β−1)); β = 1:
// x·log(x/y) − x + y; β = 0: x/y − log(x/y) − 1; near those (beta_near_limit) beta_term_near,
// with y = 0 counted as eps as in the limits. y = 0 is guarded by eps where it would be
// divided by. Every term is clamped at 0, so no rounding makes the sum negative; a term that
// overflows (inf − inf) stays NaN, for the caller to report (not_finite_result).
template <class T>
void beta_loss_tile_scalar(std::size_t rows, std::size_t cols, const T* X, std::size_t ldx, const T* P, std::size_t ldp,
                           double beta, T eps, double& div, double& sq) noexcept {
    const double e = static_cast<double>(eps);
    double d_sum = 0, s_sum = 0;
    for (std::size_t i = 0; i < rows; ++i) {
        const T* x = X + i * ldx;
        const T* p = P + i * ldp;
        double d_row = 0, s_row = 0;
        for (std::size_t j = 0; j < cols; ++j) {
            const double xv = x[j], yv = p[j];
            s_row += (xv - yv) * (xv - yv);
            const double yg = yv == 0 ? e : yv;
            double d;
            if (beta == 2) {
                d = 0.5 * (xv - yv) * (xv - yv);
            } else if (beta == 1) {
                d = (xv > 0 ? xv * std::log(xv / yg) : 0.0) - xv + yv;
            } else if (beta == 0) {
                d = xv / yg - std::log(xv / yg) - 1;
            } else if (beta_near_limit(beta)) {
                d = beta_term_near(xv, yg, beta);
            } else {
                const double yb = (beta < 1 ? yg : yv);
                d = (std::pow(xv, beta) + (beta - 1) * std::pow(beta < 0 ? yg : yv, beta) -
                     beta * xv * std::pow(yb, beta - 1)) /
                    (beta * (beta - 1));
            }
            d_row += d < 0 ? 0.0 : d;  // d_β ≥ 0: a term that rounds below 0 counts as 0 (a NaN stays)
        }
        d_sum += d_row;
        s_sum += s_row;
    }
    div += d_sum;
    sq += s_sum;
}

}  // namespace detail
}  // namespace nmfkit
