// Vector log, exp and pow of the β kernels (simd_math<T, Arch>), built from IEEE bit
// manipulation and polynomials only: xsimd 8.1's log/exp/frexp/ldexp convert between double
// and int64 lanes, which SSE2 and AVX2 lack (emulated lane by lane: slower than scalar code).
//   log x = E·ln2 + log m,  x = m·2^E, m ∈ [√½, √2): musl's log/logf kernel (fdlibm, < 1 ulp).
//   x^e: exp(e·ln x) in working precision loses |e·ln x| ulp (1e30^-2.5 in float: ~170 ulp),
//   so e·E is formed exactly from e = e_hi + e_lo (e_hi short enough that e_hi·E is exact)
//   and only the small remainder s ∈ [−½, ½] goes through 2^s (Taylor, degree 7 / 13).
// A few ulp over the whole range, subnormal x included (tests/test_kernels.cpp measures it).
#pragma once

#include "kernels/simd_base.hpp"

#include <cstdint>
#include <cstring>
#include <limits>
#include <type_traits>

namespace nmfkit {
namespace detail {
namespace {

template <class T, class Arch>
struct simd_math {
    using B = xsimd::batch<T, Arch>;
    using U = xsimd::batch<typename std::conditional<sizeof(T) == 4, std::uint32_t, std::uint64_t>::type, Arch>;
    using u_t = typename U::value_type;
    static constexpr bool f32 = sizeof(T) == 4;
    static constexpr int mant = std::numeric_limits<T>::digits - 1;            // 23 | 52
    static constexpr int bias = std::numeric_limits<T>::max_exponent - 1;      // 127 | 1023
    static constexpr T two_mant = f32 ? T(8388608.0) : T(4503599627370496.0);  // 2^mant

    static B c(T v) noexcept { return B(v); }
    static u_t bits_of(T v) noexcept {
        u_t u;
        std::memcpy(&u, &v, sizeof u);
        return u;
    }

    // x normal, > 0: x = m·2^E with m ∈ [√½, √2); returns m, E as an integral T.
    static B reduce(const B& x, B& E) noexcept {
        const U bits = xsimd::bitwise_cast<U>(x);
        const B field = xsimd::bitwise_cast<B>((bits >> mant) | U(bits_of(two_mant))) - c(two_mant);
        B m = xsimd::bitwise_cast<B>((bits & U((u_t(1) << mant) - 1)) | U(bits_of(T(1))));  // [1, 2)
        const auto hi = m > c(T(1.41421356237309504880));
        m = xsimd::select(hi, m * c(T(0.5)), m);
        E = field - c(T(bias)) + xsimd::select(hi, c(T(1)), c(T(0)));
        return m;
    }

    // Subnormal x: scaled into the normal range first.
    static B reduce_any(const B& x, B& E) noexcept {
        const auto sub = x < B(std::numeric_limits<T>::min());
        const T up = f32 ? T(16777216.0) : T(9007199254740992.0);  // 2^(mant+1)
        const B m = reduce(xsimd::select(sub, x * c(up), x), E);
        E -= xsimd::select(sub, c(T(mant + 1)), c(T(0)));
        return m;
    }

    // log(m) − f and f = m − 1 for m ∈ [√½, √2) (musl log / logf).
    static B log_m(const B& m, B& f) noexcept {
        f = m - c(T(1));
        const B hfsq = c(T(0.5)) * f * f;
        const B s = vdiv(f, c(T(2)) + f);
        const B z = s * s, w = z * z;
        B R;
        if (f32) {
            const B t1 = w * (c(T(0.40000972152)) + w * c(T(0.24279078841)));
            const B t2 = z * (c(T(0.66666662693)) + w * c(T(0.28498786688)));
            R = t2 + t1;
        } else {
            const B t1 = w * (c(T(3.999999999940941908e-01)) +
                              w * (c(T(2.222219843214978396e-01)) + w * c(T(1.531383769920937332e-01))));
            const B t2 = z * (c(T(6.666666666666735130e-01)) +
                              w * (c(T(2.857142874366239149e-01)) +
                                   w * (c(T(1.818357216161805012e-01)) + w * c(T(1.479819860511658591e-01)))));
            R = t2 + t1;
        }
        return s * (hfsq + R) - hfsq;  // log m = this + f
    }

    static B log(const B& x) noexcept {
        B E, f;
        const B m = reduce_any(x, E);
        const B lm = log_m(m, f);
        const T ln2_hi = f32 ? T(6.9313812256e-01) : T(6.93147180369123816490e-01);
        const T ln2_lo = f32 ? T(9.0580006145e-06) : T(1.90821492927058770002e-10);
        B r = (lm + E * c(ln2_lo)) + f + E * c(ln2_hi);
        const T inf = std::numeric_limits<T>::infinity();
        r = xsimd::select(x == c(T(0)), c(-inf), r);
        r = xsimd::select(x == c(inf), c(inf), r);
        return xsimd::select(x < c(T(0)) || x != x, c(std::numeric_limits<T>::quiet_NaN()), r);
    }

    // 2^s for |s| ≤ ½ (Taylor series of exp(s·ln2)).
    static B exp2_small(const B& s) noexcept {
        B p = c(T(1.5252733804059838e-05));  // float: degree 7
        if (!f32) {                          // double: degree 13, the same low-order terms
            p = c(T(1.3691488853904124e-12));
            p = p * s + c(T(2.5678435993488196e-11));
            p = p * s + c(T(4.44553827187081e-10));
            p = p * s + c(T(7.054911620801121e-09));
            p = p * s + c(T(1.0178086009239696e-07));
            p = p * s + c(T(1.3215486790144305e-06));
            p = p * s + c(T(1.5252733804059838e-05));
        }
        p = p * s + c(T(0.00015403530393381606));
        p = p * s + c(T(0.0013333558146428441));
        p = p * s + c(T(0.009618129107628477));
        p = p * s + c(T(0.055504108664821576));
        p = p * s + c(T(0.2402265069591007));
        p = p * s + c(T(0.6931471805599453));
        return p * s + c(T(1));
    }

    // 2^n for integral n in [1 − bias, bias]: the biased exponent n + bias is the low
    // mantissa bits of 2^mant + n + bias, shifted into place.
    static B pow2i(const B& n) noexcept {
        return xsimd::bitwise_cast<B>(xsimd::bitwise_cast<U>(n + c(two_mant + T(bias))) << mant);
    }

    // Rounds to an integral value (|v| < 2^mant; ties: either way).
    static B round_int(const B& v) noexcept {
        const B big = xsimd::select(v < c(T(0)), c(-T(1.5) * two_mant), c(T(1.5) * two_mant));
        return (v + big) - big;
    }

    // e^x (used by the tests only): Cody–Waite reduction x = n·ln2 + r, then 2^(r·log2 e).
    static B exp(const B& x) noexcept {
        const T lim = T(2 * (bias - 1));
        const B n = round_int(xsimd::min(xsimd::max(x * c(T(1.44269504088896340736)), c(-lim)), c(lim)));
        const T ln2_hi = f32 ? T(0.693145751953125) : T(6.93147180369123816490e-01);  // n·ln2_hi exact
        const T ln2_lo = f32 ? T(1.428606765330187045e-06) : T(1.90821492927058770002e-10);
        const B r = (x - n * c(ln2_hi)) - n * c(ln2_lo);
        const B n1 = round_int(n * c(T(0.5)));
        return exp2_small(r * c(T(1.44269504088896340736))) * pow2i(n1) * pow2i(n - n1);
    }

    struct exponent {
        T e, hi, lo, at0, atinf;
    };
    static exponent split(T e) noexcept {
        u_t u = bits_of(e);
        // Keep 12 (float) / 26 (double) significant bits: |E| < 2^8 / 2^11, so e_hi·E is exact.
        u &= ~((u_t(1) << (f32 ? 12 : 27)) - 1);
        exponent x;
        x.e = e;
        std::memcpy(&x.hi, &u, sizeof u);
        x.lo = e - x.hi;
        const T inf = std::numeric_limits<T>::infinity();
        x.at0 = e > 0 ? T(0) : e == 0 ? T(1) : inf;  // std::pow(0, e), std::pow(inf, e)
        x.atinf = e > 0 ? inf : e == 0 ? T(1) : T(0);
        return x;
    }

    // x^e for x ≥ 0 (x = 0, inf and NaN as std::pow).
    static B pow(const B& x, const exponent& p) noexcept {
        B E, f;
        const B m = reduce_any(x, E);
        const B l2m = (log_m(m, f) + f) * c(T(1.44269504088896340736));  // log2 m, |·| ≤ ½
        const B a = c(p.hi) * E;                                         // exact
        B n = round_int(a);
        B s = (a - n) + (c(p.lo) * E + c(p.e) * l2m);
        const B n2 = round_int(s);
        s -= n2;
        const T lim = T(2 * (bias - 1));  // beyond: inf or 0 anyway
        n = xsimd::min(xsimd::max(n + n2, c(-lim)), c(lim));
        const B n1 = round_int(n * c(T(0.5)));
        B r = exp2_small(s) * pow2i(n1) * pow2i(n - n1);  // one rounding if subnormal
        r = xsimd::select(x == c(T(0)), c(p.at0), r);
        r = xsimd::select(x == c(std::numeric_limits<T>::infinity()), c(p.atinf), r);
        return xsimd::select(x != x, p.e == 0 ? c(T(1)) : x, r);
    }
};

}  // namespace
}  // namespace detail
}  // namespace nmfkit
