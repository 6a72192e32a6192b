#!/usr/bin/env bash
# Theorem 1, checked numerically: the variance of a gradient component over random draws of
# (Haar input set, Haar target set, PQC parameters theta ~ U[0, 2 pi)), compared with the bound
# 8 / (|S|^4 (2^(2n) - 1)). Runs `quddpm variance` for every n in --qubits and every set size
# |S| in --samples, then hands the lines to scripts/quddpm/theorem1.py. Two scans:
#
#   --scan n         (default) the decay in n: fits log2(Var) against n and compares the slope
#                    with that of the bound's 1/(2^(2n) - 1). Defaults: n = 1..10, |S| = 10,
#                    K = 200 draws. Writes DIR/variance.jsonl, fit.json, theorem1.png.
#   --scan set-size  the dependence on |S|, which the bound has as |S|^-4. Defaults: n = 3 6 9,
#                    |S| = 2 5 10 20 40 80, K = 300. Writes DIR/set_size.jsonl, set_size.json,
#                    set_size.png.
#
#   scripts/studies/theorem1.sh [--scan n|set-size] [--out DIR] [--draws K] [--samples "S..."]
#                       [--layers L] [--ancilla NA] [--qubits "N..."] [--threads T] [--bin PATH]
#
# Both scans use L = 4 layers and 1 ancilla unless told otherwise; DIR defaults to runs/theorem1.
set -euo pipefail
here="$(cd "$(dirname "$0")/../.." && pwd)"
scan="n" out="runs/theorem1" draws="" samples="" layers=4 ancillas=1 qubits="" threads=0 bin=""
while [ $# -gt 0 ]; do
  case "$1" in
    --scan) scan="$2"; shift 2 ;;
    --out) out="$2"; shift 2 ;;
    --draws) draws="$2"; shift 2 ;;
    --samples) samples="$2"; shift 2 ;;
    --layers) layers="$2"; shift 2 ;;
    --ancilla|--ancillas) ancillas="$2"; shift 2 ;;
    --qubits) qubits="$2"; shift 2 ;;
    --threads) threads="$2"; shift 2 ;;
    --bin) bin="$2"; shift 2 ;;
    -h|--help) sed -n '2,17p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "theorem1.sh: unknown argument $1 (see --help)" >&2; exit 2 ;;
  esac
done
case "$scan" in
  n) name="variance" fit_flag=""
     : "${qubits:=1 2 3 4 5 6 7 8 9 10}" "${samples:=10}" "${draws:=200}" ;;
  set-size) name="set_size" fit_flag="--set-size"
     : "${qubits:=3 6 9}" "${samples:=2 5 10 20 40 80}" "${draws:=300}" ;;
  *) echo "theorem1.sh: --scan: expected n or set-size, found '$scan'" >&2; exit 2 ;;
esac
if [ -z "$bin" ]; then
  for b in "$here/build/quddpm" "$here/build-sw/quddpm"; do [ -x "$b" ] && { bin="$b"; break; }; done
fi
[ -n "$bin" ] && [ -x "$bin" ] || { echo "theorem1.sh: no quddpm executable (build it, or pass --bin)" >&2; exit 2; }
mkdir -p "$out"
: > "$out/$name.jsonl.tmp"
for n in $qubits; do
  start=$(date +%s.%N)
  for s in $samples; do
    "$bin" variance --qubits "$n" --ancilla "$ancillas" --layers "$layers" --draws "$draws" \
      --samples "$s" --seed 1 --threads "$threads" >> "$out/$name.jsonl.tmp"
  done
  printf 'theorem1.sh: n = %s done (%.1f s)\n' "$n" "$(echo "$(date +%s.%N) - $start" | bc)" >&2
done
mv "$out/$name.jsonl.tmp" "$out/$name.jsonl"
env PYTHONPATH="$here/scripts" /usr/bin/python3 -m quddpm.theorem1 "$out/$name.jsonl" --out "$out" $fit_flag
