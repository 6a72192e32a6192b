// The parallelism policy in one place: algorithms say what is independent, this file
// decides how it is spread over threads. Work is split across states when there are at
// least as many states as threads, otherwise across the amplitudes of one state. Only
// element-wise work is split; reductions stay serial so that sums are bitwise identical
// whatever the thread count.
#pragma once

#include <cstddef>
#include <cstdint>

namespace quddpm::par {

// Number of threads the policy may use (defaults to OpenMP's).
int max_threads();
void set_max_threads(int n);

// Index of the calling thread in the current region (0 outside one), for per-thread
// workspaces sized max_threads().
int thread_index();

// True inside a parallel region opened by this policy (kernels then stay serial).
bool in_parallel();

// Amplitude loops shorter than this are never split: the fork costs more than it saves.
constexpr std::int64_t kMinParallelAmplitudes = std::int64_t{1} << 14;

// A loop over states with less work than this in all (amplitude updates or complex
// multiply-adds, the callers' estimate) runs on the calling thread. Threads then cost more than
// they save: a fork and join on an idle machine, and, when other processes share the cores,
// a whole scheduler time slice whenever the join waits for a thread that was parked (measured
// in results/bench/: a training epoch at n <= 4 is 2-75x slower on two threads under load).
constexpr double kMinParallelWork = 1 << 23;
// The work of a loop whose callers give no estimate: always enough to split.
constexpr double kUnknownWork = 1e300;

// Calls f(i) for i in [0, n), over states: parallel when n >= 2, threads > 1 and
// n * work_per_state >= kMinParallelWork, on a pool whose join never waits for a thread that
// has not started (parallel.cpp).
template <class F>
void for_each_state(std::int64_t n, F&& f, double work_per_state = kUnknownWork);

// Calls f(lo, hi) on contiguous pieces covering [0, n), over amplitudes: split across
// threads only for long loops, outside another parallel region, with more than one thread.
template <class F>
void for_each_amplitude_range(std::int64_t n, F&& f);

namespace detail {
// Runs call(context, i) for every i in [0, n) on the calling thread and the pool's workers.
void run_on_pool(std::int64_t n, void (*call)(void*, std::int64_t), void* context);
}  // namespace detail

}  // namespace quddpm::par

#include "core/parallel_impl.hpp"
