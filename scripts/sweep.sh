#!/usr/bin/env bash
# Runs one config over qubit counts x models (x any --sweep key values), up to --jobs runs at
# a time, one folder per run, then concatenates every finished run's traces into one tidy CSV
# per kind (DIR/epochs.csv, layers.csv, cycles.csv, diffusion.csv) with a column per swept key.
#
#   scripts/sweep.sh CONFIG --qubits "1 4 7" [--models "original improved"]
#                    [--set key=value]... [--sweep key=v1,v2,...]... [--jobs J] [--threads T]
#                    [--out DIR] [--bin PATH]
#
# Run folders: DIR/<model>_n<N>[_<key>=<v>...]. A folder without `.partial` is finished and
# skipped; a `.partial` one (interrupted) is continued with `train --resume`. Logs go to
# DIR/logs/<run>.log. Each finished run with a prior.npy gets a floor.csv (scripts/kl_floor.py,
# log DIR/logs/kl_floor.log), concatenated into DIR/floor.csv like the traces. Exit status 1
# if any run failed (the others are still concatenated).
set -uo pipefail

usage() { sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//'; }
die() { echo "sweep.sh: $*" >&2; exit 2; }

here="$(cd "$(dirname "$0")/.." && pwd)"
config="" qubits="" models="original improved" jobs=1 threads=1 out="" bin=""
sets=() sweeps=()
while [ $# -gt 0 ]; do
  case "$1" in
    --qubits) qubits="${2:?}"; shift 2 ;;
    --models) models="${2:?}"; shift 2 ;;
    --set) sets+=("${2:?}"); shift 2 ;;
    --sweep) sweeps+=("${2:?}"); shift 2 ;;
    --jobs) jobs="${2:?}"; shift 2 ;;
    --threads) threads="${2:?}"; shift 2 ;;
    --out) out="${2:?}"; shift 2 ;;
    --bin) bin="${2:?}"; shift 2 ;;
    -h|--help) usage; exit 0 ;;
    -*) die "unknown option $1 (see --help)" ;;
    *) [ -z "$config" ] || die "one config only, got '$config' and '$1'"; config="$1"; shift ;;
  esac
done
[ -n "$config" ] || die "no CONFIG given (see --help)"
[ -f "$config" ] || die "$config: no such file"
[ -n "$qubits" ] || die "--qubits: no qubit counts given"
[[ "$jobs" =~ ^[1-9][0-9]*$ ]] || die "--jobs: expected a positive integer, found '$jobs'"
for n in $qubits; do [[ "$n" =~ ^[1-9][0-9]*$ ]] || die "--qubits: '$n' is not a positive integer"; done
for m in $models; do [[ "$m" =~ ^(original|improved)$ ]] || die "--models: '$m' is not original or improved"; done
[ -n "$out" ] || out="runs/sweep_$(basename "${config%.json}")"
if [ -z "$bin" ]; then
  for b in "$here/build/quddpm" "$here/build-sw/quddpm"; do [ -x "$b" ] && { bin="$b"; break; }; done
fi
[ -n "$bin" ] && [ -x "$bin" ] || die "no quddpm executable (build it, or pass --bin)"
py=/usr/bin/python3
[ -x "$py" ] || die "$py not found (Debian's python3 is needed for the concatenation)"

# Swept keys and their value lists.
keys=() ; vals=()
for s in "${sweeps[@]+"${sweeps[@]}"}"; do
  [[ "$s" == *=* ]] || die "--sweep: expected key=v1,v2,..., found '$s'"
  keys+=("${s%%=*}"); vals+=("${s#*=}")
done

# Every combination of the swept values, as lines "k1=v1 k2=v2 ...".
combos=("")
for i in "${!keys[@]}"; do
  next=()
  IFS=',' read -r -a vs <<< "${vals[$i]}"
  for c in "${combos[@]}"; do
    for v in "${vs[@]}"; do next+=("${c:+$c }${keys[$i]}=$v"); done
  done
  combos=("${next[@]}")
done

mkdir -p "$out/logs" || die "$out: cannot create"
runs_file="$out/runs.tsv"  # name, model, n, then key=value pairs: read by the concatenation
: > "$runs_file"

run_one() {  # name model n combo
  local name="$1" model="$2" n="$3" combo="$4" dir="$out/$1"
  local args=(train "$config" --set "model=$model" --set "qubits.data=$n" --threads "$threads" --quiet)
  local s kv
  for s in "${sets[@]+"${sets[@]}"}"; do args+=(--set "$s"); done
  for kv in $combo; do args+=(--set "$kv"); done
  if [ -d "$dir" ]; then
    echo "skip   $name (finished)"; return 0
  elif [ -d "$dir.partial" ]; then
    echo "resume $name"; args+=(--resume "$dir")
  else
    echo "run    $name"; args+=(--out "$dir")
  fi
  if "$bin" "${args[@]}" > "$out/logs/$name.log" 2>&1; then
    echo "done   $name"
  else
    echo "FAILED $name (exit $?, see $out/logs/$name.log)"; return 1
  fi
}

failed=0
pids=()
for combo in "${combos[@]}"; do
  for model in $models; do
    for n in $qubits; do
      name="${model}_n${n}"
      for kv in $combo; do name+="_$kv"; done
      printf '%s\t%s\t%s\t%s\n' "$name" "$model" "$n" "$combo" >> "$runs_file"
      while [ "$(jobs -rp | wc -l)" -ge "$jobs" ]; do wait -n || failed=1; done
      run_one "$name" "$model" "$n" "$combo" &
    done
  done
done
while [ "$(jobs -rp | wc -l)" -gt 0 ]; do wait -n || failed=1; done
wait || failed=1

# Tidy CSVs: every finished run's rows, tagged with its swept values (one column per key).
# First each finished run's floor.csv (scripts/kl_floor.py: the unitary KL floor from its
# prior), for runs that wrote a prior.npy (older runs did not: skipped with a note).
finished=() floors=()
while IFS=$'\t' read -r name model n combo; do
  [ -d "$out/$name" ] || continue
  tags="${combo// /,}"
  finished+=("$out/$name${tags:+:$tags}")
  if [ -f "$out/$name/prior.npy" ]; then
    floors+=("$out/$name")
  else
    echo "note   $name: no prior.npy (run from an older quddpm), no floor.csv"
  fi
done < "$runs_file"
if [ ${#floors[@]} -gt 0 ]; then
  if "$py" "$here/scripts/kl_floor.py" --write "${floors[@]}" > "$out/logs/kl_floor.log" 2>&1; then
    echo "floor  ${#floors[@]} runs (see $out/logs/kl_floor.log)"
  else
    echo "FAILED kl_floor.py (see $out/logs/kl_floor.log)"; failed=1
  fi
fi
if [ ${#finished[@]} -gt 0 ]; then
  "$py" "$here/scripts/merge_sweeps.py" "$out" "${finished[@]}" || failed=1
fi
exit $failed
