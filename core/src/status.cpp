#include "nmfkit/nmfkit.hpp"

namespace nmfkit {

namespace {

struct status_text {
    const char* name;
    const char* message;
};

#ifndef NMFKIT_EXTENDED
#define NMFKIT_EXTENDED 1
#endif
// The Frobenius-only core (microcontrollers: flash) cannot return the statuses of sparse X and
// missing entries (not_built first); they share one message there.
#if NMFKIT_EXTENDED
#define NMFKIT_MESSAGE(value, message) message
#else
#define NMFKIT_MESSAGE(value, message)                                                                                \
    ((value) >= static_cast<int>(status::invalid_missing) && (value) <= static_cast<int>(status::csr_duplicate_index) \
         ? "sparse X and missing entries are not in this build of nmfkit (NMFKIT_EXTENDED=OFF)"                       \
         : message)
#endif

// Indexed by the pinned status value (abi.def lists them densely, from 0).
constexpr status_text k_status_text[] = {
#define NMFKIT_STATUS(value, name, NAME, message) {#name, NMFKIT_MESSAGE(value, message)},
#include "nmfkit/abi.def"
};
#undef NMFKIT_MESSAGE

constexpr int k_status_count = static_cast<int>(sizeof(k_status_text) / sizeof(k_status_text[0]));

// Compile time only (never stored): the values, to check that they index the table.
constexpr status k_status_values[] = {
#define NMFKIT_STATUS(value, name, NAME, message) status::name,
#include "nmfkit/abi.def"
};
constexpr bool dense() noexcept {
    for (int i = 0; i < k_status_count; ++i)
        if (static_cast<int>(k_status_values[i]) != i) return false;
    return true;
}
static_assert(dense(), "abi.def: status values must be 0, 1, 2, ... in order");

const status_text* lookup(status s) noexcept {
    const auto v = static_cast<int>(s);
    return (v >= 0 && v < k_status_count) ? &k_status_text[v] : nullptr;
}

}  // namespace

const char* status_message(status s) noexcept {
    const status_text* t = lookup(s);
    return t ? t->message : "unknown status";
}

const char* status_name(status s) noexcept {
    const status_text* t = lookup(s);
    return t ? t->name : "unknown";
}

}  // namespace nmfkit
