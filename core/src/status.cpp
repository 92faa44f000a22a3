#include "nmfkit/nmfkit.hpp"

namespace nmfkit {

namespace {

struct status_text {
    const char* name;
    const char* message;
};

// Indexed by the pinned status value.
constexpr status_text k_status_text[] = {
    {"ok", "success"},
    {"null_pointer", "a required pointer (X, W, H, workspace) is null"},
    {"empty_dimension", "X has no rows or no columns"},
    {"zero_rank", "rank must be at least 1"},
    {"shape_mismatch", "W must be n x rank and H rank x m for X of n x m"},
    {"stride_too_small", "a matrix row stride is smaller than its number of columns"},
    {"size_overflow", "the problem size overflows the address space (n, m, rank too large)"},
    {"workspace_too_small", "the workspace is smaller than workspace_size() requires"},
    {"workspace_misaligned", "the workspace is not aligned to workspace_alignment (64) bytes"},
    {"x_not_finite", "X contains a NaN or infinite entry"},
    {"x_negative", "X contains a negative entry"},
    {"init_not_finite", "the initial W or H contains a NaN or infinite entry"},
    {"init_negative", "the initial W or H contains a negative entry"},
    {"invalid_init", "unknown initialization method"},
    {"invalid_tol", "tol must be a number >= 0"},
    {"invalid_epsilon", "epsilon must be a finite number > 0"},
    {"invalid_check_every", "check_every must be at least 1"},
    {"invalid_kernel", "unknown kernel choice"},
    {"not_started", "the solver has not been started successfully"},
    {"cancelled", "the fit was stopped by the progress callback"},
    {"buffers_overlap", "X, W, H and the workspace must not overlap"},
    {"x_not_positive", "beta <= 0 needs X > 0, but X contains a zero"},
    {"invalid_beta", "beta must be a finite number"},
    {"invalid_alpha", "alpha_w and alpha_h must be finite numbers >= 0"},
    {"invalid_l1_ratio", "l1_ratio must be in [0, 1]"},
    {"invalid_solver", "unknown solver, or amu with beta != 2 (amu needs the Frobenius loss)"},
    {"rank_too_large", "nndsvd initializations need rank <= min(n, m)"},
    {"transform_shape_mismatch", "the fixed factor does not match X and the rank"},
    {"not_built", "this build of nmfkit has only the Frobenius loss, random/custom init and mu (NMFKIT_EXTENDED=OFF)"},
};

constexpr int k_status_count = static_cast<int>(sizeof(k_status_text) / sizeof(k_status_text[0]));

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
