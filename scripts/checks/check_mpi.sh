#!/usr/bin/env bash
# Test of the MPI build (ctest MpiBitwise, in a build with -DQUDDPM_MPI=ON): a tiny training
# run under `mpirun -np 1, 2, 3` (3: uneven shards) gives byte-identical params.npy,
# generated.npy, data.npy, prior.npy and traces (wall time aside) to one process without MPI,
# and so do runs with the wasserstein and sinkhorn losses under 2 and 3 processes;
# `gradient` prints the same loss and gradient; a run killed under 2 processes resumes under 3
# to the same bytes; a config error and a bad outcome seen by one process each give one line
# and a non-zero exit on every process.
# Usage: check_mpi.sh QUDDPM_MPI_BINARY [QUDDPM_BINARY_WITHOUT_MPI]
# (without the second, the MPI binary started without mpirun is the one-process reference).
set -euo pipefail
mpi_bin="$(realpath "$1")"
ref_bin="${2:-}"
[ -n "$ref_bin" ] && [ -x "$ref_bin" ] || ref_bin="$mpi_bin"
command -v mpirun > /dev/null || { echo "check_mpi: mpirun not found (apt-get install openmpi-bin)"; exit 1; }
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
fail() { echo "check_mpi: $*" >&2; exit 1; }
mpi() { local np="$1"; shift; mpirun --allow-run-as-root --oversubscribe -q -np "$np" "$mpi_bin" "$@"; }

cat > "$tmp/tiny.json" <<'JSON'
{"model": "improved", "seed": 5, "qubits": {"data": 3, "ancilla": 2}, "diffusion": {"steps": 3},
 "training": {"samples": 17, "diffusion_size": 40, "epochs": 20}}
JSON
# Byte-identical results: every file, the cycles' wall-time column aside.
same_run() {
  local f
  for f in params.npy generated.npy data.npy prior.npy epochs.csv layers.csv diffusion.csv; do
    cmp -s "$1/$f" "$2/$f" || fail "$2/$f differs from $1/$f"
  done
  cmp -s <(cut -d, -f1-13 "$1/cycles.csv") <(cut -d, -f1-13 "$2/cycles.csv") ||
    fail "$2/cycles.csv differs from $1/cycles.csv"
}

"$ref_bin" train "$tmp/tiny.json" --out "$tmp/ref" --threads 2 --quiet 2> /dev/null ||
  fail "the one-process run failed"
for np in 1 2 3; do
  mpi "$np" train "$tmp/tiny.json" --out "$tmp/np$np" --threads 1 --quiet 2> "$tmp/np$np.err" ||
    { cat "$tmp/np$np.err"; fail "mpirun -np $np train failed"; }
  same_run "$tmp/ref" "$tmp/np$np"
  echo "check_mpi: train under mpirun -np $np: byte-identical to one process"
done

# The transport losses: every process solves for the plan from the same gathered overlaps.
for loss in wasserstein sinkhorn; do
  "$ref_bin" train "$tmp/tiny.json" --set loss.kind=$loss --out "$tmp/ref_$loss" --threads 2 \
    --quiet 2> /dev/null || fail "the one-process run with loss.kind=$loss failed"
  for np in 2 3; do
    mpi "$np" train "$tmp/tiny.json" --set loss.kind=$loss --out "$tmp/np${np}_$loss" --threads 1 \
      --quiet 2> "$tmp/np${np}_$loss.err" ||
      { cat "$tmp/np${np}_$loss.err"; fail "mpirun -np $np train with loss.kind=$loss failed"; }
    same_run "$tmp/ref_$loss" "$tmp/np${np}_$loss"
  done
  echo "check_mpi: train with loss.kind=$loss under mpirun -np 2, 3: byte-identical to one process"
done

# gradient: one step's loss and gradient, with a bad outcome seen only by the last process.
/usr/bin/python3 - "$tmp" <<'PY'
import sys, numpy as np
d = sys.argv[1]
rng = np.random.default_rng(7)
def states(n, k):
    s = rng.normal(size=(n, 2**k)) + 1j * rng.normal(size=(n, 2**k))
    return s / np.linalg.norm(s, axis=1, keepdims=True)
np.save(f"{d}/x.npy", states(7, 2)); np.save(f"{d}/y.npy", states(5, 2))
np.save(f"{d}/p.npy", rng.uniform(-1, 1, size=2 * (2 + 1) * 3))
np.save(f"{d}/o.npy", np.array([0, 1, 0, 1, 1, 0, 1], dtype=np.int64))
np.save(f"{d}/bad.npy", np.array([0, 1, 0, 1, 1, 0, 2], dtype=np.int64))
PY
grad=(gradient --inputs "$tmp/x.npy" --targets "$tmp/y.npy" --params "$tmp/p.npy" --ancilla 1 --layers 3)
"$ref_bin" "${grad[@]}" --outcomes "$tmp/o.npy" > "$tmp/grad_ref.json" || fail "gradient failed"
for np in 2 3; do
  mpi "$np" "${grad[@]}" --outcomes "$tmp/o.npy" > "$tmp/grad$np.json" || fail "mpirun -np $np gradient failed"
  cmp -s "$tmp/grad_ref.json" "$tmp/grad$np.json" || fail "mpirun -np $np gradient differs"
done
echo "check_mpi: gradient under mpirun -np 2, 3: the same loss and gradient, to the last digit"
if mpi 3 "${grad[@]}" --outcomes "$tmp/bad.npy" > /dev/null 2> "$tmp/bad.err"; then
  fail "a bad outcome was accepted"
fi
[ "$(grep -c '^quddpm: ' "$tmp/bad.err")" = 1 ] || { cat "$tmp/bad.err"; fail "not one line for a bad outcome"; }
grep -q "^quddpm: $tmp/bad.npy: outcome 2 of input 6 is outside 0..1" "$tmp/bad.err" ||
  { cat "$tmp/bad.err"; fail "unclear error for a bad outcome"; }

# A config error: one line, from the first process, non-zero exit.
echo '{"model": "improved", "qubits": {"data": 3}, "training": {"epochs": 0}}' > "$tmp/bad.json"
if mpi 2 train "$tmp/bad.json" --out "$tmp/bad" 2> "$tmp/badcfg.err"; then fail "a bad config was accepted"; fi
[ "$(grep -c '^quddpm: ' "$tmp/badcfg.err")" = 1 ] || { cat "$tmp/badcfg.err"; fail "not one line for a bad config"; }
grep -q "training.epochs" "$tmp/badcfg.err" || { cat "$tmp/badcfg.err"; fail "the error does not name the key"; }
[ -e "$tmp/bad" ] || [ -e "$tmp/bad.partial" ] && fail "a bad config left output"

# More processes than states: refused in one line.
echo '{"model": "original", "qubits": {"data": 1, "ancilla": 1}, "diffusion": {"steps": 1}, "training": {"samples": 2, "diffusion_size": 4, "epochs": 2}}' > "$tmp/two.json"
if mpi 3 train "$tmp/two.json" --out "$tmp/two" 2> "$tmp/two.err"; then fail "3 processes for 2 states were accepted"; fi
[ "$(grep -c '^quddpm: ' "$tmp/two.err")" = 1 ] || { cat "$tmp/two.err"; fail "not one line for too many processes"; }
grep -q "mpirun -np 3: more processes than training.samples (2)" "$tmp/two.err" ||
  { cat "$tmp/two.err"; fail "unclear error for too many processes"; }
[ -e "$tmp/two" ] || [ -e "$tmp/two.partial" ] && fail "too many processes left output"

# Killed under 2 processes (checkpoints every 10 ms inside the cycles), resumed under 3.
sed 's/"epochs": 20/"epochs": 400/' "$tmp/tiny.json" > "$tmp/long.json"
"$ref_bin" train "$tmp/long.json" --out "$tmp/long_ref" --threads 2 --quiet 2> /dev/null || fail "reference failed"
mpirun --allow-run-as-root --oversubscribe -q -np 2 "$mpi_bin" train "$tmp/long.json" \
  --out "$tmp/long" --threads 1 --quiet --set checkpoint.every_seconds=0.01 2> /dev/null &
launcher=$!
deadline=$((SECONDS + 60))
until [ -f "$tmp/long.partial/checkpoint/state.json" ] &&
  grep -q '"progress"' "$tmp/long.partial/checkpoint/state.json" 2> /dev/null; do
  [ $SECONDS -lt $deadline ] || fail "no checkpoint inside a cycle under mpirun -np 2"
  kill -0 "$launcher" 2> /dev/null || fail "the 2-process run ended before it could be killed"
  sleep 0.02
done
pkill -KILL -f "$mpi_bin train $tmp/long.json" || true
wait "$launcher" 2> /dev/null || true
[ -d "$tmp/long.partial" ] || fail "no interrupted run left"
mpi 3 train --resume "$tmp/long" --threads 1 --quiet 2> "$tmp/resume.err" ||
  { cat "$tmp/resume.err"; fail "resume under mpirun -np 3 failed"; }
same_run "$tmp/long_ref" "$tmp/long"
echo "check_mpi: killed under -np 2, resumed under -np 3: byte-identical to one process"

# SIGTERM to mpirun (which passes it on): every process stops after the same epoch, the first
# writes a checkpoint inside the cycle and says how to resume; nothing hangs.
sed 's/"epochs": 20/"epochs": 100000/' "$tmp/tiny.json" > "$tmp/stop.json"
mpirun --allow-run-as-root --oversubscribe -q -np 2 "$mpi_bin" train "$tmp/stop.json" \
  --out "$tmp/stop" --threads 1 --quiet 2> "$tmp/stop.err" &
launcher=$!
deadline=$((SECONDS + 60))
until [ -f "$tmp/stop.partial/checkpoint/state.json" ]; do
  [ $SECONDS -lt $deadline ] || fail "no checkpoint of the prior under mpirun -np 2"
  sleep 0.02
done
sleep 0.5
kill -TERM "$launcher"
deadline=$((SECONDS + 30))
while kill -0 "$launcher" 2> /dev/null; do
  [ $SECONDS -lt $deadline ] || fail "mpirun still runs 30 s after SIGTERM"
  sleep 0.1
done
grep -q "^quddpm: interrupted by SIGTERM: checkpoint written in cycle t=2 after epoch" "$tmp/stop.err" ||
  { cat "$tmp/stop.err"; fail "no checkpoint inside the cycle at SIGTERM"; }
grep -q '"progress"' "$tmp/stop.partial/checkpoint/state.json" || fail "the checkpoint holds no cycle progress"
pgrep -f "$mpi_bin train $tmp/stop.json" > /dev/null && fail "processes left running after SIGTERM"
echo "check_mpi: SIGTERM stopped every process after the same epoch, with a checkpoint"
echo "check_mpi: ok"
