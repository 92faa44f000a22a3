// Names and spellings of the enums and of the named losses, C++ and C (nmfkit/abi.def).
// Its own object file: a program that never names anything does not link these tables.
#include "nmfkit/nmfkit.h"
#include "nmfkit/nmfkit.hpp"

namespace nmfkit {

namespace {

template <class E>
struct spelling {
    E value;
    const char* text;
};

constexpr spelling<init_method> k_init[] = {
#define NMFKIT_INIT(value, id, ID, text) {init_method::id, text},
#include "nmfkit/abi.def"
};
constexpr spelling<algorithm> k_solver[] = {
#define NMFKIT_SOLVER(value, id, ID, text) {algorithm::id, text},
#include "nmfkit/abi.def"
};
constexpr spelling<kernel_choice> k_kernel[] = {
#define NMFKIT_KERNEL(value, id, ID, text) {kernel_choice::id, text},
#include "nmfkit/abi.def"
};
constexpr spelling<matrix_id> k_matrix[] = {
#define NMFKIT_MATRIX(value, id, ID, text) {matrix_id::id, text},
#include "nmfkit/abi.def"
};
constexpr spelling<missing_entries> k_missing[] = {
#define NMFKIT_MISSING(value, id, ID, text) {missing_entries::id, text},
#include "nmfkit/abi.def"
};

struct loss_spelling {
    double beta;
    const char* name;
    const char* short_name;
};
constexpr loss_spelling k_loss[] = {
#define NMFKIT_LOSS(beta, name, short_name) {beta, name, short_name},
#include "nmfkit/abi.def"
};

template <class E, std::size_t N>
const char* name_in(const spelling<E> (&table)[N], E value) noexcept {
    for (const auto& s : table)
        if (s.value == value) return s.text;
    return "unknown";
}

template <class E, std::size_t N>
bool parse_in(const spelling<E> (&table)[N], std::string_view text, E& out) noexcept {
    for (const auto& s : table)
        if (text == s.text) {
            out = s.value;
            return true;
        }
    return false;
}

const loss_spelling* find_loss(double beta) noexcept {
    for (const auto& l : k_loss)
        if (l.beta == beta) return &l;
    return nullptr;
}

// The C side: a spelling as the enum's int32_t; text may be NULL.
template <class E, std::size_t N>
int parse_c(const spelling<E> (&table)[N], const char* text, int32_t* out) noexcept {
    E v{};
    if (!text || !out || !parse_in(table, text, v)) return 0;
    *out = static_cast<int32_t>(v);
    return 1;
}

}  // namespace

const char* name(init_method m) noexcept { return name_in(k_init, m); }
const char* name(algorithm a) noexcept { return name_in(k_solver, a); }
const char* name(kernel_choice k) noexcept { return name_in(k_kernel, k); }
const char* name(matrix_id m) noexcept { return name_in(k_matrix, m); }
const char* name(missing_entries m) noexcept { return name_in(k_missing, m); }
bool parse_init_method(std::string_view text, init_method& out) noexcept { return parse_in(k_init, text, out); }
bool parse_solver(std::string_view text, algorithm& out) noexcept { return parse_in(k_solver, text, out); }
bool parse_kernel_choice(std::string_view text, kernel_choice& out) noexcept { return parse_in(k_kernel, text, out); }
bool parse_missing(std::string_view text, missing_entries& out) noexcept { return parse_in(k_missing, text, out); }

const char* loss_name(double beta) noexcept {
    const loss_spelling* l = find_loss(beta);
    return l ? l->name : nullptr;
}

const char* loss_short_name(double beta) noexcept {
    const loss_spelling* l = find_loss(beta);
    return l ? l->short_name : nullptr;
}

bool parse_loss(std::string_view text, double& beta) noexcept {
    for (const auto& l : k_loss)
        if (text == l.name || text == l.short_name) {
            beta = l.beta;
            return true;
        }
    return false;
}

}  // namespace nmfkit

extern "C" {

const char* nmfkit_init_name(int32_t init) { return nmfkit::name(static_cast<nmfkit::init_method>(init)); }
const char* nmfkit_solver_name(int32_t solver) { return nmfkit::name(static_cast<nmfkit::algorithm>(solver)); }
const char* nmfkit_kernel_choice_name(int32_t kernel) {
    return nmfkit::name(static_cast<nmfkit::kernel_choice>(kernel));
}
const char* nmfkit_matrix_name(int32_t matrix) { return nmfkit::name(static_cast<nmfkit::matrix_id>(matrix)); }
int nmfkit_parse_init(const char* text, int32_t* init) { return nmfkit::parse_c(nmfkit::k_init, text, init); }
int nmfkit_parse_solver(const char* text, int32_t* solver) { return nmfkit::parse_c(nmfkit::k_solver, text, solver); }
int nmfkit_parse_kernel_choice(const char* text, int32_t* kernel) {
    return nmfkit::parse_c(nmfkit::k_kernel, text, kernel);
}
const char* nmfkit_missing_name(int32_t missing) { return nmfkit::name(static_cast<nmfkit::missing_entries>(missing)); }
int nmfkit_parse_missing(const char* text, int32_t* missing) {
    return nmfkit::parse_c(nmfkit::k_missing, text, missing);
}
const char* nmfkit_loss_name(double beta) { return nmfkit::loss_name(beta); }
const char* nmfkit_loss_short_name(double beta) { return nmfkit::loss_short_name(beta); }
int nmfkit_parse_loss(const char* text, double* beta) {
    if (!text || !beta) return 0;
    return nmfkit::parse_loss(text, *beta) ? 1 : 0;
}

}  // extern "C"
