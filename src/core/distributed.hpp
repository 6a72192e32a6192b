// The second level of parallelism: processes (MPI ranks), each with its own threads. An
// ensemble's states are split into contiguous shards, one per process; each process works on
// its shard, and the shards' results are gathered back in state order, so every later sum runs
// over the same numbers in the same order whatever the number of processes (results are
// bitwise those of one process). The core knows only this interface; the app installs an MPI
// implementation when built with it.
#pragma once

#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

namespace quddpm::dist {

class ProcessGroup {
 public:
  virtual ~ProcessGroup() = default;
  virtual int rank() const = 0;
  virtual int size() const = 0;
  // Collective: every process passes the same `counts` (values per process, in process order)
  // and its own count[rank()] values; `all` receives every process's values in process order.
  virtual void allgather(const double* mine, const std::vector<std::int64_t>& counts,
                         double* all) const = 0;
  // Collective: true on every process when it is true on any.
  virtual bool any(bool mine) const = 0;
  // Collective: `text` of process `root` on every process.
  virtual std::string broadcast(const std::string& text, int root) const = 0;
};

// The group in use: a single process unless set_processes() installed another.
const ProcessGroup& processes();
void set_processes(std::shared_ptr<const ProcessGroup> group);

// States [lo, hi) of process `rank` of `size` among n: contiguous, sizes differing by at most 1.
struct Shard {
  std::int64_t lo, hi;
};
Shard shard_of(std::int64_t n, int rank, int size);
// This process's shard of n states.
Shard my_shard(std::int64_t n);

// Collective: each process filled rows [my_shard(n).lo, hi) of `rows` (n rows of `row_len`
// doubles, row-major); afterwards every process holds all n rows.
void gather_rows(double* rows, std::int64_t n, std::int64_t row_len);

// Another process failed (it reports the failure; this one only stops).
class PeerFailed : public std::runtime_error {
 public:
  PeerFailed() : std::runtime_error("another process failed") {}
};

// Collective, after work that may fail on some processes: returns when none failed. Otherwise
// the lowest failing process's error is rethrown on process 0 (as std::runtime_error with its
// message, when it came from another process) and PeerFailed on the others, so that exactly one
// process reports it.
void agree(std::exception_ptr mine);
// True once agree() has seen a failure: every process knows, so each may simply end.
bool failure_agreed();

}  // namespace quddpm::dist
