#!/usr/bin/env bash
# Theorem 1's dependence on the set size |S|: the bound 8 / (|S|^4 (2^(2n) - 1)) falls as
# |S|^-4, so the measured variance is compared with it over a range of |S| at a few n. Runs
# `quddpm variance` for every (n, |S|) pair (Haar input and target sets of |S| states, PQC
# parameters theta ~ U[0, 2 pi)) and hands the lines to scripts/theorem1_set_size.py.
#
#   scripts/theorem1_set_size.sh [--out DIR] [--qubits "3 6 9"] [--sizes "2 5 10 20 40 80"]
#                                [--draws K] [--layers L] [--ancillas NA] [--threads T]
#                                [--bin PATH]
#
# Defaults: K = 300 draws, L = 4, 1 ancilla (the settings of scripts/theorem1.sh). Writes
# DIR/set_size.jsonl, DIR/set_size.json and DIR/set_size.png; DIR defaults to runs/theorem1.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
out="runs/theorem1" qubits="3 6 9" sizes="2 5 10 20 40 80" draws=300 layers=4 ancillas=1
threads=0 bin=""
while [ $# -gt 0 ]; do
  case "$1" in
    --out) out="$2"; shift 2 ;;
    --qubits) qubits="$2"; shift 2 ;;
    --sizes) sizes="$2"; shift 2 ;;
    --draws) draws="$2"; shift 2 ;;
    --layers) layers="$2"; shift 2 ;;
    --ancillas) ancillas="$2"; shift 2 ;;
    --threads) threads="$2"; shift 2 ;;
    --bin) bin="$2"; shift 2 ;;
    -h|--help) sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "theorem1_set_size.sh: unknown argument $1 (see --help)" >&2; exit 2 ;;
  esac
done
if [ -z "$bin" ]; then
  for b in "$here/build/quddpm" "$here/build-sw/quddpm"; do [ -x "$b" ] && { bin="$b"; break; }; done
fi
[ -n "$bin" ] && [ -x "$bin" ] || { echo "theorem1_set_size.sh: no quddpm executable (build it, or pass --bin)" >&2; exit 2; }
mkdir -p "$out"
: > "$out/set_size.jsonl.tmp"
for n in $qubits; do
  for s in $sizes; do
    "$bin" variance --qubits "$n" --ancillas "$ancillas" --layers "$layers" --draws "$draws" \
      --samples "$s" --seed 1 --threads "$threads" >> "$out/set_size.jsonl.tmp"
  done
  echo "theorem1_set_size.sh: n = $n done" >&2
done
mv "$out/set_size.jsonl.tmp" "$out/set_size.jsonl"
/usr/bin/python3 "$here/scripts/theorem1_set_size.py" "$out/set_size.jsonl" --out "$out"
