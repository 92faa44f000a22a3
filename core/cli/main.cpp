// nmfkit command-line tool: factorizes a non-negative matrix read from a CSV (or raw
// float32) file and writes W and H as CSV; solves one factor with the other fixed
// (transform); multiplies W and H back (reconstruct). See k_help below for the interface.
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
    "       nmfkit transform INPUT --h FILE --out-w FILE [options]\n"
    "       nmfkit transform INPUT --w FILE --out-h FILE [options]\n"
    "       nmfkit reconstruct --w FILE --h FILE --out FILE [--dtype f32|f64]\n"
    "       nmfkit --help | --version\n";

constexpr const char* k_help =
    "nmfkit " NMFKIT_VERSION_STRING " - non-negative matrix factorization X ~= W * H\n"
    "(multiplicative updates for the beta-divergence: Lee & Seung, Fevotte & Idier)\n"
    "\n"
    "usage: nmfkit fit INPUT --rank K --out-w FILE --out-h FILE [options]\n"
    "       nmfkit transform INPUT --h FILE --out-w FILE [options]   (H fixed, solve W)\n"
    "       nmfkit transform INPUT --w FILE --out-h FILE [options]   (W fixed, solve H)\n"
    "       nmfkit reconstruct --w FILE --h FILE --out FILE [--dtype f32|f64]\n"
    "       nmfkit --help            this text (also: nmfkit COMMAND --help)\n"
    "       nmfkit --version         print the version\n"
    "\n"
    "fit         factorizes the n x m matrix X read from INPUT into W (n x K) and\n"
    "            H (K x m), all entries >= 0, and writes W and H as CSV.\n"
    "transform   keeps one factor fixed and solves the other with the same updates.\n"
    "            --h FILE: H (K x m, e.g. from an earlier fit) is fixed; finds W\n"
    "            (n x K) for new samples, the rows of X (scikit-learn's NMF.transform).\n"
    "            --w FILE: W (n x K) is fixed; finds H (K x m) for new features, the\n"
    "            columns of X. K is the number of rows of --h (columns of --w): no\n"
    "            --rank. W (resp. H) starts from the constant sqrt(mean(X) / K). Give\n"
    "            the --loss and penalties the factors were fitted with.\n"
    "reconstruct writes W * H (n x m) as CSV (scikit-learn's inverse_transform).\n"
    "\n"
    "Required by fit:\n"
    "  INPUT                 the matrix X: a CSV file, '-' for standard input, or a\n"
    "                        raw float32 file (name ending in .f32 or .raw) with --shape\n"
    "  --rank K              the factorization rank, an integer >= 1 (may exceed n, m,\n"
    "                        except with --init nndsvd*)\n"
    "  --out-w FILE          where to write W (n x K), as CSV\n"
    "  --out-h FILE          where to write H (K x m), as CSV\n"
    "Required by transform:\n"
    "  INPUT                 the matrix X, as for fit\n"
    "  --h FILE              the fixed H (K x m), CSV, with --out-w FILE for W (n x K)\n"
    "  --w FILE              or the fixed W (n x K), CSV, with --out-h FILE for H (K x m)\n"
    "Required by reconstruct:\n"
    "  --w FILE, --h FILE    W (n x K) and H (K x m), CSV\n"
    "  --out FILE            where to write W * H (n x m), as CSV\n"
    "\n"
    "Options of fit and transform:\n"
    "  --max-iter N          maximum number of iterations (each updates W, then H; one\n"
    "                        factor for transform); 0 only initializes. Default 200\n"
    "  --tol T               convergence tolerance, a number >= 0. Default 1e-4.\n"
    "                        Every --check-every iterations the error\n"
    "                        e_t = sqrt(2 * loss) (= ||X - W*H||_F for frobenius) is\n"
    "                        computed; the run stops when (e_prev - e_t) / e_0 < T,\n"
    "                        where e_prev is the error at the previous check (at\n"
    "                        iteration 0 for the first check) and e_0 the error of the\n"
    "                        initial W0, H0 (scikit-learn's rule for solver='mu').\n"
    "                        --tol 0 never stops early: it runs --max-iter iterations\n"
    "  --check-every N       iterations between convergence checks (and progress\n"
    "                        updates), an integer >= 1. Default 10\n"
    "  --loss frobenius|kl|is|BETA\n"
    "                        the loss, the beta-divergence D_beta(X | W*H):\n"
    "                        frobenius: beta = 2, 1/2 ||X - W*H||_F^2 (default)\n"
    "                        kl: beta = 1, generalized Kullback-Leibler (count data)\n"
    "                        is: beta = 0, Itakura-Saito (spectra)\n"
    "                        BETA: any other real number, e.g. 0.5, 1.5 or 3\n"
    "                        (kullback-leibler and itakura-saito are accepted too).\n"
    "                        is and every BETA <= 0 need X > 0: a zero entry in X is an\n"
    "                        error; BETA > 0 (kl too) accepts zeros\n"
    "  --alpha-w A           weight of the penalty on W, a number >= 0. Default 0\n"
    "  --alpha-h A           weight of the penalty on H, a number >= 0. Default 0\n"
    "  --l1-ratio R          L1 share of the penalties, in [0, 1]: 1 = L1 only (sparse\n"
    "                        factors), 0 = L2 only. Default 0. For X of n x m the\n"
    "                        objective is (scikit-learn's alpha_W, alpha_H, l1_ratio)\n"
    "                          loss + A_w * m * (R * |W|_1 + (1 - R) / 2 * ||W||_F^2)\n"
    "                               + A_h * n * (R * |H|_1 + (1 - R) / 2 * ||H||_F^2)\n"
    "                        so the W terms scale with the number of columns m and the\n"
    "                        H terms with the number of rows n: the same alpha keeps\n"
    "                        its balance with the loss whatever the size of X\n"
    "  --dtype f32|f64       arithmetic precision: float32 (default) or float64\n"
    "                        (reconstruct takes it too)\n"
    "  --shape ROWSxCOLS     the shape of a raw float32 INPUT, e.g. --shape 1797x64;\n"
    "                        required for .f32/.raw input (with '-', reads raw stdin)\n"
    "  --kernel auto|scalar  auto: the fastest kernels this CPU supports (default);\n"
    "                        scalar: the plain C++ reference kernels\n"
    "  --json                print the result as one JSON line on stdout:\n"
    "                        {\"iterations\":N,\"loss\":L,\"relative_error\":E,\"seconds\":S,\n"
    "                         \"converged\":true|false,\"kernel\":\"...\",\"dtype\":\"f32\",\n"
    "                         \"rows\":n,\"cols\":m,\"rank\":K,\"objective\":O,\n"
    "                         \"loss_name\":\"frobenius|kl|is|beta\",\"beta\":B,\n"
    "                         \"alpha_w\":A,\"alpha_h\":A,\"l1_ratio\":R, then for fit\n"
    "                         \"init\":\"...\",\"solver\":\"mu|amu\"}, for transform\n"
    "                         \"solved\":\"W|H\"}\n"
    "                        (without --json: a short human-readable summary)\n"
    "  --progress auto|always|never\n"
    "                        progress bar on stderr (iteration, relative error, elapsed\n"
    "                        time); auto (default): only when stderr is a terminal\n"
    "\n"
    "Options of fit only:\n"
    "  --seed S              seed of the random initialization (and of the randomized\n"
    "                        SVD of nndsvd*), an integer in [0, 2^64). Default 0. Same\n"
    "                        seed, same input: the same W and H on every platform\n"
    "  --init random|custom|nndsvd|nndsvda|nndsvdar\n"
    "                        random: W0, H0 uniform in (0, 1) times sqrt(mean(X) / K)\n"
    "                        (default). custom: start from --w0 and --h0.\n"
    "                        nndsvd: nonnegative double SVD of X (Boutsidis &\n"
    "                        Gallopoulos 2008); its zeros stay zero (sparse results).\n"
    "                        nndsvda: nndsvd with the zeros set to mean(X) (usually the\n"
    "                        best start for these updates). nndsvdar: nndsvd with the\n"
    "                        zeros set to small random values. nndsvd, nndsvda and\n"
    "                        nndsvdar need K <= min(n, m)\n"
    "  --w0 FILE             initial W (n x K), CSV; required with --init custom\n"
    "  --h0 FILE             initial H (K x m), CSV; required with --init custom\n"
    "  --solver mu|amu       mu: multiplicative updates, one W and one H update per\n"
    "                        iteration (default). amu: accelerated MU (Gillis & Glineur\n"
    "                        2012), several cheap updates of each factor per iteration\n"
    "                        from the same costly products; needs --loss frobenius\n"
    "\n"
    "  -h, --help            this text\n"
    "  -V, --version         print the version\n"
    "Options take their value as the next argument or after '=' (--rank=5).\n"
    "\n"
    "Results: loss = D_beta(X | W*H) of the final W, H (1/2 ||X - W*H||_F^2 for\n"
    "frobenius); objective = loss + the penalties (the loss without --alpha-*);\n"
    "relative error = ||X - W*H||_F / ||X||_F whatever the loss; seconds = wall time of\n"
    "the fit (file I/O excluded); converged = the --tol rule stopped the fit before\n"
    "--max-iter.\n"
    "\n"
    "File formats:\n"
    "  CSV: one matrix row per line, cells separated by commas, no header. Spaces and\n"
    "  tabs around cells, CRLF line ends and blank lines at the end are accepted; empty\n"
    "  cells are not. Every value must be a finite number >= 0 (X, W0, H0, --w, --h).\n"
    "  W and H are written the same way, each value with the shortest text that reads\n"
    "  back to the same f32/f64 number.\n"
    "  Raw: ROWS*COLS little-endian IEEE float32 values, row-major, no header.\n"
    "\n"
    "Exit status:\n"
    "  0  success (also when the fit stopped at --max-iter without converging)\n"
    "  1  runtime or data error: unreadable, empty or malformed input, negative or\n"
    "     non-finite values, a zero in X with --loss is or BETA <= 0, shape mismatch\n"
    "     (also between X and the fixed factor of transform), --rank above min(n, m)\n"
    "     with --init nndsvd*, not enough memory, unwritable output\n"
    "  2  usage error: unknown option, missing or invalid option value (including\n"
    "     --alpha-* < 0, --l1-ratio outside [0, 1], --solver amu without frobenius),\n"
    "     an option the command does not take\n"
    "\n"
    "Examples:\n"
    "  nmfkit fit data/digits/digits_1797x64_f32le.raw --shape 1797x64 --rank 10 \\\n"
    "         --out-w W.csv --out-h H.csv --json\n"
    "  nmfkit fit counts.csv --rank 20 --loss kl --init nndsvda --out-w W.csv --out-h H.csv\n"
    "  nmfkit transform new_counts.csv --loss kl --h H.csv --out-w W_new.csv\n"
    "  nmfkit reconstruct --w W.csv --h H.csv --out X_hat.csv\n";

enum class progress_mode { automatic, always, never };

enum class command { help, version, fit, transform, reconstruct };

const char* command_name(command c) {
    switch (c) {
        case command::fit: return "fit";
        case command::transform: return "transform";
        case command::reconstruct: return "reconstruct";
        default: return "";
    }
}

struct cli_args {
    command cmd = command::help;
    std::string input;
    std::optional<std::size_t> rank;
    std::uint32_t max_iter = 200;
    double tol = 1e-4;
    std::uint32_t check_every = 10;
    std::uint64_t seed = 0;
    nmfkit::init_method init = nmfkit::init_method::random;
    std::string w0, h0;
    bool f64 = false;
    std::optional<std::pair<std::size_t, std::size_t>> shape;
    nmfkit::kernel_choice kernel = nmfkit::kernel_choice::automatic;
    std::string out_w, out_h;
    bool json = false;
    progress_mode progress = progress_mode::automatic;
    // The loss and the penalties.
    double beta = 2;
    std::string loss_text = "frobenius";  // as given, for messages
    double alpha_w = 0, alpha_h = 0, l1_ratio = 0;
    nmfkit::algorithm solver = nmfkit::algorithm::mu;
    // transform / reconstruct: the given factors (--w, --h) and reconstruct's --out.
    std::string fixed_w, fixed_h, out;
};

// ---- names -------------------------------------------------------------------------

const char* loss_name(double beta) {
    if (beta == 2) return "frobenius";
    if (beta == 1) return "kl";
    if (beta == 0) return "is";
    return "beta";
}

const char* init_name(nmfkit::init_method m) {
    switch (m) {
        case nmfkit::init_method::random: return "random";
        case nmfkit::init_method::custom: return "custom";
        case nmfkit::init_method::nndsvd: return "nndsvd";
        case nmfkit::init_method::nndsvda: return "nndsvda";
        case nmfkit::init_method::nndsvdar: return "nndsvdar";
    }
    return "?";
}

bool is_nndsvd(nmfkit::init_method m) {
    return m == nmfkit::init_method::nndsvd || m == nmfkit::init_method::nndsvda ||
           m == nmfkit::init_method::nndsvdar;
}

const char* solver_name(nmfkit::algorithm s) { return s == nmfkit::algorithm::amu ? "amu" : "mu"; }

// A number for messages: the short form people type (0.5, 1e-3), not "%.17g" noise.
std::string short_number(double v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.15g", v);
    return buf;
}

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

// A finite real number in [lo, hi]; `what` describes the accepted values.
double parse_real(std::string_view text, const std::string& option, double lo, double hi, const char* what) {
    double v = 0;
    const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
    if (text.empty() || ec != std::errc() || ptr != text.data() + text.size() || !std::isfinite(v) || v < lo ||
        v > hi)
        throw usage_error(option + " expects " + what + ", got '" + std::string(text) + "'");
    return v;
}

double parse_loss(std::string_view text) {
    if (text == "frobenius") return 2;
    if (text == "kl" || text == "kullback-leibler") return 1;
    if (text == "is" || text == "itakura-saito") return 0;
    constexpr double inf = std::numeric_limits<double>::infinity();
    // + 0.0 turns -0 into 0 (is), so it is named and printed as such.
    return parse_real(text, "--loss", -inf, inf, "frobenius, kl, is or a finite number BETA") + 0.0;
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

bool is_raw_input(const cli_args& a) {
    return ends_with(a.input, ".f32") || ends_with(a.input, ".raw") || (a.input == "-" && a.shape);
}

// ---- the command line --------------------------------------------------------------

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

// Which commands take an option.
constexpr unsigned k_fit = 1, k_transform = 2, k_reconstruct = 4;

struct option_spec {
    const char* name;
    unsigned commands;
};

constexpr option_spec k_options[] = {
    {"--rank", k_fit},
    {"--seed", k_fit},
    {"--init", k_fit},
    {"--w0", k_fit},
    {"--h0", k_fit},
    {"--solver", k_fit},
    {"--out-w", k_fit | k_transform},
    {"--out-h", k_fit | k_transform},
    {"--max-iter", k_fit | k_transform},
    {"--tol", k_fit | k_transform},
    {"--check-every", k_fit | k_transform},
    {"--loss", k_fit | k_transform},
    {"--alpha-w", k_fit | k_transform},
    {"--alpha-h", k_fit | k_transform},
    {"--l1-ratio", k_fit | k_transform},
    {"--shape", k_fit | k_transform},
    {"--kernel", k_fit | k_transform},
    {"--json", k_fit | k_transform},
    {"--progress", k_fit | k_transform},
    {"--dtype", k_fit | k_transform | k_reconstruct},
    {"--w", k_transform | k_reconstruct},
    {"--h", k_transform | k_reconstruct},
    {"--out", k_reconstruct},
};

unsigned command_bit(command c) {
    return c == command::fit ? k_fit : c == command::transform ? k_transform : k_reconstruct;
}

// Rejects an option the command does not take, with a hint where one helps.
void check_option_applies(command c, const std::string& name) {
    for (const option_spec& o : k_options) {
        if (name != o.name) continue;
        if (o.commands & command_bit(c)) return;
        std::string msg = "option " + name + " does not apply to 'nmfkit " + command_name(c) + "'";
        if (c == command::transform && name == "--rank")
            msg += " (the rank is the number of rows of --h FILE, or of columns of --w FILE)";
        else if (c == command::transform && (name == "--init" || name == "--seed"))
            msg += " (transform starts from a constant; --w0/--h0 belong to fit)";
        else if (c == command::transform && name == "--solver")
            msg += " (transform always uses mu)";
        else if (c == command::fit && (name == "--w" || name == "--h"))
            msg += " (did you mean " + name + "0, the initial factor of --init custom?)";
        else if (c == command::fit && name == "--out")
            msg += " (fit writes --out-w FILE and --out-h FILE)";
        else if (c == command::reconstruct && (name == "--out-w" || name == "--out-h"))
            msg += " (reconstruct writes W * H to --out FILE)";
        throw usage_error(msg);
    }
    throw usage_error("unknown option '" + name + "'");
}

void apply_option(cli_args& a, std::string_view name, arg_reader& in, const std::optional<std::string>& inl) {
    const std::string opt(name);
    check_option_applies(a.cmd, opt);
    auto value = [&] { return in.value(name, inl); };
    constexpr double inf = std::numeric_limits<double>::infinity();
    if (name == "--rank") {
        const auto r = parse_unsigned<std::size_t>(value(), opt, "an integer >= 1");
        if (r == 0) throw usage_error("--rank must be at least 1");
        a.rank = r;
    } else if (name == "--max-iter") {
        a.max_iter = parse_unsigned<std::uint32_t>(value(), opt, "an integer in [0, 4294967295]");
    } else if (name == "--tol") {
        a.tol = parse_real(value(), opt, 0, inf, "a finite number >= 0");
    } else if (name == "--check-every") {
        a.check_every = parse_unsigned<std::uint32_t>(value(), opt, "an integer in [1, 4294967295]");
        if (a.check_every == 0) throw usage_error("--check-every must be at least 1");
    } else if (name == "--seed") {
        a.seed = parse_unsigned<std::uint64_t>(value(), opt, "an integer in [0, 18446744073709551615]");
    } else if (name == "--init") {
        const std::string v = value();
        if (v == "random") a.init = nmfkit::init_method::random;
        else if (v == "custom") a.init = nmfkit::init_method::custom;
        else if (v == "nndsvd") a.init = nmfkit::init_method::nndsvd;
        else if (v == "nndsvda") a.init = nmfkit::init_method::nndsvda;
        else if (v == "nndsvdar") a.init = nmfkit::init_method::nndsvdar;
        else throw usage_error("--init expects random, custom, nndsvd, nndsvda or nndsvdar, got '" + v + "'");
    } else if (name == "--w0") {
        a.w0 = value();
    } else if (name == "--h0") {
        a.h0 = value();
    } else if (name == "--loss") {
        a.loss_text = value();
        a.beta = parse_loss(a.loss_text);
    } else if (name == "--alpha-w") {
        a.alpha_w = parse_real(value(), opt, 0, inf, "a finite number >= 0");
    } else if (name == "--alpha-h") {
        a.alpha_h = parse_real(value(), opt, 0, inf, "a finite number >= 0");
    } else if (name == "--l1-ratio") {
        a.l1_ratio = parse_real(value(), opt, 0, 1, "a number in [0, 1]");
    } else if (name == "--solver") {
        const std::string v = value();
        if (v == "mu") a.solver = nmfkit::algorithm::mu;
        else if (v == "amu") a.solver = nmfkit::algorithm::amu;
        else throw usage_error("--solver expects mu or amu, got '" + v + "'");
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
    } else if (name == "--w") {
        a.fixed_w = value();
    } else if (name == "--h") {
        a.fixed_h = value();
    } else if (name == "--out") {
        a.out = value();
    } else if (name == "--progress") {
        const std::string v = value();
        if (v == "auto") a.progress = progress_mode::automatic;
        else if (v == "always") a.progress = progress_mode::always;
        else if (v == "never") a.progress = progress_mode::never;
        else throw usage_error("--progress expects auto, always or never, got '" + v + "'");
    } else if (name == "--json") {
        if (inl) throw usage_error("--json takes no value");
        a.json = true;
    }
}

// Checks shared by fit and transform: the input and the loss / solver pair.
void check_input_args(const cli_args& a) {
    const bool raw = is_raw_input(a);
    if (raw && !a.shape) throw usage_error("raw float32 input " + a.input + " needs --shape ROWSxCOLS");
    if (!raw && a.shape) throw usage_error("--shape applies only to raw float32 input (.f32 or .raw)");
}

void check_fit_args(const cli_args& a) {
    if (a.input.empty()) throw usage_error("missing INPUT (the matrix file to factorize)");
    if (!a.rank) throw usage_error("missing required option --rank K");
    if (a.out_w.empty()) throw usage_error("missing required option --out-w FILE");
    if (a.out_h.empty()) throw usage_error("missing required option --out-h FILE");
    if (a.out_w == a.out_h) throw usage_error("--out-w and --out-h must be different files");
    if (a.init == nmfkit::init_method::custom && (a.w0.empty() || a.h0.empty()))
        throw usage_error("--init custom needs both --w0 FILE and --h0 FILE");
    if (a.init != nmfkit::init_method::custom && (!a.w0.empty() || !a.h0.empty()))
        throw usage_error("--w0/--h0 are used only with --init custom");
    if (a.solver == nmfkit::algorithm::amu && a.beta != 2)
        throw usage_error("--solver amu works only with --loss frobenius (beta = 2), not --loss " + a.loss_text +
                          " (beta = " + short_number(a.beta) + "); use --solver mu");
    check_input_args(a);
}

void check_transform_args(const cli_args& a) {
    if (a.input.empty()) throw usage_error("missing INPUT (the matrix X to transform)");
    const bool h = !a.fixed_h.empty(), w = !a.fixed_w.empty();
    if (!h && !w)
        throw usage_error("transform needs the fixed factor: --h FILE (to solve W) or --w FILE (to solve H)");
    if (h && w) throw usage_error("transform takes either --h FILE (to solve W) or --w FILE (to solve H), not both");
    if (h) {
        if (!a.out_h.empty())
            throw usage_error("with --h FILE (H fixed) transform solves W: write it with --out-w FILE, not --out-h");
        if (a.out_w.empty()) throw usage_error("missing required option --out-w FILE (where to write the solved W)");
    } else {
        if (!a.out_w.empty())
            throw usage_error("with --w FILE (W fixed) transform solves H: write it with --out-h FILE, not --out-w");
        if (a.out_h.empty()) throw usage_error("missing required option --out-h FILE (where to write the solved H)");
    }
    check_input_args(a);
}

void check_reconstruct_args(const cli_args& a) {
    if (!a.input.empty())
        throw usage_error("reconstruct takes no INPUT, got '" + a.input + "' (it reads --w FILE and --h FILE)");
    if (a.fixed_w.empty()) throw usage_error("missing required option --w FILE");
    if (a.fixed_h.empty()) throw usage_error("missing required option --h FILE");
    if (a.out.empty()) throw usage_error("missing required option --out FILE");
}

cli_args parse_command_line(int argc, char** argv) {
    arg_reader in(argc, argv);
    cli_args p;
    const std::string_view first = in.next();
    if (first == "-h" || first == "--help" || first == "help") return p;
    if (first == "-V" || first == "--version") {
        p.cmd = command::version;
        return p;
    }
    if (first == "fit") p.cmd = command::fit;
    else if (first == "transform") p.cmd = command::transform;
    else if (first == "reconstruct") p.cmd = command::reconstruct;
    else if (!first.empty() && first[0] == '-') throw usage_error("unknown option '" + std::string(first) + "'");
    else
        throw usage_error("unknown command '" + std::string(first) +
                          "' (the commands are fit, transform and reconstruct)");
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
            apply_option(p, arg.substr(0, eq), in, inl);
        } else if (p.input.empty()) {
            p.input = std::string(arg);
        } else {
            throw usage_error("unexpected argument '" + std::string(arg) + "' (INPUT is already " + p.input + ")");
        }
    }
    switch (p.cmd) {
        case command::fit: check_fit_args(p); break;
        case command::transform: check_transform_args(p); break;
        case command::reconstruct: check_reconstruct_args(p); break;
        default: break;
    }
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

std::string shape_text(std::size_t rows, std::size_t cols) {
    return std::to_string(rows) + "x" + std::to_string(cols);
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

// Name and message of a status; covers the newer statuses itself in case the
// library's tables lag behind the enum.
std::string status_text(nmfkit::status s) {
    using nmfkit::status;
    const std::string name = nmfkit::status_name(s);
    if (name != "unknown") return std::string(nmfkit::status_message(s)) + " (" + name + ")";
    switch (s) {
        case status::x_not_positive: return "X contains a zero entry, and beta <= 0 needs X > 0 (x_not_positive)";
        case status::invalid_beta: return "beta must be a finite number (invalid_beta)";
        case status::invalid_alpha: return "alpha_w and alpha_h must be finite numbers >= 0 (invalid_alpha)";
        case status::invalid_l1_ratio: return "l1_ratio must be in [0, 1] (invalid_l1_ratio)";
        case status::invalid_solver: return "unknown solver, or amu with beta != 2 (invalid_solver)";
        case status::rank_too_large: return "nndsvd initializations need rank <= min(n, m) (rank_too_large)";
        case status::transform_shape_mismatch:
            return "the fixed factor does not match X and the rank (transform_shape_mismatch)";
        default: return std::string(nmfkit::status_message(s)) + " (status " + std::to_string(int(s)) + ")";
    }
}

struct sources {
    source x, w, h;  // X, and the files W and H came from (W0/H0, or transform's fixed factor)
};

std::string library_error(nmfkit::status s, const nmfkit::result& res, const sources& src, const cli_args& a) {
    std::string where;
    switch (res.bad_matrix) {
        case nmfkit::matrix_id::X: where = src.x.position(res.bad_row, res.bad_col) + ": "; break;
        case nmfkit::matrix_id::W: where = src.w.position(res.bad_row, res.bad_col) + ": "; break;
        case nmfkit::matrix_id::H: where = src.h.position(res.bad_row, res.bad_col) + ": "; break;
        case nmfkit::matrix_id::none: break;
    }
    if (s == nmfkit::status::x_not_positive)
        return where + "zero entry in X: --loss " + a.loss_text + " (beta = " + short_number(a.beta) +
               ") needs every entry of X > 0, as does any beta <= 0 (x_not_positive); use a loss with "
               "beta > 0 such as kl, or add a small offset to X";
    return where + status_text(s);
}

template <class T>
matrix<T> load_input(const cli_args& a, source& src) {
    src.name = a.input == "-" ? "standard input" : a.input;
    if (is_raw_input(a)) {
        src.csv = false;
        return read_raw_f32<T>(a.input, a.shape->first, a.shape->second);
    }
    return parse_csv<T>(read_file(a.input), src.name);
}

template <class T>
matrix<T> load_init(const std::string& path, const char* what, std::size_t rows, std::size_t cols,
                    const char* expected) {
    matrix<T> M = parse_csv<T>(read_file(path), path);
    if (M.rows != rows || M.cols != cols)
        throw data_error(path + ": " + what + " is " + shape_text(M.rows, M.cols) + ", expected " +
                         shape_text(rows, cols) + " (" + expected + ")");
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
    if (!checked_mul(n, r, nr) || !checked_mul(r, m, rm) || !checked_add(nr, rm, elems) ||
        !checked_mul(elems, sizeof(T), bytes) || !checked_add(bytes, ws_bytes, total))
        throw data_error(too_large(r, "the size of W and H overflows the address space"));
    const double physical = physical_memory();
    if (physical > 0 && double(total) > physical)
        throw data_error(too_large(r, "W, H and the workspace need " + gib(double(total)) + ", more than the " +
                                          gib(physical) + " of memory"));
}

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
    return opt;
}

template <class T>
std::size_t workspace_bytes(std::size_t n, std::size_t m, const nmfkit::options& opt, const sources& src,
                            const cli_args& a) {
    std::size_t ws_bytes = 0;
    const nmfkit::status s = nmfkit::workspace_size<T>(n, m, opt, ws_bytes);
    if (s == nmfkit::status::size_overflow) throw data_error(too_large(opt.rank, nmfkit::status_message(s)));
    if (s != nmfkit::status::ok) throw data_error(library_error(s, nmfkit::result{}, src, a));
    check_memory<T>(n, m, opt.rank, ws_bytes);
    return ws_bytes;
}

std::string json_number(double v) {
    if (!std::isfinite(v)) return "null";
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.17g", v);
    return buf;
}

// The JSON line: the first keys are fixed (iterations, loss, relative_error, seconds,
// converged, kernel, dtype, rows, cols, rank); later keys are appended after them.
void print_json(const cli_args& a, const nmfkit::result& res, double seconds, const char* kernel,
                const char* dtype, std::size_t n, std::size_t m, std::size_t r, const std::string& extra) {
    std::printf(
        "{\"iterations\":%u,\"loss\":%s,\"relative_error\":%s,\"seconds\":%.6f,\"converged\":%s,"
        "\"kernel\":\"%s\",\"dtype\":\"%s\",\"rows\":%zu,\"cols\":%zu,\"rank\":%zu,"
        "\"objective\":%s,\"loss_name\":\"%s\",\"beta\":%s,\"alpha_w\":%s,\"alpha_h\":%s,\"l1_ratio\":%s%s}\n",
        res.iterations, json_number(res.loss).c_str(), json_number(res.relative_error).c_str(), seconds,
        res.converged ? "true" : "false", kernel, dtype, n, m, r, json_number(res.objective).c_str(),
        loss_name(a.beta), json_number(a.beta).c_str(), json_number(a.alpha_w).c_str(),
        json_number(a.alpha_h).c_str(), json_number(a.l1_ratio).c_str(), extra.c_str());
}

// The summary lines shared by fit and transform, after the first.
void print_summary_body(const cli_args& a, const nmfkit::result& res, double seconds) {
    std::printf("  iterations      %u (max %u)\n", res.iterations, a.max_iter);
    if (a.beta == 2)
        std::printf("  loss            %.9g (frobenius: 1/2 ||X - WH||_F^2)\n", res.loss);
    else if (a.beta == 1)
        std::printf("  loss            %.9g (kl: generalized Kullback-Leibler, beta 1)\n", res.loss);
    else if (a.beta == 0)
        std::printf("  loss            %.9g (is: Itakura-Saito, beta 0)\n", res.loss);
    else
        std::printf("  loss            %.9g (beta-divergence, beta %s)\n", res.loss, short_number(a.beta).c_str());
    if (a.alpha_w != 0 || a.alpha_h != 0) {
        std::printf("  objective       %.9g (loss + penalties)\n", res.objective);
        std::printf("  penalties       alpha_w %s, alpha_h %s, l1_ratio %s\n", short_number(a.alpha_w).c_str(),
                    short_number(a.alpha_h).c_str(), short_number(a.l1_ratio).c_str());
    }
    std::printf("  relative error  %.9g\n", res.relative_error);
    std::printf("  seconds         %.3g\n", seconds);
    if (res.converged)
        std::printf("  converged       yes (tol %g)\n", a.tol);
    else if (a.tol == 0)
        std::printf("  converged       no (tol 0: ran all iterations)\n");
    else
        std::printf("  converged       no (stopped at --max-iter %u)\n", a.max_iter);
}

void flush_stdout() {
    if (std::fflush(stdout) != 0) throw data_error(std::string("cannot write to stdout: ") + std::strerror(errno));
}

template <class T>
const char* kernel_in_use(const cli_args& a) {
    return a.kernel == nmfkit::kernel_choice::scalar ? "scalar" : nmfkit::default_kernel_name<T>();
}

progress_bar make_progress_bar(const cli_args& a) {
    progress_bar bar;
    bar.enabled = a.progress == progress_mode::always ||
                  (a.progress == progress_mode::automatic && ::isatty(STDERR_FILENO));
    bar.start = clock_type::now();
    return bar;
}

[[noreturn]] void throw_no_memory(std::size_t r, std::size_t n, std::size_t m, std::size_t ws_bytes) {
    throw data_error(too_large(r, "not enough memory for W (" + shape_text(n, r) + "), H (" + shape_text(r, m) +
                                      ") and " + gib(double(ws_bytes)) + " of workspace"));
}

template <class T>
int run_fit(const cli_args& a) {
    sources src;
    src.w = {a.w0, true};
    src.h = {a.h0, true};
    matrix<T> X = load_input<T>(a, src.x);
    const std::size_t n = X.rows, m = X.cols, r = *a.rank;
    if (is_nndsvd(a.init) && r > std::min(n, m))
        throw data_error("--init " + std::string(init_name(a.init)) + " needs --rank <= min(rows, columns) of X = " +
                         std::to_string(std::min(n, m)) + ", but X (" + src.x.name + ") is " + shape_text(n, m) +
                         " and --rank is " + std::to_string(r) + " (use --init random for a larger rank)");

    const nmfkit::options opt = make_options(a, r);
    const std::size_t ws_bytes = workspace_bytes<T>(n, m, opt, src, a);

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
        throw_no_memory(r, n, m, ws_bytes);
    }
    void* aligned_ws = nmfkit::align_workspace(ws.data(), ws.size());

    output_file out_w(a.out_w), out_h(a.out_h);

    progress_bar bar = make_progress_bar(a);
    nmfkit::result res;
    const auto t0 = clock_type::now();
    const nmfkit::status st =
        nmfkit::fit<T>({X.data.data(), n, m}, {W.data(), n, r}, {H.data(), r, m}, opt, aligned_ws, ws_bytes, res,
                       bar.enabled ? &progress_bar::callback : nullptr, &bar);
    const double seconds = seconds_since(t0);
    bar.finish();
    if (st != nmfkit::status::ok) throw data_error(library_error(st, res, src, a));

    out_w.write_and_close(format_csv(W.data(), n, r));
    out_h.write_and_close(format_csv(H.data(), r, m));

    const char* kernel = kernel_in_use<T>(a);
    if (a.json) {
        print_json(a, res, seconds, kernel, dtype_name<T>(), n, m, r,
                   std::string(",\"init\":\"") + init_name(a.init) + "\",\"solver\":\"" + solver_name(a.solver) +
                       "\"");
    } else {
        std::printf("nmfkit: X %zux%zu, rank %zu, %s, kernel %s\n", n, m, r, dtype_name<T>(), kernel);
        std::printf("  init, solver    %s, %s\n", init_name(a.init), solver_name(a.solver));
        print_summary_body(a, res, seconds);
        std::printf("  wrote           %s (%zux%zu), %s (%zux%zu)\n", a.out_w.c_str(), n, r, a.out_h.c_str(), r,
                    m);
    }
    flush_stdout();
    return k_exit_ok;
}

template <class T>
int run_transform(const cli_args& a) {
    const bool solve_w = !a.fixed_h.empty();  // H fixed: solve W (scikit-learn's transform)
    const std::string& fixed_path = solve_w ? a.fixed_h : a.fixed_w;
    sources src;
    (solve_w ? src.h : src.w) = {fixed_path, true};
    matrix<T> X = load_input<T>(a, src.x);
    matrix<T> F = parse_csv<T>(read_file(fixed_path), fixed_path);
    const std::size_t n = X.rows, m = X.cols;
    if (solve_w && F.cols != m)
        throw data_error("--h " + fixed_path + ": H is " + shape_text(F.rows, F.cols) + " but X (" + src.x.name +
                         ") is " + shape_text(n, m) + ": H must be K x " + std::to_string(m) +
                         " (one column per column of X)");
    if (!solve_w && F.rows != n)
        throw data_error("--w " + fixed_path + ": W is " + shape_text(F.rows, F.cols) + " but X (" + src.x.name +
                         ") is " + shape_text(n, m) + ": W must be " + std::to_string(n) +
                         " x K (one row per row of X)");
    const std::size_t r = solve_w ? F.rows : F.cols;

    nmfkit::options opt = make_options(a, r);
    opt.init = nmfkit::init_method::random;  // ignored by transform: it starts from a constant
    opt.solver = nmfkit::algorithm::mu;
    const std::size_t ws_bytes = workspace_bytes<T>(n, m, opt, src, a);

    std::vector<T> S;  // the solved factor: W (n×r) or H (r×m)
    std::vector<std::byte> ws;
    try {
        S.resize(solve_w ? n * r : r * m);
        ws.resize(ws_bytes + nmfkit::workspace_alignment);
    } catch (const std::bad_alloc&) {
        throw_no_memory(r, n, m, ws_bytes);
    }
    void* aligned_ws = nmfkit::align_workspace(ws.data(), ws.size());

    output_file out(solve_w ? a.out_w : a.out_h);

    progress_bar bar = make_progress_bar(a);
    nmfkit::progress_callback cb = bar.enabled ? &progress_bar::callback : nullptr;
    nmfkit::result res;
    const auto t0 = clock_type::now();
    const nmfkit::status st =
        solve_w ? nmfkit::transform<T>({X.data.data(), n, m}, {F.data.data(), r, m}, {S.data(), n, r}, opt,
                                       aligned_ws, ws_bytes, res, cb, &bar)
                : nmfkit::transform_columns<T>({X.data.data(), n, m}, {F.data.data(), n, r}, {S.data(), r, m},
                                               opt, aligned_ws, ws_bytes, res, cb, &bar);
    const double seconds = seconds_since(t0);
    bar.finish();
    if (st != nmfkit::status::ok) throw data_error(library_error(st, res, src, a));

    out.write_and_close(solve_w ? format_csv(S.data(), n, r) : format_csv(S.data(), r, m));

    const char* kernel = kernel_in_use<T>(a);
    if (a.json) {
        print_json(a, res, seconds, kernel, dtype_name<T>(), n, m, r,
                   std::string(",\"solved\":\"") + (solve_w ? "W" : "H") + "\"");
    } else {
        std::printf("nmfkit transform: X %zux%zu, %s %s fixed (%s), rank %zu, %s, kernel %s\n", n, m,
                    solve_w ? "H" : "W", solve_w ? shape_text(r, m).c_str() : shape_text(n, r).c_str(),
                    fixed_path.c_str(), r, dtype_name<T>(), kernel);
        print_summary_body(a, res, seconds);
        std::printf("  wrote           %s %s (%s)\n", solve_w ? "W" : "H", solve_w ? a.out_w.c_str() : a.out_h.c_str(),
                    solve_w ? shape_text(n, r).c_str() : shape_text(r, m).c_str());
    }
    flush_stdout();
    return k_exit_ok;
}

template <class T>
int run_reconstruct(const cli_args& a) {
    const matrix<T> W = parse_csv<T>(read_file(a.fixed_w), a.fixed_w);
    const matrix<T> H = parse_csv<T>(read_file(a.fixed_h), a.fixed_h);
    if (W.cols != H.rows)
        throw data_error("W (" + a.fixed_w + ") is " + shape_text(W.rows, W.cols) + " but H (" + a.fixed_h +
                         ") is " + shape_text(H.rows, H.cols) +
                         ": W needs as many columns as H has rows (the rank)");
    const std::size_t n = W.rows, r = W.cols, m = H.cols;
    std::size_t nm = 0, bytes = 0;
    if (!checked_mul(n, m, nm) || !checked_mul(nm, sizeof(T), bytes))
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
    out.write_and_close(format_csv(X.data(), n, m));
    std::printf("nmfkit reconstruct: wrote %s (%zux%zu) = W %s (%zux%zu) * H %s (%zux%zu), %s\n", a.out.c_str(), n, m,
                a.fixed_w.c_str(), n, r, a.fixed_h.c_str(), r, m, dtype_name<T>());
    flush_stdout();
    return k_exit_ok;
}

int run(int argc, char** argv) {
    if (argc < 2) {
        std::fputs(k_usage_short, stderr);
        std::fputs("Try 'nmfkit --help' for more information.\n", stderr);
        return k_exit_usage;
    }
    const cli_args p = parse_command_line(argc, argv);
    switch (p.cmd) {
        case command::help: std::fputs(k_help, stdout); return k_exit_ok;
        case command::version: std::puts("nmfkit " NMFKIT_VERSION_STRING); return k_exit_ok;
        case command::fit: return p.f64 ? run_fit<double>(p) : run_fit<float>(p);
        case command::transform: return p.f64 ? run_transform<double>(p) : run_transform<float>(p);
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
