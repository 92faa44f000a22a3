// Scaled sums and the finite-result check (finite.hpp).
#include "solver/finite.hpp"

#include <cmath>
#include <limits>

namespace nmfkit {
namespace detail {

void add_scaled(scaled_sums& s, double row_sum, double row_sq, int row_e) noexcept {
    if (!s.any) {
        s.e = row_e;
        s.any = true;
    } else if (row_e > s.e) {  // the earlier rows become smaller units; what underflows is negligible
        s.sum = std::ldexp(s.sum, s.e - row_e);
        s.sq = std::ldexp(s.sq, 2 * (s.e - row_e));
        s.e = row_e;
    }
    s.sum += std::ldexp(row_sum, row_e - s.e);
    s.sq += std::ldexp(row_sq, 2 * (row_e - s.e));
}

double scaled_norm(const scaled_sums& s) noexcept { return std::ldexp(std::sqrt(s.sq), s.e); }
double plain_sum(const scaled_sums& s) noexcept { return std::ldexp(s.sum, s.e); }
double plain_sq(const scaled_sums& s) noexcept { return std::ldexp(s.sq, 2 * s.e); }

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
