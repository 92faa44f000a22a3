#include "npy.hpp"

#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <limits>
#include <new>
#include <string_view>
#include <type_traits>
#include <vector>

namespace cli {
namespace {

constexpr char k_magic[] = "\x93NUMPY";
constexpr std::size_t k_magic_size = 6;

// The header: a Python dict literal such as
//   {'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), }
struct npy_header {
    std::string descr;
    bool fortran = false;
    std::vector<std::uint64_t> shape;
};

class header_parser {
public:
    header_parser(std::string_view text, const std::string& name) : s_(text), name_(name) {}

    npy_header parse() {
        npy_header h;
        bool seen[3] = {false, false, false};
        skip_ws();
        if (!eat('{')) fail("the header is not a dict: " + quoted(s_));
        for (;;) {
            skip_ws();
            if (eat('}')) break;
            const std::string key = string_literal("a key");
            skip_ws();
            if (!eat(':')) fail("expected ':' after the key '" + key + "'");
            skip_ws();
            int which = -1;
            if (key == "descr") {
                which = 0;
                h.descr = string_literal("the 'descr' value (a dtype string)");
            } else if (key == "fortran_order") {
                which = 1;
                h.fortran = boolean();
            } else if (key == "shape") {
                which = 2;
                h.shape = tuple();
            } else {
                fail("unexpected key '" + key + "' (a .npy header holds 'descr', 'fortran_order' and 'shape')");
            }
            if (seen[which]) fail("the key '" + key + "' appears twice");
            seen[which] = true;
            skip_ws();
            if (eat(',')) continue;
            if (eat('}')) break;
            fail("expected ',' or '}' after the value of '" + key + "'");
        }
        skip_ws();
        if (i_ != s_.size()) fail("unexpected " + quoted(s_.substr(i_)) + " after the dict");
        const char* keys[3] = {"descr", "fortran_order", "shape"};
        for (int k = 0; k < 3; ++k)
            if (!seen[k]) fail(std::string("the header has no '") + keys[k] + "' key");
        return h;
    }

private:
    [[noreturn]] void fail(const std::string& what) const { throw data_error(name_ + ": .npy header: " + what); }

    void skip_ws() {
        while (i_ < s_.size() && (s_[i_] == ' ' || s_[i_] == '\t' || s_[i_] == '\n' || s_[i_] == '\r')) ++i_;
    }
    bool eat(char c) {
        if (i_ < s_.size() && s_[i_] == c) {
            ++i_;
            return true;
        }
        return false;
    }
    std::string string_literal(const char* what) {
        const char q = i_ < s_.size() ? s_[i_] : '\0';
        if (q != '\'' && q != '"') fail(std::string("expected ") + what + ", got " + quoted(s_.substr(i_)));
        const std::size_t end = s_.find(q, i_ + 1);
        if (end == std::string_view::npos) fail("unterminated string in " + quoted(s_));
        std::string v(s_.substr(i_ + 1, end - i_ - 1));
        i_ = end + 1;
        return v;
    }
    bool boolean() {
        if (s_.substr(i_, 4) == "True") return i_ += 4, true;
        if (s_.substr(i_, 5) == "False") return i_ += 5, false;
        fail("'fortran_order' must be True or False, got " + quoted(s_.substr(i_)));
    }
    std::vector<std::uint64_t> tuple() {
        if (!eat('(')) fail("'shape' must be a tuple, got " + quoted(s_.substr(i_)));
        std::vector<std::uint64_t> dims;
        for (;;) {
            skip_ws();
            if (eat(')')) break;
            std::uint64_t v = 0;
            const std::size_t start = i_;
            while (i_ < s_.size() && s_[i_] >= '0' && s_[i_] <= '9') {
                const unsigned d = unsigned(s_[i_] - '0');
                if (v > (std::numeric_limits<std::uint64_t>::max() - d) / 10) fail("a 'shape' dimension overflows");
                v = v * 10 + d;
                ++i_;
            }
            if (i_ == start) fail("'shape' must be a tuple of integers, got " + quoted(s_.substr(start)));
            dims.push_back(v);
            skip_ws();
            if (eat(',')) continue;
            if (eat(')')) break;
            fail("expected ',' or ')' in 'shape', got " + quoted(s_.substr(i_)));
        }
        return dims;
    }

    std::string_view s_;
    std::size_t i_ = 0;
    const std::string& name_;
};

std::string shape_text(const std::vector<std::uint64_t>& shape) {
    std::string t = "(";
    for (std::size_t k = 0; k < shape.size(); ++k) t += (k ? ", " : "") + std::to_string(shape[k]);
    return t + (shape.size() == 1 ? ",)" : ")");
}

std::uint64_t load_le(const unsigned char* p, std::size_t size, bool big_endian) {
    std::uint64_t u = 0;
    for (std::size_t b = 0; b < size; ++b) u |= std::uint64_t(p[big_endian ? size - 1 - b : b]) << (8 * b);
    return u;
}

template <class T>
void store_le(std::string& out, T v) {
    using U = std::conditional_t<sizeof(T) == 4, std::uint32_t, std::uint64_t>;
    U u;
    std::memcpy(&u, &v, sizeof u);
    for (std::size_t b = 0; b < sizeof u; ++b) out += char((u >> (8 * b)) & 0xFF);
}

// Reads exactly `size` bytes; false at a short read (the end of the file).
bool read_exact(std::FILE* f, void* buf, std::size_t size, const std::string& name) {
    const std::size_t got = std::fread(buf, 1, size, f);
    if (got < size && std::ferror(f)) throw data_error("cannot read " + name + ": " + std::strerror(errno));
    return got == size;
}

}  // namespace

template <class T>
matrix<T> read_npy(const std::string& path) {
    const std::string name = input_name(path);
    const file_ptr f = open_input(path, name);
    struct stat st {};
    const bool regular = ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode);
    const std::uint64_t file_bytes = regular ? std::uint64_t(st.st_size) : 0;

    unsigned char pre[12];
    if (!read_exact(f.get(), pre, 8, name) || std::memcmp(pre, k_magic, k_magic_size) != 0)
        throw data_error(name + ": not a .npy file (it does not start with the magic \\x93NUMPY)");
    const unsigned major = pre[6], minor = pre[7];
    if (major < 1 || major > 3 || minor != 0)
        throw data_error(name + ": unsupported .npy format version " + std::to_string(major) + "." +
                         std::to_string(minor) + " (nmfkit reads 1.0, 2.0 and 3.0)");
    const std::size_t len_size = major == 1 ? 2 : 4;
    if (!read_exact(f.get(), pre + 8, len_size, name))
        throw data_error(name + ": the file ends inside the .npy header length");
    const std::uint64_t header_len = load_le(pre + 8, len_size, false);
    const std::uint64_t data_offset = 8 + len_size + header_len;
    if (regular && data_offset > file_bytes)
        throw data_error(name + ": the .npy header says it is " + std::to_string(header_len) +
                         " bytes long, but the file ends after " + std::to_string(file_bytes) + " bytes");
    // NumPy itself refuses headers over 10 000 bytes; a pipe cannot ask for gigabytes here.
    constexpr std::uint64_t k_max_header = 1 << 20;
    if (header_len > k_max_header)
        throw data_error(name + ": the .npy header says it is " + std::to_string(header_len) +
                         " bytes long (more than 1 MiB: not a matrix's header)");
    std::string text(header_len, '\0');
    if (!read_exact(f.get(), text.data(), text.size(), name))
        throw data_error(name + ": the file ends inside the .npy header");
    const npy_header h = header_parser(text, name).parse();

    std::size_t item = 0;
    const bool big = !h.descr.empty() && h.descr[0] == '>';
    if (h.descr == "<f4" || h.descr == ">f4") item = 4;
    if (h.descr == "<f8" || h.descr == ">f8") item = 8;
    if (item == 0)
        throw data_error(name + ": unsupported dtype " + quoted(h.descr) +
                         " (nmfkit reads float32 '<f4' and float64 '<f8', or big-endian '>f4' and '>f8')");
    if (h.shape.size() != 2)
        throw data_error(name + ": shape " + shape_text(h.shape) + " is not 2-D (nmfkit reads a matrix" +
                         (h.shape.size() == 1 ? "; reshape it to (1, n) or (n, 1))" : ")"));
    const std::uint64_t rows = h.shape[0], cols = h.shape[1];
    if (rows == 0 || cols == 0) throw data_error(name + ": shape " + shape_text(h.shape) + " is empty");
    const auto too_big = [&] {
        return data_error(name + ": shape " + shape_text(h.shape) + " does not fit in memory");
    };
    constexpr std::uint64_t k_u64_max = std::numeric_limits<std::uint64_t>::max();
    if (rows > k_u64_max / cols || rows * cols > k_u64_max / item) throw too_big();
    const std::uint64_t count = rows * cols, need = count * item;
    const std::string what = "shape " + shape_text(h.shape) + " of '" + h.descr + "' needs " + std::to_string(need);
    // Checked before allocating: a bad header cannot ask for gigabytes.
    if (regular && file_bytes - data_offset < need)
        throw data_error(name + ": has " + std::to_string(file_bytes - data_offset) + " bytes of data, but " + what +
                         " (the file is truncated)");
    if (regular && file_bytes - data_offset > need)
        throw data_error(name + ": has " + std::to_string(file_bytes - data_offset) + " bytes of data, but " + what +
                         " (trailing bytes after the data)");
    // The file size first (the same message on every target), then what this address space holds.
    constexpr std::uint64_t k_max = std::numeric_limits<std::size_t>::max();
    if (count > k_max / item || count > k_max / sizeof(T)) throw too_big();

    matrix<T> out;
    out.rows = std::size_t(rows);
    out.cols = std::size_t(cols);
    try {
        out.data.resize(std::size_t(count));
    } catch (const std::bad_alloc&) {
        throw data_error(name + ": not enough memory for its shape " + shape_text(h.shape) + " (" +
                         std::to_string(count * sizeof(T)) + " bytes)");
    }
    unsigned char buf[1 << 16];  // a multiple of 8: no item is split between chunks
    std::uint64_t done = 0;
    std::size_t i = 0, j = 0;  // Fortran order: the position of the next item
    while (done < count) {
        const std::size_t want = std::size_t(std::min<std::uint64_t>(sizeof buf / item, count - done)) * item;
        if (!read_exact(f.get(), buf, want, name))
            throw data_error(name + ": the data ends after fewer than the " + std::to_string(count) +
                             " items of shape " + shape_text(h.shape));
        for (std::size_t k = 0; k < want; k += item, ++done) {
            const std::uint64_t u = load_le(buf + k, item, big);
            T v;
            if (item == 4) {
                std::uint32_t u32 = std::uint32_t(u);
                float x;
                std::memcpy(&x, &u32, sizeof x);
                v = static_cast<T>(x);
            } else {
                double x;
                std::memcpy(&x, &u, sizeof x);
                v = static_cast<T>(x);
            }
            if (!h.fortran) {
                out.data[std::size_t(done)] = v;
            } else {
                out.data[i * out.cols + j] = v;
                if (++i == out.rows) i = 0, ++j;
            }
        }
    }
    if (!regular && std::fgetc(f.get()) != EOF)
        throw data_error(name + ": trailing bytes after the " + std::to_string(need) + " bytes of data of shape " +
                         shape_text(h.shape));
    return out;
}

template <class T>
std::string format_npy(const T* data, std::size_t rows, std::size_t cols) {
    std::string dict = std::string("{'descr': '") + (sizeof(T) == 4 ? "<f4" : "<f8") +
                       "', 'fortran_order': False, 'shape': (" + std::to_string(rows) + ", " + std::to_string(cols) +
                       "), }";
    const std::size_t preamble = 10;  // magic, version, 2-byte header length
    const std::size_t total = (preamble + dict.size() + 1 + 63) / 64 * 64;
    dict.append(total - preamble - dict.size() - 1, ' ');
    dict += '\n';
    std::string out(k_magic, k_magic_size);
    out += '\x01';
    out += '\x00';
    out += char(dict.size() & 0xFF);
    out += char(dict.size() >> 8);
    out += dict;
    out.reserve(out.size() + rows * cols * sizeof(T));
    for (std::size_t k = 0; k < rows * cols; ++k) store_le(out, data[k]);
    return out;
}

template matrix<float> read_npy<float>(const std::string&);
template matrix<double> read_npy<double>(const std::string&);
template std::string format_npy<float>(const float*, std::size_t, std::size_t);
template std::string format_npy<double>(const double*, std::size_t, std::size_t);

}  // namespace cli
