#!/usr/bin/env bash
# One run of a sweep (scripts/sweep/sweep.sh), the same on a workstation and as a Slurm array task:
# trains OUT/NAME, continues it with `train --resume` when OUT/NAME.partial holds it, or skips
# it when OUT/NAME is finished. Reads the sweep's OUT/sweep.conf and OUT/runs.tsv; quddpm's
# output is appended to OUT/logs/NAME.log.
#
# A SIGTERM or SIGINT (Slurm's warning before the time limit, a preemption, Ctrl-C) is passed
# on to quddpm, which finishes its epoch, writes a checkpoint and exits; inside a Slurm job the
# task then requeues itself (scontrol requeue), so a later allocation continues the run.
#
# NAME is the run's folder name, the first column of OUT/runs.tsv (sweep.sh writes the bytes of
# a swept value that are unsafe in a folder name as %XX; the run gets the value as given).
#
# Usage: scripts/sweep/sweep_run.sh OUT NAME [THREADS]
#   THREADS: quddpm's --threads for this run (default: the sweep's, from OUT/sweep.conf)
set -uo pipefail
{ [ $# = 2 ] || [ $# = 3 ]; } && [ -n "$1" ] && [ -n "$2" ] ||
  { echo "sweep_run.sh: expected OUT NAME [THREADS] (non-empty arguments), found $# arguments" >&2; exit 2; }
out="$1" name="$2" run_threads="${3:-}"
[ -z "$run_threads" ] || [[ "$run_threads" =~ ^[1-9][0-9]*$ ]] ||
  { echo "sweep_run.sh: THREADS: expected a positive integer, found '$run_threads'" >&2; exit 2; }
[ -f "$out/sweep.conf" ] || { echo "sweep_run.sh: $out/sweep.conf: not found (not a sweep folder)" >&2; exit 2; }
# shellcheck source=/dev/null
source "$out/sweep.conf"  # config, bin, threads, sets (written by sweep.sh)
threads="${run_threads:-$threads}"
line=$(awk -F'\t' -v n="$name" '$1 == n' "$out/runs.tsv")
[ -n "$line" ] || { echo "sweep_run.sh: $name: not a run of $out/runs.tsv" >&2; exit 2; }
IFS=$'\t' read -r _ model n combo <<< "$line"

args=(train "$config" --set "model=$model" --set "qubits.data=$n" --threads "$threads" --quiet)
args+=("${sets[@]+"${sets[@]}"}")
# (`read -a`, not `for kv in $combo`: a value such as `*` must not expand into file names.)
read -r -a assignments <<< "$combo"
for kv in "${assignments[@]+"${assignments[@]}"}"; do args+=(--set "$kv"); done
dir="$out/$name"
if [ -d "$dir" ]; then
  echo "skip   $name (finished)"
  exit 0
elif [ -f "$dir.partial/config.json" ]; then
  # (A .partial without even its config.json is a leftover the fresh run below replaces.)
  echo "resume $name"
  args+=(--resume "$dir")
else
  echo "run    $name"
  args+=(--out "$dir")
fi

stopped=0
log="$out/logs/$name.log"
offset=$(stat -c %s "$log" 2> /dev/null || echo 0)
"$bin" "${args[@]}" >> "$log" 2>&1 &
pid=$!
# Pass a signal on to quddpm, unless it was sent to the whole job (scontrol requeue, scancel
# --full): then quddpm has it too and says so at once, and a second one would stop it without
# its checkpoint.
forward() {
  stopped=1
  local i
  for i in 1 2 3 4 5 6 7 8 9 10; do
    tail -c +"$((offset + 1))" "$log" 2> /dev/null | grep -q "quddpm: stopping (" && return
    sleep 0.1
  done
  kill -TERM "$pid" 2> /dev/null
}
trap forward TERM INT
# `wait` returns early when a trapped signal arrives: wait again until quddpm has ended.
while :; do
  wait "$pid"
  status=$?
  kill -0 "$pid" 2> /dev/null || break
done

if [ "$status" -eq 0 ]; then
  echo "done   $name"
  exit 0
fi
if [ "$stopped" = 1 ] && [ -n "${SLURM_JOB_ID:-}" ]; then
  task="${SLURM_ARRAY_JOB_ID:-$SLURM_JOB_ID}${SLURM_ARRAY_TASK_ID:+_$SLURM_ARRAY_TASK_ID}"
  # A job Slurm is already ending (`scontrol requeue`, a preemption that requeues, scancel) is
  # COMPLETING: Slurm decides what comes next. A running one got the warning before its time
  # limit (or `scancel --signal=TERM`): it requeues itself.
  state=$(squeue -h -j "$task" -o %T 2> /dev/null || true)
  if [ "$state" = RUNNING ]; then
    echo "stopped $name (exit $status, checkpoint kept); requeueing task $task"
    scontrol requeue "$task" || echo "sweep_run.sh: could not requeue $task; resubmit the sweep to continue $name"
  else
    echo "stopped $name (exit $status, checkpoint kept); Slurm is ending task $task (${state:-gone})"
  fi
  exit "$status"
fi
echo "FAILED $name (exit $status, see $out/logs/$name.log)"
exit 1
