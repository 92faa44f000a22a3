// Every C entry point in float32 and float64, driven by the fuzzer's bytes: sizes, strides
// (packed, padded, too small, huge with one row), workspaces (exact, short, misaligned, null),
// every option field (valid, invalid and raw values), dense and CSR X (including broken CSR
// arrays), progress callbacks that cancel. Checked: every status is one abi.def documents, and
// an ok result is finite and >= 0 (factors, loss, relative error, objective).
#include <cmath>
#include <cstring>
#include <limits>
#include <memory>
#include <type_traits>
#include <string>
#include <vector>

#include "fuzz_util.hpp"
#include "nmfkit/nmfkit.h"

namespace {

// An ok fit with a NaN or infinite factor or relative error is a finding (not_finite_result is
// the status of one that overflows). The loss and objective of an ok fit are finite unless their
// value exceeds the double range (f64 X beyond ~1e154): then +inf, with a finite relative error.
constexpr bool k_ok_means_finite = true;

bool documented(nmfkit_status s) { return s >= 0 && std::string(nmfkit_status_name(s)) != "unknown"; }

template <class T>
bool finite_nonneg(const std::vector<T>& a, std::size_t rows, std::size_t cols, std::size_t ld) {
    for (std::size_t i = 0; i < rows; ++i)
        for (std::size_t j = 0; j < cols; ++j) {
            const T v = a[i * ld + j];
            if (v < 0 || (k_ok_means_finite && !(v >= 0 && std::isfinite(v)))) return false;
        }
    return true;
}

bool ok_number(double v) { return !(v < 0) && (!k_ok_means_finite || std::isfinite(v)); }

void check_result(const nmfkit_result& r) {
    if (std::getenv("NMFKIT_FUZZ_VERBOSE"))
        std::fprintf(stderr, "result loss %g rel %g obj %g\n", r.loss, r.relative_error, r.objective);
    FUZZ_CHECK(ok_number(r.relative_error));
    const bool rel_finite = std::isfinite(r.relative_error);
    FUZZ_CHECK(ok_number(r.loss) || (rel_finite && r.loss == HUGE_VAL));
    FUZZ_CHECK(ok_number(r.objective) || (rel_finite && r.objective == HUGE_VAL));
}

template <class T>
T value(fuzz::bytes& in) {
    const std::uint8_t c = in.u8();
    static const double table[] = {0,      1,    0.5, 2, 3.25, 1e-3, 1e3, 1e-30, 1e-300, 7,    0.125, -1.0,   -0.0,
                                   1e-310, 0.75, 1.5, 4, 0.01, 100,  9.5, 1e5,   1e-7,   3e38, 1e200, 1e-200, 1e-40};
    constexpr std::size_t nt = sizeof(table) / sizeof(table[0]);
    double v;
    if (c < 200) v = table[c % nt];
    else if (c < 220) v = c % 2 ? std::nan("") : HUGE_VAL;
    else v = in.f64();
    return static_cast<T>(v);
}

double pick(fuzz::bytes& in, std::initializer_list<double> choices) {
    const std::size_t k = in.below(choices.size() + 1);
    if (k == choices.size()) return in.f64();  // a raw double now and then
    return *(choices.begin() + k);
}

void read_options(fuzz::bytes& in, nmfkit_options& o) {
    nmfkit_options_default(&o);
    const std::uint8_t which = in.u8();  // which fields this input sets
    o.rank = in.below(6);
    o.max_iter = in.below(24);
    if (which & 1) o.check_every = in.below(5);
    if (which & 2) o.tol = pick(in, {0, 1e-4, 0.5, -1, std::nan("")});
    if (which & 4) o.epsilon = pick(in, {1e-3, 0, -1, 1e-300, std::nan(""), HUGE_VAL, 1e-12});
    o.seed = in.u64();
    o.init = static_cast<std::int32_t>(in.below(8)) - 1;
    if (which & 8) o.kernel = static_cast<std::int32_t>(in.below(4)) - 1;
    o.beta = pick(in, {2, 1, 0, 0.5, 1.5, 3, -1, 1 + 1e-12, 1e-12, 1e-300, 5e-324, std::nan(""), -0.5});
    if (which & 16) {
        o.alpha_w = pick(in, {0, 0.1, 1, -1, std::nan(""), HUGE_VAL, 1e300});
        o.alpha_h = pick(in, {0, 0.1, 1, -1, std::nan(""), HUGE_VAL, 1e300});
        o.l1_ratio = pick(in, {0, 0.5, 1, -0.1, 1.1, std::nan("")});
    }
    if (which & 32) o.solver = static_cast<std::int32_t>(in.below(6)) - 1;  // -1 and 4: invalid
    if (which & 64) o.missing = static_cast<std::int32_t>(in.below(5)) - 1;
}

// A matrix the call reads or writes: rows×cols at stride ld (0 = packed, as the C API takes it).
template <class T>
struct mat {
    std::size_t rows, cols, ld, eff;  // eff: the stride in the buffer
    std::vector<T> v;
    mat(fuzz::bytes& in, std::size_t r, std::size_t c, bool fill) : rows(r), cols(c) {
        const std::uint8_t s = in.below(16);
        if (s < 8) ld = c + s % 3;
        else if (s < 12) ld = 0;
        else if (s < 14 && c > 0) ld = c - 1;                             // too small
        else ld = r == 1 ? (std::size_t(1) << 61) + in.below(3) : c + 1;  // huge, valid with one row
        eff = ld == 0 ? c : ld;
        const std::size_t n = r == 0 ? 1 : (ld < c ? r * c + 1 : (r - 1) * eff + c + 1);
        v.assign(r == 1 && ld > (1u << 20) ? c + 1 : n, T(0));
        if (fill)
            for (std::size_t i = 0; i < r; ++i)
                for (std::size_t j = 0; j < c && i * eff + j < v.size(); ++j) v[i * eff + j] = value<T>(in);
    }
    bool valid_stride() const { return ld == 0 || ld >= cols; }
    bool ok_out() const { return !valid_stride() || finite_nonneg(v, rows, cols, eff); }
};

struct callback_state {
    std::uint32_t cancel_at;
};

int progress(std::uint32_t iteration, std::uint32_t, double loss, double rel, void* user) {
    FUZZ_CHECK(!(loss < 0) && !(rel < 0));
    return iteration < static_cast<callback_state*>(user)->cancel_at;
}

// Owned workspace with the variants a caller can get wrong (never claiming bytes it lacks).
struct workspace {
    std::vector<unsigned char> raw;
    void* ptr = nullptr;
    std::size_t bytes = 0;
    workspace(fuzz::bytes& in, std::size_t need) {
        const std::uint8_t k = in.below(8);
        if (need > (std::size_t(64) << 20)) need = 0;  // the fuzzer's memory; the call then says why
        raw.assign(need + 128, 0xa5);
        auto base = reinterpret_cast<std::uintptr_t>(raw.data());
        unsigned char* aligned = raw.data() + ((64 - base % 64) % 64);
        ptr = aligned;
        bytes = need;
        if (k == 5 && need > 0) bytes = need - 1 - in.below(static_cast<std::size_t>(need));
        if (k == 6) ptr = aligned + 8;
        if (k == 7) ptr = nullptr;
    }
};

template <class T>
struct api;

#define NMFKIT_FUZZ_API(T, S)                                                        \
    template <>                                                                      \
    struct api<T> {                                                                  \
        static constexpr auto workspace_size = nmfkit_workspace_size_##S;            \
        static constexpr auto fit = nmfkit_fit_##S;                                  \
        static constexpr auto start = nmfkit_solver_start_##S;                       \
        static constexpr auto run = nmfkit_solver_run_##S;                           \
        static constexpr auto finish = nmfkit_solver_finish_##S;                     \
        static constexpr auto kernel_name = nmfkit_kernel_name_##S;                  \
        static constexpr auto random_init = nmfkit_random_init_##S;                  \
        static constexpr auto loss = nmfkit_loss_##S;                                \
        static constexpr auto transform = nmfkit_transform_##S;                      \
        static constexpr auto transform_cols = nmfkit_transform_columns_##S;         \
        static constexpr auto inverse = nmfkit_inverse_transform_##S;                \
        static constexpr auto beta_div = nmfkit_beta_divergence_##S;                 \
        static constexpr auto ws_csr = nmfkit_workspace_size_csr_##S;                \
        static constexpr auto fit_csr = nmfkit_fit_csr_##S;                          \
        static constexpr auto start_csr = nmfkit_solver_start_csr_##S;               \
        static constexpr auto transform_csr = nmfkit_transform_csr_##S;              \
        static constexpr auto transform_cols_csr = nmfkit_transform_columns_csr_##S; \
        static constexpr auto beta_div_csr = nmfkit_beta_divergence_csr_##S;         \
        static constexpr auto rank_ws = nmfkit_rank_workspace_size_##S;              \
        static constexpr auto rank_ws_csr = nmfkit_rank_workspace_size_csr_##S;      \
        static constexpr auto rank_start = nmfkit_rank_start_##S;                    \
        static constexpr auto rank_start_csr = nmfkit_rank_start_csr_##S;            \
        static constexpr auto rank_run = nmfkit_rank_run_##S;                        \
        static constexpr auto rank_scores = nmfkit_rank_scores_##S;                  \
        static constexpr auto rank_suggested = nmfkit_rank_suggested_##S;            \
    };
NMFKIT_FUZZ_API(float, f32)
NMFKIT_FUZZ_API(double, f64)
#undef NMFKIT_FUZZ_API

// CSR arrays from a dense X and a mask, then possibly broken in one place.
template <class T>
struct csr {
    std::vector<std::uint64_t> indptr;
    std::vector<std::uint32_t> indices;
    std::vector<T> values;
    bool pattern = false;
    csr(fuzz::bytes& in, const mat<T>& X) {
        const std::uint8_t density = in.u8();
        indptr.push_back(0);
        for (std::size_t i = 0; i < X.rows; ++i) {
            for (std::size_t j = 0; j < X.cols; ++j)
                if ((in.u8() & 0xff) < density && i * X.eff + j < X.v.size()) {
                    indices.push_back(static_cast<std::uint32_t>(j));
                    values.push_back(X.v[i * X.eff + j]);
                }
            indptr.push_back(indices.size());
        }
        pattern = in.below(6) == 0;
        switch (in.below(10)) {
            case 0: indptr[in.below(indptr.size())] = in.u64() % (indices.size() + 3); break;
            case 1:
                if (!indices.empty()) indices[in.below(indices.size())] = in.u32() % (X.cols + 2);
                break;
            case 2:
                if (indices.size() > 1) std::swap(indices[0], indices[1]);
                break;
            default: break;
        }
    }
    std::size_t nnz() const { return indices.size(); }
    const T* vals() const { return pattern ? nullptr : values.data(); }
};

template <class T>
void run(fuzz::bytes& in) {
    using A = api<T>;
    nmfkit_options o;
    const std::uint8_t entry = in.below(16);
    const std::size_t n = 1 + in.below(9), m = 1 + in.below(9);
    read_options(in, o);
    const std::size_t r = static_cast<std::size_t>(o.rank);
    mat<T> X(in, n, m, true), W(in, n, r, true), H(in, r, m, true);
    callback_state cb{static_cast<std::uint32_t>(in.below(30))};
    const nmfkit_progress_fn fn = in.below(3) == 0 ? progress : nullptr;
    nmfkit_result res;
    std::memset(&res, 0, sizeof res);
    if (std::getenv("NMFKIT_FUZZ_VERBOSE")) {  // what an input does, to reproduce a finding elsewhere
        std::fprintf(stderr,
                     "entry %d T %zu n %zu m %zu rank %zu max_iter %u check_every %u tol %g eps %g init %d kernel %d "
                     "beta %.17g alpha %g %g l1 %g solver %d missing %d ld %zu %zu %zu\n",
                     entry, sizeof(T), n, m, r, o.max_iter, o.check_every, o.tol, o.epsilon, o.init, o.kernel, o.beta,
                     o.alpha_w, o.alpha_h, o.l1_ratio, o.solver, o.missing, X.ld, W.ld, H.ld);
        for (const mat<T>* a : {&X, &W, &H}) {
            for (std::size_t q = 0; q < a->v.size() && q < 200; ++q) std::fprintf(stderr, "%.9g ", double(a->v[q]));
            std::fprintf(stderr, "\n");
        }
    }
    nmfkit_status s = 0;
    std::size_t need = 0;
    auto workspace_for = [&](bool sparse, std::size_t nnz) {
        const nmfkit_status ws = sparse ? A::ws_csr(n, m, nnz, &o, &need) : A::workspace_size(n, m, &o, &need);
        FUZZ_CHECK(documented(ws));
        if (ws != 0) need = 0;
        return workspace(in, need);
    };
    switch (entry) {
        case 0: {
            workspace w = workspace_for(false, 0);
            s = A::fit(X.v.data(), n, m, X.ld, W.v.data(), W.ld, H.v.data(), H.ld, &o, w.ptr, w.bytes, &res, fn, &cb);
            if (s == 0) FUZZ_CHECK(W.ok_out() && H.ok_out());
            break;
        }
        case 1: {
            workspace w = workspace_for(false, 0);
            s = A::transform(X.v.data(), n, m, X.ld, H.v.data(), H.ld, W.v.data(), W.ld, &o, w.ptr, w.bytes, &res, fn,
                             &cb);
            if (s == 0) FUZZ_CHECK(W.ok_out());
            break;
        }
        case 2: {
            workspace w = workspace_for(false, 0);
            s = A::transform_cols(X.v.data(), n, m, X.ld, W.v.data(), W.ld, H.v.data(), H.ld, &o, w.ptr, w.bytes, &res,
                                  fn, &cb);
            if (s == 0) FUZZ_CHECK(H.ok_out());
            break;
        }
        case 3:
        case 11: {
            std::unique_ptr<csr<T>> c;
            if (entry == 11) c.reset(new csr<T>(in, X));
            workspace w = workspace_for(entry == 11, c ? c->nnz() : 0);
            s = c ? A::start_csr(n, m, c->nnz(), c->indptr.data(), c->indices.data(), c->vals(), W.v.data(), W.ld,
                                 H.v.data(), H.ld, &o, w.ptr, w.bytes, &res)
                  : A::start(X.v.data(), n, m, X.ld, W.v.data(), W.ld, H.v.data(), H.ld, &o, w.ptr, w.bytes, &res);
            FUZZ_CHECK(documented(s));
            if (s != 0) {
                FUZZ_CHECK(w.ptr == nullptr || A::run(w.ptr, 1, &res) == 18);  // a failed start is no solver
                break;
            }
            (void)A::kernel_name(w.ptr);
            for (int slice = 0; slice < 8 && !res.done; ++slice) {
                s = A::run(w.ptr, static_cast<std::uint32_t>(in.below(6)), &res);
                FUZZ_CHECK(documented(s));
                if (s != 0) break;
                check_result(res);
            }
            if (s == 0) s = A::finish(w.ptr, &res);
            if (s == 0) FUZZ_CHECK(W.ok_out() && H.ok_out());
            // A handle one byte off, or another type's: refused, never read.
            FUZZ_CHECK(A::run(static_cast<unsigned char*>(w.ptr) + 1 + in.below(63), 1, &res) == 18);
            using other = typename std::conditional<sizeof(T) == 4, double, float>::type;
            FUZZ_CHECK(api<other>::run(w.ptr, 1, &res) == 18);
            break;
        }
        case 4:
            s = A::random_init(X.v.data(), n, m, X.ld, W.v.data(), W.ld, H.v.data(), H.ld, r, o.seed, &res);
            if (s == 0) FUZZ_CHECK(W.ok_out() && H.ok_out());
            break;
        case 5:
        case 6: {
            double loss = -1;
            s = entry == 5 ? A::loss(X.v.data(), n, m, X.ld, W.v.data(), W.ld, H.v.data(), H.ld, r, &loss)
                           : A::beta_div(X.v.data(), n, m, X.ld, W.v.data(), W.ld, H.v.data(), H.ld, r, o.beta, &loss);
            if (s == 0) FUZZ_CHECK(loss >= 0 && std::isfinite(loss));
            FUZZ_CHECK(documented(s));
            return;
        }
        case 7: {
            mat<T> out(in, n, m, false);
            s = A::inverse(W.v.data(), W.ld, H.v.data(), H.ld, n, r, m, out.v.data(), out.ld);
            if (s == 0 && W.ok_out() && H.ok_out()) FUZZ_CHECK(out.ok_out());
            FUZZ_CHECK(documented(s));
            return;
        }
        case 8:
        case 9:
        case 10:
        case 12: {
            csr<T> c(in, X);
            if (entry == 12) {
                double loss = -1;
                s = A::beta_div_csr(n, m, c.nnz(), c.indptr.data(), c.indices.data(), c.vals(), W.v.data(), W.ld,
                                    H.v.data(), H.ld, r, o.beta, o.missing, &loss);
                if (s == 0) FUZZ_CHECK(loss >= 0 && std::isfinite(loss));
                FUZZ_CHECK(documented(s));
                return;
            }
            workspace w = workspace_for(true, c.nnz());
            if (entry == 8) {
                s = A::fit_csr(n, m, c.nnz(), c.indptr.data(), c.indices.data(), c.vals(), W.v.data(), W.ld, H.v.data(),
                               H.ld, &o, w.ptr, w.bytes, &res, fn, &cb);
                if (s == 0) FUZZ_CHECK(W.ok_out() && H.ok_out());
            } else if (entry == 9) {
                s = A::transform_csr(n, m, c.nnz(), c.indptr.data(), c.indices.data(), c.vals(), H.v.data(), H.ld,
                                     W.v.data(), W.ld, &o, w.ptr, w.bytes, &res, fn, &cb);
                if (s == 0) FUZZ_CHECK(W.ok_out());
            } else {
                s = A::transform_cols_csr(n, m, c.nnz(), c.indptr.data(), c.indices.data(), c.vals(), W.v.data(), W.ld,
                                          H.v.data(), H.ld, &o, w.ptr, w.bytes, &res, fn, &cb);
                if (s == 0) FUZZ_CHECK(H.ok_out());
            }
            break;
        }
        case 13: {  // sizes near the address space: never a wrapped size
            const std::size_t big_n = in.u64() >> in.below(64), big_m = in.u64() >> in.below(64);
            s = A::workspace_size(big_n, big_m, &o, &need);
            FUZZ_CHECK(documented(s));
            s = A::ws_csr(big_n, big_m, in.u64() >> in.below(64), &o, &need);
            FUZZ_CHECK(documented(s));
            return;
        }
        case 15: {  // rank selection: ranks, reps, restarts and the hidden share from the input
            std::uint32_t ranks[3];
            const std::size_t n_ranks = in.below(4);  // 0: invalid_rank_options
            for (std::size_t q = 0; q < n_ranks; ++q) ranks[q] = static_cast<std::uint32_t>(in.below(5));
            const std::uint32_t reps = in.below(3), restarts = in.below(3);
            const double fraction = in.below(8) == 0 ? in.f64() : 0.05 + 0.05 * in.below(8);
            const std::uint32_t flags = in.below(2) | NMFKIT_RANK_PARALLEL_FITS(in.below(5));  // 0..4 fits at once
            o.max_iter = in.below(30);
            std::unique_ptr<csr<T>> c;
            if (in.below(2)) c.reset(new csr<T>(in, X));
            const nmfkit_status ws = c ? A::rank_ws_csr(n, m, c->nnz(), &o, ranks, n_ranks, reps, restarts, fraction,
                                                        flags, &need)
                                       : A::rank_ws(n, m, &o, ranks, n_ranks, reps, restarts, fraction, flags, &need);
            FUZZ_CHECK(documented(ws));
            if (ws != 0) need = 0;
            workspace w(in, need);
            s = c ? A::rank_start_csr(n, m, c->nnz(), c->indptr.data(), c->indices.data(), c->vals(), &o, ranks,
                                      n_ranks, reps, restarts, fraction, in.u64(), flags, w.ptr, w.bytes, nullptr)
                  : A::rank_start(X.v.data(), n, m, X.ld, &o, ranks, n_ranks, reps, restarts, fraction, in.u64(), flags,
                                  w.ptr, w.bytes, nullptr);
            FUZZ_CHECK(documented(s));
            if (s != 0) {
                FUZZ_CHECK(w.ptr == nullptr || A::rank_run(w.ptr, 1, nullptr) == 18);  // a failed start is no search
                return;
            }
            double progress[NMFKIT_RANK_PROGRESS_FIELDS];
            for (int slice = 0; slice < 64 && s == 0; ++slice) {
                s = A::rank_run(w.ptr, 1 + static_cast<std::uint32_t>(in.below(12)), progress);
                FUZZ_CHECK(documented(s));
                FUZZ_CHECK(progress[6] <= progress[7]);
                if (progress[6] == progress[7]) break;
            }
            std::vector<double> scores(NMFKIT_RANK_SCORE_FIELDS * n_ranks);
            FUZZ_CHECK(A::rank_scores(w.ptr, scores.data(), n_ranks) == 0);
            for (std::size_t q = 0; q < n_ranks; ++q) {
                const double* sc = &scores[q * NMFKIT_RANK_SCORE_FIELDS];
                FUZZ_CHECK(sc[0] == ranks[q] && sc[1] <= reps);
                FUZZ_CHECK(!(sc[2] < 0) && !(sc[4] < 0) && !(sc[3] < 0) && !(sc[5] < 0));  // errors, sds: >= 0 or NaN
                FUZZ_CHECK(!(sc[6] < -1 || sc[6] > 1) && !(sc[7] < 0 || sc[7] > 1));       // cophenetic, dispersion
            }
            std::uint32_t best = 0, best1 = 0;
            FUZZ_CHECK(A::rank_suggested(w.ptr, &best, &best1, nullptr) == 0);
            FUZZ_CHECK(best1 <= best || best == 0);
            using other = typename std::conditional<sizeof(T) == 4, double, float>::type;
            FUZZ_CHECK(api<other>::rank_run(w.ptr, 1, nullptr) == 18);  // another type's search: refused
            FUZZ_CHECK(A::rank_run(static_cast<unsigned char*>(w.ptr) + 1 + in.below(63), 1, nullptr) == 18);
            return;
        }
        default: {  // a foreign buffer as the solver handle
            alignas(64) unsigned char junk[512];
            for (unsigned char& b : junk) b = in.u8();
            std::memset(junk, 0, 4);  // a forged marker is the caller's lie, not a finding
            const std::size_t off = in.below(64);
            s = A::run(junk + off, 3, &res);
            FUZZ_CHECK(s == 18);
            FUZZ_CHECK(A::finish(junk + off, &res) == 18);
            FUZZ_CHECK(std::string(A::kernel_name(junk + off)).empty());
            return;
        }
    }
    FUZZ_CHECK(documented(s));
    if (s == 0) check_result(res);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    fuzz::bytes in{data, size};
    if (in.u8() & 1) run<double>(in);
    else run<float>(in);
    return 0;
}
