// nmfkit's default executor: a small pool of std::threads, created once by the caller and
// handed to fit(), transform() or solver::start() (the core itself creates no threads):
//
//     #include <nmfkit/thread_pool.hpp>
//     nmfkit::thread_pool pool;  // every core (hardware_concurrency); pool(1) runs inline
//     nmfkit::status st = nmfkit::fit<float>(X, W, H, opt, ws, bytes, res, nullptr, nullptr, pool.executor());
//
// W and H do not depend on the pool's size (see nmfkit::executor). The calling thread takes
// part, so a pool of N threads starts N − 1 workers. Tasks are handed out one at a time from
// an atomic counter tagged with the job, so a worker that wakes late claims nothing and the
// caller never waits for it; between jobs a worker spins for up to 100 µs (pausing, then
// yielding) before it sleeps, so the ~10 parallel_for calls of one iteration of a small
// problem do not each pay a wake-up.
//
// Header-only, for hosts with threads; the core library never includes it (Cortex-M and wasm
// builds run without an executor). Construction may throw what std::thread throws (std::system_error); after that
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
        for (std::size_t first = 0; first < tasks; first += k_most_tasks) {  // one job, unless > 2^32 tasks
            const std::size_t left = tasks - first;
            run_job(body, ctx, first, left < k_most_tasks ? left : k_most_tasks);
        }
    }

private:
    // Tasks first + [0, count) of body. gen tags the job's claims: a worker that copied an
    // older job cannot claim a task of this one.
    struct job {
        void (*body)(std::size_t, void*);
        void* ctx;
        std::size_t first;
        std::uint64_t count;
        std::uint64_t gen;
    };

    // The claim counter holds the job's generation (high 32 bits) and its next task (low 32).
    static constexpr std::uint64_t k_most_tasks = 0xffffffffu;

    void run_job(void (*body)(std::size_t, void*), void* ctx, std::size_t first, std::uint64_t count) noexcept {
        job j{};
        std::size_t wake = 0;
        {
            std::lock_guard<std::mutex> lk(mu_);
            j = {body, ctx, first, count, (job_.gen + 1) & k_most_tasks};
            job_ = j;
            done_.store(0, std::memory_order_relaxed);
            ticket_.store(j.gen << 32, std::memory_order_release);
            posted_.store(posted_.load(std::memory_order_relaxed) + 1, std::memory_order_release);
            wake = sleepers_ < count - 1 ? sleepers_ : static_cast<std::size_t>(count - 1);
        }
        for (std::size_t i = 0; i < wake; ++i) wake_.notify_one();
        run(j);
        // Only the tasks count: a worker that joins late claims nothing and is not waited for.
        const auto finished = [&] { return done_.load(std::memory_order_acquire) == count; };
        if (!spin(finished)) {
            std::unique_lock<std::mutex> lk(mu_);
            ++waiting_;
            idle_.wait(lk, finished);
            --waiting_;
        }
    }

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

    // The next task of j, if j is still the posted job and has one left.
    bool claim(const job& j, std::uint64_t& task) noexcept {
        std::uint64_t ticket = ticket_.load(std::memory_order_acquire);
        for (;;) {
            task = ticket & k_most_tasks;
            if ((ticket >> 32) != j.gen || task >= j.count) return false;
            if (ticket_.compare_exchange_weak(ticket, ticket + 1, std::memory_order_acq_rel, std::memory_order_acquire))
                return true;
        }
    }

    // Claims and runs tasks of j until none is left.
    void run(const job& j) noexcept {
        const thread_pool* outer = current();
        current() = this;
        for (std::uint64_t t; claim(j, t);) {
            j.body(j.first + static_cast<std::size_t>(t), j.ctx);
            if (done_.fetch_add(1, std::memory_order_acq_rel) + 1 == j.count) {
                std::lock_guard<std::mutex> lk(mu_);
                if (waiting_) idle_.notify_all();
            }
        }
        current() = outer;
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
                j = job_;
            }
            run(j);
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
    std::mutex mu_;       // guards job_, sleepers_, waiting_ and the posting of a job
    std::condition_variable wake_, idle_;
    job job_{nullptr, nullptr, 0, 0, 0};
    std::atomic<std::uint64_t> ticket_{0};  // job_'s generation and next unclaimed task
    std::atomic<std::uint64_t> done_{0};    // job_'s tasks that have returned
    std::atomic<std::uint64_t> posted_{0};  // jobs posted so far
    std::atomic<bool> stopping_{false};
    std::size_t sleepers_ = 0, waiting_ = 0;
};

}  // namespace nmfkit
