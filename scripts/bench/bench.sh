#!/usr/bin/env bash
# Benchmarks (not tests): builds Release (the default, portable build), then runs the Google
# Benchmark suite once per SIMD instruction set this CPU supports (QUDDPM_ISA forces the lower
# ones), writing results/bench/<isa>/{kernels,epochs}-<round>.json, results/bench/bench.csv and
# results/bench/table.md (per instruction set: the clock, gate kernels in ns and cycles per
# amplitude, epochs against their FMA-bound limit, single against double, the evaluation metrics
# over N = 10,000 states at n = 4 and 2,000 at n = 10 against theirs), then prints the
# table. The fastest instruction set also runs the 20- and 24-qubit kernels and the n = 16
# epoch (its peak memory measured in its own process). With python3-torch installed, a batched
# PyTorch epoch of the same model (scripts/bench/torch_epoch.py) at n = 7 and 10 gives the ratio.
#
# Usage: scripts/bench/bench.sh [--quick] [--isa "avx512 avx2"] [--kernel-rounds N] [--epoch-rounds N]
#   --quick         13-qubit kernels and the n = 4, 7, 10 epochs only, written to build/bench-quick
#   --isa           the instruction sets to run (default: every SIMD one `quddpm --version` lists)
#   --kernel-rounds rounds of the kernel stage (default 3, about 4 minutes each with three
#                   instruction sets) and --epoch-rounds of the epoch stage (default 4, about 2
#                   minutes each): more of them catch more of a shared machine's quiet moments
set -euo pipefail
cd "$(dirname "$0")/../.."
quick=0 isas="" kernel_rounds=3 epoch_rounds=4
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) quick=1; shift ;;
    --isa) isas="${2:?}"; shift 2 ;;
    --kernel-rounds | --epoch-rounds)
      [[ "${2:-}" =~ ^[1-9][0-9]*$ ]] ||
        { echo "bench.sh: $1 wants a positive integer, got '${2:-}'" >&2; exit 2; }
      if [ "$1" = --kernel-rounds ]; then kernel_rounds=$2; else epoch_rounds=$2; fi
      shift 2 ;;
    -h|--help) sed -n '2,17p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "bench.sh: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
done
scripts/setup/setup.sh >/dev/null
out=results/bench
# A quick run is a check, not a record: it goes to the build tree.
[ "$quick" = 1 ] && out=build/bench-quick
mkdir -p "$out"
bench=./build/quddpm_bench

if [ -z "$isas" ]; then
  # "kernels: avx512 (this CPU supports: avx512, avx2, sse4, portable; ...)"
  isas=$(./build/quddpm --version | sed -n 's/.*this CPU supports: \([^;]*\);.*/\1/p' | tr -d ',')
  isas=${isas% portable}
fi
best=${isas%% *}

kernels='BM_CycleTime|BM_Apply1q/(13|16)/|BM_Apply1qSingle/(13|16)/|BM_Apply1qReference|BM_AdjointUndo|BM_CzLadders/1[03]|BM_LastGateWithCz/1[03]|BM_LastAdjointWithCz'
epochs='BM_TrainingEpoch(Single)?/(4|7|10)/|BM_ForwardPass|BM_ForwardDiffusion|BM_Mmd(Grams|Combine)/10/|BM_(OverlapSqCross|OverlapSqSelf|MmdMetric|MmdToHaar)/(4/10000|10/2000)/2/'
[ "$quick" = 1 ] && kernels='BM_CycleTime|BM_Apply1q/13/|BM_Apply1qSingle/13/|BM_AdjointUndo|BM_LastGateWithCz/13'

# Minimum over repetitions: the least disturbed run on a shared machine (a virtual machine's
# neighbours move single runs by tens of percent, and their load comes and goes over minutes);
# the maximum is kept too (the spread). Both stages run in rounds that take the instruction
# sets in turn, so that each one's minimum comes from several moments of the run (one stretch
# per instruction set once put the same build's epoch 10% apart in two runs). Kernels: 3
# rounds (--kernel-rounds) of 5 short repetitions, interleaved at random across the
# benchmarks; epochs: 4 rounds (--epoch-rounds) of 3 longer ones.
rounds_k=$kernel_rounds rounds_e=$epoch_rounds
[ "$quick" = 1 ] && rounds_k=1 rounds_e=1
for isa in $isas; do
  mkdir -p "$out/$isa"
  # the files of earlier versions of this script and of an earlier run
  rm -f "$out/$isa/bench.json" "$out/$isa/kernels.json" "$out/$isa"/kernels-*.json \
    "$out/$isa/epochs.json" "$out/$isa"/epochs-*.json
done
# The benchmarks of a stage for one instruction set: the fastest one also runs the 20- and
# 24-qubit kernels and every CZ size.
filter_of() {
  if [ "$1" = epochs ]; then
    echo "$epochs"
  elif [ "$2" = "$best" ] && [ "$quick" = 0 ]; then
    echo "$kernels|BM_Apply1q/(20|24)/|BM_CzLadders|BM_LastGateWithCz"
  else
    echo "$kernels"
  fi
}
# run_rounds STAGE ROUNDS REPETITIONS MIN_TIME, into $out/<isa>/STAGE-<round>.json
run_rounds() {
  local round isa
  for round in $(seq "$2"); do
    for isa in $isas; do
      echo "bench.sh: $1, round $round of $2, $isa" >&2
      QUDDPM_ISA=$isa "$bench" --benchmark_filter="$(filter_of "$1" "$isa")" \
        --benchmark_repetitions="$3" --benchmark_min_time="$4" \
        --benchmark_enable_random_interleaving=true \
        --benchmark_out="$out/$isa/$1-$round.json" --benchmark_out_format=json >/dev/null
    done
  done
}
run_rounds kernels "$rounds_k" 5 0.05
run_rounds epochs "$rounds_e" 3 0.2

if [ "$quick" = 0 ]; then
  /usr/bin/time -f '%M' -o "$out/$best/epoch16.maxrss_kb" \
    env QUDDPM_ISA="$best" "$bench" --benchmark_filter='BM_TrainingEpoch/16/' \
    --benchmark_out="$out/$best/epoch16.json" --benchmark_out_format=json >/dev/null
fi

# The batched PyTorch peer (complex64, 2 threads), when Debian's python3-torch is installed:
# the same-run ratio is taken against the epochs measured just above.
rm -f "$out/torch.jsonl"
if /usr/bin/python3 -c 'import torch' 2>/dev/null; then
  for n in 7 10; do
    /usr/bin/python3 scripts/bench/torch_epoch.py --qubits "$n" --threads 2 >>"$out/torch.jsonl"
  done
fi

PYTHONPATH=scripts /usr/bin/python3 -m quddpm.bench_table "$out" $isas
