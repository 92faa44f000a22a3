// The sparse (CSR) kernels of every kernel set the CPU supports against a long-double oracle on
// the densified matrix, against the set's own dense GEMMs on it, and against the scalar set.
#include <doctest/doctest.h>

#include "kernels/kernels.hpp"

#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

using nmfkit::detail::kernel_table;

namespace {

struct rng {
    std::uint64_t s;
    explicit rng(std::uint64_t seed) : s(seed * 0x9e3779b97f4a7c15ull + 7) {}
    std::uint64_t next() {
        s ^= s << 13;
        s ^= s >> 7;
        s ^= s << 17;
        return s;
    }
    double uniform() { return double(next() >> 11) * (1.0 / 9007199254740992.0); }
};

template <class T>
std::vector<const kernel_table<T>*> all_sets() {
    std::size_t n = 0;
    const kernel_table<T>* const* s = nmfkit::detail::available_kernels<T>(n);
    return std::vector<const kernel_table<T>*>(s, s + n);
}

template <class F>
bool present(F f) {
    return f != nullptr;
}

template <class T>
double tolerance() {
    return sizeof(T) == 4 ? 2e-6 : 1e-14;
}

const double nan_d = std::numeric_limits<double>::quiet_NaN();

// A random CSR pattern, rows×cols at `density`, with the awkward cases built in: every third
// row empty, column 1 never used, one row (rows / 2) holding every column; a stored value
// may be 0. dense() is the same matrix densified.
template <class T>
struct csr {
    std::size_t rows, cols;
    std::vector<std::uint64_t> indptr;
    std::vector<std::uint32_t> indices;
    std::vector<T> values;
    csr(std::size_t n, std::size_t m, double density, rng& g) : rows(n), cols(m), indptr(1, 0) {
        for (std::size_t i = 0; i < n; ++i) {
            const bool full = n > 1 && i == n / 2 && density > 0;
            for (std::size_t j = 0; j < m; ++j) {
                const bool keep = full || (i % 3 != 1 && j != 1 && g.uniform() < density);
                if (!keep) continue;
                indices.push_back(std::uint32_t(j));
                const double u = g.uniform();
                values.push_back(u < 0.05 ? T(0) : T(u + 0.25));
            }
            indptr.push_back(indices.size());
        }
        indices.push_back(0xFFFFFFFFu);  // never read: indptr ends before it
        values.push_back(T(nan_d));
    }
    std::size_t nnz() const { return std::size_t(indptr[rows]); }
    std::vector<T> dense(bool pattern) const {
        std::vector<T> d(rows * cols, T(0));
        for (std::size_t i = 0; i < rows; ++i)
            for (std::uint64_t k = indptr[i]; k < indptr[i + 1]; ++k)
                d[i * cols + indices[k]] = pattern ? T(1) : values[k];
        return d;
    }
};

// rows×r factor with row stride r + pad; padding holds NaN, and the buffer ends right after
// the last row's r values, so a kernel that reads padding or past the end of a row shows it.
template <class T>
struct factor {
    std::size_t rows, r, ld;
    std::vector<T> v;
    factor(std::size_t n, std::size_t rank, std::size_t pad, rng& g)
        : rows(n), r(rank), ld(rank + pad), v(n == 0 ? 1 : (n - 1) * (rank + pad) + rank + 1, T(nan_d)) {
        for (std::size_t i = 0; i < n; ++i)
            for (std::size_t t = 0; t < r; ++t) v[i * ld + t] = T(g.uniform());
    }
    const T* data() const { return v.data(); }
    T operator()(std::size_t i, std::size_t t) const { return v[i * ld + t]; }
};

// rows×r output with stride ldc = r + 3: NaN on entry where it must be overwritten, a
// sentinel in the padding and one past the end that must survive.
template <class T>
struct output {
    static constexpr double sentinel = -12345.5;
    std::size_t rows, r, ld;
    std::vector<T> v;
    output(std::size_t n, std::size_t rank) : rows(n), r(rank), ld(rank + 3), v(n * (rank + 3) + 1, T(sentinel)) {
        for (std::size_t i = 0; i < n; ++i)
            for (std::size_t t = 0; t < r; ++t) v[i * ld + t] = T(nan_d);
    }
    T* data() { return v.data(); }
    T operator()(std::size_t i, std::size_t t) const { return v[i * ld + t]; }
    bool padding_ok() const {
        bool ok = v[rows * ld] == T(sentinel);
        for (std::size_t i = 0; i < rows; ++i)
            for (std::size_t t = r; t < ld; ++t) ok = ok && v[i * ld + t] == T(sentinel);
        return ok;
    }
};

// |got − ref| ≤ tol·scale entry by entry, scale = Σ|terms| of the reference (NaN fails).
struct close_check {
    double tol;
    std::size_t bad = 0;
    void add(double got, long double ref, long double scale) {
        const double err = double(std::fabs((long double)got - ref));
        if (!(err <= tol * double(scale) + 1e-300)) ++bad;
    }
};

// A kernel's rows×r product against the oracle (ref, Σ|terms| in ref_abs), the dense GEMM's
// result (stride r) and the scalar set's; its padding untouched.
template <class T>
void compare_product(const output<T>& c, const std::vector<long double>& ref, const std::vector<long double>& ref_abs,
                     const std::vector<T>& dense, const output<T>& scalar) {
    close_check vs_oracle{tolerance<T>()}, vs_dense{2 * tolerance<T>()}, vs_scalar{2 * tolerance<T>()};
    for (std::size_t i = 0; i < c.rows; ++i)
        for (std::size_t t = 0; t < c.r; ++t) {
            vs_oracle.add(c(i, t), ref[i * c.r + t], ref_abs[i * c.r + t]);
            vs_dense.add(c(i, t), dense[i * c.r + t], ref_abs[i * c.r + t]);
            vs_scalar.add(c(i, t), scalar(i, t), ref_abs[i * c.r + t]);
        }
    CHECK(vs_oracle.bad == 0);
    CHECK(vs_dense.bad == 0);
    CHECK(vs_scalar.bad == 0);
    CHECK(c.padding_ok());
}

template <class T>
void check_products(std::size_t n, std::size_t m, double density, std::size_t r, bool pattern) {
    CAPTURE(n);
    CAPTURE(m);
    CAPTURE(density);
    CAPTURE(r);
    CAPTURE(pattern);
    rng g(n * 7919 + m * 104729 + r * 31 + std::size_t(density * 1000) + (pattern ? 5 : 0));
    const csr<T> X(n, m, density, g);
    const T* vals = pattern ? nullptr : X.values.data();
    const std::vector<T> Xd = X.dense(pattern);
    const factor<T> Bt(m, r, (r % 3) + 1, g);        // Hᵀ, m×r
    const factor<T> A(n, r, r % 2 == 0 ? 0 : 5, g);  // W, n×r (no padding when r is even)

    // Oracle: the densified product in long double, and Σ|terms| per entry.
    std::vector<long double> xb(n * r, 0), xb_abs(n * r, 0), xta(m * r, 0), xta_abs(m * r, 0);
    for (std::size_t i = 0; i < n; ++i)
        for (std::size_t j = 0; j < m; ++j)
            for (std::size_t t = 0; t < r; ++t) {
                const long double x = Xd[i * m + j];
                xb[i * r + t] += x * Bt(j, t);
                xb_abs[i * r + t] += std::fabs(x * Bt(j, t));
                xta[j * r + t] += x * A(i, t);
                xta_abs[j * r + t] += std::fabs(x * A(i, t));
            }

    const kernel_table<T>& sc = nmfkit::detail::scalar_kernels<T>();
    output<T> c_scalar(n, r), ct_scalar(m, r);
    sc.csr_times_dense(n, r, X.indptr.data(), X.indices.data(), vals, Bt.data(), Bt.ld, c_scalar.data(), c_scalar.ld);
    sc.csr_t_times_dense(n, m, r, X.indptr.data(), X.indices.data(), vals, A.data(), A.ld, ct_scalar.data(),
                         ct_scalar.ld, false);

    for (const kernel_table<T>* ks : all_sets<T>()) {
        CAPTURE(std::string(ks->name));
        REQUIRE(present(ks->csr_times_dense));
        REQUIRE(present(ks->csr_t_times_dense));

        // X·B, then Xᵀ·A (C garbage on entry): against the oracle, the set's own dense gemm_nn /
        // gemm_tn on the densified X, and the scalar set.
        output<T> c(n, r), ct(m, r);
        ks->csr_times_dense(n, r, X.indptr.data(), X.indices.data(), vals, Bt.data(), Bt.ld, c.data(), c.ld);
        ks->csr_t_times_dense(n, m, r, X.indptr.data(), X.indices.data(), vals, A.data(), A.ld, ct.data(), ct.ld,
                              false);
        std::vector<T> cd(n * r + 1, T(nan_d)), ctd(m * r + 1, T(nan_d));
        ks->gemm_nn(n, r, m, Xd.data(), m, Bt.data(), Bt.ld, cd.data(), r);
        ks->gemm_tn(m, r, n, Xd.data(), m, A.data(), A.ld, ctd.data(), r);
        compare_product(c, xb, xb_abs, cd, c_scalar);
        compare_product(ct, xta, xta_abs, ctd, ct_scalar);

        // Accumulating, in two blocks of rows (absolute offsets: indptr + h, A + h·lda), onto C0.
        output<T> acc(m, r);
        std::vector<double> c0(m * r);
        for (std::size_t j = 0; j < m; ++j)
            for (std::size_t t = 0; t < r; ++t) acc.v[j * acc.ld + t] = T(c0[j * r + t] = 1 + g.uniform());
        const std::size_t h = n / 3;
        ks->csr_t_times_dense(h, m, r, X.indptr.data(), X.indices.data(), vals, A.data(), A.ld, acc.data(), acc.ld,
                              true);
        ks->csr_t_times_dense(n - h, 0, r, X.indptr.data() + h, X.indices.data(), vals, A.data() + h * A.ld, A.ld,
                              acc.data(), acc.ld, true);
        close_check a_oracle{tolerance<T>()};
        for (std::size_t j = 0; j < m; ++j)
            for (std::size_t t = 0; t < r; ++t)
                a_oracle.add(acc(j, t), c0[j * r + t] + xta[j * r + t], c0[j * r + t] + xta_abs[j * r + t]);
        CHECK(a_oracle.bad == 0);
        CHECK(acc.padding_ok());
    }
}

// sampled_dot and sampled_ratio; W's row `zero_row` is all zeros, so its entries have p == 0.
template <class T>
void check_sampled(std::size_t n, std::size_t m, double density, std::size_t r) {
    CAPTURE(n);
    CAPTURE(m);
    CAPTURE(density);
    CAPTURE(r);
    rng g(n * 31337 + m * 101 + r * 17 + std::size_t(density * 1000));
    const csr<T> X(n, m, density, g);
    const factor<T> Bt(m, r, r % 2 == 0 ? 0 : 3, g);
    factor<T> A(n, r, (r % 4) + 1, g);
    const std::size_t zero_row = n > 0 ? n - 1 : 0;
    for (std::size_t t = 0; t < r && n > 0; ++t) A.v[zero_row * A.ld + t] = T(0);
    const std::size_t nnz = X.nnz();
    const T eps = T(1e-3);
    const T sentinel = T(-777.25);

    // Oracle per stored entry, and W·H from the set's own dense gemm_nt read at the entries.
    std::vector<long double> p(nnz), p_abs(nnz);
    for (std::size_t i = 0; i < n; ++i)
        for (std::uint64_t k = X.indptr[i]; k < X.indptr[i + 1]; ++k) {
            long double s = 0, s_abs = 0;
            for (std::size_t t = 0; t < r; ++t) {
                s += (long double)A(i, t) * Bt(X.indices[k], t);
                s_abs += std::fabs((long double)A(i, t) * Bt(X.indices[k], t));
            }
            p[k] = s;
            p_abs[k] = s_abs;
        }
    std::vector<T> dot_scalar(nnz + 1);
    nmfkit::detail::scalar_kernels<T>().sampled_dot(n, r, X.indptr.data(), X.indices.data(), A.data(), A.ld, Bt.data(),
                                                    Bt.ld, dot_scalar.data());

    for (const kernel_table<T>* ks : all_sets<T>()) {
        CAPTURE(std::string(ks->name));
        REQUIRE(present(ks->sampled_dot));
        std::vector<T> wh(n * m + 1, T(nan_d));
        ks->gemm_nt(n, m, r, A.data(), A.ld, Bt.data(), Bt.ld, wh.data(), m);

        // out[0] and out[nnz + 1] are sentinels: entry k is written at out[k + 1].
        std::vector<T> out(nnz + 2, T(nan_d));
        out[0] = out[nnz + 1] = sentinel;
        ks->sampled_dot(n, r, X.indptr.data(), X.indices.data(), A.data(), A.ld, Bt.data(), Bt.ld, out.data() + 1);
        close_check vs_oracle{tolerance<T>()}, vs_dense{2 * tolerance<T>()}, vs_scalar{2 * tolerance<T>()};
        for (std::size_t i = 0; i < n; ++i)
            for (std::uint64_t k = X.indptr[i]; k < X.indptr[i + 1]; ++k) {
                vs_oracle.add(out[k + 1], p[k], p_abs[k]);
                vs_dense.add(out[k + 1], wh[i * m + X.indices[k]], p_abs[k]);
                vs_scalar.add(out[k + 1], dot_scalar[k], p_abs[k]);
            }
        CHECK(vs_oracle.bad == 0);
        CHECK(vs_dense.bad == 0);
        CHECK(vs_scalar.bad == 0);
        CHECK(out[0] == sentinel);
        CHECK(out[nnz + 1] == sentinel);

        // A block of rows [h, n) writes only its own entries (absolute offsets).
        const std::size_t h = n / 2;
        std::vector<T> blk(nnz + 1, sentinel);
        ks->sampled_dot(n - h, r, X.indptr.data() + h, X.indices.data(), A.data() + h * A.ld, A.ld, Bt.data(), Bt.ld,
                        blk.data());
        bool block_ok = true;
        for (std::size_t k = 0; k <= nnz; ++k)
            block_ok = block_ok && (k < X.indptr[h] || k >= nnz ? blk[k] == sentinel : blk[k] == out[k + 1]);
        CHECK(block_ok);

        if (ks->sampled_ratio == nullptr) continue;  // Frobenius-only cores
        // The ratio x / p (eps where p < eps, scikit-learn's guard), in place over a copy of the
        // values, then with values == nullptr (1 / p).
        std::vector<T> q(X.values);
        ks->sampled_ratio(n, r, X.indptr.data(), X.indices.data(), q.data(), A.data(), A.ld, Bt.data(), Bt.ld, eps,
                          q.data());
        std::vector<T> inv(nnz + 1, sentinel);
        ks->sampled_ratio(n, r, X.indptr.data(), X.indices.data(), nullptr, A.data(), A.ld, Bt.data(), Bt.ld, eps,
                          inv.data());
        std::size_t bad = 0;
        for (std::size_t i = 0; i < n; ++i)
            for (std::uint64_t k = X.indptr[i]; k < X.indptr[i + 1]; ++k) {
                const T x = X.values[k];
                if (i == zero_row || r == 0) {  // p == 0 exactly in any summation order
                    bad += !(q[k] == x / eps) + !(inv[k] == T(1) / eps);
                    continue;
                }
                const double tol = 3 * tolerance<T>() * double(p_abs[k] / p[k]);
                if (std::fabs(double(p[k]) - double(eps)) <= tol * double(eps)) continue;  // either side of the guard
                const long double pg = p[k] < eps ? (long double)eps : p[k];
                const long double qref = (long double)x / pg;
                bad += !(std::fabs(double(q[k]) - double(qref)) <= tol * double(qref) + 1e-300);
                bad += !(std::fabs(double(inv[k]) - double(1.0L / pg)) <= tol * double(1.0L / pg));
            }
        CHECK(bad == 0);
        CHECK(q[nnz] != q[nnz]);  // the values' NaN slot past the end, untouched
        CHECK(inv[nnz] == sentinel);
    }
}

const std::size_t ranks[] = {1, 3, 8, 16, 20, 33, 69};
// rows, cols, density: tiny, square-ish, wide, tall, nnz = 0, dense.
const struct {
    std::size_t n, m;
    double density;
} shapes[] = {{1, 1, 1.0},   {7, 5, 0.5}, {40, 33, 0.2}, {9, 130, 0.1},
              {120, 6, 0.3}, {5, 7, 0.0}, {0, 4, 0.5},   {12, 17, 1.0}};

}  // namespace

TEST_CASE_TEMPLATE("csr_times_dense and csr_t_times_dense match the dense products", T, float, double) {
    for (const auto& s : shapes)
        for (std::size_t r : ranks) {
            check_products<T>(s.n, s.m, s.density, r, false);
            check_products<T>(s.n, s.m, s.density, r, true);
        }
    check_products<T>(3, 4, 0.5, 0, false);  // r == 0 writes nothing
}

TEST_CASE_TEMPLATE("sampled_dot and sampled_ratio match W·H at the stored entries", T, float, double) {
    for (const auto& s : shapes)
        for (std::size_t r : ranks) check_sampled<T>(s.n, s.m, s.density, r);
    check_sampled<T>(3, 4, 0.5, 0);  // r == 0: p = 0
}

TEST_CASE("every set has the sparse kernels") {
    for (const kernel_table<float>* ks : all_sets<float>()) {
        CAPTURE(std::string(ks->name));
        CHECK(present(ks->csr_times_dense));
        CHECK(present(ks->csr_t_times_dense));
        CHECK(present(ks->sampled_dot));
    }
    for (const kernel_table<double>* ks : all_sets<double>()) {
        CAPTURE(std::string(ks->name));
        CHECK(present(ks->csr_times_dense));
        CHECK(present(ks->csr_t_times_dense));
        CHECK(present(ks->sampled_dot));
        CHECK(present(ks->sampled_ratio));
    }
}
