// Matrix Market (.mtx) files for the nmfkit command-line tool: a coordinate file is read
// into a CSR matrix, an array file into a dense row-major matrix. Errors are thrown as
// cli::data_error naming the file and the line.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "csv.hpp"

namespace cli {

// A sparse matrix in compressed sparse row form: the entries of row i are
// indices/values[indptr[i] .. indptr[i + 1]), their column indices strictly increasing
// (sorted, no duplicates). 64-bit offsets, so nnz may exceed 2^32; 32-bit column indices.
// Stored zeros are kept (a stored 0 is an observed 0, not a missing entry). A pattern
// matrix has no values (every stored value is 1): nmfkit::csr_view takes values = nullptr.
template <class T>
struct csr {
    std::size_t rows = 0;
    std::size_t cols = 0;
    std::vector<std::uint64_t> indptr;  // rows + 1 offsets, indptr[0] = 0, indptr[rows] = nnz
    std::vector<std::uint32_t> indices;
    std::vector<T> values;  // nnz values, or empty for a pattern matrix
    std::size_t nnz() const { return indices.size(); }
    const T* values_or_null() const { return values.empty() ? nullptr : values.data(); }
};

enum class mtx_format { coordinate, array };
enum class mtx_field { real, integer, pattern };
enum class mtx_symmetry { general, symmetric };

// The header and size line of a Matrix Market file.
struct mtx_info {
    mtx_format format = mtx_format::coordinate;
    mtx_field field = mtx_field::real;
    mtx_symmetry symmetry = mtx_symmetry::general;
    std::size_t rows = 0;
    std::size_t cols = 0;
    std::uint64_t entries = 0;  // entries in the file (coordinate: the size line's third number;
                                // array: rows*cols, or n(n+1)/2 for symmetric)
    std::size_t size_line = 0;  // the line number of the size line
};

// A Matrix Market file read whole: `sparse` for the coordinate format, `dense` for array.
template <class T>
struct mtx_matrix {
    mtx_info info;
    csr<T> sparse;
    matrix<T> dense;
};

// Reads only the header and the size line of `path` (cheap: lets a caller check the shape
// before reading the entries).
mtx_info read_mtx_info(const std::string& path);

// Reads `path`. Accepted: "%%MatrixMarket matrix coordinate real|integer|pattern
// general|symmetric" and "%%MatrixMarket matrix array real|integer general|symmetric"
// (the keywords in any case). After the header, lines starting with '%' and blank lines
// are skipped anywhere; CRLF line ends are accepted. Indices are 1-based. Each value must
// be a finite number >= 0 (integer fields: digits only); pattern entries are 1.
// Coordinate: any entry order; a duplicate (i, j) is an error naming both lines (the format
// does not define duplicates; nmfkit does not guess a sum). Symmetric files store the lower
// triangle (i >= j; an entry above the diagonal is an error) and are mirrored. Array files
// are column-major (symmetric: the lower triangle, column by column). At most 2^32 - 1
// rows and columns. A coordinate file is read twice through a small buffer, straight into
// CSR (the first pass checks the entry lines and counts each row's entries, the second puts
// the entries in place; then each row is sorted by column): the peak memory is the CSR
// arrays plus the longest row once, never the file text or a copy of the entries. So `path`
// must be a file that can be opened twice (not a pipe).
template <class T>
mtx_matrix<T> read_mtx(const std::string& path);

// A CSR matrix as a dense row-major one (unstored entries are 0).
template <class T>
matrix<T> to_dense(const csr<T>& a);

}  // namespace cli
