// The command line of the nmfkit tool: the parsed arguments, and the one option table
// (options.cpp) that drives parsing, the check of which command takes which option, the
// usage lines and --help.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include <nmfkit/nmfkit.hpp>

#include "csv.hpp"

namespace cli {

// A command-line mistake: the tool exits with status 2.
struct usage_error : std::runtime_error {
    using std::runtime_error::runtime_error;
};

enum class command { help, version, fit, transform, reconstruct, rank };

enum class progress_mode { automatic, always, never };

struct option_row;

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
    csv_layout layout;  // of a CSV INPUT (--delimiter, --header, --no-header)
    nmfkit::kernel_choice kernel = nmfkit::kernel_choice::automatic;
    std::size_t threads = 0;  // --threads: 0 = one per core
    std::string out_w, out_h;
    bool json = false;
    progress_mode progress = progress_mode::automatic;
    // The loss and the penalties.
    double beta = 2;
    std::string loss_text = "frobenius";  // as given, for messages
    double alpha_w = 0, alpha_h = 0, l1_ratio = 0;
    nmfkit::algorithm solver = nmfkit::algorithm::automatic;
    nmfkit::missing_entries missing = nmfkit::missing_entries::none;
    // transform / reconstruct: the given factors (--w, --h) and reconstruct's --out.
    std::string fixed_w, fixed_h, out;
    // rank: the ranks to try (--ranks), replicates, restarts and the hidden share of the entries.
    std::vector<std::uint32_t> ranks;
    std::uint32_t reps = 3, restarts = 1;
    double test_fraction = 0.05;
    // The table rows of the options given, in order.
    std::vector<const option_row*> given;
};

// Parses and checks the command line; throws usage_error.
cli_args parse_command_line(int argc, char** argv);

// The whole --help text, and the short usage printed when no argument is given.
std::string help_text();
std::string usage_text();

bool is_raw_input(const cli_args& a);

// A number for messages: the short form people type (0.5, 1e-3), not "%.17g" noise.
std::string short_number(double v);

}  // namespace cli
