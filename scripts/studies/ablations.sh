#!/usr/bin/env bash
# The seed's ablations, through scripts/sweep/sweep.sh, then scripts/quddpm/plot.py on each:
#
#   1. diffusion strength: the improved model (diffused prior, U[-1/L, 1/L] init) with the
#      schedule's end point h_T swept (start 0.1), configs/ablations/diffusion_strength.json;
#      figure sweep_diffusion.schedule.end.png shows the mean gradient norm and the terminal
#      mmd_to_haar against h_T: where the gradients collapse.
#   2. initialization scale at L = 20: U[-s, s] with s = 1/L (init_1_over_L.json),
#      s = 1/sqrt(L) (init_1_over_sqrtL.json) and N(0, 1) (init_normal.json), improved model
#      otherwise; the three sweeps are joined into OUT/init_scale/*.csv with a column `init`.
#   3. per-layer gradient norms across cycles: every run records layers.csv;
#      layer_grad_norms.png of each folder shows them (and of the main sweep, for both models).
#
#   scripts/studies/ablations.sh [--qubits "7"] [--ends "0.25,0.55,1,1.5,2,3,4"] [--jobs J]
#                        [--threads T] [--out DIR] [--bin PATH] [--set key=value]...
#
# Overriding circuit.layers makes init_1_over_sqrtL.json's c = sqrt(20) no longer 1/sqrt(L).
# Defaults: n = 7 (about 2 minutes a run on 2 cores with --jobs 1 --threads 2; n = 10 takes
# about 25), 7 end points and 3 initializations: 10 runs. `--set` is passed to every run
# (e.g. --set training.epochs=5 --set diffusion.steps=3 for a quick try). Re-running skips
# finished runs. OUT defaults to runs/ablations.
set -euo pipefail
here="$(cd "$(dirname "$0")/../.." && pwd)"
qubits="7" ends="0.25,0.55,1,1.5,2,3,4" jobs=1 threads=2 out="runs/ablations" pass=()
while [ $# -gt 0 ]; do
  case "$1" in
    --qubits) qubits="$2"; shift 2 ;;
    --ends) ends="$2"; shift 2 ;;
    --jobs|--threads|--bin) pass+=("$1" "$2"); shift 2 ;;
    --out) out="$2"; shift 2 ;;
    --set) pass+=(--set "$2"); shift 2 ;;
    -h|--help) sed -n '2,21p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "ablations.sh: unknown argument $1 (see --help)" >&2; exit 2 ;;
  esac
done
cfg="$here/configs/ablations"
sweep() { "$here/scripts/sweep/sweep.sh" "$@" --models improved --qubits "$qubits" "${pass[@]+"${pass[@]}"}"; }
plot() { env PYTHONPATH="$here/scripts" /usr/bin/python3 -m quddpm.plot "$1"; }

echo "== diffusion strength: schedule end in {$ends}"
sweep "$cfg/diffusion_strength.json" --sweep "diffusion.schedule.end=$ends" --out "$out/diffusion_strength"
plot "$out/diffusion_strength"

echo "== initialization scale"
variants=()
for v in 1_over_L 1_over_sqrtL normal; do
  sweep "$cfg/init_$v.json" --out "$out/init_scale/$v"
  variants+=("$out/init_scale/$v:init=$v")   # a column `init` naming the variant
done
env PYTHONPATH="$here/scripts" /usr/bin/python3 -m quddpm.merge_sweeps "$out/init_scale" "${variants[@]}"
plot "$out/init_scale"
echo "ablations.sh: figures in $out/diffusion_strength/figures and $out/init_scale/figures"
