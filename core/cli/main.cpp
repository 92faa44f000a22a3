// nmfkit command-line tool: factorizes a non-negative matrix read from a CSV, .npy,
// Matrix Market (a coordinate file stays sparse: CSR) or raw float32 file, with missing
// entries if asked (--missing), and writes W and H as CSV or .npy; solves one
// factor with the other fixed (transform); multiplies W and H back (reconstruct). The
// options are defined by the table in options.cpp (nmfkit --help).
#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <csignal>
#include <cstdint>
#include <cstdlib>
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
#include <nmfkit/rank.hpp>
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

// ---- signals ----------------------------------------------------------------------

// SIGINT, SIGTERM and SIGHUP: while inputs are read nothing needs undoing, so the handler
// exits at once; once output files may exist (`deferred`) it only records the signal, the
// fit stops at its next progress callback, and the temporaries are removed on the way out.
volatile std::sig_atomic_t g_signal = 0;
volatile std::sig_atomic_t g_deferred = 0;

extern "C" void on_signal(int sig) {
    if (!g_deferred) {
        constexpr char msg[] = "nmfkit: interrupted: no output written, existing files unchanged\n";
        const ssize_t ignored = ::write(STDERR_FILENO, msg, sizeof msg - 1);
        (void)ignored;
        ::_exit(128 + sig);
    }
    g_signal = sig;
}

void install_signal_handlers() {
    struct sigaction sa {};
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_RESTART;
    // A signal ignored when we started stays ignored (nohup, a shell's background job).
    struct sigaction old {};
    for (const int sig : {SIGINT, SIGTERM, SIGHUP})
        if (::sigaction(sig, nullptr, &old) == 0 && old.sa_handler != SIG_IGN) ::sigaction(sig, &sa, nullptr);
    // A closed pipe on stdout is a write error (EPIPE) like any other, reported after the
    // temporaries are removed, not a silent death that leaves them behind.
    std::signal(SIGPIPE, SIG_IGN);
}

// Thrown when a recorded signal stops the run; main exits with 128 + sig.
struct interrupted {
    int sig;
    std::uint32_t iteration = 0, max_iter = 0;
    bool in_fit = false;
};

void check_interrupt() {
    if (g_signal) throw interrupted{g_signal};
}

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

    // Called by the fit at every check: stops it once a signal came; redraws at most ~10
    // times a second, so fast fits do not spend their time writing to the terminal.
    static bool callback(const nmfkit::progress& p, void* user) noexcept {
        auto* self = static_cast<progress_bar*>(user);
        self->last = p;
        if (g_signal) return false;
        if (!self->enabled) return true;
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

std::string folder_of(const std::string& path) {
    const std::size_t slash = path.rfind('/');
    if (slash == std::string::npos) return ".";
    return slash == 0 ? std::string("/") : path.substr(0, slash);
}

std::string base_of(const std::string& path) {
    const std::size_t slash = path.rfind('/');
    return slash == std::string::npos ? path : path.substr(slash + 1);
}

// Whether an output goes to standard output: "-", or /dev/stdout (written through our own
// descriptor, so it lands in order with anything else written there).
bool to_stdout(const std::string& path) { return path == "-" || path == "/dev/stdout"; }

std::string display_name(const std::string& path) { return path == "-" ? std::string("standard output") : path; }

// The identity of a file named on the command line, so two names of one file are caught:
// its device and inode if it exists, else the real path of its folder and its name.
struct file_id {
    bool exists = false;
    bool char_device = false;  // /dev/null: any number of outputs may go there
    dev_t dev = 0;
    ino_t ino = 0;
    std::string path;

    explicit file_id(const std::string& p) {
        struct stat st {};
        // "-" as an input: the file standard input was redirected from, if any.
        if (p == "-" ? ::fstat(STDIN_FILENO, &st) == 0 && S_ISREG(st.st_mode) : ::stat(p.c_str(), &st) == 0) {
            exists = true;
            char_device = S_ISCHR(st.st_mode);
            dev = st.st_dev;
            ino = st.st_ino;
            return;
        }
        char* dir = ::realpath(folder_of(p).c_str(), nullptr);
        path = dir ? std::string(dir) + "/" + base_of(p) : p;
        std::free(dir);
    }
    bool same(const file_id& o) const {
        return exists ? o.exists && dev == o.dev && ino == o.ino : !o.exists && path == o.path;
    }
};

// A file on the command line: the option that names it ("INPUT", "--out-w") and its path.
struct named_file {
    const char* option;
    std::string path;
};

// Refuses, before any work, two outputs that are one file, or an output that is an input
// ("-" is standard input or output; two outputs cannot share it).
void check_distinct(const std::vector<named_file>& inputs, const std::vector<named_file>& outputs) {
    for (std::size_t i = 0; i < outputs.size(); ++i) {
        const named_file& o = outputs[i];
        if (o.path.empty()) continue;
        if (to_stdout(o.path)) {
            for (std::size_t j = 0; j < i; ++j)
                if (to_stdout(outputs[j].path))
                    throw usage_error(std::string(outputs[j].option) + " and " + o.option +
                                      " both write to standard output ('-'); at most one output can");
            continue;
        }
        const file_id id(o.path);
        if (id.char_device) continue;
        for (std::size_t j = 0; j < i; ++j)
            if (!outputs[j].path.empty() && !to_stdout(outputs[j].path) && id.same(file_id(outputs[j].path)))
                throw usage_error(std::string(outputs[j].option) + " " + outputs[j].path + " and " + o.option + " " +
                                  o.path + " are the same file; each output needs its own");
        for (const named_file& in : inputs)
            if (!in.path.empty() && id.same(file_id(in.path)))
                throw usage_error(std::string(o.option) + " " + o.path + " is the same file as " + in.option + " " +
                                  in.path + "; write the result to another file");
    }
}

// Writes all of `size` bytes to `fd`; false on an error (errno set).
bool write_all(int fd, const char* data, std::size_t size) {
    while (size > 0) {
        const ssize_t n = ::write(fd, data, size);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return false;
        data += n;
        size -= std::size_t(n);
    }
    return true;
}

mode_t g_umask = 022;

// One output: standard output ("-"); an existing device or FIFO, or a file under /dev or
// /proc, written straight to (there is nothing there to keep); or else a temporary file in the target's folder, created
// before the fit (a bad folder fails before a long run) and renamed over the target only by commit(), after every
// output is complete. A temporary that is not renamed is removed.
class output_file {
public:
    explicit output_file(std::string path) : path_(std::move(path)) {
        if (to_stdout(path_)) return;
        struct stat st {};
        const bool exists = ::stat(path_.c_str(), &st) == 0;
        if (exists && S_ISDIR(st.st_mode)) throw data_error("cannot write " + path_ + ": it is a directory");
        // /dev/stdout, /proc/self/fd/N: a file someone else opened; replacing it would lose the output.
        const bool opened_elsewhere = path_.rfind("/dev/", 0) == 0 || path_.rfind("/proc/", 0) == 0;
        if (exists && (!S_ISREG(st.st_mode) || opened_elsewhere)) {
            if (::access(path_.c_str(), W_OK) != 0)
                throw data_error("cannot open " + path_ + " for writing: " + std::strerror(errno));
            return;
        }
        // A file we may not write stays as it is, although its folder would let us replace it.
        if (exists && ::access(path_.c_str(), W_OK) != 0)
            throw data_error("cannot open " + path_ + " for writing: " + std::strerror(errno));
        // Through a symbolic link: the file it points to is replaced, the link kept.
        target_ = path_;
        if (exists) {
            if (char* real = ::realpath(path_.c_str(), nullptr)) {
                target_ = real;
                std::free(real);
            }
        }
        std::string tmpl = folder_of(target_) + "/." + base_of(target_) + ".nmfkit-XXXXXX";
        fd_ = ::mkstemp(tmpl.data());
        if (fd_ < 0)
            throw data_error("cannot write " + path_ + ": cannot create a temporary file in " + folder_of(target_) +
                             ": " + std::strerror(errno));
        temp_ = tmpl;
        // The mode a new file gets from the umask, or the mode of the file it replaces.
        ::fchmod(fd_, exists ? st.st_mode & 07777 : 0666 & ~g_umask);
    }
    output_file(const output_file&) = delete;
    output_file& operator=(const output_file&) = delete;
    ~output_file() {
        if (fd_ >= 0) ::close(fd_);
        if (!temp_.empty()) ::unlink(temp_.c_str());
    }

    const std::string& path() const { return path_; }
    bool is_temporary() const { return !temp_.empty(); }
    void stage(std::string bytes) { bytes_ = std::move(bytes); }

    // The temporary's content, on the disk (fsync) before anything is renamed.
    void write_temporary() {
        const bool ok = write_all(fd_, bytes_.data(), bytes_.size()) && ::fsync(fd_) == 0;
        const int err = errno;
        const bool closed = ::close(fd_) == 0;
        fd_ = -1;
        if (!ok || !closed) fail(ok ? errno : err);
    }

    void write_direct() {
        if (to_stdout(path_)) {
            if (std::fflush(stdout) != 0 || !write_all(STDOUT_FILENO, bytes_.data(), bytes_.size())) fail(errno);
            return;
        }
        const int fd = ::open(path_.c_str(), O_WRONLY | O_APPEND);
        if (fd < 0) fail(errno);
        const bool ok = write_all(fd, bytes_.data(), bytes_.size());
        const int err = errno;
        ::close(fd);
        if (!ok) fail(err);
    }

    void rename_into_place() {
        if (::rename(temp_.c_str(), target_.c_str()) != 0) fail(errno);
        temp_.clear();
        // The rename itself on the disk: fsync of the folder (best effort).
        const int dir = ::open(folder_of(target_).c_str(), O_RDONLY | O_DIRECTORY);
        if (dir >= 0) {
            ::fsync(dir);
            ::close(dir);
        }
    }

private:
    [[noreturn]] void fail(int err) const { throw data_error("cannot write " + path_ + ": " + std::strerror(err)); }

    std::string path_, target_, temp_, bytes_;
    int fd_ = -1;
};

// Writes every output or none: first the temporaries (a full disk, an error or a signal stops
// here, before anything was replaced), then standard output and devices, then the renames.
void commit(const std::vector<output_file*>& outputs) {
    for (output_file* o : outputs) {
        check_interrupt();
        if (o->is_temporary()) o->write_temporary();
    }
    check_interrupt();
    for (output_file* o : outputs)
        if (!o->is_temporary()) o->write_direct();
    for (output_file* o : outputs)
        if (o->is_temporary()) o->rename_into_place();
}

// ---- messages -----------------------------------------------------------------------

// Where the summary and --json go: stdout, or stderr when an output is written there ("-").
std::FILE* g_report = stdout;

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
    std::size_t first_line = 1;  // of a CSV's data: 2 after a header

    std::string position(std::size_t row, std::size_t col) const {
        return name + (csv ? ": line " + std::to_string(row + first_line) : ": row " + std::to_string(row + 1)) +
               ", column " + std::to_string(col + 1);
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

// A matrix as the bytes of the file `path` names: .npy; tab-separated for .tsv and .tab; CSV
// otherwise (also for "-"), with a header line of `names` if given (ignored by .npy).
template <class T>
std::string format_matrix(const std::string& path, const T* data, std::size_t rows, std::size_t cols,
                          const std::vector<std::string>* names = nullptr) {
    try {
        if (has_suffix(path, ".npy")) return format_npy(data, rows, cols);
        const bool tabs = has_suffix(path, ".tsv") || has_suffix(path, ".tab");
        return format_csv(data, rows, cols, tabs ? '\t' : ',', names);
    } catch (const std::bad_alloc&) {
        throw data_error("not enough memory to format the " + shape_text(rows, cols) + " matrix for " +
                         display_name(path));
    }
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
        x.dense = parse_csv<T>(read_file(a.input), a.input, nan, a.layout);
        if (!x.dense.column_names.empty()) src.first_line = 2;
    }
    return x;
}

// load_input, with a message naming X if its matrix does not fit in memory.
template <class T>
input<T> load_x(const cli_args& a, source& src) {
    try {
        return load_input<T>(a, src);
    } catch (const std::bad_alloc&) {
        struct stat st {};
        const bool sized = a.input != "-" && ::stat(a.input.c_str(), &st) == 0 && S_ISREG(st.st_mode);
        throw data_error("not enough memory to read X (" + input_name(a.input) +
                         (sized ? ", a file of " + std::to_string(st.st_size) + " bytes" : std::string()) + ")");
    }
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
    std::fprintf(g_report,
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
    std::fprintf(g_report, "  iterations      %u (max %u)\n", res.iterations, a.max_iter);
    if (a.beta == 2) std::fprintf(g_report, "  loss            %.9g (frobenius: 1/2 ||X - WH||_F^2)\n", res.loss);
    else if (a.beta == 1)
        std::fprintf(g_report, "  loss            %.9g (kl: generalized Kullback-Leibler, beta 1)\n", res.loss);
    else if (a.beta == 0) std::fprintf(g_report, "  loss            %.9g (is: Itakura-Saito, beta 0)\n", res.loss);
    else
        std::fprintf(g_report, "  loss            %.9g (beta-divergence, beta %s)\n", res.loss,
                     short_number(a.beta).c_str());
    const auto all = static_cast<unsigned long long>(entries);
    if (a.missing == nmfkit::missing_entries::none) std::fprintf(g_report, "  loss over       all %llu entries\n", all);
    else
        std::fprintf(g_report, "  loss over       %llu observed entries of %llu (--missing %s)\n",
                     static_cast<unsigned long long>(res.observed), all, nmfkit::name(a.missing));
    if (a.alpha_w != 0 || a.alpha_h != 0) {
        std::fprintf(g_report, "  objective       %.9g (loss + penalties)\n", res.objective);
        std::fprintf(g_report, "  penalties       alpha_w %s, alpha_h %s, l1_ratio %s\n",
                     short_number(a.alpha_w).c_str(), short_number(a.alpha_h).c_str(),
                     short_number(a.l1_ratio).c_str());
    }
    std::fprintf(g_report, "  relative error  %.9g\n", res.relative_error);
    std::fprintf(g_report, "  seconds         %.3g\n", seconds);
    if (res.converged) std::fprintf(g_report, "  converged       yes (tol %g)\n", a.tol);
    else if (a.tol == 0) std::fprintf(g_report, "  converged       no (tol 0: ran all iterations)\n");
    else std::fprintf(g_report, "  converged       no (stopped at --max-iter %u)\n", a.max_iter);
}

void flush_report() {
    if (std::fflush(g_report) != 0)
        throw data_error(std::string("cannot write to ") + (g_report == stdout ? "stdout: " : "stderr: ") +
                         std::strerror(errno));
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
    // Always called back, bar or not: the callback is how a signal stops the fit.
    const nmfkit::progress_callback cb = &progress_bar::callback;
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
    check_distinct({{"INPUT", a.input}, {"--w", a.fixed_w}, {"--h", a.fixed_h}, {"--w0", a.w0}, {"--h0", a.h0}},
                   {{"--out-w", fw.out}, {"--out-h", fh.out}});
    if (to_stdout(fw.out) || to_stdout(fh.out)) g_report = stderr;
    sources src;
    src.w.name = fw.fixed.empty() ? fw.start : fw.fixed;
    src.h.name = fh.fixed.empty() ? fh.start : fh.fixed;
    src.w.csv = is_csv_name(src.w.name);
    src.h.csv = is_csv_name(src.h.name);
    const input<T> X = load_x<T>(a, src.x);
    const std::size_t n = X.rows(), m = X.cols();
    matrix<T> W, H;
    if (!fw.fixed.empty()) W = load_fixed<T>(fw, n, m, src.x);
    if (!fh.fixed.empty()) H = load_fixed<T>(fh, n, m, src.x);
    const std::size_t r = is_fit ? *a.rank : !fw.fixed.empty() ? W.cols : H.rows;

    const nmfkit::options opt = make_options(a, r);
    const std::size_t ws_bytes = workspace_bytes<T>(X, opt, src, a);

    if (!fw.start.empty()) W = load_start<T>(fw.start, "W0", n, r, "rows of X x rank");
    if (!fh.start.empty()) H = load_start<T>(fh.start, "H0", r, m, "rank x columns of X");
    if (!W.column_names.empty()) src.w.first_line = 2;
    if (!H.column_names.empty()) src.h.first_line = 2;
    std::vector<std::byte> ws;
    try {
        W.data.resize(n * r);  // no-op for a loaded W (fixed or start); likewise H
        H.data.resize(r * m);
        ws.resize(ws_bytes + nmfkit::workspace_alignment);
    } catch (const std::bad_alloc&) {
        throw_no_memory(r, n, m, ws_bytes);
    }
    void* aligned_ws = nmfkit::align_workspace(ws.data(), ws.size());

    // From here on output temporaries exist: a signal is recorded, and stops the fit.
    g_deferred = 1;
    std::optional<output_file> out_w, out_h;
    if (!fw.out.empty()) out_w.emplace(fw.out);
    if (!fh.out.empty()) out_h.emplace(fh.out);

    // Started before the clock: the threads of the pool are not the fit's time.
    const nmfkit::thread_pool pool(a.threads);
    const nmfkit::executor* exec = pool.threads() > 1 ? pool.executor() : nullptr;
    progress_bar bar = make_progress_bar(a);
    const nmfkit::matrix_view<T> Wv(W.data.data(), n, r), Hv(H.data.data(), r, m);
    nmfkit::result res;
    check_interrupt();
    const auto t0 = clock_type::now();
    const nmfkit::status st = X.is_sparse
                                  ? solve(X.csr_view(), is_fit, fw, Wv, Hv, opt, aligned_ws, ws_bytes, res, bar, exec)
                                  : solve(nmfkit::const_matrix_view<T>(X.dense.data.data(), n, m), is_fit, fw, Wv, Hv,
                                          opt, aligned_ws, ws_bytes, res, bar, exec);
    const double seconds = seconds_since(t0);
    bar.finish();
    if (g_signal) throw interrupted{g_signal, bar.last.iteration, a.max_iter, true};
    if (st != nmfkit::status::ok) throw data_error(library_error(st, res, src, a, X));

    // H's columns are X's: a header of X names them (W's rows have no names to keep).
    const std::vector<std::string>* names = X.dense.column_names.empty() ? nullptr : &X.dense.column_names;
    std::vector<output_file*> outputs;
    if (out_w) {
        out_w->stage(format_matrix(fw.out, W.data.data(), n, r));
        outputs.push_back(&*out_w);
    }
    if (out_h) {
        out_h->stage(format_matrix(fh.out, H.data.data(), r, m, names));
        outputs.push_back(&*out_h);
    }
    commit(outputs);

    const char* kernel = a.kernel == nmfkit::kernel_choice::scalar ? "scalar" : nmfkit::default_kernel_name<T>();
    const std::string shape_w = shape_text(n, r), shape_h = shape_text(r, m);
    if (a.json) {
        print_json(a, res, seconds, kernel, dtype_name<T>(), n, m, r,
                   json_input(a, X, res, pool.threads()) +
                       (is_fit ? std::string(",\"init\":\"") + nmfkit::name(a.init) + "\",\"solver\":\"" +
                                     nmfkit::name(nmfkit::resolve_solver(opt)) + "\""
                               : std::string(",\"solved\":\"") + solved.name() + "\""));
    } else if (is_fit) {
        std::fprintf(g_report, "nmfkit: X %s, rank %zu, %s, kernel %s, %s\n", x_text(X).c_str(), r, dtype_name<T>(),
                     kernel, threads_text(pool.threads()).c_str());
        std::fprintf(g_report, "  init, solver    %s, %s%s\n", nmfkit::name(a.init),
                     nmfkit::name(nmfkit::resolve_solver(opt)),
                     a.solver == nmfkit::algorithm::automatic ? " (auto)" : "");
        print_summary_body(a, res, seconds, std::uint64_t(n) * m);
        std::fprintf(g_report, "  wrote           %s (%s), %s (%s)\n", display_name(fw.out).c_str(), shape_w.c_str(),
                     display_name(fh.out).c_str(), shape_h.c_str());
    } else {
        std::fprintf(g_report, "nmfkit transform: X %s, %s %s fixed (%s), rank %zu, %s, kernel %s, %s\n",
                     x_text(X).c_str(), fixed.name(), (fixed.is_w ? shape_w : shape_h).c_str(), fixed.fixed.c_str(), r,
                     dtype_name<T>(), kernel, threads_text(pool.threads()).c_str());
        print_summary_body(a, res, seconds, std::uint64_t(n) * m);
        std::fprintf(g_report, "  wrote           %s %s (%s)\n", solved.name(), display_name(solved.out).c_str(),
                     (solved.is_w ? shape_w : shape_h).c_str());
    }
    flush_report();
    return k_exit_ok;
}

// ---- reconstruct -------------------------------------------------------------------

template <class T>
int run_reconstruct(const cli_args& a) {
    check_distinct({{"--w", a.fixed_w}, {"--h", a.fixed_h}}, {{"--out", a.out}});
    if (to_stdout(a.out)) g_report = stderr;
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
    g_deferred = 1;
    output_file out(a.out);
    const nmfkit::status st = nmfkit::inverse_transform<T>({W.data.data(), n, r}, {H.data.data(), r, m},
                                                           {X.data(), n, m});
    if (st != nmfkit::status::ok) throw data_error("reconstruct: " + status_text(st));
    // The columns of W * H are H's: its header names them.
    out.stage(format_matrix(a.out, X.data(), n, m, H.column_names.empty() ? nullptr : &H.column_names));
    commit({&out});
    std::fprintf(g_report, "nmfkit reconstruct: wrote %s (%zux%zu) = W %s (%zux%zu) * H %s (%zux%zu), %s\n",
                 display_name(a.out).c_str(), n, m, a.fixed_w.c_str(), n, r, a.fixed_h.c_str(), r, m, dtype_name<T>());
    flush_report();
    return k_exit_ok;
}

// ---- rank ------------------------------------------------------------------------------

// A number for the rank table: 4 significant digits, "-" when not computed.
std::string table_number(double v) {
    if (std::isnan(v)) return "-";
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.4g", v);
    return buf;
}

std::string json_or_null(double v) { return std::isfinite(v) ? json_number(v) : std::string("null"); }

// rank: the cross-validated rank search (nmfkit/rank.hpp) over --ranks; a table or one JSON line.
template <class T>
int run_rank(const cli_args& a) {
    sources src;
    const input<T> X = load_x<T>(a, src.x);
    const std::size_t n = X.rows(), m = X.cols();
    nmfkit::options opt = make_options(a, 1);
    nmfkit::rank_options ro;
    ro.ranks = a.ranks.data();
    ro.n_ranks = a.ranks.size();
    ro.reps = a.reps;
    ro.restarts = a.restarts;
    ro.test_fraction = a.test_fraction;
    ro.seed = a.seed;
    // Started before the clock; the search runs one fit per thread (each fit small next to X·Hᵀ's
    // work split over threads), the same scores as one at a time.
    const nmfkit::thread_pool pool(a.threads);
    const nmfkit::executor* exec = pool.threads() > 1 ? pool.executor() : nullptr;
    ro.parallel_fits = static_cast<std::uint32_t>(pool.threads() < 255 ? pool.threads() : 255);
    std::size_t bytes = 0;
    nmfkit::status st = X.is_sparse ? nmfkit::rank_workspace_size<T>(n, m, X.sparse.nnz(), opt, ro, bytes)
                                    : nmfkit::rank_workspace_size<T>(n, m, opt, ro, bytes);
    if (st == nmfkit::status::invalid_missing)
        throw usage_error("--missing " + std::string(nmfkit::name(a.missing)) + " does not apply to " +
                          (X.is_sparse ? "a sparse" : "a dense") + " X (" + src.x.name + ")");
    if (st != nmfkit::status::ok) throw data_error("rank: " + status_text(st));
    const double physical = physical_memory();
    if (physical > 0 && double(bytes) > physical)
        throw data_error("rank: the search needs " + gib(double(bytes)) + " of workspace, more than the " +
                         gib(physical) + " of memory");
    std::vector<std::byte> ws;
    try {
        ws.resize(bytes + nmfkit::workspace_alignment);
    } catch (const std::bad_alloc&) {
        throw data_error("rank: not enough memory for " + gib(double(bytes)) + " of workspace");
    }
    void* aligned = nmfkit::align_workspace(ws.data(), ws.size());
    progress_bar bar = make_progress_bar(a);
    check_interrupt();
    const auto t0 = clock_type::now();
    nmfkit::rank_search<T> rs;
    st = X.is_sparse ? rs.start(X.csr_view(), opt, ro, aligned, bytes, exec)
                     : rs.start(nmfkit::const_matrix_view<T>(X.dense.data.data(), n, m), opt, ro, aligned, bytes, exec);
    if (st != nmfkit::status::ok) throw data_error(library_error(st, nmfkit::result{}, src, a, X));
    nmfkit::rank_progress p;
    while (st == nmfkit::status::ok && !rs.done()) {
        st = rs.run(opt.check_every, p);
        // the bar counts fits: "fits done / fits", with the current fit's relative error
        const nmfkit::progress fp{std::uint32_t(p.fits_done), std::uint32_t(p.fits_total), 0, p.relative_error};
        if (!progress_bar::callback(fp, &bar)) break;
    }
    const double seconds = seconds_since(t0);
    bar.finish();
    if (g_signal) throw interrupted{g_signal, std::uint32_t(p.fits_done), std::uint32_t(p.fits_total), false};
    if (st != nmfkit::status::ok) throw data_error("rank: a fit failed: " + status_text(st));

    std::vector<nmfkit::rank_score> sc(ro.n_ranks);
    for (std::size_t i = 0; i < sc.size(); ++i) (void)rs.score(i, sc[i]);
    const std::uint32_t best = rs.suggested_rank(), best_1se = rs.suggested_rank_1se();
    if (a.json) {
        std::string j = "{\"suggested_rank\":" + std::to_string(best) +
                        ",\"suggested_rank_1se\":" + std::to_string(best_1se) + ",\"ranks\":[";
        for (std::size_t i = 0; i < sc.size(); ++i) {
            const nmfkit::rank_score& s = sc[i];
            j += std::string(i ? "," : "") + "{\"rank\":" + std::to_string(s.rank) +
                 ",\"train\":" + json_or_null(s.train) + ",\"train_sd\":" + json_or_null(s.train_sd) +
                 ",\"test\":" + json_or_null(s.test) + ",\"test_sd\":" + json_or_null(s.test_sd) +
                 ",\"cophenetic\":" + json_or_null(s.cophenetic) + ",\"dispersion\":" + json_or_null(s.dispersion) +
                 "}";
        }
        j += "],\"reps\":" + std::to_string(a.reps) + ",\"restarts\":" + std::to_string(a.restarts) +
             ",\"test_fraction\":" + json_number(a.test_fraction) +
             ",\"test_entries\":" + std::to_string(rs.test_entries()) +
             ",\"train_entries\":" + std::to_string(rs.train_entries()) + ",\"loss_name\":\"" + json_loss_name(a.beta) +
             "\",\"beta\":" + json_number(a.beta) + ",\"dtype\":\"" + dtype_name<T>() +
             "\",\"rows\":" + std::to_string(n) + ",\"cols\":" + std::to_string(m) +
             ",\"sparse\":" + (X.is_sparse ? "true" : "false") + ",\"threads\":" + std::to_string(pool.threads()) +
             ",\"seconds\":" + json_number(seconds) + "}";
        std::fprintf(g_report, "%s\n", j.c_str());
    } else {
        std::fprintf(g_report,
                     "nmfkit rank: X %s, %s, loss %s, %u reps x %u restarts, %s of the entries hidden (%llu), %s\n",
                     x_text(X).c_str(), dtype_name<T>(), a.loss_text.c_str(), a.reps, a.restarts,
                     short_number(a.test_fraction).c_str(), static_cast<unsigned long long>(rs.test_entries()),
                     threads_text(pool.threads()).c_str());
        std::fprintf(g_report, "%6s  %11s  %11s  %11s  %10s  %10s\n", "rank", "train", "test", "test sd", "cophenetic",
                     "dispersion");
        for (const nmfkit::rank_score& s : sc)
            std::fprintf(g_report, "%6u  %11s  %11s  %11s  %10s  %10s%s\n", s.rank, table_number(s.train).c_str(),
                         table_number(s.test).c_str(), table_number(s.test_sd).c_str(),
                         table_number(s.cophenetic).c_str(), table_number(s.dispersion).c_str(),
                         s.rank == best ? "  <- lowest test error" : "");
        std::fprintf(g_report, "suggested rank: %u (lowest mean test error); %u by the one-standard-error rule\n", best,
                     best_1se);
        std::fprintf(g_report,
                     "(errors: mean deviance per entry, 2 * D_beta / entries: the mean squared error for "
                     "frobenius; %.3f s)\n",
                     seconds);
    }
    flush_report();
    return k_exit_ok;
}

int run(int argc, char** argv) {
    g_umask = ::umask(0);
    ::umask(g_umask);
    install_signal_handlers();
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
        case command::rank: return p.f64 ? run_rank<double>(p) : run_rank<float>(p);
    }
    return k_exit_ok;
}

}  // namespace
}  // namespace cli

int main(int argc, char** argv) {
    try {
        return cli::run(argc, argv);
    } catch (const cli::interrupted& e) {
        const char* name = e.sig == SIGINT    ? "SIGINT"
                           : e.sig == SIGTERM ? "SIGTERM"
                           : e.sig == SIGHUP  ? "SIGHUP"
                                              : "a signal";
        if (e.in_fit)
            std::fprintf(
                stderr,
                "nmfkit: interrupted by %s at iteration %u of %u: no output written, existing files unchanged\n", name,
                e.iteration, e.max_iter);
        else std::fprintf(stderr, "nmfkit: interrupted by %s: no output written, existing files unchanged\n", name);
        return 128 + e.sig;
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
