// Quality measures of a fit and the consensus of clusterings (nmfkit/rank.hpp), on top of the
// public API only: explained variance, Hoyer sparseness, component contribution, the canonical
// form, column labels, the consensus matrix and its cophenetic correlation and dispersion.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>

#include "nmfkit/rank.hpp"

namespace nmfkit {
namespace {

template <class T>
status check_factors(const_matrix_view<T> W, const_matrix_view<T> H) noexcept {
    if (W.data == nullptr || H.data == nullptr) return status::null_pointer;
    if (W.cols == 0) return status::zero_rank;
    if (H.rows != W.cols) return status::shape_mismatch;
    if (W.stride < W.cols || H.stride < H.cols) return status::stride_too_small;
    return status::ok;
}

template <class T>
double dense_sum_squares(const_matrix_view<T> X) noexcept {
    double s = 0;
    for (std::size_t i = 0; i < X.rows; ++i)
        for (std::size_t j = 0; j < X.cols; ++j) s += double(X(i, j)) * double(X(i, j));
    return s;
}

double ev_from(double loss, double norm2) noexcept {
    if (norm2 == 0) return loss == 0 ? 1.0 : 0.0;
    return 1.0 - 2.0 * loss / norm2;
}

double hoyer(double l1, double l2sq, std::size_t count) noexcept {
    if (count <= 1) return 1.0;
    if (l2sq == 0) return 0.0;
    const double rn = std::sqrt(double(count));
    const double s = (rn - l1 / std::sqrt(l2sq)) / (rn - 1);
    return s < 0 ? 0.0 : (s > 1 ? 1.0 : s);
}

// Σ_i W[i][c] and Σ_j H[c][j]
template <class T>
double col_sum(const_matrix_view<T> W, std::size_t c) noexcept {
    double s = 0;
    for (std::size_t i = 0; i < W.rows; ++i) s += double(W(i, c));
    return s;
}
template <class T>
double row_sum(const_matrix_view<T> H, std::size_t c) noexcept {
    double s = 0;
    for (std::size_t j = 0; j < H.cols; ++j) s += double(H(c, j));
    return s;
}

}  // namespace

template <class T>
status explained_variance(const_matrix_view<T> X, const_matrix_view<T> W, const_matrix_view<T> H,
                          double& out) noexcept {
    double loss = 0;
    const status st = frobenius_loss<T>(X, W, H, loss);
    if (st != status::ok) return st;
    out = ev_from(loss, dense_sum_squares(X));
    return status::ok;
}

template <class T>
status explained_variance(const csr_view<T>& X, const_matrix_view<T> W, const_matrix_view<T> H, double& out) noexcept {
    double loss = 0;
    const status st = beta_divergence<T>(X, W, H, 2.0, missing_entries::none, loss);
    if (st != status::ok) return st;
    double norm2 = 0;
    for (std::size_t k = 0; k < X.nnz; ++k) {
        const double v = X.values ? double(X.values[k]) : 1.0;
        norm2 += v * v;
    }
    out = ev_from(loss, norm2);
    return status::ok;
}

template <class T>
status hoyer_sparseness(const_matrix_view<T> W, const_matrix_view<T> H, double& w, double& h) noexcept {
    const status st = check_factors(W, H);
    if (st != status::ok) return st;
    const std::size_t r = W.cols;
    double sw = 0, sh = 0;
    for (std::size_t c = 0; c < r; ++c) {
        double l1 = 0, l2 = 0;
        for (std::size_t i = 0; i < W.rows; ++i) {
            const double v = std::fabs(double(W(i, c)));
            l1 += v;
            l2 += v * v;
        }
        sw += hoyer(l1, l2, W.rows);
        l1 = l2 = 0;
        for (std::size_t j = 0; j < H.cols; ++j) {
            const double v = std::fabs(double(H(c, j)));
            l1 += v;
            l2 += v * v;
        }
        sh += hoyer(l1, l2, H.cols);
    }
    w = sw / double(r);
    h = sh / double(r);
    return status::ok;
}

template <class T>
status component_contribution(const_matrix_view<T> W, const_matrix_view<T> H, double* out) noexcept {
    const status st = check_factors(W, H);
    if (st != status::ok) return st;
    if (out == nullptr) return status::null_pointer;
    double total = 0;
    for (std::size_t c = 0; c < W.cols; ++c) total += out[c] = col_sum(W, c) * row_sum(H, c);
    for (std::size_t c = 0; c < W.cols; ++c) out[c] = total > 0 ? out[c] / total : 0.0;
    return status::ok;
}

template <class T>
status canonicalize(matrix_view<T> W, matrix_view<T> H) noexcept {
    const status st = check_factors<T>(const_matrix_view<T>(W), const_matrix_view<T>(H));
    if (st != status::ok) return st;
    const std::size_t r = W.cols;
    for (std::size_t c = 0; c < r; ++c) {
        const double s = col_sum<T>(W, c);
        if (!(s > 0)) continue;
        for (std::size_t i = 0; i < W.rows; ++i) W(i, c) = T(double(W(i, c)) / s);
        for (std::size_t j = 0; j < H.cols; ++j) H(c, j) = T(double(H(c, j)) * s);
    }
    // Selection sort by contribution (W's columns now sum to 1 or 0: the contribution is
    // col_sum · row_sum), largest first; a strict comparison keeps ties in order. Swaps move data.
    for (std::size_t c = 0; c + 1 < r; ++c) {
        std::size_t best = c;
        double best_v = col_sum<T>(W, c) * row_sum<T>(H, c);
        for (std::size_t d = c + 1; d < r; ++d) {
            const double v = col_sum<T>(W, d) * row_sum<T>(H, d);
            if (v > best_v) best = d, best_v = v;
        }
        if (best == c) continue;
        for (std::size_t i = 0; i < W.rows; ++i) {
            const T t = W(i, c);
            W(i, c) = W(i, best);
            W(i, best) = t;
        }
        for (std::size_t j = 0; j < H.cols; ++j) {
            const T t = H(c, j);
            H(c, j) = H(best, j);
            H(best, j) = t;
        }
    }
    return status::ok;
}

template <class T>
status column_labels(const_matrix_view<T> W, const_matrix_view<T> H, std::uint32_t* labels) noexcept {
    const status st = check_factors(W, H);
    if (st != status::ok) return st;
    if (labels == nullptr) return status::null_pointer;
    // the scales Σ_i W[i][c], 256 at a time on the stack; columns of H compared in canonical scale
    constexpr std::size_t chunk = 256;
    double s[chunk];
    for (std::size_t c0 = 0; c0 < W.cols; c0 += chunk) {
        const std::size_t c1 = c0 + chunk < W.cols ? c0 + chunk : W.cols;
        for (std::size_t c = c0; c < c1; ++c) s[c - c0] = col_sum(W, c);
        for (std::size_t j = 0; j < H.cols; ++j) {
            std::size_t b = c0 == 0 ? 0 : labels[j];
            double v = b >= c0 ? double(H(b, j)) * s[b - c0] : double(H(b, j)) * col_sum(W, b);
            for (std::size_t c = c0 == 0 ? 1 : c0; c < c1; ++c) {
                const double x = double(H(c, j)) * s[c - c0];
                if (x > v) v = x, b = c;
            }
            labels[j] = std::uint32_t(b);
        }
    }
    return status::ok;
}

// ---- consensus -----------------------------------------------------------------------
namespace {

double together(const std::uint32_t* labels, std::size_t runs, std::size_t m, std::size_t i, std::size_t j) noexcept {
    std::size_t same = 0;
    for (std::size_t t = 0; t < runs; ++t) same += labels[t * m + i] == labels[t * m + j];
    return double(same) / double(runs);
}

constexpr std::size_t round64(std::size_t b) noexcept { return (b + 63) / 64 * 64; }

// index of pair (i, j), i < j, in the condensed upper triangle
inline std::size_t pair_index(std::size_t m, std::size_t i, std::size_t j) noexcept {
    if (i > j) {
        const std::size_t t = i;
        i = j;
        j = t;
    }
    return i * (2 * m - i - 1) / 2 + (j - i - 1);
}

}  // namespace

status consensus_matrix(const std::uint32_t* labels, std::size_t runs, std::size_t m, matrix_view<double> C) noexcept {
    if (labels == nullptr || C.data == nullptr) return status::null_pointer;
    if (runs == 0 || m == 0) return status::empty_dimension;
    if (C.rows != m || C.cols != m) return status::shape_mismatch;
    if (C.stride < C.cols) return status::stride_too_small;
    for (std::size_t i = 0; i < m; ++i)
        for (std::size_t j = 0; j < m; ++j) C(i, j) = i == j ? 1.0 : together(labels, runs, m, i, j);
    return status::ok;
}

status consensus_workspace_size(std::size_t m, std::size_t& bytes) noexcept {
    if (m == 0) return status::empty_dimension;
    const std::size_t limit = std::numeric_limits<std::size_t>::max() / 16;
    if (m > limit / m) return status::size_overflow;
    const std::size_t pairs = m * (m - 1) / 2;
    bytes = round64(pairs * sizeof(double)) + 4 * round64(m * sizeof(std::uint32_t));
    return status::ok;
}

// Average linkage by the nearest-neighbour chain (Lance–Williams update; UPGMA is reducible, so
// the chain finds every merge of the greedy algorithm): O(m²) time, the condensed distance matrix
// and four m-vectors. Every merge of clusters A and B at height h gives each pair (a, b) of A × B
// the cophenetic distance h; its sums enter Pearson's r with the original distance 1 − C(a, b)
// (recomputed from the labels, the matrix being overwritten by the linkage).
status consensus_measures(const std::uint32_t* labels, std::size_t runs, std::size_t m, void* workspace,
                          std::size_t workspace_bytes, double& cophenetic, double& dispersion) noexcept {
    if (labels == nullptr || workspace == nullptr) return status::null_pointer;
    if (runs == 0 || m == 0) return status::empty_dimension;
    std::size_t need = 0;
    const status st = consensus_workspace_size(m, need);
    if (st != status::ok) return st;
    if (workspace_bytes < need) return status::workspace_too_small;
    if (reinterpret_cast<std::uintptr_t>(workspace) % workspace_alignment != 0) return status::workspace_misaligned;
    const std::size_t pairs = m * (m - 1) / 2;
    auto* D = static_cast<double*>(workspace);
    auto* u = reinterpret_cast<std::uint32_t*>(static_cast<unsigned char*>(workspace) +
                                               round64(pairs * sizeof(double)));
    const std::size_t stride = round64(m * sizeof(std::uint32_t)) / sizeof(std::uint32_t);
    std::uint32_t* size = u;
    std::uint32_t* next = u + stride;  // members of a cluster: a list through next, from its index
    std::uint32_t* tail = u + 2 * stride;
    std::uint32_t* chain = u + 3 * stride;
    constexpr std::uint32_t end = 0xffffffffu;

    double disp = double(m);  // the diagonal: 4(1 − ½)² = 1 each
    for (std::size_t i = 0; i < m; ++i) {
        size[i] = 1;
        next[i] = end;
        tail[i] = std::uint32_t(i);
        for (std::size_t j = i + 1; j < m; ++j) {
            const double c = together(labels, runs, m, i, j);
            D[pair_index(m, i, j)] = 1.0 - c;
            disp += 2 * 4 * (c - 0.5) * (c - 0.5);
        }
    }
    dispersion = disp / (double(m) * double(m));
    if (m < 2) {
        cophenetic = 1;
        return status::ok;
    }

    double s_d = 0, s_h = 0, s_dd = 0, s_hh = 0, s_dh = 0;
    std::size_t top = 0, active = m;
    std::size_t first = 0;  // lowest index that may be active
    while (active > 1) {
        if (top == 0) {
            while (size[first] == 0) ++first;
            chain[top++] = std::uint32_t(first);
        }
        const std::size_t a = chain[top - 1];
        const std::size_t prev = top >= 2 ? chain[top - 2] : end;
        // nearest active neighbour of a; the previous chain element wins ties (the chain stops)
        std::size_t b = prev;
        double best = prev != end ? D[pair_index(m, a, prev)] : std::numeric_limits<double>::infinity();
        for (std::size_t x = 0; x < m; ++x) {
            if (x == a || size[x] == 0) continue;
            const double d = D[pair_index(m, a, x)];
            if (d < best) best = d, b = x;
        }
        if (b != prev) {
            chain[top++] = std::uint32_t(b);
            continue;
        }
        top -= 2;
        // merge b into a at height `best`
        for (std::uint32_t p = std::uint32_t(a); p != end; p = next[p])
            for (std::uint32_t q = std::uint32_t(b); q != end; q = next[q]) {
                const double d = 1.0 - together(labels, runs, m, p, q);
                s_d += d;
                s_dd += d * d;
                s_h += best;
                s_hh += best * best;
                s_dh += d * best;
            }
        const double sa = size[a], sb = size[b];
        for (std::size_t x = 0; x < m; ++x) {
            if (x == a || x == b || size[x] == 0) continue;
            double& dax = D[pair_index(m, a, x)];
            dax = (sa * dax + sb * D[pair_index(m, b, x)]) / (sa + sb);
        }
        next[tail[a]] = std::uint32_t(b);
        tail[a] = tail[b];
        size[a] += size[b];
        size[b] = 0;
        --active;
    }
    const double np = double(pairs);
    const double cov = s_dh / np - (s_d / np) * (s_h / np);
    const double vd = s_dd / np - (s_d / np) * (s_d / np);
    const double vh = s_hh / np - (s_h / np) * (s_h / np);
    // Constant distances (every run puts every pair together, or apart, alike): the tree is exact.
    if (!(vd > 1e-15) || !(vh > 1e-15)) cophenetic = 1;
    else {
        const double rho = cov / std::sqrt(vd * vh);
        cophenetic = rho > 1 ? 1.0 : (rho < -1 ? -1.0 : rho);
    }
    return status::ok;
}

#define NMFKIT_QUALITY(T)                                                                                       \
    template status explained_variance<T>(const_matrix_view<T>, const_matrix_view<T>, const_matrix_view<T>,     \
                                          double&) noexcept;                                                    \
    template status explained_variance<T>(const csr_view<T>&, const_matrix_view<T>, const_matrix_view<T>,       \
                                          double&) noexcept;                                                    \
    template status hoyer_sparseness<T>(const_matrix_view<T>, const_matrix_view<T>, double&, double&) noexcept; \
    template status component_contribution<T>(const_matrix_view<T>, const_matrix_view<T>, double*) noexcept;    \
    template status canonicalize<T>(matrix_view<T>, matrix_view<T>) noexcept;                                   \
    template status column_labels<T>(const_matrix_view<T>, const_matrix_view<T>, std::uint32_t*) noexcept;
NMFKIT_QUALITY(float)
NMFKIT_QUALITY(double)
#undef NMFKIT_QUALITY

}  // namespace nmfkit
