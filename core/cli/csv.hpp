// Matrix file I/O for the nmfkit command-line tool: CSV (read and write) and raw
// little-endian float32 (read). Errors are thrown as cli::data_error with a message
// that names the file, and the line and column where it helps.
#pragma once

#include <cstddef>
#include <cstdio>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace cli {

// A runtime or data error: the tool exits with status 1.
struct data_error : std::runtime_error {
    using std::runtime_error::runtime_error;
};

// A dense row-major matrix read from a file.
template <class T>
struct matrix {
    std::vector<T> data;
    std::size_t rows = 0;
    std::size_t cols = 0;
};

// Parses one trimmed, non-empty number token of a data file; throws data_error unless it is
// a finite number >= 0 that fits T. The message starts "NAME: line LINE, WHAT COL: "
// (WHAT is "column" for CSV cells, "field" for Matrix Market entries).
template <class T>
T parse_value(std::string_view token, const std::string& name, std::size_t line, std::size_t col,
              const char* what = "column");

// A piece of a file for a message: in single quotes, cut after 40 characters.
std::string quoted(std::string_view s);

// `path`, or "standard input" for "-".
std::string input_name(const std::string& path);

// Opens `path` for binary reading ("-" is standard input, not closed at the end); throws
// data_error naming `name` if it cannot.
using file_ptr = std::unique_ptr<std::FILE, int (*)(std::FILE*)>;
file_ptr open_input(const std::string& path, const std::string& name);

// The whole content of `path` ("-" reads standard input).
std::string read_file(const std::string& path);

// What parse_csv does with a cell that is empty or nan (any case): refuse it (W, H), refuse it
// with a hint at --missing nan (X), or read it as a NaN, a missing entry (X under --missing nan).
enum class nan_cells { refuse, refuse_with_hint, missing };

// Parses CSV text: comma-separated cells, one matrix row per line, no header.
// Spaces and tabs around cells, CRLF line ends, a UTF-8 byte-order mark and blank
// lines at the end are accepted. Every cell must be a finite number >= 0 (the
// matrices nmfkit reads are all non-negative), or a missing entry (see nan_cells).
// Row i of the result is line i + 1. `name` is used in error messages.
template <class T>
matrix<T> parse_csv(std::string_view text, const std::string& name, nan_cells nan = nan_cells::refuse);

// Reads `path` ("-": standard input) as a rows×cols row-major matrix of little-endian
// float32, streaming it into the result. The size must match exactly; values are not
// checked (fit() reports bad entries).
template <class T>
matrix<T> read_raw_f32(const std::string& path, std::size_t rows, std::size_t cols);

// Formats a row-major matrix as CSV with the shortest text that reads back to the
// same value (std::to_chars).
template <class T>
std::string format_csv(const T* data, std::size_t rows, std::size_t cols);

}  // namespace cli
