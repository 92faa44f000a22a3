// nmfkit command-line tool: factorizes a non-negative matrix read from a CSV (or raw
// float32) file and writes W and H as CSV. See usage_text below for the interface.
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <charconv>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <limits>
#include <new>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <sys/stat.h>
#include <type_traits>
#include <vector>

#include <nmfkit/nmfkit.hpp>

#include "csv.hpp"

#ifndef NMFKIT_VERSION_STRING
#define NMFKIT_VERSION_STRING "0.1.0"  // keep in step with project(VERSION) in CMakeLists.txt
#endif

namespace cli {
namespace {

constexpr int k_exit_ok = 0;
constexpr int k_exit_error = 1;
constexpr int k_exit_usage = 2;

// A command-line mistake: the tool exits with status 2.
struct usage_error : std::runtime_error {
    using std::runtime_error::runtime_error;
};

constexpr const char* k_usage_short =
    "usage: nmfkit fit INPUT --rank K --out-w FILE --out-h FILE [options]\n"
    "       nmfkit --help | --version\n";

constexpr const char* k_help =
    "nmfkit " NMFKIT_VERSION_STRING " - non-negative matrix factorization X ~= W * H\n"
    "(Lee & Seung multiplicative updates for the Frobenius loss)\n"
    "\n"
    "usage: nmfkit fit INPUT --rank K --out-w FILE --out-h FILE [options]\n"
    "       nmfkit --help            this text (also: nmfkit fit --help)\n"
    "       nmfkit --version         print the version\n"
    "\n"
    "Factorizes the n x m matrix X read from INPUT into W (n x K) and H (K x m), all\n"
    "entries >= 0, and writes W and H as CSV.\n"
    "\n"
    "Required:\n"
    "  INPUT                 the matrix X: a CSV file, '-' for standard input, or a\n"
    "                        raw float32 file (name ending in .f32 or .raw) with --shape\n"
    "  --rank K              the factorization rank, an integer >= 1 (may exceed n, m)\n"
    "  --out-w FILE          where to write W (n x K), as CSV\n"
    "  --out-h FILE          where to write H (K x m), as CSV\n"
    "\n"
    "Options:\n"
    "  --max-iter N          maximum number of iterations (each updates W, then H);\n"
    "                        0 only initializes. Default 200\n"
    "  --tol T               convergence tolerance, a number >= 0. Default 1e-4.\n"
    "                        Every --check-every iterations the error\n"
    "                        e_t = ||X - W*H||_F is computed; the fit stops when\n"
    "                        (e_prev - e_t) / e_0 < T, where e_prev is the error at the\n"
    "                        previous check (at iteration 0 for the first check) and e_0\n"
    "                        the error of the initial W0, H0 (scikit-learn's rule for\n"
    "                        solver='mu'). --tol 0 never stops early: it runs --max-iter\n"
    "                        iterations\n"
    "  --check-every N       iterations between convergence checks (and progress\n"
    "                        updates), an integer >= 1. Default 10\n"
    "  --seed S              seed of the random initialization, an integer in\n"
    "                        [0, 2^64). Default 0. Same seed, same input: the same\n"
    "                        W and H on every platform\n"
    "  --init random|custom  random: W0, H0 uniform in (0, 1) times sqrt(mean(X) / K)\n"
    "                        (default). custom: start from --w0 and --h0\n"
    "  --w0 FILE             initial W (n x K), CSV; required with --init custom\n"
    "  --h0 FILE             initial H (K x m), CSV; required with --init custom\n"
    "  --dtype f32|f64       arithmetic precision: float32 (default) or float64\n"
    "  --shape ROWSxCOLS     the shape of a raw float32 INPUT, e.g. --shape 1797x64;\n"
    "                        required for .f32/.raw input (with '-', reads raw stdin)\n"
    "  --kernel auto|scalar  auto: the fastest kernels this CPU supports (default);\n"
    "                        scalar: the plain C++ reference kernels\n"
    "  --json                print the result as one JSON line on stdout:\n"
    "                        {\"iterations\":N,\"loss\":L,\"relative_error\":E,\"seconds\":S,\n"
    "                         \"converged\":true|false,\"kernel\":\"...\",\"dtype\":\"f32\",\n"
    "                         \"rows\":n,\"cols\":m,\"rank\":K}\n"
    "                        (without --json: a short human-readable summary)\n"
    "  --progress auto|always|never\n"
    "                        progress bar on stderr (iteration, relative error, elapsed\n"
    "                        time); auto (default): only when stderr is a terminal\n"
    "  -h, --help            this text\n"
    "  -V, --version         print the version\n"
    "Options take their value as the next argument or after '=' (--rank=5).\n"
    "\n"
    "Results: loss = 1/2 ||X - W*H||_F^2, relative error = ||X - W*H||_F / ||X||_F, both\n"
    "of the final W, H; seconds = wall time of the fit (file I/O excluded); converged =\n"
    "the --tol rule stopped the fit before --max-iter.\n"
    "\n"
    "File formats:\n"
    "  CSV: one matrix row per line, cells separated by commas, no header. Spaces and\n"
    "  tabs around cells, CRLF line ends and blank lines at the end are accepted; empty\n"
    "  cells are not. Every value must be a finite number >= 0 (X, W0, H0).\n"
    "  W and H are written the same way, each value with the shortest text that reads\n"
    "  back to the same f32/f64 number.\n"
    "  Raw: ROWS*COLS little-endian IEEE float32 values, row-major, no header.\n"
    "\n"
    "Exit status:\n"
    "  0  success (also when the fit stopped at --max-iter without converging)\n"
    "  1  runtime or data error: unreadable, empty or malformed input, negative or\n"
    "     non-finite values, shape mismatch, not enough memory, unwritable output\n"
    "  2  usage error: unknown option, missing or invalid option value\n"
    "\n"
    "Example:\n"
    "  nmfkit fit data/digits/digits_1797x64_f32le.raw --shape 1797x64 --rank 10 \\\n"
    "         --out-w W.csv --out-h H.csv --json\n";

enum class progress_mode { automatic, always, never };

struct fit_args {
    std::string input;
    std::optional<std::size_t> rank;
    std::uint32_t max_iter = 200;
    double tol = 1e-4;
    std::uint32_t check_every = 10;
    std::uint64_t seed = 0;
    nmfkit::init_method init = nmfkit::init_method::random;
    bool init_given = false;
    std::string w0, h0;
    bool f64 = false;
    std::optional<std::pair<std::size_t, std::size_t>> shape;
    nmfkit::kernel_choice kernel = nmfkit::kernel_choice::automatic;
    std::string out_w, out_h;
    bool json = false;
    progress_mode progress = progress_mode::automatic;
};

// ---- parsing option values -------------------------------------------------------

template <class U>
U parse_unsigned(std::string_view text, const std::string& option, const char* what) {
    U v{};
    const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
    if (text.empty() || ec != std::errc() || ptr != text.data() + text.size()) {
        const bool digits = !text.empty() && std::all_of(text.begin(), text.end(),
                                                         [](char c) { return c >= '0' && c <= '9'; });
        throw usage_error(option + " expects " + what + ", got '" + std::string(text) + "'" +
                          (digits ? " (too large)" : ""));
    }
    return v;
}

double parse_tol(std::string_view text) {
    double v = 0;
    const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
    if (text.empty() || ec != std::errc() || ptr != text.data() + text.size() || !std::isfinite(v) || v < 0)
        throw usage_error("--tol expects a finite number >= 0, got '" + std::string(text) + "'");
    return v;
}

std::pair<std::size_t, std::size_t> parse_shape(std::string_view text) {
    const std::size_t x = text.find_first_of("xX");
    if (x == std::string_view::npos)
        throw usage_error("--shape expects ROWSxCOLS (e.g. 1797x64), got '" + std::string(text) + "'");
    const char* what = "ROWSxCOLS with integers >= 1 (e.g. 1797x64)";
    const auto rows = parse_unsigned<std::size_t>(text.substr(0, x), "--shape", what);
    const auto cols = parse_unsigned<std::size_t>(text.substr(x + 1), "--shape", what);
    if (rows == 0 || cols == 0) throw usage_error(std::string("--shape expects ") + what);
    return {rows, cols};
}

bool ends_with(std::string_view s, std::string_view suffix) {
    if (s.size() < suffix.size()) return false;
    return std::equal(suffix.begin(), suffix.end(), s.end() - suffix.size(),
                      [](char a, char b) { return a == std::tolower(static_cast<unsigned char>(b)); });
}

bool is_raw_input(const fit_args& a) {
    return ends_with(a.input, ".f32") || ends_with(a.input, ".raw") || (a.input == "-" && a.shape);
}

// ---- the command line --------------------------------------------------------------

enum class command { help, version, fit };

struct parsed {
    command cmd = command::help;
    fit_args fit;
};

// Splits "--name=value" and fetches the value of options that take one.
class arg_reader {
public:
    arg_reader(int argc, char** argv) : args_(argv + 1, argv + argc) {}
    bool done() const { return pos_ >= args_.size(); }
    std::string_view next() { return args_[pos_++]; }
    std::string value(std::string_view option, const std::optional<std::string>& inline_value) {
        if (inline_value) return *inline_value;
        if (done()) throw usage_error("option " + std::string(option) + " needs a value");
        return std::string(next());
    }

private:
    std::vector<std::string_view> args_;
    std::size_t pos_ = 0;
};

void apply_option(fit_args& a, std::string_view name, arg_reader& in, const std::optional<std::string>& inl) {
    auto value = [&] { return in.value(name, inl); };
    const std::string opt(name);
    if (name == "--rank") {
        const auto r = parse_unsigned<std::size_t>(value(), opt, "an integer >= 1");
        if (r == 0) throw usage_error("--rank must be at least 1");
        a.rank = r;
    } else if (name == "--max-iter") {
        a.max_iter = parse_unsigned<std::uint32_t>(value(), opt, "an integer in [0, 4294967295]");
    } else if (name == "--tol") {
        a.tol = parse_tol(value());
    } else if (name == "--check-every") {
        a.check_every = parse_unsigned<std::uint32_t>(value(), opt, "an integer in [1, 4294967295]");
        if (a.check_every == 0) throw usage_error("--check-every must be at least 1");
    } else if (name == "--seed") {
        a.seed = parse_unsigned<std::uint64_t>(value(), opt, "an integer in [0, 18446744073709551615]");
    } else if (name == "--init") {
        const std::string v = value();
        if (v == "random") a.init = nmfkit::init_method::random;
        else if (v == "custom") a.init = nmfkit::init_method::custom;
        else throw usage_error("--init expects random or custom, got '" + v + "'");
        a.init_given = true;
    } else if (name == "--w0") {
        a.w0 = value();
    } else if (name == "--h0") {
        a.h0 = value();
    } else if (name == "--dtype") {
        const std::string v = value();
        if (v != "f32" && v != "f64") throw usage_error("--dtype expects f32 or f64, got '" + v + "'");
        a.f64 = v == "f64";
    } else if (name == "--shape") {
        a.shape = parse_shape(value());
    } else if (name == "--kernel") {
        const std::string v = value();
        if (v == "auto") a.kernel = nmfkit::kernel_choice::automatic;
        else if (v == "scalar") a.kernel = nmfkit::kernel_choice::scalar;
        else throw usage_error("--kernel expects auto or scalar, got '" + v + "'");
    } else if (name == "--out-w") {
        a.out_w = value();
    } else if (name == "--out-h") {
        a.out_h = value();
    } else if (name == "--progress") {
        const std::string v = value();
        if (v == "auto") a.progress = progress_mode::automatic;
        else if (v == "always") a.progress = progress_mode::always;
        else if (v == "never") a.progress = progress_mode::never;
        else throw usage_error("--progress expects auto, always or never, got '" + v + "'");
    } else if (name == "--json") {
        if (inl) throw usage_error("--json takes no value");
        a.json = true;
    } else {
        throw usage_error("unknown option '" + opt + "'");
    }
}

void check_fit_args(const fit_args& a) {
    if (a.input.empty()) throw usage_error("missing INPUT (the matrix file to factorize)");
    if (!a.rank) throw usage_error("missing required option --rank K");
    if (a.out_w.empty()) throw usage_error("missing required option --out-w FILE");
    if (a.out_h.empty()) throw usage_error("missing required option --out-h FILE");
    if (a.out_w == a.out_h) throw usage_error("--out-w and --out-h must be different files");
    if (a.init == nmfkit::init_method::custom && (a.w0.empty() || a.h0.empty()))
        throw usage_error("--init custom needs both --w0 FILE and --h0 FILE");
    if (a.init != nmfkit::init_method::custom && (!a.w0.empty() || !a.h0.empty()))
        throw usage_error("--w0/--h0 are used only with --init custom");
    const bool raw = is_raw_input(a);
    if (raw && !a.shape) throw usage_error("raw float32 input " + a.input + " needs --shape ROWSxCOLS");
    if (!raw && a.shape) throw usage_error("--shape applies only to raw float32 input (.f32 or .raw)");
}

parsed parse_command_line(int argc, char** argv) {
    arg_reader in(argc, argv);
    parsed p;
    const std::string_view first = in.next();
    if (first == "-h" || first == "--help" || first == "help") return p;
    if (first == "-V" || first == "--version") {
        p.cmd = command::version;
        return p;
    }
    if (first != "fit") {
        if (!first.empty() && first[0] == '-') throw usage_error("unknown option '" + std::string(first) + "'");
        throw usage_error("unknown command '" + std::string(first) + "' (the command is 'fit')");
    }
    p.cmd = command::fit;
    bool options_ended = false;
    while (!in.done()) {
        const std::string_view arg = in.next();
        if (!options_ended && (arg == "-h" || arg == "--help")) {
            p.cmd = command::help;
            return p;
        }
        if (!options_ended && arg == "--") {
            options_ended = true;
        } else if (!options_ended && arg.size() > 1 && arg[0] == '-') {
            const std::size_t eq = arg.find('=');
            std::optional<std::string> inl;
            if (eq != std::string_view::npos) inl = std::string(arg.substr(eq + 1));
            apply_option(p.fit, arg.substr(0, eq), in, inl);
        } else if (p.fit.input.empty()) {
            p.fit.input = std::string(arg);
        } else {
            throw usage_error("unexpected argument '" + std::string(arg) + "' (INPUT is already " +
                              p.fit.input + ")");
        }
    }
    check_fit_args(p.fit);
    return p;
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
        struct stat st{};
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

// ---- the fit -----------------------------------------------------------------------

template <class T>
const char* dtype_name() {
    return std::is_same_v<T, float> ? "f32" : "f64";
}

// Where the data of a matrix came from, to turn the library's 0-based bad_row /
// bad_col into a position the user can find in the file.
struct source {
    std::string name;
    bool csv = true;

    std::string position(std::size_t row, std::size_t col) const {
        return name + (csv ? ": line " : ": row ") + std::to_string(row + 1) + ", column " +
               std::to_string(col + 1);
    }
};

std::string library_error(nmfkit::status s, const nmfkit::result& res, const source& x, const source& w0,
                          const source& h0) {
    std::string where;
    switch (res.bad_matrix) {
        case nmfkit::matrix_id::X: where = x.position(res.bad_row, res.bad_col) + ": "; break;
        case nmfkit::matrix_id::W: where = w0.position(res.bad_row, res.bad_col) + ": "; break;
        case nmfkit::matrix_id::H: where = h0.position(res.bad_row, res.bad_col) + ": "; break;
        case nmfkit::matrix_id::none: break;
    }
    return where + nmfkit::status_message(s) + " (" + nmfkit::status_name(s) + ")";
}

template <class T>
matrix<T> load_input(const fit_args& a, source& src) {
    src.name = a.input == "-" ? "standard input" : a.input;
    const std::string bytes = read_file(a.input);
    if (is_raw_input(a)) {
        src.csv = false;
        return parse_raw_f32<T>(bytes, a.shape->first, a.shape->second, src.name);
    }
    return parse_csv<T>(bytes, src.name);
}

template <class T>
matrix<T> load_init(const std::string& path, const char* what, std::size_t rows, std::size_t cols,
                    const char* expected) {
    matrix<T> M = parse_csv<T>(read_file(path), path);
    if (M.rows != rows || M.cols != cols)
        throw data_error(path + ": " + what + " is " + std::to_string(M.rows) + "x" + std::to_string(M.cols) +
                         ", expected " + std::to_string(rows) + "x" + std::to_string(cols) + " (" + expected +
                         ")");
    return M;
}

std::string gib(double bytes) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.3g GiB", bytes / (1024.0 * 1024.0 * 1024.0));
    return buf;
}

std::string too_large(std::size_t r, const std::string& detail) {
    return "rank " + std::to_string(r) + " is too large for this problem: " + detail;
}

// Bytes W, H and the workspace take together; throws if that overflows or exceeds
// the physical memory (the kernel's overcommit would otherwise let us start and
// then kill us part way).
bool checked_mul(std::size_t a, std::size_t b, std::size_t& out) {
    if (a != 0 && b > std::numeric_limits<std::size_t>::max() / a) return false;
    out = a * b;
    return true;
}

bool checked_add(std::size_t a, std::size_t b, std::size_t& out) {
    if (b > std::numeric_limits<std::size_t>::max() - a) return false;
    out = a + b;
    return true;
}

// Throws if W, H and the workspace together overflow size_t or exceed the physical
// memory (the kernel's overcommit would otherwise let the fit start and then kill it
// part way).
template <class T>
void check_memory(std::size_t n, std::size_t m, std::size_t r, std::size_t ws_bytes) {
    std::size_t nr = 0, rm = 0, elems = 0, bytes = 0, total = 0;
    if (!checked_mul(n, r, nr) || !checked_mul(r, m, rm) || !checked_add(nr, rm, elems) ||
        !checked_mul(elems, sizeof(T), bytes) || !checked_add(bytes, ws_bytes, total))
        throw data_error(too_large(r, "the size of W and H overflows the address space"));
    const long pages = ::sysconf(_SC_PHYS_PAGES);
    const long page_size = ::sysconf(_SC_PAGESIZE);
    const double physical = double(pages) * double(page_size);
    if (pages > 0 && page_size > 0 && double(total) > physical)
        throw data_error(too_large(r, "W, H and the workspace need " + gib(double(total)) + ", more than the " +
                                          gib(physical) + " of memory"));
}

std::string json_number(double v) {
    if (!std::isfinite(v)) return "null";
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.17g", v);
    return buf;
}

void print_json(const nmfkit::result& res, double seconds, const char* kernel, const char* dtype,
                std::size_t n, std::size_t m, std::size_t r) {
    std::printf(
        "{\"iterations\":%u,\"loss\":%s,\"relative_error\":%s,\"seconds\":%.6f,\"converged\":%s,"
        "\"kernel\":\"%s\",\"dtype\":\"%s\",\"rows\":%zu,\"cols\":%zu,\"rank\":%zu}\n",
        res.iterations, json_number(res.loss).c_str(), json_number(res.relative_error).c_str(), seconds,
        res.converged ? "true" : "false", kernel, dtype, n, m, r);
}

void print_summary(const fit_args& a, const nmfkit::result& res, double seconds, const char* kernel,
                   const char* dtype, std::size_t n, std::size_t m) {
    const std::size_t r = *a.rank;
    std::printf("nmfkit: X %zux%zu, rank %zu, %s, kernel %s\n", n, m, r, dtype, kernel);
    std::printf("  iterations      %u (max %u)\n", res.iterations, a.max_iter);
    std::printf("  loss            %.9g\n", res.loss);
    std::printf("  relative error  %.9g\n", res.relative_error);
    std::printf("  seconds         %.3g\n", seconds);
    if (res.converged)
        std::printf("  converged       yes (tol %g)\n", a.tol);
    else if (a.tol == 0)
        std::printf("  converged       no (tol 0: ran all iterations)\n");
    else
        std::printf("  converged       no (stopped at --max-iter %u)\n", a.max_iter);
    std::printf("  wrote           %s (%zux%zu), %s (%zux%zu)\n", a.out_w.c_str(), n, r, a.out_h.c_str(), r, m);
}

template <class T>
int run_fit(const fit_args& a) {
    source x_src, w0_src{a.w0, true}, h0_src{a.h0, true};
    matrix<T> X = load_input<T>(a, x_src);
    const std::size_t n = X.rows, m = X.cols, r = *a.rank;

    nmfkit::options opt;
    opt.rank = r;
    opt.max_iter = a.max_iter;
    opt.tol = a.tol;
    opt.check_every = a.check_every;
    opt.seed = a.seed;
    opt.init = a.init;
    opt.kernel = a.kernel;

    std::size_t ws_bytes = 0;
    nmfkit::result res;
    const nmfkit::status ws_status = nmfkit::workspace_size<T>(n, m, opt, ws_bytes);
    if (ws_status == nmfkit::status::size_overflow)
        throw data_error(too_large(r, nmfkit::status_message(ws_status)));
    if (ws_status != nmfkit::status::ok) throw data_error(library_error(ws_status, res, x_src, w0_src, h0_src));
    check_memory<T>(n, m, r, ws_bytes);

    std::vector<T> W, H;
    if (a.init == nmfkit::init_method::custom) {
        W = std::move(load_init<T>(a.w0, "W0", n, r, "rows of X x rank").data);
        H = std::move(load_init<T>(a.h0, "H0", r, m, "rank x columns of X").data);
    }
    std::vector<std::byte> ws;
    try {
        W.resize(n * r);  // no-op for custom init: W0, H0 already have these sizes
        H.resize(r * m);
        ws.resize(ws_bytes + nmfkit::workspace_alignment);
    } catch (const std::bad_alloc&) {
        throw data_error(too_large(r, "not enough memory for W (" + std::to_string(n) + "x" + std::to_string(r) +
                                          "), H (" + std::to_string(r) + "x" + std::to_string(m) + ") and " +
                                          gib(double(ws_bytes)) + " of workspace"));
    }
    void* aligned_ws = nmfkit::align_workspace(ws.data(), ws.size());

    output_file out_w(a.out_w), out_h(a.out_h);

    progress_bar bar;
    bar.enabled = a.progress == progress_mode::always ||
                  (a.progress == progress_mode::automatic && ::isatty(STDERR_FILENO));
    bar.start = clock_type::now();
    const auto t0 = clock_type::now();
    const nmfkit::status st =
        nmfkit::fit<T>({X.data.data(), n, m}, {W.data(), n, r}, {H.data(), r, m}, opt, aligned_ws, ws_bytes, res,
                       bar.enabled ? &progress_bar::callback : nullptr, &bar);
    const double seconds = seconds_since(t0);
    bar.finish();
    if (st != nmfkit::status::ok) throw data_error(library_error(st, res, x_src, w0_src, h0_src));

    out_w.write_and_close(format_csv(W.data(), n, r));
    out_h.write_and_close(format_csv(H.data(), r, m));

    const char* kernel =
        a.kernel == nmfkit::kernel_choice::scalar ? "scalar" : nmfkit::default_kernel_name<T>();
    if (a.json)
        print_json(res, seconds, kernel, dtype_name<T>(), n, m, r);
    else
        print_summary(a, res, seconds, kernel, dtype_name<T>(), n, m);
    if (std::fflush(stdout) != 0) throw data_error(std::string("cannot write to stdout: ") + std::strerror(errno));
    return k_exit_ok;
}

int run(int argc, char** argv) {
    if (argc < 2) {
        std::fputs(k_usage_short, stderr);
        std::fputs("Try 'nmfkit --help' for more information.\n", stderr);
        return k_exit_usage;
    }
    const parsed p = parse_command_line(argc, argv);
    switch (p.cmd) {
        case command::help: std::fputs(k_help, stdout); return k_exit_ok;
        case command::version: std::puts("nmfkit " NMFKIT_VERSION_STRING); return k_exit_ok;
        case command::fit: return p.fit.f64 ? run_fit<double>(p.fit) : run_fit<float>(p.fit);
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
