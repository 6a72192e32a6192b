// The process's memory allocation policy (the one place that tunes the allocator).
#pragma once

namespace quddpm {

// Keeps freed blocks of up to 32 MB in the process instead of returning them to the system.
// An epoch allocates and frees the same Gram and coefficient matrices every time (hundreds of
// KB at N = 100-500); glibc's defaults map each block above 128 KB afresh and trim the heap
// after it is freed, so every epoch paid for page faults: 40% of an n = 1 epoch, 13% at n = 4
// (results/bench/allocation.md). The memory held back is at most the largest epoch's
// temporaries plus 64 MB. Call once, at the start of main.
void retain_freed_memory();

}  // namespace quddpm
