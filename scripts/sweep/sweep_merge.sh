#!/usr/bin/env bash
# The last step of a sweep (scripts/sweep/sweep.sh; under Slurm, its dependent merge job): gives each
# finished run with a prior.npy its floor.csv (scripts/quddpm/kl_floor.py), concatenates every finished
# run's traces into OUT/<kind>.csv (scripts/quddpm/merge_sweeps.py, a column per swept key), and lists
# the runs that did not finish, each with its log. With --figures, also draws OUT/figures/
# (scripts/quddpm/plot.py, when Debian's matplotlib is installed).
#
# OUT/merged.json says whether the CSVs are current: "complete": false (with a "reason") from
# the start of this step until merge_sweeps.py has put every CSV in place, then true with the
# runs merged (folder names, tags, run ids). A merge that fails, or is cancelled (a Slurm merge
# job), or finds no finished run, leaves it false. The runs not merged are the FAILED lines.
#
# Usage: scripts/sweep/sweep_merge.sh OUT [--figures]
# Exit status 1 when a run did not finish (the finished ones are merged all the same), 2 on bad
# arguments.
set -uo pipefail
here="$(cd "$(dirname "$0")/../.." && pwd)"
die() { echo "sweep_merge.sh: $*" >&2; exit 2; }
[ $# -ge 1 ] && [ -n "$1" ] || die "expected OUT [--figures], found no OUT"
out="$1"
figures=0
case "${2-}" in
  "") [ $# -le 1 ] || die "expected OUT [--figures], found an empty argument" ;;
  --figures) figures=1 ;;
  *) die "expected OUT [--figures], found '$2'" ;;
esac
[ $# -le 2 ] || die "expected OUT [--figures], found more: '$3'"
py=/usr/bin/python3
[ -f "$out/runs.tsv" ] || die "$out/runs.tsv: not found (not a sweep folder)"
merge=(env PYTHONPATH="$here/scripts" "$py" -m quddpm.merge_sweeps "$out")
# From here until merge_sweeps.py is done, the CSVs here are not (yet) this merge's.
"${merge[@]}" --mark-incomplete "sweep_merge.sh started at $(date -u +%FT%T+00:00) and has not finished" ||
  die "$out/merged.json: cannot mark the merged CSVs stale"

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
  if env PYTHONPATH="$here/scripts" "$py" -m quddpm.kl_floor --write "${floors[@]}" > "$out/logs/kl_floor.log" 2>&1; then
    echo "floor  ${#floors[@]} runs (see $out/logs/kl_floor.log)"
  else
    echo "FAILED kl_floor.py (see $out/logs/kl_floor.log)"
    failed=1
  fi
fi
if [ ${#finished[@]} = 0 ]; then
  "${merge[@]}" --mark-incomplete "sweep_merge.sh found no finished run of runs.tsv: nothing merged"
else
  # (merge_sweeps.py records its own failure in merged.json; no figures of stale CSVs then.)
  if ! "${merge[@]}" "${finished[@]}"; then
    failed=1
  elif [ "$figures" = 1 ] && "$py" -c "import matplotlib" 2> /dev/null; then
    if env PYTHONPATH="$here/scripts" "$py" -m quddpm.plot "$out" --out "$out/figures" > "$out/logs/plot.log" 2>&1; then
      echo "figures in $out/figures"
    else
      echo "FAILED plot.py (see $out/logs/plot.log)"
      failed=1
    fi
  fi
fi
exit $failed
