#include "app/cli/mpi/processes.hpp"

#include <mpi.h>

#include <climits>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/distributed.hpp"

namespace quddpm::app::mpi {

namespace {

class World final : public dist::ProcessGroup {
 public:
  World() {
    MPI_Comm_rank(MPI_COMM_WORLD, &rank_);
    MPI_Comm_size(MPI_COMM_WORLD, &size_);
  }
  int rank() const override { return rank_; }
  int size() const override { return size_; }

  void allgather(const double* mine, const std::vector<std::int64_t>& counts,
                 double* all) const override {
    std::vector<int> n(size_), at(size_);
    std::int64_t offset = 0;
    for (int r = 0; r < size_; ++r) {
      if (counts[r] > INT_MAX || offset > INT_MAX)
        throw std::runtime_error("MPI: more than 2^31 values to gather per process");
      n[r] = static_cast<int>(counts[r]);
      at[r] = static_cast<int>(offset);
      offset += counts[r];
    }
    MPI_Allgatherv(mine, n[rank_], MPI_DOUBLE, all, n.data(), at.data(), MPI_DOUBLE,
                   MPI_COMM_WORLD);
  }

  bool any(bool mine) const override {
    int in = mine ? 1 : 0, out = 0;
    MPI_Allreduce(&in, &out, 1, MPI_INT, MPI_LOR, MPI_COMM_WORLD);
    return out != 0;
  }

  std::string broadcast(const std::string& text, int root) const override {
    long long length = static_cast<long long>(text.size());
    MPI_Bcast(&length, 1, MPI_LONG_LONG, root, MPI_COMM_WORLD);
    std::string out = rank_ == root ? text : std::string(static_cast<std::size_t>(length), '\0');
    MPI_Bcast(out.data(), static_cast<int>(length), MPI_CHAR, root, MPI_COMM_WORLD);
    return out;
  }

 private:
  int rank_ = 0, size_ = 1;
};

}  // namespace

void init(int* argc, char*** argv) {
  int provided = 0;
  MPI_Init_thread(argc, argv, MPI_THREAD_FUNNELED, &provided);
  dist::set_processes(std::make_shared<World>());
}

void finalize() {
  dist::set_processes(nullptr);
  MPI_Finalize();
}

void abort(int status) {
  MPI_Abort(MPI_COMM_WORLD, status);
  std::_Exit(status);
}

}  // namespace quddpm::app::mpi
