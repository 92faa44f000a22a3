// The multiplicative-update solver: validation, workspace layout, initialization,
// the iteration and its convergence rule. All heavy arithmetic goes through a
// kernel_table (scalar or xsimd); this file sequences it.
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <new>

#include "beta.hpp"
#include "kernels/kernels.hpp"
#include "nmfkit/nmfkit.hpp"
#include "rng.hpp"
#include "svd.hpp"

// NMFKIT_EXTENDED=0 builds a Frobenius-only core (β = 2, random/custom init, mu/amu,
// penalties, transform) without pow/log and the SVD: for microcontrollers, where
// those double-precision library routines would triple the flash footprint.
#ifndef NMFKIT_EXTENDED
#define NMFKIT_EXTENDED 1
#endif

namespace nmfkit {
namespace {

using detail::kernel_table;
using detail::update_params;

constexpr bool k_extended = NMFKIT_EXTENDED != 0;

constexpr std::uint32_t k_magic = 0x4b464d4eu;  // "NMFK"

// The marker of a started solver, distinct per element type: a workspace started as
// float is not a double solver (the C API's workspace handle could be mixed up).
template <class T>
constexpr std::uint32_t magic_of = k_magic + static_cast<std::uint32_t>(sizeof(T));
constexpr std::size_t k_size_max = std::numeric_limits<std::size_t>::max();
constexpr double k_f64_eps = 2.220446049250313e-16;  // scikit-learn's zeroing threshold for β ≤ 1
constexpr std::size_t k_tile_width = 64;              // β ≠ 2: W·H is processed 64·max(n, m) entries at a time
constexpr double k_amu_alpha = 2.0;                   // Gillis & Glineur: inner budget 1 + α·ρ
constexpr double k_amu_delta = 0.1;                   // ... and early stop at δ·‖first step‖
// NMFKIT_ONE_PASS=0 (bare-metal builds, CMakeLists.txt) compiles the one-pass iteration out:
// it only runs for X > 4 MiB, and its code would push the Cortex-M4 firmware past 16 KB.
#ifndef NMFKIT_ONE_PASS
#define NMFKIT_ONE_PASS 1
#endif
// One-pass Frobenius iteration (w_step_fused): X larger than k_fuse_min_bytes; blocks of X
// that fit in k_fuse_l2_bytes next to Wᵀ·X, but at least k_fuse_rank_rows·r rows (fused_rows).
#ifndef NMFKIT_FUSE_MIN_BYTES  // build knob for A/B timing only
#define NMFKIT_FUSE_MIN_BYTES (std::size_t(4) << 20)
#endif
constexpr std::size_t k_fuse_min_bytes = NMFKIT_FUSE_MIN_BYTES;
constexpr std::size_t k_fuse_l2_bytes = std::size_t(1) << 20;
constexpr std::size_t k_fuse_rank_rows = 5;

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

// Appends a region of count·elem bytes (64-byte aligned) at `offset`, advancing it.
bool append_region(std::size_t& offset, std::size_t count, std::size_t elem, std::size_t& at) noexcept {
    std::size_t bytes = 0;
    if (!checked_mul(count, elem, bytes) || !checked_round_up(bytes, bytes)) return false;
    at = offset;
    return checked_add(offset, bytes, offset);
}

enum class mode { fit, solve_w, solve_h };  // solve_w: H fixed (transform); solve_h: W fixed

// Everything the solver keeps between calls; it lives at the start of the workspace.
template <class T>
struct state {
    std::uint32_t magic;
    const kernel_table<T>* k;
    const_matrix_view<T> X;
    matrix_view<T> W, H;
    options opt;
    bool update_w, update_h;
    double gamma;                 // MM exponent of Févotte & Idier
    double l1w, l2w, l1h, l2h;    // penalties scaled as scikit-learn's
    T* num;                       // X·Hᵀ (n×r) in the W step, Wᵀ·X (r×m) in the H step
    T* den;                       // W·HHᵀ (n×r), WᵀW·H (r×m); scratch for the exact loss
    T* hht;                       // H·Hᵀ (r×r) of the current H
    T* wtw;                       // Wᵀ·W (r×r) of the current W
    T* ta;                        // β ≠ 2: tile of W·H, then X ∘ (W·H)^(β−2)
    T* tb;                        // β ∉ {1, 2}: tile of (W·H)^(β−1)
    std::size_t cap;              // elements in num, den
    std::size_t tile_rows;        // rows of a W-step tile (tile_rows × m)
    std::size_t tile_cols;        // columns of an H-step tile (n × tile_cols)
    std::size_t fuse_rows;        // β = 2, mu: rows of X per block of the one-pass iteration (0: two passes)
    std::uint32_t iter;
    bool num_holds_xht;  // num = X·Hᵀ for the current H
    bool num_holds_wtx;  // num = Wᵀ·X for the current W (and then wtw = WᵀW too)
    bool done;
    bool converged;
    double x_sqnorm;  // ‖X‖²_F
    double e0;        // sqrt(2·D_β(X | W0·H0))
    double e_prev;    // the same at the previous convergence check
    double loss;      // D_β(X | W·H) of the current iterate (β = 2: from cached products)
    double sq_err;    // ‖X − W·H‖²_F, computed with loss
    bool loss_stale;  // β = 2: loss / sq_err not yet formed from the cached products
};

struct layout {
    std::size_t num, den, hht, wtw, ta, tb, total;  // byte offsets from the workspace start, and size
    std::size_t svd, sigma;                         // nndsvd scratch, overlaying the buffers above
    std::size_t cap, tile_rows, tile_cols;
};

bool is_nndsvd(init_method i) noexcept {
    return i == init_method::nndsvd || i == init_method::nndsvda || i == init_method::nndsvdar;
}

template <class T>
bool compute_layout(std::size_t n, std::size_t m, const options& opt, layout& L) noexcept {
    const std::size_t r = opt.rank, big = n > m ? n : m;
    std::size_t header = 0, rr = 0;
    if (!checked_round_up(sizeof(state<T>), header) || !checked_mul(big, r, L.cap) || !checked_mul(r, r, rr))
        return false;
    std::size_t off = header;
    if (!append_region(off, L.cap, sizeof(T), L.num) || !append_region(off, L.cap, sizeof(T), L.den) ||
        !append_region(off, rr, sizeof(T), L.hht) || !append_region(off, rr, sizeof(T), L.wtw))
        return false;
    L.ta = L.tb = off;
    L.tile_rows = L.tile_cols = 0;
    if (opt.beta != 2) {
        std::size_t budget = 0;
        if (!checked_mul(big, k_tile_width, budget)) return false;
        L.tile_rows = budget / m < n ? (budget / m > 0 ? budget / m : 1) : n;
        L.tile_cols = budget / n < m ? (budget / n > 0 ? budget / n : 1) : m;
        const std::size_t tile = L.tile_rows * m > n * L.tile_cols ? L.tile_rows * m : n * L.tile_cols;
        if (!append_region(off, tile, sizeof(T), L.ta)) return false;
        if (opt.beta != 1 && !append_region(off, tile, sizeof(T), L.tb)) return false;
    }
    L.total = off;
    if (is_nndsvd(opt.init) && r <= (n < m ? n : m)) {  // the SVD runs before the buffers are used
        std::size_t svd_bytes = 0, svd_end = header;
        if (!detail::svd_scratch_bytes<T>(n, m, r, svd_bytes) || !append_region(svd_end, svd_bytes, 1, L.svd) ||
            !append_region(svd_end, r, sizeof(double), L.sigma))
            return false;
        if (svd_end > L.total) L.total = svd_end;
    }
    return true;
}

bool finite_nonneg(double v) noexcept { return v >= 0 && v <= std::numeric_limits<double>::max(); }

template <class T>
status check_options(const options& o) noexcept {
    if (o.rank == 0) return status::zero_rank;
    if (!(o.tol >= 0)) return status::invalid_tol;  // also rejects NaN
    const T eps = static_cast<T>(o.epsilon);
    if (!(o.epsilon > 0) || !std::isfinite(o.epsilon) || !(eps > 0) || !std::isfinite(eps))
        return status::invalid_epsilon;
    if (o.check_every == 0) return status::invalid_check_every;
    if (o.init != init_method::random && o.init != init_method::custom && !is_nndsvd(o.init))
        return status::invalid_init;
    if (o.kernel != kernel_choice::automatic && o.kernel != kernel_choice::scalar) return status::invalid_kernel;
    if (!std::isfinite(o.beta)) return status::invalid_beta;
    if (!finite_nonneg(o.alpha_w) || !finite_nonneg(o.alpha_h)) return status::invalid_alpha;
    if (!(o.l1_ratio >= 0 && o.l1_ratio <= 1)) return status::invalid_l1_ratio;
    if (o.solver != algorithm::mu && o.solver != algorithm::amu) return status::invalid_solver;
    if (o.solver == algorithm::amu && o.beta != 2) return status::invalid_solver;
    if (!k_extended && (o.beta != 2 || is_nndsvd(o.init) || o.solver == algorithm::amu)) return status::not_built;
    return status::ok;
}

// Bytes spanned by a view: ((rows − 1)·stride + cols)·sizeof(T).
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
// In the solve modes a wrong shape of the fixed factor has its own status.
template <class T>
status check_problem(const_matrix_view<T> X, const_matrix_view<T> W, const_matrix_view<T> H, std::size_t r,
                     std::size_t extents[3], mode md = mode::fit) noexcept {
    if (X.rows == 0 || X.cols == 0) return status::empty_dimension;
    if (!X.data || !W.data || !H.data) return status::null_pointer;
    const bool w_ok = W.rows == X.rows && W.cols == r, h_ok = H.rows == r && H.cols == X.cols;
    if (md == mode::solve_w && !h_ok) return status::transform_shape_mismatch;
    if (md == mode::solve_h && !w_ok) return status::transform_shape_mismatch;
    if (!w_ok || !h_ok) return status::shape_mismatch;
    const const_matrix_view<T>* views[3] = {&X, &W, &H};
    for (int i = 0; i < 3; ++i) {
        const status s = check_view(*views[i], extents[i]);
        if (s != status::ok) return s;
    }
    return status::ok;
}

// Checks that every entry is finite and ≥ 0 (> 0 if `positive`); reports the first bad
// one (row-major). Also returns Σx and Σx² in double, summed in a fixed order (four
// interleaved partial sums per row) so the random initialization is bit-identical
// on every platform.
template <class T>
status scan_values(const_matrix_view<T> A, status not_finite, status negative, result& out, matrix_id which,
                   double* sum, double* sqsum, bool positive = false) noexcept {
    constexpr T big = std::numeric_limits<T>::max();
    double total = 0, total_sq = 0;
    for (std::size_t i = 0; i < A.rows; ++i) {
        const T* a = A.row(i);
        double s[4] = {0, 0, 0, 0}, q[4] = {0, 0, 0, 0};
        bool bad = false;
        for (std::size_t j = 0; j < A.cols; ++j) {
            const T v = a[j];
            bad |= !(v >= 0 && v <= big) || (positive && v == 0);
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

template <class T>
void fill_constant(matrix_view<T> A, T v) noexcept {
    for (std::size_t i = 0; i < A.rows; ++i)
        for (std::size_t j = 0; j < A.cols; ++j) A(i, j) = v;
}

double mean_of(double sum, std::size_t n, std::size_t m) noexcept {
    return sum / (static_cast<double>(n) * static_cast<double>(m));
}

// W, H uniform in (0, 1) times sqrt(mean(X) / r); W first, then H.
template <class T>
void random_fill(matrix_view<T> W, matrix_view<T> H, double mean, std::uint64_t seed) noexcept {
    const double scale = std::sqrt(mean / static_cast<double>(W.cols));
    detail::pcg32 rng(seed);
    fill_random(W, rng, scale);
    fill_random(H, rng, scale);
}

// NNDSVD (Boutsidis & Gallopoulos 2008) from the truncated SVD X ≈ U·diag(σ)·Vᵀ,
// built in place: W's columns start as U, H's rows as Vᵀ.
template <class T>
void nndsvd_fill(const kernel_table<T>& k, const_matrix_view<T> X, matrix_view<T> W, matrix_view<T> H,
                 const options& opt, double mean, void* svd_scratch, double* sigma) noexcept {
    const std::size_t n = X.rows, m = X.cols, r = opt.rank;
    detail::truncated_svd(k, X, r, opt.seed, W, sigma, H, svd_scratch);
    for (std::size_t j = 0; j < r; ++j) {
        double up = 0, un = 0, vp = 0, vn = 0;  // squared norms of the positive / negative parts
        for (std::size_t i = 0; i < n; ++i) {
            const double u = W(i, j);
            (u > 0 ? up : un) += u * u;
        }
        for (std::size_t c = 0; c < m; ++c) {
            const double v = H(j, c);
            (v > 0 ? vp : vn) += v * v;
        }
        // j = 0: the leading pair is non-negative up to its sign, use |u|, |v|.
        const double mp = std::sqrt(up * vp), mn = std::sqrt(un * vn);
        const bool positive = j == 0 || mp > mn;
        const double nu = j == 0 ? 1.0 : std::sqrt(positive ? up : un);
        const double nv = j == 0 ? 1.0 : std::sqrt(positive ? vp : vn);
        const double lambda = std::sqrt(sigma[j] * (j == 0 ? 1.0 : (positive ? mp : mn)));
        const double su = (nu > 0 ? lambda / nu : 0.0), sv = (nv > 0 ? lambda / nv : 0.0);
        for (std::size_t i = 0; i < n; ++i) {
            const double u = W(i, j);
            const double part = j == 0 ? std::fabs(u) : (positive ? (u > 0 ? u : 0) : (u < 0 ? -u : 0));
            W(i, j) = static_cast<T>(part * su);
        }
        for (std::size_t c = 0; c < m; ++c) {
            const double v = H(j, c);
            const double part = j == 0 ? std::fabs(v) : (positive ? (v > 0 ? v : 0) : (v < 0 ? -v : 0));
            H(j, c) = static_cast<T>(part * sv);
        }
    }
    detail::pcg32 rng(opt.seed, 0x2545f4914f6cdd1dULL);
    auto finish = [&](matrix_view<T> A) {
        for (std::size_t i = 0; i < A.rows; ++i)
            for (std::size_t c = 0; c < A.cols; ++c) {
                T& a = A(i, c);
                if (a >= static_cast<T>(1e-6)) continue;
                if (opt.init == init_method::nndsvda)
                    a = static_cast<T>(mean);
                else if (opt.init == init_method::nndsvdar)
                    a = static_cast<T>(rng.uniform_open() * mean / 100);
                else
                    a = 0;
            }
    };
    finish(W);
    finish(H);
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

// D_β(X | W·H) and ‖X − W·H‖²_F computed exactly, in tiles of W·H that fit in buf
// (≥ 1 element), never forming the n×m product.
template <class T>
void exact_loss(const kernel_table<T>& k, const_matrix_view<T> X, const_matrix_view<T> W, const_matrix_view<T> H,
                double beta, T eps, T* buf, std::size_t buf_elems, double& div, double& sq) noexcept {
    const std::size_t n = X.rows, m = X.cols, r = W.cols;
    const std::size_t tc = m < buf_elems ? m : buf_elems;
    const std::size_t tr = buf_elems / tc;
    div = sq = 0;
    for (std::size_t i0 = 0; i0 < n; i0 += tr) {
        const std::size_t ti = (n - i0) < tr ? (n - i0) : tr;
        for (std::size_t j0 = 0; j0 < m; j0 += tc) {
            const std::size_t tj = (m - j0) < tc ? (m - j0) : tc;
            k.gemm_nn(ti, tj, r, W.row(i0), W.stride, H.data + j0, H.stride, buf, tj);
            if constexpr (k_extended) {
                k.beta_loss_tile(ti, tj, X.row(i0) + j0, X.stride, buf, tj, beta, eps, div, sq);
            } else {  // β = 2 only
                (void)beta;
                (void)eps;
                for (std::size_t i = 0; i < ti; ++i) {
                    const T* x = X.row(i0 + i) + j0;
                    const T* y = buf + i * tj;
                    double s = 0;
                    for (std::size_t j = 0; j < tj; ++j) {
                        const double d = static_cast<double>(x[j]) - static_cast<double>(y[j]);
                        s += d * d;
                    }
                    sq += s;
                    div += 0.5 * s;
                }
            }
        }
    }
}

double relative_error_of(double sq_err, double x_sqnorm) noexcept {
    return x_sqnorm > 0 ? std::sqrt(sq_err / x_sqnorm) : 0.0;
}

template <class T>
double penalty(const_matrix_view<T> A, double l1, double l2) noexcept {
    if (l1 == 0 && l2 == 0) return 0;
    double s1 = 0, s2 = 0;
    for (std::size_t i = 0; i < A.rows; ++i)
        for (std::size_t j = 0; j < A.cols; ++j) {
            const double a = A(i, j);
            s1 += a;
            s2 += a * a;
        }
    return l1 * s1 + 0.5 * l2 * s2;
}

template <class T>
void report(const state<T>& st, result& out) noexcept {
    out.iterations = st.iter;
    out.loss = st.loss;
    out.relative_error = relative_error_of(st.sq_err, st.x_sqnorm);
    out.objective = st.loss + penalty(const_matrix_view<T>(st.W), st.l1w, st.l2w) +
                    penalty(const_matrix_view<T>(st.H), st.l1h, st.l2h);
    out.converged = st.converged;
    out.done = st.done;
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

// The exact loss of the current iterate, using den as tile scratch.
template <class T>
void refresh_exact_loss(state<T>& st) noexcept {
    exact_loss(*st.k, st.X, const_matrix_view<T>(st.W), const_matrix_view<T>(st.H), st.opt.beta,
               static_cast<T>(st.opt.epsilon), st.den, st.cap, st.loss, st.sq_err);
}

// x ← x ∘ (num ⊘ d)^γ with d = den + l1 + l2·x (d = eps where it is 0); entries below
// `zero_below` are set to 0 afterwards. Returns ‖Δx‖²_F when `track` is set.
template <class T>
double update_factor(const kernel_table<T>& k, std::size_t rows, std::size_t cols, T* x, std::size_t ldx,
                     const T* num, std::size_t ldn, const T* den, std::size_t ldd, T eps, double l1, double l2,
                     double gamma, double zero_below, bool track) noexcept {
    if (l1 == 0 && l2 == 0 && gamma == 1 && zero_below == 0) {
        const double step = k.mu_update(rows, cols, x, ldx, num, ldn, den, ldd, eps);
        return track ? step : 0;
    }
    const update_params<T> p{eps, static_cast<T>(l1), static_cast<T>(l2), static_cast<T>(gamma),
                             static_cast<T>(zero_below)};
    return k.factor_update(rows, cols, x, ldx, num, ldn, den, ldd, p, track);
}

// Gillis & Glineur's inner budget 1 + α·ρ for a factor whose products cost ρ inner updates.
std::uint32_t amu_budget(std::size_t n, std::size_t m, std::size_t r, bool for_w) noexcept {
    const double dn = static_cast<double>(n), dm = static_cast<double>(m), dr = static_cast<double>(r);
    const double rho = for_w ? 1 + std::floor((dn * dm + dm * dr) / (dn * (dr + 1)))
                             : 1 + std::floor((dn * dm + dn * dr) / (dm * (dr + 1)));
    const double b = std::floor(1 + k_amu_alpha * rho);
    return b > 1000 ? 1000u : static_cast<std::uint32_t>(b);
}

// β = 2, mu, fit: W's update and the H step's Wᵀ·X, WᵀW in one pass over X. For each block
// of b rows: num_b = X_b·Hᵀ, den_b = W_b·HHᵀ, W_b ← W_b ∘ num_b ⊘ den_b (row-local, so
// exactly the two-pass update up to the summation order of the products), then, while X_b
// and W_b are still in L2, Wᵀ·X += W_bᵀ·X_b and WᵀW += W_bᵀ·W_b with the new W_b. The
// two-pass iteration reads X twice (X·Hᵀ, then Wᵀ·X); X rarely fits in cache.
// Buffers: Wᵀ·X accumulates in num (r×m, read by the H step and the cached loss), num_b and
// den_b share den (b ≤ cap / 2r, see start_impl); den is free again for WᵀW·H.
#if NMFKIT_ONE_PASS
template <class T>
void w_step_fused(state<T>& st) noexcept {
    const kernel_table<T>& k = *st.k;
    const std::size_t n = st.X.rows, m = st.X.cols, r = st.opt.rank, rows = st.fuse_rows;
    const T eps = static_cast<T>(st.opt.epsilon);
    const matrix_view<T> W = st.W, H = st.H;
    const const_matrix_view<T> X = st.X;
    T* const num_b = st.den;
    T* const den_b = st.den + rows * r;
    for (std::size_t i0 = 0; i0 < n; i0 += rows) {
        const std::size_t b = (n - i0) < rows ? (n - i0) : rows;
        T* const w = W.row(i0);
        const T* const x = X.row(i0);
        k.gemm_nt(b, r, m, x, X.stride, H.data, H.stride, num_b, r);
        k.gemm_nn(b, r, r, w, W.stride, st.hht, r, den_b, r);
        update_factor(k, b, r, w, W.stride, num_b, r, den_b, r, eps, st.l1w, st.l2w, st.gamma, 0.0, false);
        const auto tn = i0 == 0 ? k.gemm_tn : k.gemm_tn_acc;
        tn(r, m, b, w, W.stride, x, X.stride, st.num, m);
        tn(r, r, b, w, W.stride, w, W.stride, st.wtw, r);
    }
    st.num_holds_xht = false;
    st.num_holds_wtx = true;  // for the new W, with wtw
}
#endif

template <class T>
void w_step(state<T>& st) noexcept {
    const kernel_table<T>& k = *st.k;
    const std::size_t n = st.X.rows, m = st.X.cols, r = st.opt.rank;
    const T eps = static_cast<T>(st.opt.epsilon);
    const double beta = st.opt.beta, zero_below = beta < 1 ? k_f64_eps : 0.0;
    matrix_view<T> W = st.W, H = st.H;

    if (beta == 2) {  // W ← W ∘ (X·Hᵀ) ⊘ (W·HHᵀ)
        // num = X·Hᵀ is still valid after start(): the two-pass step reuses it.
#if NMFKIT_ONE_PASS
        if (st.fuse_rows != 0 && !st.num_holds_xht) return w_step_fused(st);
#endif
        if (!st.num_holds_xht) k.gemm_nt(n, r, m, st.X.data, st.X.stride, H.data, H.stride, st.num, r);
        st.num_holds_xht = true;
        st.num_holds_wtx = false;
        const bool amu = k_extended && st.opt.solver == algorithm::amu;
        const std::uint32_t inner = amu ? amu_budget(n, m, r, true) : 1;
        double first = 0;
        for (std::uint32_t l = 0; l < inner; ++l) {
            k.gemm_nn(n, r, r, W.data, W.stride, st.hht, r, st.den, r);
            const double change = update_factor(k, n, r, W.data, W.stride, st.num, r, st.den, r, eps, st.l1w, st.l2w,
                                                st.gamma, zero_below, amu);
            if (l == 0) first = change;
            else if (change <= k_amu_delta * k_amu_delta * first) break;
        }
        return;
    }
    // W ← W ∘ ((X ∘ (WH)^(β−2))·Hᵀ ⊘ ((WH)^(β−1)·Hᵀ))^γ, one block of rows of W·H at a time.
    if constexpr (!k_extended) return;  // β ≠ 2 is rejected by check_options
    st.num_holds_xht = st.num_holds_wtx = false;
    if (beta == 1) {  // the denominator is 1·Hᵀ: row sums of H on every row
        for (std::size_t c = 0; c < r; ++c) {
            double s = 0;
            for (std::size_t j = 0; j < m; ++j) s += static_cast<double>(H(c, j));
            st.den[c] = static_cast<T>(s);
        }
        for (std::size_t i = 1; i < n; ++i)
            for (std::size_t c = 0; c < r; ++c) st.den[i * r + c] = st.den[c];
    }
    for (std::size_t i0 = 0; i0 < n; i0 += st.tile_rows) {
        const std::size_t ti = (n - i0) < st.tile_rows ? (n - i0) : st.tile_rows;
        k.gemm_nn(ti, m, r, W.row(i0), W.stride, H.data, H.stride, st.ta, m);
        k.beta_tile(ti, m, st.X.row(i0), st.X.stride, st.ta, m, beta == 1 ? nullptr : st.tb, m, beta, eps);
        k.gemm_nt(ti, r, m, st.ta, m, H.data, H.stride, st.num + i0 * r, r);
        if (beta != 1) k.gemm_nt(ti, r, m, st.tb, m, H.data, H.stride, st.den + i0 * r, r);
    }
    update_factor(k, n, r, W.data, W.stride, st.num, r, st.den, r, eps, st.l1w, st.l2w, st.gamma, zero_below, false);
}

template <class T>
void h_step(state<T>& st) noexcept {
    const kernel_table<T>& k = *st.k;
    const std::size_t n = st.X.rows, m = st.X.cols, r = st.opt.rank;
    const T eps = static_cast<T>(st.opt.epsilon);
    const double beta = st.opt.beta, zero_below = beta <= 1 ? k_f64_eps : 0.0;
    matrix_view<T> W = st.W, H = st.H;

    if (beta == 2) {  // H ← H ∘ (Wᵀ·X) ⊘ (WᵀW·H)
        if (!st.num_holds_wtx) {  // else the one-pass W step (or a fixed W) left both
            k.gemm_tn(r, r, n, W.data, W.stride, W.data, W.stride, st.wtw, r);
            k.gemm_tn(r, m, n, W.data, W.stride, st.X.data, st.X.stride, st.num, m);
        }
        st.num_holds_wtx = true;
        st.num_holds_xht = false;
        const bool amu = k_extended && st.opt.solver == algorithm::amu;
        const std::uint32_t inner = amu ? amu_budget(n, m, r, false) : 1;
        double first = 0;
        for (std::uint32_t l = 0; l < inner; ++l) {
            k.gemm_nn(r, m, r, st.wtw, r, H.data, H.stride, st.den, m);
            const double change = update_factor(k, r, m, H.data, H.stride, st.num, m, st.den, m, eps, st.l1h, st.l2h,
                                                st.gamma, zero_below, amu);
            if (l == 0) first = change;
            else if (change <= k_amu_delta * k_amu_delta * first) break;
        }
        return;
    }
    if constexpr (!k_extended) return;  // β ≠ 2 is rejected by check_options
    st.num_holds_xht = st.num_holds_wtx = false;
    if (beta == 1) {  // the denominator is Wᵀ·1: column sums of W (a zero sum counts as 1)
        for (std::size_t c = 0; c < r; ++c) {
            double s = 0;
            for (std::size_t i = 0; i < n; ++i) s += static_cast<double>(W(i, c));
            const T v = s == 0 ? T(1) : static_cast<T>(s);
            for (std::size_t j = 0; j < m; ++j) st.den[c * m + j] = v;
        }
    }
    for (std::size_t j0 = 0; j0 < m; j0 += st.tile_cols) {
        const std::size_t tj = (m - j0) < st.tile_cols ? (m - j0) : st.tile_cols;
        k.gemm_nn(n, tj, r, W.data, W.stride, H.data + j0, H.stride, st.ta, tj);
        k.beta_tile(n, tj, st.X.data + j0, st.X.stride, st.ta, tj, beta == 1 ? nullptr : st.tb, tj, beta,
                                 eps);
        k.gemm_tn(r, tj, n, W.data, W.stride, st.ta, tj, st.num + j0, m);
        if (beta != 1) k.gemm_tn(r, tj, n, W.data, W.stride, st.tb, tj, st.den + j0, m);
    }
    update_factor(k, r, m, H.data, H.stride, st.num, m, st.den, m, eps, st.l1h, st.l2h, st.gamma, zero_below, false);
}

// β = 2: the loss of the current iterate from the cached products.
template <class T>
void frobenius_from_cache(state<T>& st) noexcept {
    const std::size_t n = st.X.rows, m = st.X.cols, r = st.opt.rank;
    const kernel_table<T>& k = *st.k;
    if (st.num_holds_wtx) {  // cross = ⟨WᵀX, H⟩; wtw is that of the current W
        cached_loss(st, dot_entries(const_matrix_view<T>(st.H), st.num, m));
    } else {  // num = X·Hᵀ: cross = ⟨W, XHᵀ⟩; W may have changed since wtw was formed
        k.gemm_tn(r, r, n, st.W.data, st.W.stride, st.W.data, st.W.stride, st.wtw, r);
        cached_loss(st, dot_entries(const_matrix_view<T>(st.W), st.num, r));
    }
}

template <class T>
void iterate(state<T>& st, bool check) noexcept {
    const std::size_t m = st.X.cols, r = st.opt.rank;
    if (st.update_w) w_step(st);
    if (st.update_h) {
        h_step(st);
        // HHᵀ of the new H: needed by the next W step and by the loss.
        st.k->gemm_nt(r, r, m, st.H.data, st.H.stride, st.H.data, st.H.stride, st.hht, r);
    }
    // The cached Frobenius loss is cheap but loses digits to cancellation (float32:
    // ~1e-3 relative), too few for the tol rule: checks with tol > 0 use the exact loss,
    // as scikit-learn does. Between checks nothing reads the loss until the next report,
    // so it is only formed there (settle_loss): its passes over H (r×m) and the r×r
    // products were ~1% of an iteration at 2000×1000 r = 20.
    st.loss_stale = false;
    if (st.opt.beta == 2 && !(check && st.opt.tol > 0)) {
        if (check)
            frobenius_from_cache(st);
        else
            st.loss_stale = true;
    } else if (check || st.iter + 1 >= st.opt.max_iter) {
        refresh_exact_loss(st);
    }
    ++st.iter;
}

// Forms the loss iterate() deferred; the cached products still describe the current W, H.
template <class T>
void settle_loss(state<T>& st) noexcept {
    if (!st.loss_stale) return;
    frobenius_from_cache(st);
    st.loss_stale = false;
}

template <class T>
state<T>* state_of(void* ws) noexcept {
    auto* st = static_cast<state<T>*>(ws);
    return (st && st->magic == magic_of<T>) ? st : nullptr;
}

// Runs up to `iterations` iterations; applies the tol rule at every check_every-th
// iteration and calls the callback there and after the last iteration.
template <class T>
status run_impl(state<T>& st, std::uint32_t iterations, result& out, progress_callback cb, void* user) noexcept {
    for (std::uint32_t done_now = 0; done_now < iterations && !st.done; ++done_now) {
        const bool check = (st.iter + 1) % st.opt.check_every == 0;
        iterate(st, check);
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
            settle_loss(st);
            report(st, out);
            const progress p{st.iter, st.opt.max_iter, st.loss, out.relative_error};
            if (!cb(p, user)) return status::cancelled;
        }
    }
    settle_loss(st);
    report(st, out);
    return status::ok;
}

template <class T>
status finish_impl(state<T>& st, result& out) noexcept {
    st.loss_stale = false;
    refresh_exact_loss(st);
    report(st, out);
    return status::ok;
}

// Whether the one-pass Frobenius iteration (w_step_fused) applies: β = 2 with plain MU
// (amu runs several W updates per pass over X), a fit (transform never updates H; W fixed
// never runs a W step), and a kernel set with an accumulating gemm_tn.
template <class T>
bool can_fuse(const kernel_table<T>& k, const options& opt, mode md) noexcept {
    return NMFKIT_ONE_PASS && k.gemm_tn_acc != nullptr && opt.beta == 2 && opt.solver == algorithm::mu && md == mode::fit;
}

// Rows per block of X of the one-pass iteration, 0 for the two-pass one; at most `most`.
// Measured on Zen 4 (1 MB L2, 32 MB shared L3), AVX-512 float, the X part of an iteration
// (X·Hᵀ, W·HHᵀ, update, Wᵀ·X, WᵀW), two-pass → one-pass, ms:
//   X beyond the L3 (the two-pass reads it from DRAM twice): 5000×2000 r=50 (40 MB)
//   22.4 → 19.9; 4000×1000 r=20 (16 MB) 5.05 → 4.31; 3000×2000 r=30 8.45 → 7.10;
//   10000×500 r=20 6.05 → 4.95; 1000×10000 r=20 10.4 → 9.2.
//   X within it: 2000×1000 r=20 (8 MB) 1.703 → 1.692, 1000×1000 0.816 → 0.811, 700×700
//   0.410 → 0.409: neutral here, a gain where the last-level cache is smaller.
//   digits 1797×64 r=16 (460 KB): 0.0874 → 0.0889–0.104 (gemm_nt's small-K path packs Hᵀ
//   again for every block): two passes up to k_fuse_min_bytes.
// Block size: every block reads and writes all of Wᵀ·X (r×m), 2r/b of the traffic of X_b
// itself, so X_b fills L2 (1 MB) next to Wᵀ·X, but with at least 5r rows. 5000×2000 r=50,
// 64 / 128 / 192 / 256 / 320 rows: 20.8 / 20.1 / 19.9 / 19.9 / 20.1 ms (picks 250);
// 1000×10000 r=20, 26 / 52 / 104 rows: 10.5 / 9.2 / 9.06 (picks 100); 10000×500 r=20,
// 512 / 1024 / 2048: 4.95 / 5.09 / 5.17 (picks 504); 2000×1000 r=20, 256 / 262 rows (just
// over L2): 1.66 / 1.71 (picks 242). Whole fits (nmfkit_bench shapes, best of 20):
// 5000×2000 r=50 23.3 → 20.9 ms/iteration, 2000×1000 r=20 1.84 → 1.80 (noise level).
template <class T>
std::size_t fused_rows(std::size_t n, std::size_t m, std::size_t r, std::size_t most) noexcept {
    const std::size_t row_bytes = m * sizeof(T);  // n·row_bytes ≤ X's extent: no overflow
    if (n * row_bytes <= k_fuse_min_bytes) return 0;
    const std::size_t acc_bytes = r * row_bytes;  // Wᵀ·X: ≤ the workspace's num region
    std::size_t rows = acc_bytes < k_fuse_l2_bytes ? (k_fuse_l2_bytes - acc_bytes) / row_bytes : 0;
    // n·m > 2^20 / sizeof(T): max(n, m) ≥ 2^9, so max(n, m)·r (checked) bounds 5r.
    if (rows < k_fuse_rank_rows * r) rows = k_fuse_rank_rows * r;
    return rows < most ? rows : most;
}

template <class T>
status start_impl(const_matrix_view<T> X, matrix_view<T> W, matrix_view<T> H, const options& opt, void* workspace,
                  std::size_t workspace_bytes, result& out, state<T>*& started, mode md,
                  const kernel_table<T>* kernels = nullptr, std::size_t fuse = k_size_max) noexcept {
    started = nullptr;
    out = result{};
    status s = check_options<T>(opt);
    if (s != status::ok) return s;
    std::size_t extents[3] = {0, 0, 0};
    s = check_problem<T>(X, W, H, opt.rank, extents, md);
    if (s != status::ok) return s;
    const std::size_t n = X.rows, m = X.cols, r = opt.rank;
    if (md == mode::fit && is_nndsvd(opt.init) && r > (n < m ? n : m)) return status::rank_too_large;
    layout L{};
    if (!compute_layout<T>(n, m, opt, L)) return status::size_overflow;
    if (!workspace) return status::null_pointer;
    if (reinterpret_cast<std::uintptr_t>(workspace) % workspace_alignment != 0) return status::workspace_misaligned;
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
    s = scan_values<T>(X, status::x_not_finite, status::x_negative, out, matrix_id::X, &x_sum, &x_sq, opt.beta <= 0);
    if (s != status::ok) return s;
    const double mean = mean_of(x_sum, n, m);
    const bool custom = opt.init == init_method::custom;
    // The caller's matrices: W0, H0 of a custom start, and the fixed factor of a transform.
    if (md == mode::solve_h || custom) {
        s = scan_values<T>(W, status::init_not_finite, status::init_negative, out, matrix_id::W, nullptr, nullptr);
        if (s != status::ok) return s;
    }
    if (md == mode::solve_w || custom) {
        s = scan_values<T>(H, status::init_not_finite, status::init_negative, out, matrix_id::H, nullptr, nullptr);
        if (s != status::ok) return s;
    }

    const kernel_table<T>& k = kernels                                ? *kernels
                               : opt.kernel == kernel_choice::scalar ? detail::scalar_kernels<T>()
                                                                     : detail::best_kernels<T>();
    auto* base = static_cast<unsigned char*>(workspace);
    const T start_value = static_cast<T>(std::sqrt(mean / static_cast<double>(r)));
    if (md == mode::solve_w && !custom) fill_constant(W, start_value);  // scikit-learn's transform start
    if (md == mode::solve_h && !custom) fill_constant(H, start_value);
    if (md == mode::fit) {
        if (opt.init == init_method::random) random_fill(W, H, mean, opt.seed);
        if constexpr (k_extended) {
            if (is_nndsvd(opt.init))
                nndsvd_fill(k, X, W, H, opt, mean, base + L.svd, reinterpret_cast<double*>(base + L.sigma));
        }
    }

    auto* st = new (workspace) state<T>{};
    st->k = &k;
    st->X = X;
    st->W = W;
    st->H = H;
    st->opt = opt;
    st->update_w = md != mode::solve_h;
    st->update_h = md != mode::solve_w;
    st->gamma = opt.beta < 1 ? 1 / (2 - opt.beta) : (opt.beta > 2 ? 1 / (opt.beta - 1) : 1.0);
    const double nd = static_cast<double>(n), md_ = static_cast<double>(m);
    st->l1w = md_ * opt.alpha_w * opt.l1_ratio;
    st->l2w = md_ * opt.alpha_w * (1 - opt.l1_ratio);
    st->l1h = nd * opt.alpha_h * opt.l1_ratio;
    st->l2h = nd * opt.alpha_h * (1 - opt.l1_ratio);
    st->num = reinterpret_cast<T*>(base + L.num);
    st->den = reinterpret_cast<T*>(base + L.den);
    st->hht = reinterpret_cast<T*>(base + L.hht);
    st->wtw = reinterpret_cast<T*>(base + L.wtw);
    st->ta = reinterpret_cast<T*>(base + L.ta);
    st->tb = reinterpret_cast<T*>(base + L.tb);
    st->cap = L.cap;
    st->tile_rows = L.tile_rows;
    st->tile_cols = L.tile_cols;
    if (can_fuse(k, opt, md)) {
        const std::size_t most = L.cap / (2 * r);  // num_b, den_b (b×r each) share den
        st->fuse_rows = fuse == k_size_max ? fused_rows<T>(n, m, r, most) : (fuse < most ? fuse : most);
    }
    st->x_sqnorm = x_sq;

    // The loss of the start, and the products the first step needs.
    k.gemm_nt(r, r, m, H.data, H.stride, H.data, H.stride, st->hht, r);
    if (opt.beta == 2) {
        if (st->update_w) {
            k.gemm_nt(n, r, m, X.data, X.stride, H.data, H.stride, st->num, r);
            st->num_holds_xht = true;
        } else {
            k.gemm_tn(r, m, n, W.data, W.stride, X.data, X.stride, st->num, m);
            k.gemm_tn(r, r, n, W.data, W.stride, W.data, W.stride, st->wtw, r);
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
    st->magic = magic_of<T>;
    report(*st, out);
    started = st;
    return status::ok;
}

template <class T>
status fit_impl(const_matrix_view<T> X, matrix_view<T> W, matrix_view<T> H, const options& opt, void* workspace,
                std::size_t workspace_bytes, result& out, progress_callback cb, void* user, mode md,
                const kernel_table<T>* kernels = nullptr, std::size_t fuse = k_size_max) noexcept {
    state<T>* st = nullptr;
    status s = start_impl(X, W, H, opt, workspace, workspace_bytes, out, st, md, kernels, fuse);
    if (s != status::ok) return s;
    s = run_impl(*st, opt.max_iter, out, cb, user);
    finish_impl(*st, out);
    return s;
}

}  // namespace

namespace detail {
// Test hook (tests/test_solver.cpp declares it): fit() with the kernel set k instead of the
// one opt.kernel selects, and fuse_rows rows per block of the one-pass Frobenius iteration
// where it applies (0: the two-pass one; SIZE_MAX: the size rule of fit()), so both
// iterations can be compared on small problems.
template <class T>
status fit_with_kernels(const kernel_table<T>& k, std::size_t fuse_rows, const_matrix_view<T> X, matrix_view<T> W,
                        matrix_view<T> H, const options& opt, void* workspace, std::size_t workspace_bytes,
                        result& out, progress_callback cb, void* user) noexcept {
    return fit_impl(X, W, H, opt, workspace, workspace_bytes, out, cb, user, mode::fit, &k, fuse_rows);
}
template status fit_with_kernels<float>(const kernel_table<float>&, std::size_t, const_matrix_view<float>,
                                        matrix_view<float>, matrix_view<float>, const options&, void*, std::size_t,
                                        result&, progress_callback, void*) noexcept;
template status fit_with_kernels<double>(const kernel_table<double>&, std::size_t, const_matrix_view<double>,
                                         matrix_view<double>, matrix_view<double>, const options&, void*,
                                         std::size_t, result&, progress_callback, void*) noexcept;
}  // namespace detail

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
    if (is_nndsvd(opt.init) && opt.rank > (n < m ? n : m)) return status::rank_too_large;
    layout L{};
    if (!compute_layout<T>(n, m, opt, L)) return status::size_overflow;
    bytes = L.total;
    return status::ok;
}

template <class T>
status fit(const_matrix_view<T> X, matrix_view<T> W, matrix_view<T> H, const options& opt, void* workspace,
           std::size_t workspace_bytes, result& out, progress_callback callback, void* user_data) noexcept {
    return fit_impl(X, W, H, opt, workspace, workspace_bytes, out, callback, user_data, mode::fit);
}

template <class T>
status transform(const_matrix_view<T> X, const_matrix_view<T> H, matrix_view<T> W, const options& opt,
                 void* workspace, std::size_t workspace_bytes, result& out, progress_callback callback,
                 void* user_data) noexcept {
    // H is never written in this mode.
    const matrix_view<T> Hm(const_cast<T*>(H.data), H.rows, H.cols, H.stride);
    return fit_impl(X, W, Hm, opt, workspace, workspace_bytes, out, callback, user_data, mode::solve_w);
}

template <class T>
status transform_columns(const_matrix_view<T> X, const_matrix_view<T> W, matrix_view<T> H, const options& opt,
                         void* workspace, std::size_t workspace_bytes, result& out, progress_callback callback,
                         void* user_data) noexcept {
    const matrix_view<T> Wm(const_cast<T*>(W.data), W.rows, W.cols, W.stride);
    return fit_impl(X, Wm, H, opt, workspace, workspace_bytes, out, callback, user_data, mode::solve_h);
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
        if (const status s = check_view(*inputs[i], e[i]); s != status::ok) return s;
    if (const status s = check_view(*views[0], e[2]); s != status::ok) return s;
    if (overlap(out.data, e[2], W.data, e[0]) || overlap(out.data, e[2], H.data, e[1])) return status::buffers_overlap;
    detail::best_kernels<T>().gemm_nn(W.rows, H.cols, W.cols, W.data, W.stride, H.data, H.stride, out.data,
                                      out.stride);
    return status::ok;
}

template <class T>
status solver<T>::start(const_matrix_view<T> X, matrix_view<T> W, matrix_view<T> H, const options& opt,
                        void* workspace, std::size_t workspace_bytes, result& out) noexcept {
    state<T>* st = nullptr;
    const status s = start_impl(X, W, H, opt, workspace, workspace_bytes, out, st, mode::fit);
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
status frobenius_loss(const_matrix_view<T> X, const_matrix_view<T> W, const_matrix_view<T> H, double& loss) noexcept {
    return beta_divergence(X, W, H, 2.0, loss);
}

template <class T>
status beta_divergence(const_matrix_view<T> X, const_matrix_view<T> W, const_matrix_view<T> H, double beta,
                       double& loss) noexcept {
    if (W.cols == 0) return status::zero_rank;
    if (!std::isfinite(beta)) return status::invalid_beta;
    if (!k_extended && beta != 2) return status::not_built;
    std::size_t extents[3];
    const status s = check_problem<T>(X, W, H, W.cols, extents);
    if (s != status::ok) return s;
    T buf[256];  // small: microcontroller stacks are a few KiB
    double sq = 0;
    exact_loss(detail::best_kernels<T>(), X, W, H, beta, static_cast<T>(options{}.epsilon), buf,
               sizeof(buf) / sizeof(buf[0]), loss, sq);
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
    random_fill(W, H, mean_of(x_sum, X.rows, X.cols), seed);
    return status::ok;
}

#define NMFKIT_INSTANTIATE(T)                                                                                      \
    template status workspace_size<T>(std::size_t, std::size_t, const options&, std::size_t&) noexcept;           \
    template status fit<T>(const_matrix_view<T>, matrix_view<T>, matrix_view<T>, const options&, void*,            \
                           std::size_t, result&, progress_callback, void*) noexcept;                               \
    template status transform<T>(const_matrix_view<T>, const_matrix_view<T>, matrix_view<T>, const options&, void*, \
                                 std::size_t, result&, progress_callback, void*) noexcept;                         \
    template status transform_columns<T>(const_matrix_view<T>, const_matrix_view<T>, matrix_view<T>,               \
                                         const options&, void*, std::size_t, result&, progress_callback,            \
                                         void*) noexcept;                                                          \
    template status inverse_transform<T>(const_matrix_view<T>, const_matrix_view<T>, matrix_view<T>) noexcept;     \
    template class solver<T>;                                                                                      \
    template const char* default_kernel_name<T>() noexcept;                                                        \
    template status frobenius_loss<T>(const_matrix_view<T>, const_matrix_view<T>, const_matrix_view<T>,            \
                                      double&) noexcept;                                                           \
    template status beta_divergence<T>(const_matrix_view<T>, const_matrix_view<T>, const_matrix_view<T>, double,   \
                                       double&) noexcept;                                                          \
    template status random_init<T>(const_matrix_view<T>, matrix_view<T>, matrix_view<T>, std::uint64_t,            \
                                   result&) noexcept;
NMFKIT_INSTANTIATE(float)
NMFKIT_INSTANTIATE(double)
#undef NMFKIT_INSTANTIATE

}  // namespace nmfkit
