// The CLI's matrix file readers and writers: Matrix Market (.mtx) into CSR or dense,
// .npy read and written. Every malformed file has its own message naming the file (and
// the line for .mtx). The files are written by the tests into a temporary folder.
#include <doctest/doctest.h>

#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "csv.hpp"
#include "mtx.hpp"
#include "npy.hpp"
#include "test_util.hpp"

namespace {

// A scratch folder removed at exit with the files the tests wrote into it.
struct scratch {
    std::string dir;
    std::vector<std::string> files;
    scratch() {
        std::string tmpl = (std::getenv("TMPDIR") ? std::string(std::getenv("TMPDIR")) : std::string("/tmp")) +
                           "/nmfkit_readers.XXXXXX";
        std::vector<char> buf(tmpl.begin(), tmpl.end());
        buf.push_back('\0');
        REQUIRE(::mkdtemp(buf.data()) != nullptr);
        dir = buf.data();
    }
    ~scratch() {
        for (const std::string& f : files) std::remove(f.c_str());
        ::rmdir(dir.c_str());
    }
};

scratch& tmp() {
    static scratch s;
    return s;
}

// Writes `content` to the scratch file `name` and returns its path.
std::string write_file(const std::string& name, const std::string& content) {
    const std::string path = tmp().dir + "/" + name;
    std::FILE* f = std::fopen(path.c_str(), "wb");
    REQUIRE(f != nullptr);
    REQUIRE(std::fwrite(content.data(), 1, content.size(), f) == content.size());
    REQUIRE(std::fclose(f) == 0);
    if (std::find(tmp().files.begin(), tmp().files.end(), path) == tmp().files.end()) tmp().files.push_back(path);
    return path;
}

// The message of the data_error that f() throws ("" if it throws none).
template <class F>
std::string error_of(F&& f) {
    try {
        f();
    } catch (const cli::data_error& e) {
        return e.what();
    }
    return "";
}

// The message reading `content` as a .mtx file gives; it must name the file.
std::string mtx_error(const std::string& content) {
    const std::string path = write_file("bad.mtx", content);
    const std::string msg = error_of([&] { cli::read_mtx<float>(path); });
    CHECK_MESSAGE(msg.rfind(path + ": ", 0) == 0, msg);
    return msg;
}

bool has(const std::string& msg, const std::string& part) { return msg.find(part) != std::string::npos; }

const std::string k_coo = "%%MatrixMarket matrix coordinate real general\n";

}  // namespace

TEST_CASE("mtx coordinate: any order, comments and blank lines anywhere, CRLF") {
    const std::string text =
        "%%MatrixMarket matrix coordinate real general\r\n"
        "% a comment\r\n"
        "\r\n"
        "3 4 5\r\n"
        "3 1 7.5\r\n"
        "% between entries\r\n"
        "1 4 2\r\n"
        "\r\n"
        "1 2   0.25\r\n"
        "  2\t3 0\r\n"  // a stored zero is kept
        "3 4 1e-3";     // no line end after the last entry
    const auto mm = cli::read_mtx<float>(write_file("a.mtx", text));
    CHECK(mm.info.format == cli::mtx_format::coordinate);
    const cli::csr<float>& a = mm.sparse;
    CHECK(a.rows == 3);
    CHECK(a.cols == 4);
    CHECK(a.indptr == std::vector<std::uint64_t>{0, 2, 3, 5});
    CHECK(a.indices == std::vector<std::uint32_t>{1, 3, 2, 0, 3});
    CHECK(a.values == std::vector<float>{0.25f, 2.f, 0.f, 7.5f, 1e-3f});
    const cli::matrix<float> d = cli::to_dense(a);
    CHECK(d.data == std::vector<float>{0, 0.25f, 0, 2, 0, 0, 0, 0, 7.5f, 0, 0, 1e-3f});
}

TEST_CASE("mtx coordinate: header keywords in any case, integer and pattern fields, empty rows") {
    const auto i = cli::read_mtx<double>(
        write_file("i.mtx", "%%matrixmarket MATRIX Coordinate INTEGER General\n4 2 2\n4 2 +3\n1 1 12\n"));
    CHECK(i.sparse.indptr == std::vector<std::uint64_t>{0, 1, 1, 1, 2});
    CHECK(i.sparse.indices == std::vector<std::uint32_t>{0, 1});
    CHECK(i.sparse.values == std::vector<double>{12, 3});
    const auto p = cli::read_mtx<float>(write_file("p.mtx",
                                                   "%%MatrixMarket matrix coordinate pattern general\n"
                                                   "2 3 2\n2 3\n1 1\n"));
    CHECK(p.info.field == cli::mtx_field::pattern);
    CHECK(p.sparse.indices == std::vector<std::uint32_t>{0, 2});
    CHECK(p.sparse.nnz() == 2);
    CHECK(p.sparse.values.empty());  // every stored value is 1: the library takes values = nullptr
    CHECK(p.sparse.values_or_null() == nullptr);
    CHECK(cli::to_dense(p.sparse).data == std::vector<float>{1, 0, 0, 0, 0, 1});
    const auto z = cli::read_mtx<float>(write_file("z.mtx", k_coo + "2 2 0\n"));
    CHECK(z.sparse.indptr == std::vector<std::uint64_t>{0, 0, 0});
    CHECK(z.sparse.nnz() == 0);
}

TEST_CASE("mtx coordinate symmetric: the lower triangle is mirrored") {
    const auto s = cli::read_mtx<float>(write_file("s.mtx",
                                                   "%%MatrixMarket matrix coordinate real symmetric\n"
                                                   "3 3 3\n2 1 5\n3 3 1\n3 2 4\n"));
    CHECK(s.sparse.indptr == std::vector<std::uint64_t>{0, 1, 3, 5});
    CHECK(s.sparse.indices == std::vector<std::uint32_t>{1, 0, 2, 1, 2});
    CHECK(s.sparse.values == std::vector<float>{5, 5, 4, 4, 1});
    const auto p = cli::read_mtx<double>(write_file("sp.mtx",
                                                    "%%MatrixMarket matrix coordinate pattern symmetric\n"
                                                    "2 2 2\n1 1\n2 1\n"));
    CHECK(cli::to_dense(p.sparse).data == std::vector<double>{1, 1, 1, 0});
}

TEST_CASE("mtx coordinate: a random matrix in random order equals its dense reference") {
    testutil::splitmix rng(7);
    const std::size_t n = 57, m = 33;
    std::vector<double> ref(n * m, 0.0);
    std::vector<std::pair<std::size_t, std::size_t>> cells;
    for (std::size_t i = 0; i < n; ++i)
        for (std::size_t j = 0; j < m; ++j)
            if (rng.uniform() < 0.2) cells.emplace_back(i, j);
    for (std::size_t k = cells.size(); k > 1; --k) std::swap(cells[k - 1], cells[rng.below(k)]);
    std::string text = k_coo + std::to_string(n) + " " + std::to_string(m) + " " + std::to_string(cells.size()) + "\n";
    for (const auto& [i, j] : cells) {
        const double v = double(1 + rng.below(1000)) / 8;  // exact in binary
        ref[i * m + j] = v;
        text += std::to_string(i + 1) + " " + std::to_string(j + 1) + " " + std::to_string(v) + "\n";
    }
    const auto mm = cli::read_mtx<double>(write_file("r.mtx", text));
    const cli::csr<double>& a = mm.sparse;
    REQUIRE(a.nnz() == cells.size());
    CHECK(a.indptr.size() == n + 1);
    CHECK(a.indptr.back() == cells.size());
    for (std::size_t i = 0; i < n; ++i)
        for (std::uint64_t k = a.indptr[i] + 1; k < a.indptr[i + 1]; ++k) CHECK(a.indices[k - 1] < a.indices[k]);
    CHECK(cli::to_dense(a).data == ref);
}

TEST_CASE("mtx coordinate into CSR: rows in any order sorted by column, symmetric rows filled from both triangles") {
    // Row 2's entries arrive out of order and interleaved with the other rows'.
    const auto g = cli::read_mtx<double>(write_file("u.mtx", k_coo +
                                                                 "3 6 7\n"
                                                                 "2 6 1\n1 3 2\n2 1 3\n3 2 4\n2 4 5\n2 2 6\n1 1 7\n"));
    CHECK(g.sparse.indptr == std::vector<std::uint64_t>{0, 2, 6, 7});
    CHECK(g.sparse.indices == std::vector<std::uint32_t>{0, 2, 0, 1, 3, 5, 1});
    CHECK(g.sparse.values == std::vector<double>{7, 2, 3, 6, 5, 1, 4});
    // A symmetric file in scipy's order (column by column): row 4 gets its entries from
    // column 4 of the lower triangle (stored) and row 4 of it (mirrored).
    const auto s = cli::read_mtx<float>(write_file("sym.mtx",
                                                   "%%MatrixMarket matrix coordinate integer symmetric\n"
                                                   "4 4 6\n1 1 1\n3 1 2\n4 1 3\n2 2 4\n4 2 5\n4 4 6\n"));
    CHECK(s.sparse.indptr == std::vector<std::uint64_t>{0, 3, 5, 6, 9});
    CHECK(s.sparse.indices == std::vector<std::uint32_t>{0, 2, 3, 1, 3, 0, 0, 1, 3});
    CHECK(s.sparse.values == std::vector<float>{1, 2, 3, 4, 5, 2, 3, 5, 6});
}

TEST_CASE("mtx coordinate: a symmetric random matrix equals its dense reference; pattern equals all-ones values") {
    testutil::splitmix rng(11);
    const std::size_t n = 40;
    std::vector<float> ref(n * n, 0.f);
    std::string text, pattern_text;
    std::size_t count = 0;
    for (std::size_t j = 0; j < n; ++j)
        for (std::size_t i = j; i < n; ++i) {
            if (rng.uniform() >= 0.15) continue;
            const float v = float(1 + rng.below(50));
            ref[i * n + j] = ref[j * n + i] = v;
            text += std::to_string(i + 1) + " " + std::to_string(j + 1) + " " + std::to_string(int(v)) + "\n";
            pattern_text += std::to_string(i + 1) + " " + std::to_string(j + 1) + "\n";
            ++count;
        }
    const std::string size = std::to_string(n) + " " + std::to_string(n) + " " + std::to_string(count) + "\n";
    const auto s = cli::read_mtx<float>(write_file("rs.mtx",
                                                   "%%MatrixMarket matrix coordinate real symmetric\n" + size + text));
    CHECK(cli::to_dense(s.sparse).data == ref);
    const auto p = cli::read_mtx<float>(write_file("rp.mtx", "%%MatrixMarket matrix coordinate pattern symmetric\n" +
                                                                 size + pattern_text));
    CHECK(p.sparse.indptr == s.sparse.indptr);
    CHECK(p.sparse.indices == s.sparse.indices);
    CHECK(p.sparse.values.empty());
}

TEST_CASE("mtx array: column-major general and symmetric into row-major") {
    const auto g = cli::read_mtx<float>(write_file("g.mtx",
                                                   "%%MatrixMarket matrix array real general\n"
                                                   "% comment\n2 3\n1\n2\n\n3\n4\n5\n% end\n6\n"));
    CHECK(g.info.format == cli::mtx_format::array);
    CHECK(g.dense.rows == 2);
    CHECK(g.dense.cols == 3);
    CHECK(g.dense.data == std::vector<float>{1, 3, 5, 2, 4, 6});
    const auto s = cli::read_mtx<double>(write_file("gs.mtx",
                                                    "%%MatrixMarket matrix array integer symmetric\r\n"
                                                    "3 3\r\n1\r\n2\r\n3\r\n4\r\n5\r\n6\r\n"));
    CHECK(s.dense.data == std::vector<double>{1, 2, 3, 2, 4, 5, 3, 5, 6});
    const cli::mtx_info info = cli::read_mtx_info(write_file("gi.mtx",
                                                             "%%MatrixMarket matrix array real general\n"
                                                             "7 9\n"));
    CHECK(info.rows == 7);
    CHECK(info.cols == 9);
    CHECK(info.entries == 63);
    CHECK(info.size_line == 2);
}

TEST_CASE("mtx: each malformed header or size line has its own message") {
    CHECK(has(mtx_error(""), "file is empty"));
    CHECK(has(mtx_error("1 2 3\n"), "line 1: not a Matrix Market file"));
    CHECK(has(mtx_error("%%MatrixMarket matrix coordinate real\n"), "line 1: incomplete header"));
    CHECK(has(mtx_error("%%MatrixMarket matrix coordinate real general extra\n"), "line 1: unexpected 'extra'"));
    CHECK(has(mtx_error("%%MatrixMarket vector coordinate real general\n"), "unsupported object 'vector'"));
    CHECK(has(mtx_error("%%MatrixMarket matrix sparse real general\n"), "unsupported format 'sparse'"));
    CHECK(has(mtx_error("%%MatrixMarket matrix coordinate complex general\n"), "unsupported field 'complex'"));
    CHECK(has(mtx_error("%%MatrixMarket matrix array pattern general\n"), "array format cannot have the field"));
    CHECK(has(mtx_error("%%MatrixMarket matrix coordinate real hermitian\n"), "unsupported symmetry 'hermitian'"));
    CHECK(has(mtx_error("%%MatrixMarket matrix coordinate real skew-symmetric\n"),
              "unsupported symmetry 'skew-symmetric'"));
    CHECK(has(mtx_error(k_coo + "% only comments\n\n"), "line 3: the file ends before the size line"));
    CHECK(has(mtx_error(k_coo + "3 4\n"), "line 2: bad size line '3 4'"));
    CHECK(has(mtx_error(k_coo + "3 x 4\n"), "line 2: bad size line"));
    CHECK(has(mtx_error(k_coo + "3 -4 1\n"), "line 2: bad size line"));
    CHECK(has(mtx_error(k_coo + "3 4 1 9\n"), "line 2: unexpected '9' after the size line"));
    CHECK(has(mtx_error("%%MatrixMarket matrix array real general\n3 4 5\n"),
              "line 2: unexpected '5' after the size line's 'ROWS COLS'"));
    CHECK(has(mtx_error(k_coo + "0 4 0\n"), "line 2: the size line gives a 0x4 matrix"));
    CHECK(has(mtx_error(k_coo + "4294967296 1 1\n"), "more than 4294967295 rows or columns"));
    CHECK(has(mtx_error("%%MatrixMarket matrix coordinate real symmetric\n3 4 1\n"),
              "line 2: a symmetric matrix must be square"));
    CHECK(has(mtx_error(k_coo + "2 2 5\n"), "line 2: the size line says 5 entries, more than the 4 cells"));
}

TEST_CASE("mtx: each malformed entry has its own message with its line") {
    CHECK(has(mtx_error(k_coo + "3 4 1\n0 1 1\n"), "line 3, field 1: row index 0: Matrix Market indices start at 1"));
    CHECK(has(mtx_error(k_coo + "3 4 1\n1 0 1\n"), "line 3, field 2: column index 0"));
    CHECK(has(mtx_error(k_coo + "3 4 1\n4 1 1\n"),
              "line 3, field 1: row index 4 is beyond the 3 rows of the size line (line 2)"));
    CHECK(has(mtx_error(k_coo + "3 4 1\n1 5 1\n"), "line 3, field 2: column index 5 is beyond the 4 columns"));
    CHECK(has(mtx_error(k_coo + "3 4 1\n1.5 1 1\n"), "line 3, field 1: row index '1.5' is not an integer"));
    CHECK(has(mtx_error(k_coo + "3 4 1\n-1 1 1\n"), "line 3, field 1: row index '-1'"));
    CHECK(has(mtx_error(k_coo + "3 4 1\n1 1\n"), "line 3: expected an entry 'ROW COL VALUE', got '1 1'"));
    CHECK(has(mtx_error(k_coo + "3 4 1\n1 1 1 junk\n"), "line 3: unexpected 'junk' after the entry"));
    CHECK(has(mtx_error("%%MatrixMarket matrix coordinate pattern general\n3 4 1\n1 1 1\n"),
              "line 3: unexpected '1' after the entry (expected 'ROW COL')"));
    CHECK(has(mtx_error(k_coo + "3 4 1\n1 1 -2\n"), "line 3, field 3: negative value '-2'"));
    CHECK(has(mtx_error(k_coo + "3 4 1\n1 1 inf\n"), "line 3, field 3: not a finite number: 'inf'"));
    CHECK(has(mtx_error(k_coo + "3 4 1\n1 1 nan\n"), "line 3, field 3: not a finite number: 'nan'"));
    CHECK(has(mtx_error(k_coo + "3 4 1\n1 1 abc\n"), "line 3, field 3: not a number: 'abc'"));
    CHECK(has(mtx_error(k_coo + "3 4 1\n1 1 1e99\n"), "line 3, field 3: value '1e99' is too large for f32"));
    CHECK(has(mtx_error("%%MatrixMarket matrix coordinate integer general\n3 4 1\n1 1 1.5\n"),
              "line 3, field 3: not an integer: '1.5' (the header says integer)"));
    CHECK(has(mtx_error("%%MatrixMarket matrix coordinate integer general\n3 4 1\n1 1 -1\n"),
              "line 3, field 3: negative value '-1'"));
    CHECK(has(mtx_error("%%MatrixMarket matrix coordinate real symmetric\n3 3 1\n1 2 1\n"),
              "line 3: entry (1, 2) is above the diagonal"));
    CHECK(has(mtx_error(k_coo + "3 4 3\n1 1 1\n% c\n2 2 2\n"),
              ": the file ends after 2 of the 3 entries the size line (line 2) announces"));
    CHECK(has(mtx_error(k_coo + "3 4 1\n1 1 1\n\n2 2 2\n"),
              "line 5: more entries than the 1 of the size line (line 2)"));
    CHECK(has(mtx_error(k_coo + "3 4 3\n2 2 1\n1 3 1\n% c\n2 2 5\n"),
              "line 6: duplicate entry (2, 2), already on line 3 (Matrix Market does not define duplicates"));
    CHECK(has(mtx_error("%%MatrixMarket matrix coordinate real symmetric\n3 3 3\n3 1 1\n2 2 1\n3 1 2\n"),
              "line 5: duplicate entry (3, 1), already on line 3"));
    CHECK(has(mtx_error("%%MatrixMarket matrix coordinate pattern general\n3 4 3\n3 4\n1 1\n3 4\n"),
              "line 5: duplicate entry (3, 4), already on line 3"));
    CHECK(has(mtx_error(k_coo + "3 4 2\n2 3 1\n2 3 1\n"), "line 4: duplicate entry (2, 3), already on line 3"));
    CHECK(has(mtx_error(k_coo + "3 4 2\n1 1 1\n2 1 2\n9 9 9\n"), "line 5: more entries than the 2"));
    CHECK(has(mtx_error(k_coo + "3 4 1\n1 1 1e\n"), "line 3, field 3: not a number: '1e'"));
    CHECK(has(mtx_error(k_coo + "3 4 1\n 1 \t 99999999999999999999999 1\n"),
              "line 3, field 2: column index '99999999"));
    const std::string arr = "%%MatrixMarket matrix array real general\n2 2\n";
    CHECK(has(mtx_error(arr + "1\n2\n3\n"), "the file ends after 3 of the 4 entries"));
    CHECK(has(mtx_error(arr + "1\n2\n3\n4\n5\n"), "line 7: more entries than the 4 of the size line"));
    CHECK(has(mtx_error(arr + "1\n2\n3 4\n"), "line 5: unexpected '4' after the value"));
    CHECK(has(mtx_error(arr + "1\n-2\n3\n4\n"), "line 4, field 1: negative value '-2'"));
    // A size line announcing far more than the file holds: counted, not allocated.
    CHECK(has(mtx_error("%%MatrixMarket matrix array real general\n100000 100000\n1\n"),
              "the file ends after 1 of the 10000000000 entries"));
    CHECK(has(mtx_error(k_coo + "100000 100000 1000000000\n1 1 1\n"), "the file ends after 1 of the 1000000000"));
}

TEST_CASE("csv: empty and nan cells are missing entries (NaN) only when asked; the refusal names line and column") {
    const std::string text = "1,nan,3\n,NaN,0\n4, NAN ,\n";
    const auto x = cli::parse_csv<double>(text, "x.csv", cli::nan_cells::missing);
    REQUIRE(x.rows == 3);
    REQUIRE(x.cols == 3);
    const bool missing[9] = {false, true, false, true, true, false, false, true, true};
    for (std::size_t k = 0; k < 9; ++k) CHECK_MESSAGE(std::isnan(x.data[k]) == missing[k], k);
    CHECK(x.data[0] == 1);
    CHECK(x.data[5] == 0);
    CHECK(x.data[6] == 4);
    const auto msg = [](const std::string& t, cli::nan_cells nan) {
        return error_of([&] { cli::parse_csv<float>(t, "x.csv", nan); });
    };
    CHECK(msg(text, cli::nan_cells::refuse) == "x.csv: line 1, column 2: not a finite number: 'nan'");
    CHECK(msg("1,2\n,3\n", cli::nan_cells::refuse) == "x.csv: line 2, column 1: empty cell");
    CHECK(msg("1,2\n,3\n", cli::nan_cells::refuse_with_hint) ==
          "x.csv: line 2, column 1: empty cell (a missing entry of X needs --missing nan)");
    CHECK(msg("1,NaN\n", cli::nan_cells::refuse_with_hint) ==
          "x.csv: line 1, column 2: not a finite number: 'NaN' (a missing entry of X needs --missing nan)");
    // Other text, negative and infinite values stay errors under --missing nan.
    CHECK(msg("1,nana\n", cli::nan_cells::missing) == "x.csv: line 1, column 2: not a number: 'nana'");
    CHECK(msg("1,-1\n", cli::nan_cells::missing) == "x.csv: line 1, column 2: negative value '-1'");
    CHECK(msg("inf,1\n", cli::nan_cells::missing) == "x.csv: line 1, column 1: not a finite number: 'inf'");
    // A blank line is not a row of one missing cell.
    CHECK(msg("1,2\n\n3,4\n", cli::nan_cells::missing) ==
          "x.csv: line 2 is empty (blank lines are allowed only at the end)");
}

namespace {

// A .npy file: magic, version, header length (2 bytes for 1.0, 4 otherwise), header, data.
std::string npy_bytes(int major, const std::string& header, const std::string& data) {
    std::string out = "\x93NUMPY";
    out += char(major);
    out += '\0';
    const std::size_t len = header.size();
    out += char(len & 0xFF);
    out += char((len >> 8) & 0xFF);
    if (major != 1) {
        out += char((len >> 16) & 0xFF);
        out += char((len >> 24) & 0xFF);
    }
    return out + header + data;
}

template <class U>
std::string raw_bytes(const std::vector<U>& v, bool big_endian) {
    std::string out(v.size() * sizeof(U), '\0');
    std::memcpy(out.data(), v.data(), out.size());
    if (big_endian)
        for (std::size_t k = 0; k < out.size(); k += sizeof(U))
            std::reverse(out.begin() + k, out.begin() + k + sizeof(U));
    return out;
}

std::string dict(const std::string& descr, bool fortran, const std::string& shape) {
    return "{'descr': '" + descr + "', 'fortran_order': " + (fortran ? "True" : "False") + ", 'shape': " + shape +
           ", }\n";
}

std::string npy_error(const std::string& content) {
    const std::string path = write_file("bad.npy", content);
    const std::string msg = error_of([&] { cli::read_npy<float>(path); });
    CHECK_MESSAGE(msg.rfind(path + ": ", 0) == 0, msg);
    return msg;
}

}  // namespace

// The matrix `text` reads as, flattened: rows, cols, then the values.
std::vector<double> csv_cells(const std::string& text, cli::csv_layout layout = {}) {
    const auto x = cli::parse_csv<double>(text, "x.csv", cli::nan_cells::refuse, layout);
    std::vector<double> out{double(x.rows), double(x.cols)};
    out.insert(out.end(), x.data.begin(), x.data.end());
    return out;
}

TEST_CASE("csv: the delimiter is detected from the first data line: comma, tab, semicolon, runs of spaces") {
    const std::vector<double> want{2, 3, 1, 2.5, 3, 4, 5, 6};
    CHECK(csv_cells("1,2.5,3\n4,5,6\n") == want);
    CHECK(csv_cells("1\t2.5\t3\n4\t5\t6\n") == want);
    CHECK(csv_cells("1;2.5;3\r\n4;5;6\r\n") == want);
    CHECK(csv_cells("  1 2.5    3\n4\t5 6  \n") == want);
    CHECK(csv_cells("1, 2.5,\t3\n4 ,5 , 6\n") == want);  // blanks around comma-separated cells
    CHECK(csv_cells("\xEF\xBB\xBF"
                    "1;2.5;3\n4;5;6\n") == want);
    CHECK(csv_cells("7\n8\n") == std::vector<double>{2, 1, 7, 8});
    // Given, the delimiter is used as is.
    cli::csv_layout tabs;
    tabs.delim = cli::delimiter::tab;
    CHECK(csv_cells("1\t2.5\t3\n4\t5\t6\n", tabs) == want);
    CHECK(has(error_of([&] { csv_cells("1;2\n3;4\n", tabs); }), "x.csv: line 1, column 1: not a number: '1;2'"));
    // A line that no delimiter splits into numbers: the error names the bad cell of the likely split.
    CHECK(error_of([] { csv_cells("1;2;x\n"); }) == "x.csv: line 1, column 3: not a number: 'x'");
    CHECK(error_of([] { csv_cells("1 2 x\n"); }) == "x.csv: line 1, column 3: not a number: 'x'");
    // A later line is split like the first; a different delimiter there is a bad cell.
    CHECK(error_of([] { csv_cells("1,2\n3;4\n"); }) == "x.csv: line 2, column 1: not a number: '3;4'");
}

TEST_CASE("csv: a header line is detected, skipped and its names kept; its mistakes have their own messages") {
    const auto x = cli::parse_csv<float>("a,\"b, c\",\"2019\"\n1,2,3\n", "x.csv");
    CHECK(x.rows == 1);
    CHECK(x.cols == 3);
    CHECK(x.column_names == std::vector<std::string>{"a", "b, c", "2019"});
    const auto t = cli::parse_csv<float>("gene one\tgene two\n1\t2\n3\t4\n", "x.tsv");
    CHECK(t.rows == 2);
    CHECK(t.column_names == std::vector<std::string>{"gene one", "gene two"});
    const auto w = cli::parse_csv<float>("a b\n1 2\n", "x.txt");
    CHECK(w.column_names == std::vector<std::string>{"a", "b"});
    CHECK(cli::parse_csv<float>("1,2\n3,4\n", "x.csv").column_names.empty());
    // Numbers on the first line are data unless --header says otherwise.
    cli::csv_layout given;
    given.header = cli::header_line::present;
    const auto n = cli::parse_csv<float>("1,2\n3,4\n", "x.csv", cli::nan_cells::refuse, given);
    CHECK(n.rows == 1);
    CHECK(n.column_names == std::vector<std::string>{"1", "2"});
    cli::csv_layout none;
    none.header = cli::header_line::absent;
    CHECK(error_of([&] { cli::parse_csv<float>("a,b\n1,2\n", "x.csv", cli::nan_cells::refuse, none); }) ==
          "x.csv: line 1, column 1: not a number: 'a'");
    CHECK(error_of([] { cli::parse_csv<float>("a,b\n1,2,3\n", "x.csv"); }) ==
          "x.csv: the header (line 1) has 2 names, but line 2 has 3 columns");
    CHECK(error_of([] { cli::parse_csv<float>("a,b\n", "x.csv"); }) ==
          "x.csv: a header line, but no rows of numbers after it");
    CHECK(error_of([] { cli::parse_csv<float>("a,b\n1,2\n3\n", "x.csv"); }) ==
          "x.csv: line 3 has 1 column, expected 2 (as on line 2)");
    // Mostly names and a number: not taken as a header, but the message suggests --header.
    CHECK(error_of([] { cli::parse_csv<float>("a,b,3\n1,2,3\n", "x.csv"); }) ==
          "x.csv: line 1, column 1: not a number: 'a' (if line 1 holds column names, give --header)");
}

TEST_CASE("csv: format_csv's header and tab output read back as the same names and values") {
    const float v[6] = {1.5f, 0, 3, 4, 5e-8f, 6};
    const std::vector<std::string> names{"plain", "with, comma", "12", "q\"uote", "", " pad"};
    const std::vector<std::string> three{names[0], names[1], names[2]};
    for (const char d : {',', '\t'}) {
        const std::string text = cli::format_csv(v, 2, 3, d, &three);
        const auto back = cli::parse_csv<float>(text, "x.csv");
        CHECK(back.column_names == three);
        CHECK(back.data == std::vector<float>(v, v + 6));
    }
    CHECK(cli::format_csv(v, 1, 6, ',', &names).substr(0, 44) ==
          "plain,\"with, comma\",\"12\",\"q\"\"uote\",\"\",\" pad\"");
    const auto back = cli::parse_csv<float>(cli::format_csv(v, 1, 6, ',', &names), "x.csv");
    CHECK(back.column_names == names);
    CHECK(cli::format_csv(v, 2, 3, '\t') == "1.5\t0\t3\n4\t5e-08\t6\n");
}

TEST_CASE("messages escape the bytes of a bad cell: no control byte, ANSI escape or NUL reaches the terminal") {
    CHECK(cli::quoted(std::string("a\x1b[31mb\0c\\d\x9b", 12)) == "'a\\x1b[31mb\\x00c\\x5cd\\x9b'");
    CHECK(cli::quoted(std::string(50, 'x')) == "'" + std::string(40, 'x') + "...'");
    const std::string msg = error_of([] { cli::parse_csv<float>(std::string("1,\x1b]0;t\x07\n", 8), "x.csv"); });
    CHECK(msg == "x.csv: line 1, column 2: not a number: '\\x1b]0;t\\x07'");
}

TEST_CASE("raw float32: a wrong size is reported before allocating; the values are read little-endian") {
    const unsigned char bytes[8] = {0, 0, 0x80, 0x3f, 0, 0, 0, 0x40};  // 1.0f, 2.0f
    const std::string path = write_file("x.f32", std::string(reinterpret_cast<const char*>(bytes), 8));
    const auto x = cli::read_raw_f32<double>(path, 1, 2);
    CHECK(x.data == std::vector<double>{1, 2});
    // A shape of 4 TB on an 8-byte file: a size error, not an allocation failure.
    if (sizeof(std::size_t) >= 8)  // 4e12 bytes do not fit a 32-bit size_t: that is the next check's case
        CHECK(error_of([&] { cli::read_raw_f32<float>(path, 1000000, 1000000); }) ==
              path +
                  ": has 8 bytes, but a 1000000x1000000 float32 matrix (--shape 1000000x1000000) needs 4000000000000");
    CHECK(error_of([&] { cli::read_raw_f32<float>(path, 1, 1); }) ==
          path + ": has 8 bytes, but a 1x1 float32 matrix (--shape 1x1) needs 4");
    CHECK(has(error_of([&] { cli::read_raw_f32<float>(path, ~std::size_t(0), ~std::size_t(0)); }), "invalid shape"));
    CHECK(error_of([&] { cli::read_raw_f32<float>(write_file("empty.f32", ""), 1, 1); }) ==
          tmp().dir + "/empty.f32: file is empty");
}

TEST_CASE("npy: the writer's files read back exactly; the data starts at a multiple of 64") {
    testutil::splitmix rng(3);
    for (const auto& [n, m] : {std::pair<std::size_t, std::size_t>{1, 1}, {5, 3}, {17, 40}, {1000, 1}}) {
        std::vector<float> f(n * m);
        std::vector<double> d(n * m);
        for (std::size_t k = 0; k < n * m; ++k) d[k] = f[k] = float(rng.uniform());
        const std::string bf = cli::format_npy(f.data(), n, m), bd = cli::format_npy(d.data(), n, m);
        const std::size_t header = std::size_t(std::uint8_t(bf[8])) | std::size_t(std::uint8_t(bf[9])) << 8;
        CHECK((10 + header) % 64 == 0);
        CHECK(bf.size() == 10 + header + 4 * n * m);
        CHECK(bf[10 + header - 1] == '\n');
        const std::string start = "{'descr': '<f4', 'fortran_order': False, 'shape': (" + std::to_string(n) + ", " +
                                  std::to_string(m) + "), }";
        CHECK(bf.substr(10, start.size()) == start);
        CHECK(bd.substr(10, start.size()) == "{'descr': '<f8'" + start.substr(15));
        const auto rf = cli::read_npy<float>(write_file("rt_f.npy", bf));
        const auto rd = cli::read_npy<double>(write_file("rt_d.npy", bd));
        CHECK(rf.rows == n);
        CHECK(rf.cols == m);
        CHECK(rf.data == f);
        CHECK(rd.data == d);
        // float64 file into f32 and back: exact, the values are floats.
        CHECK(cli::read_npy<float>(write_file("rt_d.npy", bd)).data == f);
    }
}

TEST_CASE("npy: Fortran order, big-endian, versions 2.0 and 3.0, double-quoted keys") {
    const std::vector<float> cm = {1, 2, 3, 4, 5, 6};  // a 2x3 matrix, column-major
    const std::vector<float> rowmajor = {1, 3, 5, 2, 4, 6};
    CHECK(cli::read_npy<float>(write_file("f.npy", npy_bytes(1, dict("<f4", true, "(2, 3)"), raw_bytes(cm, false))))
              .data == rowmajor);
    const std::vector<double> cmd(cm.begin(), cm.end());
    const auto be = cli::read_npy<float>(write_file("be.npy",
                                                    npy_bytes(2, dict(">f8", true, "(2,3)"), raw_bytes(cmd, true))));
    CHECK(be.rows == 2);
    CHECK(be.cols == 3);
    CHECK(be.data == rowmajor);
    CHECK(cli::read_npy<double>(write_file("v3.npy", npy_bytes(3, dict(">f4", false, "(3, 2)"), raw_bytes(cm, true))))
              .data == cmd);
    const std::string dq = "{\"shape\": (1, 2), \"fortran_order\": False, \"descr\": \"<f4\"}";
    CHECK(cli::read_npy<float>(write_file("dq.npy", npy_bytes(1, dq, raw_bytes(std::vector<float>{7, 8}, false))))
              .data == std::vector<float>{7, 8});
}

TEST_CASE("npy: each malformed file has its own message") {
    const std::string two = raw_bytes(std::vector<float>{1, 2}, false);
    CHECK(has(npy_error(""), "not a .npy file"));
    CHECK(has(npy_error("PK\x03\x04 not numpy"), "not a .npy file"));
    std::string v4 = npy_bytes(1, dict("<f4", false, "(1, 2)"), two);
    v4[6] = 4;
    CHECK(has(npy_error(v4), "unsupported .npy format version 4.0"));
    std::string v11 = npy_bytes(1, dict("<f4", false, "(1, 2)"), two);
    v11[7] = 1;
    CHECK(has(npy_error(v11), "unsupported .npy format version 1.1"));
    CHECK(has(npy_error(npy_bytes(1, dict("<f4", false, "(1, 2)"), two).substr(0, 9)),
              "ends inside the .npy header length"));
    CHECK(has(npy_error(npy_bytes(1, dict("<f4", false, "(1, 2)"), "").substr(0, 30)), "the .npy header says it is"));
    CHECK(has(npy_error(npy_bytes(1, "[1, 2]\n", two)), ".npy header: the header is not a dict"));
    CHECK(has(npy_error(npy_bytes(1, "{'descr': '<f4', 'shape': (1, 2)}\n", two)),
              "the header has no 'fortran_order' key"));
    CHECK(has(npy_error(npy_bytes(1, "{'descr': '<f4', 'fortran_order': False}\n", two)), "no 'shape' key"));
    CHECK(has(npy_error(npy_bytes(1, "{'fortran_order': False, 'shape': (1, 2)}\n", two)), "no 'descr' key"));
    CHECK(has(npy_error(npy_bytes(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (1, 2), 'x': 1}", two)),
              "unexpected key 'x'"));
    CHECK(has(npy_error(npy_bytes(1, "{'descr': '<f4', 'descr': '<f4', 'fortran_order': False, 'shape': (1, 2)}", two)),
              "the key 'descr' appears twice"));
    CHECK(has(npy_error(npy_bytes(1, "{'descr': '<f4', 'fortran_order': 0, 'shape': (1, 2)}", two)),
              "'fortran_order' must be True or False"));
    CHECK(has(npy_error(npy_bytes(1, "{'descr': '<f4', 'fortran_order': False, 'shape': [1, 2]}", two)),
              "'shape' must be a tuple"));
    CHECK(has(npy_error(npy_bytes(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (1, 2)} x", two)),
              "unexpected 'x' after the dict"));
    CHECK(has(npy_error(npy_bytes(1, dict("<i8", false, "(1, 2)"), two + two)), "unsupported dtype '<i8'"));
    CHECK(has(npy_error(npy_bytes(1, dict("|u1", false, "(1, 2)"), "ab")), "unsupported dtype '|u1'"));
    CHECK(has(npy_error(npy_bytes(1, dict("<f4", false, "(2,)"), two)), "shape (2,) is not 2-D"));
    CHECK(has(npy_error(npy_bytes(1, dict("<f4", false, "(1, 1, 2)"), two)), "shape (1, 1, 2) is not 2-D"));
    CHECK(has(npy_error(npy_bytes(1, dict("<f4", false, "(0, 2)"), "")), "shape (0, 2) is empty"));
    CHECK(has(npy_error(npy_bytes(1, dict("<f4", false, "(2, 2)"), two)),
              "has 8 bytes of data, but shape (2, 2) of '<f4' needs 16 (the file is truncated)"));
    CHECK(has(npy_error(npy_bytes(1, dict("<f4", false, "(1, 2)"), two + "x")),
              "has 9 bytes of data, but shape (1, 2) of '<f4' needs 8 (trailing bytes after the data)"));
    // A huge shape in a small file: refused from the file size, nothing allocated.
    CHECK(has(npy_error(npy_bytes(1, dict("<f8", false, "(100000000, 100000000)"), two)), "the file is truncated"));
}
