// nmfkit's own random numbers: PCG32 (O'Neill 2014, "PCG: A Family of Simple Fast
// Space-Efficient Statistically Good Algorithms for Random Number Generation",
// XSH-RR output, 64-bit LCG state) and its own conversion to (0, 1). Integer
// arithmetic only and one exactly representable float per draw, so a seed gives
// bit-identical numbers on every compiler, platform and in WebAssembly (std::
// distributions differ between standard libraries).
#pragma once

#include <cstdint>

namespace nmfkit {
namespace detail {

class pcg32 {
public:
    explicit pcg32(std::uint64_t seed, std::uint64_t stream = 0xda3e39cb94b95bdbULL) noexcept
        : inc_((stream << 1u) | 1u) {
        next();
        state_ += seed;
        next();
    }

    std::uint32_t next() noexcept {
        const std::uint64_t old = state_;
        state_ = old * 6364136223846793005ULL + inc_;
        const auto xorshifted = static_cast<std::uint32_t>(((old >> 18u) ^ old) >> 27u);
        const auto rot = static_cast<std::uint32_t>(old >> 59u);
        return (xorshifted >> rot) | (xorshifted << ((32u - rot) & 31u));
    }

    // Uniform on the open interval (0, 1): the 24 high bits k give (k + 0.5) / 2^24,
    // exact in float and double, never 0 (a zero would lock a multiplicative update).
    double uniform_open() noexcept { return (static_cast<double>(next() >> 8u) + 0.5) * (1.0 / 16777216.0); }

private:
    std::uint64_t state_ = 0;
    std::uint64_t inc_;
};

}  // namespace detail
}  // namespace nmfkit
