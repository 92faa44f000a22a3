// The C API: thin forwarding to the C++ templates, same status values.
#include "nmfkit/nmfkit.h"

#include "nmfkit/nmfkit.hpp"

#include <cstddef>
#include <type_traits>

namespace {

using nmfkit::status;

// The layout abi.def states is the one compiled: every size and offset, and C and C++ agree.
#define NMFKIT_STRUCT(name, bytes) static_assert(sizeof(nmfkit_##name) == bytes, "abi.def: sizeof(nmfkit_" #name ")");
#define NMFKIT_OPTION(name, ctype, offset, doc) \
    static_assert(offsetof(nmfkit_options, name) == offset, "abi.def: offset of nmfkit_options." #name);
#define NMFKIT_OPTION_RESERVED NMFKIT_OPTION
#define NMFKIT_RESULT(name, ctype, offset, doc) \
    static_assert(offsetof(nmfkit_result, name) == offset, "abi.def: offset of nmfkit_result." #name);
#define NMFKIT_STATUS(value, name, NAME, message) \
    static_assert(static_cast<int>(status::name) == NMFKIT_##NAME, "pinned status values");
#define NMFKIT_INIT(value, id, ID, spelling) \
    static_assert(static_cast<int>(nmfkit::init_method::id) == NMFKIT_INIT_##ID, "init values");
#define NMFKIT_SOLVER(value, id, ID, spelling) \
    static_assert(static_cast<int>(nmfkit::algorithm::id) == NMFKIT_SOLVER_##ID, "solver values");
#define NMFKIT_KERNEL(value, id, ID, spelling) \
    static_assert(static_cast<int>(nmfkit::kernel_choice::id) == NMFKIT_KERNEL_##ID, "kernel values");
#define NMFKIT_MATRIX(value, id, ID, spelling) \
    static_assert(static_cast<int>(nmfkit::matrix_id::id) == NMFKIT_MATRIX_##ID, "matrix values");
#define NMFKIT_MISSING(value, id, ID, spelling) \
    static_assert(static_cast<int>(nmfkit::missing_entries::id) == NMFKIT_MISSING_##ID, "missing values");
#include "nmfkit/abi.def"
static_assert(nmfkit::workspace_alignment == NMFKIT_WORKSPACE_ALIGNMENT, "workspace alignment");
// The C executor is the C++ one, field for field (the C functions pass it on as is).
static_assert(sizeof(nmfkit_executor) == sizeof(nmfkit::executor) &&
                  alignof(nmfkit_executor) == alignof(nmfkit::executor),
              "nmfkit_executor's layout");
static_assert(offsetof(nmfkit_executor, parallel_for) == offsetof(nmfkit::executor, parallel_for) &&
                  offsetof(nmfkit_executor, self) == offsetof(nmfkit::executor, self),
              "nmfkit_executor's fields");
static_assert(std::is_same_v<decltype(nmfkit_executor::parallel_for), decltype(nmfkit::executor::parallel_for)> &&
                  std::is_same_v<decltype(nmfkit_executor::self), decltype(nmfkit::executor::self)>,
              "nmfkit_executor's field types");

const nmfkit::executor* to_cpp(const nmfkit_executor* e) noexcept {
    return reinterpret_cast<const nmfkit::executor*>(e);
}

// Every C field from (to) the C++ member of the same name; the reserved field has none.
nmfkit::options to_options(const nmfkit_options& o) noexcept {
    nmfkit::options r;
#define NMFKIT_OPTION(name, ctype, offset, doc) r.name = static_cast<decltype(r.name)>(o.name);
#include "nmfkit/abi.def"
    return r;
}

void to_c(const nmfkit::result& r, nmfkit_result* out) noexcept {
    if (!out) return;
#define NMFKIT_RESULT(name, ctype, offset, doc) out->name = static_cast<ctype>(r.name);
#include "nmfkit/abi.def"
}

nmfkit_status to_c(status s) noexcept { return static_cast<nmfkit_status>(s); }

// The C options as C++ options; a rank wider than size_t (wasm32) is size_overflow.
nmfkit_status read_options(const nmfkit_options* opt, nmfkit::options& o) noexcept {
    if (!opt) return NMFKIT_NULL_POINTER;
    if (opt->rank > SIZE_MAX) return NMFKIT_SIZE_OVERFLOW;
    o = to_options(*opt);
    return NMFKIT_OK;
}

template <class T>
nmfkit_status workspace_size(size_t n, size_t m, const nmfkit_options* opt, size_t* bytes) noexcept {
    nmfkit::options o;
    if (!bytes) return NMFKIT_NULL_POINTER;
    if (const nmfkit_status e = read_options(opt, o); e != NMFKIT_OK) return e;
    return to_c(nmfkit::workspace_size<T>(n, m, o, *bytes));
}

struct c_progress {
    nmfkit_progress_fn fn;
    void* user;
};

bool forward_progress(const nmfkit::progress& p, void* user) noexcept {
    const auto* c = static_cast<const c_progress*>(user);
    return c->fn(p.iteration, p.max_iter, p.loss, p.relative_error, c->user) != 0;
}

// Reads the C options, runs call(options, result, callback, user) and converts its result and status.
template <class Call>
nmfkit_status with_options(const nmfkit_options* opt, nmfkit_result* out, nmfkit_progress_fn progress, void* user,
                           Call call) noexcept {
    nmfkit::options o;
    if (const nmfkit_status e = read_options(opt, o); e != NMFKIT_OK) return e;
    nmfkit::result r;
    c_progress cp{progress, user};
    const nmfkit::progress_callback cb = progress ? forward_progress : nullptr;
    const status s = call(o, r, cb, &cp);
    to_c(r, out);
    return to_c(s);
}

template <class T>
nmfkit_status fit(const T* X, size_t n, size_t m, size_t ldx, T* W, size_t ldw, T* H, size_t ldh,
                  const nmfkit_options* opt, void* ws, size_t ws_bytes, nmfkit_result* out, nmfkit_progress_fn progress,
                  void* user, const nmfkit_executor* ex) noexcept {
    return with_options(opt, out, progress, user,
                        [&](const nmfkit::options& o, nmfkit::result& r, nmfkit::progress_callback cb, void* u) {
                            return nmfkit::fit<T>({X, n, m, ldx}, {W, n, o.rank, ldw}, {H, o.rank, m, ldh}, o, ws,
                                                  ws_bytes, r, cb, u, to_cpp(ex));
                        });
}

// transform (solve W, H fixed) and transform_columns (solve H, W fixed).
template <class T, bool SolveW>
nmfkit_status transform(const T* X, size_t n, size_t m, size_t ldx, const T* F, size_t ldf, T* out_f, size_t ldo,
                        const nmfkit_options* opt, void* ws, size_t ws_bytes, nmfkit_result* out,
                        nmfkit_progress_fn progress, void* user, const nmfkit_executor* ex) noexcept {
    return with_options(opt, out, progress, user,
                        [&](const nmfkit::options& o, nmfkit::result& r, nmfkit::progress_callback cb, void* u) {
                            return SolveW ? nmfkit::transform<T>({X, n, m, ldx}, {F, o.rank, m, ldf},
                                                                 {out_f, n, o.rank, ldo}, o, ws, ws_bytes, r, cb, u,
                                                                 to_cpp(ex))
                                          : nmfkit::transform_columns<T>({X, n, m, ldx}, {F, n, o.rank, ldf},
                                                                         {out_f, o.rank, m, ldo}, o, ws, ws_bytes, r,
                                                                         cb, u, to_cpp(ex));
                        });
}

template <class T>
nmfkit_status solver_start(const T* X, size_t n, size_t m, size_t ldx, T* W, size_t ldw, T* H, size_t ldh,
                           const nmfkit_options* opt, void* ws, size_t ws_bytes, nmfkit_result* out,
                           const nmfkit_executor* ex) noexcept {
    nmfkit::options o;
    if (const nmfkit_status e = read_options(opt, o); e != NMFKIT_OK) return e;
    nmfkit::result r;
    nmfkit::solver<T> s;
    const status st = s.start({X, n, m, ldx}, {W, n, o.rank, ldw}, {H, o.rank, m, ldh}, o, ws, ws_bytes, r, to_cpp(ex));
    to_c(r, out);
    return to_c(st);
}

template <class T>
nmfkit_status solver_run(void* ws, uint32_t iterations, nmfkit_result* out) noexcept {
    nmfkit::result r;
    nmfkit::solver<T> s(ws);
    const status st = s.run(iterations, r);
    to_c(r, out);
    return to_c(st);
}

template <class T>
nmfkit_status solver_finish(void* ws, nmfkit_result* out) noexcept {
    nmfkit::result r;
    nmfkit::solver<T> s(ws);
    const status st = s.finish(r);
    to_c(r, out);
    return to_c(st);
}

template <class T>
const char* kernel_name(const void* ws) noexcept {
    if (!ws) return nmfkit::default_kernel_name<T>();
    return nmfkit::solver<T>(const_cast<void*>(ws)).kernel_name();
}

template <class T>
nmfkit_status random_init(const T* X, size_t n, size_t m, size_t ldx, T* W, size_t ldw, T* H, size_t ldh, size_t rank,
                          uint64_t seed, nmfkit_result* out) noexcept {
    nmfkit::result r;
    const status s = nmfkit::random_init<T>({X, n, m, ldx}, {W, n, rank, ldw}, {H, rank, m, ldh}, seed, r);
    to_c(r, out);
    return to_c(s);
}

template <class T>
nmfkit_status loss(const T* X, size_t n, size_t m, size_t ldx, const T* W, size_t ldw, const T* H, size_t ldh,
                   size_t rank, double* out) noexcept {
    if (!out) return NMFKIT_NULL_POINTER;
    return to_c(nmfkit::frobenius_loss<T>({X, n, m, ldx}, {W, n, rank, ldw}, {H, rank, m, ldh}, *out));
}

// ---- sparse X (CSR): the same forwarding with a csr_view in place of X -------------------

template <class T>
nmfkit::csr_view<T> csr(size_t n, size_t m, size_t nnz, const uint64_t* indptr, const uint32_t* indices,
                        const T* values) noexcept {
    return {indptr, indices, values, n, m, nnz};
}

template <class T>
nmfkit_status workspace_size_csr(size_t n, size_t m, size_t nnz, const nmfkit_options* opt, size_t* bytes) noexcept {
    nmfkit::options o;
    if (!bytes) return NMFKIT_NULL_POINTER;
    if (const nmfkit_status e = read_options(opt, o); e != NMFKIT_OK) return e;
    return to_c(nmfkit::workspace_size<T>(n, m, nnz, o, *bytes));
}

template <class T>
nmfkit_status fit_csr(const nmfkit::csr_view<T>& X, T* W, size_t ldw, T* H, size_t ldh, const nmfkit_options* opt,
                      void* ws, size_t ws_bytes, nmfkit_result* out, nmfkit_progress_fn progress, void* user,
                      const nmfkit_executor* ex) noexcept {
    return with_options(opt, out, progress, user,
                        [&](const nmfkit::options& o, nmfkit::result& r, nmfkit::progress_callback cb, void* u) {
                            return nmfkit::fit<T>(X, {W, X.rows, o.rank, ldw}, {H, o.rank, X.cols, ldh}, o, ws,
                                                  ws_bytes, r, cb, u, to_cpp(ex));
                        });
}

template <class T, bool SolveW>
nmfkit_status transform_csr(const nmfkit::csr_view<T>& X, const T* F, size_t ldf, T* out_f, size_t ldo,
                            const nmfkit_options* opt, void* ws, size_t ws_bytes, nmfkit_result* out,
                            nmfkit_progress_fn progress, void* user, const nmfkit_executor* ex) noexcept {
    const size_t n = X.rows, m = X.cols;
    return with_options(opt, out, progress, user,
                        [&](const nmfkit::options& o, nmfkit::result& r, nmfkit::progress_callback cb, void* u) {
                            return SolveW
                                       ? nmfkit::transform<T>(X, {F, o.rank, m, ldf}, {out_f, n, o.rank, ldo}, o, ws,
                                                              ws_bytes, r, cb, u, to_cpp(ex))
                                       : nmfkit::transform_columns<T>(X, {F, n, o.rank, ldf}, {out_f, o.rank, m, ldo},
                                                                      o, ws, ws_bytes, r, cb, u, to_cpp(ex));
                        });
}

template <class T>
nmfkit_status solver_start_csr(const nmfkit::csr_view<T>& X, T* W, size_t ldw, T* H, size_t ldh,
                               const nmfkit_options* opt, void* ws, size_t ws_bytes, nmfkit_result* out,
                               const nmfkit_executor* ex) noexcept {
    nmfkit::options o;
    if (const nmfkit_status e = read_options(opt, o); e != NMFKIT_OK) return e;
    nmfkit::result r;
    nmfkit::solver<T> s;
    const status st = s.start(X, {W, X.rows, o.rank, ldw}, {H, o.rank, X.cols, ldh}, o, ws, ws_bytes, r, to_cpp(ex));
    to_c(r, out);
    return to_c(st);
}

template <class T>
nmfkit_status beta_divergence_csr(const nmfkit::csr_view<T>& X, const T* W, size_t ldw, const T* H, size_t ldh,
                                  size_t rank, double beta, int32_t missing, double* loss_out) noexcept {
    if (!loss_out) return NMFKIT_NULL_POINTER;
    return to_c(nmfkit::beta_divergence<T>(X, {W, X.rows, rank, ldw}, {H, rank, X.cols, ldh}, beta,
                                           static_cast<nmfkit::missing_entries>(missing), *loss_out));
}

}  // namespace

extern "C" {

const char* nmfkit_version(void) { return NMFKIT_VERSION_STRING; }
const char* nmfkit_status_message(nmfkit_status s) { return nmfkit::status_message(static_cast<status>(s)); }
const char* nmfkit_status_name(nmfkit_status s) { return nmfkit::status_name(static_cast<status>(s)); }
size_t nmfkit_sizeof_options(void) { return sizeof(nmfkit_options); }
int32_t nmfkit_resolve_solver(const nmfkit_options* opt) {
    return opt ? static_cast<int32_t>(nmfkit::resolve_solver(to_options(*opt))) : -1;
}
size_t nmfkit_sizeof_result(void) { return sizeof(nmfkit_result); }

void nmfkit_options_default(nmfkit_options* opt) {
    if (!opt) return;
    const nmfkit::options d;
#define NMFKIT_OPTION(name, ctype, offset, doc) opt->name = static_cast<ctype>(d.name);
#define NMFKIT_OPTION_RESERVED(name, ctype, offset, doc) opt->name = 0;
#include "nmfkit/abi.def"
}

#define NMFKIT_C_API(SUFFIX, T)                                                                                        \
    nmfkit_status nmfkit_workspace_size_##SUFFIX(size_t n, size_t m, const nmfkit_options* opt, size_t* bytes) {       \
        return workspace_size<T>(n, m, opt, bytes);                                                                    \
    }                                                                                                                  \
    nmfkit_status nmfkit_fit_##SUFFIX(const T* X, size_t n, size_t m, size_t ldx, T* W, size_t ldw, T* H, size_t ldh,  \
                                      const nmfkit_options* opt, void* ws, size_t ws_bytes, nmfkit_result* out,        \
                                      nmfkit_progress_fn progress, void* user) {                                       \
        return fit<T>(X, n, m, ldx, W, ldw, H, ldh, opt, ws, ws_bytes, out, progress, user, nullptr);                  \
    }                                                                                                                  \
    nmfkit_status nmfkit_fit_ex_##SUFFIX(const T* X, size_t n, size_t m, size_t ldx, T* W, size_t ldw, T* H,           \
                                         size_t ldh, const nmfkit_options* opt, void* ws, size_t ws_bytes,             \
                                         nmfkit_result* out, nmfkit_progress_fn progress, void* user,                  \
                                         const nmfkit_executor* ex) {                                                  \
        return fit<T>(X, n, m, ldx, W, ldw, H, ldh, opt, ws, ws_bytes, out, progress, user, ex);                       \
    }                                                                                                                  \
    nmfkit_status nmfkit_solver_start_##SUFFIX(const T* X, size_t n, size_t m, size_t ldx, T* W, size_t ldw, T* H,     \
                                               size_t ldh, const nmfkit_options* opt, void* ws, size_t ws_bytes,       \
                                               nmfkit_result* out) {                                                   \
        return solver_start<T>(X, n, m, ldx, W, ldw, H, ldh, opt, ws, ws_bytes, out, nullptr);                         \
    }                                                                                                                  \
    nmfkit_status nmfkit_solver_start_ex_##SUFFIX(const T* X, size_t n, size_t m, size_t ldx, T* W, size_t ldw, T* H,  \
                                                  size_t ldh, const nmfkit_options* opt, void* ws, size_t ws_bytes,    \
                                                  nmfkit_result* out, const nmfkit_executor* ex) {                     \
        return solver_start<T>(X, n, m, ldx, W, ldw, H, ldh, opt, ws, ws_bytes, out, ex);                              \
    }                                                                                                                  \
    nmfkit_status nmfkit_solver_set_executor_##SUFFIX(void* ws, const nmfkit_executor* ex) {                           \
        return to_c(nmfkit::solver<T>(ws).set_executor(to_cpp(ex)));                                                   \
    }                                                                                                                  \
    nmfkit_status nmfkit_solver_run_##SUFFIX(void* ws, uint32_t iterations, nmfkit_result* out) {                      \
        return solver_run<T>(ws, iterations, out);                                                                     \
    }                                                                                                                  \
    nmfkit_status nmfkit_solver_finish_##SUFFIX(void* ws, nmfkit_result* out) { return solver_finish<T>(ws, out); }    \
    const char* nmfkit_kernel_name_##SUFFIX(const void* ws) { return kernel_name<T>(ws); }                             \
    nmfkit_status nmfkit_random_init_##SUFFIX(const T* X, size_t n, size_t m, size_t ldx, T* W, size_t ldw, T* H,      \
                                              size_t ldh, size_t rank, uint64_t seed, nmfkit_result* out) {            \
        return random_init<T>(X, n, m, ldx, W, ldw, H, ldh, rank, seed, out);                                          \
    }                                                                                                                  \
    nmfkit_status nmfkit_transform_##SUFFIX(const T* X, size_t n, size_t m, size_t ldx, const T* H, size_t ldh, T* W,  \
                                            size_t ldw, const nmfkit_options* opt, void* ws, size_t ws_bytes,          \
                                            nmfkit_result* out, nmfkit_progress_fn progress, void* user) {             \
        return transform<T, true>(X, n, m, ldx, H, ldh, W, ldw, opt, ws, ws_bytes, out, progress, user, nullptr);      \
    }                                                                                                                  \
    nmfkit_status nmfkit_transform_ex_##SUFFIX(const T* X, size_t n, size_t m, size_t ldx, const T* H, size_t ldh,     \
                                               T* W, size_t ldw, const nmfkit_options* opt, void* ws, size_t ws_bytes, \
                                               nmfkit_result* out, nmfkit_progress_fn progress, void* user,            \
                                               const nmfkit_executor* ex) {                                            \
        return transform<T, true>(X, n, m, ldx, H, ldh, W, ldw, opt, ws, ws_bytes, out, progress, user, ex);           \
    }                                                                                                                  \
    nmfkit_status nmfkit_transform_columns_##SUFFIX(const T* X, size_t n, size_t m, size_t ldx, const T* W,            \
                                                    size_t ldw, T* H, size_t ldh, const nmfkit_options* opt, void* ws, \
                                                    size_t ws_bytes, nmfkit_result* out, nmfkit_progress_fn progress,  \
                                                    void* user) {                                                      \
        return transform<T, false>(X, n, m, ldx, W, ldw, H, ldh, opt, ws, ws_bytes, out, progress, user, nullptr);     \
    }                                                                                                                  \
    nmfkit_status nmfkit_transform_columns_ex_##SUFFIX(const T* X, size_t n, size_t m, size_t ldx, const T* W,         \
                                                       size_t ldw, T* H, size_t ldh, const nmfkit_options* opt,        \
                                                       void* ws, size_t ws_bytes, nmfkit_result* out,                  \
                                                       nmfkit_progress_fn progress, void* user,                        \
                                                       const nmfkit_executor* ex) {                                    \
        return transform<T, false>(X, n, m, ldx, W, ldw, H, ldh, opt, ws, ws_bytes, out, progress, user, ex);          \
    }                                                                                                                  \
    nmfkit_status nmfkit_inverse_transform_##SUFFIX(const T* W, size_t ldw, const T* H, size_t ldh, size_t n,          \
                                                    size_t rank, size_t m, T* out, size_t ldo) {                       \
        return to_c(nmfkit::inverse_transform<T>({W, n, rank, ldw}, {H, rank, m, ldh}, {out, n, m, ldo}));             \
    }                                                                                                                  \
    nmfkit_status nmfkit_beta_divergence_##SUFFIX(const T* X, size_t n, size_t m, size_t ldx, const T* W, size_t ldw,  \
                                                  const T* H, size_t ldh, size_t rank, double beta,                    \
                                                  double* loss_out) {                                                  \
        if (!loss_out) return NMFKIT_NULL_POINTER;                                                                     \
        return to_c(nmfkit::beta_divergence<T>({X, n, m, ldx}, {W, n, rank, ldw}, {H, rank, m, ldh}, beta,             \
                                               *loss_out));                                                            \
    }                                                                                                                  \
    nmfkit_status nmfkit_loss_##SUFFIX(const T* X, size_t n, size_t m, size_t ldx, const T* W, size_t ldw, const T* H, \
                                       size_t ldh, size_t rank, double* loss_out) {                                    \
        return loss<T>(X, n, m, ldx, W, ldw, H, ldh, rank, loss_out);                                                  \
    }

NMFKIT_C_API(f32, float)
NMFKIT_C_API(f64, double)
#undef NMFKIT_C_API

#define NMFKIT_C_API_CSR(SUFFIX, T)                                                                                    \
    nmfkit_status nmfkit_workspace_size_csr_##SUFFIX(size_t n, size_t m, size_t nnz, const nmfkit_options* opt,        \
                                                     size_t* bytes) {                                                  \
        return workspace_size_csr<T>(n, m, nnz, opt, bytes);                                                           \
    }                                                                                                                  \
    nmfkit_status nmfkit_fit_csr_##SUFFIX(size_t n, size_t m, size_t nnz, const uint64_t* indptr,                      \
                                          const uint32_t* indices, const T* values, T* W, size_t ldw, T* H,            \
                                          size_t ldh, const nmfkit_options* opt, void* ws, size_t ws_bytes,            \
                                          nmfkit_result* out, nmfkit_progress_fn progress, void* user) {               \
        return fit_csr<T>(csr(n, m, nnz, indptr, indices, values), W, ldw, H, ldh, opt, ws, ws_bytes, out, progress,   \
                          user, nullptr);                                                                              \
    }                                                                                                                  \
    nmfkit_status nmfkit_fit_csr_ex_##SUFFIX(size_t n, size_t m, size_t nnz, const uint64_t* indptr,                   \
                                             const uint32_t* indices, const T* values, T* W, size_t ldw, T* H,         \
                                             size_t ldh, const nmfkit_options* opt, void* ws, size_t ws_bytes,         \
                                             nmfkit_result* out, nmfkit_progress_fn progress, void* user,              \
                                             const nmfkit_executor* ex) {                                              \
        return fit_csr<T>(csr(n, m, nnz, indptr, indices, values), W, ldw, H, ldh, opt, ws, ws_bytes, out, progress,   \
                          user, ex);                                                                                   \
    }                                                                                                                  \
    nmfkit_status nmfkit_solver_start_csr_##SUFFIX(size_t n, size_t m, size_t nnz, const uint64_t* indptr,             \
                                                   const uint32_t* indices, const T* values, T* W, size_t ldw, T* H,   \
                                                   size_t ldh, const nmfkit_options* opt, void* ws, size_t ws_bytes,   \
                                                   nmfkit_result* out) {                                               \
        return solver_start_csr<T>(csr(n, m, nnz, indptr, indices, values), W, ldw, H, ldh, opt, ws, ws_bytes, out,    \
                                   nullptr);                                                                           \
    }                                                                                                                  \
    nmfkit_status nmfkit_solver_start_csr_ex_##SUFFIX(size_t n, size_t m, size_t nnz, const uint64_t* indptr,          \
                                                      const uint32_t* indices, const T* values, T* W, size_t ldw,      \
                                                      T* H, size_t ldh, const nmfkit_options* opt, void* ws,           \
                                                      size_t ws_bytes, nmfkit_result* out,                             \
                                                      const nmfkit_executor* ex) {                                     \
        return solver_start_csr<T>(csr(n, m, nnz, indptr, indices, values), W, ldw, H, ldh, opt, ws, ws_bytes, out,    \
                                   ex);                                                                                \
    }                                                                                                                  \
    nmfkit_status nmfkit_transform_csr_##SUFFIX(size_t n, size_t m, size_t nnz, const uint64_t* indptr,                \
                                                const uint32_t* indices, const T* values, const T* H, size_t ldh,      \
                                                T* W, size_t ldw, const nmfkit_options* opt, void* ws,                 \
                                                size_t ws_bytes, nmfkit_result* out, nmfkit_progress_fn progress,      \
                                                void* user) {                                                          \
        return transform_csr<T, true>(csr(n, m, nnz, indptr, indices, values), H, ldh, W, ldw, opt, ws, ws_bytes, out, \
                                      progress, user, nullptr);                                                        \
    }                                                                                                                  \
    nmfkit_status nmfkit_transform_csr_ex_##SUFFIX(size_t n, size_t m, size_t nnz, const uint64_t* indptr,             \
                                                   const uint32_t* indices, const T* values, const T* H, size_t ldh,   \
                                                   T* W, size_t ldw, const nmfkit_options* opt, void* ws,              \
                                                   size_t ws_bytes, nmfkit_result* out, nmfkit_progress_fn progress,   \
                                                   void* user, const nmfkit_executor* ex) {                            \
        return transform_csr<T, true>(csr(n, m, nnz, indptr, indices, values), H, ldh, W, ldw, opt, ws, ws_bytes, out, \
                                      progress, user, ex);                                                             \
    }                                                                                                                  \
    nmfkit_status nmfkit_transform_columns_csr_##SUFFIX(size_t n, size_t m, size_t nnz, const uint64_t* indptr,        \
                                                        const uint32_t* indices, const T* values, const T* W,          \
                                                        size_t ldw, T* H, size_t ldh, const nmfkit_options* opt,       \
                                                        void* ws, size_t ws_bytes, nmfkit_result* out,                 \
                                                        nmfkit_progress_fn progress, void* user) {                     \
        return transform_csr<T, false>(csr(n, m, nnz, indptr, indices, values), W, ldw, H, ldh, opt, ws, ws_bytes,     \
                                       out, progress, user, nullptr);                                                  \
    }                                                                                                                  \
    nmfkit_status nmfkit_transform_columns_csr_ex_##SUFFIX(size_t n, size_t m, size_t nnz, const uint64_t* indptr,     \
                                                           const uint32_t* indices, const T* values, const T* W,       \
                                                           size_t ldw, T* H, size_t ldh, const nmfkit_options* opt,    \
                                                           void* ws, size_t ws_bytes, nmfkit_result* out,              \
                                                           nmfkit_progress_fn progress, void* user,                    \
                                                           const nmfkit_executor* ex) {                                \
        return transform_csr<T, false>(csr(n, m, nnz, indptr, indices, values), W, ldw, H, ldh, opt, ws, ws_bytes,     \
                                       out, progress, user, ex);                                                       \
    }                                                                                                                  \
    nmfkit_status nmfkit_beta_divergence_csr_##SUFFIX(size_t n, size_t m, size_t nnz, const uint64_t* indptr,          \
                                                      const uint32_t* indices, const T* values, const T* W,            \
                                                      size_t ldw, const T* H, size_t ldh, size_t rank, double beta,    \
                                                      int32_t missing, double* loss_out) {                             \
        return beta_divergence_csr<T>(csr(n, m, nnz, indptr, indices, values), W, ldw, H, ldh, rank, beta, missing,    \
                                      loss_out);                                                                       \
    }

NMFKIT_C_API_CSR(f32, float)
NMFKIT_C_API_CSR(f64, double)
#undef NMFKIT_C_API_CSR

}  // extern "C"

// ---- rank selection, restarts, consensus, quality (nmfkit/rank.hpp) ----------------------
#include "nmfkit/rank.hpp"

namespace {

nmfkit_status rank_options_of(const nmfkit_options* opt, const uint32_t* ranks, size_t n_ranks, uint32_t reps,
                              uint32_t restarts, double test_fraction, uint64_t cv_seed, uint32_t flags,
                              nmfkit::options& o, nmfkit::rank_options& r) noexcept {
    const nmfkit_status st = read_options(opt, o);
    if (st != NMFKIT_OK) return st;
    r.ranks = ranks;
    r.n_ranks = n_ranks;
    r.reps = reps;
    r.restarts = restarts;
    r.test_fraction = test_fraction;
    r.seed = cv_seed;
    r.consensus = (flags & NMFKIT_RANK_NO_CONSENSUS) == 0;
    r.parallel_fits = (flags >> 8) & 0xffu;
    return NMFKIT_OK;
}

// rank_workspace_size of a dense X (sparse = false) or a CSR one with nnz entries
template <class T>
nmfkit_status rank_size(size_t n, size_t m, size_t nnz, bool sparse, const nmfkit_options* opt, const uint32_t* ranks,
                        size_t n_ranks, uint32_t reps, uint32_t restarts, double test_fraction, uint32_t flags,
                        size_t* bytes) noexcept {
    nmfkit::options o;
    nmfkit::rank_options r;
    const nmfkit_status st = rank_options_of(opt, ranks, n_ranks, reps, restarts, test_fraction, 0, flags, o, r);
    if (st != NMFKIT_OK) return st;
    if (!bytes) return NMFKIT_NULL_POINTER;
    return to_c(sparse ? nmfkit::rank_workspace_size<T>(n, m, nnz, o, r, *bytes)
                       : nmfkit::rank_workspace_size<T>(n, m, o, r, *bytes));
}

template <class T>
nmfkit_status rank_run(void* ws, uint32_t iterations, double* progress) noexcept {
    nmfkit::rank_progress p;
    const status st = nmfkit::rank_search<T>(ws).run(iterations, p);
    if (progress) {
        const double v[NMFKIT_RANK_PROGRESS_FIELDS] = {double(p.rank_index), double(p.rank),      double(p.rep),
                                                       double(p.restart),    double(p.iteration), double(p.max_iter),
                                                       double(p.fits_done),  double(p.fits_total)};
        for (int i = 0; i < NMFKIT_RANK_PROGRESS_FIELDS; ++i) progress[i] = v[i];
    }
    return to_c(st);
}

template <class T>
nmfkit_status rank_scores(const void* ws, double* out, size_t n_ranks) noexcept {
    if (!out) return NMFKIT_NULL_POINTER;
    const nmfkit::rank_search<T> rs(const_cast<void*>(ws));
    if (rs.n_ranks() == 0) return NMFKIT_NOT_STARTED;
    if (n_ranks < rs.n_ranks()) return NMFKIT_INVALID_RANK_OPTIONS;
    for (size_t i = 0; i < rs.n_ranks(); ++i) {
        nmfkit::rank_score s;
        (void)rs.score(i, s);
        const double v[NMFKIT_RANK_SCORE_FIELDS] = {double(s.rank), double(s.reps_done), s.train,      s.train_sd,
                                                    s.test,         s.test_sd,           s.cophenetic, s.dispersion};
        for (int f = 0; f < NMFKIT_RANK_SCORE_FIELDS; ++f) out[i * NMFKIT_RANK_SCORE_FIELDS + f] = v[f];
    }
    return NMFKIT_OK;
}

template <class T>
nmfkit_status rank_suggested(const void* ws, uint32_t* best, uint32_t* best_1se, uint64_t* test_entries) noexcept {
    const nmfkit::rank_search<T> rs(const_cast<void*>(ws));
    if (rs.n_ranks() == 0) return NMFKIT_NOT_STARTED;
    if (best) *best = rs.suggested_rank();
    if (best_1se) *best_1se = rs.suggested_rank_1se();
    if (test_entries) *test_entries = rs.test_entries();
    return NMFKIT_OK;
}

template <class T>
nmfkit::const_matrix_view<T> cview(const T* p, size_t rows, size_t cols, size_t ld) noexcept {
    return {p, rows, cols, ld};
}

}  // namespace

extern "C" {

#define NMFKIT_C_RANK(SUFFIX, T)                                                                                       \
    nmfkit_status nmfkit_rank_workspace_size_##SUFFIX(size_t n, size_t m, const nmfkit_options* opt,                   \
                                                      const uint32_t* ranks, size_t n_ranks, uint32_t reps,            \
                                                      uint32_t restarts, double test_fraction, uint32_t flags,         \
                                                      size_t* bytes) {                                                 \
        return rank_size<T>(n, m, 0, false, opt, ranks, n_ranks, reps, restarts, test_fraction, flags, bytes);         \
    }                                                                                                                  \
    nmfkit_status nmfkit_rank_workspace_size_csr_##SUFFIX(size_t n, size_t m, size_t nnz, const nmfkit_options* opt,   \
                                                          const uint32_t* ranks, size_t n_ranks, uint32_t reps,        \
                                                          uint32_t restarts, double test_fraction, uint32_t flags,     \
                                                          size_t* bytes) {                                             \
        return rank_size<T>(n, m, nnz, true, opt, ranks, n_ranks, reps, restarts, test_fraction, flags, bytes);        \
    }                                                                                                                  \
    nmfkit_status nmfkit_rank_start_##SUFFIX(const T* X, size_t n, size_t m, size_t ldx, const nmfkit_options* opt,    \
                                             const uint32_t* ranks, size_t n_ranks, uint32_t reps, uint32_t restarts,  \
                                             double test_fraction, uint64_t cv_seed, uint32_t flags, void* ws,         \
                                             size_t ws_bytes, const nmfkit_executor* ex) {                             \
        nmfkit::options o;                                                                                             \
        nmfkit::rank_options r;                                                                                        \
        nmfkit_status st = rank_options_of(opt, ranks, n_ranks, reps, restarts, test_fraction, cv_seed, flags, o, r);  \
        if (st != NMFKIT_OK) return st;                                                                                \
        return to_c(nmfkit::rank_search<T>().start(cview(X, n, m, ldx), o, r, ws, ws_bytes, to_cpp(ex)));              \
    }                                                                                                                  \
    nmfkit_status nmfkit_rank_start_csr_##SUFFIX(size_t n, size_t m, size_t nnz, const uint64_t* indptr,               \
                                                 const uint32_t* indices, const T* values, const nmfkit_options* opt,  \
                                                 const uint32_t* ranks, size_t n_ranks, uint32_t reps,                 \
                                                 uint32_t restarts, double test_fraction, uint64_t cv_seed,            \
                                                 uint32_t flags, void* ws, size_t ws_bytes,                            \
                                                 const nmfkit_executor* ex) {                                          \
        nmfkit::options o;                                                                                             \
        nmfkit::rank_options r;                                                                                        \
        nmfkit_status st = rank_options_of(opt, ranks, n_ranks, reps, restarts, test_fraction, cv_seed, flags, o, r);  \
        if (st != NMFKIT_OK) return st;                                                                                \
        return to_c(nmfkit::rank_search<T>().start(csr(n, m, nnz, indptr, indices, values), o, r, ws, ws_bytes,        \
                                                   to_cpp(ex)));                                                       \
    }                                                                                                                  \
    nmfkit_status nmfkit_rank_run_##SUFFIX(void* ws, uint32_t iterations, double* progress) {                          \
        return rank_run<T>(ws, iterations, progress);                                                                  \
    }                                                                                                                  \
    int32_t nmfkit_rank_done_##SUFFIX(const void* ws) {                                                                \
        return nmfkit::rank_search<T>(const_cast<void*>(ws)).done() ? 1 : 0;                                           \
    }                                                                                                                  \
    nmfkit_status nmfkit_rank_scores_##SUFFIX(const void* ws, double* out, size_t n_ranks) {                           \
        return rank_scores<T>(ws, out, n_ranks);                                                                       \
    }                                                                                                                  \
    nmfkit_status nmfkit_rank_suggested_##SUFFIX(const void* ws, uint32_t* best, uint32_t* best_1se,                   \
                                                 uint64_t* test_entries) {                                             \
        return rank_suggested<T>(ws, best, best_1se, test_entries);                                                    \
    }                                                                                                                  \
    nmfkit_status nmfkit_restarts_workspace_size_##SUFFIX(size_t n, size_t m, const nmfkit_options* opt,               \
                                                          size_t* bytes) {                                             \
        nmfkit::options o;                                                                                             \
        const nmfkit_status st = read_options(opt, o);                                                                 \
        if (st != NMFKIT_OK) return st;                                                                                \
        if (!bytes) return NMFKIT_NULL_POINTER;                                                                        \
        return to_c(nmfkit::restarts_workspace_size<T>(n, m, o, *bytes));                                              \
    }                                                                                                                  \
    nmfkit_status nmfkit_fit_restarts_##SUFFIX(const T* X, size_t n, size_t m, size_t ldx, T* W, size_t ldw, T* H,     \
                                               size_t ldh, const nmfkit_options* opt, uint32_t n_restarts, void* ws,   \
                                               size_t ws_bytes, nmfkit_result* out, uint32_t* best,                    \
                                               const nmfkit_executor* ex) {                                            \
        nmfkit::options o;                                                                                             \
        const nmfkit_status st = read_options(opt, o);                                                                 \
        if (st != NMFKIT_OK) return st;                                                                                \
        nmfkit::result res;                                                                                            \
        const status s = nmfkit::fit_restarts<T>(cview(X, n, m, ldx), {W, n, o.rank, ldw}, {H, o.rank, m, ldh}, o,     \
                                                 n_restarts, ws, ws_bytes, res, best, to_cpp(ex));                     \
        to_c(res, out);                                                                                                \
        return to_c(s);                                                                                                \
    }                                                                                                                  \
    nmfkit_status nmfkit_explained_variance_##SUFFIX(const T* X, size_t n, size_t m, size_t ldx, const T* W,           \
                                                     size_t ldw, const T* H, size_t ldh, size_t rank, double* out) {   \
        if (!out) return NMFKIT_NULL_POINTER;                                                                          \
        return to_c(nmfkit::explained_variance<T>(cview(X, n, m, ldx), cview(W, n, rank, ldw), cview(H, rank, m, ldh), \
                                                  *out));                                                              \
    }                                                                                                                  \
    nmfkit_status nmfkit_hoyer_sparseness_##SUFFIX(const T* W, size_t n, size_t ldw, const T* H, size_t m, size_t ldh, \
                                                   size_t rank, double* w, double* h) {                                \
        if (!w || !h) return NMFKIT_NULL_POINTER;                                                                      \
        return to_c(nmfkit::hoyer_sparseness<T>(cview(W, n, rank, ldw), cview(H, rank, m, ldh), *w, *h));              \
    }                                                                                                                  \
    nmfkit_status nmfkit_component_contribution_##SUFFIX(const T* W, size_t n, size_t ldw, const T* H, size_t m,       \
                                                         size_t ldh, size_t rank, double* out) {                       \
        return to_c(nmfkit::component_contribution<T>(cview(W, n, rank, ldw), cview(H, rank, m, ldh), out));           \
    }                                                                                                                  \
    nmfkit_status nmfkit_canonicalize_##SUFFIX(T* W, size_t n, size_t ldw, T* H, size_t m, size_t ldh, size_t rank) {  \
        return to_c(nmfkit::canonicalize<T>({W, n, rank, ldw}, {H, rank, m, ldh}));                                    \
    }

NMFKIT_C_RANK(f32, float)
NMFKIT_C_RANK(f64, double)
#undef NMFKIT_C_RANK

nmfkit_status nmfkit_consensus_workspace_size(size_t m, size_t* bytes) {
    if (!bytes) return NMFKIT_NULL_POINTER;
    return to_c(nmfkit::consensus_workspace_size(m, *bytes));
}

nmfkit_status nmfkit_consensus_measures(const uint32_t* labels, size_t runs, size_t m, void* ws, size_t ws_bytes,
                                        double* cophenetic, double* dispersion) {
    if (!cophenetic || !dispersion) return NMFKIT_NULL_POINTER;
    return to_c(nmfkit::consensus_measures(labels, runs, m, ws, ws_bytes, *cophenetic, *dispersion));
}

}  // extern "C"
