// nmfkit: non-negative matrix factorization, X (n×m, X ≥ 0) ≈ W·H with W (n×r) ≥ 0,
// H (r×m) ≥ 0, by Lee & Seung's multiplicative updates for the Frobenius loss
// ("Algorithms for Non-negative Matrix Factorization", NIPS 2000):
//
//     W ← W ∘ (X·Hᵀ) ⊘ (W·H·Hᵀ)        H ← H ∘ (Wᵀ·X) ⊘ (WᵀW·H)
//
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

namespace nmfkit {

// ------------------------------------------------------------------------------------
// Status codes. The numeric values are pinned: they cross the C API and the
// WebAssembly boundary and will never be renumbered. 0 is success.
// ------------------------------------------------------------------------------------
enum class status : std::int32_t {
    ok = 0,
    null_pointer = 1,           // a required pointer (X, W, H, workspace, result) is null
    empty_dimension = 2,        // X has 0 rows or 0 columns
    zero_rank = 3,              // options.rank == 0
    shape_mismatch = 4,         // W is not n×r or H is not r×m
    stride_too_small = 5,       // a view's row stride is smaller than its column count
    size_overflow = 6,          // a size computed from n, m, r does not fit in size_t
    workspace_too_small = 7,    // fewer bytes than workspace_size() asked for
    workspace_misaligned = 8,   // workspace not aligned to workspace_alignment bytes
    x_not_finite = 9,           // X holds NaN or ±Inf (result.bad_row/bad_col say where)
    x_negative = 10,            // X holds a negative entry (result.bad_row/bad_col say where)
    init_not_finite = 11,       // custom W0 or H0 holds NaN or ±Inf (bad_matrix/row/col say where)
    init_negative = 12,         // custom W0 or H0 holds a negative entry
    invalid_init = 13,          // options.init is not one of init_method
    invalid_tol = 14,           // options.tol is negative or NaN
    invalid_epsilon = 15,       // options.epsilon is not a finite number > 0
    invalid_check_every = 16,   // options.check_every == 0
    invalid_kernel = 17,        // options.kernel is not one of kernel_choice
    not_started = 18,           // solver::run()/result() before a successful start()
    cancelled = 19,             // the progress callback asked to stop; W, H hold the last iterate
    buffers_overlap = 20,       // W, H, X and the workspace are not pairwise disjoint
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
// Options
// ------------------------------------------------------------------------------------
enum class init_method : std::int32_t {
    // W0, H0 uniform in (0, 1) from nmfkit's own PCG32 stream seeded by `seed`, times
    // sqrt(mean(X) / rank) (scikit-learn's scale). W0 is drawn first (row-major), then
    // H0. Bit-identical on every platform, compiler and in WebAssembly.
    random = 0,
    // W and H hold the caller's W0, H0 on entry (non-negative and finite).
    custom = 1,
};

enum class kernel_choice : std::int32_t {
    automatic = 0,   // the fastest kernel set the CPU supports
    scalar = 1,      // the plain C++ reference kernels (for testing and comparison)
};

struct options {
    std::size_t rank = 0;            // r, required (≥ 1; may exceed min(n, m))
    std::uint32_t max_iter = 200;    // iterations of (W update, H update); 0 only initializes
    // Convergence: every `check_every` iterations the solver computes the error
    // e_t = ‖X − W·H‖_F. It stops when (e_prev − e_t) / e_0 < tol, where e_prev is the
    // error at the previous check (at iteration 0 for the first check) and e_0 the error
    // of the initial W0, H0. This is scikit-learn's rule for solver='mu' (check every
    // 10 iterations). tol == 0 never stops early (runs max_iter iterations).
    double tol = 1e-4;
    std::uint32_t check_every = 10;
    std::uint64_t seed = 0;          // for init_method::random
    init_method init = init_method::random;
    // Denominator guard: a denominator entry equal to 0 is replaced by epsilon.
    // Default: float32 machine epsilon, as scikit-learn.
    double epsilon = 1.1920928955078125e-07;
    kernel_choice kernel = kernel_choice::automatic;
};

// ------------------------------------------------------------------------------------
// Results and progress
// ------------------------------------------------------------------------------------
enum class matrix_id : std::int32_t { none = 0, X = 1, W = 2, H = 3 };

struct result {
    std::uint32_t iterations = 0;  // iterations run so far
    // Objective ½‖X − W·H‖²_F of the final W, H (computed exactly, tile by tile,
    // without forming W·H), and the relative error ‖X − W·H‖_F / ‖X‖_F (0 if X == 0).
    double loss = 0;
    double relative_error = 0;
    bool converged = false;        // the tol rule stopped the run before max_iter
    bool done = false;             // max_iter reached or converged: nothing left to run
    // Where a bad input was found (x_not_finite, x_negative, init_*): matrix, row and
    // column of the first offending entry. matrix_id::none otherwise.
    matrix_id bad_matrix = matrix_id::none;
    std::size_t bad_row = 0;
    std::size_t bad_col = 0;
};

struct progress {
    std::uint32_t iteration;       // iterations completed
    std::uint32_t max_iter;
    double loss;                   // ½‖X − W·H‖²_F (from the cached products; see README)
    double relative_error;         // ‖X − W·H‖_F / ‖X‖_F
};

// Called at every convergence check (every options.check_every iterations and after
// the last one). Return false to stop the fit: it then returns status::cancelled with
// W, H holding the current iterate. Must not throw.
using progress_callback = bool (*)(const progress& p, void* user_data);

// ------------------------------------------------------------------------------------
// Workspace
// ------------------------------------------------------------------------------------
// Required alignment of the workspace pointer, in bytes.
inline constexpr std::size_t workspace_alignment = 64;

// Bytes of workspace fit() / solver::start() need for an n×m problem. Returns
// empty_dimension, zero_rank, invalid_* or size_overflow on bad input; bytes is set
// only on success. The workspace holds O((n + m)·r + r²) elements, never O(n·m).
template <class T>
[[nodiscard]] status workspace_size(std::size_t n, std::size_t m, const options& opt,
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
[[nodiscard]] status fit(const_matrix_view<T> X, matrix_view<T> W, matrix_view<T> H,
                         const options& opt, void* workspace, std::size_t workspace_bytes,
                         result& out, progress_callback callback = nullptr,
                         void* user_data = nullptr) noexcept;

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
    [[nodiscard]] status start(const_matrix_view<T> X, matrix_view<T> W, matrix_view<T> H,
                               const options& opt, void* workspace, std::size_t workspace_bytes,
                               result& out) noexcept;

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
// allocation (uses a small stack buffer). Validates shapes like fit().
// ------------------------------------------------------------------------------------
template <class T>
[[nodiscard]] status frobenius_loss(const_matrix_view<T> X, const_matrix_view<T> W,
                                    const_matrix_view<T> H, double& loss) noexcept;

// The uniform random initialization fit() uses, on its own: fills W (n×r) and H (r×m)
// for the given X and seed. Validates X like fit().
template <class T>
[[nodiscard]] status random_init(const_matrix_view<T> X, matrix_view<T> W, matrix_view<T> H,
                                 std::uint64_t seed, result& out) noexcept;

extern template status workspace_size<float>(std::size_t, std::size_t, const options&, std::size_t&) noexcept;
extern template status workspace_size<double>(std::size_t, std::size_t, const options&, std::size_t&) noexcept;
extern template status fit<float>(const_matrix_view<float>, matrix_view<float>, matrix_view<float>,
                                  const options&, void*, std::size_t, result&, progress_callback, void*) noexcept;
extern template status fit<double>(const_matrix_view<double>, matrix_view<double>, matrix_view<double>,
                                   const options&, void*, std::size_t, result&, progress_callback, void*) noexcept;
extern template class solver<float>;
extern template class solver<double>;

}  // namespace nmfkit
