#include "core/parallel.hpp"

#include <omp.h>

#include <algorithm>

namespace quddpm::par {

namespace {
int g_threads = 0;  // 0: not set, use OpenMP's default
}

int max_threads() {
  return g_threads > 0 ? g_threads : std::max(1, omp_get_max_threads());
}

void set_max_threads(int n) {
  g_threads = std::max(1, n);
}

int thread_index() {
  return omp_get_thread_num();
}

bool in_parallel() {
  return omp_in_parallel() != 0;
}

}  // namespace quddpm::par
