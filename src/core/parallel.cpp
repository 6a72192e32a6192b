#include "core/parallel.hpp"

#include <omp.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

namespace quddpm::par {

namespace {

int g_threads = 0;  // 0: not set, use OpenMP's default

// The calling thread's place in a pool job (index 0 is the thread that started it).
thread_local bool t_in_job = false;
thread_local int t_index = 0;

// Workers that help with a loop over states, and never hold it up: the thread that starts a
// job claims indices itself, and when none are left it waits only for the indices a worker
// has already claimed. A worker the scheduler has parked (other processes on the cores) joins
// late or not at all, where an OpenMP join would wait a time slice for it.
class Pool {
 public:
  explicit Pool(int workers) {
    for (int w = 1; w <= workers; ++w)
      threads_.emplace_back([this, w] { work(w); });
  }

  ~Pool() {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      stop_ = true;
      published_.store(++generation_);
    }
    wake_.notify_all();
    for (std::thread& t : threads_)
      t.join();
  }

  int size() const { return static_cast<int>(threads_.size()) + 1; }

  void run(std::int64_t n, void (*call)(void*, std::int64_t), void* context) {
    call_ = call;
    context_ = context;
    n_ = n;
    next_.store(0);
    open_.store(true);  // after the job's fields: a worker that sees it open sees them
    {
      std::lock_guard<std::mutex> lock(mutex_);
      published_.store(++generation_);
    }
    wake_.notify_all();
    claim(0);
    open_.store(false);
    // Only workers that counted themselves in before the close can still hold an index.
    while (active_.load() != 0)
      std::this_thread::yield();
  }

 private:
  void claim(int index) {
    t_in_job = true;
    t_index = index;
    for (std::int64_t i = next_.fetch_add(1); i < n_; i = next_.fetch_add(1))
      call_(context_, i);
    t_in_job = false;
    t_index = 0;
  }

  void work(int index) {
    std::uint64_t seen = 0;
    for (;;) {
      // A short spin first: loops over states come in bursts (an epoch's passes), and a
      // sleeping worker takes tens of microseconds to wake.
      for (int spin = 0; spin < kSpins && published_.load() == seen; ++spin)
        std::this_thread::yield();
      {
        std::unique_lock<std::mutex> lock(mutex_);
        wake_.wait(lock, [&] { return generation_ != seen; });
        seen = generation_;
        if (stop_) return;
      }
      active_.fetch_add(1);
      if (open_.load()) claim(index);
      active_.fetch_sub(1);
    }
  }

  std::vector<std::thread> threads_;
  std::mutex mutex_;
  std::condition_variable wake_;
  static constexpr int kSpins = 64;
  std::uint64_t generation_ = 0;             // guarded by mutex_
  std::atomic<std::uint64_t> published_{0};  // generation_, for the spin
  bool stop_ = false;                        // guarded by mutex_
  void (*call_)(void*, std::int64_t) = nullptr;
  void* context_ = nullptr;
  std::int64_t n_ = 0;
  std::atomic<std::int64_t> next_{0};
  std::atomic<bool> open_{false};
  std::atomic<int> active_{0};
};

std::mutex g_pool_mutex;  // one job at a time; a second caller runs its loop itself
std::unique_ptr<Pool> g_pool;

}  // namespace

int max_threads() {
  return g_threads > 0 ? g_threads : std::max(1, omp_get_max_threads());
}

void set_max_threads(int n) {
  g_threads = std::max(1, n);
}

int thread_index() {
  return t_in_job ? t_index : omp_get_thread_num();
}

bool in_parallel() {
  return t_in_job || omp_in_parallel() != 0;
}

namespace detail {

void run_on_pool(std::int64_t n, void (*call)(void*, std::int64_t), void* context) {
  std::unique_lock<std::mutex> lock(g_pool_mutex, std::try_to_lock);
  if (!lock.owns_lock()) {
    for (std::int64_t i = 0; i < n; ++i)
      call(context, i);
    return;
  }
  const int threads = max_threads();
  if (!g_pool || g_pool->size() != threads) {
    g_pool.reset();
    g_pool = std::make_unique<Pool>(threads - 1);
  }
  g_pool->run(n, call, context);
}

}  // namespace detail

}  // namespace quddpm::par
