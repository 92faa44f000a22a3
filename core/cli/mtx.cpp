#include "mtx.hpp"

#include <sys/stat.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <limits>
#include <numeric>
#include <string_view>
#include <utility>

namespace cli {
namespace {

constexpr std::uint64_t k_max_dim = std::numeric_limits<std::uint32_t>::max();

// Reads a file line by line through a 64 KiB buffer: the file is never held whole.
class line_reader {
public:
    line_reader(const std::string& path, const std::string& name) : f_(open_input(path, name)), name_(name) {}

    // The next line without its '\n' (and a '\r' before it); false at the end of the file.
    // The view is valid until the next call.
    bool next(std::string_view& line) {
        for (;;) {
            const char* begin = buf_.data() + pos_;
            const void* nl = std::memchr(begin, '\n', end_ - pos_);
            if (nl || (eof_ && pos_ < end_)) {
                const std::size_t len = nl ? std::size_t(static_cast<const char*>(nl) - begin) : end_ - pos_;
                pos_ += nl ? len + 1 : len;
                consumed_ += nl ? len + 1 : len;
                line = std::string_view(begin, len);
                if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
                ++line_;
                return true;
            }
            if (eof_) return false;
            fill();
        }
    }

    std::size_t line_number() const { return line_; }
    std::uint64_t consumed() const { return consumed_; }  // bytes of the lines returned so far

private:
    static constexpr std::size_t k_max_line = std::size_t(1) << 20;

    void fill() {
        std::memmove(buf_.data(), buf_.data() + pos_, end_ - pos_);
        end_ -= pos_;
        pos_ = 0;
        if (end_ == buf_.size()) {
            if (buf_.size() >= k_max_line)
                throw data_error(name_ + ": line " + std::to_string(line_ + 1) +
                                 " is longer than 1 MiB (not a Matrix Market file?)");
            buf_.resize(buf_.size() * 2);
        }
        const std::size_t got = std::fread(buf_.data() + end_, 1, buf_.size() - end_, f_.get());
        end_ += got;
        if (got == 0) {
            if (std::ferror(f_.get())) throw data_error("cannot read " + name_ + ": " + std::strerror(errno));
            eof_ = true;
        }
    }

    file_ptr f_;
    std::string name_;
    std::vector<char> buf_ = std::vector<char>(std::size_t(1) << 16);
    std::size_t pos_ = 0, end_ = 0, line_ = 0;
    std::uint64_t consumed_ = 0;
    bool eof_ = false;
};

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r'; }

// Splits a line into at most `max` whitespace-separated tokens; returns how many it found
// (max + 1 if there are more: tok[max] is then the first extra one).
std::size_t split(std::string_view line, std::string_view* tok, std::size_t max) {
    std::size_t n = 0;
    std::size_t i = 0;
    while (n <= max) {
        while (i < line.size() && is_space(line[i])) ++i;
        if (i == line.size()) break;
        const std::size_t start = i;
        while (i < line.size() && !is_space(line[i])) ++i;
        tok[n++] = line.substr(start, i - start);
    }
    return n;
}

bool skipped(std::string_view line) {
    std::size_t i = 0;
    while (i < line.size() && is_space(line[i])) ++i;
    return i == line.size() || line[i] == '%';
}

bool iequals(std::string_view a, std::string_view b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
           });
}

// A token of digits only (no sign) as an unsigned number; false if it is not one or overflows.
bool parse_count(std::string_view t, std::uint64_t& v) {
    if (t.empty() || !std::all_of(t.begin(), t.end(), [](char c) { return c >= '0' && c <= '9'; })) return false;
    const auto [ptr, ec] = std::from_chars(t.data(), t.data() + t.size(), v);
    return ec == std::errc() && ptr == t.data() + t.size();
}

constexpr const char* k_header_form = "'%%MatrixMarket matrix coordinate|array real|integer|pattern general|symmetric'";

struct reader_state {
    std::string name;
    line_reader in;
    mtx_info info;
    std::uint64_t file_bytes = 0;

    reader_state(const std::string& path) : name(input_name(path)), in(path, name) {
        struct stat st {};
        if (::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode)) file_bytes = std::uint64_t(st.st_size);
    }

    [[noreturn]] void fail(const std::string& what) const {
        throw data_error(name + ": line " + std::to_string(in.line_number()) + ": " + what);
    }
    [[noreturn]] void fail_field(std::size_t field, const std::string& what) const {
        throw data_error(name + ": line " + std::to_string(in.line_number()) + ", field " + std::to_string(field) +
                         ": " + what);
    }

    // The next line that is neither blank nor a comment; false at the end of the file.
    bool next_data(std::string_view& line) {
        while (in.next(line))
            if (!skipped(line)) return true;
        return false;
    }

    void read_header() {
        std::string_view line;
        if (!in.next(line))
            throw data_error(name + ": file is empty (expected a Matrix Market header " + k_header_form + ")");
        if (line.substr(0, 3) == "\xEF\xBB\xBF") line.remove_prefix(3);
        std::string_view t[6];
        const std::size_t n = split(line, t, 5);
        if (n == 0 || !iequals(t[0], "%%MatrixMarket"))
            fail("not a Matrix Market file: expected the header " + std::string(k_header_form) + ", got " +
                 quoted(line));
        if (n < 5) fail("incomplete header " + quoted(line) + ": expected " + k_header_form);
        if (n > 5) fail("unexpected " + quoted(t[5]) + " after the header's symmetry " + quoted(t[4]));
        if (!iequals(t[1], "matrix")) fail("unsupported object " + quoted(t[1]) + " (nmfkit reads 'matrix')");
        if (iequals(t[2], "coordinate")) info.format = mtx_format::coordinate;
        else if (iequals(t[2], "array")) info.format = mtx_format::array;
        else fail("unsupported format " + quoted(t[2]) + " (nmfkit reads 'coordinate' or 'array')");
        if (iequals(t[3], "real")) info.field = mtx_field::real;
        else if (iequals(t[3], "integer")) info.field = mtx_field::integer;
        else if (iequals(t[3], "pattern") && info.format == mtx_format::coordinate) info.field = mtx_field::pattern;
        else if (iequals(t[3], "pattern")) fail("the array format cannot have the field 'pattern' (use coordinate)");
        else fail("unsupported field " + quoted(t[3]) + " (nmfkit reads real, integer or pattern)");
        if (iequals(t[4], "general")) info.symmetry = mtx_symmetry::general;
        else if (iequals(t[4], "symmetric")) info.symmetry = mtx_symmetry::symmetric;
        else fail("unsupported symmetry " + quoted(t[4]) + " (nmfkit reads general or symmetric)");
    }

    void read_size_line() {
        const bool coo = info.format == mtx_format::coordinate;
        const char* form = coo ? "'ROWS COLS ENTRIES' (coordinate format)" : "'ROWS COLS' (array format)";
        std::string_view line;
        if (!next_data(line)) fail("the file ends before the size line " + std::string(form));
        info.size_line = in.line_number();
        const std::size_t want = coo ? 3 : 2;
        std::string_view t[4];
        const std::size_t n = split(line, t, want);
        std::uint64_t v[3] = {0, 0, 0};
        bool good = n >= want;
        for (std::size_t k = 0; good && k < want; ++k) good = parse_count(t[k], v[k]);
        if (!good) fail("bad size line " + quoted(line) + ": expected " + form + ", integers >= 0");
        if (n > want) fail("unexpected " + quoted(t[want]) + " after the size line's " + form);
        if (v[0] == 0 || v[1] == 0)
            fail("the size line gives a " + std::to_string(v[0]) + "x" + std::to_string(v[1]) +
                 " matrix; nmfkit needs at least one row and one column");
        if (v[0] > k_max_dim || v[1] > k_max_dim)
            fail("the size line gives " + std::to_string(v[0]) + "x" + std::to_string(v[1]) +
                 ": more than 4294967295 rows or columns are not supported");
        info.rows = std::size_t(v[0]);
        info.cols = std::size_t(v[1]);
        const bool sym = info.symmetry == mtx_symmetry::symmetric;
        if (sym && v[0] != v[1])
            fail("a symmetric matrix must be square, but the size line gives " + std::to_string(v[0]) + "x" +
                 std::to_string(v[1]));
        // Both dimensions are < 2^32: the products fit in 64 bits.
        const std::uint64_t cells = sym ? v[0] * (v[0] + 1) / 2 : v[0] * v[1];
        if (coo) {
            if (v[2] > cells)
                fail("the size line says " + std::to_string(v[2]) + " entries, more than the " + std::to_string(cells) +
                     (sym ? " cells of the lower triangle of a " : " cells of a ") + std::to_string(v[0]) + "x" +
                     std::to_string(v[1]) + " matrix");
            info.entries = v[2];
        } else {
            info.entries = cells;
        }
    }

    // At most how many entry lines the rest of the file can hold (each has at least
    // `min_chars` characters and a line end, the last one maybe none).
    std::uint64_t entries_that_fit(std::uint64_t min_chars) const {
        if (file_bytes == 0) return info.entries;  // not a regular file: no bound
        const std::uint64_t rest = file_bytes > in.consumed() ? file_bytes - in.consumed() : 0;
        return std::min<std::uint64_t>(info.entries, (rest + 1) / (min_chars + 1));
    }

    template <class T>
    T value(std::string_view tok, std::size_t field) {
        if (info.field == mtx_field::integer) {
            std::string_view digits = tok;
            if (!digits.empty() && (digits[0] == '+' || digits[0] == '-')) digits.remove_prefix(1);
            if (digits.empty() ||
                !std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; }))
                fail_field(field, "not an integer: " + quoted(tok) + " (the header says integer)");
        }
        return parse_value<T>(tok, name, in.line_number(), field, "field");
    }

    // A 1-based index token of field `field`, checked against `limit`; returns it 0-based.
    std::uint32_t index(std::string_view tok, std::size_t field, std::uint64_t limit, const char* what) {
        std::uint64_t v = 0;
        if (!parse_count(tok, v))
            fail_field(field, std::string(what) + " index " + quoted(tok) + " is not an integer >= 1");
        if (v == 0) fail_field(field, std::string(what) + " index 0: Matrix Market indices start at 1");
        if (v > limit)
            fail_field(field, std::string(what) + " index " + std::to_string(v) + " is beyond the " +
                                  std::to_string(limit) + " " + what + "s of the size line (line " +
                                  std::to_string(info.size_line) + ")");
        return std::uint32_t(v - 1);
    }

    [[noreturn]] void fail_too_many() {
        fail("more entries than the " + std::to_string(info.entries) + " of the size line (line " +
             std::to_string(info.size_line) + ")");
    }

    [[noreturn]] void fail_too_few(std::uint64_t got) {
        throw data_error(name + ": the file ends after " + std::to_string(got) + " of the " +
                         std::to_string(info.entries) + " entries the size line (line " +
                         std::to_string(info.size_line) + ") announces");
    }
};

// Calls on_entry(i, j, value token) (0-based i, j) for every entry line after the size line,
// checking the line's shape, the indices and the entry count against the size line. The
// value token is not parsed here (pattern files have none: it is then empty).
template <class F>
void for_each_entry(reader_state& s, F&& on_entry) {
    const bool pattern = s.info.field == mtx_field::pattern;
    const bool sym = s.info.symmetry == mtx_symmetry::symmetric;
    const char* form = pattern ? "'ROW COL'" : "'ROW COL VALUE'";
    const std::size_t want = pattern ? 2 : 3;
    std::uint64_t got = 0;
    std::string_view line;
    while (s.next_data(line)) {
        if (got == s.info.entries) s.fail_too_many();
        std::string_view t[4];
        const std::size_t n = split(line, t, want);
        if (n < want) s.fail("expected an entry " + std::string(form) + ", got " + quoted(line));
        if (n > want) s.fail("unexpected " + quoted(t[want]) + " after the entry (expected " + form + ")");
        const std::uint32_t i = s.index(t[0], 1, s.info.rows, "row");
        const std::uint32_t j = s.index(t[1], 2, s.info.cols, "column");
        if (sym && j > i)
            s.fail("entry (" + std::to_string(i + 1) + ", " + std::to_string(j + 1) +
                   ") is above the diagonal: a symmetric file stores only the lower triangle (row >= column)");
        on_entry(i, j, pattern ? std::string_view() : t[2]);
        ++got;
    }
    if (got < s.info.entries) s.fail_too_few(got);
}

// The first two lines of `path` that hold the entry (i, j) (0-based): for the message
// about a duplicate, found by reading the file again.
std::pair<std::size_t, std::size_t> duplicate_lines(const std::string& path, std::uint32_t i, std::uint32_t j) {
    reader_state s(path);
    s.read_header();
    s.read_size_line();
    std::size_t first = 0;
    std::string_view line;
    while (s.next_data(line)) {
        std::string_view t[3];
        if (split(line, t, 2) < 2) continue;
        std::uint64_t a = 0, b = 0;
        if (!parse_count(t[0], a) || !parse_count(t[1], b) || a != i + std::uint64_t(1) || b != j + std::uint64_t(1))
            continue;
        if (first) return {first, s.in.line_number()};
        first = s.in.line_number();
    }
    return {first, 0};
}

// Sorts the entries of each row by column in place (most files are already in order: rows
// written column by column come out sorted) and rejects a duplicate with its two lines.
template <class T>
void sort_rows(csr<T>& a, const std::string& path, mtx_symmetry symmetry) {
    const bool pattern = a.values.empty();
    std::vector<std::uint32_t> perm, idx_tmp;
    std::vector<T> val_tmp;
    for (std::size_t i = 0; i < a.rows; ++i) {
        const std::size_t lo = a.indptr[i], len = a.indptr[i + 1] - lo;
        std::uint32_t* idx = a.indices.data() + lo;
        if (!std::is_sorted(idx, idx + len)) {
            if (pattern) {
                std::sort(idx, idx + len);
            } else {
                T* val = a.values.data() + lo;
                perm.resize(len);
                std::iota(perm.begin(), perm.end(), 0u);
                std::sort(perm.begin(), perm.end(), [&](std::uint32_t x, std::uint32_t y) { return idx[x] < idx[y]; });
                idx_tmp.assign(idx, idx + len);
                val_tmp.assign(val, val + len);
                for (std::size_t k = 0; k < len; ++k) {
                    idx[k] = idx_tmp[perm[k]];
                    val[k] = val_tmp[perm[k]];
                }
            }
        }
        for (std::size_t k = 1; k < len; ++k) {
            if (idx[k] != idx[k - 1]) continue;
            // A symmetric file holds the lower-triangle one of (i, j) and its mirror.
            const bool mirrored = symmetry == mtx_symmetry::symmetric && idx[k] > i;
            const std::uint32_t fi = mirrored ? idx[k] : std::uint32_t(i), fj = mirrored ? std::uint32_t(i) : idx[k];
            const auto [first, second] = duplicate_lines(path, fi, fj);
            throw data_error(input_name(path) + ": line " + std::to_string(second) + ": duplicate entry (" +
                             std::to_string(fi + 1) + ", " + std::to_string(fj + 1) + "), already on line " +
                             std::to_string(first) +
                             " (Matrix Market does not define duplicates; nmfkit does not sum them)");
        }
    }
}

// The size and modification time of a file, to notice one that changes between the passes.
struct file_stamp {
    std::uint64_t size = 0;
    std::int64_t mtime = 0;
    bool operator==(const file_stamp& o) const { return size == o.size && mtime == o.mtime; }
};

file_stamp stamp_of(const std::string& path) {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) return {};
    return {std::uint64_t(st.st_size), std::int64_t(st.st_mtime)};
}

// Reads the entries straight into CSR, in two passes over the file so that nothing but the
// CSR arrays grows with nnz: pass 1 checks every entry line (so errors come in file order)
// and counts the entries of each row (a symmetric off-diagonal entry counts for both rows);
// pass 2 reads the file again and puts each column index and value at its row's next free
// offset. The cursor of row i is indptr[i + 1], set to the row's start before pass 2: it ends
// at the start of row i + 1, where indptr[i + 1] belongs.
template <class T>
csr<T> read_coordinate(reader_state& s, const std::string& path) {
    const bool pattern = s.info.field == mtx_field::pattern;
    const bool sym = s.info.symmetry == mtx_symmetry::symmetric;
    struct stat st {};
    if (path == "-" || ::stat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode))
        throw data_error(s.name +
                         ": a coordinate Matrix Market file is read twice, so it must be a regular file "
                         "(not a pipe or standard input)");
    const file_stamp before = stamp_of(path);
    csr<T> a;
    a.rows = s.info.rows;
    a.cols = s.info.cols;
    a.indptr.assign(a.rows + 1, 0);
    for_each_entry(s, [&](std::uint32_t i, std::uint32_t j, std::string_view tok) {
        if (!pattern) (void)s.template value<T>(tok, 3);  // errors in file order, before indices/values exist
        ++a.indptr[i + 1];
        if (sym && i != j) ++a.indptr[j + 1];
    });
    for (std::size_t i = 0; i < a.rows; ++i) a.indptr[i + 1] += a.indptr[i];
    const std::uint64_t nnz = a.indptr[a.rows];
    a.indices.resize(nnz);
    if (!pattern) a.values.resize(nnz);
    std::memmove(a.indptr.data() + 1, a.indptr.data(), a.rows * sizeof(std::uint64_t));  // the cursors

    reader_state again(path);
    again.read_header();
    again.read_size_line();
    const auto changed = [&] { throw data_error(s.name + ": the file changed while it was read"); };
    if (again.info.entries != s.info.entries || again.info.rows != s.info.rows) changed();
    std::uint64_t* next = a.indptr.data() + 1;
    const auto put = [&](std::uint32_t i, std::uint32_t j, T v) {
        const std::uint64_t k = next[i]++;
        if (k >= nnz) changed();
        a.indices[k] = j;
        if (!pattern) a.values[k] = v;
    };
    for_each_entry(again, [&](std::uint32_t i, std::uint32_t j, std::string_view tok) {
        const T v = pattern ? T(1) : again.template value<T>(tok, 3);
        put(i, j, v);
        if (sym && i != j) put(j, i, v);
    });
    if (!(stamp_of(path) == before)) changed();
    sort_rows(a, path, s.info.symmetry);
    return a;
}

template <class T>
matrix<T> read_array(reader_state& s) {
    const std::size_t n = s.info.rows, m = s.info.cols;
    const bool sym = s.info.symmetry == mtx_symmetry::symmetric;
    matrix<T> out;
    out.rows = n;
    out.cols = m;
    // Allocated only if the rest of the file can hold the values: otherwise it is read
    // (and checked) without storing, to report how many it has.
    const bool store = s.entries_that_fit(1) == s.info.entries;
    if (store) {
        if (n > std::numeric_limits<std::size_t>::max() / m / sizeof(T))
            s.fail("a " + std::to_string(n) + "x" + std::to_string(m) + " matrix does not fit in memory");
        out.data.resize(n * m);
    }
    std::uint64_t got = 0;
    std::size_t i = 0, j = 0;  // the position of the next value (column-major; symmetric: i >= j)
    std::string_view line;
    while (s.next_data(line)) {
        if (got == s.info.entries) s.fail_too_many();
        std::string_view t[2];
        const std::size_t k = split(line, t, 1);
        if (k > 1) s.fail("unexpected " + quoted(t[1]) + " after the value (the array format has one per line)");
        const T v = s.template value<T>(t[0], 1);
        if (store) {
            out.data[i * m + j] = v;
            if (sym) out.data[j * m + i] = v;
        }
        ++got;
        if (++i == n) {
            ++j;
            i = sym ? j : 0;
        }
    }
    if (got < s.info.entries) s.fail_too_few(got);
    return out;
}

}  // namespace

mtx_info read_mtx_info(const std::string& path) {
    reader_state s(path);
    s.read_header();
    s.read_size_line();
    return s.info;
}

template <class T>
mtx_matrix<T> read_mtx(const std::string& path) {
    reader_state s(path);
    s.read_header();
    s.read_size_line();
    mtx_matrix<T> out;
    out.info = s.info;
    if (s.info.format == mtx_format::array) {
        out.dense = read_array<T>(s);
    } else {
        out.sparse = read_coordinate<T>(s, path);
    }
    return out;
}

template <class T>
matrix<T> to_dense(const csr<T>& a) {
    matrix<T> out;
    out.rows = a.rows;
    out.cols = a.cols;
    out.data.assign(a.rows * a.cols, T(0));
    for (std::size_t i = 0; i < a.rows; ++i)
        for (std::uint64_t k = a.indptr[i]; k < a.indptr[i + 1]; ++k)
            out.data[i * a.cols + a.indices[k]] = a.values.empty() ? T(1) : a.values[k];
    return out;
}

template mtx_matrix<float> read_mtx<float>(const std::string&);
template mtx_matrix<double> read_mtx<double>(const std::string&);
template matrix<float> to_dense<float>(const csr<float>&);
template matrix<double> to_dense<double>(const csr<double>&);

}  // namespace cli
