// nmfkit's default executor: a small pool of std::threads, created once by the caller and
// handed to fit(), transform() or solver::start() (the core itself creates no threads):
//
//     #include <nmfkit/thread_pool.hpp>
//     nmfkit::thread_pool pool;  // every core (hardware_concurrency); pool(1) runs inline
//     nmfkit::status st = nmfkit::fit<float>(X, W, H, opt, ws, bytes, res, nullptr, nullptr, pool.executor());
//
// W and H do not depend on the pool's size (see nmfkit::executor). The calling thread takes
// part, so a pool of N threads starts N − 1 workers. Tasks are handed out one at a time from
// an atomic counter; between jobs a worker spins for a few microseconds before it sleeps, so
// the ~10 parallel_for calls of one iteration of a small problem do not each pay a wake-up.
//
// Header-only, for hosts with threads (not used by the core: Cortex-M and wasm builds never
// include it). Construction may throw what std::thread throws (std::system_error); after that
// nothing throws. One pool serves one parallel_for at a time: calls from several threads take
// turns, and a task that calls parallel_for of its own pool runs that job inline.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <thread>
#include <vector>

#include "nmfkit/nmfkit.hpp"

namespace nmfkit {

class thread_pool {
public:
    // threads = 0: std::thread::hardware_concurrency() (at least 1).
    explicit thread_pool(std::size_t threads = 0) : threads_(threads ? threads : default_threads()) {
        exec_.parallel_for = &thread_pool::dispatch;
        exec_.self = this;
        workers_.reserve(threads_ - 1);
#if defined(__cpp_exceptions) || defined(__EXCEPTIONS)
        try {
            for (std::size_t i = 1; i < threads_; ++i) workers_.emplace_back([this] { work(); });
        } catch (...) {
            stop();
            throw;
        }
#else
        for (std::size_t i = 1; i < threads_; ++i) workers_.emplace_back([this] { work(); });
#endif
    }
    ~thread_pool() { stop(); }
    thread_pool(const thread_pool&) = delete;
    thread_pool& operator=(const thread_pool&) = delete;

    // Threads that run tasks, the caller's included.
    std::size_t threads() const noexcept { return threads_; }

    // The executor to pass to the library; valid while the pool lives.
    const nmfkit::executor* executor() const noexcept { return &exec_; }

    // Calls body(t, ctx) once for every t in [0, tasks) and returns when all have returned.
    void parallel_for(std::size_t tasks, void (*body)(std::size_t task, void* ctx), void* ctx) noexcept {
        if (tasks == 0) return;
        if (workers_.empty() || tasks == 1 || current() == this) {
            for (std::size_t t = 0; t < tasks; ++t) body(t, ctx);
            return;
        }
        std::lock_guard<std::mutex> turn(call_mu_);
        const job j{body, ctx, tasks};
        std::size_t wake = 0;
        {
            // A worker still inside the previous job would claim from the reset counter.
            std::unique_lock<std::mutex> lk(mu_);
            wait_idle(lk);
            job_ = j;
            next_.store(0);
            posted_.store(posted_.load(std::memory_order_relaxed) + 1, std::memory_order_release);
            wake = sleepers_ < tasks - 1 ? sleepers_ : tasks - 1;
        }
        for (std::size_t i = 0; i < wake; ++i) wake_.notify_one();
        run(j);
        // Every task is claimed. A worker counts itself in busy_ before it claims, so busy_ = 0
        // now means every task it claimed has returned.
        if (!spin([this] { return busy_.load() == 0; })) {
            std::unique_lock<std::mutex> lk(mu_);
            wait_idle(lk);
        }
    }

private:
    struct job {
        void (*body)(std::size_t, void*);
        void* ctx;
        std::size_t tasks;
    };

    static std::size_t default_threads() noexcept {
        const unsigned n = std::thread::hardware_concurrency();
        return n ? n : 1;
    }

    static void dispatch(void* self, std::size_t tasks, void (*body)(std::size_t, void*), void* ctx) noexcept {
        static_cast<thread_pool*>(self)->parallel_for(tasks, body, ctx);
    }

    // The pool whose task this thread is running (nested calls run inline).
    static const thread_pool*& current() noexcept {
        thread_local const thread_pool* pool = nullptr;
        return pool;
    }

    // Claims and runs tasks until none is left.
    void run(const job& j) noexcept {
        const thread_pool* outer = current();
        current() = this;
        for (std::size_t t; (t = next_.fetch_add(1)) < j.tasks;) j.body(t, j.ctx);
        current() = outer;
    }

    void wait_idle(std::unique_lock<std::mutex>& lk) noexcept {
        ++waiting_;
        idle_.wait(lk, [this] { return busy_.load() == 0; });
        --waiting_;
    }

    // Busy-waits up to k_spin for done() (pausing, then yielding the core to others); false if
    // it did not happen.
    template <class Done>
    static bool spin(Done done) noexcept {
        const auto until = std::chrono::steady_clock::now() + k_spin;
        for (unsigned i = 0;; ++i) {
            if (done()) return true;
            if (i < 64) {
                pause();
                continue;
            }
            std::this_thread::yield();
            if (i % 16 == 0 && std::chrono::steady_clock::now() > until) return done();
        }
    }

    static void pause() noexcept {
#if defined(__x86_64__) || defined(__i386__)
        __builtin_ia32_pause();
#elif defined(__aarch64__) || (defined(__arm__) && defined(__ARM_ARCH) && __ARM_ARCH >= 7)
        __asm__ __volatile__("yield");
#endif
    }

    void work() noexcept {
        std::uint64_t seen = 0;
        for (;;) {
            if (!spin([&] { return posted_.load(std::memory_order_acquire) != seen || stopping_.load(); })) {
                std::unique_lock<std::mutex> lk(mu_);
                ++sleepers_;
                wake_.wait(lk, [&] { return posted_.load(std::memory_order_relaxed) != seen || stopping_.load(); });
                --sleepers_;
            }
            job j{};
            {
                std::lock_guard<std::mutex> lk(mu_);
                if (stopping_.load()) return;
                seen = posted_.load(std::memory_order_relaxed);
                // Late for a job whose tasks are all claimed: its caller may be gone already.
                if (next_.load(std::memory_order_relaxed) >= job_.tasks) continue;
                j = job_;
                busy_.fetch_add(1);
            }
            run(j);
            std::lock_guard<std::mutex> lk(mu_);
            if (busy_.fetch_sub(1) == 1 && waiting_) idle_.notify_all();
        }
    }

    void stop() noexcept {
        {
            std::lock_guard<std::mutex> lk(mu_);
            stopping_.store(true);
        }
        wake_.notify_all();
        for (std::thread& t : workers_) t.join();
        workers_.clear();
    }

    static constexpr std::chrono::microseconds k_spin{100};

    std::size_t threads_;
    nmfkit::executor exec_{};
    std::vector<std::thread> workers_;
    std::mutex call_mu_;  // one job at a time
    std::mutex mu_;       // guards job_, sleepers_, waiting_ and the changes of posted_, busy_
    std::condition_variable wake_, idle_;
    job job_{nullptr, nullptr, 0};
    std::atomic<std::size_t> next_{0};      // the next unclaimed task of job_
    std::atomic<std::uint64_t> posted_{0};  // jobs posted so far
    std::atomic<std::size_t> busy_{0};      // workers inside job_ (changed under mu_)
    std::atomic<bool> stopping_{false};
    std::size_t sleepers_ = 0, waiting_ = 0;
};

}  // namespace nmfkit
