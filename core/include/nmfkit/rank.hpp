// nmfkit/rank.hpp: which rank, and can the fit be trusted (issue 18).
//
//   Quality of any fit      explained_variance, hoyer_sparseness, component_contribution, canonicalize
//   Restarts                fit_restarts: n fits from seeds seed, seed + 1, ..., the best objective kept
//   Consensus               consensus_matrix, consensus_measures: Brunet et al. 2004 (the consensus of
//                           the column clusterings argmax_c H[c][j], cophenetic correlation of its
//                           average-linkage tree) and Kim & Park 2007 (dispersion)
//   Rank selection          rank_search / select_rank: cross-validation by hidden entries ("speckled":
//                           each entry hidden with probability test_fraction, by a hash of its row,
//                           column and rank_options::seed, so the same set for every rank and
//                           replicate), fits with them missing, test error on them
//
// Same contract as nmfkit.hpp: a workspace-size query, then no allocation, no throw, no print; a
// status for every failure; threads only through the caller's executor (each fit's loops run on it,
// so every number is the same for any thread count).
#pragma once

#include <cstddef>
#include <cstdint>

#include "nmfkit/nmfkit.hpp"

namespace nmfkit {

// ------------------------------------------------------------------------------------
// Quality measures
// ------------------------------------------------------------------------------------
// 1 − ‖X − W·H‖²_F / ‖X‖²_F (exact, in tiles of W·H; 1 when X = W·H = 0, 0 when X = 0 ≠ W·H).
template <class T>
[[nodiscard]] status explained_variance(const_matrix_view<T> X, const_matrix_view<T> W, const_matrix_view<T> H,
                                        double& out) noexcept;
template <class T>
[[nodiscard]] status explained_variance(const csr_view<T>& X, const_matrix_view<T> W, const_matrix_view<T> H,
                                        double& out) noexcept;

// Hoyer (2004) sparseness of a vector x of N entries, (√N − ‖x‖₁/‖x‖₂) / (√N − 1): 0 when all
// entries are equal, 1 for a single non-zero; a zero vector counts 0, N = 1 counts 1. For the
// factors: the mean over W's columns (w) and over H's rows (h), one value per component each.
template <class T>
[[nodiscard]] status hoyer_sparseness(const_matrix_view<T> W, const_matrix_view<T> H, double& w, double& h) noexcept;

// The share of component c in Σ(W·H): out[c] = (Σ_i W[i][c]) · (Σ_j H[c][j]) / Σ_c' (same) — out
// holds rank = W.cols values summing to 1 (all 0 when W·H = 0).
template <class T>
[[nodiscard]] status component_contribution(const_matrix_view<T> W, const_matrix_view<T> H, double* out) noexcept;

// Canonical form, so two fits can be compared: every column of W scaled to unit sum and the scale
// moved into H's row (W·H unchanged; an all-zero column stays), then the components sorted by
// contribution, largest first (ties keep their order). In place, O(r·(n + m) + r²).
template <class T>
[[nodiscard]] status canonicalize(matrix_view<T> W, matrix_view<T> H) noexcept;

// ------------------------------------------------------------------------------------
// Restarts: n_restarts fits from seeds opt.seed + i (random or nndsvdar init), the one with the
// lowest objective ends in W, H (MATLAB nnmf's Replicates). The workspace holds one fit's and a
// second W, H: restarts_workspace_size(). out is the best fit's result; best (if not null) its index.
// ------------------------------------------------------------------------------------
template <class T>
[[nodiscard]] status restarts_workspace_size(std::size_t n, std::size_t m, const options& opt,
                                             std::size_t& bytes) noexcept;
template <class T>
[[nodiscard]] status fit_restarts(const_matrix_view<T> X, matrix_view<T> W, matrix_view<T> H, const options& opt,
                                  std::uint32_t n_restarts, void* workspace, std::size_t workspace_bytes, result& out,
                                  std::uint32_t* best = nullptr, const executor* exec = nullptr) noexcept;

// ------------------------------------------------------------------------------------
// Consensus of clusterings (Brunet et al. 2004): labels holds `runs` rows of m cluster labels (run
// t's label of column j at labels[t·m + j]); C[i][j] = the share of runs that put i and j together.
// consensus_measures: the cophenetic correlation — Pearson's r between 1 − C and the cophenetic
// distances of the average-linkage (UPGMA) tree of 1 − C, over the pairs i < j (1 when every run
// agrees: 1 − C is then an ultrametric) — and the dispersion (Kim & Park 2007)
// Σ_ij 4(C_ij − ½)² / m² (1 for a crisp consensus, 0 for C = ½). Scratch: consensus_workspace_size(m).
// ------------------------------------------------------------------------------------
[[nodiscard]] status consensus_matrix(const std::uint32_t* labels, std::size_t runs, std::size_t m,
                                      matrix_view<double> C) noexcept;
[[nodiscard]] status consensus_workspace_size(std::size_t m, std::size_t& bytes) noexcept;
[[nodiscard]] status consensus_measures(const std::uint32_t* labels, std::size_t runs, std::size_t m, void* workspace,
                                        std::size_t workspace_bytes, double& cophenetic, double& dispersion) noexcept;

// The column clustering of a fit: labels[j] = argmax_c (Σ_i W[i][c]) · H[c][j] (H's columns in the
// canonical scaling; the first c on ties).
template <class T>
[[nodiscard]] status column_labels(const_matrix_view<T> W, const_matrix_view<T> H, std::uint32_t* labels) noexcept;

// ------------------------------------------------------------------------------------
// Cross-validated rank selection
// ------------------------------------------------------------------------------------
struct rank_options {
    const std::uint32_t* ranks = nullptr;  // the ranks to try, each ≥ 1 (any order; copied at start)
    std::size_t n_ranks = 0;
    std::uint32_t reps = 3;       // replicates per rank: fits from different seeds, same hidden set
    std::uint32_t restarts = 1;   // fits per replicate; the lowest objective gives its train/test error
    double test_fraction = 0.05;  // share of the entries hidden, in (0, 1)
    std::uint64_t seed = 0;       // of the hidden set (the fits' seeds come from options::seed)
    bool consensus = true;        // cophenetic/dispersion per rank (an m(m−1)/2 distance matrix)
    // Fits at once (0 counts as 1; at most 255 and the number of fits): with ≥ 2 each runs on one
    // task of the executor, alone on its thread, instead of one fit at a time with its loops on
    // every thread: better for many small fits. The scores are the same, bit for bit, for any
    // value and any executor. Each lane of fits costs W, H of the largest rank and a fit's workspace.
    std::uint32_t parallel_fits = 1;
};

// Is entry (i, j) hidden? u(seed, i, j) < fraction, u a uniform [0, 1) from a hash of its arguments:
// independent of the rank, the replicate, the shape and the platform.
bool rank_hidden(std::uint64_t seed, double fraction, std::size_t i, std::size_t j) noexcept;

// The scores of one rank. Errors are mean deviances per entry, 2·D_β / entries (the mean squared
// error for β = 2): train over the observed training entries (the exact final loss of the fit),
// test over the hidden entries; mean and sample standard deviation over the replicates done.
// cophenetic, dispersion: over every fit of the rank (reps × restarts), NaN until all are done or
// without consensus.
struct rank_score {
    std::uint32_t rank = 0;
    std::uint32_t reps_done = 0;
    double train = 0, train_sd = 0;
    double test = 0, test_sd = 0;
    double cophenetic = 0, dispersion = 0;
};

struct rank_progress {
    std::size_t rank_index = 0;  // which of rank_options::ranks is fitting (n_ranks when done)
    std::uint32_t rank = 0, rep = 0, restart = 0;
    std::uint32_t iteration = 0, max_iter = 0;  // of the current fit
    std::uint64_t fits_done = 0, fits_total = 0;
    double relative_error = 0;  // of the current fit, over its training entries
};

// How the data is hidden:
//   dense X                 a copy of X in the workspace with the hidden entries NaN, fitted with
//                           missing = nan (entries NaN in X under options::missing = nan stay
//                           missing and are never test entries); O(n·m) workspace
//   CSR X, missing unstored the stored entries are the observed ones: a CSR copy without the hidden
//                           ones, fitted with missing = unstored; O(nnz) workspace
//   CSR X, missing none     unstored entries are zeros, so zeros are hidden too: the dense copy as
//                           for dense X (O(n·m) workspace)
// plus, per lane (rank_options::parallel_fits), W, H for the largest rank and one fit's workspace,
// 25 bytes per fit and, with consensus, every fit's m column labels and the linkage scratch
// (consensus_workspace_size(m)).
template <class T>
[[nodiscard]] status rank_workspace_size(std::size_t n, std::size_t m, const options& opt, const rank_options& ropt,
                                         std::size_t& bytes) noexcept;
template <class T>
[[nodiscard]] status rank_workspace_size(std::size_t n, std::size_t m, std::size_t nnz, const options& opt,
                                         const rank_options& ropt, std::size_t& bytes) noexcept;

// Resumable: start, then run() slices until done(); scores are readable at any point (a caller that
// stops calling run() — cancel — keeps what completed). The state lives in the workspace (the
// handle is the pointer), X and the workspace must stay valid and unchanged until the last call.
// Fit t of a rank (t = rep·restarts + restart) is seeded options::seed + t.
template <class T>
class rank_search {
public:
    rank_search() noexcept = default;
    explicit rank_search(void* workspace) noexcept : ws_(workspace) {}

    [[nodiscard]] status start(const_matrix_view<T> X, const options& opt, const rank_options& ropt, void* workspace,
                               std::size_t workspace_bytes, const executor* exec = nullptr) noexcept;
    [[nodiscard]] status start(const csr_view<T>& X, const options& opt, const rank_options& ropt, void* workspace,
                               std::size_t workspace_bytes, const executor* exec = nullptr) noexcept;
    // Runs at most `iterations` iterations of each running fit (one, or parallel_fits at once, each
    // started if needed); a fit that ends is scored and its lane takes the next one. The ended fits
    // count in the order of the fits. Fills p (the earliest fit still running). A failing fit's
    // status is returned (and kept).
    [[nodiscard]] status run(std::uint32_t iterations, rank_progress& p) noexcept;
    bool done() const noexcept;
    std::size_t n_ranks() const noexcept;
    [[nodiscard]] status score(std::size_t index, rank_score& out) const noexcept;
    // The rank with the lowest mean test error among the ranks whose replicates are all done, and
    // the smallest rank whose mean test error is within one standard error (sd/√reps) of that
    // minimum (the one-standard-error rule); 0 when no rank is complete.
    std::uint32_t suggested_rank() const noexcept;
    std::uint32_t suggested_rank_1se() const noexcept;
    // Entries hidden (test) and observed for training.
    std::uint64_t test_entries() const noexcept;
    std::uint64_t train_entries() const noexcept;

private:
    void* ws_ = nullptr;
};

// One-shot: start, run to the end calling callback(p, user) after every slice of
// options::check_every iterations (false: stop, status::cancelled; scores holds what completed),
// write n_ranks scores. suggested / suggested_1se may be null.
using rank_callback = bool (*)(const rank_progress& p, void* user_data);
template <class T>
[[nodiscard]] status select_rank(const_matrix_view<T> X, const options& opt, const rank_options& ropt, void* workspace,
                                 std::size_t workspace_bytes, rank_score* scores, std::uint32_t* suggested,
                                 std::uint32_t* suggested_1se, rank_callback callback = nullptr,
                                 void* user_data = nullptr, const executor* exec = nullptr) noexcept;
template <class T>
[[nodiscard]] status select_rank(const csr_view<T>& X, const options& opt, const rank_options& ropt, void* workspace,
                                 std::size_t workspace_bytes, rank_score* scores, std::uint32_t* suggested,
                                 std::uint32_t* suggested_1se, rank_callback callback = nullptr,
                                 void* user_data = nullptr, const executor* exec = nullptr) noexcept;

extern template class rank_search<float>;
extern template class rank_search<double>;

}  // namespace nmfkit
