// The problem the Cortex-M example solves, shared with host_reference.cpp so the
// firmware and a native build factorize exactly the same data with the same seed.
//
// X (32×16, float32) = A·B + a small pattern, all from integer formulas scaled by
// 1/8, so every entry is exact in float and identical everywhere. Like sensor data it
// is written into a RAM buffer at run time (a flash table would cost 2 KB of flash).
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>

#include "nmfkit/nmfkit.hpp"

namespace demo {

constexpr std::size_t n = 32, m = 16, r = 4;
constexpr std::uint64_t seed = 2024;
constexpr std::uint32_t max_iter = 200;
constexpr double tol = 1e-4;

inline void fill_x(float* v) {
    for (std::size_t i = 0; i < n; ++i)
        for (std::size_t j = 0; j < m; ++j) {
            int s = 0;
            for (std::size_t k = 0; k < r; ++k) {
                const int a = static_cast<int>((i * 5 + k * 11 + 3) % 7);  // 0..6
                const int b = static_cast<int>((j * 3 + k * 7 + 1) % 5);   // 0..4
                s += a * b;
            }
            s += static_cast<int>((i * 13 + j * 17) % 3);  // "noise": X is not exactly rank 4
            v[i * m + j] = static_cast<float>(s) * 0.125f;
        }
}

constexpr nmfkit::options fit_options() {
    nmfkit::options o;
    o.solver = nmfkit::algorithm::mu;  // the host build's auto would be hals; the firmware has MU only
    o.rank = r;
    o.max_iter = max_iter;
    o.tol = tol;
    o.seed = seed;
    return o;
}

// ---- the init checksum of tests/test_solver.cpp (k_init_checksum) --------------------
// random_init of a fixed 16×12 problem with r = 3 and seed 2026, hashed with FNV-1a
// over the bytes of W0 then H0 (little-endian, as the doctest does).
constexpr std::size_t ck_n = 16, ck_m = 12, ck_r = 3;
constexpr std::uint64_t ck_seed = 2026;

inline void fill_ck_x(float* v) {
    for (std::size_t i = 0; i < ck_n; ++i)
        for (std::size_t j = 0; j < ck_m; ++j) v[i * ck_m + j] = static_cast<float>((i * 7 + j * 3) % 11) * 0.25f;
}

inline std::uint64_t fnv1a_floats(std::uint64_t h, const float* p, std::size_t count) {
    for (std::size_t i = 0; i < count; ++i) {
        std::uint32_t bits;
        std::memcpy(&bits, &p[i], 4);
        for (int b = 0; b < 4; ++b) h = (h ^ ((bits >> (8 * b)) & 0xffu)) * 1099511628211ULL;
    }
    return h;
}

// W0 needs ck_n·ck_r floats, H0 ck_r·ck_m and x ck_n·ck_m (the caller may lend the
// example's W, H and X buffers).
inline nmfkit::status init_checksum(float* x, float* w0, float* h0, std::uint64_t& out) {
    fill_ck_x(x);
    nmfkit::result res;
    const nmfkit::status s = nmfkit::random_init<float>({x, ck_n, ck_m}, {w0, ck_n, ck_r}, {h0, ck_r, ck_m}, ck_seed,
                                                        res);
    if (s != nmfkit::status::ok) return s;
    std::uint64_t h = 1469598103934665603ULL;
    h = fnv1a_floats(h, w0, ck_n * ck_r);
    h = fnv1a_floats(h, h0, ck_r * ck_m);
    out = h;
    return nmfkit::status::ok;
}

}  // namespace demo
