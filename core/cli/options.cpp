#include "options.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <iterator>
#include <limits>
#include <string_view>

#include "names.hpp"

namespace cli {

namespace {

// The commands, as bits of option_row::commands.
constexpr unsigned k_fit = 1, k_transform = 2, k_reconstruct = 4, k_rank = 8;
constexpr unsigned k_every_command = k_fit | k_transform | k_reconstruct | k_rank;

struct command_row {
    const char* name;
    command cmd;
    unsigned bit;
    const char* help;  // for --help; lines separated by '\n'
};

constexpr command_row k_commands[] = {
    {"fit", command::fit, k_fit,
     "factorizes the n x m matrix X read from INPUT into W (n x K) and\n"
     "H (K x m), all entries >= 0, and writes W and H as CSV or .npy."},
    {"transform", command::transform, k_transform,
     "keeps one factor fixed and solves the other with the same updates.\n"
     "--h FILE: H (K x m, e.g. from an earlier fit) is fixed; finds W\n"
     "(n x K) for new samples, the rows of X (scikit-learn's NMF.transform).\n"
     "--w FILE: W (n x K) is fixed; finds H (K x m) for new features, the\n"
     "columns of X. K is the number of rows of --h (columns of --w): no\n"
     "--rank. W (resp. H) starts from the constant sqrt(mean(X) / K). Give\n"
     "the --loss and penalties the factors were fitted with."},
    {"reconstruct", command::reconstruct, k_reconstruct, "writes W * H (n x m) (scikit-learn's inverse_transform)."},
    {"rank", command::rank, k_rank,
     "which rank? For each K of --ranks, fits X with a share of its\n"
     "entries hidden (--test-fraction, the same entries for every K\n"
     "and replicate) and scores the error on them (test) and on the\n"
     "others (train), over --reps replicates; prints a table (K,\n"
     "train, test +- sd, cophenetic correlation and dispersion of the\n"
     "consensus of the fits' column clusterings) and suggests the K\n"
     "with the lowest mean test error (and the smallest K within one\n"
     "standard error of it). Writes no file. Takes the options of\n"
     "fit and transform below, and --seed and --init."},
};

const command_row& command_of(command c) {
    for (const command_row& r : k_commands)
        if (r.cmd == c) return r;
    return k_commands[0];  // not reached: help and version take no options
}

// The forms of the usage lines, as bits of option_row::required (the options a form needs).
struct usage_form {
    command cmd;
    const char* note;  // shown after the form in --help
};

constexpr usage_form k_forms[] = {
    {command::fit, nullptr},
    {command::transform, "(H fixed, solve W)"},
    {command::transform, "(W fixed, solve H)"},
    {command::reconstruct, nullptr},
    {command::rank, nullptr},
};
constexpr unsigned k_fit_form = 1, k_solve_w_form = 2, k_solve_h_form = 4, k_reconstruct_form = 8, k_rank_form = 16;

// Where --help lists an option, in this order.
enum class section {
    fit_required,
    transform_required,
    reconstruct_required,
    rank_required,
    common,
    fit_only,
    rank_only,
    general
};

constexpr const char* k_section_titles[] = {
    "Required by fit:\n",
    "Required by transform:\n",
    "Required by reconstruct:\n",
    "Required by rank:\n",
    "\nOptions of fit and transform:\n",
    "\nOptions of fit only:\n",
    "\nOptions of rank only:\n",
    "\n",
};

using setter = void (*)(cli_args& a, const option_row& o, const std::string& value);

// ---- parsing option values -------------------------------------------------------

template <class U>
U parse_unsigned(std::string_view text, const std::string& option, const char* what) {
    U v{};
    const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
    if (text.empty() || ec != std::errc() || ptr != text.data() + text.size()) {
        const bool digits = !text.empty() &&
                            std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
        throw usage_error(option + " expects " + what + ", got '" + std::string(text) + "'" +
                          (digits ? " (too large)" : ""));
    }
    return v;
}

constexpr double k_inf = std::numeric_limits<double>::infinity();

// A finite real number in [lo, hi]; `what` describes the accepted values.
double parse_real(std::string_view text, const std::string& option, double lo, double hi, const char* what) {
    double v = 0;
    const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
    if (text.empty() || ec != std::errc() || ptr != text.data() + text.size() || !std::isfinite(v) || v < lo || v > hi)
        throw usage_error(option + " expects " + what + ", got '" + std::string(text) + "'");
    return v;
}

double parse_loss(std::string_view text) {
    double beta = 0;
    if (nmfkit::parse_loss(text, beta)) return beta;
    // + 0.0 turns -0 into 0 (is), so it is named and printed as such.
    return parse_real(text, "--loss", -k_inf, k_inf, "frobenius, kl, is or a finite number BETA") + 0.0;
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

// --ranks: "LO..HI" or "K1,K2,...", each an integer >= 1.
std::vector<std::uint32_t> parse_ranks(std::string_view text, const std::string& option) {
    const char* what = "LO..HI or a list K1,K2,... of integers >= 1 (e.g. 2..12)";
    std::vector<std::uint32_t> out;
    const std::size_t dots = text.find("..");
    if (dots != std::string_view::npos) {
        const auto lo = parse_unsigned<std::uint32_t>(text.substr(0, dots), option, what);
        const auto hi = parse_unsigned<std::uint32_t>(text.substr(dots + 2), option, what);
        if (lo == 0 || hi < lo || hi - lo > 1000)
            throw usage_error(option + " expects " + what + " with 1 <= LO <= HI (at most 1001 ranks), got '" +
                              std::string(text) + "'");
        for (std::uint32_t k = lo; k <= hi; ++k) out.push_back(k);
        return out;
    }
    for (std::string_view rest = text;;) {
        const std::size_t comma = rest.find(',');
        const auto k = parse_unsigned<std::uint32_t>(rest.substr(0, comma), option, what);
        if (k == 0) throw usage_error(option + " expects " + what + ", got '" + std::string(text) + "'");
        out.push_back(k);
        if (comma == std::string_view::npos) break;
        rest.remove_prefix(comma + 1);
    }
    return out;
}

// "a, b or c" (`last` = " or "), for messages.
std::string listing(const std::vector<std::string_view>& items, const char* last = " or ") {
    std::string out;
    for (std::size_t i = 0; i < items.size(); ++i) {
        if (i) out += i + 1 == items.size() ? last : ", ";
        out += items[i];
    }
    return out;
}

constexpr spelling<bool> k_dtypes[] = {{"f32", false}, {"f64", true}};

constexpr spelling<progress_mode> k_progress_modes[] = {
    {"auto", progress_mode::automatic},
    {"always", progress_mode::always},
    {"never", progress_mode::never},
};

constexpr spelling<delimiter> k_delimiters[] = {
    {"auto", delimiter::automatic},   {"comma", delimiter::comma},
    {"tab", delimiter::tab},          {"semicolon", delimiter::semicolon},
    {"space", delimiter::whitespace}, {",", delimiter::comma},
    {"\t", delimiter::tab},           {"\\t", delimiter::tab},
    {";", delimiter::semicolon},      {" ", delimiter::whitespace},
};

bool parse_delimiter(std::string_view text, delimiter& out) { return parse_spelling(k_delimiters, text, out); }

bool parse_dtype(std::string_view text, bool& f64) { return parse_spelling(k_dtypes, text, f64); }

bool parse_progress(std::string_view text, progress_mode& out) { return parse_spelling(k_progress_modes, text, out); }

}  // namespace

// One option (or the positional INPUT) of one or more commands. The table below is the one
// place an option is defined: parsing, the commands that take it, the required options of
// each usage form, the usage lines and --help all read it.
struct option_row {
    const char* name;                       // "--rank"; "INPUT" for the positional argument
    const char* value;                      // placeholder of its value ("K", "auto|scalar"); nullptr for a flag
    unsigned commands;                      // the commands that take it (k_fit | ...)
    unsigned required;                      // the usage forms that need it (k_fit_form | ...)
    section where;                          // where --help lists it
    const char* help;                       // lines separated by '\n'
    std::string cli_args::*file = nullptr;  // a file-name option stores its value here; the others
    setter set = nullptr;                   // parse it into cli_args
    unsigned hint_commands = 0;             // for these commands `hint` says why they do not take it
    const char* hint = nullptr;
    const char* short_name = nullptr;  // "-h"
};

namespace {

// A value from a fixed vocabulary; the option's placeholder ("auto|scalar") lists it.
template <class E>
E choose(const option_row& o, const std::string& text, bool (*parse)(std::string_view, E&)) {
    E v{};
    if (parse(text, v)) return v;
    std::vector<std::string_view> items;
    for (std::string_view rest = o.value;;) {
        const std::size_t bar = rest.find('|');
        items.push_back(rest.substr(0, bar));
        if (bar == std::string_view::npos) break;
        rest.remove_prefix(bar + 1);
    }
    throw usage_error(std::string(o.name) + " expects " + listing(items) + ", got '" + text + "'");
}

// The placeholders of the library's vocabularies, spelled by its one definition (nmfkit/abi.def):
// "|random|custom|..." (the first '|' is skipped where they are used).
#define NMFKIT_INIT(value, id, ID, spelling) "|" spelling
constexpr char k_init_choices[] =
#include <nmfkit/abi.def>
    ;
#define NMFKIT_SOLVER(value, id, ID, spelling) "|" spelling
constexpr char k_solver_choices[] =
#include <nmfkit/abi.def>
    ;
#define NMFKIT_KERNEL(value, id, ID, spelling) "|" spelling
constexpr char k_kernel_choices[] =
#include <nmfkit/abi.def>
    ;
#define NMFKIT_MISSING(value, id, ID, spelling) "|" spelling
constexpr char k_missing_choices[] =
#include <nmfkit/abi.def>
    ;
#define NMFKIT_LOSS(beta, name, short_name) "|" short_name
constexpr char k_loss_choices[] =
#include <nmfkit/abi.def>
    "|BETA";

// Rows are in the order of the usage lines; --help groups them by section. A new option is
// a row here (and, usually, a field of cli_args).
const option_row k_options[] = {
    {"INPUT", nullptr, k_fit, k_fit_form, section::fit_required,
     "the matrix X: a CSV file (comma, tab, semicolon or space\n"
     "separated, an optional header line), '-' for standard\n"
     "input, a .npy (float32/float64) or Matrix Market .mtx\n"
     "file (coordinate: sparse, never made dense), or a raw\n"
     "float32 file (name ending in .f32 or .raw) with --shape",
     &cli_args::input},
    {"--rank", "K", k_fit, k_fit_form, section::fit_required,
     "the factorization rank, an integer >= 1 (may exceed n, m,\n"
     "except with --init nndsvd*)",
     nullptr,
     [](cli_args& a, const option_row& o, const std::string& v) {
         const auto r = parse_unsigned<std::size_t>(v, o.name, "an integer >= 1");
         if (r == 0) throw usage_error("--rank must be at least 1");
         a.rank = r;
     },
     k_transform, "(the rank is the number of rows of --h FILE, or of columns of --w FILE)"},
    {"INPUT", nullptr, k_transform, k_solve_w_form | k_solve_h_form, section::transform_required,
     "the matrix X, as for fit", &cli_args::input},
    {"--h", "FILE", k_transform, k_solve_w_form, section::transform_required,
     "the fixed H (K x m), with --out-w FILE for W (n x K)", &cli_args::fixed_h, nullptr, k_fit,
     "(did you mean --h0, the initial factor of --init custom?)"},
    {"--w", "FILE", k_transform, k_solve_h_form, section::transform_required,
     "or the fixed W (n x K), with --out-h FILE for H (K x m)", &cli_args::fixed_w, nullptr, k_fit,
     "(did you mean --w0, the initial factor of --init custom?)"},
    {"--out-w", "FILE", k_fit | k_transform, k_fit_form | k_solve_w_form, section::fit_required,
     "where to write W (n x K): CSV, .npy or .tsv by the\n"
     "name's ending; '-' is standard output",
     &cli_args::out_w, nullptr, k_reconstruct, "(reconstruct writes W * H to --out FILE)"},
    {"--out-h", "FILE", k_fit | k_transform, k_fit_form | k_solve_h_form, section::fit_required,
     "where to write H (K x m), as --out-w", &cli_args::out_h, nullptr, k_reconstruct,
     "(reconstruct writes W * H to --out FILE)"},
    {"--w", "FILE", k_reconstruct, k_reconstruct_form, section::reconstruct_required, "W (n x K)", &cli_args::fixed_w},
    {"--h", "FILE", k_reconstruct, k_reconstruct_form, section::reconstruct_required, "H (K x m)", &cli_args::fixed_h},
    {"--out", "FILE", k_reconstruct, k_reconstruct_form, section::reconstruct_required,
     "where to write W * H (n x m), as --out-w", &cli_args::out, nullptr, k_fit,
     "(fit writes --out-w FILE and --out-h FILE)"},

    {"--max-iter", "N", k_fit | k_transform | k_rank, 0, section::common,
     "maximum number of iterations (each updates W, then H; one\n"
     "factor for transform); 0 only initializes. Default 200",
     nullptr,
     [](cli_args& a, const option_row& o, const std::string& v) {
         a.max_iter = parse_unsigned<std::uint32_t>(v, o.name, "an integer in [0, 4294967295]");
     }},
    {"--tol", "T", k_fit | k_transform | k_rank, 0, section::common,
     "convergence tolerance, a number >= 0. Default 1e-4.\n"
     "Every --check-every iterations the error\n"
     "e_t = sqrt(2 * loss) (= ||X - W*H||_F for frobenius) is\n"
     "computed; the run stops when (e_prev - e_t) / e_0 < T,\n"
     "where e_prev is the error at the previous check (at\n"
     "iteration 0 for the first check) and e_0 the error of the\n"
     "initial W0, H0 (scikit-learn's rule for solver='mu').\n"
     "--tol 0 never stops early: it runs --max-iter iterations",
     nullptr,
     [](cli_args& a, const option_row& o, const std::string& v) {
         a.tol = parse_real(v, o.name, 0, k_inf, "a finite number >= 0");
     }},
    {"--check-every", "N", k_fit | k_transform | k_rank, 0, section::common,
     "iterations between convergence checks (and progress\n"
     "updates), an integer >= 1. Default 10",
     nullptr,
     [](cli_args& a, const option_row& o, const std::string& v) {
         a.check_every = parse_unsigned<std::uint32_t>(v, o.name, "an integer in [1, 4294967295]");
         if (a.check_every == 0) throw usage_error("--check-every must be at least 1");
     }},
    {"--loss", k_loss_choices + 1, k_fit | k_transform | k_rank, 0, section::common,
     "the loss, the beta-divergence D_beta(X | W*H):\n"
     "frobenius: beta = 2, 1/2 ||X - W*H||_F^2 (default)\n"
     "kl: beta = 1, generalized Kullback-Leibler (count data)\n"
     "is: beta = 0, Itakura-Saito (spectra)\n"
     "BETA: any other real number, e.g. 0.5, 1.5 or 3\n"
     "(kullback-leibler and itakura-saito are accepted too).\n"
     "is and every BETA <= 0 need X > 0: a zero entry in X is an\n"
     "error; BETA > 0 (kl too) accepts zeros",
     nullptr,
     [](cli_args& a, const option_row&, const std::string& v) {
         a.loss_text = v;
         a.beta = parse_loss(v);
     }},
    {"--alpha-w", "A", k_fit | k_transform | k_rank, 0, section::common,
     "weight of the penalty on W, a number >= 0. Default 0", nullptr,
     [](cli_args& a, const option_row& o, const std::string& v) {
         a.alpha_w = parse_real(v, o.name, 0, k_inf, "a finite number >= 0");
     }},
    {"--alpha-h", "A", k_fit | k_transform | k_rank, 0, section::common,
     "weight of the penalty on H, a number >= 0. Default 0", nullptr,
     [](cli_args& a, const option_row& o, const std::string& v) {
         a.alpha_h = parse_real(v, o.name, 0, k_inf, "a finite number >= 0");
     }},
    {"--l1-ratio", "R", k_fit | k_transform | k_rank, 0, section::common,
     "L1 share of the penalties, in [0, 1]: 1 = L1 only (sparse\n"
     "factors), 0 = L2 only. Default 0. For X of n x m the\n"
     "objective is (scikit-learn's alpha_W, alpha_H, l1_ratio)\n"
     "  loss + A_w * m * (R * |W|_1 + (1 - R) / 2 * ||W||_F^2)\n"
     "       + A_h * n * (R * |H|_1 + (1 - R) / 2 * ||H||_F^2)\n"
     "so the W terms scale with the number of columns m and the\n"
     "H terms with the number of rows n: the same alpha keeps\n"
     "its balance with the loss whatever the size of X",
     nullptr,
     [](cli_args& a, const option_row& o, const std::string& v) {
         a.l1_ratio = parse_real(v, o.name, 0, 1, "a number in [0, 1]");
     }},
    {"--missing", k_missing_choices + 1, k_fit | k_transform | k_rank, 0, section::common,
     "which entries of X are unknown rather than measured (the\n"
     "loss, the updates and the relative error then see only the\n"
     "observed ones). none: every entry is observed (default).\n"
     "nan: a dense X's NaN entries are missing (CSV cells nan,\n"
     "NaN or empty; NaN in .npy or raw input). unstored: the\n"
     "entries a sparse X (coordinate .mtx) does not store are\n"
     "missing (ratings: the given ones are stored), not zeros",
     nullptr,
     [](cli_args& a, const option_row& o, const std::string& v) { a.missing = choose(o, v, nmfkit::parse_missing); }},
    {"--dtype", "f32|f64", k_every_command, 0, section::common,
     "arithmetic precision: float32 (default) or float64\n"
     "(reconstruct takes it too)",
     nullptr, [](cli_args& a, const option_row& o, const std::string& v) { a.f64 = choose(o, v, parse_dtype); }},
    {"--shape", "ROWSxCOLS", k_fit | k_transform | k_rank, 0, section::common,
     "the shape of a raw float32 INPUT, e.g. --shape 1797x64;\n"
     "required for .f32/.raw input (with '-', reads raw stdin)",
     nullptr, [](cli_args& a, const option_row&, const std::string& v) { a.shape = parse_shape(v); }},
    {"--delimiter", "auto|comma|tab|semicolon|space", k_fit | k_transform | k_rank, 0, section::common,
     "what separates the cells of a CSV INPUT (also ',' ';' '\\t').\n"
     "auto (default): the first of comma, tab, semicolon and\n"
     "runs of spaces that splits the first data line into\n"
     "numbers. The factor files (--w, --h, --w0, --h0) are\n"
     "always detected",
     nullptr,
     [](cli_args& a, const option_row& o, const std::string& v) { a.layout.delim = choose(o, v, parse_delimiter); }},
    {"--header", nullptr, k_fit | k_transform | k_rank, 0, section::common,
     "the first line of a CSV INPUT holds column names: skip\n"
     "it. Without --header (or --no-header) a first line none\n"
     "of whose cells starts with a number is taken as a header.\n"
     "The names head the columns of the H written (fit,\n"
     "transform --w) and of reconstruct's W * H",
     nullptr,
     [](cli_args& a, const option_row&, const std::string&) {
         if (a.layout.header == header_line::absent) throw usage_error("--header and --no-header contradict");
         a.layout.header = header_line::present;
     }},
    {"--no-header", nullptr, k_fit | k_transform | k_rank, 0, section::common,
     "the first line of a CSV INPUT is data, whatever it holds", nullptr,
     [](cli_args& a, const option_row&, const std::string&) {
         if (a.layout.header == header_line::present) throw usage_error("--header and --no-header contradict");
         a.layout.header = header_line::absent;
     }},
    {"--kernel", k_kernel_choices + 1, k_fit | k_transform | k_rank, 0, section::common,
     "auto: the fastest kernels this CPU supports (default);\n"
     "scalar: the plain C++ reference kernels",
     nullptr,
     [](cli_args& a, const option_row& o, const std::string& v) {
         a.kernel = choose(o, v, nmfkit::parse_kernel_choice);
     }},
    {"--threads", "N", k_fit | k_transform | k_rank, 0, section::common,
     "threads that run the fit, an integer in [0, 1024]: 1 runs on\n"
     "this thread alone, 0 one per core. Default: one per core.\n"
     "rank runs N fits at once, one per thread (at most 255).\n"
     "W, H and every number printed (but seconds) are the same\n"
     "for any N, bit for bit",
     nullptr,
     [](cli_args& a, const option_row& o, const std::string& v) {
         a.threads = parse_unsigned<std::size_t>(v, o.name, "an integer in [0, 1024]");
         if (a.threads > 1024) throw usage_error("--threads expects an integer in [0, 1024], got '" + v + "'");
     }},
    {"--json", nullptr, k_fit | k_transform | k_rank, 0, section::common,
     "print the result as one JSON line on stdout:\n"
     "{\"iterations\":N,\"loss\":L,\"relative_error\":E,\"seconds\":S,\n"
     " \"converged\":true|false,\"kernel\":\"...\",\"dtype\":\"f32\",\n"
     " \"rows\":n,\"cols\":m,\"rank\":K,\"objective\":O,\n"
     " \"loss_name\":\"frobenius|kl|is|beta\",\"beta\":B,\n"
     " \"alpha_w\":A,\"alpha_h\":A,\"l1_ratio\":R,\n"
     " \"missing\":\"none|nan|unstored\",\"observed\":N (the entries\n"
     " the loss sums over), \"sparse\":true|false (\"nnz\":N if\n"
     " true), \"threads\":N, then for fit\n"
     " \"init\":\"...\",\"solver\":\"mu|amu|hals\"}, for transform\n"
     " \"solved\":\"W|H\"}\n"
     "(without --json: a short human-readable summary)",
     nullptr, [](cli_args& a, const option_row&, const std::string&) { a.json = true; }},
    {"--progress", "auto|always|never", k_fit | k_transform | k_rank, 0, section::common,
     "progress bar on stderr (iteration, relative error, elapsed\n"
     "time); auto (default): only when stderr is a terminal",
     nullptr,
     [](cli_args& a, const option_row& o, const std::string& v) { a.progress = choose(o, v, parse_progress); }},

    {"--seed", "S", k_fit | k_rank, 0, section::fit_only,
     "seed of the random initialization (and of the randomized\n"
     "SVD of nndsvd*), an integer in [0, 2^64). Default 0. Same\n"
     "seed, same input: the same W and H on every platform",
     nullptr,
     [](cli_args& a, const option_row& o, const std::string& v) {
         a.seed = parse_unsigned<std::uint64_t>(v, o.name, "an integer in [0, 18446744073709551615]");
     },
     k_transform, "(transform starts from a constant; --w0/--h0 belong to fit)"},
    {"--init", k_init_choices + 1, k_fit | k_rank, 0, section::fit_only,
     "random: W0, H0 uniform in (0, 1) times sqrt(mean(X) / K)\n"
     "(default). custom: start from --w0 and --h0.\n"
     "nndsvd: nonnegative double SVD of X (Boutsidis &\n"
     "Gallopoulos 2008); its zeros stay zero (sparse results).\n"
     "nndsvda: nndsvd with the zeros set to mean(X) (usually the\n"
     "best start for these updates). nndsvdar: nndsvd with the\n"
     "zeros set to small random values. nndsvd, nndsvda and\n"
     "nndsvdar need K <= min(n, m)",
     nullptr,
     [](cli_args& a, const option_row& o, const std::string& v) { a.init = choose(o, v, nmfkit::parse_init_method); },
     k_transform, "(transform starts from a constant; --w0/--h0 belong to fit)"},
    {"--w0", "FILE", k_fit, 0, section::fit_only, "initial W (n x K); required with --init custom", &cli_args::w0},
    {"--h0", "FILE", k_fit, 0, section::fit_only, "initial H (K x m); required with --init custom", &cli_args::h0},
    {"--solver", k_solver_choices + 1, k_fit, 0, section::fit_only,
     "auto (default): hals with --loss frobenius and every entry\n"
     "observed, else mu. mu: multiplicative updates, one W and one\n"
     "H update per iteration. amu: accelerated MU (Gillis & Glineur\n"
     "2012), several cheap updates of each factor per iteration\n"
     "from the same costly products. hals (also cd, scikit-learn's\n"
     "name): hierarchical ALS, an exact non-negative least-squares\n"
     "update of each column of W, then of each row of H, per\n"
     "iteration. amu and hals need --loss frobenius",
     nullptr,
     [](cli_args& a, const option_row& o, const std::string& v) { a.solver = choose(o, v, nmfkit::parse_solver); },
     k_transform, "(transform uses auto)"},

    {"INPUT", nullptr, k_rank, k_rank_form, section::rank_required, "the matrix X, as for fit", &cli_args::input},
    {"--ranks", "LO..HI", k_rank, k_rank_form, section::rank_required,
     "the ranks to try: LO..HI (e.g. 2..12), or a list 2,4,8", nullptr,
     [](cli_args& a, const option_row& o, const std::string& v) { a.ranks = parse_ranks(v, o.name); }},
    {"--reps", "N", k_rank, 0, section::rank_only,
     "replicates per rank (fits from seeds S, S+1, ...; the same\n"
     "hidden entries), an integer >= 1. Default 3",
     nullptr,
     [](cli_args& a, const option_row& o, const std::string& v) {
         a.reps = parse_unsigned<std::uint32_t>(v, o.name, "an integer >= 1");
         if (a.reps == 0) throw usage_error("--reps must be at least 1");
     }},
    {"--restarts", "N", k_rank, 0, section::rank_only,
     "fits per replicate; the one with the lowest objective gives\n"
     "its errors (all enter the consensus). Default 1",
     nullptr,
     [](cli_args& a, const option_row& o, const std::string& v) {
         a.restarts = parse_unsigned<std::uint32_t>(v, o.name, "an integer >= 1");
         if (a.restarts == 0) throw usage_error("--restarts must be at least 1");
     }},
    {"--test-fraction", "F", k_rank, 0, section::rank_only,
     "share of the entries hidden (each with probability F, by a\n"
     "hash of its position and --seed), in (0, 1). Default 0.05",
     nullptr,
     [](cli_args& a, const option_row& o, const std::string& v) {
         a.test_fraction = parse_real(v, o.name, 0, 1, "a number in (0, 1)");
         if (a.test_fraction <= 0 || a.test_fraction >= 1)
             throw usage_error("--test-fraction expects a number in (0, 1), got '" + v + "'");
     }},

    // -h/--help works anywhere before "--"; -V/--version only in place of a command.
    {"--help", nullptr, k_every_command, 0, section::general, "this text (also: nmfkit COMMAND --help)", nullptr,
     [](cli_args& a, const option_row&, const std::string&) { a.cmd = command::help; }, 0, nullptr, "-h"},
    {"--version", nullptr, 0, 0, section::general, "print the version", nullptr,
     [](cli_args& a, const option_row&, const std::string&) { a.cmd = command::version; }, 0, nullptr, "-V"},
};

constexpr const char* k_help_tail =
    "\n"
    "Results: loss = D_beta(X | W*H) of the final W, H (1/2 ||X - W*H||_F^2 for\n"
    "frobenius); objective = loss + the penalties (the loss without --alpha-*);\n"
    "relative error = ||X - W*H||_F / ||X||_F whatever the loss; seconds = wall time of\n"
    "the fit (file I/O excluded); converged = the --tol rule stopped the fit before\n"
    "--max-iter. With --missing nan or unstored the loss and the relative error are over\n"
    "the observed entries only; the summary says over how many.\n"
    "\n"
    "File formats:\n"
    "  CSV: one matrix row per line. The cells are separated by commas, tabs,\n"
    "  semicolons or runs of spaces: --delimiter, or found from the first data line.\n"
    "  A first line of column names (--header, or found when none of its cells starts\n"
    "  with a number; names in double quotes may hold the delimiter) is skipped, and\n"
    "  its names head the columns of the H written. Spaces and tabs around cells, CRLF\n"
    "  line ends and blank lines at the end are accepted; empty cells are not. Every\n"
    "  value must be a finite number >= 0 (X, W0, H0, --w, --h); with --missing nan,\n"
    "  the nan, NaN and empty cells of X are missing entries. W and H are written\n"
    "  comma-separated (tab-separated for a name ending in .tsv or .tab), each value\n"
    "  with the shortest text that reads back to the same f32/f64 number.\n"
    "  Raw: ROWS*COLS little-endian IEEE float32 values, row-major, no header.\n"
    "  .npy (X, W0, H0, --w, --h; written for an output FILE ending in .npy): a 2-D\n"
    "  NumPy array of float32/float64 ('<f4', '<f8'; big-endian converted), C or\n"
    "  Fortran order, format version 1.0-3.0. W and H are written as '<f4' or '<f8'.\n"
    "  .mtx (Matrix Market): coordinate real|integer|pattern or array real|integer,\n"
    "  general or symmetric (lower triangle); 1-based indices; duplicate entries are\n"
    "  an error. A coordinate X is fitted as a sparse (CSR) matrix, never made dense:\n"
    "  the memory is the stored entries plus O((n + m) * K); pattern entries are 1;\n"
    "  the unstored entries are zeros, or missing with --missing unstored.\n"
    "\n"
    "Output files: each is written to a temporary file in its folder and renamed\n"
    "over FILE only when every output is complete and on the disk, so a failed or\n"
    "interrupted run leaves existing files as they were. Two outputs naming one file,\n"
    "or an output naming an input, are a usage error. SIGINT (Ctrl-C) or SIGTERM\n"
    "stops the fit, removes the temporaries and exits 130 or 143. With an output '-'\n"
    "the summary and --json go to stderr.\n"
    "\n"
    "Exit status:\n"
    "  0  success (also when the fit stopped at --max-iter without converging)\n"
    "  1  runtime or data error: unreadable, empty or malformed input, negative or\n"
    "     non-finite values, a zero in X with --loss is or BETA <= 0, shape mismatch\n"
    "     (also between X and the fixed factor of transform), --rank above min(n, m)\n"
    "     with --init nndsvd*, not enough memory, unwritable output\n"
    "  2  usage error: unknown option, missing or invalid option value (including\n"
    "     --alpha-* < 0, --l1-ratio outside [0, 1], --solver amu/hals without frobenius\n"
    "     or with --missing, --missing nan on a sparse X or unstored on a dense one),\n"
    "     an option the command does not take, outputs that are one file or an input\n"
    "  130, 143  interrupted by SIGINT, SIGTERM: nothing written\n"
    "\n"
    "Examples:\n"
    "  nmfkit fit data/digits/digits_1797x64_f32le.raw --shape 1797x64 --rank 10 \\\n"
    "         --out-w W.csv --out-h H.csv --json\n"
    "  nmfkit fit counts.csv --rank 20 --loss kl --init nndsvda --out-w W.csv --out-h H.csv\n"
    "  nmfkit transform new_counts.csv --loss kl --h H.csv --out-w W_new.csv\n"
    "  nmfkit fit expression.tsv --header --rank 8 --out-w W.npy --out-h H.tsv\n"
    "  nmfkit fit docs_terms.mtx --rank 20 --loss kl --out-w W.npy --out-h H.npy\n"
    "  nmfkit fit ratings.mtx --rank 10 --missing unstored --out-w U.csv --out-h V.csv\n"
    "  nmfkit reconstruct --w W.csv --h H.csv --out X_hat.csv\n"
    "  nmfkit rank data/digits/digits_1797x64_f32le.raw --shape 1797x64 --ranks 2..12\n";

bool is_positional(const option_row& o) { return o.name[0] != '-'; }

bool named(const option_row& o, std::string_view s) { return s == o.name || (o.short_name && s == o.short_name); }

// "--rank K", "-h, --help", "INPUT".
std::string label(const option_row& o, bool with_short) {
    std::string s = with_short && o.short_name ? std::string(o.short_name) + ", " + o.name : o.name;
    if (o.value) s = s + " " + o.value;
    return s;
}

// Appends `label`, then `help` from column indent + width (on the next line if the label
// does not leave room), its '\n'-separated lines aligned there.
void append_entry(std::string& out, std::size_t indent, std::size_t width, std::string_view label,
                  std::string_view help) {
    const std::string margin(indent + width, ' ');
    out.append(indent, ' ');
    out += label;
    if (label.size() < width) out.append(width - label.size(), ' ');
    else out += "\n" + margin;
    for (std::size_t eol; (eol = help.find('\n')) != std::string_view::npos; help.remove_prefix(eol + 1)) {
        out += help.substr(0, eol);
        out += "\n" + margin;
    }
    out += help;
    out += '\n';
}

// The usage lines: one per form (its required options, then the only optional one or
// "[options]"), then --help and --version; with their notes and help if `notes`.
std::string usage_lines(bool notes) {
    std::string out;
    const char* lead = "usage: ";
    for (std::size_t f = 0; f < std::size(k_forms); ++f) {
        const usage_form& form = k_forms[f];
        const unsigned cmd = command_of(form.cmd).bit;
        unsigned forms_of_cmd = 0;
        for (std::size_t g = 0; g < std::size(k_forms); ++g)
            if (k_forms[g].cmd == form.cmd) forms_of_cmd |= 1u << g;
        std::string line = std::string(lead) + "nmfkit " + command_of(form.cmd).name;
        std::vector<std::string> optional;
        for (const option_row& o : k_options) {
            if (o.required & (1u << f)) line += " " + label(o, false);
            else if ((o.commands & cmd) && !(o.required & forms_of_cmd) && o.where != section::general)
                optional.push_back(label(o, false));
        }
        line += optional.size() == 1 ? " [" + optional[0] + "]" : std::string(" [options]");
        if (notes && form.note) line = line + "   " + form.note;
        out += line + "\n";
        lead = "       ";
    }
    std::string globals;
    for (const option_row& o : k_options) {
        if (o.where != section::general) continue;
        if (notes) append_entry(out, 0, 32, std::string(lead) + "nmfkit " + o.name, o.help);
        else globals += globals.empty() ? std::string(lead) + "nmfkit " + o.name : std::string(" | ") + o.name;
    }
    if (!notes) out += globals + "\n";
    return out;
}

unsigned command_bit(command c) { return command_of(c).bit; }

// The row of option `name` for command `c`; throws if the command does not take it.
const option_row& find_option(command c, const std::string& name) {
    bool known = false;
    const char* hint = nullptr;
    for (const option_row& o : k_options) {
        if (is_positional(o) || o.commands == 0 || !named(o, name)) continue;
        if (o.commands & command_bit(c)) return o;
        known = true;
        if (o.hint_commands & command_bit(c)) hint = o.hint;
    }
    if (!known) throw usage_error("unknown option '" + name + "'");
    std::string msg = "option " + name + " does not apply to 'nmfkit " + command_of(c).name + "'";
    if (hint) msg = msg + " " + hint;
    throw usage_error(msg);
}

// An option counts as given if its file name is not empty, or (other options) if it was on
// the command line.
bool is_set(const cli_args& a, const option_row& o) {
    if (o.file) return !(a.*o.file).empty();
    return std::find(a.given.begin(), a.given.end(), &o) != a.given.end();
}

// Throws for the first option the usage form `form` needs that is missing (INPUT aside).
void require_form(const cli_args& a, unsigned form) {
    for (const option_row& o : k_options)
        if ((o.required & form) && !is_positional(o) && !is_set(a, o))
            throw usage_error("missing required option " + label(o, false));
}

bool ends_with(std::string_view s, std::string_view suffix) {
    if (s.size() < suffix.size()) return false;
    return std::equal(suffix.begin(), suffix.end(), s.end() - suffix.size(),
                      [](char a, char b) { return a == std::tolower(static_cast<unsigned char>(b)); });
}

// Checks shared by fit and transform: the input and --shape.
void check_input_args(const cli_args& a) {
    const bool raw = is_raw_input(a);
    if (raw && !a.shape) throw usage_error("raw float32 input " + a.input + " needs --shape ROWSxCOLS");
    if (!raw && a.shape) throw usage_error("--shape applies only to raw float32 input (.f32 or .raw)");
    const bool csv = !raw && !ends_with(a.input, ".npy") && !ends_with(a.input, ".mtx");
    if (!csv && a.layout.delim != delimiter::automatic)
        throw usage_error("--delimiter applies only to a CSV INPUT, not " + a.input);
    if (!csv && a.layout.header != header_line::automatic)
        throw usage_error("--header and --no-header apply only to a CSV INPUT, not " + a.input);
}

void check_fit_args(const cli_args& a) {
    if (a.input.empty()) throw usage_error("missing INPUT (the matrix file to factorize)");
    require_form(a, k_fit_form);
    if (a.init == nmfkit::init_method::custom && (a.w0.empty() || a.h0.empty()))
        throw usage_error("--init custom needs both --w0 FILE and --h0 FILE");
    if (a.init != nmfkit::init_method::custom && (!a.w0.empty() || !a.h0.empty()))
        throw usage_error("--w0/--h0 are used only with --init custom");
    const std::string solver = nmfkit::name(a.solver);
    const bool frobenius_only = a.solver != nmfkit::algorithm::mu && a.solver != nmfkit::algorithm::automatic;
    if (frobenius_only && a.beta != 2)
        throw usage_error("--solver " + solver + " works only with --loss frobenius (beta = 2), not --loss " +
                          a.loss_text + " (beta = " + short_number(a.beta) + "); use --solver mu");
    if (frobenius_only && a.missing != nmfkit::missing_entries::none)
        throw usage_error("--solver " + solver + " needs every entry observed, not --missing " +
                          nmfkit::name(a.missing) + "; use --solver mu");
    check_input_args(a);
}

void check_transform_args(const cli_args& a) {
    if (a.input.empty()) throw usage_error("missing INPUT (the matrix X to transform)");
    const bool h = !a.fixed_h.empty(), w = !a.fixed_w.empty();
    if (!h && !w) throw usage_error("transform needs the fixed factor: --h FILE (to solve W) or --w FILE (to solve H)");
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

void check_rank_args(const cli_args& a) {
    if (a.input.empty()) throw usage_error("missing INPUT (the matrix to choose a rank for)");
    require_form(a, k_rank_form);
    if (a.init == nmfkit::init_method::custom) throw usage_error("rank fits from --init random or nndsvd*, not custom");
    check_input_args(a);
}

void check_reconstruct_args(const cli_args& a) {
    if (!a.input.empty())
        throw usage_error("reconstruct takes no INPUT, got '" + a.input + "' (it reads --w FILE and --h FILE)");
    require_form(a, k_reconstruct_form);
}

// Fetches the arguments one by one.
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

}  // namespace

std::string short_number(double v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.15g", v);
    return buf;
}

bool is_raw_input(const cli_args& a) {
    return ends_with(a.input, ".f32") || ends_with(a.input, ".raw") || (a.input == "-" && a.shape);
}

std::string usage_text() { return usage_lines(false); }

std::string help_text() {
    std::string out = "nmfkit " NMFKIT_VERSION_STRING
                      " - non-negative matrix factorization X ~= W * H\n"
                      "(multiplicative updates for the beta-divergence: Lee & Seung, Fevotte & Idier)\n"
                      "\n";
    out += usage_lines(true);
    out += '\n';
    for (const command_row& c : k_commands) append_entry(out, 0, 12, c.name, c.help);
    out += '\n';
    for (std::size_t s = 0; s < std::size(k_section_titles); ++s) {
        out += k_section_titles[s];
        for (const option_row& o : k_options)
            if (o.where == section(s)) append_entry(out, 2, 22, label(o, true), o.help);
    }
    out += "Options take their value as the next argument or after '=' (--rank=5).\n";
    out += k_help_tail;
    return out;
}

cli_args parse_command_line(int argc, char** argv) {
    arg_reader in(argc, argv);
    cli_args p;
    const std::string_view first = in.next();
    if (first == "help") return p;
    for (const option_row& o : k_options)
        if (o.where == section::general && named(o, first)) {
            o.set(p, o, "");
            return p;
        }
    const command_row* cmd = nullptr;
    for (const command_row& c : k_commands)
        if (first == c.name) cmd = &c;
    if (!cmd) {
        if (!first.empty() && first[0] == '-') throw usage_error("unknown option '" + std::string(first) + "'");
        std::vector<std::string_view> names;
        for (const command_row& c : k_commands) names.push_back(c.name);
        throw usage_error("unknown command '" + std::string(first) + "' (the commands are " + listing(names, " and ") +
                          ")");
    }
    p.cmd = cmd->cmd;
    bool options_ended = false;
    while (!in.done()) {
        const std::string_view arg = in.next();
        if (!options_ended && arg == "--") {
            options_ended = true;
        } else if (!options_ended && arg.size() > 1 && arg[0] == '-') {
            const std::size_t eq = arg.find('=');
            const std::string name(arg.substr(0, eq));
            std::optional<std::string> inl;
            if (eq != std::string_view::npos) inl = std::string(arg.substr(eq + 1));
            const option_row& o = find_option(p.cmd, name);
            if (!o.value && inl) throw usage_error(name + " takes no value");
            const std::string value = o.value ? in.value(name, inl) : std::string();
            if (o.file) p.*o.file = value;
            else o.set(p, o, value);
            p.given.push_back(&o);
            if (p.cmd == command::help) return p;
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
        case command::rank: check_rank_args(p); break;
        default: break;
    }
    return p;
}

}  // namespace cli
