// The C API's thread pool: nmfkit/thread_pool.hpp behind nmfkit_thread_pool_*, for C callers who
// have no std::thread. The only file of the library built with exceptions (and only with
// NMFKIT_THREADS): std::thread reports a thread it cannot start by throwing, and this is where
// that becomes NULL. Targets without threads (bare metal, wasm) get the same functions, which
// return NULL.
#include "nmfkit/nmfkit.h"

#include <cstddef>

#if NMFKIT_THREADS
#include <new>

#include "nmfkit/thread_pool.hpp"

struct nmfkit_thread_pool {
    nmfkit::thread_pool pool;
    explicit nmfkit_thread_pool(std::size_t threads) : pool(threads) {}
};

extern "C" {

nmfkit_thread_pool* nmfkit_thread_pool_create(size_t threads) {
    try {
        return new nmfkit_thread_pool(threads);
    } catch (...) {  // std::bad_alloc, std::system_error
        return nullptr;
    }
}

const nmfkit_executor* nmfkit_thread_pool_executor(const nmfkit_thread_pool* pool) {
    // nmfkit_executor is nmfkit::executor's layout (c_api.cpp asserts it).
    return pool ? reinterpret_cast<const nmfkit_executor*>(pool->pool.executor()) : nullptr;
}

size_t nmfkit_thread_pool_threads(const nmfkit_thread_pool* pool) { return pool ? pool->pool.threads() : 0; }

void nmfkit_thread_pool_destroy(nmfkit_thread_pool* pool) { delete pool; }

}  // extern "C"

#else

extern "C" {

nmfkit_thread_pool* nmfkit_thread_pool_create(size_t) { return nullptr; }
const nmfkit_executor* nmfkit_thread_pool_executor(const nmfkit_thread_pool*) { return nullptr; }
size_t nmfkit_thread_pool_threads(const nmfkit_thread_pool*) { return 0; }
void nmfkit_thread_pool_destroy(nmfkit_thread_pool*) {}

}  // extern "C"

#endif
