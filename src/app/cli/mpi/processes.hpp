// The MPI side of the process groups (core/distributed.hpp), in the MPI build only
// (-DQUDDPM_MPI=ON): MPI_COMM_WORLD's ranks, one process group.
#pragma once

namespace quddpm::app::mpi {

// MPI_Init_thread (funneled: only the main thread calls MPI; OpenMP threads never do) and the
// world communicator installed as the process group.
void init(int* argc, char*** argv);
// MPI_Finalize: after an error every process knows about (or none).
void finalize();
// MPI_Abort on the world communicator: after an error only this process knows about, so that
// none waits for it forever.
[[noreturn]] void abort(int status);

}  // namespace quddpm::app::mpi
