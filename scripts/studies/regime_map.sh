#!/usr/bin/env bash
# Maps where the improved QuDDPM denoises: initialization scale c (theta ~ U[-c/L, c/L]) x number
# of diffusion steps T, with T x epochs-per-cycle fixed (the same training budget in every
# cell), the calibrated schedule (end "auto") and the original model at the same T as the
# reference. Runs go through scripts/sweep/sweep.sh; the tidy CSVs of every grid under DIR are merged
# into DIR/*.csv with a column diffusion.steps (and circuit.init.c = none for the original).
#
#   scripts/studies/regime_map.sh --qubits N [--cs "1 3 5 L"] [--steps "1 3 10 30"] [--seeds "1 2 3"]
#                         [--models "improved original"] [--budget 3000] [--samples 200]
#                         [--set key=value]... [--jobs J] [--threads T] [--out DIR] [--bin PATH]
#
# c = L means U[-1, 1] (L = 2 (n + 3), the default layer count with 3 ancillas). Each call puts
# its runs in DIR/n<N>_T<T>_<model>_seeds<...>[_c<...>]/; calling again with more seeds or cells
# adds folders, and finished runs are skipped. Then: python3 -m quddpm.regime_map DIR draws the maps.
set -uo pipefail

usage() { sed -n '2,15p' "$0" | sed 's/^# \{0,1\}//'; }
die() { echo "regime_map.sh: $*" >&2; exit 2; }

here="$(cd "$(dirname "$0")/../.." && pwd)"
qubits="" cs="1 3 5 L" steps="1 3 10 30" seeds="1 2 3" models="improved original"
budget=3000 samples=200 jobs="" threads="" out="results/regime" bin=""
sets=()
source "$here/scripts/studies/options.sh"
while [ $# -gt 0 ]; do
  if study_option "$@"; then shift 2; continue; fi
  case "$1" in
    --cs) cs="${2:?}"; shift 2 ;;
    --models) models="${2:?}"; shift 2 ;;
    --budget) budget="${2:?}"; shift 2 ;;
    --samples) samples="${2:?}"; shift 2 ;;
    --set) sets+=(--set "${2:?}"); shift 2 ;;
    -h|--help) usage; exit 0 ;;
    *) die "unknown argument '$1' (see --help)" ;;
  esac
done
[[ "$qubits" =~ ^[1-9][0-9]*$ ]] || die "--qubits: expected one positive integer, found '$qubits'"
[[ "$budget" =~ ^[1-9][0-9]*$ ]] || die "--budget: expected a positive integer, found '$budget'"
layers=$((2 * (qubits + 3)))
clist=""
for c in $cs; do
  [ "$c" = L ] && c=$layers
  clist+="${clist:+,}$c"
done
slist="${seeds// /,}"
bin_args=()
[ -n "$bin" ] && bin_args=(--bin "$bin")

failed=0
for T in $steps; do
  [[ "$T" =~ ^[1-9][0-9]*$ ]] || die "--steps: '$T' is not a positive integer"
  [ $((budget % T)) -eq 0 ] || die "--steps: $T does not divide the budget $budget"
  common=(--qubits "$qubits" --set "diffusion.steps=$T" --set "training.epochs=$((budget / T))"
          --set "training.samples=$samples" "${sets[@]+"${sets[@]}"}" --sweep "seed=$slist"
          ${jobs:+--jobs "$jobs"} ${threads:+--threads "$threads"} "${bin_args[@]+"${bin_args[@]}"}")
  for model in $models; do
    case "$model" in
      improved)
        "$here/scripts/sweep/sweep.sh" "$here/configs/improved_n4.json" --models improved "${common[@]}" \
          --sweep "circuit.init.c=$clist" --out "$out/n${qubits}_T${T}_improved_seeds${slist}_c${clist}" \
          || failed=1 ;;
      original)
        "$here/scripts/sweep/sweep.sh" "$here/configs/original_n4.json" --models original "${common[@]}" \
          --out "$out/n${qubits}_T${T}_original_seeds${slist}" || failed=1 ;;
      *) die "--models: '$model' is not original or improved" ;;
    esac
  done
done

# One tidy table per kind over every grid in DIR, tagged with its T.
grids=()
for g in "$out"/n*_T*_*; do
  [ -f "$g/cycles.csv" ] || continue
  T="${g##*/}"; T="${T#*_T}"; T="${T%%_*}"
  grids+=("$g:diffusion.steps=$T")
done
[ ${#grids[@]} -gt 0 ] || die "$out: no finished grid to merge"
env PYTHONPATH="$here/scripts" /usr/bin/python3 -m quddpm.merge_sweeps "$out" "${grids[@]}" \
  --fill circuit.init.c original=none || failed=1
exit $failed
