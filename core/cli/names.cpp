#include "names.hpp"

namespace cli {
namespace {

constexpr spelling<nmfkit::init_method> k_inits[] = {
    {"random", nmfkit::init_method::random},   {"custom", nmfkit::init_method::custom},
    {"nndsvd", nmfkit::init_method::nndsvd},   {"nndsvda", nmfkit::init_method::nndsvda},
    {"nndsvdar", nmfkit::init_method::nndsvdar},
};

constexpr spelling<nmfkit::algorithm> k_solvers[] = {
    {"mu", nmfkit::algorithm::mu},
    {"amu", nmfkit::algorithm::amu},
};

constexpr spelling<double> k_losses[] = {
    {"frobenius", 2}, {"kl", 1}, {"kullback-leibler", 1}, {"is", 0}, {"itakura-saito", 0},
};

constexpr spelling<nmfkit::kernel_choice> k_kernels[] = {
    {"auto", nmfkit::kernel_choice::automatic},
    {"scalar", nmfkit::kernel_choice::scalar},
};

}  // namespace

bool parse_init(std::string_view text, nmfkit::init_method& out) { return parse_spelling(k_inits, text, out); }

const char* init_name(nmfkit::init_method m) {
    const char* name = spelling_of(k_inits, m);
    return name ? name : "?";
}

bool parse_solver(std::string_view text, nmfkit::algorithm& out) { return parse_spelling(k_solvers, text, out); }

const char* solver_name(nmfkit::algorithm s) {
    const char* name = spelling_of(k_solvers, s);
    return name ? name : "?";
}

bool parse_loss_name(std::string_view text, double& beta) { return parse_spelling(k_losses, text, beta); }

const char* loss_name(double beta) {
    const char* name = spelling_of(k_losses, beta);
    return name ? name : "beta";
}

bool parse_kernel(std::string_view text, nmfkit::kernel_choice& out) { return parse_spelling(k_kernels, text, out); }

}  // namespace cli
