// Matrix file I/O for the nmfkit command-line tool: CSV and other delimited text (read
// and write, an optional header line of column names) and raw little-endian float32 (read). Errors are thrown as
// cli::data_error with a message that names the file, and the line and column where it helps.
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
    // The names of the columns, from a CSV header line (empty if the file had none): data
    // row i is then on line i + 2 of the file.
    std::vector<std::string> column_names;
};

// Parses one trimmed, non-empty number token of a data file; throws data_error unless it is
// a finite number >= 0 that fits T. The message starts "NAME: line LINE, WHAT COL: "
// (WHAT is "column" for CSV cells, "field" for Matrix Market entries).
template <class T>
T parse_value(std::string_view token, const std::string& name, std::size_t line, std::size_t col,
              const char* what = "column");

// A piece of a file for a message: in single quotes, cut after 40 bytes, every byte that
// is not printable ASCII (control characters, ANSI escapes, NUL, bytes >= 0x80) and the
// backslash written as \xNN, so a hostile file cannot drive the terminal.
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

// What separates the cells of a line: a character, or (whitespace) any run of spaces and
// tabs; automatic: found from the first data line (see parse_csv).
enum class delimiter : char { automatic = 0, comma = ',', tab = '\t', semicolon = ';', whitespace = ' ' };

// Whether the first line holds column names: automatic = when none of its cells starts with a
// number (unless in double quotes) or is nan.
enum class header_line { automatic, present, absent };

struct csv_layout {
    delimiter delim = delimiter::automatic;
    header_line header = header_line::automatic;
};

// Parses delimited text, one matrix row per line. The delimiter, when automatic, is the
// first of comma, tab, semicolon and whitespace that splits the first data line into two or
// more numbers (a line of one number: comma; no split gives only numbers: the one that gives
// the most, so the error names the bad cell). A header line (given, or automatic: see
// header_line; split by the delimiter of the line after it) is skipped and its names,
// double quotes removed, kept in column_names; it must have as many names as the rows have
// cells. Spaces and tabs around cells, CRLF line ends, a UTF-8 byte-order mark and blank
// lines at the end are accepted. Every cell must be a finite number >= 0 (the matrices
// nmfkit reads are all non-negative), or a missing entry (see nan_cells). `name` is used in
// error messages.
template <class T>
matrix<T> parse_csv(std::string_view text, const std::string& name, nan_cells nan = nan_cells::refuse,
                    csv_layout layout = {});

// Reads `path` ("-": standard input) as a rows×cols row-major matrix of little-endian
// float32, streaming it into the result. The size must match exactly: a regular file's
// size is checked before anything is allocated, a pipe's data is stored as it arrives
// (the matrix grows with it) and reading stops at the first byte too many. Values are not
// checked (fit() reports bad entries).
template <class T>
matrix<T> read_raw_f32(const std::string& path, std::size_t rows, std::size_t cols);

// Formats a row-major matrix as delimited text (`delim`: ',' or '\t') with the shortest
// text that reads back to the same value (std::to_chars). With `names` (one per column) a
// header line comes first; a name that parse_csv would not read back as a name (a number,
// empty, the delimiter or a quote in it, blanks around it) is written in double quotes.
template <class T>
std::string format_csv(const T* data, std::size_t rows, std::size_t cols, char delim = ',',
                       const std::vector<std::string>* names = nullptr);

}  // namespace cli
