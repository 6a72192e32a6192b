// Template bodies of the parallelism policy (parallel.hpp); OpenMP stays inside here.
#pragma once

#include <omp.h>

#include <type_traits>

namespace quddpm::par {

template <class F>
void for_each_state(std::int64_t n, F&& f, double work_per_state) {
  if (max_threads() > 1 && n > 1 && !in_parallel() &&
      static_cast<double>(n) * work_per_state >= kMinParallelWork) {
    // The pool hands out states one at a time; results do not depend on which thread takes
    // which state.
    using Body = std::remove_reference_t<F>;
    detail::run_on_pool(
        n, [](void* body, std::int64_t i) { (*static_cast<Body*>(body))(i); },
        const_cast<void*>(static_cast<const void*>(&f)));
  } else {
    for (std::int64_t i = 0; i < n; ++i)
      f(i);
  }
}

template <class F>
void for_each_amplitude_range(std::int64_t n, F&& f) {
  const int threads = max_threads();
  if (threads > 1 && n >= kMinParallelAmplitudes && !in_parallel()) {
#pragma omp parallel num_threads(threads)
    {
      const std::int64_t nt = omp_get_num_threads();
      const std::int64_t id = omp_get_thread_num();
      const std::int64_t lo = n * id / nt;
      const std::int64_t hi = n * (id + 1) / nt;
      if (lo < hi) f(lo, hi);
    }
  } else if (n > 0) {
    f(std::int64_t{0}, n);
  }
}

}  // namespace quddpm::par
