// nmfkit: non-negative matrix factorization, X (n×m, X ≥ 0) ≈ W·H with W (n×r) ≥ 0,
// H (r×m) ≥ 0, by multiplicative updates: Lee & Seung's for the Frobenius loss
// ("Algorithms for Non-negative Matrix Factorization", NIPS 2000),
//
//     W ← W ∘ (X·Hᵀ) ⊘ (W·H·Hᵀ)        H ← H ∘ (Wᵀ·X) ⊘ (WᵀW·H)
//
// and Févotte & Idier's for any β-divergence (KL, Itakura-Saito, ...), with optional
// elastic-net penalties, NNDSVD initializations, transform and accelerated MU.
// One iteration updates W, then H (scikit-learn's order, so results can be checked
// against NMF(solver='mu')).
//
// Memory model: the caller owns all memory. Ask workspace_size() how many bytes a
// problem needs, hand that buffer to fit() (or solver::start()), and the library
// performs no heap allocation, throws nothing, never aborts and never prints. Every
// failure is a `status`. Buffers are read through non-owning row-major views with
// an explicit row stride, so std::vector, numpy arrays and JS typed arrays are used
// in place, without copies.
//
//     #include <nmfkit/nmfkit.hpp>
//     std::vector<float> X(n * m), W(n * r), H(r * m);      // X filled by you
//     nmfkit::options opt;  opt.rank = r;  opt.seed = 42;
//     std::size_t bytes = 0;
//     if (nmfkit::workspace_size<float>(n, m, opt, bytes) != nmfkit::status::ok) ...;
//     std::vector<std::byte> ws(bytes + nmfkit::workspace_alignment);
//     nmfkit::result res;
//     nmfkit::status st = nmfkit::fit<float>({X.data(), n, m}, {W.data(), n, r}, {H.data(), r, m},
//                                            opt, nmfkit::align_workspace(ws.data(), ws.size()),
//                                            bytes, res);
//
// nmfkit/nmfkit.h is the same library behind a C API (used by the WebAssembly build).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "nmfkit/version.h"  // NMFKIT_VERSION_MAJOR/MINOR/PATCH/STRING, from CMake's project()

namespace nmfkit {

// ------------------------------------------------------------------------------------
// Status codes (nmfkit/abi.def lists them with their messages). The numeric values are
// pinned: they cross the C API and the WebAssembly boundary and will never be
// renumbered. 0 is success. On x_not_finite, x_negative, x_not_positive, init_not_finite,
// init_negative and the csr_* statuses, result.bad_matrix/bad_row/bad_col (and, for a sparse
// X, bad_entry) say where the first bad entry is.
// ------------------------------------------------------------------------------------
enum class status : std::int32_t {
#define NMFKIT_STATUS(value, name, NAME, message) name = value,
#include "abi.def"
};

// A short, static, human-readable description of a status ("X contains a negative
// entry", ...). Never null; unknown values give "unknown status".
const char* status_message(status s) noexcept;

// The machine-readable name of a status, equal to its enumerator ("x_negative").
const char* status_name(status s) noexcept;

// ------------------------------------------------------------------------------------
// Matrix views: non-owning, row-major, unit column stride, explicit row stride
// (leading dimension) in elements. Element (i, j) is data[i * stride + j].
// stride == 0 means "tightly packed" (stride = cols).
// ------------------------------------------------------------------------------------
template <class T>
struct matrix_view {
    T* data = nullptr;
    std::size_t rows = 0;
    std::size_t cols = 0;
    std::size_t stride = 0;

    constexpr matrix_view() noexcept = default;
    constexpr matrix_view(T* d, std::size_t r, std::size_t c, std::size_t s = 0) noexcept
        : data(d), rows(r), cols(c), stride(s == 0 ? c : s) {}
    // A view of non-const T converts to a view of const T.
    template <class U>
    constexpr matrix_view(const matrix_view<U>& o) noexcept
        : data(o.data), rows(o.rows), cols(o.cols), stride(o.stride) {}

    constexpr T& operator()(std::size_t i, std::size_t j) const noexcept { return data[i * stride + j]; }
    constexpr T* row(std::size_t i) const noexcept { return data + i * stride; }
};

template <class T>
using const_matrix_view = matrix_view<const T>;

// ------------------------------------------------------------------------------------
// Sparse X: a non-owning view of a rows×cols matrix in CSR (compressed sparse row) form,
// scipy.sparse.csr_matrix's layout with its names:
//   indptr   rows + 1 row offsets, 64-bit on every target (so nnz > 2^32 works where the
//            address space allows it; JS and 32-bit callers widen their offsets once, O(rows)):
//            indptr[0] == 0, never decreasing, indptr[rows] == nnz; row i holds the entries
//            k in [indptr[i], indptr[i + 1])
//   indices  nnz column indices (32-bit: cols < 2^32), strictly increasing within a row
//   values   nnz values (finite, >= 0), or nullptr: every stored value is 1 (a pattern matrix,
//            e.g. Matrix Market `pattern`)
// The unstored entries are zeros, or missing under options::missing = unstored. fit() validates
// the arrays and reports the first bad entry (csr_* statuses; result.bad_row, bad_entry).
// ------------------------------------------------------------------------------------
template <class T>
struct csr_view {
    const std::uint64_t* indptr;
    const std::uint32_t* indices;
    const T* values;
    std::size_t rows;
    std::size_t cols;
    std::size_t nnz;

    constexpr csr_view() noexcept : indptr(nullptr), indices(nullptr), values(nullptr), rows(0), cols(0), nnz(0) {}
    constexpr csr_view(const std::uint64_t* p, const std::uint32_t* idx, const T* v, std::size_t r, std::size_t c,
                       std::size_t n) noexcept
        : indptr(p), indices(idx), values(v), rows(r), cols(c), nnz(n) {}
};

// ------------------------------------------------------------------------------------
// Options
// ------------------------------------------------------------------------------------
// How W0, H0 are made:
//   random    W0, H0 uniform in (0, 1) from nmfkit's own PCG32 stream seeded by `seed`, times
//             sqrt(mean(X) / rank) (scikit-learn's scale). W0 is drawn first (row-major), then
//             H0. Bit-identical on every platform, compiler and in WebAssembly.
//   custom    W and H hold the caller's W0, H0 on entry (non-negative and finite).
//   nndsvd*   Nonnegative double SVD (Boutsidis & Gallopoulos 2008) from a randomized truncated
//             SVD (seeded by `seed`); needs rank <= min(n, m). Entries below 1e-6 are zero:
//   nndsvd    ... and stay zero (multiplicative updates cannot move them: best for sparse results)
//   nndsvda   ... zeros replaced by mean(X) (the usual choice for MU)
//   nndsvdar  ... zeros replaced by uniform(0, mean(X) / 100) values from `seed`
enum class init_method : std::int32_t {
#define NMFKIT_INIT(value, id, ID, spelling) id = value,
#include "abi.def"
};

// Which multiplicative-update scheme runs:
//   mu   Lee & Seung / Févotte & Idier multiplicative updates, one W and one H update per iteration
//   amu  Accelerated MU (Gillis & Glineur 2012), beta = 2 only: each iteration reuses X·Hᵀ and
//        H·Hᵀ (resp. Wᵀ·X, Wᵀ·W) for up to 1 + 2·ρ cheap inner updates of W (resp. H), ρ being
//        the cost ratio of a product to an inner update, and stops an inner loop early once
//        ‖W⁽ˡ⁺¹⁾ − W⁽ˡ⁾‖_F ≤ 0.1·‖W⁽¹⁾ − W⁽⁰⁾‖_F.
//   hals Hierarchical alternating least squares (Cichocki & Phan 2009; scikit-learn's
//        solver='cd', shuffle=False), β = 2, every entry observed: from the products of MU
//        (X·Hᵀ, H·Hᵀ; Wᵀ·X, Wᵀ·W) each column t of W in turn gets its exact non-negative
//        least-squares update, W[:, t] ← max(0, W[:, t] − (W·(HHᵀ)[:, t] − (XHᵀ)[:, t]) / (HHᵀ)_tt)
//        (penalties: l1 off the numerator, l2 on the diagonal), then the rows of H likewise.
//        `cd` is the same value, by scikit-learn's name. The tol rule is nmfkit's (the error),
//        not scikit-learn's projected-gradient violation.
//   automatic ("auto", the default) hals where it applies (β = 2, every entry observed, a build
//        with HALS), else mu: the fastest to a given error on the benchmark's problems (README,
//        "Which solver when"); resolve_solver() says which. Bare-metal cores and the default
//        WebAssembly modules have MU only, so it is mu there.
enum class algorithm : std::int32_t {
#define NMFKIT_SOLVER(value, id, ID, spelling) id = value,
#include "abi.def"
};

// Which kernel set runs: automatic ("auto"), the fastest one the CPU supports; scalar, the
// plain C++ reference kernels (for testing and comparison).
enum class kernel_choice : std::int32_t {
#define NMFKIT_KERNEL(value, id, ID, spelling) id = value,
#include "abi.def"
};

// Which entries of X are unknown rather than measured (recommendations: the ratings a user has
// not given). The loss, the updates and relative_error then see the observed entries only: the
// weighted updates W ← W ∘ ((M∘X)·Hᵀ) ⊘ ((M∘(W·H))·Hᵀ) and mirror (β = 2), W ← W ∘ ((M∘X ⊘ W·H)·Hᵀ)
// ⊘ (M·Hᵀ) (β = 1), generally M∘ on both tiles, with M the 0/1 mask of observed entries.
//   none      every entry is observed (default); a NaN in X is an error (x_not_finite)
//   nan       dense X: NaN entries are missing (no mask memory); sparse X: invalid_missing
//   unstored  sparse X: the unstored entries are missing, the stored ones observed (cost
//             O(nnz·r) per iteration for β = 1, 2); dense X: invalid_missing
// A row (column) of X without an observed entry gets a zero row of W (column of H): nothing
// pulls it up, the update of an all-zero numerator is 0 (never NaN). transform() folds such a row
// in once it has entries. mean(X) (random init scale, transform start) is over observed entries.
enum class missing_entries : std::int32_t {
#define NMFKIT_MISSING(value, id, ID, spelling) id = value,
#include "abi.def"
};

struct options {
    std::size_t rank = 0;          // r, required (≥ 1; may exceed min(n, m))
    std::uint32_t max_iter = 200;  // iterations of (W update, H update); 0 only initializes
    // Convergence: every `check_every` iterations the solver computes the error
    // e_t = sqrt(2·D_β(X | W·H)) (= ‖X − W·H‖_F for β = 2) exactly, in tiles of W·H.
    // It stops when (e_prev − e_t) / e_0 < tol, where e_prev is the error at the
    // previous check (at iteration 0 for the first check) and e_0 the error of the
    // initial W0, H0. This is scikit-learn's rule for solver='mu' (check every
    // 10 iterations). tol == 0 never stops early (runs max_iter iterations).
    double tol = 1e-4;
    std::uint32_t check_every = 10;
    std::uint64_t seed = 0;  // for init_method::random
    init_method init = init_method::random;
    // Denominator guard: a denominator entry equal to 0 is replaced by epsilon.
    // Default: float32 machine epsilon, as scikit-learn.
    double epsilon = 1.1920928955078125e-07;
    kernel_choice kernel = kernel_choice::automatic;
    // Loss: the beta-divergence D_β(X | W·H). 2 = Frobenius (½‖X − WH‖²_F), 1 = generalized
    // Kullback-Leibler, 0 = Itakura-Saito, any real β otherwise. Updates use the
    // majorization-minimization exponent of Févotte & Idier (2011), γ = 1/(2−β) for β < 1,
    // 1 for 1 ≤ β ≤ 2, 1/(β−1) for β > 2, so the loss never increases. β ≤ 0 needs X > 0.
    double beta = 2;
    // Elastic-net penalties with scikit-learn's meaning (NMF(alpha_W, alpha_H, l1_ratio)):
    //   alpha_w·l1_ratio·m·‖W‖₁ + ½·alpha_w·(1 − l1_ratio)·m·‖W‖²_F
    // + alpha_h·l1_ratio·n·‖H‖₁ + ½·alpha_h·(1 − l1_ratio)·n·‖H‖²_F
    // for X n×m: the W terms scale with the number of columns m, the H terms with the
    // number of rows n, so the balance with the loss does not depend on the data size.
    double alpha_w = 0;
    double alpha_h = 0;
    double l1_ratio = 0;
    algorithm solver = algorithm::automatic;          // hals where it applies, else mu
    missing_entries missing = missing_entries::none;  // amu and hals need none
};

// The solver a fit, start or transform with these options runs: opt.solver itself, and for
// algorithm::automatic hals when β = 2, missing is none and this build has HALS, else mu.
algorithm resolve_solver(const options& opt) noexcept;

// ------------------------------------------------------------------------------------
// Results and progress
// ------------------------------------------------------------------------------------
enum class matrix_id : std::int32_t {
#define NMFKIT_MATRIX(value, id, ID, spelling) id = value,
#include "abi.def"
};

struct result {
    std::uint32_t iterations = 0;  // iterations run so far
    // The loss D_β(X | W·H) of the final W, H (½‖X − W·H‖²_F for β = 2; computed exactly,
    // tile by tile, without forming W·H), the relative error ‖X − W·H‖_F / ‖X‖_F (0 if
    // X == 0), and the objective the updates minimize: the loss plus the penalties.
    double loss = 0;
    double relative_error = 0;
    double objective = 0;
    bool converged = false;  // the tol rule stopped the run before max_iter
    bool done = false;       // max_iter reached or converged: nothing left to run
    // Where a bad input was found (x_not_finite, x_negative, init_*): matrix, row and
    // column of the first offending entry. matrix_id::none otherwise.
    matrix_id bad_matrix = matrix_id::none;
    std::size_t bad_row = 0;
    // Sparse X: bad_col is the entry's column and bad_entry its offset k in indices/values; on
    // csr_bad_indptr bad_row is the index of the bad offset (0 when indptr[0] ≠ 0, i + 1 when
    // indptr[i + 1] < indptr[i]) and bad_entry its value, on csr_nnz_mismatch bad_row is rows.
    std::size_t bad_col = 0;
    std::size_t bad_entry = 0;
    // Entries the loss and relative_error sum over: n·m, or the observed ones under
    // options::missing (the loss is then D_β over the observed entries and relative_error
    // ‖M∘(X − W·H)‖_F / ‖M∘X‖_F).
    std::uint64_t observed = 0;
};

struct progress {
    std::uint32_t iteration;  // iterations completed
    std::uint32_t max_iter;
    double loss;            // ½‖X − W·H‖²_F (from the cached products; see README)
    double relative_error;  // ‖X − W·H‖_F / ‖X‖_F
};

// Called at every convergence check (every options.check_every iterations and after
// the last one). Return false to stop the fit: it then returns status::cancelled with
// W, H holding the current iterate. Must not throw.
using progress_callback = bool (*)(const progress& p, void* user_data);

// ------------------------------------------------------------------------------------
// Threads: the caller's executor. The core creates no threads; given an executor, a fit runs
// its loops as tasks through it. parallel_for(self, tasks, body, ctx) must call body(t, ctx)
// once for every t in [0, tasks), on any threads in any order, and return when all have
// returned; body never throws. The tasks are fixed blocks of the problem (rows of W, columns
// of H, row ranges of X) whose number depends on the problem's shape only, and every sum over
// blocks is added in block order, so W, H and the losses are bitwise the same with any
// executor, any number of threads, or none (nullptr: the tasks run in order on the caller's
// thread). The workspace does not depend on it either. nmfkit/thread_pool.hpp has a pool
// that implements it; an embedder can wrap its own (TBB, OpenMP, an RTOS's workers). The
// layout is nmfkit.h's nmfkit_executor. The calls into it happen on the fit's thread only.
// ------------------------------------------------------------------------------------
struct executor {
    void (*parallel_for)(void* self, std::size_t tasks, void (*body)(std::size_t task, void* ctx), void* ctx);
    void* self;
};

// ------------------------------------------------------------------------------------
// Names and spellings: what the CLI takes and prints and the JS wrapper accepts (all from
// nmfkit/abi.def). name() never returns null: "unknown" for a value outside the enum. The
// parse functions store the value and return true for a known spelling, else leave `out`.
// ------------------------------------------------------------------------------------
const char* name(init_method m) noexcept;      // "random", "custom", "nndsvd", "nndsvda", "nndsvdar"
const char* name(algorithm a) noexcept;        // "mu", "amu", "hals", "auto"
const char* name(kernel_choice k) noexcept;    // "auto", "scalar"
const char* name(matrix_id m) noexcept;        // "none", "X", "W", "H"
const char* name(missing_entries m) noexcept;  // "none", "nan", "unstored"
[[nodiscard]] bool parse_init_method(std::string_view text, init_method& out) noexcept;
[[nodiscard]] bool parse_solver(std::string_view text, algorithm& out) noexcept;
[[nodiscard]] bool parse_kernel_choice(std::string_view text, kernel_choice& out) noexcept;
[[nodiscard]] bool parse_missing(std::string_view text, missing_entries& out) noexcept;

// The named losses (options::beta): 2 "frobenius", 1 "kullback-leibler" (short name "kl"),
// 0 "itakura-saito" ("is"). loss_name() and loss_short_name() give nullptr for any other β
// (every finite β is a valid loss); parse_loss() takes either spelling, not numbers.
const char* loss_name(double beta) noexcept;
const char* loss_short_name(double beta) noexcept;
[[nodiscard]] bool parse_loss(std::string_view text, double& beta) noexcept;

// ------------------------------------------------------------------------------------
// Workspace
// ------------------------------------------------------------------------------------
// Required alignment of the workspace pointer, in bytes.
inline constexpr std::size_t workspace_alignment = 64;

// Bytes of workspace fit() / solver::start() need for an n×m problem. Returns
// empty_dimension, zero_rank, invalid_* or size_overflow on bad input; bytes is set
// only on success. The workspace holds O((n + m)·r + r²) elements, never O(n·m).
template <class T>
[[nodiscard]] status workspace_size(std::size_t n, std::size_t m, const options& opt, std::size_t& bytes) noexcept;

// The same for a sparse X (n×m with nnz stored entries): O((n + m)·r + r²) elements plus, for each of
// the 4 lanes its products run in, an m×r sum and a buffer of min(nnz, max(m, 2^16)) values (the
// same for any thread count); for β ∉ {1, 2} (and missing entries with β ≠ 1, 2) the tiles
// of W·H of the dense case and one more for X's block of a tile.
template <class T>
[[nodiscard]] status workspace_size(std::size_t n, std::size_t m, std::size_t nnz, const options& opt,
                                    std::size_t& bytes) noexcept;

// Rounds p up to workspace_alignment; returns nullptr if that leaves no room.
// Helper for callers who over-allocate by workspace_alignment bytes.
void* align_workspace(void* p, std::size_t size) noexcept;

// ------------------------------------------------------------------------------------
// One-shot fit
// ------------------------------------------------------------------------------------
// Factorizes X into W (n×r) and H (r×m), written through the views (for
// init_method::custom they hold W0, H0 on entry). workspace must be aligned to
// workspace_alignment and hold workspace_size() bytes; its content on entry does not
// matter. X is never written. `out` receives the result (also on error, for the
// location fields). W, H must not overlap X, each other or the workspace.
template <class T>
[[nodiscard]] status fit(const_matrix_view<T> X, matrix_view<T> W, matrix_view<T> H, const options& opt,
                         void* workspace, std::size_t workspace_bytes, result& out,
                         progress_callback callback = nullptr, void* user_data = nullptr,
                         const executor* exec = nullptr) noexcept;

// Sparse X: the same fit on a CSR matrix, never densified. β = 2 and β = 1 cost O(nnz·r + (n + m)·r²)
// per iteration (X·Hᵀ, Wᵀ·X and W·H at the stored entries only); other β run in tiles of W·H as
// for dense X (O(n·m·r) time, never n×m memory). Every option applies (nndsvd* through X·v and
// Xᵀ·u products; missing = unstored treats the unstored entries as unknown). workspace_size()
// with nnz sizes the workspace.
template <class T>
[[nodiscard]] status fit(const csr_view<T>& X, matrix_view<T> W, matrix_view<T> H, const options& opt, void* workspace,
                         std::size_t workspace_bytes, result& out, progress_callback callback = nullptr,
                         void* user_data = nullptr, const executor* exec = nullptr) noexcept;

// ------------------------------------------------------------------------------------
// Transform: one factor fixed, the other solved with the same updates and options.
// The start is the constant sqrt(mean(X)/r), as scikit-learn's NMF.transform, unless
// options.init is init_method::custom: then the output view holds the start (the
// other init methods and the seed are not used). options.rank must equal the fixed
// factor's rank.
// ------------------------------------------------------------------------------------
// New samples against a fitted basis: solves W (n×r) for X (n×m) ≈ W·H with H (r×m)
// fixed — scikit-learn's NMF.transform. A fixed H of the wrong shape gives
// transform_shape_mismatch.
template <class T>
[[nodiscard]] status transform(const_matrix_view<T> X, const_matrix_view<T> H, matrix_view<T> W, const options& opt,
                               void* workspace, std::size_t workspace_bytes, result& out,
                               progress_callback callback = nullptr, void* user_data = nullptr,
                               const executor* exec = nullptr) noexcept;

// New features against fitted weights: solves H (r×m) with W (n×r) fixed.
template <class T>
[[nodiscard]] status transform_columns(const_matrix_view<T> X, const_matrix_view<T> W, matrix_view<T> H,
                                       const options& opt, void* workspace, std::size_t workspace_bytes, result& out,
                                       progress_callback callback = nullptr, void* user_data = nullptr,
                                       const executor* exec = nullptr) noexcept;

// The same on a sparse X (missing = unstored: fold in new rows from their stored entries only,
// e.g. a new user's few ratings against a fitted item basis H).
template <class T>
[[nodiscard]] status transform(const csr_view<T>& X, const_matrix_view<T> H, matrix_view<T> W, const options& opt,
                               void* workspace, std::size_t workspace_bytes, result& out,
                               progress_callback callback = nullptr, void* user_data = nullptr,
                               const executor* exec = nullptr) noexcept;
template <class T>
[[nodiscard]] status transform_columns(const csr_view<T>& X, const_matrix_view<T> W, matrix_view<T> H,
                                       const options& opt, void* workspace, std::size_t workspace_bytes, result& out,
                                       progress_callback callback = nullptr, void* user_data = nullptr,
                                       const executor* exec = nullptr) noexcept;

// out (n×m) = W·H; not_finite_result (out written) where a product exceeds T's range.
template <class T>
[[nodiscard]] status inverse_transform(const_matrix_view<T> W, const_matrix_view<T> H, matrix_view<T> out) noexcept;

// ------------------------------------------------------------------------------------
// Resumable solver: the same fit, run in slices of iterations, so a caller (a UI,
// JavaScript) can yield between slices, show progress and cancel by simply not
// calling run() again. All its state lives in the workspace; the object itself is a
// small handle that may be copied or rebuilt from the workspace pointer.
//
//     nmfkit::solver<float> s;
//     if (s.start(X, W, H, opt, ws, bytes, res) != nmfkit::status::ok) ...;
//     while (!s.done()) { s.run(10, res); show(res); }   // W, H are valid after each slice
//     s.finish(res);                                      // exact final loss and error
// ------------------------------------------------------------------------------------
template <class T>
class solver {
public:
    solver() noexcept = default;
    // A handle to the solver started earlier in `workspace` (by start() or by the C
    // API's nmfkit_solver_start_*); calls return not_started if there is none.
    explicit solver(void* workspace) noexcept : ws_(workspace) {}

    // Validates the inputs, initializes W, H (random or checks custom) and computes the
    // products of the first iteration. The views and the workspace must stay valid and
    // untouched by the caller until the last call on this solver.
    // With an executor, start() and every later call run their loops through it (a copy of it
    // is kept: `exec->self` must stay valid until the last call, or until set_executor()).
    [[nodiscard]] status start(const_matrix_view<T> X, matrix_view<T> W, matrix_view<T> H, const options& opt,
                               void* workspace, std::size_t workspace_bytes, result& out,
                               const executor* exec = nullptr) noexcept;
    // The same for a sparse X; the CSR arrays must stay valid and unchanged too.
    [[nodiscard]] status start(const csr_view<T>& X, matrix_view<T> W, matrix_view<T> H, const options& opt,
                               void* workspace, std::size_t workspace_bytes, result& out,
                               const executor* exec = nullptr) noexcept;

    // The executor of the later calls (nullptr: the caller's thread); the iterates do not change.
    [[nodiscard]] status set_executor(const executor* exec) noexcept;

    // Runs at most `iterations` more iterations (fewer if max_iter or the tol rule is
    // reached). Updates out.iterations, out.loss / out.relative_error (from the last
    // check: cheap, from cached products) and out.converged.
    [[nodiscard]] status run(std::uint32_t iterations, result& out) noexcept;

    // True after max_iter iterations or convergence.
    bool done() const noexcept;

    // Computes the exact final loss and relative error into out (one pass over X).
    [[nodiscard]] status finish(result& out) noexcept;

    // Name of the kernel set in use ("avx512f", "scalar", ...); "" before start().
    const char* kernel_name() const noexcept;

private:
    void* ws_ = nullptr;
};

// Name of the kernel set options.kernel = automatic would pick on this machine.
template <class T>
const char* default_kernel_name() noexcept;

// ------------------------------------------------------------------------------------
// Loss of an arbitrary W, H: ½‖X − W·H‖²_F computed exactly, tile by tile, with no
// allocation (uses a 256-element stack buffer). Validates shapes like fit().
// ------------------------------------------------------------------------------------
template <class T>
[[nodiscard]] status frobenius_loss(const_matrix_view<T> X, const_matrix_view<T> W, const_matrix_view<T> H,
                                    double& loss) noexcept;

// D_β(X | W·H) (see options::beta), computed the same way. X, W and H are checked as fit()
// checks them (x_* and init_* statuses; X > 0 for β ≤ 0): a NaN or negative entry is never a loss.
template <class T>
[[nodiscard]] status beta_divergence(const_matrix_view<T> X, const_matrix_view<T> W, const_matrix_view<T> H,
                                     double beta, double& loss) noexcept;

// D_β(X | W·H) of a sparse X (O(nnz·r + (n + m)·r²) for β = 1, 2, tiles otherwise, using a
// 256-element stack buffer), over the stored entries only when `missing` is unstored. The
// arrays, X's values, W and H are checked as fit() checks them.
template <class T>
[[nodiscard]] status beta_divergence(const csr_view<T>& X, const_matrix_view<T> W, const_matrix_view<T> H, double beta,
                                     missing_entries missing, double& loss) noexcept;

// The uniform random initialization fit() uses, on its own: fills W (n×r) and H (r×m)
// for the given X and seed. Validates X like fit().
template <class T>
[[nodiscard]] status random_init(const_matrix_view<T> X, matrix_view<T> W, matrix_view<T> H, std::uint64_t seed,
                                 result& out) noexcept;

extern template status workspace_size<float>(std::size_t, std::size_t, const options&, std::size_t&) noexcept;
extern template status workspace_size<double>(std::size_t, std::size_t, const options&, std::size_t&) noexcept;
extern template status workspace_size<float>(std::size_t, std::size_t, std::size_t, const options&,
                                             std::size_t&) noexcept;
extern template status workspace_size<double>(std::size_t, std::size_t, std::size_t, const options&,
                                              std::size_t&) noexcept;
extern template status fit<float>(const_matrix_view<float>, matrix_view<float>, matrix_view<float>, const options&,
                                  void*, std::size_t, result&, progress_callback, void*, const executor*) noexcept;
extern template status fit<double>(const_matrix_view<double>, matrix_view<double>, matrix_view<double>, const options&,
                                   void*, std::size_t, result&, progress_callback, void*, const executor*) noexcept;
extern template class solver<float>;
extern template class solver<double>;
#define NMFKIT_EXTERN(T)                                                                                               \
    extern template status transform<T>(const_matrix_view<T>, const_matrix_view<T>, matrix_view<T>, const options&,    \
                                        void*, std::size_t, result&, progress_callback, void*,                         \
                                        const executor*) noexcept;                                                     \
    extern template status transform_columns<T>(const_matrix_view<T>, const_matrix_view<T>, matrix_view<T>,            \
                                                const options&, void*, std::size_t, result&, progress_callback, void*, \
                                                const executor*) noexcept;                                             \
    extern template status inverse_transform<T>(const_matrix_view<T>, const_matrix_view<T>, matrix_view<T>) noexcept;  \
    extern template const char* default_kernel_name<T>() noexcept;                                                     \
    extern template status frobenius_loss<T>(const_matrix_view<T>, const_matrix_view<T>, const_matrix_view<T>,         \
                                             double&) noexcept;                                                        \
    extern template status beta_divergence<T>(const_matrix_view<T>, const_matrix_view<T>, const_matrix_view<T>,        \
                                              double, double&) noexcept;                                               \
    extern template status random_init<T>(const_matrix_view<T>, matrix_view<T>, matrix_view<T>, std::uint64_t,         \
                                          result&) noexcept;                                                           \
    extern template status fit<T>(const csr_view<T>&, matrix_view<T>, matrix_view<T>, const options&, void*,           \
                                  std::size_t, result&, progress_callback, void*, const executor*) noexcept;           \
    extern template status transform<T>(const csr_view<T>&, const_matrix_view<T>, matrix_view<T>, const options&,      \
                                        void*, std::size_t, result&, progress_callback, void*,                         \
                                        const executor*) noexcept;                                                     \
    extern template status transform_columns<T>(const csr_view<T>&, const_matrix_view<T>, matrix_view<T>,              \
                                                const options&, void*, std::size_t, result&, progress_callback, void*, \
                                                const executor*) noexcept;                                             \
    extern template status beta_divergence<T>(const csr_view<T>&, const_matrix_view<T>, const_matrix_view<T>, double,  \
                                              missing_entries, double&) noexcept;
NMFKIT_EXTERN(float)
NMFKIT_EXTERN(double)
#undef NMFKIT_EXTERN

// ------------------------------------------------------------------------------------
// Truncated SVD (PCA): the k leading singular triplets of a dense X (n×m, any finite
// values: centred data too), X ≈ U·diag(sigma)·Vt, U (n×k) with orthonormal columns, Vt
// (k×m) with orthonormal rows, sigma (k doubles) descending. The NNDSVD's randomized range
// finder with power iterations (Halko, Martinsson & Tropp 2011; scikit-learn's
// randomized_svd: k + 10 columns, 4 or 7 power iterations) and a Jacobi eigensolver on the
// small projected matrix, seeded by `seed` (nmfkit's PCG32): the same numbers on every
// platform for a given kernel set. The allocation contract of a fit: svd_workspace_size()
// bytes of workspace aligned to workspace_alignment, from the caller; no allocation.
// Statuses: empty_dimension, zero_rank, rank_too_large (k > min(n, m)), size_overflow,
// null_pointer, shape_mismatch (U, Vt), stride_too_small, workspace_misaligned,
// workspace_too_small, buffers_overlap, x_not_finite; not_built in a Frobenius-only build
// (NMFKIT_EXTENDED=OFF).
// ------------------------------------------------------------------------------------
template <class T>
[[nodiscard]] status svd_workspace_size(std::size_t n, std::size_t m, std::size_t k, std::size_t& bytes) noexcept;
template <class T>
[[nodiscard]] status truncated_svd(const_matrix_view<T> X, std::size_t k, std::uint64_t seed, matrix_view<T> U,
                                   double* sigma, matrix_view<T> Vt, void* workspace, std::size_t workspace_bytes,
                                   const executor* exec = nullptr) noexcept;

}  // namespace nmfkit

#include "nmfkit/workspace.hpp"  // workspace_bound, the compile-time form of workspace_size
