// The multiplicative-update solver: validation, workspace layout, initialization,
// the iteration and its convergence rule. All arithmetic on matrices goes through a
// kernel_table (scalar or xsimd); this file only sequences it.
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <new>

#include "kernels/kernels.hpp"
#include "nmfkit/nmfkit.hpp"
#include "rng.hpp"

namespace nmfkit {
namespace {

using detail::kernel_table;

constexpr std::uint32_t k_magic = 0x4b464d4eu;  // "NMFK"
constexpr std::size_t k_size_max = std::numeric_limits<std::size_t>::max();

bool checked_mul(std::size_t a, std::size_t b, std::size_t& out) noexcept {
    if (a != 0 && b > k_size_max / a) return false;
    out = a * b;
    return true;
}

bool checked_add(std::size_t a, std::size_t b, std::size_t& out) noexcept {
    if (b > k_size_max - a) return false;
    out = a + b;
    return true;
}

bool checked_round_up(std::size_t v, std::size_t& out) noexcept {
    if (!checked_add(v, workspace_alignment - 1, out)) return false;
    out &= ~(workspace_alignment - 1);
    return true;
}

// Everything the solver keeps between calls; it lives at the start of the workspace.
template <class T>
struct state {
    std::uint32_t magic;
    const kernel_table<T>* k;
    const_matrix_view<T> X;
    matrix_view<T> W, H;
    options opt;
    T* num;           // X·Hᵀ (n×r) in the W step, Wᵀ·X (r×m) in the H step
    T* den;           // W·HHᵀ (n×r), WᵀW·H (r×m); scratch for the exact loss
    T* hht;           // H·Hᵀ (r×r) of the current H
    T* wtw;           // Wᵀ·W (r×r) of the current W
    std::size_t cap;  // elements in num and in den: max(n, m)·r
    std::uint32_t iter;
    bool num_holds_xht;  // num = X·Hᵀ for the current H (saves a GEMM after start)
    bool done;
    bool converged;
    double x_sqnorm;  // ‖X‖²_F
    double e0;        // ‖X − W0·H0‖_F
    double e_prev;    // error at the previous convergence check
    double loss;      // ½‖X − W·H‖²_F of the current iterate, from cached products
};

struct layout {
    std::size_t num, den, hht, wtw, total;  // byte offsets from the workspace start, and size
    std::size_t cap;                        // elements in num / den
};

template <class T>
bool compute_layout(std::size_t n, std::size_t m, std::size_t r, layout& L) noexcept {
    std::size_t header = 0, cap = 0, cap_bytes = 0, rr = 0, rr_bytes = 0;
    if (!checked_round_up(sizeof(state<T>), header)) return false;
    if (!checked_mul(n > m ? n : m, r, cap)) return false;
    if (!checked_mul(cap, sizeof(T), cap_bytes) || !checked_round_up(cap_bytes, cap_bytes)) return false;
    if (!checked_mul(r, r, rr) || !checked_mul(rr, sizeof(T), rr_bytes) ||
        !checked_round_up(rr_bytes, rr_bytes))
        return false;
    L.cap = cap;
    L.num = header;
    if (!checked_add(L.num, cap_bytes, L.den)) return false;
    if (!checked_add(L.den, cap_bytes, L.hht)) return false;
    if (!checked_add(L.hht, rr_bytes, L.wtw)) return false;
    return checked_add(L.wtw, rr_bytes, L.total);
}

template <class T>
status check_options(const options& o) noexcept {
    if (o.rank == 0) return status::zero_rank;
    if (!(o.tol >= 0)) return status::invalid_tol;  // also rejects NaN
    const T eps = static_cast<T>(o.epsilon);
    if (!(o.epsilon > 0) || !std::isfinite(o.epsilon) || !(eps > 0) || !std::isfinite(eps))
        return status::invalid_epsilon;
    if (o.check_every == 0) return status::invalid_check_every;
    if (o.init != init_method::random && o.init != init_method::custom) return status::invalid_init;
    if (o.kernel != kernel_choice::automatic && o.kernel != kernel_choice::scalar)
        return status::invalid_kernel;
    return status::ok;
}

// Bytes spanned by a view: ((rows - 1)·stride + cols)·sizeof(T).
template <class T>
status check_view(const matrix_view<T>& v, std::size_t& extent_bytes) noexcept {
    if (v.stride < v.cols) return status::stride_too_small;
    extent_bytes = 0;
    if (v.rows == 0) return status::ok;
    std::size_t e = 0;
    if (!checked_mul(v.rows - 1, v.stride, e) || !checked_add(e, v.cols, e) ||
        !checked_mul(e, sizeof(T), extent_bytes))
        return status::size_overflow;
    return status::ok;
}

bool overlap(const void* a, std::size_t a_bytes, const void* b, std::size_t b_bytes) noexcept {
    const auto pa = reinterpret_cast<std::uintptr_t>(a);
    const auto pb = reinterpret_cast<std::uintptr_t>(b);
    return pa < pb + b_bytes && pb < pa + a_bytes;
}

// Validates the shapes of X (n×m), W (n×r), H (r×m) and computes their extents.
template <class T>
status check_problem(const_matrix_view<T> X, const_matrix_view<T> W, const_matrix_view<T> H,
                     std::size_t r, std::size_t extents[3]) noexcept {
    if (X.rows == 0 || X.cols == 0) return status::empty_dimension;
    if (!X.data || !W.data || !H.data) return status::null_pointer;
    if (W.rows != X.rows || W.cols != r || H.rows != r || H.cols != X.cols)
        return status::shape_mismatch;
    const const_matrix_view<T>* views[3] = {&X, &W, &H};
    for (int i = 0; i < 3; ++i) {
        const status s = check_view(*views[i], extents[i]);
        if (s != status::ok) return s;
    }
    return status::ok;
}

// Checks that every entry is finite and >= 0; reports the first bad one (row-major).
// Also returns Σx and Σx² in double, summed in a fixed order (four interleaved partial
// sums per row) so the random initialization is bit-identical on every platform.
template <class T>
status scan_values(const_matrix_view<T> A, status not_finite, status negative, result& out,
                   matrix_id which, double* sum, double* sqsum) noexcept {
    double total = 0, total_sq = 0;
    for (std::size_t i = 0; i < A.rows; ++i) {
        const T* a = A.row(i);
        double s[4] = {0, 0, 0, 0}, q[4] = {0, 0, 0, 0};
        bool bad = false;
        for (std::size_t j = 0; j < A.cols; ++j) {
            const T v = a[j];
            bad |= !(v >= 0 && v <= std::numeric_limits<T>::max());  // NaN, ±Inf, < 0
            const double d = static_cast<double>(v);
            s[j & 3] += d;
            q[j & 3] += d * d;
        }
        if (bad) {
            for (std::size_t j = 0; j < A.cols; ++j) {
                const T v = a[j];
                if (v >= 0 && v <= std::numeric_limits<T>::max()) continue;
                out.bad_matrix = which;
                out.bad_row = i;
                out.bad_col = j;
                return std::isnan(v) || std::isinf(v) ? not_finite : negative;
            }
        }
        total += (s[0] + s[1]) + (s[2] + s[3]);
        total_sq += (q[0] + q[1]) + (q[2] + q[3]);
    }
    if (sum) *sum = total;
    if (sqsum) *sqsum = total_sq;
    return status::ok;
}

template <class T>
void fill_random(matrix_view<T> A, detail::pcg32& rng, double scale) noexcept {
    for (std::size_t i = 0; i < A.rows; ++i) {
        T* a = A.row(i);
        for (std::size_t j = 0; j < A.cols; ++j) a[j] = static_cast<T>(rng.uniform_open() * scale);
    }
}

// W, H uniform in (0, 1) times sqrt(mean(X) / r); W first, then H.
template <class T>
void random_fill(matrix_view<T> W, matrix_view<T> H, double x_sum, std::size_t n, std::size_t m,
                 std::uint64_t seed) noexcept {
    const double mean = x_sum / (static_cast<double>(n) * static_cast<double>(m));
    const double scale = std::sqrt(mean / static_cast<double>(W.cols));
    detail::pcg32 rng(seed);
    fill_random(W, rng, scale);
    fill_random(H, rng, scale);
}

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

// ‖X − W·H‖²_F computed exactly, in tiles of W·H that fit in buf (≥ 1 element),
// never forming the n×m product.
template <class T>
double exact_sq_error(const kernel_table<T>& k, const_matrix_view<T> X, const_matrix_view<T> W,
                      const_matrix_view<T> H, T* buf, std::size_t buf_elems) noexcept {
    const std::size_t n = X.rows, m = X.cols, r = W.cols;
    const std::size_t tc = m < buf_elems ? m : buf_elems;
    const std::size_t tr = buf_elems / tc;
    double total = 0;
    for (std::size_t i0 = 0; i0 < n; i0 += tr) {
        const std::size_t ti = (n - i0) < tr ? (n - i0) : tr;
        for (std::size_t j0 = 0; j0 < m; j0 += tc) {
            const std::size_t tj = (m - j0) < tc ? (m - j0) : tc;
            k.gemm_nn(ti, tj, r, W.row(i0), W.stride, H.data + j0, H.stride, buf, tj);
            for (std::size_t i = 0; i < ti; ++i) {
                const T* x = X.row(i0 + i) + j0;
                const T* y = buf + i * tj;
                double s = 0;
                for (std::size_t j = 0; j < tj; ++j) {
                    const double d = static_cast<double>(x[j]) - static_cast<double>(y[j]);
                    s += d * d;
                }
                total += s;
            }
        }
    }
    return total;
}

double relative_error_of(double loss, double x_sqnorm) noexcept {
    return x_sqnorm > 0 ? std::sqrt(2 * loss / x_sqnorm) : 0.0;
}

template <class T>
void report(const state<T>& st, result& out) noexcept {
    out.iterations = st.iter;
    out.loss = st.loss;
    out.relative_error = relative_error_of(st.loss, st.x_sqnorm);
    out.converged = st.converged;
    out.done = st.done;
}

// ½‖X − WH‖² = ½(‖X‖² − 2·Σ(WᵀX)∘H + Σ(WᵀW)∘(HHᵀ)), from products the iteration
// already holds: num = WᵀX of the current W, wtw and hht of the current W and H.
// Cheap (O(r·m + r²)) but subject to cancellation when the error is tiny relative to
// ‖X‖; the exact tiled computation (finish) is used for the reported final value.
template <class T>
double cached_loss(const state<T>& st, double cross) noexcept {
    const std::size_t r = st.opt.rank;
    const double quad = dot_entries(const_matrix_view<T>(st.wtw, r, r), st.hht, r);
    const double sq = st.x_sqnorm - 2 * cross + quad;
    return sq > 0 ? 0.5 * sq : 0.0;
}

template <class T>
void iterate(state<T>& st) noexcept {
    const kernel_table<T>& k = *st.k;
    const std::size_t n = st.X.rows, m = st.X.cols, r = st.opt.rank;
    const T eps = static_cast<T>(st.opt.epsilon);
    matrix_view<T> W = st.W, H = st.H;

    // W ← W ∘ (X·Hᵀ) ⊘ (W·HHᵀ)
    if (!st.num_holds_xht) k.gemm_nt(n, r, m, st.X.data, st.X.stride, H.data, H.stride, st.num, r);
    k.gemm_nn(n, r, r, W.data, W.stride, st.hht, r, st.den, r);
    k.mu_update(n, r, W.data, W.stride, st.num, r, st.den, r, eps);

    // H ← H ∘ (Wᵀ·X) ⊘ (WᵀW·H)
    k.gemm_tn(r, r, n, W.data, W.stride, W.data, W.stride, st.wtw, r);
    k.gemm_tn(r, m, n, W.data, W.stride, st.X.data, st.X.stride, st.num, m);
    k.gemm_nn(r, m, r, st.wtw, r, H.data, H.stride, st.den, m);
    k.mu_update(r, m, H.data, H.stride, st.num, m, st.den, m, eps);
    st.num_holds_xht = false;

    // HHᵀ of the new H: needed by the next W step, and for the loss now.
    k.gemm_nt(r, r, m, H.data, H.stride, H.data, H.stride, st.hht, r);
    st.loss = cached_loss(st, dot_entries(const_matrix_view<T>(H), st.num, m));
    ++st.iter;
}

template <class T>
state<T>* state_of(void* ws) noexcept {
    auto* st = static_cast<state<T>*>(ws);
    return (st && st->magic == k_magic) ? st : nullptr;
}

// Runs up to `iterations` iterations; applies the tol rule at every check_every-th
// iteration and calls the callback there and after the last iteration.
template <class T>
status run_impl(state<T>& st, std::uint32_t iterations, result& out, progress_callback cb,
                void* user) noexcept {
    for (std::uint32_t done_now = 0; done_now < iterations && !st.done; ++done_now) {
        iterate(st);
        const bool check = st.iter % st.opt.check_every == 0;
        if (check) {
            const double e = std::sqrt(2 * st.loss);
            if (st.opt.tol > 0 && (st.e0 == 0 || (st.e_prev - e) / st.e0 < st.opt.tol)) {
                st.converged = true;
                st.done = true;
            }
            st.e_prev = e;
        }
        if (st.iter >= st.opt.max_iter) st.done = true;
        if (cb && (check || st.done)) {
            report(st, out);
            const progress p{st.iter, st.opt.max_iter, st.loss, out.relative_error};
            if (!cb(p, user)) return status::cancelled;
        }
    }
    report(st, out);
    return status::ok;
}

template <class T>
status finish_impl(state<T>& st, result& out) noexcept {
    const double sq = exact_sq_error(*st.k, st.X, const_matrix_view<T>(st.W), const_matrix_view<T>(st.H),
                                     st.den, st.cap);
    st.loss = 0.5 * sq;
    report(st, out);
    return status::ok;
}

template <class T>
status start_impl(const_matrix_view<T> X, matrix_view<T> W, matrix_view<T> H, const options& opt,
                  void* workspace, std::size_t workspace_bytes, result& out, state<T>*& started) noexcept {
    started = nullptr;
    out = result{};
    status s = check_options<T>(opt);
    if (s != status::ok) return s;
    std::size_t extents[3] = {0, 0, 0};
    s = check_problem<T>(X, W, H, opt.rank, extents);
    if (s != status::ok) return s;
    layout L{};
    if (!compute_layout<T>(X.rows, X.cols, opt.rank, L)) return status::size_overflow;
    if (!workspace) return status::null_pointer;
    if (reinterpret_cast<std::uintptr_t>(workspace) % workspace_alignment != 0)
        return status::workspace_misaligned;
    if (workspace_bytes < L.total) return status::workspace_too_small;
    const void* regions[4] = {X.data, W.data, H.data, workspace};
    const std::size_t sizes[4] = {extents[0], extents[1], extents[2], L.total};
    for (int a = 0; a < 4; ++a)
        for (int b = a + 1; b < 4; ++b)
            if (overlap(regions[a], sizes[a], regions[b], sizes[b])) return status::buffers_overlap;

    // An earlier solver in this workspace is invalid from here on, whatever happens next.
    const std::uint32_t no_magic = 0;
    std::memcpy(workspace, &no_magic, sizeof(no_magic));

    double x_sum = 0, x_sq = 0;
    s = scan_values<T>(X, status::x_not_finite, status::x_negative, out, matrix_id::X, &x_sum, &x_sq);
    if (s != status::ok) return s;
    if (opt.init == init_method::random) {
        random_fill(W, H, x_sum, X.rows, X.cols, opt.seed);
    } else {
        s = scan_values<T>(W, status::init_not_finite, status::init_negative, out, matrix_id::W, nullptr, nullptr);
        if (s != status::ok) return s;
        s = scan_values<T>(H, status::init_not_finite, status::init_negative, out, matrix_id::H, nullptr, nullptr);
        if (s != status::ok) return s;
    }

    auto* base = static_cast<unsigned char*>(workspace);
    auto* st = new (workspace) state<T>{};
    st->k = opt.kernel == kernel_choice::scalar ? &detail::scalar_kernels<T>() : &detail::best_kernels<T>();
    st->X = X;
    st->W = W;
    st->H = H;
    st->opt = opt;
    st->num = reinterpret_cast<T*>(base + L.num);
    st->den = reinterpret_cast<T*>(base + L.den);
    st->hht = reinterpret_cast<T*>(base + L.hht);
    st->wtw = reinterpret_cast<T*>(base + L.wtw);
    st->cap = L.cap;
    st->x_sqnorm = x_sq;

    // Error of (W0, H0) from the products of the first W step (kept for it).
    const kernel_table<T>& k = *st->k;
    const std::size_t n = X.rows, m = X.cols, r = opt.rank;
    k.gemm_nt(r, r, m, H.data, H.stride, H.data, H.stride, st->hht, r);
    k.gemm_nt(n, r, m, X.data, X.stride, H.data, H.stride, st->num, r);
    k.gemm_tn(r, r, n, W.data, W.stride, W.data, W.stride, st->wtw, r);
    st->num_holds_xht = true;
    st->loss = cached_loss(*st, dot_entries(const_matrix_view<T>(W), st->num, r));
    st->e0 = std::sqrt(2 * st->loss);
    st->e_prev = st->e0;
    st->done = opt.max_iter == 0;
    st->magic = k_magic;
    report(*st, out);
    started = st;
    return status::ok;
}

}  // namespace

void* align_workspace(void* p, std::size_t size) noexcept {
    const auto a = reinterpret_cast<std::uintptr_t>(p);
    const std::uintptr_t aligned = (a + (workspace_alignment - 1)) & ~std::uintptr_t(workspace_alignment - 1);
    if (!p || aligned - a >= size) return nullptr;
    return reinterpret_cast<void*>(aligned);
}

template <class T>
status workspace_size(std::size_t n, std::size_t m, const options& opt, std::size_t& bytes) noexcept {
    const status s = check_options<T>(opt);
    if (s != status::ok) return s;
    if (n == 0 || m == 0) return status::empty_dimension;
    layout L{};
    if (!compute_layout<T>(n, m, opt.rank, L)) return status::size_overflow;
    bytes = L.total;
    return status::ok;
}

template <class T>
status fit(const_matrix_view<T> X, matrix_view<T> W, matrix_view<T> H, const options& opt, void* workspace,
           std::size_t workspace_bytes, result& out, progress_callback callback, void* user_data) noexcept {
    state<T>* st = nullptr;
    status s = start_impl(X, W, H, opt, workspace, workspace_bytes, out, st);
    if (s != status::ok) return s;
    s = run_impl(*st, opt.max_iter, out, callback, user_data);
    finish_impl(*st, out);
    return s;
}

template <class T>
status solver<T>::start(const_matrix_view<T> X, matrix_view<T> W, matrix_view<T> H, const options& opt,
                        void* workspace, std::size_t workspace_bytes, result& out) noexcept {
    state<T>* st = nullptr;
    const status s = start_impl(X, W, H, opt, workspace, workspace_bytes, out, st);
    ws_ = st;
    return s;
}

template <class T>
status solver<T>::run(std::uint32_t iterations, result& out) noexcept {
    state<T>* st = state_of<T>(ws_);
    if (!st) return status::not_started;
    return run_impl(*st, iterations, out, nullptr, nullptr);
}

template <class T>
bool solver<T>::done() const noexcept {
    const state<T>* st = state_of<T>(ws_);
    return !st || st->done;
}

template <class T>
status solver<T>::finish(result& out) noexcept {
    state<T>* st = state_of<T>(ws_);
    if (!st) return status::not_started;
    return finish_impl(*st, out);
}

template <class T>
const char* solver<T>::kernel_name() const noexcept {
    const state<T>* st = state_of<T>(ws_);
    return st ? st->k->name : "";
}

template <class T>
const char* default_kernel_name() noexcept {
    return detail::best_kernels<T>().name;
}

template <class T>
status frobenius_loss(const_matrix_view<T> X, const_matrix_view<T> W, const_matrix_view<T> H,
                      double& loss) noexcept {
    if (W.cols == 0) return status::zero_rank;
    std::size_t extents[3];
    const status s = check_problem<T>(X, W, H, W.cols, extents);
    if (s != status::ok) return s;
    T buf[1024];
    loss = 0.5 * exact_sq_error(detail::best_kernels<T>(), X, W, H, buf, sizeof(buf) / sizeof(buf[0]));
    return status::ok;
}

template <class T>
status random_init(const_matrix_view<T> X, matrix_view<T> W, matrix_view<T> H, std::uint64_t seed,
                   result& out) noexcept {
    out = result{};
    if (W.cols == 0) return status::zero_rank;
    std::size_t extents[3];
    status s = check_problem<T>(X, W, H, W.cols, extents);
    if (s != status::ok) return s;
    double x_sum = 0;
    s = scan_values<T>(X, status::x_not_finite, status::x_negative, out, matrix_id::X, &x_sum, nullptr);
    if (s != status::ok) return s;
    random_fill(W, H, x_sum, X.rows, X.cols, seed);
    return status::ok;
}

#define NMFKIT_INSTANTIATE(T)                                                                               \
    template status workspace_size<T>(std::size_t, std::size_t, const options&, std::size_t&) noexcept;    \
    template status fit<T>(const_matrix_view<T>, matrix_view<T>, matrix_view<T>, const options&, void*,     \
                           std::size_t, result&, progress_callback, void*) noexcept;                        \
    template class solver<T>;                                                                               \
    template const char* default_kernel_name<T>() noexcept;                                                 \
    template status frobenius_loss<T>(const_matrix_view<T>, const_matrix_view<T>, const_matrix_view<T>,     \
                                      double&) noexcept;                                                    \
    template status random_init<T>(const_matrix_view<T>, matrix_view<T>, matrix_view<T>, std::uint64_t,     \
                                   result&) noexcept;
NMFKIT_INSTANTIATE(float)
NMFKIT_INSTANTIATE(double)
#undef NMFKIT_INSTANTIATE

}  // namespace nmfkit
