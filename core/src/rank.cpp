// Cross-validated rank selection and restarts (nmfkit/rank.hpp), on top of the public solver API:
// each fit is an nmfkit::solver on a copy of X with the hidden entries missing, in the workspace.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <limits>
#include <new>

#include "beta.hpp"
#include "nmfkit/rank.hpp"
#include "solver/finite.hpp"

namespace nmfkit {
namespace {

constexpr std::uint64_t k_rank_magic = 0x6e6d666b72616e6bull;  // "nmfkrank"
constexpr std::size_t k_size_max = std::numeric_limits<std::size_t>::max();

// a + b·c, or false on overflow
bool add_mul(std::size_t& acc, std::size_t b, std::size_t c) noexcept {
    if (c != 0 && b > (k_size_max - 64) / c) return false;
    const std::size_t p = (b * c + 63) / 64 * 64;
    if (acc > k_size_max - p) return false;
    acc += p;
    return true;
}

std::uint64_t mix(std::uint64_t z) noexcept {  // splitmix64's finalizer
    z += 0x9e3779b97f4a7c15ull;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

// How the rank search holds its training copy of X.
enum class form : std::int32_t { dense = 0, csr_dense = 1, csr = 2 };

constexpr std::uint64_t k_idle = ~std::uint64_t(0);

// One fit in progress: its factors and solver workspace, and which fit of the search it is
// (fit f: rank index f / (reps·restarts), then rep·restarts + restart).
template <class T>
struct lane {
    T* W;
    T* H;
    void* sws;
    std::uint64_t fit;  // k_idle: none
    bool running;
    result res;
    status st;  // of its last step
};

template <class T>
struct rank_state {
    std::uint64_t magic;
    std::uint32_t elem;
    form kind;
    std::size_t n, m, nnz;
    options opt;  // the fits' options (missing = nan or unstored; rank and seed set per fit)
    missing_entries user_missing;
    std::uint32_t reps, restarts;
    double fraction;
    std::uint64_t seed;
    bool consensus;
    const T* X;
    std::size_t ldx;
    csr_view<T> Xc;
    std::uint32_t* ranks;
    std::size_t n_ranks;
    std::uint32_t kmax;
    double* rec;            // per (rank index, rep): train, test, objective of the best restart (NaN: not done)
    double* cons;           // per rank index: cophenetic, dispersion (NaN: not done)
    std::uint32_t* labels;  // reps·restarts rows of m labels: the current rank's fits
    void* link;
    std::size_t link_bytes;
    lane<T>* lanes;  // the fits running at once (rank_options::parallel_fits)
    std::uint32_t n_lanes;
    T* Xt;              // dense training copy
    std::uint64_t* tp;  // CSR training copy
    std::uint32_t* ti;
    T* tv;
    std::size_t tnnz;
    std::size_t sbytes;
    executor exec;
    bool has_exec;
    double* fit_rec;                 // per fit: train, test, objective (written by its lane)
    unsigned char* fit_done;         // per fit: ended, not yet merged
    std::uint64_t next_fit, merged;  // the next fit a lane takes; the fits merged so far, in order
    std::size_t ki;                  // the merge's rank index
    std::uint32_t t;                 // its fit of the rank: rep·restarts + restart
    status failed;
    std::uint64_t fits_done, fits_total;
    std::uint64_t test_n, train_n;
    int q;  // the test sums' scale: X's entries count as 4^-q·x (0 while its largest lies in [2^-20, 2^20])
    result res;
    double pending[3];  // train, test, objective of the replicate's best restart so far
};

struct plan {
    std::size_t state, ranks, rec, cons, labels, link, link_bytes, lanes, w, h, xt, tp, ti, tv, sws, sbytes, fits,
        fit_rec, fit_done, total;
    std::uint32_t n_lanes;
};

// Fits at once: parallel_fits, at most reps·restarts·n_ranks (the fits there are) and 255.
std::uint32_t lanes_of(const rank_options& r) noexcept {
    std::uint64_t l = r.parallel_fits == 0 ? 1 : r.parallel_fits;
    const std::uint64_t fits = std::uint64_t(r.reps) * r.restarts * r.n_ranks;
    if (l > fits) l = fits;
    return static_cast<std::uint32_t>(l > 255 ? 255 : l);
}

status check_rank_options(const rank_options& r, std::uint32_t& kmax) noexcept {
    if (r.ranks == nullptr) return r.n_ranks == 0 ? status::invalid_rank_options : status::null_pointer;
    if (r.n_ranks == 0 || r.reps == 0 || r.restarts == 0) return status::invalid_rank_options;
    if (!(r.test_fraction > 0 && r.test_fraction < 1)) return status::invalid_rank_options;
    kmax = 0;
    for (std::size_t i = 0; i < r.n_ranks; ++i) {
        if (r.ranks[i] == 0) return status::invalid_rank_options;
        if (r.ranks[i] > kmax) kmax = r.ranks[i];
    }
    return status::ok;
}

form form_of(bool sparse, missing_entries user) noexcept {
    if (!sparse) return form::dense;
    return user == missing_entries::unstored ? form::csr : form::csr_dense;
}

// The fits' options: rank and seed are set per fit.
options fit_options(const options& opt, form kind) noexcept {
    options o = opt;
    o.missing = kind == form::csr ? missing_entries::unstored : missing_entries::nan;
    return o;
}

template <class T>
status make_plan(std::size_t n, std::size_t m, std::size_t nnz, bool sparse, const options& opt,
                 const rank_options& ropt, plan& p) noexcept {
    std::uint32_t kmax = 0;
    status st = check_rank_options(ropt, kmax);
    if (st != status::ok) return st;
    if (n == 0 || m == 0) return status::empty_dimension;
    if (opt.init == init_method::custom) return status::invalid_init;
    if (sparse && opt.missing == missing_entries::nan) return status::invalid_missing;
    if (!sparse && opt.missing == missing_entries::unstored) return status::invalid_missing;
    const form kind = form_of(sparse, opt.missing);
    options o = fit_options(opt, kind);
    p = plan{};
    std::size_t at = 0;
    if (!add_mul(at, 1, sizeof(rank_state<T>))) return status::size_overflow;
    p.ranks = at;
    if (!add_mul(at, ropt.n_ranks, sizeof(std::uint32_t))) return status::size_overflow;
    p.rec = at;
    if (ropt.reps > k_size_max / 3 / ropt.n_ranks || !add_mul(at, ropt.n_ranks * ropt.reps * 3, sizeof(double)))
        return status::size_overflow;
    p.cons = at;
    if (!add_mul(at, ropt.n_ranks * 2, sizeof(double))) return status::size_overflow;
    if (ropt.reps > k_size_max / ropt.restarts / ropt.n_ranks) return status::size_overflow;
    p.fits = std::size_t(ropt.reps) * ropt.restarts * ropt.n_ranks;
    p.n_lanes = lanes_of(ropt);
    p.fit_rec = at;
    if (p.fits > k_size_max / 3 || !add_mul(at, p.fits * 3, sizeof(double))) return status::size_overflow;
    p.fit_done = at;
    if (!add_mul(at, p.fits, 1)) return status::size_overflow;
    p.lanes = at;
    if (!add_mul(at, p.n_lanes, sizeof(lane<T>))) return status::size_overflow;
    p.labels = at;
    if (ropt.consensus) {  // every fit's labels: fits end in any order, a rank's consensus waits for all
        if (p.fits > k_size_max / m || !add_mul(at, p.fits * m, sizeof(std::uint32_t))) return status::size_overflow;
        p.link = at;
        st = consensus_workspace_size(m, p.link_bytes);
        if (st != status::ok) return st;
        if (!add_mul(at, p.link_bytes, 1)) return status::size_overflow;
    }
    p.w = at;  // W, H of each lane
    if (n > k_size_max / kmax / p.n_lanes || !add_mul(at, n * kmax * p.n_lanes, sizeof(T)))
        return status::size_overflow;
    p.h = at;
    if (m > k_size_max / kmax / p.n_lanes || !add_mul(at, m * kmax * p.n_lanes, sizeof(T)))
        return status::size_overflow;
    p.xt = at;
    if (kind != form::csr) {
        if (n > k_size_max / m || !add_mul(at, n * m, sizeof(T))) return status::size_overflow;
    } else {
        p.tp = at;
        if (n == k_size_max || !add_mul(at, n + 1, sizeof(std::uint64_t))) return status::size_overflow;
        p.ti = at;
        if (!add_mul(at, nnz, sizeof(std::uint32_t))) return status::size_overflow;
        p.tv = at;
        if (!add_mul(at, nnz, sizeof(T))) return status::size_overflow;
    }
    p.sws = at;
    for (std::size_t i = 0; i < ropt.n_ranks; ++i) {
        o.rank = ropt.ranks[i];
        std::size_t b = 0;
        st = kind == form::csr ? workspace_size<T>(n, m, nnz, o, b) : workspace_size<T>(n, m, o, b);
        if (st != status::ok) return st;
        if (b > p.sbytes) p.sbytes = b;
    }
    p.sbytes = (p.sbytes + 63) / 64 * 64;  // each lane's solver workspace aligned
    if (p.sbytes > k_size_max / p.n_lanes || !add_mul(at, p.sbytes * p.n_lanes, 1)) return status::size_overflow;
    p.total = at;
    return status::ok;
}

// d_β(x | y) of one entry, y guarded below by eps where a log or a negative power meets it.
double beta_term(double x, double y, double beta, double eps) noexcept {
    if (beta == 2) return 0.5 * (x - y) * (x - y);
    if (beta < 2 && y < eps) y = eps;
    double d;
    if (beta == 1) d = x > 0 ? x * std::log(x / y) - x + y : y;
    else if (beta == 0) d = x / y - std::log(x / y) - 1;
    else if (detail::beta_near_limit(beta)) d = detail::beta_term_near(x, y, beta);
    else
        d = (std::pow(x, beta) + (beta - 1) * std::pow(y, beta) - beta * x * std::pow(y, beta - 1)) /
            (beta * (beta - 1));
    return d < 0 ? 0.0 : d;  // d_β ≥ 0: a term rounded below 0 counts as 0 (a NaN stays)
}

// (W·H)_ij·4^-q, each factor's entries taken at 2^-q (hs) so that no product leaves the range.
template <class T>
double predict(const lane<T>& l, std::size_t m, std::size_t k, std::size_t i, std::size_t j, double hs) noexcept {
    double v = 0;
    for (std::size_t c = 0; c < k; ++c) v += (double(l.W[i * k + c]) * hs) * (double(l.H[c * m + j]) * hs);
    return v;
}

constexpr std::size_t k_unstored = ~std::size_t(0);

// Calls f(i, j, x, e) for every entry the search sees, in row-major order: every (i, j) of a dense
// X, or of a CSR X whose zeros are observed (e = k_unstored for an unstored zero), the stored
// entries of a CSR X under missing = unstored (e = the entry's offset). Stops at the first status
// f returns that is not ok, and returns it.
template <class T, class F>
status for_entries(const rank_state<T>& s, F f) noexcept {
    for (std::size_t i = 0; i < s.n; ++i) {
        if (s.kind == form::dense) {
            for (std::size_t j = 0; j < s.m; ++j) {
                const status st = f(i, j, s.X[i * s.ldx + j], k_unstored);
                if (st != status::ok) return st;
            }
            continue;
        }
        std::uint64_t e = s.Xc.indptr[i];
        const std::uint64_t e1 = s.Xc.indptr[i + 1];
        for (std::size_t j = 0; j < s.m; ++j) {
            const bool stored = e < e1 && s.Xc.indices[e] == j;
            if (!stored && s.kind == form::csr) {
                if (e >= e1) break;
                j = s.Xc.indices[e] - 1;  // on to the next stored entry
                continue;
            }
            const T x = stored ? (s.Xc.values ? s.Xc.values[e] : T(1)) : T(0);
            const status st = f(i, j, x, stored ? std::size_t(e) : k_unstored);
            if (st != status::ok) return st;
            if (stored) ++e;
        }
    }
    return status::ok;
}

// Σ d_β over the hidden entries (the test entries), and their number.
template <class T>
double test_sum(const rank_state<T>& s, const lane<T>& l, std::size_t k, std::uint64_t& count) noexcept {
    double sum = 0;
    count = 0;
    const double hs = std::ldexp(1.0, -s.q), xs = hs * hs;
    (void)for_entries(s, [&](std::size_t i, std::size_t j, T x, std::size_t) noexcept {
        if (x == x && rank_hidden(s.seed, s.fraction, i, j)) {
            sum += beta_term(double(x) * xs, predict(l, s.m, k, i, j, hs), s.opt.beta, s.opt.epsilon);
            ++count;
        }
        return status::ok;
    });
    // d_β is homogeneous of degree β: Σ d_β(x | y) = 4^(qβ)·Σ d_β(4^-q·x | 4^-q·y) (+inf only
    // where the sum itself exceeds the double range).
    return s.q == 0 ? sum : detail::times_pow2(sum, 2.0 * s.q * s.opt.beta);
}

template <class T>
void fill_bad(result& r, std::size_t i, std::size_t j, std::size_t e) noexcept {
    r.bad_matrix = matrix_id::X;
    r.bad_row = i;
    r.bad_col = j;
    r.bad_entry = e;
}

// The CSR arrays' structure (the values are checked as they are copied, the copy by the solver).
template <class T>
status check_csr(const csr_view<T>& X) noexcept {
    if (X.indptr == nullptr || (X.nnz > 0 && X.indices == nullptr)) return status::null_pointer;
    if (X.indptr[0] != 0) return status::csr_bad_indptr;
    for (std::size_t i = 0; i < X.rows; ++i) {
        if (X.indptr[i + 1] < X.indptr[i]) return status::csr_bad_indptr;
        if (X.indptr[i + 1] > X.nnz) return status::csr_nnz_mismatch;
        for (std::uint64_t e = X.indptr[i]; e < X.indptr[i + 1]; ++e) {
            if (X.indices[e] >= X.cols) return status::csr_index_out_of_range;
            if (e > X.indptr[i] && X.indices[e] <= X.indices[e - 1])
                return X.indices[e] == X.indices[e - 1] ? status::csr_duplicate_index : status::csr_unsorted_indices;
        }
    }
    if (X.indptr[X.rows] != X.nnz) return status::csr_nnz_mismatch;
    return status::ok;
}

// Copies X with the hidden entries missing (NaN in a dense copy, left out of a CSR one); checks
// every value (the hidden ones never reach the solver's checks). Counts the test entries.
template <class T>
status make_training_copy(rank_state<T>& s) noexcept {
    if (s.kind != form::dense) {
        const status cs = check_csr(s.Xc);
        if (cs != status::ok) return cs;
    }
    const T qnan = std::numeric_limits<T>::quiet_NaN();
    const bool nan_missing = s.kind == form::dense && s.user_missing == missing_entries::nan;
    s.test_n = s.train_n = 0;
    double max = 0;
    std::size_t out = 0;
    if (s.kind == form::csr)
        for (std::size_t i = 0; i <= s.n; ++i) s.tp[i] = 0;
    const status st = for_entries(s, [&](std::size_t i, std::size_t j, T x, std::size_t e) noexcept {
        const bool nan = x != x;
        const status bad = nan                         ? (nan_missing ? status::ok : status::x_not_finite)
                           : !std::isfinite(double(x)) ? status::x_not_finite
                           : x < 0                     ? status::x_negative
                                                       : status::ok;
        if (bad != status::ok) {
            fill_bad<T>(s.res, i, j, e == k_unstored ? 0 : e);
            return bad;
        }
        if (!nan && double(x) > max) max = double(x);
        const bool hide = !nan && rank_hidden(s.seed, s.fraction, i, j);
        s.test_n += hide;
        s.train_n += !nan && !hide;
        if (s.kind != form::csr) s.Xt[i * s.m + j] = hide ? qnan : x;
        else if (!hide) {
            s.ti[out] = std::uint32_t(j);
            s.tv[out] = x;
            ++out;
            ++s.tp[i + 1];
        }
        return status::ok;
    });
    if (st != status::ok) return st;
    if (s.kind == form::csr)
        for (std::size_t i = 0; i < s.n; ++i) s.tp[i + 1] += s.tp[i];
    s.tnnz = out;
    s.q = detail::scale_exponent<T>(max);  // the solver's scale of this X
    return status::ok;
}

template <class T>
rank_state<T>* state_of(void* ws) noexcept {
    if (ws == nullptr || reinterpret_cast<std::uintptr_t>(ws) % workspace_alignment != 0) return nullptr;
    auto* s = static_cast<rank_state<T>*>(ws);
    if (s->magic != k_rank_magic || s->elem != sizeof(T)) return nullptr;
    return s;
}

template <class T>
status start_impl(const const_matrix_view<T>* Xd, const csr_view<T>* Xs, const options& opt, const rank_options& ropt,
                  void* workspace, std::size_t bytes, const executor* exec) noexcept {
    if (workspace == nullptr) return status::null_pointer;
    if (reinterpret_cast<std::uintptr_t>(workspace) % workspace_alignment != 0) return status::workspace_misaligned;
    const bool sparse = Xs != nullptr;
    const std::size_t n = sparse ? Xs->rows : Xd->rows, m = sparse ? Xs->cols : Xd->cols;
    if (!sparse && Xd->data == nullptr) return status::null_pointer;
    if (!sparse && Xd->stride < Xd->cols) return status::stride_too_small;
    if (!sparse && Xd->rows > 0 && Xd->cols > 0) {  // the view's extent stays inside the address space
        const std::size_t last = Xd->rows - 1;
        if (last > (k_size_max - Xd->cols) / Xd->stride) return status::size_overflow;
        const std::size_t extent = last * Xd->stride + Xd->cols;
        if (extent > k_size_max / sizeof(T) || reinterpret_cast<std::uintptr_t>(Xd->data) >
                                                   std::numeric_limits<std::uintptr_t>::max() - extent * sizeof(T))
            return status::size_overflow;
    }
    plan p;
    status st = make_plan<T>(n, m, sparse ? Xs->nnz : 0, sparse, opt, ropt, p);
    if (st != status::ok) return st;
    if (bytes < p.total) return status::workspace_too_small;
    auto* base = static_cast<unsigned char*>(workspace);
    std::memset(workspace, 0, sizeof(rank_state<T>));
    auto* s = new (workspace) rank_state<T>();
    s->elem = sizeof(T);
    s->kind = form_of(sparse, opt.missing);
    s->n = n;
    s->m = m;
    s->nnz = sparse ? Xs->nnz : 0;
    s->opt = fit_options(opt, s->kind);
    s->user_missing = opt.missing;
    s->reps = ropt.reps;
    s->restarts = ropt.restarts;
    s->fraction = ropt.test_fraction;
    s->seed = ropt.seed;
    s->consensus = ropt.consensus;
    if (sparse) s->Xc = *Xs;
    else {
        s->X = Xd->data;
        s->ldx = Xd->stride;
    }
    s->ranks = reinterpret_cast<std::uint32_t*>(base + p.ranks);
    s->n_ranks = ropt.n_ranks;
    (void)check_rank_options(ropt, s->kmax);
    for (std::size_t i = 0; i < ropt.n_ranks; ++i) s->ranks[i] = ropt.ranks[i];
    s->rec = reinterpret_cast<double*>(base + p.rec);
    s->cons = reinterpret_cast<double*>(base + p.cons);
    const double qnan = std::numeric_limits<double>::quiet_NaN();
    for (std::size_t i = 0; i < ropt.n_ranks * ropt.reps * 3; ++i) s->rec[i] = qnan;
    for (std::size_t i = 0; i < ropt.n_ranks * 2; ++i) s->cons[i] = qnan;
    s->labels = ropt.consensus ? reinterpret_cast<std::uint32_t*>(base + p.labels) : nullptr;
    s->link = ropt.consensus ? base + p.link : nullptr;
    s->link_bytes = p.link_bytes;
    s->n_lanes = p.n_lanes;
    s->lanes = reinterpret_cast<lane<T>*>(base + p.lanes);
    for (std::uint32_t l = 0; l < p.n_lanes; ++l) {
        lane<T>* ln = new (s->lanes + l) lane<T>();
        ln->W = reinterpret_cast<T*>(base + p.w) + std::size_t(l) * n * s->kmax;
        ln->H = reinterpret_cast<T*>(base + p.h) + std::size_t(l) * m * s->kmax;
        ln->sws = base + p.sws + std::size_t(l) * p.sbytes;
        ln->fit = k_idle;
        ln->running = false;
        ln->st = status::ok;
    }
    s->fit_rec = reinterpret_cast<double*>(base + p.fit_rec);
    s->fit_done = base + p.fit_done;
    std::memset(s->fit_done, 0, p.fits);
    s->next_fit = s->merged = 0;
    if (s->kind == form::csr) {
        s->tp = reinterpret_cast<std::uint64_t*>(base + p.tp);
        s->ti = reinterpret_cast<std::uint32_t*>(base + p.ti);
        s->tv = reinterpret_cast<T*>(base + p.tv);
    } else s->Xt = reinterpret_cast<T*>(base + p.xt);
    s->sbytes = p.sbytes;
    if (exec != nullptr) s->exec = *exec;
    s->has_exec = exec != nullptr;
    s->fits_total = std::uint64_t(ropt.n_ranks) * ropt.reps * ropt.restarts;
    s->failed = status::ok;
    st = make_training_copy(*s);
    if (st != status::ok) return st;  // magic not set: later calls return not_started
    s->magic = k_rank_magic;
    return status::ok;
}

// Fit f's rank index and its fit within the rank (rep·restarts + restart).
template <class T>
std::size_t rank_index_of(const rank_state<T>& s, std::uint64_t f) noexcept {
    return static_cast<std::size_t>(f / (std::uint64_t(s.reps) * s.restarts));
}
template <class T>
std::uint32_t fit_of_rank(const rank_state<T>& s, std::uint64_t f) noexcept {
    return static_cast<std::uint32_t>(f % (std::uint64_t(s.reps) * s.restarts));
}

// Starts fit l.fit on its lane. One lane: the fit runs its loops on the executor; more: each
// lane is one task of it and its fit runs on that thread alone. Either way the fit is the
// same, bit for bit (the solver's results do not depend on its threads).
template <class T>
status begin_fit(rank_state<T>& s, lane<T>& l) noexcept {
    const std::size_t k = s.ranks[rank_index_of(s, l.fit)];
    options o = s.opt;
    o.rank = k;
    o.seed = s.opt.seed + fit_of_rank(s, l.fit);
    matrix_view<T> W(l.W, s.n, k), H(l.H, k, s.m);
    solver<T> sv;
    const executor* e = s.has_exec && s.n_lanes == 1 ? &s.exec : nullptr;
    l.res = result{};
    status st;
    if (s.kind == form::csr) {
        const csr_view<T> Xt(s.tp, s.ti, s.tv, s.n, s.m, s.tnnz);
        st = sv.start(Xt, W, H, o, l.sws, s.sbytes, l.res, e);
    } else st = sv.start(const_matrix_view<T>(s.Xt, s.n, s.m), W, H, o, l.sws, s.sbytes, l.res, e);
    if (st == status::ok) l.running = true;
    return st;
}

// A lane's fit ended: its exact loss, train and test errors, objective and column labels
// into the fit's records; the lane is free again. Touches only what belongs to that fit.
template <class T>
status end_fit(rank_state<T>& s, lane<T>& l) noexcept {
    solver<T> sv(l.sws);
    status st = sv.finish(l.res);
    l.running = false;
    if (st != status::ok) return st;
    const std::size_t k = s.ranks[rank_index_of(s, l.fit)];
    std::uint64_t count = 0;
    const double tsum = test_sum(s, l, k, count);
    double* rec = s.fit_rec + l.fit * 3;
    rec[0] = l.res.observed ? 2 * l.res.loss / double(l.res.observed) : 0.0;
    rec[1] = count ? 2 * tsum / double(count) : std::numeric_limits<double>::quiet_NaN();
    rec[2] = l.res.objective;
    if (s.consensus) {
        st = column_labels<T>(const_matrix_view<T>(l.W, s.n, k), const_matrix_view<T>(l.H, k, s.m),
                              s.labels + std::size_t(l.fit) * s.m);
        if (st != status::ok) return st;
    }
    s.fit_done[l.fit] = 1;
    l.fit = k_idle;
    return status::ok;
}

// One step of a lane: its next fit started if it has none, then `iterations` iterations, and
// the fit's end if it converged or reached max_iter.
template <class T>
void step_lane(rank_state<T>& s, lane<T>& l, std::uint32_t iterations) noexcept {
    if (l.fit == k_idle) return;
    status st = l.running ? status::ok : begin_fit(s, l);
    if (st == status::ok) {
        solver<T> sv(l.sws);
        st = sv.run(iterations, l.res);
        if (st == status::ok && sv.done()) st = end_fit(s, l);
    }
    l.st = st;
}

template <class T>
struct step_task {
    rank_state<T>* s;
    std::uint32_t iterations;
};

template <class T>
void step_body(std::size_t task, void* ctx) noexcept {
    auto* c = static_cast<step_task<T>*>(ctx);
    step_lane(*c->s, c->s->lanes[task], c->iterations);
}

// The ended fits, in the order of the fits (so the outcome is the same for any number of lanes
// and any order of their ends): the best restart of each replicate, its record once the
// replicate is complete, a rank's consensus once all its fits are in.
template <class T>
status merge_fits(rank_state<T>& s) noexcept {
    const std::uint32_t per_rank = s.reps * s.restarts;
    while (s.merged < s.fits_total && s.fit_done[s.merged]) {
        const double* r = s.fit_rec + s.merged * 3;
        double* best = s.pending;
        if (s.t % s.restarts == 0 || r[2] < best[2])
            for (int f = 0; f < 3; ++f) best[f] = r[f];
        if (s.t % s.restarts == s.restarts - 1)  // the replicate is complete
            for (int f = 0; f < 3; ++f) s.rec[(s.ki * s.reps + s.t / s.restarts) * 3 + f] = best[f];
        ++s.merged;
        if (++s.t == per_rank) {
            if (s.consensus) {
                const status st = consensus_measures(s.labels + s.ki * std::size_t(per_rank) * s.m, per_rank, s.m,
                                                     s.link, s.link_bytes, s.cons[2 * s.ki], s.cons[2 * s.ki + 1]);
                if (st != status::ok) return st;
            }
            s.t = 0;
            ++s.ki;
        }
    }
    return status::ok;
}

void mean_sd(const double* rec, std::size_t reps, std::size_t field, std::uint32_t& done, double& mean,
             double& sd) noexcept {
    double s = 0, ss = 0;
    done = 0;
    for (std::size_t r = 0; r < reps; ++r) {
        const double v = rec[r * 3 + field];
        if (std::isnan(rec[r * 3 + 2])) continue;
        s += v;
        ++done;
    }
    mean = done ? s / done : std::numeric_limits<double>::quiet_NaN();
    // The deviations in units of the largest: errors near the top of the range square without overflow.
    double a = 0;
    for (std::size_t r = 0; r < reps; ++r)
        if (!std::isnan(rec[r * 3 + 2])) a = std::fmax(a, std::fabs(rec[r * 3 + field] - mean));
    if (!(a > 0) || std::isinf(a)) a = 1;
    for (std::size_t r = 0; r < reps; ++r)
        if (!std::isnan(rec[r * 3 + 2])) {
            const double d = (rec[r * 3 + field] - mean) / a;
            ss += d * d;
        }
    sd = done > 1 ? a * std::sqrt(ss / (done - 1)) : 0.0;
}

}  // namespace

bool rank_hidden(std::uint64_t seed, double fraction, std::size_t i, std::size_t j) noexcept {
    const std::uint64_t h = mix(mix(seed ^ 0x5eed5eed5eed5eedull) ^ mix(std::uint64_t(i) * 0x100000001b3ull) ^
                                (std::uint64_t(j) * 0x9e3779b97f4a7c15ull));
    return double(h >> 11) * 0x1p-53 < fraction;
}

template <class T>
status rank_workspace_size(std::size_t n, std::size_t m, const options& opt, const rank_options& ropt,
                           std::size_t& bytes) noexcept {
    plan p;
    const status st = make_plan<T>(n, m, 0, false, opt, ropt, p);
    if (st == status::ok) bytes = p.total;
    return st;
}

template <class T>
status rank_workspace_size(std::size_t n, std::size_t m, std::size_t nnz, const options& opt, const rank_options& ropt,
                           std::size_t& bytes) noexcept {
    plan p;
    const status st = make_plan<T>(n, m, nnz, true, opt, ropt, p);
    if (st == status::ok) bytes = p.total;
    return st;
}

template <class T>
status rank_search<T>::start(const_matrix_view<T> X, const options& opt, const rank_options& ropt, void* workspace,
                             std::size_t workspace_bytes, const executor* exec) noexcept {
    ws_ = workspace;
    return start_impl<T>(&X, nullptr, opt, ropt, workspace, workspace_bytes, exec);
}

template <class T>
status rank_search<T>::start(const csr_view<T>& X, const options& opt, const rank_options& ropt, void* workspace,
                             std::size_t workspace_bytes, const executor* exec) noexcept {
    ws_ = workspace;
    return start_impl<T>(nullptr, &X, opt, ropt, workspace, workspace_bytes, exec);
}

template <class T>
status rank_search<T>::run(std::uint32_t iterations, rank_progress& p) noexcept {
    rank_state<T>* s = state_of<T>(ws_);
    if (s == nullptr) return status::not_started;
    status st = s->failed;
    if (st == status::ok && s->merged < s->fits_total) {
        std::uint32_t active = 0;  // lanes with a fit: the first `active` (a lane frees only when its fit ends)
        for (std::uint32_t l = 0; l < s->n_lanes; ++l) {
            lane<T>& ln = s->lanes[l];
            if (ln.fit == k_idle && s->next_fit < s->fits_total) ln.fit = s->next_fit++;
            if (ln.fit != k_idle) active = l + 1;
        }
        step_task<T> task{s, iterations};
        if (active > 1 && s->has_exec) s->exec.parallel_for(s->exec.self, active, &step_body<T>, &task);
        else
            for (std::uint32_t l = 0; l < active; ++l) step_body<T>(l, &task);
        // the first failure, in the order of the fits
        std::uint64_t bad = k_idle;
        for (std::uint32_t l = 0; l < active; ++l) {
            const lane<T>& ln = s->lanes[l];
            if (ln.st != status::ok && ln.fit < bad) bad = ln.fit, st = ln.st;
        }
        if (st == status::ok) st = merge_fits(*s);
        s->failed = st;
        s->fits_done = s->merged;  // merged, and ended but waiting for an earlier fit
        for (std::uint64_t f = s->merged; f < s->next_fit; ++f) s->fits_done += s->fit_done[f];
    }
    // progress: the earliest fit still running (else where the merge stands)
    const lane<T>* cur = nullptr;
    for (std::uint32_t l = 0; l < s->n_lanes; ++l)
        if (s->lanes[l].fit != k_idle && (cur == nullptr || s->lanes[l].fit < cur->fit)) cur = &s->lanes[l];
    const std::uint64_t f = cur ? cur->fit : s->merged;
    p.rank_index = f < s->fits_total ? rank_index_of(*s, f) : s->n_ranks;
    p.rank = f < s->fits_total ? s->ranks[p.rank_index] : 0;
    p.rep = f < s->fits_total ? fit_of_rank(*s, f) / s->restarts : 0;
    p.restart = f < s->fits_total ? fit_of_rank(*s, f) % s->restarts : 0;
    p.iteration = cur && cur->running ? cur->res.iterations : 0;
    p.max_iter = s->opt.max_iter;
    p.fits_done = s->fits_done;
    p.fits_total = s->fits_total;
    p.relative_error = cur ? cur->res.relative_error : 0.0;
    return st;
}

template <class T>
bool rank_search<T>::done() const noexcept {
    const rank_state<T>* s = state_of<T>(ws_);
    return s == nullptr || s->merged >= s->fits_total || s->failed != status::ok;
}

template <class T>
std::size_t rank_search<T>::n_ranks() const noexcept {
    const rank_state<T>* s = state_of<T>(ws_);
    return s ? s->n_ranks : 0;
}

template <class T>
status rank_search<T>::score(std::size_t index, rank_score& out) const noexcept {
    const rank_state<T>* s = state_of<T>(ws_);
    if (s == nullptr) return status::not_started;
    if (index >= s->n_ranks) return status::invalid_rank_options;
    const double* rec = s->rec + index * s->reps * 3;
    out.rank = s->ranks[index];
    mean_sd(rec, s->reps, 0, out.reps_done, out.train, out.train_sd);
    mean_sd(rec, s->reps, 1, out.reps_done, out.test, out.test_sd);
    out.cophenetic = s->cons[2 * index];
    out.dispersion = s->cons[2 * index + 1];
    return status::ok;
}

template <class T>
std::uint32_t rank_search<T>::suggested_rank() const noexcept {
    const rank_state<T>* s = state_of<T>(ws_);
    if (s == nullptr) return 0;
    std::uint32_t best = 0;
    double best_test = 0;
    for (std::size_t i = 0; i < s->n_ranks; ++i) {
        rank_score r;
        (void)score(i, r);
        if (r.reps_done != s->reps || std::isnan(r.test)) continue;
        if (best == 0 || r.test < best_test || (r.test == best_test && r.rank < best))
            best = r.rank, best_test = r.test;
    }
    return best;
}

template <class T>
std::uint32_t rank_search<T>::suggested_rank_1se() const noexcept {
    const rank_state<T>* s = state_of<T>(ws_);
    const std::uint32_t best = suggested_rank();
    if (best == 0) return 0;
    double limit = 0;
    for (std::size_t i = 0; i < s->n_ranks; ++i) {
        rank_score r;
        (void)score(i, r);
        if (r.rank == best && r.reps_done == s->reps) limit = r.test + r.test_sd / std::sqrt(double(s->reps));
    }
    std::uint32_t pick = best;
    for (std::size_t i = 0; i < s->n_ranks; ++i) {
        rank_score r;
        (void)score(i, r);
        if (r.reps_done == s->reps && !std::isnan(r.test) && r.test <= limit && r.rank < pick) pick = r.rank;
    }
    return pick;
}

template <class T>
std::uint64_t rank_search<T>::test_entries() const noexcept {
    const rank_state<T>* s = state_of<T>(ws_);
    return s ? s->test_n : 0;
}

template <class T>
std::uint64_t rank_search<T>::train_entries() const noexcept {
    const rank_state<T>* s = state_of<T>(ws_);
    return s ? s->train_n : 0;
}

namespace {
template <class T, class XV>
status select_impl(const XV& X, const options& opt, const rank_options& ropt, void* workspace, std::size_t bytes,
                   rank_score* scores, std::uint32_t* suggested, std::uint32_t* suggested_1se, rank_callback cb,
                   void* user, const executor* exec) noexcept {
    if (scores == nullptr) return status::null_pointer;
    rank_search<T> rs;
    status st = rs.start(X, opt, ropt, workspace, bytes, exec);
    if (st != status::ok) return st;
    const std::uint32_t slice = opt.check_every ? opt.check_every : 10;
    while (st == status::ok && !rs.done()) {
        rank_progress p;
        st = rs.run(slice, p);
        if (st == status::ok && cb != nullptr && !cb(p, user)) st = status::cancelled;
    }
    for (std::size_t i = 0; i < ropt.n_ranks; ++i) (void)rs.score(i, scores[i]);
    if (suggested) *suggested = rs.suggested_rank();
    if (suggested_1se) *suggested_1se = rs.suggested_rank_1se();
    return st;
}
}  // namespace

// The two public overloads (dense and CSR X) forward to select_impl.
#define NMFKIT_SELECT_RANK(XV)                                                                                      \
    template <class T>                                                                                              \
    status select_rank(XV X, const options& opt, const rank_options& ropt, void* workspace,                         \
                       std::size_t workspace_bytes, rank_score* scores, std::uint32_t* suggested,                   \
                       std::uint32_t* suggested_1se, rank_callback callback, void* user_data,                       \
                       const executor* exec) noexcept {                                                             \
        return select_impl<T>(X, opt, ropt, workspace, workspace_bytes, scores, suggested, suggested_1se, callback, \
                              user_data, exec);                                                                     \
    }
NMFKIT_SELECT_RANK(const_matrix_view<T>)
NMFKIT_SELECT_RANK(const csr_view<T>&)
#undef NMFKIT_SELECT_RANK

// ---- restarts -------------------------------------------------------------------------
template <class T>
status restarts_workspace_size(std::size_t n, std::size_t m, const options& opt, std::size_t& bytes) noexcept {
    std::size_t b = 0;
    const status st = workspace_size<T>(n, m, opt, b);
    if (st != status::ok) return st;
    std::size_t at = 0;
    if (!add_mul(at, b, 1) || !add_mul(at, n, opt.rank * sizeof(T)) || !add_mul(at, m, opt.rank * sizeof(T)))
        return status::size_overflow;
    bytes = at;
    return status::ok;
}

template <class T>
status fit_restarts(const_matrix_view<T> X, matrix_view<T> W, matrix_view<T> H, const options& opt,
                    std::uint32_t n_restarts, void* workspace, std::size_t workspace_bytes, result& out,
                    std::uint32_t* best, const executor* exec) noexcept {
    if (n_restarts == 0) return status::invalid_rank_options;
    if (opt.init == init_method::custom) return status::invalid_init;
    std::size_t need = 0, b = 0;
    status st = restarts_workspace_size<T>(X.rows, X.cols, opt, need);
    if (st != status::ok) return st;
    if (workspace == nullptr || W.data == nullptr || H.data == nullptr) return status::null_pointer;
    if (workspace_bytes < need) return status::workspace_too_small;
    (void)workspace_size<T>(X.rows, X.cols, opt, b);
    b = (b + 63) / 64 * 64;
    if (W.rows != X.rows || W.cols != opt.rank || H.rows != opt.rank || H.cols != X.cols) return status::shape_mismatch;
    auto* base = static_cast<unsigned char*>(workspace);
    T* w2 = reinterpret_cast<T*>(base + b);
    T* h2 = reinterpret_cast<T*>(base + b + (X.rows * opt.rank * sizeof(T) + 63) / 64 * 64);
    const std::size_t r = opt.rank;
    double best_obj = 0;
    for (std::uint32_t t = 0; t < n_restarts; ++t) {
        options o = opt;
        o.seed = opt.seed + t;
        result res;
        st = fit<T>(X, matrix_view<T>(w2, X.rows, r), matrix_view<T>(h2, r, X.cols), o, workspace, b, res, nullptr,
                    nullptr, exec);
        if (st != status::ok) {
            out = res;
            return st;
        }
        if (t == 0 || res.objective < best_obj) {
            best_obj = res.objective;
            out = res;
            if (best) *best = t;
            for (std::size_t i = 0; i < X.rows; ++i)
                for (std::size_t c = 0; c < r; ++c) W(i, c) = w2[i * r + c];
            for (std::size_t c = 0; c < r; ++c)
                for (std::size_t j = 0; j < X.cols; ++j) H(c, j) = h2[c * X.cols + j];
        }
    }
    return status::ok;
}

template class rank_search<float>;
template class rank_search<double>;
#define NMFKIT_RANK(T)                                                                                                 \
    template status rank_workspace_size<T>(std::size_t, std::size_t, const options&, const rank_options&,              \
                                           std::size_t&) noexcept;                                                     \
    template status rank_workspace_size<T>(std::size_t, std::size_t, std::size_t, const options&, const rank_options&, \
                                           std::size_t&) noexcept;                                                     \
    template status select_rank<T>(const_matrix_view<T>, const options&, const rank_options&, void*, std::size_t,      \
                                   rank_score*, std::uint32_t*, std::uint32_t*, rank_callback, void*,                  \
                                   const executor*) noexcept;                                                          \
    template status select_rank<T>(const csr_view<T>&, const options&, const rank_options&, void*, std::size_t,        \
                                   rank_score*, std::uint32_t*, std::uint32_t*, rank_callback, void*,                  \
                                   const executor*) noexcept;                                                          \
    template status restarts_workspace_size<T>(std::size_t, std::size_t, const options&, std::size_t&) noexcept;       \
    template status fit_restarts<T>(const_matrix_view<T>, matrix_view<T>, matrix_view<T>, const options&,              \
                                    std::uint32_t, void*, std::size_t, result&, std::uint32_t*,                        \
                                    const executor*) noexcept;
NMFKIT_RANK(float)
NMFKIT_RANK(double)
#undef NMFKIT_RANK

}  // namespace nmfkit
