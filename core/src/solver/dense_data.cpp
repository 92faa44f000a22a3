// The dense data_ops: X is a strided row-major view (the context); each operation is a kernel
// call on a block of it.
#include "solver/state.hpp"

namespace nmfkit {
namespace detail {
namespace {

template <class T>
const const_matrix_view<T>& view(const void* x) noexcept {
    return *static_cast<const const_matrix_view<T>*>(x);
}

template <class T>
void dense_x_ht(const void* x, const kernel_table<T>& k, std::size_t i0, std::size_t b, const_matrix_view<T> H, T* out,
                std::size_t ldo) noexcept {
    const const_matrix_view<T>& X = view<T>(x);
    k.gemm_nt(b, H.rows, X.cols, X.row(i0), X.stride, H.data, H.stride, out, ldo);
}

template <class T>
void dense_wt_x(const void* x, const kernel_table<T>& k, std::size_t i0, const_matrix_view<T> Wb, T* out,
                std::size_t ldo, bool acc) noexcept {
    const const_matrix_view<T>& X = view<T>(x);
    (acc ? k.gemm_tn_acc : k.gemm_tn)(Wb.cols, X.cols, Wb.rows, Wb.data, Wb.stride, X.row(i0), X.stride, out, ldo);
}

template <class T>
void dense_beta_tile(const void* x, const kernel_table<T>& k, std::size_t i0, std::size_t ti, std::size_t j0,
                     std::size_t tj, T* P, std::size_t ldp, T* B, std::size_t ldb, double beta, T eps) noexcept {
    const const_matrix_view<T>& X = view<T>(x);
    k.beta_tile(ti, tj, X.row(i0) + j0, X.stride, P, ldp, B, ldb, beta, eps);
}

template <class T>
void dense_loss_tile(const void* x, const kernel_table<T>& k, std::size_t i0, std::size_t ti, std::size_t j0,
                     std::size_t tj, const T* P, std::size_t ldp, double beta, T eps, double& div,
                     double& sq) noexcept {
    const const_matrix_view<T>& X = view<T>(x);
    if constexpr (k_extended) {
        k.beta_loss_tile(ti, tj, X.row(i0) + j0, X.stride, P, ldp, beta, eps, div, sq);
    } else {  // β = 2 only, without the kernel's pow/log
        (void)beta;
        (void)eps;
        for (std::size_t i = 0; i < ti; ++i) {
            const T* xr = X.row(i0 + i) + j0;
            const T* y = P + i * ldp;
            double s = 0;
            for (std::size_t j = 0; j < tj; ++j) {
                const double d = static_cast<double>(xr[j]) - static_cast<double>(y[j]);
                s += d * d;
            }
            sq += s;
            div += 0.5 * s;
        }
    }
}

template <class T>
status dense_scan(const void* x, bool positive, result& out, double& sum, double& sqsum) noexcept {
    return scan_values<T>(view<T>(x), status::x_not_finite, status::x_negative, out, matrix_id::X, &sum, &sqsum,
                          positive);
}

template <class T>
constexpr data_ops<T> k_dense_ops = {dense_x_ht<T>, dense_wt_x<T>, k_extended ? dense_beta_tile<T> : nullptr,
                                     dense_loss_tile<T>, dense_scan<T>};  // β ≠ 2 only in extended builds

}  // namespace

template <class T>
data_matrix<T> dense_data(const const_matrix_view<T>& X) noexcept {
    return data_matrix<T>{&k_dense_ops<T>, &X, X.rows, X.cols};
}

template data_matrix<float> dense_data<float>(const const_matrix_view<float>&) noexcept;
template data_matrix<double> dense_data<double>(const const_matrix_view<double>&) noexcept;

}  // namespace detail
}  // namespace nmfkit
