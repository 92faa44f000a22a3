// Differential: every SIMD kernel set the CPU has against the scalar set, on fuzzed shapes,
// strides and values (float and double): the three GEMM forms and gemm_tn_acc, mu_update,
// factor_update, beta_tile and beta_loss_tile. Values are >= 0 (NMF data), so entrywise
// relative agreement is the right measure; a kernel must also never write a row's padding.
#include <cmath>
#include <cstring>
#include <limits>
#include <vector>

#include "fuzz_util.hpp"
#include "kernels/kernels.hpp"

using nmfkit::detail::kernel_table;

namespace {

template <class T>
constexpr double tol() {
    return sizeof(T) == 4 ? 2e-4 : 1e-11;
}

// rows×cols at stride ld; the padding holds a sentinel that must survive.
template <class T>
struct mat {
    std::size_t rows, cols, ld;
    std::vector<T> v;
    mat(std::size_t r, std::size_t c, std::size_t pad) : rows(r), cols(c), ld(c + pad), v(r * (c + pad) + 1, T(-7)) {}
    void fill(fuzz::bytes& in, double lo, double hi) {  // zeros (1 in 16) only where lo is 0
        for (std::size_t i = 0; i < rows; ++i)
            for (std::size_t j = 0; j < cols; ++j) {
                const std::uint8_t b = in.u8();
                v[i * ld + j] = b < 16 && lo == 0 ? T(0) : static_cast<T>(lo + (hi - lo) * (b / 255.0));
            }
    }
    T* p() { return v.data(); }
};

bool close(double a, double b, double t) {
    if (std::isnan(a) || std::isnan(b)) return std::isnan(a) && std::isnan(b);
    if (std::isinf(a) || std::isinf(b)) return a == b;
    return std::fabs(a - b) <= t * (std::fabs(a) + std::fabs(b)) + 1e-30;
}

template <class T>
void same(const mat<T>& a, const mat<T>& b, double t) {
    for (std::size_t i = 0; i < a.v.size(); ++i) {
        const bool pad = (i / a.ld) >= a.rows || (i % a.ld) >= a.cols;
        if (pad) FUZZ_CHECK(a.v[i] == T(-7) && b.v[i] == T(-7));
        else FUZZ_CHECK(close(double(a.v[i]), double(b.v[i]), t));
    }
}

template <class T>
void run(fuzz::bytes& in) {
    std::size_t count = 0;
    const kernel_table<T>* const* sets = nmfkit::detail::available_kernels<T>(count);
    const kernel_table<T>& ref = nmfkit::detail::scalar_kernels<T>();
    const std::size_t M = 1 + in.below(40), N = 1 + in.below(40), K = 1 + in.below(70);
    const std::size_t pa = in.below(3), pb = in.below(3), pc = in.below(3);
    const std::uint8_t what = in.below(7);
    for (std::size_t s = 0; s + 1 < count; ++s) {  // the last set is the scalar one
        const kernel_table<T>& k = *sets[s];
        fuzz::bytes vals = in;  // the same values for every set
        switch (what) {
            case 0:
            case 1:
            case 2:
            case 3: {
                // nt: A M×K, B N×K; tn: A K×M, B K×N; nn: A M×K, B K×N; tn_acc as tn, C += .
                const bool a_t = what == 1 || what == 3, b_t = what == 0;
                mat<T> A(a_t ? K : M, a_t ? M : K, pa), B(b_t ? N : K, b_t ? K : N, pb), C0(M, N, pc);
                A.fill(vals, 0, 2);
                B.fill(vals, 0, 2);
                C0.fill(vals, 0, 1);
                mat<T> C1 = C0, C2 = C0;
                auto call = [&](const kernel_table<T>& t, mat<T>& C) {
                    if (what == 0) t.gemm_nt(M, N, K, A.p(), A.ld, B.p(), B.ld, C.p(), C.ld);
                    if (what == 1) t.gemm_tn(M, N, K, A.p(), A.ld, B.p(), B.ld, C.p(), C.ld);
                    if (what == 2) t.gemm_nn(M, N, K, A.p(), A.ld, B.p(), B.ld, C.p(), C.ld);
                    if (what == 3 && t.gemm_tn_acc) t.gemm_tn_acc(M, N, K, A.p(), A.ld, B.p(), B.ld, C.p(), C.ld);
                };
                if (what == 3 && !k.gemm_tn_acc) break;
                call(ref, C1);
                if (what == 3 && !ref.gemm_tn_acc) {  // the scalar set's form: C += Aᵀ·B from gemm_tn
                    mat<T> P(M, N, pc);
                    ref.gemm_tn(M, N, K, A.p(), A.ld, B.p(), B.ld, P.p(), P.ld);
                    for (std::size_t i = 0; i < M; ++i)
                        for (std::size_t j = 0; j < N; ++j) C1.v[i * C1.ld + j] += P.v[i * P.ld + j];
                }
                call(k, C2);
                same(C1, C2, tol<T>() * 4);
                break;
            }
            case 4:
            case 5: {  // mu_update / factor_update on M×N
                mat<T> X(M, N, pa), num(M, N, pb), den(M, N, pc);
                X.fill(vals, 0, 4);
                num.fill(vals, 0, 4);
                den.fill(vals, 0, 4);
                mat<T> X1 = X, X2 = X;
                nmfkit::detail::update_params<T> p{
                    static_cast<T>(1e-7), static_cast<T>(vals.below(3) * 0.1), static_cast<T>(vals.below(3) * 0.05),
                    static_cast<T>(vals.below(2) ? 1.0 : 0.5), static_cast<T>(vals.below(2) ? 0.0 : 1e-6)};
                const bool track = vals.below(2);
                double d1, d2;
                if (what == 4) {
                    d1 = ref.mu_update(M, N, X1.p(), X1.ld, num.p(), num.ld, den.p(), den.ld, T(1e-7));
                    d2 = k.mu_update(M, N, X2.p(), X2.ld, num.p(), num.ld, den.p(), den.ld, T(1e-7));
                } else {
                    d1 = ref.factor_update(M, N, X1.p(), X1.ld, num.p(), num.ld, den.p(), den.ld, p, track);
                    d2 = k.factor_update(M, N, X2.p(), X2.ld, num.p(), num.ld, den.p(), den.ld, p, track);
                }
                same(X1, X2, tol<T>());
                FUZZ_CHECK(close(d1, d2, 1e-3));
                break;
            }
            default: {  // beta tiles: X ∘ p^(β−2), p^(β−1), and the loss
                static const double betas[] = {2, 1, 0, 0.5, 1.5, 3, -0.5, 1 + 1e-9, 1e-9, 1 - 1e-4, 2.5};
                const double beta = betas[vals.below(sizeof(betas) / sizeof(betas[0]))];
                mat<T> X(M, N, pa), P(M, N, pb);
                X.fill(vals, beta <= 0 ? 0.01 : 0, 3);
                P.fill(vals, 0, 3);
                mat<T> P1 = P, P2 = P, B1(M, N, pc), B2(M, N, pc);
                const T eps = T(1e-7);
                ref.beta_tile(M, N, X.p(), X.ld, P1.p(), P1.ld, B1.p(), B1.ld, beta, eps);
                k.beta_tile(M, N, X.p(), X.ld, P2.p(), P2.ld, B2.p(), B2.ld, beta, eps);
                same(P1, P2, tol<T>() * 10);
                same(B1, B2, tol<T>() * 10);
                double dv1 = 0, sq1 = 0, dv2 = 0, sq2 = 0;
                ref.beta_loss_tile(M, N, X.p(), X.ld, P.p(), P.ld, beta, eps, dv1, sq1);
                k.beta_loss_tile(M, N, X.p(), X.ld, P.p(), P.ld, beta, eps, dv2, sq2);
                if (std::getenv("NMFKIT_FUZZ_VERBOSE"))
                    std::fprintf(stderr, "%s %zux%zu beta %.17g loss %.17g %.17g sq %.17g\n", k.name, M, N, beta, dv1,
                                 dv2, sq1);
                FUZZ_CHECK(dv1 >= 0 && dv2 >= 0);
                FUZZ_CHECK(close(sq1, sq2, 1e-12));
                // The terms cancel near a fit: rounding is relative to the size of x and y (and, for
                // the general formula, amplified by 1/|β(β−1)|), not to the divergence.
                double size = 0;
                for (std::size_t i = 0; i < M; ++i)
                    for (std::size_t j = 0; j < N; ++j) size += double(X.v[i * X.ld + j]) + double(P.v[i * P.ld + j]);
                const bool general = beta != 0 && beta != 1 && beta != 2;
                const double amp = general ? 1 + 1 / std::fabs(beta * (beta - 1)) : 1;
                FUZZ_CHECK(dv1 == dv2 || std::fabs(dv1 - dv2) <= 1e-9 * (dv1 + dv2) + 1e-12 * size * amp);
                break;
            }
        }
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    fuzz::bytes in{data, size};
    if (in.u8() & 1) run<double>(in);
    else run<float>(in);
    return 0;
}
