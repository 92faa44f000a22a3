// The dense data_ops: X is a strided row-major view (the context); each operation is a kernel
// call on a block of it.
#include <cmath>
#include <cstdint>
#include <limits>

#include "beta.hpp"
#include "solver/state.hpp"

namespace nmfkit {
namespace detail {
namespace {

template <class T>
const const_matrix_view<T>& view(const void* x) noexcept {
    return *static_cast<const const_matrix_view<T>*>(x);
}

// Calls f(i, j, c, v) over the block rows i0.. (ti) × columns j0.. (tj) of xs·X: v holds
// entries j.. j+c of row i. xs = 1: X's own rows; else copies of at most k_xs_chunk entries
// (on the stack: small for microcontrollers) scaled by xs.
constexpr std::size_t k_xs_chunk = 64;
template <class T, class F>
void scaled_rows(const const_matrix_view<T>& X, std::size_t i0, std::size_t ti, std::size_t j0, std::size_t tj, T xs,
                 F&& f) noexcept {
    T buf[k_xs_chunk];
    for (std::size_t i = 0; i < ti; ++i) {
        const T* xr = X.row(i0 + i) + j0;
        if (xs == 1) {
            f(i, std::size_t(0), tj, xr);
            continue;
        }
        for (std::size_t j = 0; j < tj; j += k_xs_chunk) {
            const std::size_t c = tj - j < k_xs_chunk ? tj - j : k_xs_chunk;
            for (std::size_t t = 0; t < c; ++t) buf[t] = xr[j + t] * xs;
            f(i, j, c, static_cast<const T*>(buf));
        }
    }
}

// k.beta_tile over the block of xs·X: one call for the whole tile when xs = 1.
template <class T>
void beta_tile_of(const const_matrix_view<T>& X, const kernel_table<T>& k, std::size_t i0, std::size_t ti,
                  std::size_t j0, std::size_t tj, T* P, std::size_t ldp, T* B, std::size_t ldb, double beta, T eps,
                  T xs) noexcept {
    if (xs == 1) return k.beta_tile(ti, tj, X.row(i0) + j0, X.stride, P, ldp, B, ldb, beta, eps);
    scaled_rows(X, i0, ti, j0, tj, xs, [&](std::size_t i, std::size_t j, std::size_t c, const T* v) {
        k.beta_tile(1, c, v, c, P + i * ldp + j, ldp, B ? B + i * ldb + j : nullptr, ldb, beta, eps);
    });
}

template <class T>
void dense_x_ht(const void* x, const kernel_table<T>& k, const executor& ex, std::size_t i0, std::size_t b,
                const_matrix_view<T> H, T* out, std::size_t ldo) noexcept {
    const const_matrix_view<T>& X = view<T>(x);
    if constexpr (!NMFKIT_TASKS) {  // one block (bytes of the WebAssembly page)
        (void)ex;
        return k.gemm_nt(b, H.rows, X.cols, X.row(i0), X.stride, H.data, H.stride, out, ldo);
    }
    const block_plan p = plan_blocks(b, double(H.rows) * double(X.cols));  // blocks of rows
    for_blocks(ex, p, b, [&](std::size_t f, std::size_t c) {
        k.gemm_nt(c, H.rows, X.cols, X.row(i0 + f), X.stride, H.data, H.stride, out + f * ldo, ldo);
    });
}

template <class T>
void dense_wt_x(const void* x, const kernel_table<T>& k, const executor& ex, std::size_t i0, const_matrix_view<T> Wb,
                T* out, std::size_t ldo, bool acc) noexcept {
    const const_matrix_view<T>& X = view<T>(x);
    if constexpr (!NMFKIT_TASKS) {
        (void)ex;
        return (acc ? k.gemm_tn_acc : k.gemm_tn)(Wb.cols, X.cols, Wb.rows, Wb.data, Wb.stride, X.row(i0), X.stride, out,
                                                 ldo);
    }
    const block_plan p = plan_blocks(X.cols, double(Wb.rows) * double(Wb.cols));  // blocks of columns
    for_blocks(ex, p, X.cols, [&](std::size_t f, std::size_t c) {
        (acc ? k.gemm_tn_acc : k.gemm_tn)(Wb.cols, c, Wb.rows, Wb.data, Wb.stride, X.row(i0) + f, X.stride, out + f,
                                          ldo);
    });
}

template <class T>
void dense_beta_tile(const void* x, const kernel_table<T>& k, std::size_t i0, std::size_t ti, std::size_t j0,
                     std::size_t tj, T* P, std::size_t ldp, T* B, std::size_t ldb, double beta, T eps, T xs) noexcept {
    beta_tile_of(view<T>(x), k, i0, ti, j0, tj, P, ldp, B, ldb, beta, eps, xs);
}

template <class T>
void dense_loss_tile(const void* x, const kernel_table<T>& k, std::size_t i0, std::size_t ti, std::size_t j0,
                     std::size_t tj, const T* P, std::size_t ldp, double beta, T eps, T xs, double& div,
                     double& sq) noexcept {
    const const_matrix_view<T>& X = view<T>(x);
    if constexpr (k_extended) {
        if (xs == 1) return k.beta_loss_tile(ti, tj, X.row(i0) + j0, X.stride, P, ldp, beta, eps, div, sq);
        scaled_rows(X, i0, ti, j0, tj, xs, [&](std::size_t i, std::size_t j, std::size_t c, const T* v) {
            k.beta_loss_tile(1, c, v, c, P + i * ldp + j, ldp, beta, eps, div, sq);
        });
    } else {  // β = 2 only, without the kernel's pow/log
        (void)beta;
        (void)eps;
        for (std::size_t i = 0; i < ti; ++i) {
            const T* xr = X.row(i0 + i) + j0;
            const T* y = P + i * ldp;
            double s = 0;
            for (std::size_t j = 0; j < tj; ++j) {
                const double d = static_cast<double>(xr[j] * xs) - static_cast<double>(y[j]);
                s += d * d;
            }
            sq += s;
            div += 0.5 * s;
        }
    }
}

template <class T>
status dense_scan(const void* x, bool positive, result& out, scaled_sums& sums, std::uint64_t& observed) noexcept {
    const const_matrix_view<T>& X = view<T>(x);
    observed = static_cast<std::uint64_t>(X.rows) * X.cols;
    return scan_values<T>(X, status::x_not_finite, status::x_negative, out, matrix_id::X, sums, positive);
}

template <class T>
constexpr data_ops<T> k_dense_ops = {
    dense_x_ht<T>, dense_wt_x<T>, k_extended ? dense_beta_tile<T> : nullptr, dense_loss_tile<T>, dense_scan<T>,
    nullptr,       nullptr};  // β ≠ 2 only in extended builds

#if NMFKIT_EXTENDED
// ---- missing = nan: the NaN entries are missing (M = 0 there), read in place without a mask.

// out (b×r) = (M∘X)[i0 : i0+b, :]·Hᵀ and its mirror: the NNDSVD's products only, so plain loops.
template <class T>
void masked_x_ht(const void* x, const kernel_table<T>&, const executor&, std::size_t i0, std::size_t b,
                 const_matrix_view<T> H, T* out, std::size_t ldo) noexcept {
    const const_matrix_view<T>& X = view<T>(x);
    for (std::size_t i = 0; i < b; ++i) {
        const T* xr = X.row(i0 + i);
        for (std::size_t c = 0; c < H.rows; ++c) {
            const T* h = H.row(c);
            T s = 0;
            for (std::size_t j = 0; j < X.cols; ++j) s += std::isnan(xr[j]) ? T(0) : xr[j] * h[j];
            out[i * ldo + c] = s;
        }
    }
}

template <class T>
void masked_wt_x(const void* x, const kernel_table<T>&, const executor&, std::size_t i0, const_matrix_view<T> Wb,
                 T* out, std::size_t ldo, bool acc) noexcept {
    const const_matrix_view<T>& X = view<T>(x);
    if (!acc)
        for (std::size_t c = 0; c < Wb.cols; ++c)
            for (std::size_t j = 0; j < X.cols; ++j) out[c * ldo + j] = 0;
    for (std::size_t i = 0; i < Wb.rows; ++i) {
        const T* xr = X.row(i0 + i);
        for (std::size_t c = 0; c < Wb.cols; ++c) {
            const T w = Wb(i, c);
            T* o = out + c * ldo;
            for (std::size_t j = 0; j < X.cols; ++j)
                if (!std::isnan(xr[j])) o[j] += w * xr[j];
        }
    }
}

// P ← M∘X∘P^(β−2), B ← M∘P^(β−1) for every β: the kernel's tile (a NaN of X only reaches P),
// then zeros where X is missing.
template <class T>
void masked_beta_tile(const void* x, const kernel_table<T>& k, std::size_t i0, std::size_t ti, std::size_t j0,
                      std::size_t tj, T* P, std::size_t ldp, T* B, std::size_t ldb, double beta, T eps, T xs) noexcept {
    const const_matrix_view<T>& X = view<T>(x);
    if (beta == 2) {  // P ← xs·X, B ← P
        for (std::size_t i = 0; i < ti; ++i) {
            const T* xr = X.row(i0 + i) + j0;
            T* p = P + i * ldp;
            T* q = B + i * ldb;
            for (std::size_t j = 0; j < tj; ++j) {
                q[j] = p[j];
                p[j] = xr[j] * xs;
            }
        }
    } else {
        beta_tile_of(X, k, i0, ti, j0, tj, P, ldp, B, ldb, beta, eps, xs);
    }
    for (std::size_t i = 0; i < ti; ++i) {
        const T* xr = X.row(i0 + i) + j0;
        T* p = P + i * ldp;
        T* q = B + i * ldb;
        for (std::size_t j = 0; j < tj; ++j)
            if (std::isnan(xr[j])) p[j] = q[j] = 0;
    }
}

// The divergence over the observed entries: the scalar tile over each run of them.
template <class T>
void masked_loss_tile(const void* x, const kernel_table<T>&, std::size_t i0, std::size_t ti, std::size_t j0,
                      std::size_t tj, const T* P, std::size_t ldp, double beta, T eps, T xs, double& div,
                      double& sq) noexcept {
    scaled_rows(view<T>(x), i0, ti, j0, tj, xs, [&](std::size_t i, std::size_t j0c, std::size_t c, const T* xr) {
        const T* p = P + i * ldp + j0c;
        for (std::size_t j = 0; j < c;) {
            if (std::isnan(xr[j])) {
                ++j;
                continue;
            }
            std::size_t e = j + 1;
            while (e < c && !std::isnan(xr[e])) ++e;
            beta_loss_tile_scalar(1, e - j, xr + j, c, p + j, ldp, beta, eps, div, sq);
            j = e;
        }
    });
}

// As scan_values, skipping NaN entries (missing), counting the others.
template <class T>
status masked_scan(const void* x, bool positive, result& out, scaled_sums& sums, std::uint64_t& observed) noexcept {
    const const_matrix_view<T>& X = view<T>(x);
    constexpr T big = std::numeric_limits<T>::max();
    sums = scaled_sums{};
    std::uint64_t count = 0;
    for (std::size_t i = 0; i < X.rows; ++i) {
        const T* a = X.row(i);
        double s = 0, q = 0, mx = 0;
        for (std::size_t j = 0; j < X.cols; ++j) {
            const T v = a[j];
            if (std::isnan(v)) continue;
            if (!(v >= 0 && v <= big) || (positive && v == 0)) {
                out.bad_matrix = matrix_id::X;
                out.bad_row = i;
                out.bad_col = j;
                return std::isinf(v) ? status::x_not_finite : v == 0 ? status::x_not_positive : status::x_negative;
            }
            const double d = static_cast<double>(v);
            s += d;
            q += d * d;
            mx = d > mx ? d : mx;
            ++count;
        }
        add_row(sums, a, X.cols, s, q, mx);
    }
    observed = count;
    return status::ok;
}

template <class T>
constexpr data_ops<T> k_masked_ops = {
    masked_x_ht<T>, masked_wt_x<T>, masked_beta_tile<T>, masked_loss_tile<T>, masked_scan<T>, nullptr, nullptr};
#endif

}  // namespace

template <class T>
void scaled_product(const data_matrix<T>& d, const kernel_table<T>& k, const executor& ex, std::size_t i0,
                    std::size_t b, const_matrix_view<T> F, T* out, std::size_t ldo, bool wt) noexcept {
    const_matrix_view<T> Fs = F;
    if (d.spare && F.rows * F.cols <= d.spare_elems) {
        const T f = pow2<T>(-d.q);
        for (std::size_t i = 0; i < F.rows; ++i)
            for (std::size_t j = 0; j < F.cols; ++j) d.spare[i * F.cols + j] = F(i, j) * f;
        Fs = const_matrix_view<T>(d.spare, F.rows, F.cols, F.cols);
    } else {
        scale_block(const_cast<T*>(F.data), F.rows, F.cols, F.stride, -d.q);
    }
    if (wt) d.ops->wt_x(d.x, k, ex, i0, Fs, out, ldo, false);
    else d.ops->x_ht(d.x, k, ex, i0, b, Fs, out, ldo);
    if (Fs.data == F.data) scale_block(const_cast<T*>(F.data), F.rows, F.cols, F.stride, d.q);
    if (wt) scale_block(out, F.cols, d.cols, ldo, -d.q);
    else scale_block(out, b, F.rows, ldo, -d.q);
}

template <class T>
data_matrix<T> dense_data(const const_matrix_view<T>& X, bool masked) noexcept {
#if NMFKIT_EXTENDED
    const double entries = static_cast<double>(X.rows) * static_cast<double>(X.cols);
    if (masked) return data_matrix<T>{&k_masked_ops<T>, &X, X.rows, X.cols, true, entries, false};
    return data_matrix<T>{&k_dense_ops<T>, &X, X.rows, X.cols, false, entries, false};
#else  // no amu (its budget reads `entries`) and no missing entries: check_options
    (void)masked;
    return data_matrix<T>{&k_dense_ops<T>, &X, X.rows, X.cols, false, 0, false};
#endif
}

template void scaled_product<float>(const data_matrix<float>&, const kernel_table<float>&, const executor&, std::size_t,
                                    std::size_t, const_matrix_view<float>, float*, std::size_t, bool) noexcept;
template void scaled_product<double>(const data_matrix<double>&, const kernel_table<double>&, const executor&,
                                     std::size_t, std::size_t, const_matrix_view<double>, double*, std::size_t,
                                     bool) noexcept;
template data_matrix<float> dense_data<float>(const const_matrix_view<float>&, bool) noexcept;
template data_matrix<double> dense_data<double>(const const_matrix_view<double>&, bool) noexcept;

}  // namespace detail
}  // namespace nmfkit
