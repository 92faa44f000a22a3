// Validation of the solver's inputs: options, matrix views and their overlap, value scans.
#include <cmath>
#include <cstdint>
#include <limits>

#include "beta.hpp"
#include "solver/finite.hpp"
#include "solver/state.hpp"

namespace nmfkit {
namespace detail {
namespace {

bool finite_nonneg(double v) noexcept { return v >= 0 && v <= std::numeric_limits<double>::max(); }

}  // namespace

template <class T>
status check_options(const options& o, bool sparse) noexcept {
    if (o.rank == 0) return status::zero_rank;
    if (!(o.tol >= 0)) return status::invalid_tol;  // also rejects NaN
    const T eps = static_cast<T>(o.epsilon);
    if (!(o.epsilon > 0) || !std::isfinite(o.epsilon) || !(eps > 0) || !std::isfinite(eps))
        return status::invalid_epsilon;
    if (o.check_every == 0) return status::invalid_check_every;
    if (o.init != init_method::random && o.init != init_method::custom && !is_nndsvd(o.init))
        return status::invalid_init;
    if (o.kernel != kernel_choice::automatic && o.kernel != kernel_choice::scalar) return status::invalid_kernel;
    if (!valid_beta(o.beta)) return status::invalid_beta;  // also a subnormal beta (beta.hpp)
    if (!finite_nonneg(o.alpha_w) || !finite_nonneg(o.alpha_h)) return status::invalid_alpha;
    if (!(o.l1_ratio >= 0 && o.l1_ratio <= 1)) return status::invalid_l1_ratio;
    if (o.solver != algorithm::mu && o.solver != algorithm::amu && o.solver != algorithm::hals &&
        o.solver != algorithm::automatic)
        return status::invalid_solver;
    const bool frobenius_only = resolve_solver(o) != algorithm::mu;  // amu, hals
    if (frobenius_only && o.beta != 2) return status::invalid_solver;
    const missing_entries miss = o.missing;
    if constexpr (!k_extended) {
        if (o.beta != 2 || is_nndsvd(o.init) || frobenius_only || sparse || miss != missing_entries::none)
            return status::not_built;
    } else {
        if (miss != missing_entries::none && miss != (sparse ? missing_entries::unstored : missing_entries::nan))
            return status::invalid_missing;
        if (frobenius_only && miss != missing_entries::none) return status::invalid_solver;
    }
    return status::ok;
}

template <class T>
status check_view(const_matrix_view<T> v, std::size_t& extent_bytes) noexcept {
    if (v.stride < v.cols) return status::stride_too_small;
    extent_bytes = 0;
    if (v.rows == 0) return status::ok;
    std::size_t e = 0;
    if (!checked_mul(v.rows - 1, v.stride, e) || !checked_add(e, v.cols, e) || !checked_mul(e, sizeof(T), extent_bytes))
        return status::size_overflow;
    // The view must fit in the address space from its start: no row pointer may wrap around.
    if (reinterpret_cast<std::uintptr_t>(v.data) > UINTPTR_MAX - extent_bytes) return status::size_overflow;
    return status::ok;
}

bool overlap(const void* a, std::size_t a_bytes, const void* b, std::size_t b_bytes) noexcept {
    const auto pa = reinterpret_cast<std::uintptr_t>(a);
    const auto pb = reinterpret_cast<std::uintptr_t>(b);
    return pa < pb + b_bytes && pb < pa + a_bytes;
}

// W (n×r) and H (r×m) against X (n×m); in the solve modes a wrong shape of the fixed factor has
// its own status.
template <class T>
status check_factors(std::size_t n, std::size_t m, const_matrix_view<T> W, const_matrix_view<T> H, std::size_t r,
                     mode md) noexcept {
    const bool w_ok = W.rows == n && W.cols == r, h_ok = H.rows == r && H.cols == m;
    if (md == mode::solve_w && !h_ok) return status::transform_shape_mismatch;
    if (md == mode::solve_h && !w_ok) return status::transform_shape_mismatch;
    if (!w_ok || !h_ok) return status::shape_mismatch;
    return status::ok;
}

template <class T>
status check_problem(const_matrix_view<T> X, const_matrix_view<T> W, const_matrix_view<T> H, std::size_t r,
                     std::size_t extents[3], mode md) noexcept {
    if (X.rows == 0 || X.cols == 0) return status::empty_dimension;
    if (!X.data || !W.data || !H.data) return status::null_pointer;
    if (const status s = check_factors<T>(X.rows, X.cols, W, H, r, md); s != status::ok) return s;
    const const_matrix_view<T>* views[3] = {&X, &W, &H};
    for (int i = 0; i < 3; ++i) {
        const status s = check_view<T>(*views[i], extents[i]);
        if (s != status::ok) return s;
    }
    return status::ok;
}

template <class T>
status check_csr_problem(const csr_view<T>& X, const_matrix_view<T> W, const_matrix_view<T> H, std::size_t r, mode md,
                         std::size_t (&x_bytes)[3], std::size_t (&wh_extents)[2]) noexcept {
    if (X.rows == 0 || X.cols == 0) return status::empty_dimension;
    if (!X.indptr || !W.data || !H.data || (X.nnz > 0 && !X.indices)) return status::null_pointer;
    // Column indices are 32-bit: beyond 2^32 columns no entry could be addressed.
    if (static_cast<std::uint64_t>(X.cols - 1) > 0xffffffffu) return status::size_overflow;
    if (const status s = check_factors<T>(X.rows, X.cols, W, H, r, md); s != status::ok) return s;
    // The bytes the arrays span (the overlap check): rows + 1 offsets, nnz indices and values.
    std::size_t offsets = 0;
    if (!checked_add(X.rows, 1, offsets) || !checked_mul(offsets, sizeof(std::uint64_t), x_bytes[0]) ||
        !checked_mul(X.nnz, sizeof(std::uint32_t), x_bytes[1]) || !checked_mul(X.nnz, sizeof(T), x_bytes[2]))
        return status::size_overflow;
    if (!X.values) x_bytes[2] = 0;
    const const_matrix_view<T>* views[2] = {&W, &H};
    for (int i = 0; i < 2; ++i) {
        const status s = check_view<T>(*views[i], wh_extents[i]);
        if (s != status::ok) return s;
    }
    return status::ok;
}

// Four interleaved partial sums per row, so the random initialization (which reads Σx) is
// bit-identical on every platform. A row whose largest entry is outside [2^-480, 2^480] (double
// X only) is summed again in units of its own power of two, so that Σx² of 1e-200s does not
// underflow to 0 nor Σx of 1e308s overflow (finite.hpp: scaled_sums).
template <class T>
status scan_values(const_matrix_view<T> A, status not_finite, status negative, result& out, matrix_id which,
                   scaled_sums& sums, bool positive) noexcept {
    constexpr T big = std::numeric_limits<T>::max();
    sums = scaled_sums{};
    for (std::size_t i = 0; i < A.rows; ++i) {
        const T* a = A.row(i);
        double s[4] = {0, 0, 0, 0}, q[4] = {0, 0, 0, 0};
        T mx = 0;
        bool bad = false;
        for (std::size_t j = 0; j < A.cols; ++j) {
            const T v = a[j];
            bad |= !(v >= 0 && v <= big) || (positive && v == 0);
            mx = v > mx ? v : mx;
            const double d = static_cast<double>(v);
            s[j & 3] += d;
            q[j & 3] += d * d;
        }
        if (bad) {
            for (std::size_t j = 0; j < A.cols; ++j) {
                const T v = a[j];
                if (v > 0 && v <= big) continue;
                if (v == 0 && !positive) continue;
                out.bad_matrix = which;
                out.bad_row = i;
                out.bad_col = j;
                if (std::isnan(v) || std::isinf(v)) return not_finite;
                return v == 0 ? status::x_not_positive : negative;
            }
        }
        add_row(sums, a, A.cols, (s[0] + s[1]) + (s[2] + s[3]), (q[0] + q[1]) + (q[2] + q[3]), static_cast<double>(mx));
    }
    return status::ok;
}

template <class T>
status scan_values(const_matrix_view<T> A, status not_finite, status negative, result& out, matrix_id which,
                   double* sum, double* sqsum, bool positive) noexcept {
    scaled_sums sums;
    const status s = scan_values<T>(A, not_finite, negative, out, which, sums, positive);
    if (s != status::ok) return s;
    if (sum) *sum = plain_sum(sums);
    if (sqsum) *sqsum = plain_sq(sums);
    return status::ok;
}

#define NMFKIT_VALIDATE_INSTANTIATE(T)                                                                                \
    template status check_options<T>(const options&, bool) noexcept;                                                  \
    template status check_view<T>(const_matrix_view<T>, std::size_t&) noexcept;                                       \
    template status check_problem<T>(const_matrix_view<T>, const_matrix_view<T>, const_matrix_view<T>, std::size_t,   \
                                     std::size_t[3], mode) noexcept;                                                  \
    template status scan_values<T>(const_matrix_view<T>, status, status, result&, matrix_id, double*, double*,        \
                                   bool) noexcept;                                                                    \
    template status scan_values<T>(const_matrix_view<T>, status, status, result&, matrix_id, scaled_sums&,            \
                                   bool) noexcept;                                                                    \
    template status check_csr_problem<T>(const csr_view<T>&, const_matrix_view<T>, const_matrix_view<T>, std::size_t, \
                                         mode, std::size_t(&)[3], std::size_t(&)[2]) noexcept;
NMFKIT_VALIDATE_INSTANTIATE(float)
NMFKIT_VALIDATE_INSTANTIATE(double)
#undef NMFKIT_VALIDATE_INSTANTIATE

}  // namespace detail

algorithm resolve_solver(const options& opt) noexcept {
    if (opt.solver != algorithm::automatic) return opt.solver;
    return detail::k_extended && opt.beta == 2 && opt.missing == missing_entries::none ? algorithm::hals
                                                                                       : algorithm::mu;
}
}  // namespace nmfkit
