// Spellings of the library's enums and losses on the command line and in --json output.
//
// TODO(issue 11, item 2): the library is gaining functions that name and parse init methods,
// solvers and losses (so the CLI and the JS wrapper accept the same spellings). When they land,
// each function below becomes a call to its library counterpart and the tables in names.cpp go.
// The output spellings ("kl", "nndsvda", "amu", ...) must stay as they are.
#pragma once

#include <cstddef>
#include <string_view>

#include <nmfkit/nmfkit.hpp>

namespace cli {

// One spelling of a value; a table lists the canonical spelling of a value first.
template <class E>
struct spelling {
    const char* name;
    E value;
};

template <class E, std::size_t N>
bool parse_spelling(const spelling<E> (&table)[N], std::string_view text, E& out) {
    for (const spelling<E>& s : table)
        if (text == s.name) {
            out = s.value;
            return true;
        }
    return false;
}

// The canonical spelling of `value`, or nullptr if the table has none.
template <class E, std::size_t N>
const char* spelling_of(const spelling<E> (&table)[N], E value) {
    for (const spelling<E>& s : table)
        if (s.value == value) return s.name;
    return nullptr;
}

// --init: random, custom, nndsvd, nndsvda, nndsvdar.
bool parse_init(std::string_view text, nmfkit::init_method& out);
const char* init_name(nmfkit::init_method m);

// --solver: mu, amu.
bool parse_solver(std::string_view text, nmfkit::algorithm& out);
const char* solver_name(nmfkit::algorithm s);

// --loss by name: frobenius (beta 2), kl or kullback-leibler (1), is or itakura-saito (0).
// A numeric BETA is the CLI's own business (options.cpp).
bool parse_loss_name(std::string_view text, double& beta);
// "frobenius", "kl", "is", or "beta" for any other beta (--json's loss_name).
const char* loss_name(double beta);

// --kernel: auto, scalar.
bool parse_kernel(std::string_view text, nmfkit::kernel_choice& out);

}  // namespace cli
