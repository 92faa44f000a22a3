#include "csv.hpp"

#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <memory>
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

constexpr const char* k_missing_hint = " (a missing entry of X needs --missing nan)";

}  // namespace

std::string quoted(std::string_view s) {
    constexpr std::size_t k_max = 40;
    std::string q = "'";
    q.append(s.substr(0, k_max));
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
matrix<T> parse_csv(std::string_view text, const std::string& name, nan_cells nan) {
    constexpr std::string_view bom = "\xEF\xBB\xBF";
    if (text.substr(0, bom.size()) == bom) text.remove_prefix(bom.size());

    matrix<T> out;
    out.data.reserve(text.size() / 4);  // a cell takes at least 2 bytes; most take more
    std::size_t line = 0;
    std::size_t first_blank = 0;  // a blank line is fine only if nothing follows it
    while (!text.empty()) {
        ++line;
        const std::size_t eol = text.find('\n');
        const std::string_view row = text.substr(0, eol);
        text.remove_prefix(eol == std::string_view::npos ? text.size() : eol + 1);

        if (trim(row).empty()) {
            if (first_blank == 0) first_blank = line;
            continue;
        }
        if (first_blank != 0)
            throw data_error(name + ": line " + std::to_string(first_blank) +
                             " is empty (blank lines are allowed only at the end)");

        std::size_t cols = 0;
        std::string_view rest = row;
        for (;;) {
            const std::size_t comma = rest.find(',');
            const std::string_view cell = trim(rest.substr(0, comma));
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
            if (comma == std::string_view::npos) break;
            rest.remove_prefix(comma + 1);
        }
        if (out.rows == 0) {
            out.cols = cols;
        } else if (cols != out.cols) {
            throw data_error(name + ": line " + std::to_string(line) + " has " + std::to_string(cols) +
                             (cols == 1 ? " column" : " columns") + ", expected " + std::to_string(out.cols) +
                             " (as on line 1)");
        }
        ++out.rows;
    }
    if (out.rows == 0) throw data_error(name + ": file is empty (expected CSV rows of numbers)");
    return out;
}

template <class T>
matrix<T> read_raw_f32(const std::string& path, std::size_t rows, std::size_t cols) {
    const std::string name = input_name(path);
    constexpr std::size_t k_max = std::numeric_limits<std::size_t>::max();
    if (rows == 0 || cols == 0 || rows > k_max / cols || rows * cols > k_max / 4)
        throw data_error(name + ": invalid shape " + std::to_string(rows) + "x" + std::to_string(cols));
    const std::size_t count = rows * cols;
    const file_ptr f = open_input(path, name);
    matrix<T> out;
    out.rows = rows;
    out.cols = cols;
    out.data.resize(count);
    // Streamed in chunks straight into the matrix: no second copy of a large file.
    unsigned char buf[1 << 16];
    std::size_t done = 0, total = 0;
    for (;;) {
        const std::size_t got = std::fread(buf, 1, sizeof buf, f.get());
        total += got;
        for (std::size_t k = 0; k + 4 <= got && done < count; k += 4, ++done) {
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
    if (total != count * 4)
        throw data_error(name + ": has " + std::to_string(total) + " bytes, but a " + std::to_string(rows) + "x" +
                         std::to_string(cols) + " float32 matrix needs " + std::to_string(count * 4));
    return out;
}

template <class T>
std::string format_csv(const T* data, std::size_t rows, std::size_t cols) {
    std::string out;
    out.reserve(rows * cols * 14);
    char buf[64];
    for (std::size_t i = 0; i < rows; ++i) {
        for (std::size_t j = 0; j < cols; ++j) {
            if (j) out += ',';
            const auto res = std::to_chars(buf, buf + sizeof buf, data[i * cols + j]);
            out.append(buf, res.ptr);
        }
        out += '\n';
    }
    return out;
}

template float parse_value<float>(std::string_view, const std::string&, std::size_t, std::size_t, const char*);
template double parse_value<double>(std::string_view, const std::string&, std::size_t, std::size_t, const char*);
template matrix<float> parse_csv<float>(std::string_view, const std::string&, nan_cells);
template matrix<double> parse_csv<double>(std::string_view, const std::string&, nan_cells);
template matrix<float> read_raw_f32<float>(const std::string&, std::size_t, std::size_t);
template matrix<double> read_raw_f32<double>(const std::string&, std::size_t, std::size_t);
template std::string format_csv<float>(const float*, std::size_t, std::size_t);
template std::string format_csv<double>(const double*, std::size_t, std::size_t);

}  // namespace cli
