#!/usr/bin/env bash
# The training epoch at small n on 1 and 2 threads, on a quiet machine and with competing load
# this script starts itself: K busy processes (default 2, one per core of the development
# machine) at normal priority, for the length of the benchmark. Prints one Markdown row per
# epoch: n, then the real time per epoch for each binary given, 1 and 2 threads, quiet and
# loaded. Several binaries (a before and an after) are run alternately in one go, so they see
# the same machine. Background work of your own (other runs) should be paused meanwhile.
#
# Usage: scripts/bench/bench_under_load.sh [--load K] [--qubits "1 2 3 4 7"] BENCH [BENCH...]
#   BENCH: a quddpm_bench executable (build/quddpm_bench)
set -euo pipefail
load=2 qubits="1 2 3 4 7"
while [ $# -gt 0 ]; do
  case "$1" in
    --load) [[ "${2:-}" =~ ^[0-9]+$ ]] || { echo "bench_under_load.sh: --load wants a count, got '${2:-}'" >&2; exit 2; }
            load=$2; shift 2 ;;
    --qubits) qubits="${2:?--qubits wants a list such as \"1 4 7\"}"; shift 2 ;;
    -h|--help) sed -n '2,10p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    -*) echo "bench_under_load.sh: unknown option '$1' (see --help)" >&2; exit 2 ;;
    *) break ;;
  esac
done
[ $# -ge 1 ] || { echo "bench_under_load.sh: expected at least one quddpm_bench executable" >&2; exit 2; }
for b in "$@"; do [ -x "$b" ] || { echo "bench_under_load.sh: $b: not an executable" >&2; exit 2; }; done
py=/usr/bin/python3
busy=()
stop_load() { [ ${#busy[@]} = 0 ] || kill "${busy[@]}" 2> /dev/null || true; busy=(); }
trap stop_load EXIT

# ms per epoch of BM_TrainingEpoch/<n>/<threads> from one benchmark run.
epoch_ms() {
  "$1" --benchmark_filter="^BM_TrainingEpoch/$2/$3/" --benchmark_min_time=0.5 \
    --benchmark_format=json 2> /dev/null |
    "$py" -c 'import json,sys; b=json.load(sys.stdin)["benchmarks"][0]; print("%.2f" % (b["real_time"] * {"ns":1e-6,"us":1e-3,"ms":1.0,"s":1e3}[b["time_unit"]]))'
}

declare -A quiet loaded
for phase in quiet loaded; do
  if [ "$phase" = loaded ]; then
    for _ in $(seq "$load"); do (while :; do :; done) & busy+=($!); done
  fi
  for n in $qubits; do
    for t in 1 2; do
      for k in $(seq 0 $(($# - 1))); do
        b=("$@"); v=$(epoch_ms "${b[$k]}" "$n" "$t")
        if [ "$phase" = quiet ]; then quiet[$n,$t,$k]=$v; else loaded[$n,$t,$k]=$v; fi
      done
    done
  done
  stop_load
done

header="| n |" rule="|---|"
for k in $(seq 0 $(($# - 1))); do
  for phase in quiet "loaded ($load busy)"; do
    for t in 1 2; do header+=" #$((k + 1)) $phase, $t thr |"; rule+="---|"; done
  done
done
echo "$header"; echo "$rule"
for n in $qubits; do
  row="| $n |"
  for k in $(seq 0 $(($# - 1))); do
    row+=" ${quiet[$n,1,$k]} | ${quiet[$n,2,$k]} | ${loaded[$n,1,$k]} | ${loaded[$n,2,$k]} |"
  done
  echo "$row"
done
