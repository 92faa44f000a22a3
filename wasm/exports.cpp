// The few exports the JavaScript wrapper needs besides the C API of nmfkit/nmfkit.h
// (listed in wasm/CMakeLists.txt). The module is standalone (no Emscripten JS glue):
// JavaScript owns all allocation through these two functions, and a failed allocation
// (memory.grow refused at -sMAXIMUM_MEMORY) returns 0 instead of aborting, so the
// instance stays usable.
#include <emscripten/emmalloc.h>
#include <emscripten/em_macros.h>

#include <cstddef>

#include "nmfkit/nmfkit.h"

extern "C" {

// `bytes` rounded up to NMFKIT_WORKSPACE_ALIGNMENT, aligned to it; 0 on failure or overflow.
EMSCRIPTEN_KEEPALIVE void* nmfkit_wasm_alloc(std::size_t bytes) {
    constexpr std::size_t a = NMFKIT_WORKSPACE_ALIGNMENT;
    if (bytes == 0 || bytes > static_cast<std::size_t>(-1) - a) return nullptr;
    return emmalloc_memalign(a, (bytes + a - 1) / a * a);
}

EMSCRIPTEN_KEEPALIVE void nmfkit_wasm_free(void* p) { emmalloc_free(p); }

// Bytes of the heap currently handed out (heap size minus free bytes): the leak tests
// check that it returns to the same value after every fit.
EMSCRIPTEN_KEEPALIVE std::size_t nmfkit_wasm_heap_used(void) {
    return emmalloc_dynamic_heap_size() - emmalloc_free_dynamic_memory();
}

}  // extern "C"
