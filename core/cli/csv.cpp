#include "csv.hpp"

#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <memory>
#include <new>
#include <system_error>
#include <type_traits>

namespace cli {
namespace {

template <class T>
const char* dtype_name() {
    return std::is_same_v<T, float> ? "f32" : "f64";
}

std::string at(const std::string& name, std::size_t line, std::size_t col, const char* what = "column") {
    return name + ": line " + std::to_string(line) + ", " + what + " " + std::to_string(col) + ": ";
}

bool is_blank(char c) { return c == ' ' || c == '\t' || c == '\r'; }

std::string_view trim(std::string_view s) {
    while (!s.empty() && is_blank(s.front())) s.remove_prefix(1);
    while (!s.empty() && is_blank(s.back())) s.remove_suffix(1);
    return s;
}

bool is_nan_text(std::string_view cell) {
    return cell.size() == 3 && (cell[0] | 0x20) == 'n' && (cell[1] | 0x20) == 'a' && (cell[2] | 0x20) == 'n';
}

// Whether the cell starts with a number ("1;2" read with the wrong delimiter, "2019 sales").
bool starts_with_number(std::string_view cell) {
    if (cell.size() > 1 && cell[0] == '+') cell.remove_prefix(1);
    double v = 0;
    const auto [ptr, ec] = std::from_chars(cell.data(), cell.data() + cell.size(), v);
    return ec != std::errc::invalid_argument && ptr != cell.data();
}

// Whether from_chars reads the whole cell as a number (as parse_value does, '+' allowed); a
// value out of range, inf and nan count: they are numbers in the wrong place, not names.
bool is_number(std::string_view cell) {
    if (cell.size() > 1 && cell[0] == '+') cell.remove_prefix(1);
    double v = 0;
    const auto [ptr, ec] = std::from_chars(cell.data(), cell.data() + cell.size(), v);
    return !cell.empty() && ec != std::errc::invalid_argument && ptr == cell.data() + cell.size();
}

// A cell a data line may hold: a number, or a missing entry (empty, nan).
bool is_data_cell(std::string_view cell) { return cell.empty() || is_nan_text(cell) || is_number(cell); }

// Calls on_cell(cell) for each trimmed cell of `row` split at `d` (' ': at runs of blanks).
template <class F>
void for_each_cell(std::string_view row, char d, F&& on_cell) {
    if (d == ' ') {
        for (std::string_view rest = trim(row); !rest.empty();) {
            std::size_t end = 0;
            while (end < rest.size() && !is_blank(rest[end])) ++end;
            on_cell(rest.substr(0, end));
            rest = trim(rest.substr(end));
        }
        return;
    }
    for (;;) {
        const std::size_t at = row.find(d);
        on_cell(trim(row.substr(0, at)));
        if (at == std::string_view::npos) return;
        row.remove_prefix(at + 1);
    }
}

// The number of cells of `row` split at `d`, and how many of them are data cells.
struct cell_count {
    std::size_t cells = 0, data = 0;
};

cell_count count_cells(std::string_view row, char d) {
    cell_count n;
    for_each_cell(row, d, [&](std::string_view cell) {
        ++n.cells;
        n.data += is_data_cell(cell);
    });
    return n;
}

// The number of cells of `row` split at `d` if every one is a data cell, else 0.
std::size_t data_cells(std::string_view row, char d) {
    const cell_count n = count_cells(row, d);
    return n.data == n.cells ? n.cells : 0;
}

constexpr char k_candidates[] = {',', '\t', ';', ' '};

// The delimiter of a data line (the rule is parse_csv's comment).
char detect_delimiter(std::string_view row) {
    for (const char d : k_candidates)
        if (data_cells(row, d) > 1) return d;
    if (data_cells(row, ',') == 1) return ',';
    // No split reads as numbers: the one with the most numbers, so the error names the bad cell.
    char best = 0;
    std::size_t most = 0;
    for (const char d : k_candidates)
        if (const std::size_t n = count_cells(row, d).data; n > most) {
            most = n;
            best = d;
        }
    if (best != 0) return best;
    for (const char d : {'\t', ';', ','})
        if (row.find(d) != std::string_view::npos) return d;
    return trim(row).find_first_of(" \t") != std::string_view::npos ? ' ' : ',';
}

bool splits_into_data(std::string_view row) {
    for (const char d : k_candidates)
        if (data_cells(row, d) > 0) return true;
    return false;
}

// One name of a header line, and whether it was in double quotes.
struct header_cell {
    std::string name;
    bool quoted;
};

// The cells of a header line: split at `d` like a data line, except that a cell in double
// quotes ("" inside for a quote) may hold the delimiter.
std::vector<header_cell> header_cells(std::string_view row, char d) {
    std::vector<header_cell> cells;
    std::string_view rest = trim(row);
    const auto at_delimiter = [&](std::size_t i) { return d == ' ' ? is_blank(rest[i]) : rest[i] == d; };
    for (;;) {
        if (d != ' ') rest = trim(rest);
        header_cell c{std::string(), false};
        std::size_t i = 0;
        if (!rest.empty() && rest[0] == '"') {
            c.quoted = true;
            for (i = 1; i < rest.size(); ++i) {
                if (rest[i] != '"') c.name += rest[i];
                else if (i + 1 < rest.size() && rest[i + 1] == '"') c.name += rest[i++];
                else break;
            }
            if (i < rest.size()) ++i;                                         // the closing quote
            while (i < rest.size() && !at_delimiter(i)) c.name += rest[i++];  // text after it, kept
        } else {
            while (i < rest.size() && !at_delimiter(i)) ++i;
            c.name = std::string(trim(rest.substr(0, i)));
        }
        cells.push_back(std::move(c));
        if (i >= rest.size()) break;
        rest.remove_prefix(i + 1);
        if (d == ' ') {
            rest = trim(rest);
            if (rest.empty()) break;
        }
    }
    return cells;
}

// A header: no cell starts with a number (or is nan) unless quoted, and some cell is not empty.
bool is_header(std::string_view row, char d) {
    bool named = false;
    for (const header_cell& c : header_cells(row, d)) {
        if (!c.quoted && !c.name.empty() && (starts_with_number(c.name) || is_nan_text(c.name))) return false;
        named = named || c.quoted || !c.name.empty();
    }
    return named;
}

// The first line of `text` (without its '\n'), removed from it.
std::string_view take_line(std::string_view& text) {
    const std::size_t eol = text.find('\n');
    const std::string_view row = text.substr(0, eol);
    text.remove_prefix(eol == std::string_view::npos ? text.size() : eol + 1);
    return row;
}

constexpr const char* k_missing_hint = " (a missing entry of X needs --missing nan)";

}  // namespace

std::string quoted(std::string_view s) {
    constexpr std::size_t k_max = 40;
    std::string q = "'";
    for (const char ch : s.substr(0, k_max)) {
        const auto c = static_cast<unsigned char>(ch);
        if (c >= 0x20 && c < 0x7f && c != '\\') {
            q += ch;
        } else {
            constexpr char k_hex[] = "0123456789abcdef";
            q += "\\x";
            q += k_hex[c >> 4];
            q += k_hex[c & 15];
        }
    }
    if (s.size() > k_max) q += "...";
    q += "'";
    return q;
}

template <class T>
T parse_value(std::string_view cell, const std::string& name, std::size_t line, std::size_t col, const char* what) {
    std::string_view digits = cell;
    // from_chars rejects a leading '+', which other CSV writers may emit.
    if (digits.size() > 1 && digits[0] == '+' && digits[1] != '-' && digits[1] != '+') digits.remove_prefix(1);
    T v{};
    const auto [ptr, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), v);
    if (ec == std::errc::invalid_argument || ptr != digits.data() + digits.size())
        throw data_error(at(name, line, col, what) + "not a number: " + quoted(cell));
    if (ec == std::errc::result_out_of_range) {
        // Overflow or underflow: tell them apart by magnitude. Underflow rounds to 0.
        const long double wide = std::strtold(std::string(digits).c_str(), nullptr);
        if (wide < 0) throw data_error(at(name, line, col, what) + "negative value " + quoted(cell));
        if (wide >= 1)
            throw data_error(at(name, line, col, what) + "value " + quoted(cell) + " is too large for " +
                             dtype_name<T>());
        return T(0);
    }
    if (!std::isfinite(v)) throw data_error(at(name, line, col, what) + "not a finite number: " + quoted(cell));
    if (v < 0) throw data_error(at(name, line, col, what) + "negative value " + quoted(cell));
    return v;
}

file_ptr open_input(const std::string& path, const std::string& name) {
    if (path == "-") return file_ptr(stdin, [](std::FILE*) { return 0; });
    file_ptr f(std::fopen(path.c_str(), "rb"), std::fclose);
    if (!f) throw data_error("cannot open " + name + ": " + std::strerror(errno));
    return f;
}

std::string input_name(const std::string& path) { return path == "-" ? std::string("standard input") : path; }

std::string read_file(const std::string& path) {
    const std::string name = input_name(path);
    const file_ptr f = open_input(path, name);
    std::string text;
    char buf[1 << 16];
    for (;;) {
        const std::size_t got = std::fread(buf, 1, sizeof buf, f.get());
        text.append(buf, got);
        if (got < sizeof buf) break;
    }
    if (std::ferror(f.get())) throw data_error("cannot read " + name + ": " + std::strerror(errno));
    return text;
}

template <class T>
matrix<T> parse_csv(std::string_view text, const std::string& name, nan_cells nan, csv_layout layout) {
    constexpr std::string_view bom = "\xEF\xBB\xBF";
    if (text.substr(0, bom.size()) == bom) text.remove_prefix(bom.size());

    // The layout, from the first two lines: a header shows in the first, the delimiter in
    // the first data line.
    std::string_view peek = text;
    const std::string_view first = take_line(peek), second = take_line(peek);
    const bool has_second = !trim(second).empty();
    char d = char(layout.delim);
    bool header = layout.header == header_line::present;
    if (layout.header == header_line::automatic && !trim(first).empty()) {
        if (d != 0) header = is_header(first, d);
        else if (!splits_into_data(first)) header = is_header(first, detect_delimiter(has_second ? second : first));
    }
    if (d == 0) d = detect_delimiter(header && has_second ? second : first);

    matrix<T> out;
    out.data.reserve(text.size() / 4);  // a cell takes at least 2 bytes; most take more
    std::size_t line = 0;
    std::size_t first_blank = 0;  // a blank line is fine only if nothing follows it
    std::size_t first_row = 0;    // the line of the first data row
    while (!text.empty()) {
        ++line;
        const std::string_view row = take_line(text);
        if (line == 1 && header) {
            if (trim(row).empty()) throw data_error(name + ": line 1 is empty, expected a header of column names");
            for (header_cell& c : header_cells(row, d)) out.column_names.push_back(std::move(c.name));
            continue;
        }
        if (trim(row).empty()) {
            if (first_blank == 0) first_blank = line;
            continue;
        }
        if (first_blank != 0)
            throw data_error(name + ": line " + std::to_string(first_blank) +
                             " is empty (blank lines are allowed only at the end)");

        std::size_t cols = 0;
        const auto cell_value = [&](std::string_view cell) {
            ++cols;
            const bool unknown = cell.empty() || is_nan_text(cell);
            if (unknown && nan == nan_cells::missing) {
                out.data.push_back(std::numeric_limits<T>::quiet_NaN());
            } else if (unknown) {
                const char* hint = nan == nan_cells::refuse_with_hint ? k_missing_hint : "";
                throw data_error(at(name, line, cols) +
                                 (cell.empty() ? "empty cell" : "not a finite number: " + quoted(cell)) + hint);
            } else {
                out.data.push_back(parse_value<T>(cell, name, line, cols));
            }
        };
        if (line == 1 && layout.header == header_line::automatic) {
            try {
                for_each_cell(row, d, cell_value);
            } catch (const data_error& e) {
                // Mostly names, some numbers: perhaps a header that auto-detection did not take.
                std::size_t cells = 0, names = 0;
                for_each_cell(row, d, [&](std::string_view c) { ++cells, names += !is_data_cell(c); });
                if (2 * names <= cells) throw;
                throw data_error(std::string(e.what()) + " (if line 1 holds column names, give --header)");
            }
        } else {
            for_each_cell(row, d, cell_value);
        }
        if (out.rows == 0) {
            out.cols = cols;
            first_row = line;
            if (header && out.column_names.size() != cols)
                throw data_error(name + ": the header (line 1) has " + std::to_string(out.column_names.size()) +
                                 (out.column_names.size() == 1 ? " name" : " names") + ", but line " +
                                 std::to_string(line) + " has " + std::to_string(cols) +
                                 (cols == 1 ? " column" : " columns"));
        } else if (cols != out.cols) {
            throw data_error(name + ": line " + std::to_string(line) + " has " + std::to_string(cols) +
                             (cols == 1 ? " column" : " columns") + ", expected " + std::to_string(out.cols) +
                             " (as on line " + std::to_string(first_row) + ")");
        }
        ++out.rows;
    }
    if (out.rows == 0 && header) throw data_error(name + ": a header line, but no rows of numbers after it");
    if (out.rows == 0) throw data_error(name + ": file is empty (expected CSV rows of numbers)");
    return out;
}

namespace {

// "1797x64 float32 matrix (--shape 1797x64)": what the raw reader's messages are about.
std::string raw_matrix_text(std::size_t rows, std::size_t cols) {
    const std::string shape = std::to_string(rows) + "x" + std::to_string(cols);
    return shape + " float32 matrix (--shape " + shape + ")";
}

}  // namespace

template <class T>
matrix<T> read_raw_f32(const std::string& path, std::size_t rows, std::size_t cols) {
    const std::string name = input_name(path);
    constexpr std::size_t k_max = std::numeric_limits<std::size_t>::max();
    if (rows == 0 || cols == 0 || rows > k_max / cols || rows * cols > k_max / 4 || rows * cols > k_max / sizeof(T))
        throw data_error(name + ": invalid shape " + std::to_string(rows) + "x" + std::to_string(cols) +
                         " (its size overflows the address space)");
    const std::size_t count = rows * cols, need = count * 4;
    const std::string needs = ", but a " + raw_matrix_text(rows, cols) + " needs " + std::to_string(need);
    const file_ptr f = open_input(path, name);
    struct stat st {};
    const bool regular = ::fstat(::fileno(f.get()), &st) == 0 && S_ISREG(st.st_mode);
    // A regular file's size is known: a wrong --shape is reported before any allocation.
    if (regular && st.st_size == 0) throw data_error(name + ": file is empty");
    if (regular && std::uint64_t(st.st_size) != need)
        throw data_error(name + ": has " + std::to_string(st.st_size) + " bytes" + needs);

    matrix<T> out;
    out.rows = rows;
    out.cols = cols;
    // A pipe's matrix grows with its data (doubling), so a wrong --shape costs at most twice
    // what was sent.
    const auto grow = [&](std::size_t size) {
        try {
            out.data.resize(size);
        } catch (const std::bad_alloc&) {
            throw data_error(name + ": not enough memory for a " + raw_matrix_text(rows, cols) + " (" +
                             std::to_string(count * sizeof(T)) + " bytes as " +
                             (std::is_same_v<T, float> ? "f32" : "f64") + ")");
        }
    };
    grow(regular ? count : std::min<std::size_t>(count, 1 << 14));
    unsigned char buf[1 << 16];
    std::size_t done = 0, total = 0;
    for (;;) {
        const std::size_t got = std::fread(buf, 1, sizeof buf, f.get());
        total += got;
        if (total > need) throw data_error(name + ": has more than " + std::to_string(need) + " bytes" + needs);
        for (std::size_t k = 0; k + 4 <= got; k += 4, ++done) {
            if (done == out.data.size()) grow(std::min(count, 2 * done));
            // Assembled byte by byte, so the file is read as little-endian on any host.
            const unsigned char* p = buf + k;
            const std::uint32_t u = std::uint32_t(p[0]) | std::uint32_t(p[1]) << 8 | std::uint32_t(p[2]) << 16 |
                                    std::uint32_t(p[3]) << 24;
            float v;
            std::memcpy(&v, &u, sizeof v);
            out.data[done] = static_cast<T>(v);
        }
        if (got < sizeof buf) break;
    }
    if (std::ferror(f.get())) throw data_error("cannot read " + name + ": " + std::strerror(errno));
    if (total == 0) throw data_error(name + ": file is empty");
    if (total != need) throw data_error(name + ": has " + std::to_string(total) + " bytes" + needs);
    return out;
}

namespace {

// Whether parse_csv would read `name` back as this name: not a number, no delimiter or
// quote in it, no blanks around it.
bool plain_name(std::string_view name, char delim) {
    return !name.empty() && !is_number(name) && !is_nan_text(name) && trim(name) == name &&
           name.find(delim) == std::string_view::npos && name.find('"') == std::string_view::npos &&
           (delim != ' ' || name.find_first_of(" \t") == std::string_view::npos);
}

}  // namespace

template <class T>
std::string format_csv(const T* data, std::size_t rows, std::size_t cols, char delim,
                       const std::vector<std::string>* names) {
    std::string out;
    out.reserve(rows * cols * 14);
    if (names) {
        for (std::size_t j = 0; j < names->size(); ++j) {
            if (j) out += delim;
            const std::string& n = (*names)[j];
            if (plain_name(n, delim)) {
                out += n;
                continue;
            }
            out += '"';
            for (const char c : n) out.append(c == '"' ? 2 : 1, c);
            out += '"';
        }
        out += '\n';
    }
    char buf[64];
    for (std::size_t i = 0; i < rows; ++i) {
        for (std::size_t j = 0; j < cols; ++j) {
            if (j) out += delim;
            const auto res = std::to_chars(buf, buf + sizeof buf, data[i * cols + j]);
            out.append(buf, res.ptr);
        }
        out += '\n';
    }
    return out;
}

template float parse_value<float>(std::string_view, const std::string&, std::size_t, std::size_t, const char*);
template double parse_value<double>(std::string_view, const std::string&, std::size_t, std::size_t, const char*);
template matrix<float> parse_csv<float>(std::string_view, const std::string&, nan_cells, csv_layout);
template matrix<double> parse_csv<double>(std::string_view, const std::string&, nan_cells, csv_layout);
template matrix<float> read_raw_f32<float>(const std::string&, std::size_t, std::size_t);
template matrix<double> read_raw_f32<double>(const std::string&, std::size_t, std::size_t);
template std::string format_csv<float>(const float*, std::size_t, std::size_t, char, const std::vector<std::string>*);
template std::string format_csv<double>(const double*, std::size_t, std::size_t, char, const std::vector<std::string>*);

}  // namespace cli
