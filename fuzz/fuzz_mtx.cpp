// The CLI's Matrix Market reader (coordinate and array, every field and symmetry): a file it
// accepts gives a well-formed CSR matrix (offsets from 0 to nnz, never decreasing; column
// indices in range and strictly increasing within a row; finite values >= 0) or a dense one of
// the size line's shape, and read_mtx_info agrees with it.
#include <cmath>

#include "fuzz_util.hpp"
#include "mtx.hpp"

namespace {

template <class T>
void check_csr(const cli::csr<T>& a) {
    FUZZ_CHECK(a.indptr.size() == a.rows + 1);
    FUZZ_CHECK(a.indptr[0] == 0 && a.indptr[a.rows] == a.nnz());
    FUZZ_CHECK(a.values.empty() || a.values.size() == a.nnz());
    for (std::size_t i = 0; i < a.rows; ++i) {
        FUZZ_CHECK(a.indptr[i] <= a.indptr[i + 1]);
        for (std::uint64_t k = a.indptr[i]; k < a.indptr[i + 1]; ++k) {
            FUZZ_CHECK(a.indices[k] < a.cols);
            if (k > a.indptr[i]) FUZZ_CHECK(a.indices[k - 1] < a.indices[k]);
            if (!a.values.empty()) FUZZ_CHECK(a.values[k] >= 0 && std::isfinite(a.values[k]));
        }
    }
}

// Shapes the harness reads: a 100-byte file may declare 10^9 rows, whose CSR offsets alone the
// reader must (and does) allocate; that memory is the file's, not a bug, so the fuzzer skips it.
constexpr std::size_t k_most_rows = std::size_t(1) << 20, k_most_entries = std::size_t(1) << 22;

template <class T>
void read(const std::string& path) {
    try {
        const cli::mtx_info head = cli::read_mtx_info(path);
        if (head.rows > k_most_rows || head.cols > k_most_rows || head.entries > k_most_entries) return;
    } catch (const cli::data_error&) {  // read_mtx reports it too: its message is what is fuzzed
    }
    cli::mtx_matrix<T> a;
    try {
        a = cli::read_mtx<T>(path);
    } catch (const cli::data_error&) {
        return;
    }
    const cli::mtx_info info = cli::read_mtx_info(path);  // cannot fail where read_mtx did not
    FUZZ_CHECK(info.rows == a.info.rows && info.cols == a.info.cols && info.format == a.info.format);
    if (a.info.format == cli::mtx_format::coordinate) {
        FUZZ_CHECK(a.sparse.rows == info.rows && a.sparse.cols == info.cols);
        check_csr(a.sparse);
        if (info.rows * info.cols <= (1u << 16)) {
            const cli::matrix<T> d = cli::to_dense(a.sparse);
            FUZZ_CHECK(d.data.size() == info.rows * info.cols);
        }
    } else {
        FUZZ_CHECK(a.dense.rows == info.rows && a.dense.cols == info.cols);
        FUZZ_CHECK(a.dense.data.size() == info.rows * info.cols);
        for (const T v : a.dense.data) FUZZ_CHECK(v >= 0 && std::isfinite(v));
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) return 0;
    fuzz::temp_file f(data + 1, size - 1, ".mtx");
    if (data[0] & 1) read<double>(f.path);
    else read<float>(f.path);
    return 0;
}
