// nmfkit command-line tool: factorizes a non-negative matrix read from a CSV, .npy,
// Matrix Market (a coordinate file stays sparse: CSR) or raw float32 file, with missing
// entries if asked (--missing), and writes W and H as CSV or .npy; solves one
// factor with the other fixed (transform); multiplies W and H back (reconstruct). The
// options are defined by the table in options.cpp (nmfkit --help).
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <new>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <sys/stat.h>
#include <type_traits>
#include <vector>

#include <nmfkit/nmfkit.hpp>
#include <nmfkit/thread_pool.hpp>

#include "csv.hpp"
#include "mtx.hpp"
#include "names.hpp"
#include "npy.hpp"
#include "options.hpp"

namespace cli {
namespace {

constexpr int k_exit_ok = 0;
constexpr int k_exit_error = 1;
constexpr int k_exit_usage = 2;

// ---- progress bar ------------------------------------------------------------------

using clock_type = std::chrono::steady_clock;

double seconds_since(clock_type::time_point t0) {
    return std::chrono::duration<double>(clock_type::now() - t0).count();
}

struct progress_bar {
    bool enabled = false;
    bool drawn = false;
    std::uint32_t drawn_iteration = 0;
    clock_type::time_point start;
    clock_type::time_point last_draw;
    nmfkit::progress last{};

    void draw() noexcept {
        constexpr int k_width = 30;
        const double frac = last.max_iter ? double(last.iteration) / last.max_iter : 1.0;
        const int filled = static_cast<int>(std::min(1.0, frac) * k_width);
        char bar[k_width + 1];
        for (int i = 0; i < k_width; ++i) bar[i] = i < filled ? '#' : '.';
        bar[k_width] = '\0';
        std::fprintf(stderr, "\r[%s] %u/%u  rel.err %.6g  %.1fs   ", bar, last.iteration, last.max_iter,
                     last.relative_error, seconds_since(start));
        std::fflush(stderr);
        drawn = true;
        drawn_iteration = last.iteration;
        last_draw = clock_type::now();
    }

    // Called by the fit; redraws at most ~10 times a second, so fast fits do not
    // spend their time writing to the terminal.
    static bool callback(const nmfkit::progress& p, void* user) noexcept {
        auto* self = static_cast<progress_bar*>(user);
        self->last = p;
        const bool final_step = p.iteration == p.max_iter;
        if (final_step || !self->drawn || clock_type::now() - self->last_draw > std::chrono::milliseconds(100))
            self->draw();
        return true;
    }

    // Shows the last state and ends the line.
    void finish() noexcept {
        if (!drawn) return;
        if (drawn_iteration != last.iteration) draw();
        std::fputc('\n', stderr);
        std::fflush(stderr);
    }
};

// ---- output files ------------------------------------------------------------------

// An output file opened before the fit (so a bad path fails before a long run) and
// removed again if the run fails, unless it existed before.
class output_file {
public:
    explicit output_file(std::string path) : path_(std::move(path)) {
        struct stat st {};
        existed_ = ::stat(path_.c_str(), &st) == 0;
        f_ = std::fopen(path_.c_str(), "wb");
        if (!f_) throw data_error("cannot open " + path_ + " for writing: " + std::strerror(errno));
    }
    output_file(const output_file&) = delete;
    output_file& operator=(const output_file&) = delete;
    ~output_file() {
        if (!f_) return;
        std::fclose(f_);
        if (!committed_ && !existed_) std::remove(path_.c_str());
    }

    void write_and_close(const std::string& text) {
        const bool wrote = std::fwrite(text.data(), 1, text.size(), f_) == text.size();
        const int write_errno = errno;
        const bool closed = std::fclose(f_) == 0;
        f_ = nullptr;
        if (!wrote || !closed) {
            if (!existed_) std::remove(path_.c_str());
            throw data_error("cannot write " + path_ + ": " + std::strerror(wrote ? errno : write_errno));
        }
        committed_ = true;
    }

private:
    std::string path_;
    std::FILE* f_ = nullptr;
    bool existed_ = false;
    bool committed_ = false;
};

// ---- messages -----------------------------------------------------------------------

template <class T>
const char* dtype_name() {
    return std::is_same_v<T, float> ? "f32" : "f64";
}

std::string shape_text(std::size_t rows, std::size_t cols) { return std::to_string(rows) + "x" + std::to_string(cols); }

// Where the data of a matrix came from, to turn the library's 0-based bad_row /
// bad_col into a position the user can find in the file.
struct source {
    std::string name;
    bool csv = true;

    std::string position(std::size_t row, std::size_t col) const {
        return name + (csv ? ": line " : ": row ") + std::to_string(row + 1) + ", column " + std::to_string(col + 1);
    }
};

struct sources {
    source x, w, h;  // X, and the files W and H came from (W0/H0, or transform's fixed factor)
};

// X as read: dense, or sparse (a coordinate .mtx: CSR, never densified).
template <class T>
struct input {
    matrix<T> dense;
    csr<T> sparse;
    bool is_sparse = false;
    std::size_t rows() const { return is_sparse ? sparse.rows : dense.rows; }
    std::size_t cols() const { return is_sparse ? sparse.cols : dense.cols; }
    nmfkit::csr_view<T> csr_view() const {
        return {sparse.indptr.data(), sparse.indices.data(), sparse.values_or_null(),
                sparse.rows,          sparse.cols,           sparse.nnz()};
    }
};

// Whether the library's bad_entry is one of row bad_row's stored entries, at column bad_col
// (an unstored entry, e.g. a zero under --loss is, has none).
template <class T>
bool stored_entry(const csr<T>& a, const nmfkit::result& res) {
    const std::size_t k = res.bad_entry;
    return res.bad_row < a.rows && k < a.nnz() && a.indptr[res.bad_row] <= k && k < a.indptr[res.bad_row + 1] &&
           a.indices[k] == res.bad_col;
}

// Where the library found a bad entry of a sparse X: its 1-based row and column, and the
// stored entry (1-based, in row-major order) when it is one.
template <class T>
std::string sparse_position(const input<T>& x, const source& src, nmfkit::status s, const nmfkit::result& res) {
    std::string where = src.name + ": row " + std::to_string(res.bad_row + 1);
    const bool offsets = s == nmfkit::status::csr_bad_indptr || s == nmfkit::status::csr_nnz_mismatch;
    if (!offsets) where += ", column " + std::to_string(res.bad_col + 1);
    if (stored_entry(x.sparse, res) || (!offsets && s != nmfkit::status::x_not_positive))
        where += " (stored entry " + std::to_string(res.bad_entry + 1) + " of " + std::to_string(x.sparse.nnz()) + ")";
    return where + ": ";
}

// The library's message and name of a status.
std::string status_text(nmfkit::status s) {
    const std::string name = nmfkit::status_name(s);
    return std::string(nmfkit::status_message(s)) + " (" +
           (name != "unknown" ? name : "status " + std::to_string(int(s))) + ")";
}

template <class T>
std::string library_error(nmfkit::status s, const nmfkit::result& res, const sources& src, const cli_args& a,
                          const input<T>& x) {
    std::string where;
    switch (res.bad_matrix) {
        case nmfkit::matrix_id::X:
            where = x.is_sparse ? sparse_position(x, src.x, s, res) : src.x.position(res.bad_row, res.bad_col) + ": ";
            break;
        case nmfkit::matrix_id::W: where = src.w.position(res.bad_row, res.bad_col) + ": "; break;
        case nmfkit::matrix_id::H: where = src.h.position(res.bad_row, res.bad_col) + ": "; break;
        case nmfkit::matrix_id::none: break;
    }
    if (s == nmfkit::status::x_not_positive)
        return where + "zero entry in X: --loss " + a.loss_text + " (beta = " + short_number(a.beta) +
               ") needs every entry of X > 0, as does any beta <= 0 (x_not_positive)" +
               (x.is_sparse && !stored_entry(x.sparse, res)
                    ? "; the entries a sparse X does not store are zeros (missing with --missing unstored)"
                    : "") +
               "; use a loss with beta > 0 such as kl, or add a small offset to X";
    return where + status_text(s);
}

std::string gib(double bytes) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.3g GiB", bytes / (1024.0 * 1024.0 * 1024.0));
    return buf;
}

std::string too_large(std::size_t r, const std::string& detail) {
    return "rank " + std::to_string(r) + " is too large for this problem: " + detail;
}

// ---- memory ------------------------------------------------------------------------

double physical_memory() {
    const long pages = ::sysconf(_SC_PHYS_PAGES);
    const long page_size = ::sysconf(_SC_PAGESIZE);
    return pages > 0 && page_size > 0 ? double(pages) * double(page_size) : 0.0;
}

// Throws if W, H and the workspace together overflow size_t or exceed the physical
// memory (the kernel's overcommit would otherwise let the fit start and then kill it
// part way).
template <class T>
void check_memory(std::size_t n, std::size_t m, std::size_t r, std::size_t ws_bytes) {
    std::size_t nr = 0, rm = 0, elems = 0, bytes = 0, total = 0;
    if (__builtin_mul_overflow(n, r, &nr) || __builtin_mul_overflow(r, m, &rm) ||
        __builtin_add_overflow(nr, rm, &elems) || __builtin_mul_overflow(elems, sizeof(T), &bytes) ||
        __builtin_add_overflow(bytes, ws_bytes, &total))
        throw data_error(too_large(r, "the size of W and H overflows the address space"));
    const double physical = physical_memory();
    if (physical > 0 && double(total) > physical)
        throw data_error(too_large(r, "W, H and the workspace need " + gib(double(total)) + ", more than the " +
                                          gib(physical) + " of memory"));
}

[[noreturn]] void throw_no_memory(std::size_t r, std::size_t n, std::size_t m, std::size_t ws_bytes) {
    throw data_error(too_large(r, "not enough memory for W (" + shape_text(n, r) + "), H (" + shape_text(r, m) +
                                      ") and " + gib(double(ws_bytes)) + " of workspace"));
}

// ---- fit and transform ---------------------------------------------------------------

nmfkit::options make_options(const cli_args& a, std::size_t r) {
    nmfkit::options opt;
    opt.rank = r;
    opt.max_iter = a.max_iter;
    opt.tol = a.tol;
    opt.check_every = a.check_every;
    opt.seed = a.seed;
    opt.init = a.init;
    opt.kernel = a.kernel;
    opt.beta = a.beta;
    opt.alpha_w = a.alpha_w;
    opt.alpha_h = a.alpha_h;
    opt.l1_ratio = a.l1_ratio;
    opt.solver = a.solver;
    opt.missing = a.missing;
    return opt;
}

// The workspace of a dense X, or of a sparse one with nnz stored entries.
template <class T>
std::size_t workspace_bytes(const input<T>& x, const nmfkit::options& opt, const sources& src, const cli_args& a) {
    const std::size_t n = x.rows(), m = x.cols();
    std::size_t ws_bytes = 0;
    const nmfkit::status s = x.is_sparse ? nmfkit::workspace_size<T>(n, m, x.sparse.nnz(), opt, ws_bytes)
                                         : nmfkit::workspace_size<T>(n, m, opt, ws_bytes);
    if (s == nmfkit::status::size_overflow) throw data_error(too_large(opt.rank, nmfkit::status_message(s)));
    if (s == nmfkit::status::rank_too_large)
        throw data_error("--init " + std::string(nmfkit::name(a.init)) + " needs --rank <= min(rows, columns) of X = " +
                         std::to_string(std::min(n, m)) + ", but X (" + src.x.name + ") is " + shape_text(n, m) +
                         " and --rank is " + std::to_string(opt.rank) + " (use --init random for a larger rank)");
    if (s != nmfkit::status::ok) throw data_error(library_error(s, nmfkit::result{}, src, a, x));
    check_memory<T>(n, m, opt.rank, ws_bytes);
    return ws_bytes;
}

bool has_suffix(const std::string& path, std::string_view suffix) {
    return path.size() >= suffix.size() &&
           std::equal(suffix.begin(), suffix.end(), path.end() - suffix.size(),
                      [](char s, char p) { return s == std::tolower(static_cast<unsigned char>(p)); });
}

// Whether read_dense reads `path` as CSV (bad entries are then at a line and column).
bool is_csv_name(const std::string& path) { return !has_suffix(path, ".npy") && !has_suffix(path, ".mtx"); }

// A dense matrix file by its name: .npy, .mtx (array format), CSV otherwise.
template <class T>
matrix<T> read_dense(const std::string& path) {
    if (has_suffix(path, ".npy")) return read_npy<T>(path);
    if (has_suffix(path, ".mtx")) {
        mtx_matrix<T> mm = read_mtx<T>(path);
        if (mm.info.format == mtx_format::coordinate)
            throw data_error(path + ": a coordinate (sparse) Matrix Market file; W and H must be dense");
        return std::move(mm.dense);
    }
    return parse_csv<T>(read_file(path), path);
}

// A matrix as the bytes of the file `path` names: .npy, CSV otherwise.
template <class T>
std::string format_matrix(const std::string& path, const T* data, std::size_t rows, std::size_t cols) {
    return has_suffix(path, ".npy") ? format_npy(data, rows, cols) : format_csv(data, rows, cols);
}

// --missing must suit the kind of X the file holds (known from its name, or for .mtx from
// its header): checked before X is read, so a CSV's nan cells do not hide the mix-up.
void check_missing(const cli_args& a, const std::string& name, bool sparse) {
    if (a.missing == nmfkit::missing_entries::unstored && !sparse)
        throw usage_error("--missing unstored makes the entries a sparse X does not store missing, but X (" + name +
                          ") is dense; use a coordinate Matrix Market file, or --missing nan for the NaN entries " +
                          "of a dense X");
    if (a.missing == nmfkit::missing_entries::nan && sparse)
        throw usage_error("--missing nan makes the NaN entries of a dense X missing, but X (" + name +
                          ") is a sparse (coordinate) Matrix Market file; use --missing unstored for its "
                          "unstored entries");
}

// X by its name: raw float32 (with --shape), .mtx (coordinate: sparse; array: dense), .npy,
// CSV otherwise (with --missing nan its empty and nan cells are missing entries).
template <class T>
input<T> load_input(const cli_args& a, source& src) {
    src.name = a.input == "-" ? "standard input" : a.input;
    const bool mtx = !is_raw_input(a) && has_suffix(a.input, ".mtx");
    check_missing(a, src.name, mtx && read_mtx_info(a.input).format == mtx_format::coordinate);
    input<T> x;
    if (is_raw_input(a)) {
        src.csv = false;
        x.dense = read_raw_f32<T>(a.input, a.shape->first, a.shape->second);
    } else if (mtx) {
        src.csv = false;  // positions are the (row, column) of the entries
        mtx_matrix<T> mm = read_mtx<T>(a.input);
        x.is_sparse = mm.info.format == mtx_format::coordinate;
        x.dense = std::move(mm.dense);
        x.sparse = std::move(mm.sparse);
    } else if (has_suffix(a.input, ".npy")) {
        src.csv = false;
        x.dense = read_npy<T>(a.input);
    } else {
        const nan_cells nan = a.missing == nmfkit::missing_entries::nan ? nan_cells::missing
                                                                        : nan_cells::refuse_with_hint;
        x.dense = parse_csv<T>(read_file(a.input), a.input, nan);
    }
    return x;
}

// One factor of X ~= W * H. fit solves both (from --w0/--h0 with --init custom);
// transform reads one from --w or --h, holds it fixed and solves the other.
struct factor {
    bool is_w;
    std::string fixed;  // transform: the file of the fixed factor ("" = solved)
    std::string start;  // fit --init custom: the file of the start
    std::string out;    // where the solved factor is written
    const char* name() const { return is_w ? "W" : "H"; }
};

// transform's fixed factor: W must have a row per row of X, H a column per column.
template <class T>
matrix<T> load_fixed(const factor& f, std::size_t n, std::size_t m, const source& x) {
    matrix<T> F = read_dense<T>(f.fixed);
    if (f.is_w ? F.rows != n : F.cols != m)
        throw data_error(std::string(f.is_w ? "--w " : "--h ") + f.fixed + ": " + f.name() + " is " +
                         shape_text(F.rows, F.cols) + " but X (" + x.name + ") is " + shape_text(n, m) + ": " +
                         f.name() + " must be " +
                         (f.is_w ? std::to_string(n) + " x K (one row per row of X)"
                                 : "K x " + std::to_string(m) + " (one column per column of X)"));
    return F;
}

template <class T>
matrix<T> load_start(const std::string& path, const char* what, std::size_t rows, std::size_t cols,
                     const char* expected) {
    matrix<T> M = read_dense<T>(path);
    if (M.rows != rows || M.cols != cols)
        throw data_error(path + ": " + what + " is " + shape_text(M.rows, M.cols) + ", expected " +
                         shape_text(rows, cols) + " (" + expected + ")");
    return M;
}

// --json's loss_name: "frobenius", "kl", "is", or "beta" for any other β.
const char* json_loss_name(double beta) {
    const char* name = nmfkit::loss_short_name(beta);
    return name ? name : "beta";
}

std::string json_number(double v) {
    if (!std::isfinite(v)) return "null";
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.17g", v);
    return buf;
}

// The JSON line: the first keys are fixed (iterations, loss, relative_error, seconds,
// converged, kernel, dtype, rows, cols, rank); later keys are appended after them.
void print_json(const cli_args& a, const nmfkit::result& res, double seconds, const char* kernel, const char* dtype,
                std::size_t n, std::size_t m, std::size_t r, const std::string& extra) {
    std::printf(
        "{\"iterations\":%u,\"loss\":%s,\"relative_error\":%s,\"seconds\":%.6f,\"converged\":%s,"
        "\"kernel\":\"%s\",\"dtype\":\"%s\",\"rows\":%zu,\"cols\":%zu,\"rank\":%zu,"
        "\"objective\":%s,\"loss_name\":\"%s\",\"beta\":%s,\"alpha_w\":%s,\"alpha_h\":%s,\"l1_ratio\":%s%s}\n",
        res.iterations, json_number(res.loss).c_str(), json_number(res.relative_error).c_str(), seconds,
        res.converged ? "true" : "false", kernel, dtype, n, m, r, json_number(res.objective).c_str(),
        json_loss_name(a.beta), json_number(a.beta).c_str(), json_number(a.alpha_w).c_str(),
        json_number(a.alpha_h).c_str(), json_number(a.l1_ratio).c_str(), extra.c_str());
}

// "20000x5000" and, for a sparse X, ", sparse: 500000 stored entries (0.5%)".
template <class T>
std::string x_text(const input<T>& x) {
    std::string t = shape_text(x.rows(), x.cols());
    if (!x.is_sparse) return t;
    char pct[32];
    std::snprintf(pct, sizeof pct, "%.3g%%", 100.0 * double(x.sparse.nnz()) / (double(x.rows()) * double(x.cols())));
    return t + ", sparse: " + std::to_string(x.sparse.nnz()) + " stored entries (" + pct + ")";
}

// The JSON keys on the input and the entries the loss is over (after the fixed ones).
template <class T>
std::string json_input(const cli_args& a, const input<T>& x, const nmfkit::result& res, std::size_t threads) {
    std::string j = std::string(",\"missing\":\"") + nmfkit::name(a.missing) +
                    "\",\"observed\":" + std::to_string(res.observed) +
                    ",\"sparse\":" + (x.is_sparse ? "true" : "false");
    if (x.is_sparse) j += ",\"nnz\":" + std::to_string(x.sparse.nnz());
    return j + ",\"threads\":" + std::to_string(threads);
}

std::string threads_text(std::size_t threads) {
    return std::to_string(threads) + (threads == 1 ? " thread" : " threads");
}

// The summary lines shared by fit and transform, between the first lines and "wrote".
// `entries` is n * m: the loss is over all of them, or (--missing) over res.observed.
void print_summary_body(const cli_args& a, const nmfkit::result& res, double seconds, std::uint64_t entries) {
    std::printf("  iterations      %u (max %u)\n", res.iterations, a.max_iter);
    if (a.beta == 2) std::printf("  loss            %.9g (frobenius: 1/2 ||X - WH||_F^2)\n", res.loss);
    else if (a.beta == 1) std::printf("  loss            %.9g (kl: generalized Kullback-Leibler, beta 1)\n", res.loss);
    else if (a.beta == 0) std::printf("  loss            %.9g (is: Itakura-Saito, beta 0)\n", res.loss);
    else std::printf("  loss            %.9g (beta-divergence, beta %s)\n", res.loss, short_number(a.beta).c_str());
    const auto all = static_cast<unsigned long long>(entries);
    if (a.missing == nmfkit::missing_entries::none) std::printf("  loss over       all %llu entries\n", all);
    else
        std::printf("  loss over       %llu observed entries of %llu (--missing %s)\n",
                    static_cast<unsigned long long>(res.observed), all, nmfkit::name(a.missing));
    if (a.alpha_w != 0 || a.alpha_h != 0) {
        std::printf("  objective       %.9g (loss + penalties)\n", res.objective);
        std::printf("  penalties       alpha_w %s, alpha_h %s, l1_ratio %s\n", short_number(a.alpha_w).c_str(),
                    short_number(a.alpha_h).c_str(), short_number(a.l1_ratio).c_str());
    }
    std::printf("  relative error  %.9g\n", res.relative_error);
    std::printf("  seconds         %.3g\n", seconds);
    if (res.converged) std::printf("  converged       yes (tol %g)\n", a.tol);
    else if (a.tol == 0) std::printf("  converged       no (tol 0: ran all iterations)\n");
    else std::printf("  converged       no (stopped at --max-iter %u)\n", a.max_iter);
}

void flush_stdout() {
    if (std::fflush(stdout) != 0) throw data_error(std::string("cannot write to stdout: ") + std::strerror(errno));
}

progress_bar make_progress_bar(const cli_args& a) {
    progress_bar bar;
    bar.enabled = a.progress == progress_mode::always ||
                  (a.progress == progress_mode::automatic && ::isatty(STDERR_FILENO));
    bar.start = clock_type::now();
    return bar;
}

// fit, or transform with the fixed factor (W if fw.fixed is given, else H), on a dense or a
// sparse X: the library's overloads take either view.
template <class XView, class T>
nmfkit::status solve(const XView& X, bool is_fit, const factor& fw, nmfkit::matrix_view<T> W, nmfkit::matrix_view<T> H,
                     const nmfkit::options& opt, void* ws, std::size_t ws_bytes, nmfkit::result& res, progress_bar& bar,
                     const nmfkit::executor* exec) {
    const nmfkit::progress_callback cb = bar.enabled ? &progress_bar::callback : nullptr;
    if (is_fit) return nmfkit::fit<T>(X, W, H, opt, ws, ws_bytes, res, cb, &bar, exec);
    if (fw.fixed.empty()) return nmfkit::transform<T>(X, H, W, opt, ws, ws_bytes, res, cb, &bar, exec);
    return nmfkit::transform_columns<T>(X, W, H, opt, ws, ws_bytes, res, cb, &bar, exec);
}

// fit and transform: read X (and the fixed factor or the start), size the workspace, run
// with the progress bar, write the solved factors, report.
template <class T>
int run_factorize(const cli_args& a) {
    const bool is_fit = a.cmd == command::fit;
    // The parser lets through only what the command takes: fit has no --w/--h, transform no --w0/--h0.
    const factor fw{true, a.fixed_w, a.w0, a.out_w}, fh{false, a.fixed_h, a.h0, a.out_h};
    const factor& fixed = fw.fixed.empty() ? fh : fw;  // transform only
    const factor& solved = fw.fixed.empty() ? fw : fh;
    sources src;
    src.w.name = fw.fixed.empty() ? fw.start : fw.fixed;
    src.h.name = fh.fixed.empty() ? fh.start : fh.fixed;
    src.w.csv = is_csv_name(src.w.name);
    src.h.csv = is_csv_name(src.h.name);
    const input<T> X = load_input<T>(a, src.x);
    const std::size_t n = X.rows(), m = X.cols();
    matrix<T> W, H;
    if (!fw.fixed.empty()) W = load_fixed<T>(fw, n, m, src.x);
    if (!fh.fixed.empty()) H = load_fixed<T>(fh, n, m, src.x);
    const std::size_t r = is_fit ? *a.rank : !fw.fixed.empty() ? W.cols : H.rows;

    const nmfkit::options opt = make_options(a, r);
    const std::size_t ws_bytes = workspace_bytes<T>(X, opt, src, a);

    if (!fw.start.empty()) W = load_start<T>(fw.start, "W0", n, r, "rows of X x rank");
    if (!fh.start.empty()) H = load_start<T>(fh.start, "H0", r, m, "rank x columns of X");
    std::vector<std::byte> ws;
    try {
        W.data.resize(n * r);  // no-op for a loaded W (fixed or start); likewise H
        H.data.resize(r * m);
        ws.resize(ws_bytes + nmfkit::workspace_alignment);
    } catch (const std::bad_alloc&) {
        throw_no_memory(r, n, m, ws_bytes);
    }
    void* aligned_ws = nmfkit::align_workspace(ws.data(), ws.size());

    std::optional<output_file> out_w, out_h;
    if (!fw.out.empty()) out_w.emplace(fw.out);
    if (!fh.out.empty()) out_h.emplace(fh.out);

    // Started before the clock: the threads of the pool are not the fit's time.
    const nmfkit::thread_pool pool(a.threads);
    const nmfkit::executor* exec = pool.threads() > 1 ? pool.executor() : nullptr;
    progress_bar bar = make_progress_bar(a);
    const nmfkit::matrix_view<T> Wv(W.data.data(), n, r), Hv(H.data.data(), r, m);
    nmfkit::result res;
    const auto t0 = clock_type::now();
    const nmfkit::status st = X.is_sparse
                                  ? solve(X.csr_view(), is_fit, fw, Wv, Hv, opt, aligned_ws, ws_bytes, res, bar, exec)
                                  : solve(nmfkit::const_matrix_view<T>(X.dense.data.data(), n, m), is_fit, fw, Wv, Hv,
                                          opt, aligned_ws, ws_bytes, res, bar, exec);
    const double seconds = seconds_since(t0);
    bar.finish();
    if (st != nmfkit::status::ok) throw data_error(library_error(st, res, src, a, X));

    if (out_w) out_w->write_and_close(format_matrix(fw.out, W.data.data(), n, r));
    if (out_h) out_h->write_and_close(format_matrix(fh.out, H.data.data(), r, m));

    const char* kernel = a.kernel == nmfkit::kernel_choice::scalar ? "scalar" : nmfkit::default_kernel_name<T>();
    const std::string shape_w = shape_text(n, r), shape_h = shape_text(r, m);
    if (a.json) {
        print_json(a, res, seconds, kernel, dtype_name<T>(), n, m, r,
                   json_input(a, X, res, pool.threads()) +
                       (is_fit ? std::string(",\"init\":\"") + nmfkit::name(a.init) + "\",\"solver\":\"" +
                                     nmfkit::name(a.solver) + "\""
                               : std::string(",\"solved\":\"") + solved.name() + "\""));
    } else if (is_fit) {
        std::printf("nmfkit: X %s, rank %zu, %s, kernel %s, %s\n", x_text(X).c_str(), r, dtype_name<T>(), kernel,
                    threads_text(pool.threads()).c_str());
        std::printf("  init, solver    %s, %s\n", nmfkit::name(a.init), nmfkit::name(a.solver));
        print_summary_body(a, res, seconds, std::uint64_t(n) * m);
        std::printf("  wrote           %s (%s), %s (%s)\n", fw.out.c_str(), shape_w.c_str(), fh.out.c_str(),
                    shape_h.c_str());
    } else {
        std::printf("nmfkit transform: X %s, %s %s fixed (%s), rank %zu, %s, kernel %s, %s\n", x_text(X).c_str(),
                    fixed.name(), (fixed.is_w ? shape_w : shape_h).c_str(), fixed.fixed.c_str(), r, dtype_name<T>(),
                    kernel, threads_text(pool.threads()).c_str());
        print_summary_body(a, res, seconds, std::uint64_t(n) * m);
        std::printf("  wrote           %s %s (%s)\n", solved.name(), solved.out.c_str(),
                    (solved.is_w ? shape_w : shape_h).c_str());
    }
    flush_stdout();
    return k_exit_ok;
}

// ---- reconstruct -------------------------------------------------------------------

template <class T>
int run_reconstruct(const cli_args& a) {
    const matrix<T> W = read_dense<T>(a.fixed_w);
    const matrix<T> H = read_dense<T>(a.fixed_h);
    if (W.cols != H.rows)
        throw data_error("W (" + a.fixed_w + ") is " + shape_text(W.rows, W.cols) + " but H (" + a.fixed_h + ") is " +
                         shape_text(H.rows, H.cols) + ": W needs as many columns as H has rows (the rank)");
    const std::size_t n = W.rows, r = W.cols, m = H.cols;
    std::size_t nm = 0, bytes = 0;
    if (__builtin_mul_overflow(n, m, &nm) || __builtin_mul_overflow(nm, sizeof(T), &bytes))
        throw data_error("W * H (" + shape_text(n, m) + ") overflows the address space");
    const double physical = physical_memory();
    if (physical > 0 && double(bytes) > physical)
        throw data_error("W * H (" + shape_text(n, m) + ") needs " + gib(double(bytes)) + ", more than the " +
                         gib(physical) + " of memory");
    std::vector<T> X;
    try {
        X.resize(nm);
    } catch (const std::bad_alloc&) {
        throw data_error("not enough memory for W * H (" + shape_text(n, m) + ")");
    }
    output_file out(a.out);
    const nmfkit::status st = nmfkit::inverse_transform<T>({W.data.data(), n, r}, {H.data.data(), r, m},
                                                           {X.data(), n, m});
    if (st != nmfkit::status::ok) throw data_error("reconstruct: " + status_text(st));
    out.write_and_close(format_matrix(a.out, X.data(), n, m));
    std::printf("nmfkit reconstruct: wrote %s (%zux%zu) = W %s (%zux%zu) * H %s (%zux%zu), %s\n", a.out.c_str(), n, m,
                a.fixed_w.c_str(), n, r, a.fixed_h.c_str(), r, m, dtype_name<T>());
    flush_stdout();
    return k_exit_ok;
}

int run(int argc, char** argv) {
    if (argc < 2) {
        std::fputs(usage_text().c_str(), stderr);
        std::fputs("Try 'nmfkit --help' for more information.\n", stderr);
        return k_exit_usage;
    }
    const cli_args p = parse_command_line(argc, argv);
    switch (p.cmd) {
        case command::help: std::fputs(help_text().c_str(), stdout); return k_exit_ok;
        case command::version: std::puts("nmfkit " NMFKIT_VERSION_STRING); return k_exit_ok;
        case command::fit:
        case command::transform: return p.f64 ? run_factorize<double>(p) : run_factorize<float>(p);
        case command::reconstruct: return p.f64 ? run_reconstruct<double>(p) : run_reconstruct<float>(p);
    }
    return k_exit_ok;
}

}  // namespace
}  // namespace cli

int main(int argc, char** argv) {
    try {
        return cli::run(argc, argv);
    } catch (const cli::usage_error& e) {
        std::fprintf(stderr, "nmfkit: error: %s\nTry 'nmfkit --help' for more information.\n", e.what());
        return cli::k_exit_usage;
    } catch (const cli::data_error& e) {
        std::fprintf(stderr, "nmfkit: error: %s\n", e.what());
        return cli::k_exit_error;
    } catch (const std::bad_alloc&) {
        std::fprintf(stderr, "nmfkit: error: out of memory\n");
        return cli::k_exit_error;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "nmfkit: error: %s\n", e.what());
        return cli::k_exit_error;
    }
}
