#!/usr/bin/env bash
# Ways out of the small-angle trap (the paper's open question on expressiveness), each at the
# regime map's budget (T x epochs = 3000, N = 200, calibrated schedule) so that its cells compare
# with results/regime:
#   ancilla  - small angles on the data qubits (c = 1) but U[-1, 1] on the ancillas
#              (circuit.init.ancilla_c = L): the measurement acts non-unitarily from the start;
#   states   - less finite-sample noise in the loss: N = 500 states per epoch from forward
#              ensembles of 1000 (the estimator's offset and noise fall as 1/N);
#   both     - the two together.
# Each at T = 30 (the paper's step count) and T = 3 (fewer, larger steps).
#
#   scripts/studies/variants.sh [--qubits N] [--seeds "1 2 3"] [--steps "30 3"] [--jobs J]
#                       [--threads T] [--out DIR] [--bin PATH]
#
# Runs go through scripts/sweep/sweep.sh into DIR/n<N>_T<T>_<variant>/ and are merged into
# DIR/*.csv with columns variant and diffusion.steps; scripts/quddpm/regime_map.py-style tables come
# from python3 -m quddpm.summarize DIR.
set -uo pipefail

usage() { sed -n '2,18p' "$0" | sed 's/^# \{0,1\}//'; }
die() { echo "variants.sh: $*" >&2; exit 2; }

here="$(cd "$(dirname "$0")/../.." && pwd)"
qubits=4 seeds="1 2 3" steps="30 3" jobs="" threads="" out="results/variants" bin=""
source "$here/scripts/studies/options.sh"
while [ $# -gt 0 ]; do
  if study_option "$@"; then shift 2; continue; fi
  case "$1" in
    -h|--help) usage; exit 0 ;;
    *) die "unknown argument '$1' (see --help)" ;;
  esac
done
[[ "$qubits" =~ ^[1-9][0-9]*$ ]] || die "--qubits: expected one positive integer, found '$qubits'"
layers=$((2 * (qubits + 3)))
bin_args=()
[ -n "$bin" ] && bin_args=(--bin "$bin")

declare -A variant_sets=(
  [ancilla]="circuit.init.ancilla_c=$layers training.samples=200"
  [states]="training.samples=500 training.diffusion_size=1000"
  [both]="circuit.init.ancilla_c=$layers training.samples=500 training.diffusion_size=1000"
)
failed=0
merged=()
for T in $steps; do
  [[ "$T" =~ ^[1-9][0-9]*$ ]] && [ $((3000 % T)) -eq 0 ] || die "--steps: '$T' must divide 3000"
  for v in ancilla states both; do
    sets=(--set "diffusion.steps=$T" --set "training.epochs=$((3000 / T))")
    for kv in ${variant_sets[$v]}; do sets+=(--set "$kv"); done
    dir="$out/n${qubits}_T${T}_$v"
    "$here/scripts/sweep/sweep.sh" "$here/configs/improved_n4.json" --models improved --qubits "$qubits" \
      "${sets[@]}" --sweep "seed=${seeds// /,}" ${jobs:+--jobs "$jobs"} ${threads:+--threads "$threads"} \
      "${bin_args[@]+"${bin_args[@]}"}" --out "$dir" || failed=1
  done
done
for g in "$out"/n*_T*_*; do
  [ -f "$g/cycles.csv" ] || continue
  name="${g##*/}"; T="${name#*_T}"; T="${T%%_*}"
  merged+=("$g:diffusion.steps=$T,variant=${name##*_}")
done
[ ${#merged[@]} -gt 0 ] || die "$out: nothing finished to merge"
env PYTHONPATH="$here/scripts" /usr/bin/python3 -m quddpm.merge_sweeps "$out" "${merged[@]}" || failed=1
exit $failed
