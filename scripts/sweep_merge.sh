#!/usr/bin/env bash
# The last step of a sweep (scripts/sweep.sh; under Slurm, its dependent merge job): gives each
# finished run with a prior.npy its floor.csv (scripts/kl_floor.py), concatenates every finished
# run's traces into OUT/<kind>.csv (scripts/merge_sweeps.py, a column per swept key), and lists
# the runs that did not finish, each with its log. With --figures, also draws OUT/figures/
# (scripts/plot.py, when Debian's matplotlib is installed).
#
# Usage: scripts/sweep_merge.sh OUT [--figures]
# Exit status 1 when a run did not finish (the finished ones are merged all the same).
set -uo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
out="${1:?usage: sweep_merge.sh OUT [--figures]}"
figures=0
[ "${2:-}" = --figures ] && figures=1
py=/usr/bin/python3
[ -f "$out/runs.tsv" ] || { echo "sweep_merge.sh: $out/runs.tsv: not found (not a sweep folder)" >&2; exit 2; }

failed=0
finished=() floors=()
while IFS=$'\t' read -r name model n combo; do
  if [ ! -d "$out/$name" ]; then
    why="not finished"
    [ -d "$out/$name.partial" ] && why="interrupted, its checkpoint is in $out/$name.partial"
    echo "FAILED $name ($why; see $out/logs/$name.log)"
    failed=1
    continue
  fi
  tags="${combo// /,}"
  finished+=("$out/$name${tags:+:$tags}")
  if [ -f "$out/$name/prior.npy" ]; then
    floors+=("$out/$name")
  else
    echo "note   $name: no prior.npy (run from an older quddpm), no floor.csv"
  fi
done < "$out/runs.tsv"

if [ ${#floors[@]} -gt 0 ]; then
  if "$py" "$here/scripts/kl_floor.py" --write "${floors[@]}" > "$out/logs/kl_floor.log" 2>&1; then
    echo "floor  ${#floors[@]} runs (see $out/logs/kl_floor.log)"
  else
    echo "FAILED kl_floor.py (see $out/logs/kl_floor.log)"
    failed=1
  fi
fi
if [ ${#finished[@]} -gt 0 ]; then
  "$py" "$here/scripts/merge_sweeps.py" "$out" "${finished[@]}" || failed=1
  if [ "$figures" = 1 ] && "$py" -c "import matplotlib" 2> /dev/null; then
    if "$py" "$here/scripts/plot.py" "$out" --out "$out/figures" > "$out/logs/plot.log" 2>&1; then
      echo "figures in $out/figures"
    else
      echo "FAILED plot.py (see $out/logs/plot.log)"
      failed=1
    fi
  fi
fi
exit $failed
