// The numeric range of a fit: sums over X that neither overflow nor underflow (scaled by a
// power of two taken from the data), and the check that a fit's result is still finite.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <cmath>
#include <limits>

#include "nmfkit/nmfkit.hpp"

namespace nmfkit {
namespace detail {

// 2^e as T (|e| within T's normal exponents), by squaring: exact, and no libm on bare metal.
template <class T>
T pow2(int e) noexcept {
    T v = 1, b = e < 0 ? T(0.5) : T(2);
    for (unsigned t = static_cast<unsigned>(e < 0 ? -e : e); t != 0; t >>= 1, b *= b)
        if (t & 1u) v *= b;
    return v;
}
// v·2^e, exact where the result is a normal number; v·2^e for v = f·2^exponent_of(v), f in
// [0.5, 1) (frexp's). Bit operations and powers of two, no libm: the bare-metal core's flash.
double times_pow2i(double v, int e) noexcept;
int exponent_of(double v) noexcept;  // v finite; 0 for 0

// The scale of a fit (solver.cpp: x_scale_of): 0 while X's largest entry `max` lies in
// [2^-k_scale_band, 2^k_scale_band], where products and sums of the fit stay far inside T's
// range; else the q for which max·4^-q lies in [0.5, 2), within the exponents for which
// 4^-q and 2^±q are normal numbers of T.
constexpr int k_scale_band = 20;
inline bool in_band(double max) noexcept {
    const int e = exponent_of(max);
    return !(max > 0) || (e - 1 >= -k_scale_band && e <= k_scale_band);
}
template <class T>
int scale_exponent(double max) noexcept {
    if (in_band(max)) return 0;
    const int e = exponent_of(max);                                  // max in [2^(e−1), 2^e)
    const int lim = (std::numeric_limits<T>::max_exponent - 2) / 2;  // float 63, double 511
    const int q = e >= 0 ? e / 2 : -((1 - e) / 2);                   // floor(e / 2)
    return q < -lim ? -lim : q > lim ? lim : q;
}

// v·2^t for any real t, without overflowing before the result does.
inline double times_pow2(double v, double t) noexcept {
    const double f = std::floor(t);
    return times_pow2i(v * std::exp2(t - f), static_cast<int>(f < -4000 ? -4000 : f > 4000 ? 4000 : f));
}

// Σa = sum·2^e and Σa² = sq·4^e, max = max a (unscaled). e is 0 while every row's largest
// entry lies in [2^-480, 2^480] (always for float; the sums are then the plain ones, bit for
// bit), else the exponent of the largest row maximum: sum ≤ n·m and sq ≤ n·m then.
struct scaled_sums {
    double sum = 0, sq = 0, max = 0;
    int e = 0;
    bool any = false;  // a row has been added (e is set)
};

// Adds one row's sums, which are in units of 2^row_e (row_sq in 4^row_e).
void add_scaled(scaled_sums& s, double row_sum, double row_sq, int row_e) noexcept;
// Adds one row of `len` values (a null v: len ones; NaN entries are skipped) whose plain sums in
// double are row_sum, row_sq and whose largest entry is row_max: a double row whose largest entry
// lies outside [2^-480, 2^480] is summed again in units of 2^e, e the exponent of that entry.
template <class T>
void add_row(scaled_sums& s, const T* v, std::size_t len, double row_sum, double row_sq, double row_max) noexcept;
// sqrt(Σa²) = sqrt(sq)·2^e: finite unless the norm itself exceeds the double range.
double scaled_norm(const scaled_sums& s) noexcept;
// Σa and Σa² as plain doubles (inf or 0 where they leave the double range).
double plain_sum(const scaled_sums& s) noexcept;
double plain_sq(const scaled_sums& s) noexcept;

// ok, or not_finite_result if an entry of W or H, or the loss, is NaN or infinite.
// scan_values (validate.cpp, declared in state.hpp) with the sums kept scaled: validates A as
// that one does (first bad entry in out) and fills sums.
template <class T>
status scan_values(const_matrix_view<T> A, status not_finite, status negative, result& out, matrix_id which,
                   scaled_sums& sums, bool positive = false) noexcept;

template <class T>
status finite_result(const_matrix_view<T> W, const_matrix_view<T> H, double loss) noexcept;

}  // namespace detail
}  // namespace nmfkit
