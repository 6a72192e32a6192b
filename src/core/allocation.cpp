#include "core/allocation.hpp"

#include <malloc.h>

namespace quddpm {

void retain_freed_memory() {
#if defined(__GLIBC__)
  mallopt(M_MMAP_THRESHOLD, 32 << 20);  // blocks up to 32 MB from the heap, reused when freed
  mallopt(M_TRIM_THRESHOLD, 64 << 20);  // and up to 64 MB of free heap kept for the next epoch
#endif
}

}  // namespace quddpm
