// Spelling tables for the CLI's own vocabularies (--dtype, --progress). The library's enums and
// losses are named and parsed by the library (nmfkit::name, parse_init_method, parse_loss, ...),
// so the CLI and the JS wrapper accept the same spellings.
#pragma once

#include <cstddef>
#include <string_view>

namespace cli {

// One spelling of a value; a table lists the canonical spelling of a value first.
template <class E>
struct spelling {
    const char* name;
    E value;
};

template <class E, std::size_t N>
bool parse_spelling(const spelling<E> (&table)[N], std::string_view text, E& out) {
    for (const spelling<E>& s : table)
        if (text == s.name) {
            out = s.value;
            return true;
        }
    return false;
}

}  // namespace cli
