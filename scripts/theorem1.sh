#!/usr/bin/env bash
# Theorem 1, checked numerically: the variance of a gradient component over random draws of
# (Haar input set, Haar target set, PQC parameters theta ~ U[0, 2 pi)) decays exponentially in
# the number of data qubits n. Runs `quddpm variance` for n = 1..10, fits log2(Var) against n
# and compares the slope with that of the bound's 1/(2^(2n) - 1) (scripts/theorem1.py).
#
#   scripts/theorem1.sh [--out DIR] [--draws K] [--samples S] [--layers L] [--ancillas NA]
#                       [--qubits "1 2 ... 10"] [--threads T] [--bin PATH]
#
# Defaults (about a minute on 2 cores): K = 200 draws, |S| = 10 states per set, L = 4 layers,
# 1 ancilla. Writes DIR/variance.jsonl (one `quddpm variance` object per n), DIR/fit.json and
# DIR/theorem1.png; DIR defaults to runs/theorem1.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
out="runs/theorem1" draws=200 samples=10 layers=4 ancillas=1 qubits="1 2 3 4 5 6 7 8 9 10"
threads=0 bin=""
while [ $# -gt 0 ]; do
  case "$1" in
    --out) out="$2"; shift 2 ;;
    --draws) draws="$2"; shift 2 ;;
    --samples) samples="$2"; shift 2 ;;
    --layers) layers="$2"; shift 2 ;;
    --ancillas) ancillas="$2"; shift 2 ;;
    --qubits) qubits="$2"; shift 2 ;;
    --threads) threads="$2"; shift 2 ;;
    --bin) bin="$2"; shift 2 ;;
    -h|--help) sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "theorem1.sh: unknown argument $1 (see --help)" >&2; exit 2 ;;
  esac
done
if [ -z "$bin" ]; then
  for b in "$here/build/quddpm" "$here/build-sw/quddpm"; do [ -x "$b" ] && { bin="$b"; break; }; done
fi
[ -n "$bin" ] && [ -x "$bin" ] || { echo "theorem1.sh: no quddpm executable (build it, or pass --bin)" >&2; exit 2; }
mkdir -p "$out"
: > "$out/variance.jsonl.tmp"
for n in $qubits; do
  start=$(date +%s.%N)
  "$bin" variance --qubits "$n" --ancillas "$ancillas" --layers "$layers" --draws "$draws" \
    --samples "$samples" --seed 1 --threads "$threads" >> "$out/variance.jsonl.tmp"
  printf 'theorem1.sh: n = %s done (%.1f s)\n' "$n" "$(echo "$(date +%s.%N) - $start" | bc)" >&2
done
mv "$out/variance.jsonl.tmp" "$out/variance.jsonl"
/usr/bin/python3 "$here/scripts/theorem1.py" "$out/variance.jsonl" --out "$out"
