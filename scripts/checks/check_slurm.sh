#!/usr/bin/env bash
# Test of `scripts/sweep/sweep.sh --slurm` (ctest SlurmSweep). Without a cluster: the --dry-run
# scripts' #SBATCH lines and the errors that need none (no sbatch; a folder made by another
# config). On the local one-node cluster (scripts/setup/local_slurm.sh start; SLURM_CONF set): a
# rejected submission quotes Slurm; a 4-task array sweep of a tiny config finishes, its merge job
# runs after it, and the merged CSVs equal the local backend's (wall time aside); a task
# requeued mid-run (as a preemption does) resumes in a later allocation with the same results;
# a failing task is listed by the merge job with its log. Exit 77 (skipped) when no cluster.
# Usage: check_slurm.sh QUDDPM_BINARY
set -euo pipefail
bin="$(realpath "$1")"
root="$(cd "$(dirname "$0")/../.." && pwd)"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
fail() { echo "check_slurm: $*" >&2; exit 1; }
sweep="$root/scripts/sweep/sweep.sh"

cat > "$tmp/tiny.json" <<'JSON'
{"model": "original", "seed": 3, "qubits": {"data": 1, "ancilla": 1},
 "diffusion": {"steps": 2},
 "training": {"samples": 8, "diffusion_size": 16, "epochs": 3, "learning_rate": 0.01}}
JSON

# --dry-run: the array script (one task per run, throttle, the cluster's options, the warning
# signal, requeue, threads from --cpus-per-task) and the merge script; nothing written.
"$sweep" "$tmp/tiny.json" --qubits "1 2" --bin "$bin" --out "$tmp/dry" --slurm --dry-run \
  --partition debug --account physics --time 00:30:00 --cpus-per-task 2 --throttle 3 \
  --sbatch-arg --qos=short --sbatch-arg "--mail-type=END" > "$tmp/dry.txt" 2> "$tmp/dry.err" ||
  { cat "$tmp/dry.err"; fail "--dry-run failed"; }
[ -e "$tmp/dry" ] && fail "--dry-run wrote $tmp/dry"
for line in "#SBATCH --array=0-3%3" "#SBATCH --cpus-per-task=2" "#SBATCH --signal=B:TERM@120" \
  "#SBATCH --requeue" "#SBATCH --time=00:30:00" "#SBATCH --partition=debug" \
  "#SBATCH --account=physics" "#SBATCH --qos=short" "#SBATCH --mail-type=END" \
  "#SBATCH --output=$tmp/dry/logs/slurm/%A_%a.out" "#SBATCH --job-name=quddpm-dry-merge"; do
  grep -qxF -- "$line" "$tmp/dry.txt" || { cat "$tmp/dry.txt"; fail "--dry-run: no line '$line'"; }
done
grep -q '^#SBATCH --mem=[0-9]*M$' "$tmp/dry.txt" || fail "--dry-run: no computed --mem"
grep -q 'sweep_merge.sh .* --figures$' "$tmp/dry.txt" || fail "--dry-run: the merge job does not merge and plot"
[ "$(grep -c $'^original_n1\t\|^original_n2\t\|^improved_n1\t\|^improved_n2\t' "$tmp/dry.txt")" = 4 ] ||
  fail "--dry-run: not the 4 runs"

# No sbatch on PATH: a clear error, nothing written.
if PATH=/nonexistent "$(command -v bash)" "$sweep" "$tmp/tiny.json" --qubits 1 --bin "$bin" \
  --out "$tmp/nosb" --slurm > /dev/null 2> "$tmp/nosb.err"; then
  fail "--slurm without sbatch succeeded"
fi
grep -q "sbatch not found" "$tmp/nosb.err" || { cat "$tmp/nosb.err"; fail "unclear error without sbatch"; }
[ -e "$tmp/nosb" ] && fail "--slurm without sbatch wrote $tmp/nosb"

# A folder of the sweep made by another config is refused, never skipped (locally here).
"$sweep" "$tmp/tiny.json" --qubits 1 --models original --bin "$bin" --out "$tmp/other" > /dev/null ||
  fail "local sweep failed"
if "$sweep" "$tmp/tiny.json" --qubits 1 --models original --bin "$bin" --out "$tmp/other" \
  --set training.epochs=4 > /dev/null 2> "$tmp/other.err"; then
  fail "a sweep over a folder of another config succeeded"
fi
grep -q "original_n1: made by another config" "$tmp/other.err" || { cat "$tmp/other.err"; fail "unclear error for another config"; }

# The rest needs the cluster.
if [ -z "${SLURM_CONF:-}" ] || ! sinfo -h > /dev/null 2>&1; then
  echo "check_slurm: no Slurm cluster (scripts/setup/local_slurm.sh start; export SLURM_CONF=...): cluster tests skipped"
  exit 77
fi

# True while any of the jobs $1 is queued or running. A failed squeue (a controller slow to
# answer on a loaded machine) counts as "still queued", never as "done".
queued() {
  local out
  if ! out=$(squeue -h -j "$1" -o %i 2>&1); then
    # Only jobs the controller no longer knows (long finished) are "not queued".
    [[ "$out" == *"Invalid job id"* ]] && return 1
    return 0
  fi
  [ -n "$out" ]
}
# Waits until every job of the sweep in $1 has left the queue (at most $2 seconds).
wait_sweep() {
  local ids deadline=$((SECONDS + $2))
  ids=$(paste -sd, "$1/slurm/job_ids")
  while queued "$ids"; do
    [ $SECONDS -lt $deadline ] || { squeue -j "$ids"; fail "jobs $ids still queued after $2 s"; }
    sleep 1
  done
}
# The tidy CSVs of two sweeps agree, except the wall-time column `seconds`.
same_csvs() {
  local kind
  for kind in cycles epochs layers diffusion; do
    /usr/bin/python3 - "$1/$kind.csv" "$2/$kind.csv" <<'PY' || fail "$kind.csv of $1 and $2 differ"
import csv, sys
def rows(p):
    with open(p, newline="") as f:
        return sorted(tuple(v for k, v in r.items() if k != "seconds") for r in csv.DictReader(f))
a, b = rows(sys.argv[1]), rows(sys.argv[2])
sys.exit(0 if a and a == b else 1)
PY
  done
}

# A rejected submission quotes Slurm.
if "$sweep" "$tmp/tiny.json" --qubits 1 --bin "$bin" --out "$tmp/badpart" --slurm \
  --partition no_such_partition > /dev/null 2> "$tmp/badpart.err"; then
  fail "a submission to a missing partition succeeded"
fi
grep -q "sbatch refused the array job: .*[Ii]nvalid partition" "$tmp/badpart.err" ||
  { cat "$tmp/badpart.err"; fail "the refusal does not quote Slurm"; }

# A 4-task array sweep against the local backend.
"$sweep" "$tmp/tiny.json" --qubits "1 2" --bin "$bin" --out "$tmp/local" > /dev/null ||
  fail "local sweep failed"
"$sweep" "$tmp/tiny.json" --qubits "1 2" --bin "$bin" --out "$tmp/array" --slurm > "$tmp/submit.txt" ||
  fail "submission failed: $(cat "$tmp/submit.txt")"
read -r job mjob < <(paste -sd' ' "$tmp/array/slurm/job_ids")
squeue -j "$job,$mjob" -o "%.12i %.9P %.24j %.8T %.10M %R" || true
wait_sweep "$tmp/array" 180
[ -s "$tmp/array/logs/slurm/merge_$mjob.out" ] || fail "the merge job left no log"
grep -q "merge_sweeps.py: wrote" "$tmp/array/logs/slurm/merge_$mjob.out" ||
  { cat "$tmp/array/logs/slurm/merge_$mjob.out"; fail "the merge job did not merge"; }
for r in original_n1 original_n2 improved_n1 improved_n2; do
  [ -f "$tmp/array/$r/params.npy" ] || fail "array task $r did not finish"
done
same_csvs "$tmp/local" "$tmp/array"
echo "check_slurm: 4-task array sweep (job $job, merge job $mjob) equals the local sweep"

# Preemption: a longer run, requeued mid-run, resumes in a later allocation.
sed 's/"epochs": 3/"epochs": 20000/' "$tmp/tiny.json" > "$tmp/long.json"
"$sweep" "$tmp/long.json" --qubits 1 --models original --bin "$bin" --out "$tmp/long_local" > /dev/null ||
  fail "local long run failed"
"$sweep" "$tmp/long.json" --qubits 1 --models original --bin "$bin" --out "$tmp/long" --slurm \
  > /dev/null || fail "submission of the long run failed"
read -r ljob lmjob < <(paste -sd' ' "$tmp/long/slurm/job_ids")
deadline=$((SECONDS + 120))
until [ -f "$tmp/long/original_n1.partial/checkpoint/state.json" ] &&
  [ "$(wc -l < "$tmp/long/original_n1.partial/epochs.csv")" -gt 3000 ]; do
  [ $SECONDS -lt $deadline ] || fail "the long task did not start"
  sleep 0.2
done
scontrol requeue "${ljob}_0" || fail "scontrol requeue failed"
echo "check_slurm: requeued task ${ljob}_0 mid-run"
# (Slurm holds a requeued job until its old credential expires: 10 s on the local cluster.)
wait_sweep "$tmp/long" 300
grep -q "resume original_n1" "$tmp/long/logs/slurm/${ljob}_0.out" ||
  { cat "$tmp/long/logs/slurm/${ljob}_0.out"; fail "the requeued task did not resume"; }
grep -q "quddpm: interrupted by SIGTERM: checkpoint written in cycle" "$tmp/long/logs/original_n1.log" ||
  { cat "$tmp/long/logs/original_n1.log"; fail "the run was not stopped by the requeue"; }
cmp -s "$tmp/long/original_n1/params.npy" "$tmp/long_local/original_n1/params.npy" ||
  fail "the requeued run's params.npy differs from the uninterrupted one"
same_csvs "$tmp/long_local" "$tmp/long"
echo "check_slurm: the requeued task resumed and ended identical"

# A failing task (its folder is blocked by a file): the merge job still merges the other run
# and lists the failed one with its log.
mkdir -p "$tmp/fails"
echo "not a run" > "$tmp/fails/original_n2.partial"
"$sweep" "$tmp/tiny.json" --qubits "1 2" --models original --bin "$bin" --out "$tmp/fails" \
  --slurm > /dev/null || fail "submission failed"
wait_sweep "$tmp/fails" 180
read -r fjob fmjob < <(paste -sd' ' "$tmp/fails/slurm/job_ids")
grep -q "FAILED original_n2 (not finished; see $tmp/fails/logs/original_n2.log)" \
  "$tmp/fails/logs/slurm/merge_$fmjob.out" ||
  { cat "$tmp/fails/logs/slurm/merge_$fmjob.out"; fail "the failed run is not listed with its log"; }
grep -q "exists and is not a folder" "$tmp/fails/logs/original_n2.log" ||
  { cat "$tmp/fails/logs/original_n2.log"; fail "the failed run's log does not say why"; }
[ "$(cut -d, -f1,4 "$tmp/fails/cycles.csv" | sort -u | tail -n +2 | tr '\n' ' ')" = "original,1 " ] ||
  fail "the merge job did not merge the finished run alone: $(cut -d, -f1,4 "$tmp/fails/cycles.csv" | sort -u)"
echo "check_slurm: ok"
