#!/usr/bin/env bash
# Benchmarks (not tests): builds Release, runs the Google Benchmark suite and writes
# results/bench/bench.json, results/bench/bench.csv and results/bench/table.md, then prints
# the table. The n = 16 training epoch runs in its own process so that its peak memory can be
# measured. Usage: scripts/bench.sh [--quick]   (--quick: skip the 20- and 24-qubit kernels
# and the n = 16 epoch, and write to build/bench-quick instead of results/bench)
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh >/dev/null
out=results/bench
# A quick run is a check, not a record: it goes to the build tree.
[ "${1:-}" = "--quick" ] && out=build/bench-quick
mkdir -p "$out"
bench=./build/quddpm_bench

filter='BM_Apply1q|BM_Apply1qReference|BM_AdjointUndo|BM_CzLadders|BM_LastGateWithCz|BM_ForwardPass|BM_ForwardDiffusion|BM_TrainingEpoch/(4|7|10)/'
[ "${1:-}" = "--quick" ] && filter='BM_Apply1q/(10|13|16)/|BM_Apply1qReference|BM_AdjointUndo|BM_CzLadders/1|BM_LastGateWithCz/1|BM_ForwardPass|BM_ForwardDiffusion|BM_TrainingEpoch/(4|7|10)/'

# Minimum over repetitions: the least disturbed run of a kernel on a shared machine.
"$bench" --benchmark_filter="$filter" --benchmark_repetitions=3 \
  --benchmark_out="$out/bench.json" --benchmark_out_format=json >/dev/null

if [ "${1:-}" != "--quick" ]; then
  /usr/bin/time -f '%M' -o "$out/epoch16.maxrss_kb" \
    "$bench" --benchmark_filter='BM_TrainingEpoch/16/' \
    --benchmark_out="$out/epoch16.json" --benchmark_out_format=json >/dev/null
fi

/usr/bin/python3 scripts/bench_table.py "$out"
