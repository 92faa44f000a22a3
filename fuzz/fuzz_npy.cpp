// The CLI's .npy reader (versions 1-3, f4/f8 either endianness, C or Fortran order): an
// accepted file gives a matrix of its shape, and writing it with format_npy and reading that
// back gives the same values bit for bit.
#include <cstring>

#include "fuzz_util.hpp"
#include "npy.hpp"

namespace {

template <class T>
void read(const std::uint8_t* data, std::size_t size) {
    cli::matrix<T> a;
    {
        fuzz::temp_file f(data, size, ".npy");
        try {
            a = cli::read_npy<T>(f.path);
        } catch (const cli::data_error&) {
            return;
        }
    }
    FUZZ_CHECK(a.data.size() == a.rows * a.cols);
    FUZZ_CHECK(a.data.size() * 4 <= size);  // the size is checked against the file before allocating
    const std::string out = cli::format_npy(a.data.data(), a.rows, a.cols);
    fuzz::temp_file g(reinterpret_cast<const std::uint8_t*>(out.data()), out.size(), ".npy");
    const cli::matrix<T> b = cli::read_npy<T>(g.path);
    FUZZ_CHECK(b.rows == a.rows && b.cols == a.cols);
    FUZZ_CHECK(a.data.empty() || std::memcmp(a.data.data(), b.data.data(), a.data.size() * sizeof(T)) == 0);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) return 0;
    if (data[0] & 1) read<double>(data + 1, size - 1);
    else read<float>(data + 1, size - 1);
    return 0;
}
