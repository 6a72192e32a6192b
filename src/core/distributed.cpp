#include "core/distributed.hpp"

#include <algorithm>
#include <exception>

namespace quddpm::dist {

namespace {

class SingleProcess final : public ProcessGroup {
 public:
  int rank() const override { return 0; }
  int size() const override { return 1; }
  void allgather(const double* mine, const std::vector<std::int64_t>& counts,
                 double* all) const override {
    if (mine != all) std::copy(mine, mine + counts.at(0), all);
  }
  bool any(bool mine) const override { return mine; }
  std::string broadcast(const std::string& text, int) const override { return text; }
};

std::shared_ptr<const ProcessGroup>& slot() {
  static std::shared_ptr<const ProcessGroup> group = std::make_shared<SingleProcess>();
  return group;
}

bool g_failure_agreed = false;

std::string message_of(std::exception_ptr e) {
  try {
    std::rethrow_exception(e);
  } catch (const std::exception& x) {
    return x.what();
  } catch (...) {
    return "unknown error";
  }
}

}  // namespace

const ProcessGroup& processes() {
  return *slot();
}

void set_processes(std::shared_ptr<const ProcessGroup> group) {
  slot() = std::move(group);
}

Shard shard_of(std::int64_t n, int rank, int size) {
  return {n * rank / size, n * (rank + 1) / size};
}

Shard my_shard(std::int64_t n) {
  const ProcessGroup& g = processes();
  return shard_of(n, g.rank(), g.size());
}

void gather_rows(double* rows, std::int64_t n, std::int64_t row_len) {
  const ProcessGroup& g = processes();
  if (g.size() == 1) return;
  std::vector<std::int64_t> counts(g.size());
  for (int r = 0; r < g.size(); ++r) {
    const Shard s = shard_of(n, r, g.size());
    counts[r] = (s.hi - s.lo) * row_len;
  }
  const Shard mine = my_shard(n);
  // The own rows are copied out first: MPI may not read and write one buffer at once.
  const std::vector<double> own(rows + mine.lo * row_len, rows + mine.hi * row_len);
  g.allgather(own.data(), counts, rows);
}

bool failure_agreed() {
  return g_failure_agreed;
}

void agree(std::exception_ptr mine) {
  const ProcessGroup& g = processes();
  if (g.size() == 1) {
    if (mine) {
      g_failure_agreed = true;
      std::rethrow_exception(mine);
    }
    return;
  }
  if (!g.any(mine != nullptr)) return;
  g_failure_agreed = true;
  // The lowest failing process: every process learns which from the failure flags.
  std::vector<std::int64_t> counts(g.size(), 1);
  std::vector<double> failed(g.size());
  const double flag = mine ? 1.0 : 0.0;
  g.allgather(&flag, counts, failed.data());
  const int first = static_cast<int>(std::find(failed.begin(), failed.end(), 1.0) - failed.begin());
  const std::string text = g.broadcast(mine ? message_of(mine) : std::string(), first);
  if (g.rank() == first && first == 0) std::rethrow_exception(mine);
  if (g.rank() == 0) throw std::runtime_error(text);
  throw PeerFailed();
}

}  // namespace quddpm::dist
