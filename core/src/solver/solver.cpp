// The solver's life cycle: start (validate, lay out the workspace, initialize, the first
// products and loss), run (iterations and the convergence rule), finish (the exact final loss);
// the public entry points and their instantiation. The parts: validate.cpp, layout.cpp,
// init.cpp, loss.cpp, step.cpp, and dense_data.cpp (how the solver reaches X).
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <new>

#include "solver/finite.hpp"
#include "solver/state.hpp"

namespace nmfkit {
namespace detail {
namespace {

constexpr std::uint32_t k_magic = 0x4b464d4eu;  // "NMFK"

// The marker of a started solver, distinct per element type: a workspace started as
// float is not a double solver (the C API's workspace handle could be mixed up).
template <class T>
constexpr std::uint32_t magic_of = k_magic + static_cast<std::uint32_t>(sizeof(T));

template <class T>
state<T>* state_of(void* ws) noexcept {
    // A handle that is null or not workspace-aligned cannot hold a state: refused before any
    // read (the C API's handle is any pointer). The marker is read as bytes, not as a state.
    if (!ws || reinterpret_cast<std::uintptr_t>(ws) % workspace_alignment != 0) return nullptr;
    static_assert(offsetof(state<T>, magic) == 0, "the marker leads the state");
    std::uint32_t magic = 0;
    std::memcpy(&magic, ws, sizeof(magic));
    return magic == magic_of<T> ? static_cast<state<T>*>(ws) : nullptr;
}

// Runs up to `iterations` iterations; applies the tol rule at every check_every-th
// iteration and calls the callback there and after the last iteration.
// Puts the caller's W, H back and reports: ok, or not_finite_result (and done) when an entry of
// W, H or the loss or squared error of the scaled problem is not finite: overflow in spite of the scale (a huge β,
// an extreme W0, H0 or fixed factor). The caller's loss may still round to +inf (f64 X beyond
// ~1e154): that is its value, not an overflow inside.
template <class T>
NMFKIT_SOLVER_OUTLINE status checked(state<T>& st, result& out, bool loss_known) noexcept {
    set_scale(st, false);
    const double loss = loss_known ? st.loss + st.sq_err : 0.0;  // both finite, or one is not
    const bool finite = finite_result<T>(const_matrix_view<T>(st.W), const_matrix_view<T>(st.H), loss) == status::ok;
    if (!finite) st.done = true;
    report(st, out);
    return finite ? status::ok : status::not_finite_result;
}

template <class T>
status run_impl(state<T>& st, std::uint32_t iterations, result& out, progress_callback cb, void* user) noexcept {
    set_scale(st, true);
    for (std::uint32_t done_now = 0; done_now < iterations && !st.done; ++done_now) {
        const bool check = !st.quiet && (st.iter + 1) % st.opt.check_every == 0;
        iterate(st, check);
        if (check) {
            if (!std::isfinite(st.loss)) return checked(st, out, true);
            const double e = std::sqrt(2 * st.loss);
            if (st.opt.tol > 0 && (st.e0 == 0 || (st.e_prev - e) / st.e0 < st.opt.tol)) {
                st.converged = true;
                st.done = true;
            }
            st.e_prev = e;
        }
        if (st.iter >= st.opt.max_iter) st.done = true;
        if (cb && (check || st.done)) {
            settle_loss(st);
            report(st, out);
            const progress p{st.iter, st.opt.max_iter, out.loss, out.relative_error};
            set_scale(st, false);  // the callback may read W, H
            if (!cb(p, user)) return status::cancelled;
            set_scale(st, true);
        }
    }
    settle_loss(st);
    return checked(st, out, !st.quiet);  // every slice: an ok W, H is finite
}

template <class T>
status finish_impl(state<T>& st, result& out) noexcept {
    set_scale(st, true);
    st.loss_stale = false;
    refresh_exact_loss(st);
    return checked(st, out, true);
}

// The scale of X in the solver (data_matrix::q): finite.hpp's scale_exponent. Fitting X·4^-q
// with W·2^-q, H·2^-q is the same problem (MU, HALS and the losses are scale-equivariant up to
// their fixed eps guards), exactly rescaled, and the caller gets W, H and D_β at its own scale.
// A transform's free factor is X / F in size, F the fixed one: 2^shift at the problem's scale
// (X·4^-q, the free factor ·4^-q). scikit-learn's zeroing threshold (β ≤ 1) applies at that size
// (state::zero_shift); 0 while X and F are ordinary (q = 0, F within the band): its own.
int free_factor_shift(double x_max, double f_max, int q) noexcept {
    if (q == 0 && in_band(f_max)) return 0;
    const int ex = exponent_of(x_max), ef = exponent_of(f_max);
    return f_max > 0 && x_max > 0 ? ex - ef - 2 * q : 0;
}

template <class T>
int x_scale_of(double max) noexcept {
    if constexpr (!k_scale_safe) return 0;
    return scale_exponent<T>(max);
}

// The caller's X in each form: its layout needs, its shape checks, the memory it spans (for
// the overlap check) and its data_matrix over a context that lives in the state.
template <class T>
data_shape shape_of(const const_matrix_view<T>&, const options& opt) noexcept {
    return {false, 0, opt.missing != missing_entries::none};
}
template <class T>
data_shape shape_of(const csr_view<T>& X, const options& opt) noexcept {
    return {true, X.nnz, opt.missing != missing_entries::none};
}

constexpr int k_max_x_regions = 3;

template <class T>
status check_x(const const_matrix_view<T>& X, const_matrix_view<T> W, const_matrix_view<T> H, std::size_t r, mode md,
               const void* (&at)[k_max_x_regions], std::size_t (&bytes)[k_max_x_regions],
               std::size_t (&wh)[2]) noexcept {
    std::size_t extents[3] = {0, 0, 0};
    const status s = check_problem<T>(X, W, H, r, extents, md);
    at[0] = X.data;
    bytes[0] = extents[0];
    wh[0] = extents[1];
    wh[1] = extents[2];
    return s;
}
template <class T>
status check_x(const csr_view<T>& X, const_matrix_view<T> W, const_matrix_view<T> H, std::size_t r, mode md,
               const void* (&at)[k_max_x_regions], std::size_t (&bytes)[k_max_x_regions],
               std::size_t (&wh)[2]) noexcept {
    const status s = check_csr_problem<T>(X, W, H, r, md, bytes, wh);
    at[0] = X.indptr;
    at[1] = X.indices;
    at[2] = X.values;
    return s;
}

// What start() keeps of X besides the caller's arrays: nothing for a dense X, a sparse one's
// context (its scratch in the workspace).
struct no_context {};
template <class T>
no_context context_type(const const_matrix_view<T>&) noexcept;
template <class T>
csr_context<T> context_type(const csr_view<T>&) noexcept;

// X's operations during start(), before the state exists (the scan and the NNDSVD need them):
// over the caller's view, or over a sparse context filled in `c`.
template <class T>
data_matrix<T> data_of(const const_matrix_view<T>& X, const options& opt, const layout&, unsigned char*,
                       no_context&) noexcept {
    return dense_data(X, opt.missing == missing_entries::nan);
}
template <class T>
data_matrix<T> data_of(const csr_view<T>& X, const options& opt, const layout& L, unsigned char* base,
                       csr_context<T>& c) noexcept {
    c.X = X;
    c.xt = reinterpret_cast<T*>(base + L.at[r_xt]);
    c.xt_cols = L.xt_cols;
    c.vals = reinterpret_cast<T*>(base + L.at[r_vals]);
    c.samples = L.samples;
    c.xtile = reinterpret_cast<T*>(base + L.at[r_xtile]);
    c.xtile_elems = L.xtile;
    c.lanes = reinterpret_cast<T*>(base + L.at[r_lanes]);
    c.lane_cols = L.lane_cols;
    c.lane_stride = L.lane_stride;
    c.masked = opt.missing == missing_entries::unstored;
    return csr_data(c);
}

// The same operations over the copy of X's description the state keeps.
template <class T>
void bind(state<T>& st, const const_matrix_view<T>& X, const no_context&) noexcept {
    st.dense_x = X;
    st.X = dense_data(st.dense_x, st.opt.missing == missing_entries::nan);
}
template <class T>
void bind(state<T>& st, const csr_view<T>&, const csr_context<T>& c) noexcept {
#if NMFKIT_EXTENDED
    st.csr_x = c;
    st.X = csr_data(st.csr_x);
#else  // check_options returned not_built before
    (void)st;
    (void)c;
#endif
}

template <class T, class XIn>
status start_impl(const XIn& Xin, matrix_view<T> W, matrix_view<T> H, const options& opt, void* workspace,
                  std::size_t workspace_bytes, result& out, state<T>*& started, mode md, const executor* exec,
                  const kernel_table<T>* kernels = nullptr, std::size_t fuse = k_size_max) noexcept {
    started = nullptr;
    out = result{};
    const data_shape shape = shape_of(Xin, opt);
    status s = check_options<T>(opt, shape.sparse);
    if (s != status::ok) return s;
    const void* x_at[k_max_x_regions] = {nullptr, nullptr, nullptr};
    std::size_t x_bytes[k_max_x_regions] = {0, 0, 0}, wh_bytes[2] = {0, 0};
    s = check_x<T>(Xin, W, H, opt.rank, md, x_at, x_bytes, wh_bytes);
    if (s != status::ok) return s;
    const std::size_t n = Xin.rows, m = Xin.cols, r = opt.rank;
    if (md == mode::fit && is_nndsvd(opt.init) && r > (n < m ? n : m)) return status::rank_too_large;
    layout L{};
    if (!compute_layout<T>(n, m, opt, shape, L)) return status::size_overflow;
    if (!workspace) return status::null_pointer;
    if (reinterpret_cast<std::uintptr_t>(workspace) % workspace_alignment != 0) return status::workspace_misaligned;
    if (workspace_bytes < L.total) return status::workspace_too_small;
    constexpr int k_regions = k_max_x_regions + 3;
    const void* regions[k_regions] = {x_at[0], x_at[1], x_at[2], W.data, H.data, workspace};
    const std::size_t sizes[k_regions] = {x_bytes[0], x_bytes[1], x_bytes[2], wh_bytes[0], wh_bytes[1], L.total};
    for (int a = 0; a < k_regions; ++a)  // X's own arrays may share memory: they are only read
        for (int b = a + 1; b < k_regions; ++b)
            if ((b >= k_max_x_regions) && overlap(regions[a], sizes[a], regions[b], sizes[b]))
                return status::buffers_overlap;

    // An earlier solver in this workspace is invalid from here on, whatever happens next.
    const std::uint32_t no_magic = 0;
    std::memcpy(workspace, &no_magic, sizeof(no_magic));

    auto* base = static_cast<unsigned char*>(workspace);
    decltype(context_type<T>(Xin)) context{};
    data_matrix<T> data = data_of(Xin, opt, L, base, context);
    scaled_sums sums;
    std::uint64_t observed = 0;
    s = data.scan(opt.beta <= 0, out, sums, observed);
    if (s != status::ok) return s;
    // The problem at its scale: X·4^-q, its sums, and the factors' exponents (state::ew, eh).
    const int q = x_scale_of<T>(sums.max);
    if constexpr (!k_scale_safe) {  // the small core fits X as it is, where that keeps the range
        const int e = exponent_of(sums.max);
        if (sums.max > 0 && (e - 1 < -60 || e > 56)) return status::not_built;
    }
    data.q = q;
    const double x_sum = times_pow2i(sums.sum, sums.e - 2 * q), x_sq = times_pow2i(sums.sq, 2 * (sums.e - 2 * q));
    const int ew = md == mode::fit ? q : md == mode::solve_w ? 2 * q : 0;
    const int eh = md == mode::fit ? q : md == mode::solve_h ? 2 * q : 0;
    const double mean = mean_of(x_sum, static_cast<double>(observed));
    const bool custom = opt.init == init_method::custom;
    // The caller's matrices: W0, H0 of a custom start, and the fixed factor of a transform.
    scaled_sums fixed;  // of the fixed factor of a transform: its largest entry
    if (md == mode::solve_h || custom) {
        s = scan_values<T>(W, status::init_not_finite, status::init_negative, out, matrix_id::W, fixed);
        if (s != status::ok) return s;
    }
    if (md == mode::solve_w || custom) {
        s = scan_values<T>(H, status::init_not_finite, status::init_negative, out, matrix_id::H, fixed);
        if (s != status::ok) return s;
    }

    if (!scalar_selectable<T> && kernels == nullptr && opt.kernel == kernel_choice::scalar) return status::not_built;
    const kernel_table<T>& k = kernels                                                       ? *kernels
                               : scalar_selectable<T> && opt.kernel == kernel_choice::scalar ? scalar_kernels<T>()
                                                                                             : best_kernels<T>();
    // scikit-learn's transform start, sqrt(mean(X) / r), at the free factor's scale
    const T start_value = static_cast<T>(times_pow2i(std::sqrt(mean / static_cast<double>(r)), q - (ew + eh)));
    if (md == mode::solve_w && !custom) fill_constant(W, start_value);
    if (md == mode::solve_h && !custom) fill_constant(H, start_value);
    if (custom && ew != 0) scale_block(W.data, W.rows, W.cols, W.stride, -ew);  // the caller's start, at the
    if (custom && eh != 0) scale_block(H.data, H.rows, H.cols, H.stride, -eh);  // problem's scale
    if (md == mode::fit) {
        if (opt.init == init_method::random) random_fill(W, H, mean, opt.seed);
        if constexpr (k_extended) {
            if (is_nndsvd(opt.init))
                nndsvd_fill(k, exec ? *exec : k_serial, data, W, H, opt, mean, base + L.at[r_svd],
                            reinterpret_cast<double*>(base + L.at[r_sigma]));
        }
    }

    auto* st = new (workspace) state<T>{};
    st->k = &k;
    st->exec = exec ? *exec : executor{nullptr, nullptr};
    st->opt = opt;
    st->opt.solver = resolve_solver(opt);  // the state keeps the solver that runs (auto resolved)
    bind(*st, Xin, context);
    st->W = W;
    st->H = H;
    st->update_w = md != mode::solve_h;
    st->update_h = md != mode::solve_w;
    st->gamma = opt.beta < 1 ? 1 / (2 - opt.beta) : (opt.beta > 2 ? 1 / (opt.beta - 1) : 1.0);
    double pw[4];
    penalty_weights(opt, n, m, pw);
    st->l1w = pw[0];
    st->l2w = pw[1];
    st->l1h = pw[2];
    st->l2h = pw[3];
    st->ew = ew;
    st->eh = eh;
    st->zero_shift = md == mode::fit ? 0 : free_factor_shift(sums.max, fixed.max, q);
    if (q != 0) {  // the weights of the scaled objective: D_β scales by 2^(2qβ), ‖F‖₁ by 2^e, ‖F‖² by 4^e
        auto scaled = [&](double v, int e) {
            if constexpr (!k_extended) return times_pow2i(v, e - 4 * q);  // β = 2: no exp2 in the small core
            return times_pow2(v, e - 2.0 * q * opt.beta);
        };
        st->l1w = scaled(st->l1w, ew);
        st->l2w = scaled(st->l2w, 2 * ew);
        st->l1h = scaled(st->l1h, eh);
        st->l2h = scaled(st->l2h, 2 * eh);
    }
    st->num = reinterpret_cast<T*>(base + L.at[r_num]);
    st->den = reinterpret_cast<T*>(base + L.at[r_den]);
    st->hht = reinterpret_cast<T*>(base + L.at[r_hht]);
    st->wtw = reinterpret_cast<T*>(base + L.at[r_wtw]);
    st->ta = reinterpret_cast<T*>(base + L.at[r_ta]);
    st->tb = reinterpret_cast<T*>(base + L.at[r_tb]);
    st->cap = L.cap;
    st->tile_rows = L.tile_rows;
    st->tile_cols = L.tile_cols;
    st->X.q = q;
    st->X.spare = st->den;  // free whenever X·B or Bᵀ·X runs (the denominators come after)
    st->X.spare_elems = st->cap;
    st->internal = true;
    // (bare metal drops the one-pass iteration)
    if (NMFKIT_ONE_PASS && q == 0 && !shape.sparse && !shape.masked && can_fuse(k, st->opt, md)) {
        const std::size_t most = L.cap / (2 * r);  // num_b, den_b (b×r each) share den
        st->fuse_rows = fuse == k_size_max ? fused_rows<T>(n, m, r, most) : (fuse < most ? fuse : most);
    }
    st->x_sqnorm = x_sq;
    st->observed = observed;

    // The loss of the start, and the products the first step needs.
    gram_of_h(*st);
    if (opt.beta == 2 && !shape.masked) {
        if (st->update_w) {
            st->X.x_ht(k, st->exec, 0, n, H, st->num, r);
            st->num_holds_xht = true;
        } else {
            st->X.wt_x(k, st->exec, 0, W, st->num, m, false);
            gram_of_w(*st);
            st->num_holds_wtx = true;
        }
        frobenius_from_cache(*st);
        if (opt.tol > 0) refresh_exact_loss(*st);  // e0 anchors the tol rule: exact
    } else {
        refresh_exact_loss(*st);
    }
    st->e0 = std::sqrt(2 * st->loss);
    st->e_prev = st->e0;
    st->done = opt.max_iter == 0;
    // A start whose loss is not finite (an extreme β, W0, H0 or fixed factor) is not started.
    if (const status f = checked(*st, out, true); f != status::ok) return f;
    st->magic = magic_of<T>;
    started = st;
    return status::ok;
}

// The fixed factor of a transform as the state's (mutable) view: the solve modes never write it.
template <class T>
matrix_view<T> fixed_factor(const_matrix_view<T> v) noexcept {
    return matrix_view<T>(const_cast<T*>(v.data), v.rows, v.cols, v.stride);
}

template <class T, class XIn>
status fit_impl(const XIn& X, matrix_view<T> W, matrix_view<T> H, const options& opt, void* workspace,
                std::size_t workspace_bytes, result& out, progress_callback cb, void* user, mode md,
                const executor* exec, const kernel_table<T>* kernels = nullptr,
                std::size_t fuse = k_size_max) noexcept {
    state<T>* st = nullptr;
    status s = start_impl(X, W, H, opt, workspace, workspace_bytes, out, st, md, exec, kernels, fuse);
    if (s != status::ok) return s;
    // finish() forms the final loss: with tol = 0 and no callback the checks' losses go unread
    // (a KL check costs ~9 % of an iteration on sparse X: docs/performance.md).
    st->quiet = opt.tol == 0 && cb == nullptr;
    s = run_impl(*st, opt.max_iter, out, cb, user);
    if (s == status::not_finite_result) return s;
    const status f = finish_impl(*st, out);
    return s == status::ok ? f : s;
}

}  // namespace

// Test hook (tests/test_solver.cpp declares it): fit() with the kernel set k instead of the
// one opt.kernel selects, and fuse_rows rows per block of the one-pass Frobenius iteration
// where it applies (0: the two-pass one; SIZE_MAX: the size rule of fit()), so both
// iterations can be compared on small problems.
template <class T>
status fit_with_kernels(const kernel_table<T>& k, std::size_t fuse_rows, const_matrix_view<T> X, matrix_view<T> W,
                        matrix_view<T> H, const options& opt, void* workspace, std::size_t workspace_bytes, result& out,
                        progress_callback cb, void* user, const executor* exec) noexcept {
    return fit_impl<T>(X, W, H, opt, workspace, workspace_bytes, out, cb, user, mode::fit, exec, &k, fuse_rows);
}
template status fit_with_kernels<float>(const kernel_table<float>&, std::size_t, const_matrix_view<float>,
                                        matrix_view<float>, matrix_view<float>, const options&, void*, std::size_t,
                                        result&, progress_callback, void*, const executor*) noexcept;
template status fit_with_kernels<double>(const kernel_table<double>&, std::size_t, const_matrix_view<double>,
                                         matrix_view<double>, matrix_view<double>, const options&, void*, std::size_t,
                                         result&, progress_callback, void*, const executor*) noexcept;
}  // namespace detail

template <class T>
status fit(const_matrix_view<T> X, matrix_view<T> W, matrix_view<T> H, const options& opt, void* workspace,
           std::size_t workspace_bytes, result& out, progress_callback callback, void* user_data,
           const executor* exec) noexcept {
    return detail::fit_impl(X, W, H, opt, workspace, workspace_bytes, out, callback, user_data, detail::mode::fit,
                            exec);
}

template <class T>
status transform(const_matrix_view<T> X, const_matrix_view<T> H, matrix_view<T> W, const options& opt, void* workspace,
                 std::size_t workspace_bytes, result& out, progress_callback callback, void* user_data,
                 const executor* exec) noexcept {
    return detail::fit_impl(X, W, detail::fixed_factor(H), opt, workspace, workspace_bytes, out, callback, user_data,
                            detail::mode::solve_w, exec);
}

template <class T>
status transform_columns(const_matrix_view<T> X, const_matrix_view<T> W, matrix_view<T> H, const options& opt,
                         void* workspace, std::size_t workspace_bytes, result& out, progress_callback callback,
                         void* user_data, const executor* exec) noexcept {
    return detail::fit_impl(X, detail::fixed_factor(W), H, opt, workspace, workspace_bytes, out, callback, user_data,
                            detail::mode::solve_h, exec);
}

template <class T>
status fit(const csr_view<T>& X, matrix_view<T> W, matrix_view<T> H, const options& opt, void* workspace,
           std::size_t workspace_bytes, result& out, progress_callback callback, void* user_data,
           const executor* exec) noexcept {
    return detail::fit_impl(X, W, H, opt, workspace, workspace_bytes, out, callback, user_data, detail::mode::fit,
                            exec);
}

template <class T>
status transform(const csr_view<T>& X, const_matrix_view<T> H, matrix_view<T> W, const options& opt, void* workspace,
                 std::size_t workspace_bytes, result& out, progress_callback callback, void* user_data,
                 const executor* exec) noexcept {
    return detail::fit_impl(X, W, detail::fixed_factor(H), opt, workspace, workspace_bytes, out, callback, user_data,
                            detail::mode::solve_w, exec);
}

template <class T>
status transform_columns(const csr_view<T>& X, const_matrix_view<T> W, matrix_view<T> H, const options& opt,
                         void* workspace, std::size_t workspace_bytes, result& out, progress_callback callback,
                         void* user_data, const executor* exec) noexcept {
    return detail::fit_impl(X, detail::fixed_factor(W), H, opt, workspace, workspace_bytes, out, callback, user_data,
                            detail::mode::solve_h, exec);
}

template <class T>
status inverse_transform(const_matrix_view<T> W, const_matrix_view<T> H, matrix_view<T> out) noexcept {
    if (!W.data || !H.data || !out.data) return status::null_pointer;
    if (W.rows == 0 || H.cols == 0) return status::empty_dimension;
    if (W.cols == 0) return status::zero_rank;
    if (H.rows != W.cols || out.rows != W.rows || out.cols != H.cols) return status::shape_mismatch;
    std::size_t e[3];
    const matrix_view<T>* views[1] = {&out};
    const const_matrix_view<T>* inputs[2] = {&W, &H};
    for (int i = 0; i < 2; ++i)
        if (const status s = detail::check_view<T>(*inputs[i], e[i]); s != status::ok) return s;
    if (const status s = detail::check_view<T>(*views[0], e[2]); s != status::ok) return s;
    if (detail::overlap(out.data, e[2], W.data, e[0]) || detail::overlap(out.data, e[2], H.data, e[1]))
        return status::buffers_overlap;
    detail::best_kernels<T>().gemm_nn(W.rows, H.cols, W.cols, W.data, W.stride, H.data, H.stride, out.data, out.stride);
    bool finite = true;  // W·H beyond T's range: not_finite_result
    for (std::size_t i = 0; i < out.rows; ++i)
        for (std::size_t j = 0; j < out.cols; ++j) finite &= std::fabs(out(i, j)) <= std::numeric_limits<T>::max();
    return finite ? status::ok : status::not_finite_result;
}

template <class T>
status solver<T>::start(const_matrix_view<T> X, matrix_view<T> W, matrix_view<T> H, const options& opt, void* workspace,
                        std::size_t workspace_bytes, result& out, const executor* exec) noexcept {
    detail::state<T>* st = nullptr;
    const status s = detail::start_impl(X, W, H, opt, workspace, workspace_bytes, out, st, detail::mode::fit, exec);
    ws_ = st;
    return s;
}

template <class T>
status solver<T>::start(const csr_view<T>& X, matrix_view<T> W, matrix_view<T> H, const options& opt, void* workspace,
                        std::size_t workspace_bytes, result& out, const executor* exec) noexcept {
    detail::state<T>* st = nullptr;
    const status s = detail::start_impl(X, W, H, opt, workspace, workspace_bytes, out, st, detail::mode::fit, exec);
    ws_ = st;
    return s;
}

template <class T>
status solver<T>::run(std::uint32_t iterations, result& out) noexcept {
    detail::state<T>* st = detail::state_of<T>(ws_);
    if (!st) return status::not_started;
    return detail::run_impl(*st, iterations, out, nullptr, nullptr);
}

template <class T>
status solver<T>::set_executor(const executor* exec) noexcept {
    detail::state<T>* st = detail::state_of<T>(ws_);
    if (!st) return status::not_started;
    st->exec = exec ? *exec : executor{nullptr, nullptr};
    return status::ok;
}

template <class T>
bool solver<T>::done() const noexcept {
    const detail::state<T>* st = detail::state_of<T>(ws_);
    return !st || st->done;
}

template <class T>
status solver<T>::finish(result& out) noexcept {
    detail::state<T>* st = detail::state_of<T>(ws_);
    if (!st) return status::not_started;
    return detail::finish_impl(*st, out);
}

template <class T>
const char* solver<T>::kernel_name() const noexcept {
    const detail::state<T>* st = detail::state_of<T>(ws_);
    return st ? st->k->name : "";
}

template <class T>
const char* default_kernel_name() noexcept {
    return detail::best_kernels<T>().name;
}

#define NMFKIT_INSTANTIATE(T)                                                                                        \
    template status fit<T>(const_matrix_view<T>, matrix_view<T>, matrix_view<T>, const options&, void*, std::size_t, \
                           result&, progress_callback, void*, const executor*) noexcept;                             \
    template status transform<T>(const_matrix_view<T>, const_matrix_view<T>, matrix_view<T>, const options&, void*,  \
                                 std::size_t, result&, progress_callback, void*, const executor*) noexcept;          \
    template status transform_columns<T>(const_matrix_view<T>, const_matrix_view<T>, matrix_view<T>, const options&, \
                                         void*, std::size_t, result&, progress_callback, void*,                      \
                                         const executor*) noexcept;                                                  \
    template status inverse_transform<T>(const_matrix_view<T>, const_matrix_view<T>, matrix_view<T>) noexcept;       \
    template status fit<T>(const csr_view<T>&, matrix_view<T>, matrix_view<T>, const options&, void*, std::size_t,   \
                           result&, progress_callback, void*, const executor*) noexcept;                             \
    template status transform<T>(const csr_view<T>&, const_matrix_view<T>, matrix_view<T>, const options&, void*,    \
                                 std::size_t, result&, progress_callback, void*, const executor*) noexcept;          \
    template status transform_columns<T>(const csr_view<T>&, const_matrix_view<T>, matrix_view<T>, const options&,   \
                                         void*, std::size_t, result&, progress_callback, void*,                      \
                                         const executor*) noexcept;                                                  \
    template class solver<T>;                                                                                        \
    template const char* default_kernel_name<T>() noexcept;
NMFKIT_INSTANTIATE(float)
NMFKIT_INSTANTIATE(double)
#undef NMFKIT_INSTANTIATE

}  // namespace nmfkit
