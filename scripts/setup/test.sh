#!/usr/bin/env bash
# The README's test command: set up and build (build/, and the MPI build in build-mpi/ with
# Debian's Open MPI), start the local one-node Slurm cluster for the cluster tests
# (scripts/setup/local_slurm.sh; installs slurm-wlm and munge when missing; stopped again afterwards,
# also on failure), and run the whole test suite with ctest, then the MPI test in build-mpi/.
# QUDDPM_NO_SLURM=1 skips the cluster (its tests then report "skipped").
set -euo pipefail
cd "$(dirname "$0")/../.."
scripts/setup/setup.sh
scripts/setup/install_packages.sh openmpi-bin libopenmpi-dev
cmake -S . -B build-mpi -DCMAKE_BUILD_TYPE=Release -DQUDDPM_MPI=ON \
  -DQUDDPM_REFERENCE_BINARY="$PWD/build/quddpm" > /dev/null
cmake --build build-mpi -j"$(nproc)" --target quddpm
if [ "${QUDDPM_NO_SLURM:-0}" != 1 ]; then
  slurm_dir="$(mktemp -d /tmp/quddpm-slurm-test.XXXXXX)"
  trap 'scripts/setup/local_slurm.sh stop --dir "$slurm_dir" > /dev/null; rm -rf "$slurm_dir"' EXIT
  scripts/setup/local_slurm.sh start --dir "$slurm_dir" > /dev/null
  export SLURM_CONF="$slurm_dir/slurm.conf"
fi
ctest --test-dir build --output-on-failure -j"$(nproc)"
ctest --test-dir build-mpi -R '^MpiBitwise$' --output-on-failure
