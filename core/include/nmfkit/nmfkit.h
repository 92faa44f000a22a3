/* nmfkit C API: the same library as nmfkit/nmfkit.hpp, for C, FFI users and the
 * WebAssembly build. Non-negative matrix factorization X (n×m) ≈ W (n×r) · H (r×m)
 * by Lee & Seung's multiplicative updates (Frobenius loss).
 *
 * Conventions
 *   - Matrices are row-major float (_f32) or double (_f64) arrays with an explicit row
 *     stride `ld` in elements (ld >= columns; 0 means "tightly packed").
 *   - Every fallible function returns an nmfkit_status (0 = NMFKIT_OK). The values are
 *     pinned and equal to the C++ nmfkit::status values.
 *   - The caller owns all memory: nmfkit_workspace_size_*() gives the bytes, the caller
 *     provides them aligned to NMFKIT_WORKSPACE_ALIGNMENT, and no function allocates,
 *     prints, throws or aborts.
 *
 *   nmfkit_options opt;  nmfkit_options_default(&opt);  opt.rank = 8;
 *   size_t bytes;  nmfkit_workspace_size_f32(n, m, &opt, &bytes);
 *   void* ws = aligned_alloc(NMFKIT_WORKSPACE_ALIGNMENT, round_up(bytes, 64));
 *   nmfkit_result res;
 *   nmfkit_status st = nmfkit_fit_f32(X, n, m, 0, W, 0, H, 0, &opt, ws, bytes, &res, NULL, NULL);
 *   if (st != NMFKIT_OK) fprintf(stderr, "%s\n", nmfkit_status_message(st));
 */
#ifndef NMFKIT_NMFKIT_H
#define NMFKIT_NMFKIT_H

#include <stddef.h>
#include <stdint.h>

#include "nmfkit/version.h" /* NMFKIT_VERSION_MAJOR/MINOR/PATCH/STRING, generated from CMake's project() */

#ifdef __cplusplus
extern "C" {
#endif

/* The constants, the option and result fields and their byte offsets (ABI: the JS wrapper writes
 * them) are defined once, in nmfkit/abi.def. */
typedef int32_t nmfkit_status;
enum { /* NMFKIT_OK = 0, NMFKIT_NULL_POINTER = 1, ...: pinned, equal to nmfkit::status */
#define NMFKIT_STATUS(value, name, NAME, message) NMFKIT_##NAME = value,
#include "abi.def"
};
enum { /* NMFKIT_INIT_RANDOM = 0, ... (nmfkit_options.init) */
#define NMFKIT_INIT(value, id, ID, spelling) NMFKIT_INIT_##ID = value,
#include "abi.def"
};
enum { /* NMFKIT_SOLVER_MU = 0, ... NMFKIT_SOLVER_AUTO = 3 (nmfkit_options.solver) */
#define NMFKIT_SOLVER(value, id, ID, spelling) NMFKIT_SOLVER_##ID = value,
#include "abi.def"
};
enum { /* NMFKIT_KERNEL_AUTO = 0, NMFKIT_KERNEL_SCALAR = 1 (nmfkit_options.kernel) */
#define NMFKIT_KERNEL(value, id, ID, spelling) NMFKIT_KERNEL_##ID = value,
#include "abi.def"
};
enum { /* NMFKIT_MATRIX_NONE = 0, NMFKIT_MATRIX_X = 1, _W = 2, _H = 3 (nmfkit_result.bad_matrix) */
#define NMFKIT_MATRIX(value, id, ID, spelling) NMFKIT_MATRIX_##ID = value,
#include "abi.def"
};
enum { /* NMFKIT_MISSING_NONE = 0, _NAN = 1, _UNSTORED = 2 (nmfkit_options.missing) */
#define NMFKIT_MISSING(value, id, ID, spelling) NMFKIT_MISSING_##ID = value,
#include "abi.def"
};

#define NMFKIT_WORKSPACE_ALIGNMENT 64

/* Options. Fill with nmfkit_options_default() first. See nmfkit::options for the
 * meaning of each field; in short: stop when (e_prev - e) / e_0 < tol at every check_every-th
 * iteration, e = ||X - WH||_F. */
typedef struct nmfkit_options {
#define NMFKIT_OPTION(name, ctype, offset, doc) ctype name;
#define NMFKIT_OPTION_RESERVED(name, ctype, offset, doc) ctype name;
#include "abi.def"
} nmfkit_options;

/* Result of a fit or of a solver slice. */
typedef struct nmfkit_result {
#define NMFKIT_RESULT(name, ctype, offset, doc) ctype name;
#include "abi.def"
} nmfkit_result;

/* Called at every check (every check_every iterations) and after the last iteration;
 * return 0 to stop the fit (it then returns NMFKIT_CANCELLED). */
typedef int (*nmfkit_progress_fn)(uint32_t iteration, uint32_t max_iter, double loss, double relative_error,
                                  void* user_data);

/* Threads: the caller's executor, nmfkit::executor's layout (see nmfkit.hpp). The library creates
 * no threads: the _ex functions below run their loops as tasks through exec, whose
 * parallel_for(self, tasks, body, ctx) must call body(t, ctx) once for every t in [0, tasks), on
 * any threads, and return when all have returned. W, H and the losses are bitwise the same with
 * any executor, any number of threads, or none (exec = NULL: the caller's thread), and the
 * workspace size does not depend on it. Wrap your own pool (OpenMP, an RTOS's workers), or take
 * nmfkit_thread_pool's. */
typedef struct nmfkit_executor {
    void (*parallel_for)(void* self, size_t tasks, void (*body)(size_t task, void* ctx), void* ctx);
    void* self;
} nmfkit_executor;

/* A pool of threads (nmfkit/thread_pool.hpp) for C callers: created once, used by any number of
 * fits (one at a time), destroyed after the last. threads = 0: one per core; the calling thread
 * takes part, so `threads` threads run tasks. Returns NULL when the threads cannot be started or
 * the library was built without threads (bare metal, WebAssembly: NMFKIT_THREADS=OFF). This, not
 * a fit, allocates. */
typedef struct nmfkit_thread_pool nmfkit_thread_pool;
nmfkit_thread_pool* nmfkit_thread_pool_create(size_t threads);
const nmfkit_executor* nmfkit_thread_pool_executor(const nmfkit_thread_pool* pool); /* NULL for NULL */
size_t nmfkit_thread_pool_threads(const nmfkit_thread_pool* pool);                  /* 0 for NULL */
void nmfkit_thread_pool_destroy(nmfkit_thread_pool* pool);                          /* NULL: no-op */

const char* nmfkit_version(void);
/* Static strings; never NULL. */
const char* nmfkit_status_message(nmfkit_status s);
const char* nmfkit_status_name(nmfkit_status s);
void nmfkit_options_default(nmfkit_options* opt);
/* The NMFKIT_SOLVER_* a fit with these options runs (NMFKIT_SOLVER_AUTO resolved: HALS for beta = 2
 * with every entry observed where the build has it, else MU); -1 for NULL. */
int32_t nmfkit_resolve_solver(const nmfkit_options* opt);
/* sizeof(nmfkit_options) and sizeof(nmfkit_result) as compiled, for FFI layout checks. */
size_t nmfkit_sizeof_options(void);
size_t nmfkit_sizeof_result(void);

/* Names and spellings (the CLI's and the JS wrapper's, from nmfkit/abi.def). The *_name
 * functions return static strings, "unknown" for a value outside the enum. The parse functions
 * return 1 and store the value when text is a known spelling, else return 0 and leave it. */
const char* nmfkit_init_name(int32_t init);            /* "random", "custom", "nndsvd", ... */
const char* nmfkit_solver_name(int32_t solver);        /* "mu", "amu", "hals", "auto" */
const char* nmfkit_kernel_choice_name(int32_t kernel); /* "auto", "scalar" */
const char* nmfkit_matrix_name(int32_t matrix);        /* "none", "X", "W", "H" */
const char* nmfkit_missing_name(int32_t missing);      /* "none", "nan", "unstored" */
int nmfkit_parse_missing(const char* text, int32_t* missing);
int nmfkit_parse_init(const char* text, int32_t* init);
int nmfkit_parse_solver(const char* text, int32_t* solver);
int nmfkit_parse_kernel_choice(const char* text, int32_t* kernel);
/* Losses: beta 2 "frobenius", 1 "kullback-leibler" (short "kl"), 0 "itakura-saito" ("is").
 * The name functions return NULL for any other beta (every finite beta is a valid loss). */
const char* nmfkit_loss_name(double beta);
const char* nmfkit_loss_short_name(double beta);
int nmfkit_parse_loss(const char* text, double* beta); /* a name or a short name; not numbers */

/* ---- float32 ------------------------------------------------------------------ */
nmfkit_status nmfkit_workspace_size_f32(size_t n, size_t m, const nmfkit_options* opt, size_t* bytes);
nmfkit_status nmfkit_fit_f32(const float* X, size_t n, size_t m, size_t ldx, float* W, size_t ldw, float* H, size_t ldh,
                             const nmfkit_options* opt, void* workspace, size_t workspace_bytes, nmfkit_result* out,
                             nmfkit_progress_fn progress, void* user_data);
/* Resumable solver: its state lives in the workspace, so the workspace is the handle.
 * start validates and initializes; run does at most `iterations` more iterations
 * (res->done tells when to stop); finish computes the exact final loss. */
nmfkit_status nmfkit_solver_start_f32(const float* X, size_t n, size_t m, size_t ldx, float* W, size_t ldw, float* H,
                                      size_t ldh, const nmfkit_options* opt, void* workspace, size_t workspace_bytes,
                                      nmfkit_result* out);
nmfkit_status nmfkit_solver_run_f32(void* workspace, uint32_t iterations, nmfkit_result* out);
nmfkit_status nmfkit_solver_finish_f32(void* workspace, nmfkit_result* out);
/* Name of the kernel set: the solver's, or with workspace == NULL the automatic choice. */
const char* nmfkit_kernel_name_f32(const void* workspace);
nmfkit_status nmfkit_random_init_f32(const float* X, size_t n, size_t m, size_t ldx, float* W, size_t ldw, float* H,
                                     size_t ldh, size_t rank, uint64_t seed, nmfkit_result* out);
nmfkit_status nmfkit_loss_f32(const float* X, size_t n, size_t m, size_t ldx, const float* W, size_t ldw,
                              const float* H, size_t ldh, size_t rank, double* loss);
/* Transform (scikit-learn's NMF.transform): solve W (n x r) for X ~= W*H with H fixed. */
nmfkit_status nmfkit_transform_f32(const float* X, size_t n, size_t m, size_t ldx, const float* H, size_t ldh, float* W,
                                   size_t ldw, const nmfkit_options* opt, void* workspace, size_t workspace_bytes,
                                   nmfkit_result* out, nmfkit_progress_fn progress, void* user_data);
/* The mirror: solve H (r x m) with W fixed. */
nmfkit_status nmfkit_transform_columns_f32(const float* X, size_t n, size_t m, size_t ldx, const float* W, size_t ldw,
                                           float* H, size_t ldh, const nmfkit_options* opt, void* workspace,
                                           size_t workspace_bytes, nmfkit_result* out, nmfkit_progress_fn progress,
                                           void* user_data);
/* out (n x m) = W (n x r) * H (r x m); NMFKIT_NOT_FINITE_RESULT where a product exceeds the type's range. */
nmfkit_status nmfkit_inverse_transform_f32(const float* W, size_t ldw, const float* H, size_t ldh, size_t n,
                                           size_t rank, size_t m, float* out, size_t ldo);
nmfkit_status nmfkit_beta_divergence_f32(const float* X, size_t n, size_t m, size_t ldx, const float* W, size_t ldw,
                                         const float* H, size_t ldh, size_t rank, double beta, double* loss);

/* The same with an executor (NULL: the caller's thread); the solver keeps a copy of *exec for its
 * later calls (exec->self must outlive them) until nmfkit_solver_set_executor_f32 replaces it. */
nmfkit_status nmfkit_fit_ex_f32(const float* X, size_t n, size_t m, size_t ldx, float* W, size_t ldw, float* H,
                                size_t ldh, const nmfkit_options* opt, void* workspace, size_t workspace_bytes,
                                nmfkit_result* out, nmfkit_progress_fn progress, void* user_data,
                                const nmfkit_executor* exec);
nmfkit_status nmfkit_solver_start_ex_f32(const float* X, size_t n, size_t m, size_t ldx, float* W, size_t ldw, float* H,
                                         size_t ldh, const nmfkit_options* opt, void* workspace, size_t workspace_bytes,
                                         nmfkit_result* out, const nmfkit_executor* exec);
nmfkit_status nmfkit_solver_set_executor_f32(void* workspace, const nmfkit_executor* exec);
nmfkit_status nmfkit_transform_ex_f32(const float* X, size_t n, size_t m, size_t ldx, const float* H, size_t ldh,
                                      float* W, size_t ldw, const nmfkit_options* opt, void* workspace,
                                      size_t workspace_bytes, nmfkit_result* out, nmfkit_progress_fn progress,
                                      void* user_data, const nmfkit_executor* exec);
nmfkit_status nmfkit_transform_columns_ex_f32(const float* X, size_t n, size_t m, size_t ldx, const float* W,
                                              size_t ldw, float* H, size_t ldh, const nmfkit_options* opt,
                                              void* workspace, size_t workspace_bytes, nmfkit_result* out,
                                              nmfkit_progress_fn progress, void* user_data,
                                              const nmfkit_executor* exec);

/* ---- float64: the same functions on double ------------------------------------- */
nmfkit_status nmfkit_workspace_size_f64(size_t n, size_t m, const nmfkit_options* opt, size_t* bytes);
nmfkit_status nmfkit_fit_f64(const double* X, size_t n, size_t m, size_t ldx, double* W, size_t ldw, double* H,
                             size_t ldh, const nmfkit_options* opt, void* workspace, size_t workspace_bytes,
                             nmfkit_result* out, nmfkit_progress_fn progress, void* user_data);
nmfkit_status nmfkit_solver_start_f64(const double* X, size_t n, size_t m, size_t ldx, double* W, size_t ldw, double* H,
                                      size_t ldh, const nmfkit_options* opt, void* workspace, size_t workspace_bytes,
                                      nmfkit_result* out);
nmfkit_status nmfkit_solver_run_f64(void* workspace, uint32_t iterations, nmfkit_result* out);
nmfkit_status nmfkit_solver_finish_f64(void* workspace, nmfkit_result* out);
const char* nmfkit_kernel_name_f64(const void* workspace);
nmfkit_status nmfkit_random_init_f64(const double* X, size_t n, size_t m, size_t ldx, double* W, size_t ldw, double* H,
                                     size_t ldh, size_t rank, uint64_t seed, nmfkit_result* out);
nmfkit_status nmfkit_loss_f64(const double* X, size_t n, size_t m, size_t ldx, const double* W, size_t ldw,
                              const double* H, size_t ldh, size_t rank, double* loss);
/* Transform (scikit-learn's NMF.transform): solve W (n x r) for X ~= W*H with H fixed. */
nmfkit_status nmfkit_transform_f64(const double* X, size_t n, size_t m, size_t ldx, const double* H, size_t ldh,
                                   double* W, size_t ldw, const nmfkit_options* opt, void* workspace,
                                   size_t workspace_bytes, nmfkit_result* out, nmfkit_progress_fn progress,
                                   void* user_data);
/* The mirror: solve H (r x m) with W fixed. */
nmfkit_status nmfkit_transform_columns_f64(const double* X, size_t n, size_t m, size_t ldx, const double* W, size_t ldw,
                                           double* H, size_t ldh, const nmfkit_options* opt, void* workspace,
                                           size_t workspace_bytes, nmfkit_result* out, nmfkit_progress_fn progress,
                                           void* user_data);
/* out (n x m) = W (n x r) * H (r x m); NMFKIT_NOT_FINITE_RESULT where a product exceeds the type's range. */
nmfkit_status nmfkit_inverse_transform_f64(const double* W, size_t ldw, const double* H, size_t ldh, size_t n,
                                           size_t rank, size_t m, double* out, size_t ldo);
nmfkit_status nmfkit_beta_divergence_f64(const double* X, size_t n, size_t m, size_t ldx, const double* W, size_t ldw,
                                         const double* H, size_t ldh, size_t rank, double beta, double* loss);

/* The same with an executor (NULL: the caller's thread); the solver keeps a copy of *exec for its
 * later calls (exec->self must outlive them) until nmfkit_solver_set_executor_f64 replaces it. */
nmfkit_status nmfkit_fit_ex_f64(const double* X, size_t n, size_t m, size_t ldx, double* W, size_t ldw, double* H,
                                size_t ldh, const nmfkit_options* opt, void* workspace, size_t workspace_bytes,
                                nmfkit_result* out, nmfkit_progress_fn progress, void* user_data,
                                const nmfkit_executor* exec);
nmfkit_status nmfkit_solver_start_ex_f64(const double* X, size_t n, size_t m, size_t ldx, double* W, size_t ldw,
                                         double* H, size_t ldh, const nmfkit_options* opt, void* workspace,
                                         size_t workspace_bytes, nmfkit_result* out, const nmfkit_executor* exec);
nmfkit_status nmfkit_solver_set_executor_f64(void* workspace, const nmfkit_executor* exec);
nmfkit_status nmfkit_transform_ex_f64(const double* X, size_t n, size_t m, size_t ldx, const double* H, size_t ldh,
                                      double* W, size_t ldw, const nmfkit_options* opt, void* workspace,
                                      size_t workspace_bytes, nmfkit_result* out, nmfkit_progress_fn progress,
                                      void* user_data, const nmfkit_executor* exec);
nmfkit_status nmfkit_transform_columns_ex_f64(const double* X, size_t n, size_t m, size_t ldx, const double* W,
                                              size_t ldw, double* H, size_t ldh, const nmfkit_options* opt,
                                              void* workspace, size_t workspace_bytes, nmfkit_result* out,
                                              nmfkit_progress_fn progress, void* user_data,
                                              const nmfkit_executor* exec);

/* Sparse X in CSR form (nmfkit::csr_view): indptr holds n + 1 64-bit row offsets (indptr[0] = 0,
 * never decreasing, indptr[n] = nnz), indices nnz column indices (< m, increasing within a row),
 * values nnz values or NULL (every stored value is 1). The unstored entries are zeros, or missing
 * under opt->missing = NMFKIT_MISSING_UNSTORED. Validation errors (NMFKIT_CSR_*, NMFKIT_X_*) fill
 * out->bad_row and out->bad_entry (the entry's offset in indices/values).
 * float32: workspace_size_csr sizes the workspace of fit_csr and solver_start_csr (then driven by
 * nmfkit_solver_run_f32 / _finish_f32 like a dense one); transform_csr and transform_columns_csr
 * solve W (H fixed) and H (W fixed); beta_divergence_csr sums over the stored entries only when
 * missing is NMFKIT_MISSING_UNSTORED. */
nmfkit_status nmfkit_workspace_size_csr_f32(size_t n, size_t m, size_t nnz, const nmfkit_options* opt, size_t* bytes);
nmfkit_status nmfkit_fit_csr_f32(size_t n, size_t m, size_t nnz, const uint64_t* indptr, const uint32_t* indices,
                                 const float* values, float* W, size_t ldw, float* H, size_t ldh,
                                 const nmfkit_options* opt, void* workspace, size_t workspace_bytes, nmfkit_result* out,
                                 nmfkit_progress_fn progress, void* user_data);
nmfkit_status nmfkit_solver_start_csr_f32(size_t n, size_t m, size_t nnz, const uint64_t* indptr,
                                          const uint32_t* indices, const float* values, float* W, size_t ldw, float* H,
                                          size_t ldh, const nmfkit_options* opt, void* workspace,
                                          size_t workspace_bytes, nmfkit_result* out);
nmfkit_status nmfkit_transform_csr_f32(size_t n, size_t m, size_t nnz, const uint64_t* indptr, const uint32_t* indices,
                                       const float* values, const float* H, size_t ldh, float* W, size_t ldw,
                                       const nmfkit_options* opt, void* workspace, size_t workspace_bytes,
                                       nmfkit_result* out, nmfkit_progress_fn progress, void* user_data);
nmfkit_status nmfkit_transform_columns_csr_f32(size_t n, size_t m, size_t nnz, const uint64_t* indptr,
                                               const uint32_t* indices, const float* values, const float* W, size_t ldw,
                                               float* H, size_t ldh, const nmfkit_options* opt, void* workspace,
                                               size_t workspace_bytes, nmfkit_result* out, nmfkit_progress_fn progress,
                                               void* user_data);
nmfkit_status nmfkit_beta_divergence_csr_f32(size_t n, size_t m, size_t nnz, const uint64_t* indptr,
                                             const uint32_t* indices, const float* values, const float* W, size_t ldw,
                                             const float* H, size_t ldh, size_t rank, double beta, int32_t missing,
                                             double* loss);

/* With an executor, as nmfkit_fit_ex_f32. */
nmfkit_status nmfkit_fit_csr_ex_f32(size_t n, size_t m, size_t nnz, const uint64_t* indptr, const uint32_t* indices,
                                    const float* values, float* W, size_t ldw, float* H, size_t ldh,
                                    const nmfkit_options* opt, void* workspace, size_t workspace_bytes,
                                    nmfkit_result* out, nmfkit_progress_fn progress, void* user_data,
                                    const nmfkit_executor* exec);
nmfkit_status nmfkit_solver_start_csr_ex_f32(size_t n, size_t m, size_t nnz, const uint64_t* indptr,
                                             const uint32_t* indices, const float* values, float* W, size_t ldw,
                                             float* H, size_t ldh, const nmfkit_options* opt, void* workspace,
                                             size_t workspace_bytes, nmfkit_result* out, const nmfkit_executor* exec);
nmfkit_status nmfkit_transform_csr_ex_f32(size_t n, size_t m, size_t nnz, const uint64_t* indptr,
                                          const uint32_t* indices, const float* values, const float* H, size_t ldh,
                                          float* W, size_t ldw, const nmfkit_options* opt, void* workspace,
                                          size_t workspace_bytes, nmfkit_result* out, nmfkit_progress_fn progress,
                                          void* user_data, const nmfkit_executor* exec);
nmfkit_status nmfkit_transform_columns_csr_ex_f32(size_t n, size_t m, size_t nnz, const uint64_t* indptr,
                                                  const uint32_t* indices, const float* values, const float* W,
                                                  size_t ldw, float* H, size_t ldh, const nmfkit_options* opt,
                                                  void* workspace, size_t workspace_bytes, nmfkit_result* out,
                                                  nmfkit_progress_fn progress, void* user_data,
                                                  const nmfkit_executor* exec);

/* float64: the same functions on double. */
nmfkit_status nmfkit_workspace_size_csr_f64(size_t n, size_t m, size_t nnz, const nmfkit_options* opt, size_t* bytes);
nmfkit_status nmfkit_fit_csr_f64(size_t n, size_t m, size_t nnz, const uint64_t* indptr, const uint32_t* indices,
                                 const double* values, double* W, size_t ldw, double* H, size_t ldh,
                                 const nmfkit_options* opt, void* workspace, size_t workspace_bytes, nmfkit_result* out,
                                 nmfkit_progress_fn progress, void* user_data);
nmfkit_status nmfkit_solver_start_csr_f64(size_t n, size_t m, size_t nnz, const uint64_t* indptr,
                                          const uint32_t* indices, const double* values, double* W, size_t ldw,
                                          double* H, size_t ldh, const nmfkit_options* opt, void* workspace,
                                          size_t workspace_bytes, nmfkit_result* out);
nmfkit_status nmfkit_transform_csr_f64(size_t n, size_t m, size_t nnz, const uint64_t* indptr, const uint32_t* indices,
                                       const double* values, const double* H, size_t ldh, double* W, size_t ldw,
                                       const nmfkit_options* opt, void* workspace, size_t workspace_bytes,
                                       nmfkit_result* out, nmfkit_progress_fn progress, void* user_data);
nmfkit_status nmfkit_transform_columns_csr_f64(size_t n, size_t m, size_t nnz, const uint64_t* indptr,
                                               const uint32_t* indices, const double* values, const double* W,
                                               size_t ldw, double* H, size_t ldh, const nmfkit_options* opt,
                                               void* workspace, size_t workspace_bytes, nmfkit_result* out,
                                               nmfkit_progress_fn progress, void* user_data);
nmfkit_status nmfkit_beta_divergence_csr_f64(size_t n, size_t m, size_t nnz, const uint64_t* indptr,
                                             const uint32_t* indices, const double* values, const double* W, size_t ldw,
                                             const double* H, size_t ldh, size_t rank, double beta, int32_t missing,
                                             double* loss);

/* With an executor, as nmfkit_fit_ex_f64. */
nmfkit_status nmfkit_fit_csr_ex_f64(size_t n, size_t m, size_t nnz, const uint64_t* indptr, const uint32_t* indices,
                                    const double* values, double* W, size_t ldw, double* H, size_t ldh,
                                    const nmfkit_options* opt, void* workspace, size_t workspace_bytes,
                                    nmfkit_result* out, nmfkit_progress_fn progress, void* user_data,
                                    const nmfkit_executor* exec);
nmfkit_status nmfkit_solver_start_csr_ex_f64(size_t n, size_t m, size_t nnz, const uint64_t* indptr,
                                             const uint32_t* indices, const double* values, double* W, size_t ldw,
                                             double* H, size_t ldh, const nmfkit_options* opt, void* workspace,
                                             size_t workspace_bytes, nmfkit_result* out, const nmfkit_executor* exec);
nmfkit_status nmfkit_transform_csr_ex_f64(size_t n, size_t m, size_t nnz, const uint64_t* indptr,
                                          const uint32_t* indices, const double* values, const double* H, size_t ldh,
                                          double* W, size_t ldw, const nmfkit_options* opt, void* workspace,
                                          size_t workspace_bytes, nmfkit_result* out, nmfkit_progress_fn progress,
                                          void* user_data, const nmfkit_executor* exec);
nmfkit_status nmfkit_transform_columns_csr_ex_f64(size_t n, size_t m, size_t nnz, const uint64_t* indptr,
                                                  const uint32_t* indices, const double* values, const double* W,
                                                  size_t ldw, double* H, size_t ldh, const nmfkit_options* opt,
                                                  void* workspace, size_t workspace_bytes, nmfkit_result* out,
                                                  nmfkit_progress_fn progress, void* user_data,
                                                  const nmfkit_executor* exec);

/* Truncated SVD (PCA): X (n x m, any finite values) ~= U (n x k) * diag(sigma) * Vt (k x m),
 * the k leading singular triplets, sigma descending (k doubles); nmfkit::truncated_svd explains
 * the method and the statuses. The workspace (aligned to 64 bytes) holds
 * nmfkit_svd_workspace_size_*() bytes. */
nmfkit_status nmfkit_svd_workspace_size_f32(size_t n, size_t m, size_t k, size_t* bytes);
nmfkit_status nmfkit_truncated_svd_f32(const float* X, size_t n, size_t m, size_t ldx, size_t k, uint64_t seed,
                                       float* U, size_t ldu, double* sigma, float* Vt, size_t ldvt, void* workspace,
                                       size_t workspace_bytes);
nmfkit_status nmfkit_svd_workspace_size_f64(size_t n, size_t m, size_t k, size_t* bytes);
nmfkit_status nmfkit_truncated_svd_f64(const double* X, size_t n, size_t m, size_t ldx, size_t k, uint64_t seed,
                                       double* U, size_t ldu, double* sigma, double* Vt, size_t ldvt, void* workspace,
                                       size_t workspace_bytes);

/* ---- Rank selection, restarts, consensus and quality measures (nmfkit/rank.hpp explains each).
 * The rank search's state lives in its workspace (the pointer is the handle), as the solver's.
 * flags: NMFKIT_RANK_NO_CONSENSUS skips the consensus (no m(m-1)/2 distance matrix).
 * nmfkit_rank_run_*: progress (NULL or 8 doubles) gets rank_index, rank, rep, restart, iteration,
 * max_iter, fits_done, fits_total. nmfkit_rank_scores_*: 8 doubles per rank: rank, reps_done,
 * train, train_sd, test, test_sd, cophenetic, dispersion (NaN where not done). */
#define NMFKIT_RANK_NO_CONSENSUS 1u
/* flags |= NMFKIT_RANK_PARALLEL_FITS(n): n fits at once (1..255; rank_options::parallel_fits). */
#define NMFKIT_RANK_PARALLEL_FITS(n) (((uint32_t)(n)&0xffu) << 8)
#define NMFKIT_RANK_PROGRESS_FIELDS 8
#define NMFKIT_RANK_SCORE_FIELDS 8
#define NMFKIT_RANK_DECLARE(SUFFIX, T)                                                                                 \
    nmfkit_status nmfkit_rank_workspace_size_##SUFFIX(size_t n, size_t m, const nmfkit_options* opt,                   \
                                                      const uint32_t* ranks, size_t n_ranks, uint32_t reps,            \
                                                      uint32_t restarts, double test_fraction, uint32_t flags,         \
                                                      size_t* bytes);                                                  \
    nmfkit_status nmfkit_rank_workspace_size_csr_##SUFFIX(size_t n, size_t m, size_t nnz, const nmfkit_options* opt,   \
                                                          const uint32_t* ranks, size_t n_ranks, uint32_t reps,        \
                                                          uint32_t restarts, double test_fraction, uint32_t flags,     \
                                                          size_t* bytes);                                              \
    nmfkit_status nmfkit_rank_start_##SUFFIX(const T* X, size_t n, size_t m, size_t ldx, const nmfkit_options* opt,    \
                                             const uint32_t* ranks, size_t n_ranks, uint32_t reps, uint32_t restarts,  \
                                             double test_fraction, uint64_t cv_seed, uint32_t flags, void* workspace,  \
                                             size_t workspace_bytes, const nmfkit_executor* exec);                     \
    nmfkit_status nmfkit_rank_start_csr_##SUFFIX(size_t n, size_t m, size_t nnz, const uint64_t* indptr,               \
                                                 const uint32_t* indices, const T* values, const nmfkit_options* opt,  \
                                                 const uint32_t* ranks, size_t n_ranks, uint32_t reps,                 \
                                                 uint32_t restarts, double test_fraction, uint64_t cv_seed,            \
                                                 uint32_t flags, void* workspace, size_t workspace_bytes,              \
                                                 const nmfkit_executor* exec);                                         \
    nmfkit_status nmfkit_rank_run_##SUFFIX(void* workspace, uint32_t iterations, double* progress);                    \
    int32_t nmfkit_rank_done_##SUFFIX(const void* workspace);                                                          \
    nmfkit_status nmfkit_rank_scores_##SUFFIX(const void* workspace, double* out, size_t n_ranks);                     \
    nmfkit_status nmfkit_rank_suggested_##SUFFIX(const void* workspace, uint32_t* best, uint32_t* best_1se,            \
                                                 uint64_t* test_entries);                                              \
    nmfkit_status nmfkit_restarts_workspace_size_##SUFFIX(size_t n, size_t m, const nmfkit_options* opt,               \
                                                          size_t* bytes);                                              \
    nmfkit_status nmfkit_fit_restarts_##SUFFIX(const T* X, size_t n, size_t m, size_t ldx, T* W, size_t ldw, T* H,     \
                                               size_t ldh, const nmfkit_options* opt, uint32_t n_restarts,             \
                                               void* workspace, size_t workspace_bytes, nmfkit_result* out,            \
                                               uint32_t* best, const nmfkit_executor* exec);                           \
    nmfkit_status nmfkit_explained_variance_##SUFFIX(const T* X, size_t n, size_t m, size_t ldx, const T* W,           \
                                                     size_t ldw, const T* H, size_t ldh, size_t rank, double* out);    \
    nmfkit_status nmfkit_hoyer_sparseness_##SUFFIX(const T* W, size_t n, size_t ldw, const T* H, size_t m, size_t ldh, \
                                                   size_t rank, double* w, double* h);                                 \
    nmfkit_status nmfkit_component_contribution_##SUFFIX(const T* W, size_t n, size_t ldw, const T* H, size_t m,       \
                                                         size_t ldh, size_t rank, double* out);                        \
    nmfkit_status nmfkit_canonicalize_##SUFFIX(T* W, size_t n, size_t ldw, T* H, size_t m, size_t ldh, size_t rank);
NMFKIT_RANK_DECLARE(f32, float)
NMFKIT_RANK_DECLARE(f64, double)
#undef NMFKIT_RANK_DECLARE
nmfkit_status nmfkit_consensus_workspace_size(size_t m, size_t* bytes);
nmfkit_status nmfkit_consensus_measures(const uint32_t* labels, size_t runs, size_t m, void* workspace,
                                        size_t workspace_bytes, double* cophenetic, double* dispersion);

#ifdef __cplusplus
}
#endif

#endif /* NMFKIT_NMFKIT_H */
