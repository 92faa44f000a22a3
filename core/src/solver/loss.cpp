// The loss: exact D_β(X | W·H) in tiles of W·H, the cached Frobenius loss, the penalties and
// the result report; the public beta_divergence / frobenius_loss.
#include <cmath>

#include "beta.hpp"
#include "solver/state.hpp"

namespace nmfkit {
namespace detail {
namespace {

// Σ_ij A(i,j)·B(i,j) in double (B tightly packed with row stride ldb).
template <class T>
double dot_entries(const_matrix_view<T> A, const T* B, std::size_t ldb) noexcept {
    double total = 0;
    for (std::size_t i = 0; i < A.rows; ++i) {
        const T* a = A.row(i);
        const T* b = B + i * ldb;
        double s = 0;
        for (std::size_t j = 0; j < A.cols; ++j) s += static_cast<double>(a[j]) * static_cast<double>(b[j]);
        total += s;
    }
    return total;
}

double relative_error_of(double sq_err, double x_sqnorm) noexcept {
    if (!(x_sqnorm > 0)) return 0.0;
    const double r = std::sqrt(sq_err / x_sqnorm);
    return std::isinf(r) ? std::sqrt(sq_err) / std::sqrt(x_sqnorm) : r;  // the quotient of squares overflowed
}

// l1·‖A·2^e‖₁ + ½·l2·‖A·2^e‖²: the penalty of a factor at the caller's scale.
template <class T>
double penalty(const_matrix_view<T> A, double l1, double l2, int e) noexcept {
    if (l1 == 0 && l2 == 0) return 0;
    const double f = times_pow2i(1.0, e);  // |e| ≤ 1022: a normal number
    double s1 = 0, s2 = 0;
    for (std::size_t i = 0; i < A.rows; ++i)
        for (std::size_t j = 0; j < A.cols; ++j) {
            const double a = static_cast<double>(A(i, j)) * f;
            s1 += a;
            s2 += a * a;
        }
    return (l1 != 0 ? l1 * s1 : 0.0) + (l2 != 0 ? 0.5 * l2 * s2 : 0.0);  // a zero weight adds 0, whatever the sum
}

// β = 2: ½‖X − WH‖² = ½(‖X‖² − 2·cross + ⟨WᵀW, HHᵀ⟩) from products the iteration already
// holds (O(r·m + r²)). Subject to cancellation when the error is tiny relative to ‖X‖;
// the reported final value (finish) is computed exactly.
template <class T>
void cached_loss(state<T>& st, double cross) noexcept {
    const std::size_t r = st.opt.rank;
    const double quad = dot_entries(const_matrix_view<T>(st.wtw, r, r), st.hht, r);
    const double sq = st.x_sqnorm - 2 * cross + quad;
    st.sq_err = sq > 0 ? sq : 0.0;
    st.loss = 0.5 * st.sq_err;
}

// W and H of a loss evaluation: finite and >= 0, or the init_ statuses (as fit() reports them).
template <class T>
status check_factor_values(const_matrix_view<T> W, const_matrix_view<T> H, result& where) noexcept {
    status s = scan_values<T>(W, status::init_not_finite, status::init_negative, where, matrix_id::W, nullptr, nullptr);
    if (s == status::ok)
        s = scan_values<T>(H, status::init_not_finite, status::init_negative, where, matrix_id::H, nullptr, nullptr);
    return s;
}

}  // namespace

// Never forms the n×m product. `split`: in fixed blocks of rows run through ex, each with its
// share of buf and its own partial sums, added in block order; else one block.
template <class T>
void exact_loss(const kernel_table<T>& k, const executor& ex, bool split, const data_matrix<T>& X,
                const_matrix_view<T> W, const_matrix_view<T> H, double beta, T eps, T* buf, std::size_t buf_elems,
                double& div, double& sq) noexcept {
    div = sq = 0;
    if (k_extended && X.exact(beta)) {  // sparse X only
        X.exact_loss(k, ex, W, H, beta, eps, div, sq);
        return;
    }
    const std::size_t n = X.rows, m = X.cols, r = W.cols;
    // Rows [first, first + count) in tiles of `slot` elements at `tile`, summed into d, q.
    auto rows = [&](std::size_t first, std::size_t count, T* tile, std::size_t slot, double& d, double& q) {
        // Tiles of at least 8 rows where the slot allows (a GEMM of one row of W is slow).
        std::size_t tc = m < slot ? m : slot;
        while (tc > 64 && slot / tc < 8) tc = (tc + 1) / 2;
        const std::size_t tr = slot / tc;
        for (std::size_t i0 = first; i0 < first + count; i0 += tr) {
            const std::size_t ti = (first + count - i0) < tr ? (first + count - i0) : tr;
            for (std::size_t j0 = 0; j0 < m; j0 += tc) {
                const std::size_t tj = (m - j0) < tc ? (m - j0) : tc;
                k.gemm_nn(ti, tj, r, W.row(i0), W.stride, H.data + j0, H.stride, tile, tj);
                X.loss_tile(k, i0, ti, j0, tj, tile, tj, beta, eps, d, q);
            }
        }
    };
    if constexpr (!NMFKIT_TASKS) {
        (void)split;
        rows(0, n, buf, buf_elems, div, sq);
    } else {
        const block_plan p = split && !X.serial_tiles ? plan_blocks(n, double(m) * double(r)) : block_plan{n, 1};
        const std::size_t slot = buf_elems / p.count;  // ≥ 1: buf_elems ≥ n·r ≥ p.count
        double part_div[k_max_tasks], part_sq[k_max_tasks];
        for_blocks(ex, p, n, [&](std::size_t first, std::size_t count) {
            const std::size_t t = first / p.size;
            part_div[t] = part_sq[t] = 0;
            rows(first, count, buf + t * slot, slot, part_div[t], part_sq[t]);
        });
        for (std::size_t t = 0; t < p.count; ++t) {
            div += part_div[t];
            sq += part_sq[t];
        }
    }
    if (div < 0) div = 0;  // D_β ≥ 0: a near-exact fit's sum of terms rounds to ±1e-14
}

// The exact loss of the current iterate, using den as tile scratch.
template <class T>
void refresh_exact_loss(state<T>& st) noexcept {
    exact_loss(*st.k, st.exec, true, st.X, const_matrix_view<T>(st.W), const_matrix_view<T>(st.H), st.opt.beta,
               static_cast<T>(st.opt.epsilon), st.den, st.cap, st.loss, st.sq_err);
}

template <class T>
void frobenius_from_cache(state<T>& st) noexcept {
    const std::size_t m = st.X.cols, r = st.opt.rank;
    if (st.num_holds_wtx) {  // cross = ⟨WᵀX, H⟩; wtw is that of the current W
        cached_loss(st, dot_entries(const_matrix_view<T>(st.H), st.num, m));
    } else {  // num = X·Hᵀ: cross = ⟨W, XHᵀ⟩; W may have changed since wtw was formed
        gram_of_w(st);
        cached_loss(st, dot_entries(const_matrix_view<T>(st.W), st.num, r));
    }
}

// The cached products still describe the current W, H.
template <class T>
void settle_loss(state<T>& st) noexcept {
    if (!st.loss_stale) return;
    frobenius_from_cache(st);
    st.loss_stale = false;
}

template <class T>
void report(const state<T>& st, result& out) noexcept {
    out.iterations = st.iter;
    out.loss = unscaled_loss(st, st.loss);
    out.relative_error = relative_error_of(st.sq_err, st.x_sqnorm);
    out.observed = st.observed;
    // The penalties of the caller's W, H with the caller's weights (W, H may hold the scaled ones).
    const bool scaled = st.internal && st.X.q != 0;
    double pw[4];
    penalty_weights(st.opt, st.X.rows, st.X.cols, pw);
    out.objective = out.loss + penalty(const_matrix_view<T>(st.W), pw[0], pw[1], scaled ? st.ew : 0) +
                    penalty(const_matrix_view<T>(st.H), pw[2], pw[3], scaled ? st.eh : 0);
    out.converged = st.converged;
    out.done = st.done;
}

#define NMFKIT_LOSS_INSTANTIATE(T)                                                                               \
    template void exact_loss<T>(const kernel_table<T>&, const executor&, bool, const data_matrix<T>&,            \
                                const_matrix_view<T>, const_matrix_view<T>, double, T, T*, std::size_t, double&, \
                                double&) noexcept;                                                               \
    template void refresh_exact_loss<T>(state<T>&) noexcept;                                                     \
    template void frobenius_from_cache<T>(state<T>&) noexcept;                                                   \
    template void settle_loss<T>(state<T>&) noexcept;                                                            \
    template void report<T>(const state<T>&, result&) noexcept;
NMFKIT_LOSS_INSTANTIATE(float)
NMFKIT_LOSS_INSTANTIATE(double)
#undef NMFKIT_LOSS_INSTANTIATE

}  // namespace detail

template <class T>
status frobenius_loss(const_matrix_view<T> X, const_matrix_view<T> W, const_matrix_view<T> H, double& loss) noexcept {
    return beta_divergence(X, W, H, 2.0, loss);
}

template <class T>
status beta_divergence(const_matrix_view<T> X, const_matrix_view<T> W, const_matrix_view<T> H, double beta,
                       double& loss) noexcept {
    if (W.cols == 0) return status::zero_rank;
    if (!detail::valid_beta(beta)) return status::invalid_beta;
    if (!detail::k_extended && beta != 2) return status::not_built;
    std::size_t extents[3];
    status s = detail::check_problem<T>(X, W, H, W.cols, extents);
    if (s != status::ok) return s;
    result where;  // the entries are checked as fit() checks them: a NaN is not a loss
    s = detail::scan_values<T>(X, status::x_not_finite, status::x_negative, where, matrix_id::X, nullptr, nullptr,
                               beta <= 0);
    if (s == status::ok) s = detail::check_factor_values<T>(W, H, where);
    if (s != status::ok) return s;
    T buf[256];  // small: microcontroller stacks are a few KiB
    double sq = 0;
    detail::exact_loss(detail::best_kernels<T>(), detail::k_serial, false, detail::dense_data(X), W, H, beta,
                       static_cast<T>(options{}.epsilon), buf, sizeof(buf) / sizeof(buf[0]), loss, sq);
    return std::isfinite(loss) ? status::ok : status::not_finite_result;  // overflow inside (huge values or β)
}

template <class T>
status beta_divergence(const csr_view<T>& X, const_matrix_view<T> W, const_matrix_view<T> H, double beta,
                       missing_entries missing, double& loss) noexcept {
    if (W.cols == 0) return status::zero_rank;
    if (!detail::valid_beta(beta)) return status::invalid_beta;
    if (!detail::k_extended) return status::not_built;
    if (missing != missing_entries::none && missing != missing_entries::unstored) return status::invalid_missing;
    std::size_t x_bytes[3], extents[2];
    status s = detail::check_csr_problem<T>(X, W, H, W.cols, detail::mode::fit, x_bytes, extents);
    if (s != status::ok) return s;
    T buf[256], tile[256];  // small: microcontroller stacks are a few KiB
    detail::csr_context<T> c{};
    c.X = X;
    c.xtile = tile;
    c.xtile_elems = sizeof(tile) / sizeof(tile[0]);
    c.masked = missing == missing_entries::unstored;
    const detail::data_matrix<T> data = detail::csr_data(c);
    result where;
    detail::scaled_sums sums;
    double sq = 0;
    std::uint64_t observed = 0;
    s = data.scan(beta <= 0, where, sums, observed);
    if (s == status::ok) s = detail::check_factor_values<T>(W, H, where);
    if (s != status::ok) return s;
    detail::exact_loss(detail::best_kernels<T>(), detail::k_serial, false, data, W, H, beta,
                       static_cast<T>(options{}.epsilon), buf, sizeof(buf) / sizeof(buf[0]), loss, sq);
    return std::isfinite(loss) ? status::ok : status::not_finite_result;
}

#define NMFKIT_LOSS_INSTANTIATE(T)                                                                               \
    template status beta_divergence<T>(const csr_view<T>&, const_matrix_view<T>, const_matrix_view<T>, double,   \
                                       missing_entries, double&) noexcept;                                       \
    template status frobenius_loss<T>(const_matrix_view<T>, const_matrix_view<T>, const_matrix_view<T>,          \
                                      double&) noexcept;                                                         \
    template status beta_divergence<T>(const_matrix_view<T>, const_matrix_view<T>, const_matrix_view<T>, double, \
                                       double&) noexcept;
NMFKIT_LOSS_INSTANTIATE(float)
NMFKIT_LOSS_INSTANTIATE(double)
#undef NMFKIT_LOSS_INSTANTIATE

}  // namespace nmfkit
