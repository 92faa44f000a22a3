// Which kernel set a build selects. Cross toolchain files (toolchains/*.cmake) set
// the CMake cache variable NMFKIT_EXPECT_KERNEL ("neon64" on aarch64, "neon" on
// armhf); tests/CMakeLists.txt builds this suite only then and passes the name in.
// A toolchain that loses its SIMD flags (xsimd finds no architecture, nmfkit falls
// back to the scalar kernels) fails here instead of passing silently, slower.
#include <doctest/doctest.h>

#include <cstddef>
#include <string>
#include <vector>

#include "kernels/kernels.hpp"
#include "nmfkit/nmfkit.hpp"

#ifndef NMFKIT_EXPECT_KERNEL
#error "test_arch.cpp needs NMFKIT_EXPECT_KERNEL (the expected kernel set name)"
#endif

TEST_CASE("the expected SIMD kernel set is the default for float") {
    const std::string expected = NMFKIT_EXPECT_KERNEL;
    MESSAGE("default kernel set: " << nmfkit::default_kernel_name<float>());
    CHECK(std::string(nmfkit::default_kernel_name<float>()) == expected);
    CHECK(std::string(nmfkit::detail::best_kernels<float>().name) == expected);

    std::size_t count = 0;
    const auto* const* sets = nmfkit::detail::available_kernels<float>(count);
    REQUIRE(count >= 1);
    CHECK(std::string(sets[count - 1]->name) == "scalar");
    if (expected != "scalar") CHECK(count >= 2);
}

TEST_CASE("a fit with kernel_choice::automatic runs on the expected kernel set") {
    const std::size_t n = 8, m = 6, r = 2;
    std::vector<float> X(n * m), W(n * r), H(r * m);
    for (std::size_t i = 0; i < X.size(); ++i) X[i] = static_cast<float>(i % 5) + 0.5f;
    nmfkit::options opt;
    opt.rank = r;
    opt.max_iter = 5;
    opt.seed = 7;
    std::size_t bytes = 0;
    REQUIRE(nmfkit::workspace_size<float>(n, m, opt, bytes) == nmfkit::status::ok);
    std::vector<unsigned char> ws(bytes + nmfkit::workspace_alignment);
    nmfkit::solver<float> s;
    nmfkit::result res;
    REQUIRE(s.start({X.data(), n, m}, {W.data(), n, r}, {H.data(), r, m}, opt,
                    nmfkit::align_workspace(ws.data(), ws.size()), bytes, res) == nmfkit::status::ok);
    CHECK(std::string(s.kernel_name()) == std::string(NMFKIT_EXPECT_KERNEL));
}
