// The sparse (CSR) data_ops: X is never densified. X·Hᵀ and Wᵀ·X are sparse × dense products
// over the rank (O(nnz·r)); β = 1 and missing entries need W·H at the stored entries only,
// formed block of rows by block of rows in the context's value buffer; the exact losses sum over
// the stored entries and add the unstored part from the factors' sums (O((n + m)·r²)); other β
// run in the dense tiles of W·H with X's block of a tile densified. Scratch: csr_context.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>

#include "beta.hpp"
#include "solver/state.hpp"

namespace nmfkit {
namespace detail {

#if NMFKIT_EXTENDED
namespace {

template <class T>
const csr_context<T>& ctx(const void* x) noexcept {
    return *static_cast<const csr_context<T>*>(x);
}

// At = Aᵀ: A (rows×cols, stride lda) into At (cols×rows, tightly packed).
template <class T>
void transpose(const T* A, std::size_t rows, std::size_t cols, std::size_t lda, T* At) noexcept {
    for (std::size_t i = 0; i < rows; ++i) {
        const T* a = A + i * lda;
        for (std::size_t j = 0; j < cols; ++j) At[j * rows + i] = a[j];
    }
}

// out (rows×cols, stride ldo) = At (cols×rows)ᵀ, or += it.
template <class T>
void untranspose(const T* At, std::size_t rows, std::size_t cols, T* out, std::size_t ldo, bool acc) noexcept {
    for (std::size_t i = 0; i < rows; ++i) {
        T* o = out + i * ldo;
        if (acc)
            for (std::size_t j = 0; j < cols; ++j) o[j] += At[j * rows + i];
        else
            for (std::size_t j = 0; j < cols; ++j) o[j] = At[j * rows + i];
    }
}

// A block of rows whose entries the value buffer holds: offsets rebased to its first entry, so
// the kernels index the buffer (and indices + base, values + base) from 0.
constexpr std::size_t k_block_rows = 256;
struct row_block {
    std::size_t i0, rows;
    std::uint64_t base;
    std::uint64_t indptr[k_block_rows + 1];
};

// Calls f(block) for consecutive blocks of at most k_block_rows rows and `samples` entries
// (every row fits: samples ≥ min(nnz, m) and a row holds at most m entries) of the rows [i0, i1).
template <class T, class F>
void for_row_blocks(const csr_view<T>& X, std::size_t i0, std::size_t i1, std::size_t samples, F&& f) noexcept {
    row_block b;
    for (std::size_t i = i0; i < i1;) {
        b.i0 = i;
        b.base = X.indptr[i];
        std::size_t e = i;
        while (e < i1 && e - i < k_block_rows && X.indptr[e + 1] - b.base <= samples) ++e;
        b.rows = e - i;
        for (std::size_t t = 0; t <= b.rows; ++t) b.indptr[t] = X.indptr[i + t] - b.base;
        f(static_cast<const row_block&>(b));
        i = e;
    }
}

// ---- lanes: the rows in k_csr_lanes fixed ranges (nmfkit/workspace.hpp) -------------------------

// The rows [i0, i1) in ranges of about equal entries: lane l is [at[l], at[l + 1]).
template <class T>
void lane_rows(const csr_view<T>& X, std::size_t i0, std::size_t i1, std::size_t (&at)[k_csr_lanes + 1]) noexcept {
    const std::uint64_t base = X.indptr[i0], total = X.indptr[i1] - base;
    at[0] = i0;
    at[k_csr_lanes] = i1;
    for (std::size_t l = 1; l < k_csr_lanes; ++l) {
        const std::uint64_t goal = base + total * l / k_csr_lanes;
        at[l] = static_cast<std::size_t>(std::lower_bound(X.indptr + at[l - 1], X.indptr + i1, goal) - X.indptr);
    }
}

template <class T>
T* lane_values(const csr_context<T>& c, std::size_t l) noexcept {
    return l == 0 ? c.vals : c.lanes + (l - 1) * c.lane_stride + c.X.cols * c.lane_cols;
}

// f(a, b, vals) for each lane [a, b) of the rows [i0, i1), through ex, with the lane's value buffer.
// A lane may be empty (a == b, at the end): then no row pointer of it may be formed (a row past
// the last is past the address space for a huge stride).
template <class T, class F>
void run_lanes(const csr_context<T>& c, const executor& ex, std::size_t i0, std::size_t i1, const F& f) noexcept {
    std::size_t at[k_csr_lanes + 1];
    lane_rows(c.X, i0, i1, at);
    run_tasks(ex, k_csr_lanes, [&](std::size_t l) { f(at[l], at[l + 1], lane_values(c, l)); });
}

// Xᵀ·A-like products over the rows [i0, i1): f(a, b, sum, vals) leaves its lane's share in sum
// (m×cols, row stride cols; lane 0's is `first`); then out (cols×m, stride ldo) = Σ_l sumᵀ (+= when
// acc), the lanes added in order, in fixed blocks of columns.
template <class T, class F>
void sum_lanes(const csr_context<T>& c, const executor& ex, std::size_t i0, std::size_t i1, std::size_t cols, T* first,
               const F& f, T* out, std::size_t ldo, bool acc) noexcept {
    const std::size_t m = c.X.cols;
    auto sum_of = [&](std::size_t l) { return l == 0 ? first : c.lanes + (l - 1) * c.lane_stride; };
    std::size_t at[k_csr_lanes + 1];
    lane_rows(c.X, i0, i1, at);
    run_tasks(ex, k_csr_lanes, [&](std::size_t l) { f(at[l], at[l + 1], sum_of(l), lane_values(c, l)); });
    const block_plan p = plan_blocks(m, double(cols) * double(k_csr_lanes));
    for_blocks(ex, p, m, [&](std::size_t j0, std::size_t nj) {
        for (std::size_t t = 0; t < cols; ++t) {
            T* o = out + t * ldo;
            for (std::size_t j = j0; j < j0 + nj; ++j) {
                T v = first[j * cols + t];
                for (std::size_t l = 1; l < k_csr_lanes; ++l) v += sum_of(l)[j * cols + t];
                o[j] = acc ? o[j] + v : v;
            }
        }
    });
}

template <class T>
void zero(T* a, std::size_t count) noexcept {
    for (std::size_t i = 0; i < count; ++i) a[i] = 0;
}

template <class T>
const T* values_at(const csr_view<T>& X, std::uint64_t base) noexcept {
    return X.values ? X.values + base : nullptr;
}

template <class T>
T value_of(const csr_view<T>& X, std::uint64_t k) noexcept {
    return X.values ? X.values[k] : T(1);
}

// ---- the Frobenius products and the NNDSVD's ------------------------------------------------

template <class T>
void csr_x_ht(const void* x, const kernel_table<T>& k, const executor& ex, std::size_t i0, std::size_t b,
              const_matrix_view<T> H, T* out, std::size_t ldo) noexcept {
    const csr_context<T>& c = ctx<T>(x);
    const std::size_t r = H.rows;  // ≤ c.xt_cols
    transpose(H.data, r, H.cols, H.stride, c.xt);
    const double per_row = c.X.rows ? double(c.X.nnz) / double(c.X.rows) : 0;
    const block_plan p = plan_blocks(b, per_row * double(r));  // blocks of rows
    for_blocks(ex, p, b, [&](std::size_t f, std::size_t n) {
        k.csr_times_dense(n, r, c.X.indptr + i0 + f, c.X.indices, c.X.values, c.xt, r, out + f * ldo, ldo);
    });
}

// In lanes: the entries of a row scatter over all of Xᵀ·W.
template <class T>
void csr_wt_x(const void* x, const kernel_table<T>& k, const executor& ex, std::size_t i0, const_matrix_view<T> Wb,
              T* out, std::size_t ldo, bool acc) noexcept {
    const csr_context<T>& c = ctx<T>(x);
    const std::size_t r = Wb.cols, m = c.X.cols;  // r ≤ c.lane_cols
    sum_lanes(
        c, ex, i0, i0 + Wb.rows, r, c.xt,
        [&](std::size_t a, std::size_t b, T* sum, T*) {
            k.csr_t_times_dense(b - a, m, r, c.X.indptr + a, c.X.indices, c.X.values, b > a ? Wb.row(a - i0) : Wb.data,
                                Wb.stride, sum, r, false);
        },
        out, ldo, acc);
}

// ---- W·H at the stored entries ---------------------------------------------------------------

// β = 1 or missing entries (data_ops::sampled_side). Hᵀ sits in xt, the H side accumulates its
// m×r products in the second half of xt (lane 0) and the lanes' sums.
template <class T>
void csr_sampled_side(const void* x, const kernel_table<T>& k, const executor& ex, bool w_side, const_matrix_view<T> W,
                      const_matrix_view<T> H, double beta, T eps, int q, T* num, T* den) noexcept {
    const csr_context<T>& c = ctx<T>(x);
    const csr_view<T>& X = c.X;
    const std::size_t n = X.rows, r = W.cols, m = X.cols;
    const bool masked = c.masked;
    T* const ht = c.xt;
    T* const acc = c.xt + m * r;
    transpose(H.data, r, m, H.stride, ht);
    const bool kl = beta == 1;
    // The block's values of 4^-q·X: X's own (null: a pattern) when q = 0, else scaled into vals,
    // so that no product or ratio of X at the ends of the range overflows (data_matrix::q).
    const T xs = pow2<T>(-2 * q);
    auto values_of = [&](const row_block& b, T* vals) -> const T* {
        if (q == 0) return values_at(X, b.base);
        for (std::uint64_t t = 0; t < b.indptr[b.rows]; ++t) vals[t] = value_of(X, b.base + t) * xs;
        return vals;
    };
    if (w_side) {  // rows of num, den: each lane its own
        run_lanes(c, ex, 0, n, [&](std::size_t a, std::size_t e, T* vals) {
            if (!kl && q == 0)  // (M∘X)·Hᵀ; scaled: block by block below
                k.csr_times_dense(e - a, r, X.indptr + a, X.indices, X.values, ht, r, num + a * r, r);
            for_row_blocks(X, a, e, c.samples, [&](const row_block& b) {
                const std::uint32_t* idx = X.indices + b.base;
                const T* Wb = W.row(b.i0);
                if (kl) {  // num = (X ⊘ WH)·Hᵀ
                    k.sampled_ratio(b.rows, r, b.indptr, idx, values_of(b, vals), Wb, W.stride, ht, r, eps, vals);
                    k.csr_times_dense(b.rows, r, b.indptr, idx, vals, ht, r, num + b.i0 * r, r);
                    if (masked) k.csr_times_dense(b.rows, r, b.indptr, idx, nullptr, ht, r, den + b.i0 * r, r);  // M·Hᵀ
                } else {  // den = (M∘WH)·Hᵀ
                    if (q != 0)
                        k.csr_times_dense(b.rows, r, b.indptr, idx, values_of(b, vals), ht, r, num + b.i0 * r, r);
                    k.sampled_dot(b.rows, r, b.indptr, idx, Wb, W.stride, ht, r, vals);
                    k.csr_times_dense(b.rows, r, b.indptr, idx, vals, ht, r, den + b.i0 * r, r);
                }
            });
        });
        return;
    }
    // H side: Wᵀ·(...) as (...)ᵀ·W (m×r) per lane, then summed and transposed into num / den (r×m).
    auto plain = [&](const T* values) {  // Xᵀ·W with X's values (or its pattern M)
        return [&, values](std::size_t a, std::size_t e, T* sum, T*) {
            k.csr_t_times_dense(e - a, m, r, X.indptr + a, X.indices, values, e > a ? W.row(a) : W.data, W.stride, sum,
                                r, false);
        };
    };
    enum class form { ratio, dot, values };
    auto sampled = [&](form f) {  // (X ⊘ WH)ᵀ·W, (M∘WH)ᵀ·W or (4^-q·X)ᵀ·W, block by block
        return [&, f](std::size_t a, std::size_t e, T* sum, T* vals) {
            zero(sum, m * r);
            for_row_blocks(X, a, e, c.samples, [&](const row_block& b) {
                const std::uint32_t* idx = X.indices + b.base;
                const T* v = vals;
                if (f == form::ratio)
                    k.sampled_ratio(b.rows, r, b.indptr, idx, values_of(b, vals), W.row(b.i0), W.stride, ht, r, eps,
                                    vals);
                else if (f == form::dot) k.sampled_dot(b.rows, r, b.indptr, idx, W.row(b.i0), W.stride, ht, r, vals);
                else v = values_of(b, vals);
                k.csr_t_times_dense(b.rows, m, r, b.indptr, idx, v, W.row(b.i0), W.stride, sum, r, true);
            });
        };
    };
    if (kl) {
        sum_lanes(c, ex, 0, n, r, acc, sampled(form::ratio), num, m, false);
        if (masked) sum_lanes(c, ex, 0, n, r, acc, plain(nullptr), den, m, false);  // Mᵀ·W
        return;
    }
    if (q == 0) sum_lanes(c, ex, 0, n, r, acc, plain(X.values), num, m, false);  // Wᵀ·(M∘X)
    else sum_lanes(c, ex, 0, n, r, acc, sampled(form::values), num, m, false);
    sum_lanes(c, ex, 0, n, r, acc, sampled(form::dot), den, m, false);  // Wᵀ·(M∘WH)
}

// ⟨WᵀW, HHᵀ⟩ = Σ_ij (W·H)²_ij and Σ_ij (W·H)_ij = Σ_c (Σ_i W_ic)(Σ_j H_cj), in double: the unstored
// entries' share of the exact loss. The Gram matrices in 16×16 blocks on the stack.
template <class T>
double quad_term(const_matrix_view<T> W, const_matrix_view<T> H) noexcept {
    constexpr std::size_t B = 16;
    const std::size_t r = W.cols;
    double total = 0;
    for (std::size_t a0 = 0; a0 < r; a0 += B)
        for (std::size_t b0 = a0; b0 < r; b0 += B) {
            const std::size_t na = std::min(B, r - a0), nb = std::min(B, r - b0);
            double gw[B][B] = {}, gh[B][B] = {};
            for (std::size_t i = 0; i < W.rows; ++i) {
                const T* w = W.row(i);
                for (std::size_t a = 0; a < na; ++a) {
                    const double wa = w[a0 + a];
                    for (std::size_t b = 0; b < nb; ++b) gw[a][b] += wa * double(w[b0 + b]);
                }
            }
            for (std::size_t a = 0; a < na; ++a)
                for (std::size_t b = 0; b < nb; ++b) gh[a][b] = dot_double(H.row(a0 + a), H.row(b0 + b), H.cols);
            double block = 0;
            for (std::size_t a = 0; a < na; ++a)
                for (std::size_t b = 0; b < nb; ++b) block += gw[a][b] * gh[a][b];
            total += a0 == b0 ? block : 2 * block;  // the blocks below the diagonal mirror these
        }
    return total;
}

template <class T>
double sum_term(const_matrix_view<T> W, const_matrix_view<T> H) noexcept {
    double total = 0;
    for (std::size_t c = 0; c < W.cols; ++c) {
        double sw = 0, sh = 0;
        for (std::size_t i = 0; i < W.rows; ++i) sw += double(W(i, c));
        const T* h = H.row(c);
        for (std::size_t j = 0; j < H.cols; ++j) sh += double(h[j]);
        total += sw * sh;
    }
    return total;
}

// data_ops::exact_loss, β ∈ {1, 2}, everything in double. Stored entries: p = (W·H)_ij, summed
// per entry; the unstored zeros (unless missing) add Σ p² to ‖X − WH‖² and Σ p to D_KL, formed
// as (Σ over all entries) − (Σ over the stored ones) from the factors: ⟨WᵀW, HHᵀ⟩ and
// Σ_c (Σ_i W_ic)(Σ_j H_cj). The cancellation is then confined to the unstored part (≥ 0), and
// the stored part keeps the digits of a near-exact fit.
template <class T>
void csr_exact_loss(const void* x, const kernel_table<T>&, const executor& ex, const_matrix_view<T> W,
                    const_matrix_view<T> H, double beta, T eps, T xs, double& div, double& sq) noexcept {
    const csr_context<T>& c = ctx<T>(x);
    const csr_view<T>& X = c.X;
    const std::size_t r = W.cols;
    const double e = static_cast<double>(eps);
    // Hᵀ rows are contiguous where there is scratch for them (the solver), else H is read strided.
    const T* ht = c.xt;
    if (ht) transpose(H.data, r, H.cols, H.stride, c.xt);
    // Fixed blocks of rows, each with its four partial sums, added in block order.
    double part[k_max_tasks][4];
    const double per_row = X.rows ? double(X.nnz) / double(X.rows) : 0;
    const block_plan plan = plan_blocks(X.rows, per_row * double(r));
    for_blocks(ex, plan, X.rows, [&](std::size_t i0, std::size_t rows) {
        double d_sum = 0, s_sum = 0, p_sum = 0, p2_sum = 0;
        for (std::size_t i = i0; i < i0 + rows; ++i) {
            const T* w = W.row(i);
            double d_row = 0, s_row = 0, p_row = 0, p2_row = 0;
            for (std::uint64_t q = X.indptr[i]; q < X.indptr[i + 1]; ++q) {
                const std::size_t j = X.indices[q];
                double p = 0;
                if (ht) {
                    p = dot_double(w, ht + j * r, r);
                } else {
                    for (std::size_t t = 0; t < r; ++t) p += double(w[t]) * double(H(t, j));
                }
                const double xv = double(value_of(X, q) * xs);
                s_row += (xv - p) * (xv - p);
                p_row += p;
                p2_row += p * p;
                if (beta == 1) {
                    const double pg = p == 0 ? e : p;
                    d_row += (xv > 0 ? xv * std::log(xv / pg) : 0.0) - xv + p;
                }
            }
            d_sum += d_row;
            s_sum += s_row;
            p_sum += p_row;
            p2_sum += p2_row;
        }
        double* q = part[i0 / plan.size];
        q[0] = d_sum;
        q[1] = s_sum;
        q[2] = p_sum;
        q[3] = p2_sum;
    });
    double d_sum = 0, s_sum = 0, p_sum = 0, p2_sum = 0;
    for (std::size_t t = 0; t < plan.count; ++t) {
        d_sum += part[t][0];
        s_sum += part[t][1];
        p_sum += part[t][2];
        p2_sum += part[t][3];
    }
    if (!c.masked) {
        const double unstored_sq = quad_term(W, H) - p2_sum;
        s_sum += unstored_sq > 0 ? unstored_sq : 0.0;
        if (beta == 1) {
            const double unstored = sum_term(W, H) - p_sum;
            d_sum += unstored > 0 ? unstored : 0.0;
        }
    }
    sq = s_sum;
    div = beta == 2 ? 0.5 * sq : (d_sum > 0 ? d_sum : 0.0);  // D ≥ 0: a near-exact fit rounds to ±1e-16
}

// ---- other β: dense tiles of W·H ---------------------------------------------------------------

// The entries of row i in columns [j0, j0 + tj): [first, last).
template <class T>
void row_span(const csr_view<T>& X, std::size_t i, std::size_t j0, std::size_t tj, std::uint64_t& first,
              std::uint64_t& last) noexcept {
    const std::uint32_t* b = X.indices + X.indptr[i];
    const std::uint32_t* e = X.indices + X.indptr[i + 1];
    if (j0 == 0 && tj == X.cols) {
        first = X.indptr[i];
        last = X.indptr[i + 1];
        return;
    }
    first = static_cast<std::uint64_t>(std::lower_bound(b, e, static_cast<std::uint32_t>(j0)) - X.indices);
    last = static_cast<std::uint64_t>(std::lower_bound(X.indices + first, e, static_cast<std::uint64_t>(j0 + tj)) -
                                      X.indices);
}

// xs·X's block (ti×tj at i0, j0) as a dense tile in xtile (row stride tj).
template <class T>
const T* densify(const csr_context<T>& c, std::size_t i0, std::size_t ti, std::size_t j0, std::size_t tj,
                 T xs) noexcept {
    T* t = c.xtile;
    for (std::size_t q = 0; q < ti * tj; ++q) t[q] = 0;
    for (std::size_t i = 0; i < ti; ++i) {
        std::uint64_t first = 0, last = 0;
        row_span(c.X, i0 + i, j0, tj, first, last);
        for (std::uint64_t q = first; q < last; ++q) t[i * tj + (c.X.indices[q] - j0)] = value_of(c.X, q) * xs;
    }
    return t;
}

// P ← X∘P^(β−2) and B ← P^(β−1) on the densified block; masked: B (P is 0 there already: X is)
// zeroed at the unstored entries.
template <class T>
void csr_beta_tile(const void* x, const kernel_table<T>& k, std::size_t i0, std::size_t ti, std::size_t j0,
                   std::size_t tj, T* P, std::size_t ldp, T* B, std::size_t ldb, double beta, T eps, T xs) noexcept {
    const csr_context<T>& c = ctx<T>(x);
    const T* xt = densify(c, i0, ti, j0, tj, xs);
    if (beta == 2) {  // masked only: P ← M∘X, B ← P
        for (std::size_t i = 0; i < ti; ++i)
            for (std::size_t j = 0; j < tj; ++j) {
                B[i * ldb + j] = P[i * ldp + j];
                P[i * ldp + j] = xt[i * tj + j];
            }
    } else {
        k.beta_tile(ti, tj, xt, tj, P, ldp, B, ldb, beta, eps);
    }
    if (!c.masked || !B) return;
    for (std::size_t i = 0; i < ti; ++i) {
        std::uint64_t first = 0, last = 0;
        row_span(c.X, i0 + i, j0, tj, first, last);
        T* b = B + i * ldb;
        std::size_t j = 0;
        for (std::uint64_t q = first; q <= last; ++q) {
            const std::size_t stop = q < last ? c.X.indices[q] - j0 : tj;
            for (; j < stop; ++j) b[j] = 0;
            ++j;
        }
    }
}

template <class T>
void csr_loss_tile(const void* x, const kernel_table<T>& k, std::size_t i0, std::size_t ti, std::size_t j0,
                   std::size_t tj, const T* P, std::size_t ldp, double beta, T eps, T xs, double& div,
                   double& sq) noexcept {
    const csr_context<T>& c = ctx<T>(x);
    if (!c.masked) {
        k.beta_loss_tile(ti, tj, densify(c, i0, ti, j0, tj, xs), tj, P, ldp, beta, eps, div, sq);
        return;
    }
    for (std::size_t i = 0; i < ti; ++i) {  // the stored entries only
        std::uint64_t first = 0, last = 0;
        row_span(c.X, i0 + i, j0, tj, first, last);
        for (std::uint64_t q = first; q < last; ++q) {
            const T xv = value_of(c.X, q) * xs;
            beta_loss_tile_scalar(1, 1, &xv, 1, P + i * ldp + (c.X.indices[q] - j0), 1, beta, eps, div, sq);
        }
    }
}

// ---- validation ----------------------------------------------------------------------------------

status bad_entry(result& out, status s, std::size_t row, std::uint64_t entry, std::size_t col) noexcept {
    out.bad_matrix = matrix_id::X;
    out.bad_row = row;
    out.bad_entry = static_cast<std::size_t>(entry);
    out.bad_col = col;
    return s;
}

// The offsets first (so no entry is read out of bounds), then each entry in order: its column
// (in range, increasing within the row), then its value; Σx, Σx² row by row.
// Unmasked with `positive` (β ≤ 0), an unstored zero is x_not_positive at its row and column.
template <class T>
status csr_scan(const void* x, bool positive, result& out, scaled_sums& sums, std::uint64_t& observed) noexcept {
    const csr_context<T>& c = ctx<T>(x);
    const csr_view<T>& X = c.X;
    if (X.indptr[0] != 0) return bad_entry(out, status::csr_bad_indptr, 0, 0, 0);
    for (std::size_t i = 0; i < X.rows; ++i)
        if (X.indptr[i + 1] < X.indptr[i]) return bad_entry(out, status::csr_bad_indptr, i + 1, X.indptr[i + 1], 0);
    if (X.indptr[X.rows] != X.nnz) return bad_entry(out, status::csr_nnz_mismatch, X.rows, X.indptr[X.rows], 0);
    constexpr T big = std::numeric_limits<T>::max();
    sums = scaled_sums{};
    for (std::size_t i = 0; i < X.rows; ++i) {
        double s = 0, q2 = 0, mx = 0;
        for (std::uint64_t q = X.indptr[i]; q < X.indptr[i + 1]; ++q) {
            const std::size_t j = X.indices[q];
            if (j >= X.cols) return bad_entry(out, status::csr_index_out_of_range, i, q, j);
            if (q > X.indptr[i] && j <= X.indices[q - 1])
                return bad_entry(out,
                                 j == X.indices[q - 1] ? status::csr_duplicate_index : status::csr_unsorted_indices, i,
                                 q, j);
            const T v = value_of(X, q);
            if (!(v >= 0 && v <= big) || (positive && v == 0))
                return bad_entry(out,
                                 std::isnan(v) || std::isinf(v) ? status::x_not_finite
                                 : v == 0                       ? status::x_not_positive
                                                                : status::x_negative,
                                 i, q, j);
            const double d = static_cast<double>(v);
            s += d;
            q2 += d * d;
            mx = d > mx ? d : mx;
        }
        add_row(sums, values_at(X, X.indptr[i]), static_cast<std::size_t>(X.indptr[i + 1] - X.indptr[i]), s, q2, mx);
    }
    if (positive && !c.masked)  // the first unstored entry, if any, is a zero
        for (std::size_t i = 0; i < X.rows; ++i) {
            const std::uint64_t b = X.indptr[i], e = X.indptr[i + 1];
            if (e - b == X.cols) continue;
            std::size_t j = 0;
            while (b + j < e && X.indices[b + j] == j) ++j;
            return bad_entry(out, status::x_not_positive, i, b + j, j);
        }
    observed = c.masked ? static_cast<std::uint64_t>(X.nnz) : static_cast<std::uint64_t>(X.rows) * X.cols;
    return status::ok;
}

template <class T>
constexpr data_ops<T> k_csr_ops = {csr_x_ht<T>, csr_wt_x<T>,         csr_beta_tile<T>, csr_loss_tile<T>,
                                   csr_scan<T>, csr_sampled_side<T>, csr_exact_loss<T>};

}  // namespace

template <class T>
data_matrix<T> csr_data(const csr_context<T>& c) noexcept {
    return data_matrix<T>{&k_csr_ops<T>, &c, c.X.rows, c.X.cols, c.masked, static_cast<double>(c.X.nnz), true};
}

#else   // the Frobenius-only core takes dense X only (check_options: not_built)
template <class T>
data_matrix<T> csr_data(const csr_context<T>& c) noexcept {
    return data_matrix<T>{nullptr, &c, c.X.rows, c.X.cols, c.masked, 0, true};
}
#endif  // NMFKIT_EXTENDED

template data_matrix<float> csr_data<float>(const csr_context<float>&) noexcept;
template data_matrix<double> csr_data<double>(const csr_context<double>&) noexcept;

}  // namespace detail
}  // namespace nmfkit
