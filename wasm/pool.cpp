// The executor of the threaded modules (nmfkit-relaxed-mt.wasm, nmfkit-simd-mt.wasm; see
// wasm/direct.cmake): a pool of wasm instances on Web Workers / worker_threads sharing one
// memory (wasm/src/threads.js starts them). The thread that runs a fit calls parallel_for; the
// workers sit in nmfkit_wasm_pool_work until nmfkit_wasm_pool_stop. The solver's loops are
// fixed blocks that do not depend on who runs them (core/src/solver/tasks.hpp), so W and H
// are bitwise the same with any number of workers.
//
// A job: its parameters (tasks, body, ctx), then `state` = job id << 32 | next task index,
// then `job` = id (what idle workers wait on, memory.atomic.wait32). A task is claimed by a
// compare-exchange of `state` that still names the job, so a worker that wakes late, after
// its job ended, claims nothing (the id has moved on) and never runs a later job's task with
// an earlier job's parameters. The caller claims tasks too, then waits (a worker, Node's main
// thread: in short sleeps) or spins (a page's main thread, which may not wait) until `done` =
// tasks. Only that
// thread starts jobs, one at a time, so a call while a job runs comes from a task: inline.
#include <emscripten/emmalloc.h>

#include <cstddef>
#include <cstdint>

#include "nmfkit/nmfkit.h"

#if !defined(__wasm_atomics__)
#error "pool.cpp is for the threaded modules (-matomics)"
#endif

namespace {

struct pool {
    nmfkit_executor exec;  // first: the pool's address is the executor's
    std::uint64_t state;
    std::uint32_t job;
    std::uint32_t done;
    std::uint32_t quit;
    std::uint32_t caller_waits;
    std::uint32_t active;  // a job runs: parallel_for is then called from a task (nested)
    std::uint32_t tasks;
    void (*body)(std::size_t, void*);
    void* ctx;
};

template <class T>
T load(const T* p) noexcept {
    return __atomic_load_n(p, __ATOMIC_SEQ_CST);
}

template <class T>
void store(T* p, T v) noexcept {
    __atomic_store_n(p, v, __ATOMIC_SEQ_CST);
}

void wait(std::uint32_t* p, std::uint32_t seen, long long ns = -1) noexcept {
    __builtin_wasm_memory_atomic_wait32(reinterpret_cast<int*>(p), static_cast<int>(seen), ns);
}

void notify(std::uint32_t* p, unsigned count) noexcept {
    __builtin_wasm_memory_atomic_notify(reinterpret_cast<int*>(p), count);
}

// Runs the unclaimed tasks of job `id` (none once it has ended).
void claim(pool* p, std::uint32_t id) noexcept {
    for (;;) {
        std::uint64_t w = load(&p->state);
        if (static_cast<std::uint32_t>(w >> 32) != id) return;
        const std::uint32_t t = static_cast<std::uint32_t>(w);
        const std::uint32_t tasks = __atomic_load_n(&p->tasks, __ATOMIC_RELAXED);
        void (*body)(std::size_t, void*) = __atomic_load_n(&p->body, __ATOMIC_RELAXED);
        void* ctx = __atomic_load_n(&p->ctx, __ATOMIC_RELAXED);
        if (t >= tasks) return;
        if (!__atomic_compare_exchange_n(&p->state, &w, w + 1, false, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST)) continue;
        body(t, ctx);  // the state still named job id: tasks, body, ctx were its own
        if (__atomic_add_fetch(&p->done, 1u, __ATOMIC_SEQ_CST) == tasks) notify(&p->done, 1);
    }
}

void parallel_for(void* self, std::size_t tasks, void (*body)(std::size_t, void*), void* ctx) {
    auto* p = static_cast<pool*>(self);
    if (load(&p->active)) {  // from inside a task, on any thread: inline, as nmfkit/thread_pool.hpp does
        for (std::size_t t = 0; t < tasks; ++t) body(t, ctx);
        return;
    }
    if (tasks == 0) return;
    store(&p->active, 1u);
    __atomic_store_n(&p->tasks, static_cast<std::uint32_t>(tasks), __ATOMIC_RELAXED);
    __atomic_store_n(&p->body, body, __ATOMIC_RELAXED);
    __atomic_store_n(&p->ctx, ctx, __ATOMIC_RELAXED);
    store(&p->done, 0u);
    const std::uint32_t id = p->job + 1;  // only this thread writes job
    store(&p->state, static_cast<std::uint64_t>(id) << 32);
    store(&p->job, id);
    notify(&p->job, ~0u);
    claim(p, id);
    // Spin a little, then sleep in slices of 0.1 ms: never for long, because in V8 a worker can
    // stall until this thread's isolate takes an interrupt (Node 20: a worker's Liftoff-to-
    // TurboFan tier-up), which it does between waits (the loop's stack check), not inside one.
    for (unsigned i = 0;; ++i) {
        const std::uint32_t d = load(&p->done);
        if (d == tasks) break;
        if (p->caller_waits && i > 4096) wait(&p->done, d, 100000);
    }
    store(&p->active, 0u);
}

}  // namespace

extern "C" {

// A pool for the calling thread (caller_waits: 0 where it may not wait, a page's main thread);
// its address is the nmfkit_executor for nmfkit_solver_start_ex_*. 0 when out of memory.
__attribute__((used)) void* nmfkit_wasm_pool_init(int caller_waits) {
    void* m = emmalloc_memalign(64, sizeof(pool));
    if (!m) return nullptr;
    auto* p = static_cast<pool*>(m);
    *p = pool{};
    p->exec = {&parallel_for, p};
    p->caller_waits = caller_waits ? 1 : 0;
    return p;
}

// A worker's loop: runs tasks of every job until nmfkit_wasm_pool_stop.
__attribute__((used)) void nmfkit_wasm_pool_work(void* self) {
    auto* p = static_cast<pool*>(self);
    std::uint32_t seen = load(&p->job);
    for (;;) {
        const std::uint32_t j = load(&p->job);
        if (load(&p->quit)) return;
        if (j == seen) {
            wait(&p->job, j);
            continue;
        }
        seen = j;
        claim(p, j);
    }
}

// Ends every worker's loop (between fits); the pool's memory stays with the instance.
__attribute__((used)) void nmfkit_wasm_pool_stop(void* self) {
    auto* p = static_cast<pool*>(self);
    store(&p->quit, 1u);
    __atomic_add_fetch(&p->job, 1u, __ATOMIC_SEQ_CST);
    notify(&p->job, ~0u);
}

}  // extern "C"
