// NumPy .npy files for the nmfkit command-line tool: a 2-D float32/float64 array is read
// into a dense row-major matrix, and W/H are written as .npy. Errors are thrown as
// cli::data_error naming the file.
#pragma once

#include <cstddef>
#include <string>

#include "csv.hpp"

namespace cli {

// Reads `path`: format version 1.0, 2.0 or 3.0; dtype '<f4', '<f8', or big-endian '>f4',
// '>f8' (byte-swapped); a 2-D shape (a 1-D array is refused: one row or one column would be
// a guess, reshape it); C or Fortran order (Fortran is transposed into row-major). The
// header dict must hold exactly 'descr', 'fortran_order' and 'shape'. The file size must
// be exactly the header plus rows*cols items, checked before anything is allocated. The
// values are converted to T but not checked (fit reports bad entries).
template <class T>
matrix<T> read_npy(const std::string& path);

// A rows×cols row-major matrix as the bytes of a .npy file: version 1.0, dtype '<f4' for
// float and '<f8' for double, C order, the header padded with spaces so that the data
// starts at a multiple of 64 bytes (as NumPy writes it).
template <class T>
std::string format_npy(const T* data, std::size_t rows, std::size_t cols);

}  // namespace cli
