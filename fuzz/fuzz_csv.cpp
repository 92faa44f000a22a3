// The CLI's CSV parser (every nan_cells mode, float and double) and its raw float32 reader.
// A parsed matrix must be rectangular and hold only what the mode allows; formatting it and
// parsing the text again must give the same values bit for bit.
#include <cmath>
#include <cstring>
#include <string_view>

#include "csv.hpp"
#include "fuzz_util.hpp"

namespace {

template <class T>
void csv(std::string_view text, cli::nan_cells mode) {
    cli::matrix<T> a;
    try {
        a = cli::parse_csv<T>(text, "X", mode);
    } catch (const cli::data_error&) {
        return;
    }
    FUZZ_CHECK(a.data.size() == a.rows * a.cols);
    for (const T v : a.data)
        FUZZ_CHECK(mode == cli::nan_cells::missing ? !(v < 0) && !std::isinf(v) : v >= 0 && std::isfinite(v));
    if (mode == cli::nan_cells::missing || a.rows == 0) return;  // format_csv writes no NaN cells
    const std::string again = cli::format_csv(a.data.data(), a.rows, a.cols);
    const cli::matrix<T> b = cli::parse_csv<T>(again, "X again", mode);
    FUZZ_CHECK(b.rows == a.rows && b.cols == a.cols);
    FUZZ_CHECK(std::memcmp(a.data.data(), b.data.data(), a.data.size() * sizeof(T)) == 0);
}

void raw(const std::uint8_t* data, std::size_t size) {
    fuzz::bytes in{data, size};
    const std::size_t rows = in.u8(), cols = in.u8();
    fuzz::temp_file f(in.p, in.n, ".f32");
    try {
        const cli::matrix<float> a = cli::read_raw_f32<float>(f.path, rows, cols);
        FUZZ_CHECK(a.rows == rows && a.cols == cols && a.data.size() == rows * cols && in.n == rows * cols * 4);
        FUZZ_CHECK(rows * cols == 0 || std::memcmp(a.data.data(), in.p, in.n) == 0);  // little-endian hosts
    } catch (const cli::data_error&) {
        FUZZ_CHECK(in.n != rows * cols * 4 || rows * cols == 0);
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) return 0;
    const std::uint8_t sel = data[0] % 7;
    const std::string_view text(reinterpret_cast<const char*>(data + 1), size - 1);
    const cli::nan_cells modes[3] = {cli::nan_cells::refuse, cli::nan_cells::refuse_with_hint, cli::nan_cells::missing};
    if (sel < 3) csv<float>(text, modes[sel]);
    else if (sel < 6) csv<double>(text, modes[sel - 3]);
    else raw(data + 1, size - 1);
    return 0;
}
