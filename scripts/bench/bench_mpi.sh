#!/usr/bin/env bash
# Benchmark of the MPI build (not a test): one training epoch at n = 10 and n = 13 (3 ancillas,
# L = 2 (n + 3), N = 100 states) as 1 process x 2 threads, 1 process x 1 thread and
# `mpirun -np 2` x 1 thread, on this machine; the ratio of the 2-process to the 2-thread epoch,
# the bytes the processes exchange per epoch, and a model of the efficiency at 8, 32 and 100
# processes on a 10 GB/s, 2 us network. Writes results/bench/mpi/bench.json and prints the
# table that results/bench/mpi/README.md quotes.
#
# An epoch's time: a one-cycle run (T = 1) of E epochs; the cycle's wall time (cycles.csv
# `seconds`, which also holds the cycle's propagation and metrics, about one forward pass) over
# E, the minimum of 3 runs. Needs build/quddpm and build-mpi/quddpm (scripts/setup/test.sh builds both).
# Usage: scripts/bench/bench_mpi.sh [--quick]
set -euo pipefail
cd "$(dirname "$0")/../.."
quick=0
[ "${1:-}" = --quick ] && quick=1
plain=build/quddpm mpi=build-mpi/quddpm
[ -x "$plain" ] && [ -x "$mpi" ] || { echo "bench_mpi.sh: build build/ and build-mpi/ first (scripts/setup/test.sh)" >&2; exit 2; }
out=results/bench/mpi
[ "$quick" = 1 ] && out=build/bench-mpi-quick
mkdir -p "$out"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

# epoch_seconds N EPOCHS THREADS LAUNCH...: the minimum over 3 runs of the trained cycle's
# seconds / EPOCHS.
epoch_seconds() {
  local n="$1" epochs="$2" threads="$3" best="" i s
  shift 3
  for i in 1 2 3; do
    rm -rf "$tmp/run" "$tmp/run.partial"
    "$@" train "$tmp/n$n.json" --out "$tmp/run" --threads "$threads" --quiet 2> /dev/null
    s=$(awk -F, 'NR > 1 && $6 == 0 {print $NF}' "$tmp/run/cycles.csv")
    best=$(/usr/bin/python3 -c "import sys; v=float(sys.argv[1])/int(sys.argv[2]); b=sys.argv[3]; print(min(v, float(b)) if b else v)" "$s" "$epochs" "$best")
  done
  echo "$best"
}

results="{"
for n in 10 13; do
  epochs=20
  [ "$n" = 13 ] && epochs=5
  [ "$quick" = 1 ] && epochs=2
  cat > "$tmp/n$n.json" <<EOF
{"model": "original", "seed": 1, "qubits": {"data": $n, "ancilla": 3},
 "diffusion": {"steps": 1, "schedule": {"start": 1.0, "end": 1.0}},
 "training": {"samples": 100, "diffusion_size": 100, "epochs": $epochs}}
EOF
  t2=$(epoch_seconds "$n" "$epochs" 2 "$plain")
  t1=$(epoch_seconds "$n" "$epochs" 1 "$plain")
  r2=$(epoch_seconds "$n" "$epochs" 1 mpirun --allow-run-as-root --oversubscribe -q -np 2 "$mpi")
  echo "bench_mpi.sh: n = $n: 1 x 2 threads $t2 s, 1 x 1 thread $t1 s, 2 processes x 1 thread $r2 s" >&2
  results+="\"$n\": {\"threads2\": $t2, \"threads1\": $t1, \"mpi2\": $r2},"
done
results="${results%,}}"
cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')
/usr/bin/python3 - "$out" "$cpu" "$results" <<'PY'
import json, sys
out, cpu, measured = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
N, NA = 100, 3
ALPHA, BETA = 2e-6, 10e9  # the model network: 2 us per message, 10 GB/s
rows, model = [], {}
for n, m in sorted(measured.items(), key=lambda kv: int(kv[0])):
    n = int(n)
    ntot = n + NA
    P = 2 * ntot * (2 * ntot)  # RX, RY per qubit and layer, L = 2 ntot
    # Gathered per epoch: the measured data states (2^n complex amplitudes, outcome,
    # probability per state), the rows of the three N x N Gram matrices of the loss (outputs
    # with outputs, with targets, targets with targets) and the per-state gradients (P doubles
    # per state): five allgathers.
    state_bytes = N * (2 ** (n + 1) + 2) * 8
    gram_bytes = 3 * N * N * 16
    grad_bytes = N * P * 8
    total = state_bytes + gram_bytes + grad_bytes
    gathers = 5
    t1, t2, r2 = m["threads1"], m["threads2"], m["mpi2"]
    # Split of the one-thread epoch into the part the processes divide (circuits, adjoint
    # sweeps) and the part each process repeats (the loss from the gathered states: Gram
    # matrices, the state gradient): t1 = par + dup and r2 = par / 2 + dup + comm(2), with
    # the 2-process exchange through shared memory taken as total / 2 at 5 GB/s.
    comm2 = total / 2 / 5e9
    dup = max(0.0, 2 * (r2 - comm2) - t1)
    par = t1 - dup
    effs = {}
    for R in (2, 8, 32, 100):
        # Ring allgathers: R - 1 messages each, (R - 1) / R of the bytes to every process.
        comm = gathers * (R - 1) * ALPHA + total * (R - 1) / R / BETA
        t = par / min(R, N) + dup + comm
        effs[R] = t1 / (R * t)
    rows.append((n, t2, t1, r2, r2 / t2, state_bytes, gram_bytes, grad_bytes, par, dup, effs))
    model[n] = {"bytes_states": state_bytes, "bytes_gram_rows": gram_bytes,
                "bytes_gradients": grad_bytes, "parallel_s": par,
                "repeated_s": dup, "efficiency": {str(k): v for k, v in effs.items()}}
json.dump({"cpu": cpu, "epoch_seconds": measured, "model": model,
           "network": {"latency_s": ALPHA, "bandwidth_Bps": BETA}},
          open(f"{out}/bench.json", "w"), indent=2)
print(f"CPU: {cpu}; one epoch (N = {N}, {NA} ancillas, L = 2 ntot), minimum of 3 runs:\n")
print("| n | 1 process x 2 threads (s) | 1 x 1 thread (s) | 2 processes x 1 thread (s) | 2 processes / 2 threads | gathered per epoch: states + Gram rows + gradients (MB) |")
print("|---|---|---|---|---|---|")
for n, t2, t1, r2, ratio, sb, mb, gb, par, dup, effs in rows:
    print(f"| {n} | {t2:.3f} | {t1:.3f} | {r2:.3f} | {ratio:.3f} | {sb/1e6:.2f} + {mb/1e6:.2f} + {gb/1e6:.2f} |")
print("\nModel of one epoch on R processes (one thread each), 10 GB/s and 2 us per message: "
      "t(R) = par / R + repeated + 5 (R - 1) 2 us + bytes (R - 1) / R / 10 GB/s; "
      "efficiency = t(1 thread) / (R t(R)):\n")
print("| n | divided part (s) | repeated part (s) | R = 8 | R = 32 | R = 100 |")
print("|---|---|---|---|---|---|")
for n, t2, t1, r2, ratio, sb, mb, gb, par, dup, effs in rows:
    print(f"| {n} | {par:.3f} | {dup:.4f} | {effs[8]:.2f} | {effs[32]:.2f} | {effs[100]:.2f} |")
PY
