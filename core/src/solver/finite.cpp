// Scaled sums and the finite-result check (finite.hpp).
#include "solver/finite.hpp"

#include <cmath>
#include <limits>

namespace nmfkit {
namespace detail {

double times_pow2i(double v, int e) noexcept {
    for (; e > 1000; e -= 1000) v *= 0x1p1000;
    for (; e < -1000; e += 1000) v *= 0x1p-1000;
    return v * pow2<double>(e);
}
int exponent_of(double v) noexcept {
    if (v == 0) return 0;
    int shift = 0;
    if (std::fabs(v) < 0x1p-1000) {  // subnormal or nearly: into the normal range first
        v *= 0x1p64;
        shift = 64;
    }
    std::uint64_t b = 0;
    std::memcpy(&b, &v, sizeof b);
    return static_cast<int>((b >> 52) & 0x7ff) - 1022 - shift;
}

void add_scaled(scaled_sums& s, double row_sum, double row_sq, int row_e) noexcept {
    if (!s.any) {
        s.e = row_e;
        s.any = true;
    } else if (row_e > s.e) {  // the earlier rows become smaller units; what underflows is negligible
        s.sum = times_pow2i(s.sum, s.e - row_e);
        s.sq = times_pow2i(s.sq, 2 * (s.e - row_e));
        s.e = row_e;
    }
    s.sum += times_pow2i(row_sum, row_e - s.e);
    s.sq += times_pow2i(row_sq, 2 * (row_e - s.e));
}

template <class T>
void add_row(scaled_sums& s, const T* v, std::size_t len, double row_sum, double row_sq, double row_max) noexcept {
    constexpr double lo = 0x1p-480, hi = 0x1p480;
    s.max = row_max > s.max ? row_max : s.max;
    int e = 0;
    // In units of 2^e, row_max·2^-e in [0.5, 1): exact scaling. float's whole range (2^-149..2^128)
    // squares within double's, so only double rows get here.
    if (sizeof(T) == sizeof(double) && row_max != 0 && (row_max < lo || row_max > hi)) {
        e = exponent_of(row_max);
        double a[4] = {0, 0, 0, 0}, q[4] = {0, 0, 0, 0};
        for (std::size_t j = 0; j < len; ++j) {
            const double x = v ? static_cast<double>(v[j]) : 1.0;
            if (std::isnan(x)) continue;
            const double d = times_pow2i(x, -e);
            a[j & 3] += d;
            q[j & 3] += d * d;
        }
        row_sum = (a[0] + a[1]) + (a[2] + a[3]);
        row_sq = (q[0] + q[1]) + (q[2] + q[3]);
    }
    add_scaled(s, row_sum, row_sq, e);
}
template void add_row<float>(scaled_sums&, const float*, std::size_t, double, double, double) noexcept;
template void add_row<double>(scaled_sums&, const double*, std::size_t, double, double, double) noexcept;

double scaled_norm(const scaled_sums& s) noexcept { return times_pow2i(std::sqrt(s.sq), s.e); }
double plain_sum(const scaled_sums& s) noexcept { return times_pow2i(s.sum, s.e); }
double plain_sq(const scaled_sums& s) noexcept { return times_pow2i(s.sq, 2 * s.e); }

namespace {

template <class T>
bool all_finite(const_matrix_view<T> A) noexcept {
    constexpr T big = std::numeric_limits<T>::max();
    for (std::size_t i = 0; i < A.rows; ++i) {
        const T* a = A.row(i);
        bool ok = true;
        for (std::size_t j = 0; j < A.cols; ++j) ok &= a[j] >= -big && a[j] <= big;  // false for NaN
        if (!ok) return false;
    }
    return true;
}

}  // namespace

template <class T>
status finite_result(const_matrix_view<T> W, const_matrix_view<T> H, double loss) noexcept {
    if (!std::isfinite(loss) || !all_finite(W) || !all_finite(H)) return status::not_finite_result;
    return status::ok;
}

template status finite_result<float>(const_matrix_view<float>, const_matrix_view<float>, double) noexcept;
template status finite_result<double>(const_matrix_view<double>, const_matrix_view<double>, double) noexcept;

}  // namespace detail
}  // namespace nmfkit
