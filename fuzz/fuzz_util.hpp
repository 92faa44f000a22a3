// Shared by the fuzz targets: a reader over the fuzzer's bytes, a check that aborts (so
// libFuzzer records the input), and a temporary file for the path-based readers.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <unistd.h>

namespace fuzz {

// Aborts with a message: libFuzzer saves the input as a crash.
#define FUZZ_CHECK(cond)                                                                  \
    do {                                                                                  \
        if (!(cond)) {                                                                    \
            std::fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
            std::abort();                                                                 \
        }                                                                                 \
    } while (0)

// Takes values off the front of the input; past the end everything reads as 0.
struct bytes {
    const std::uint8_t* p;
    std::size_t n;
    std::uint8_t u8() {
        if (n == 0) return 0;
        --n;
        return *p++;
    }
    std::uint32_t u32() {
        std::uint32_t v = 0;
        for (int i = 0; i < 4; ++i) v |= std::uint32_t(u8()) << (8 * i);
        return v;
    }
    std::uint64_t u64() { return u32() | (std::uint64_t(u32()) << 32); }
    double f64() {
        const std::uint64_t b = u64();
        double d;
        std::memcpy(&d, &b, sizeof d);
        return d;
    }
    std::size_t below(std::size_t k) { return k ? u8() % k : 0; }  // small choices
};

// A file holding `data`, named per process (libFuzzer may run jobs in parallel), removed
// when the object goes.
struct temp_file {
    std::string path;
    temp_file(const std::uint8_t* data, std::size_t size, const char* ext) {
        const char* dir = std::getenv("TMPDIR");
        path = std::string(dir && *dir ? dir : "/tmp") + "/nmfkit-fuzz-" + std::to_string(getpid()) + ext;
        std::FILE* f = std::fopen(path.c_str(), "wb");
        FUZZ_CHECK(f != nullptr);
        if (size) FUZZ_CHECK(std::fwrite(data, 1, size, f) == size);
        FUZZ_CHECK(std::fclose(f) == 0);
    }
    ~temp_file() { std::remove(path.c_str()); }
    temp_file(const temp_file&) = delete;
    temp_file& operator=(const temp_file&) = delete;
};

}  // namespace fuzz
