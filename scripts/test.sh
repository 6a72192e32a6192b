#!/usr/bin/env bash
# The README's test command: set up, build, start the local one-node Slurm cluster for the
# cluster tests (scripts/local_slurm.sh; installs slurm-wlm and munge when missing; stopped
# again afterwards, also on failure), and run the whole test suite with ctest.
# QUDDPM_NO_SLURM=1 skips the cluster (its tests then report "skipped").
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
if [ "${QUDDPM_NO_SLURM:-0}" != 1 ]; then
  slurm_dir="$(mktemp -d /tmp/quddpm-slurm-test.XXXXXX)"
  trap 'scripts/local_slurm.sh stop --dir "$slurm_dir" > /dev/null; rm -rf "$slurm_dir"' EXIT
  scripts/local_slurm.sh start --dir "$slurm_dir" > /dev/null
  export SLURM_CONF="$slurm_dir/slurm.conf"
fi
ctest --test-dir build --output-on-failure -j"$(nproc)"
