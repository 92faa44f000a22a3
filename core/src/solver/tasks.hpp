// The solver's parallel loops: fixed blocks run as tasks through the caller's executor.
//
// Determinism: a loop's blocks depend on the problem's shape only (never on the thread count),
// each task writes only its own block of the output, and the few sums over blocks (losses,
// step sizes) go through per-block slots added in block order. So W, H and every loss are
// bitwise the same with any executor or none.
#pragma once

#include <cstddef>

#include "nmfkit/nmfkit.hpp"

// NMFKIT_TASKS=0 (bare metal, CMakeLists.txt): every loop is one block on the caller's thread and
// the executor is never called; the block code would push the Cortex-M4 firmware past 16 KB.
#ifndef NMFKIT_TASKS
#define NMFKIT_TASKS 1
#endif

// Without tasks the helpers below are a call of their body: forced inline so that -Oz (the
// WebAssembly modules) leaves no block machinery behind.
#if NMFKIT_TASKS
#define NMFKIT_TASK_HELPER inline
#else
#define NMFKIT_TASK_HELPER [[gnu::always_inline]] inline
#endif

namespace nmfkit {
namespace detail {

inline constexpr executor k_serial{nullptr, nullptr};

// At most this many blocks per loop (the sums over blocks use stack slots of this size), and
// about this many multiply-adds per task at least: a parallel_for costs a few microseconds.
constexpr std::size_t k_max_tasks = 32;
constexpr double k_task_work = double(1 << 18);

struct block_plan {
    std::size_t size;   // items per block (the last may have fewer)
    std::size_t count;  // blocks, ≤ k_max_tasks
};

// Blocks of `extent` items costing `work` multiply-adds each: sizes a multiple of 8 (whole
// vectors and cache lines of rows) unless one block holds everything.
NMFKIT_TASK_HELPER block_plan plan_blocks(std::size_t extent, double work) noexcept {
    if (!NMFKIT_TASKS) return {extent, 1};
    if (extent == 0) return {0, 0};
    const double per = work > 0 ? k_task_work / work : k_task_work;
    const double least = per < 8 ? 8 : per;
    const double fit = static_cast<double>(extent) / least;
    std::size_t count = fit < 1 ? 1 : fit > double(k_max_tasks) ? k_max_tasks : static_cast<std::size_t>(fit);
    std::size_t size = (extent + count - 1) / count;
    if (count > 1) size = (size + 7) & ~std::size_t(7);
    count = (extent + size - 1) / size;
    return {size, count};
}

// f(t) for every t in [0, tasks): through the executor, or in order on this thread.
template <class F>
NMFKIT_TASK_HELPER void run_tasks(const executor& ex, std::size_t tasks, const F& f) noexcept {
    if constexpr (!NMFKIT_TASKS) {
        (void)ex;
        for (std::size_t t = 0; t < tasks; ++t) f(t);
    } else if (ex.parallel_for == nullptr || tasks <= 1) {
        for (std::size_t t = 0; t < tasks; ++t) f(t);
    } else {
        ex.parallel_for(
            ex.self, tasks, [](std::size_t t, void* c) { (*static_cast<const F*>(c))(t); }, const_cast<F*>(&f));
    }
}

// f(first, count) for each block of the plan.
template <class F>
NMFKIT_TASK_HELPER void for_blocks(const executor& ex, const block_plan& p, std::size_t extent, const F& f) noexcept {
    if constexpr (!NMFKIT_TASKS) {
        (void)ex;
        (void)p;
        f(std::size_t(0), extent);
    } else {
        run_tasks(ex, p.count, [&](std::size_t t) {
            const std::size_t first = t * p.size;
            const std::size_t left = extent - first;
            f(first, left < p.size ? left : p.size);
        });
    }
}

// Σ over blocks of f(first, count) (a double), added in block order.
template <class F>
NMFKIT_TASK_HELPER double sum_blocks(const executor& ex, const block_plan& p, std::size_t extent, const F& f) noexcept {
    if constexpr (!NMFKIT_TASKS) {
        (void)ex;
        (void)p;
        return f(std::size_t(0), extent);
    } else {
        double slot[k_max_tasks];
        for_blocks(ex, p, extent,
                   [&](std::size_t first, std::size_t count) { slot[first / p.size] = f(first, count); });
        double total = 0;
        for (std::size_t t = 0; t < p.count; ++t) total += slot[t];
        return total;
    }
}

}  // namespace detail
}  // namespace nmfkit
