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

#ifdef __cplusplus
extern "C" {
#endif

typedef int32_t nmfkit_status;
enum {
    NMFKIT_OK = 0,
    NMFKIT_NULL_POINTER = 1,
    NMFKIT_EMPTY_DIMENSION = 2,
    NMFKIT_ZERO_RANK = 3,
    NMFKIT_SHAPE_MISMATCH = 4,
    NMFKIT_STRIDE_TOO_SMALL = 5,
    NMFKIT_SIZE_OVERFLOW = 6,
    NMFKIT_WORKSPACE_TOO_SMALL = 7,
    NMFKIT_WORKSPACE_MISALIGNED = 8,
    NMFKIT_X_NOT_FINITE = 9,
    NMFKIT_X_NEGATIVE = 10,
    NMFKIT_INIT_NOT_FINITE = 11,
    NMFKIT_INIT_NEGATIVE = 12,
    NMFKIT_INVALID_INIT = 13,
    NMFKIT_INVALID_TOL = 14,
    NMFKIT_INVALID_EPSILON = 15,
    NMFKIT_INVALID_CHECK_EVERY = 16,
    NMFKIT_INVALID_KERNEL = 17,
    NMFKIT_NOT_STARTED = 18,
    NMFKIT_CANCELLED = 19,
    NMFKIT_BUFFERS_OVERLAP = 20,
    NMFKIT_X_NOT_POSITIVE = 21,
    NMFKIT_INVALID_BETA = 22,
    NMFKIT_INVALID_ALPHA = 23,
    NMFKIT_INVALID_L1_RATIO = 24,
    NMFKIT_INVALID_SOLVER = 25,
    NMFKIT_RANK_TOO_LARGE = 26,
    NMFKIT_TRANSFORM_SHAPE_MISMATCH = 27,
    NMFKIT_NOT_BUILT = 28
};

enum {
    NMFKIT_INIT_RANDOM = 0,
    NMFKIT_INIT_CUSTOM = 1,
    NMFKIT_INIT_NNDSVD = 2,
    NMFKIT_INIT_NNDSVDA = 3,
    NMFKIT_INIT_NNDSVDAR = 4
};
enum { NMFKIT_SOLVER_MU = 0, NMFKIT_SOLVER_AMU = 1 };
enum { NMFKIT_KERNEL_AUTO = 0, NMFKIT_KERNEL_SCALAR = 1 };
enum { NMFKIT_MATRIX_NONE = 0, NMFKIT_MATRIX_X = 1, NMFKIT_MATRIX_W = 2, NMFKIT_MATRIX_H = 3 };

#define NMFKIT_WORKSPACE_ALIGNMENT 64

/* Options; the byte offsets are part of the ABI (the JS wrapper writes them). Fill with
 * nmfkit_options_default() first. See nmfkit::options for the meaning of each field;
 * in short: stop when (e_prev - e) / e_0 < tol at every check_every-th iteration,
 * e = ||X - WH||_F. */
typedef struct nmfkit_options {
    uint64_t rank;         /*  0: r >= 1 */
    uint32_t max_iter;     /*  8: default 200 */
    uint32_t check_every;  /* 12: default 10 */
    double tol;            /* 16: default 1e-4; 0 never stops early */
    double epsilon;        /* 24: zero-denominator guard, default 2^-23 */
    uint64_t seed;         /* 32: default 0 */
    int32_t init;          /* 40: NMFKIT_INIT_* (CUSTOM: W, H hold W0, H0) */
    int32_t kernel;        /* 44: NMFKIT_KERNEL_AUTO or NMFKIT_KERNEL_SCALAR */
    double beta;           /* 48: beta-divergence: 2 Frobenius (default), 1 KL, 0 Itakura-Saito */
    double alpha_w;        /* 56: penalty weight on W (scikit-learn's alpha_W), default 0 */
    double alpha_h;        /* 64: penalty weight on H (alpha_H), default 0 */
    double l1_ratio;       /* 72: share of L1 in the penalties, in [0, 1], default 0 */
    int32_t solver;        /* 80: NMFKIT_SOLVER_MU (default) or NMFKIT_SOLVER_AMU (beta = 2 only) */
    int32_t reserved;      /* 84: must be 0 */
} nmfkit_options;          /* 88 bytes */

typedef struct nmfkit_result {
    uint32_t iterations;   /*  0: iterations run */
    int32_t converged;     /*  4: 1 if the tol rule stopped the run */
    double loss;           /*  8: D_beta(X | WH); 1/2 ||X - WH||_F^2 for beta = 2 */
    double relative_error; /* 16: ||X - WH||_F / ||X||_F (0 if X == 0) */
    int32_t bad_matrix;    /* 24: NMFKIT_MATRIX_* holding the first bad entry, on x_/init_ errors */
    int32_t done;          /* 28: 1 once max_iter is reached or the run converged */
    uint64_t bad_row;      /* 32 */
    uint64_t bad_col;      /* 40 */
    double objective;      /* 48: loss + penalties */
} nmfkit_result;           /* 56 bytes */

/* Called at every check (every check_every iterations) and after the last iteration;
 * return 0 to stop the fit (it then returns NMFKIT_CANCELLED). */
typedef int (*nmfkit_progress_fn)(uint32_t iteration, uint32_t max_iter, double loss,
                                  double relative_error, void* user_data);

const char* nmfkit_version(void);
/* Static strings; never NULL. */
const char* nmfkit_status_message(nmfkit_status s);
const char* nmfkit_status_name(nmfkit_status s);
void nmfkit_options_default(nmfkit_options* opt);
/* sizeof(nmfkit_options) and sizeof(nmfkit_result) as compiled, for FFI layout checks. */
size_t nmfkit_sizeof_options(void);
size_t nmfkit_sizeof_result(void);

/* ---- float32 ------------------------------------------------------------------ */
nmfkit_status nmfkit_workspace_size_f32(size_t n, size_t m, const nmfkit_options* opt, size_t* bytes);
nmfkit_status nmfkit_fit_f32(const float* X, size_t n, size_t m, size_t ldx, float* W, size_t ldw,
                             float* H, size_t ldh, const nmfkit_options* opt, void* workspace,
                             size_t workspace_bytes, nmfkit_result* out, nmfkit_progress_fn progress,
                             void* user_data);
/* Resumable solver: its state lives in the workspace, so the workspace is the handle.
 * start validates and initializes; run does at most `iterations` more iterations
 * (res->done tells when to stop); finish computes the exact final loss. */
nmfkit_status nmfkit_solver_start_f32(const float* X, size_t n, size_t m, size_t ldx, float* W,
                                      size_t ldw, float* H, size_t ldh, const nmfkit_options* opt,
                                      void* workspace, size_t workspace_bytes, nmfkit_result* out);
nmfkit_status nmfkit_solver_run_f32(void* workspace, uint32_t iterations, nmfkit_result* out);
nmfkit_status nmfkit_solver_finish_f32(void* workspace, nmfkit_result* out);
/* Name of the kernel set: the solver's, or with workspace == NULL the automatic choice. */
const char* nmfkit_kernel_name_f32(const void* workspace);
nmfkit_status nmfkit_random_init_f32(const float* X, size_t n, size_t m, size_t ldx, float* W,
                                     size_t ldw, float* H, size_t ldh, size_t rank, uint64_t seed,
                                     nmfkit_result* out);
nmfkit_status nmfkit_loss_f32(const float* X, size_t n, size_t m, size_t ldx, const float* W,
                              size_t ldw, const float* H, size_t ldh, size_t rank, double* loss);
/* Transform (scikit-learn's NMF.transform): solve W (n x r) for X ~= W*H with H fixed. */
nmfkit_status nmfkit_transform_f32(const float* X, size_t n, size_t m, size_t ldx, const float* H, size_t ldh,
                                float* W, size_t ldw, const nmfkit_options* opt, void* workspace,
                                size_t workspace_bytes, nmfkit_result* out, nmfkit_progress_fn progress,
                                void* user_data);
/* The mirror: solve H (r x m) with W fixed. */
nmfkit_status nmfkit_transform_columns_f32(const float* X, size_t n, size_t m, size_t ldx, const float* W,
                                        size_t ldw, float* H, size_t ldh, const nmfkit_options* opt,
                                        void* workspace, size_t workspace_bytes, nmfkit_result* out,
                                        nmfkit_progress_fn progress, void* user_data);
/* out (n x m) = W (n x r) * H (r x m). */
nmfkit_status nmfkit_inverse_transform_f32(const float* W, size_t ldw, const float* H, size_t ldh, size_t n,
                                        size_t rank, size_t m, float* out, size_t ldo);
nmfkit_status nmfkit_beta_divergence_f32(const float* X, size_t n, size_t m, size_t ldx, const float* W,
                                      size_t ldw, const float* H, size_t ldh, size_t rank, double beta,
                                      double* loss);

/* ---- float64: the same functions on double ------------------------------------- */
nmfkit_status nmfkit_workspace_size_f64(size_t n, size_t m, const nmfkit_options* opt, size_t* bytes);
nmfkit_status nmfkit_fit_f64(const double* X, size_t n, size_t m, size_t ldx, double* W, size_t ldw,
                             double* H, size_t ldh, const nmfkit_options* opt, void* workspace,
                             size_t workspace_bytes, nmfkit_result* out, nmfkit_progress_fn progress,
                             void* user_data);
nmfkit_status nmfkit_solver_start_f64(const double* X, size_t n, size_t m, size_t ldx, double* W,
                                      size_t ldw, double* H, size_t ldh, const nmfkit_options* opt,
                                      void* workspace, size_t workspace_bytes, nmfkit_result* out);
nmfkit_status nmfkit_solver_run_f64(void* workspace, uint32_t iterations, nmfkit_result* out);
nmfkit_status nmfkit_solver_finish_f64(void* workspace, nmfkit_result* out);
const char* nmfkit_kernel_name_f64(const void* workspace);
nmfkit_status nmfkit_random_init_f64(const double* X, size_t n, size_t m, size_t ldx, double* W,
                                     size_t ldw, double* H, size_t ldh, size_t rank, uint64_t seed,
                                     nmfkit_result* out);
nmfkit_status nmfkit_loss_f64(const double* X, size_t n, size_t m, size_t ldx, const double* W,
                              size_t ldw, const double* H, size_t ldh, size_t rank, double* loss);
/* Transform (scikit-learn's NMF.transform): solve W (n x r) for X ~= W*H with H fixed. */
nmfkit_status nmfkit_transform_f64(const double* X, size_t n, size_t m, size_t ldx, const double* H, size_t ldh,
                                double* W, size_t ldw, const nmfkit_options* opt, void* workspace,
                                size_t workspace_bytes, nmfkit_result* out, nmfkit_progress_fn progress,
                                void* user_data);
/* The mirror: solve H (r x m) with W fixed. */
nmfkit_status nmfkit_transform_columns_f64(const double* X, size_t n, size_t m, size_t ldx, const double* W,
                                        size_t ldw, double* H, size_t ldh, const nmfkit_options* opt,
                                        void* workspace, size_t workspace_bytes, nmfkit_result* out,
                                        nmfkit_progress_fn progress, void* user_data);
/* out (n x m) = W (n x r) * H (r x m). */
nmfkit_status nmfkit_inverse_transform_f64(const double* W, size_t ldw, const double* H, size_t ldh, size_t n,
                                        size_t rank, size_t m, double* out, size_t ldo);
nmfkit_status nmfkit_beta_divergence_f64(const double* X, size_t n, size_t m, size_t ldx, const double* W,
                                      size_t ldw, const double* H, size_t ldh, size_t rank, double beta,
                                      double* loss);

#ifdef __cplusplus
}
#endif

#endif /* NMFKIT_NMFKIT_H */
