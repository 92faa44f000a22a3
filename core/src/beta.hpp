// Elementwise pieces of the beta-divergence updates (Févotte & Idier 2011), applied
// to one tile P = W·H of the product at a time so W·H is never materialized.
// The zero guards follow scikit-learn's NMF(solver='mu'): a zero entry of W·H is
// replaced by eps wherever a negative power (or a division) would meet it.
#pragma once

#include <cmath>
#include <cstddef>

namespace nmfkit {
namespace detail {

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
// x·log(x/y) − x + y; β = 0: x/y − log(x/y) − 1. y = 0 is guarded by eps where it
// would be divided by.
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
            if (beta == 2) {
                d_row += 0.5 * (xv - yv) * (xv - yv);
            } else if (beta == 1) {
                d_row += (xv > 0 ? xv * std::log(xv / yg) : 0.0) - xv + yv;
            } else if (beta == 0) {
                d_row += xv / yg - std::log(xv / yg) - 1;
            } else {
                const double yb = (beta < 1 ? yg : yv);
                d_row += (std::pow(xv, beta) + (beta - 1) * std::pow(beta < 0 ? yg : yv, beta) -
                          beta * xv * std::pow(yb, beta - 1)) /
                         (beta * (beta - 1));
            }
        }
        d_sum += d_row;
        s_sum += s_row;
    }
    div += d_sum;
    sq += s_sum;
}

}  // namespace detail
}  // namespace nmfkit
