#!/usr/bin/python3
"""Turns the benchmark JSON of scripts/bench.sh into results/bench/bench.csv and table.md.

Kernel rows report the time per amplitude (minimum CPU time over repetitions divided by the
state size); algorithm rows report milliseconds of wall time. Run with /usr/bin/python3.
"""
import csv
import json
import os
import sys
from collections import defaultdict


def load(path):
    with open(path) as f:
        return json.load(f)["benchmarks"]


def main(out):
    runs = load(os.path.join(out, "bench.json"))
    extra = os.path.join(out, "epoch16.json")
    if os.path.exists(extra):
        runs += load(extra)
    best = defaultdict(lambda: None)
    for b in runs:
        if b.get("run_type") != "iteration":
            continue
        name = b["run_name"]
        if best[name] is None or b["cpu_time"] < best[name]["cpu_time"]:
            best[name] = b

    rows = []
    for name, b in best.items():
        unit = b["time_unit"]
        scale = {"ns": 1e-6, "us": 1e-3, "ms": 1.0, "s": 1e3}[unit]
        parts = name.replace("/real_time", "").split("/")
        row = {"benchmark": parts[0], "args": "/".join(parts[1:]),
               "real_ms": b["real_time"] * scale, "cpu_ms": b["cpu_time"] * scale,
               "ns_per_amp": ""}
        if "amps" in b:
            row["ns_per_amp"] = b["cpu_time"] * scale * 1e6 / b["amps"]
        rows.append(row)
    with open(os.path.join(out, "bench.csv"), "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=["benchmark", "args", "real_ms", "cpu_ms", "ns_per_amp"])
        w.writeheader()
        for r in rows:
            w.writerow({k: (f"{v:.6g}" if isinstance(v, float) else v) for k, v in r.items()})

    lines = ["## Gate kernels, one thread (ns per amplitude; min over 3 repetitions)", ""]
    kern = defaultdict(dict)
    for r in rows:
        if r["ns_per_amp"] != "" and r["benchmark"] in ("BM_Apply1q", "BM_Apply1qReference",
                                                         "BM_AdjointUndo"):
            nq, q = r["args"].split("/")
            kern[(r["benchmark"], int(nq))][int(q)] = r["ns_per_amp"]
    for (bench, nq), byq in sorted(kern.items()):
        vals = [byq[q] for q in sorted(byq)]
        lines.append(f"- {bench} {nq} qubits: min {min(vals):.3f}, max {max(vals):.3f} "
                     f"(in-register targets q={nq-2},{nq-1}: {byq.get(nq-2, float('nan')):.3f}, "
                     f"{byq.get(nq-1, float('nan')):.3f})")
        lines.append("  - per target qubit 0..%d: %s" % (nq - 1, " ".join(f"{v:.3f}" for v in vals)))
    cz = sorted((int(r["args"]), r["ns_per_amp"]) for r in rows if r["benchmark"] == "BM_CzLadders")
    lines.append("- CZ ladders (one diagonal pass): " +
                 ", ".join(f"{n} qubits {v:.3f}" for n, v in cz))
    fused = sorted((int(r["args"]), r["ns_per_amp"]) for r in rows
                   if r["benchmark"] == "BM_LastGateWithCz")
    lines.append("- last gate of a layer fused with its CZ ladders (what the circuit runs): " +
                 ", ".join(f"{n} qubits {v:.3f}" for n, v in fused))
    lines += ["", "## Algorithms (wall time, ms; na = 3, L = 2 (n + na), N = 100)", "",
              "| benchmark | n | threads | ms |", "|---|---|---|---|"]
    epoch = {}
    for r in sorted(rows, key=lambda r: (r["benchmark"], r["args"])):
        if r["ns_per_amp"] != "":
            continue
        n, threads = r["args"].split("/")[:2]
        lines.append(f"| {r['benchmark']} | {n} | {threads} | {r['real_ms']:.1f} |")
        if r["benchmark"] == "BM_TrainingEpoch":
            epoch[(int(n), int(threads))] = r["real_ms"]
    lines.append("")
    for n in (4, 7, 10):
        if (n, 1) in epoch and (n, 2) in epoch:
            lines.append(f"- thread scaling of one epoch at n = {n}: "
                         f"{epoch[(n, 1)] / epoch[(n, 2)]:.2f}x with 2 threads")
    if (10, 2) in epoch:
        t = epoch[(10, 2)] / 1e3 * 30 * 300
        lines.append(f"- n = 10 reproduction estimate (T = 30 cycles x 300 epochs, 2 threads): "
                     f"{t / 60:.0f} min per model, {2 * t / 60:.0f} min for both")
    rss = os.path.join(out, "epoch16.maxrss_kb")
    if os.path.exists(rss):
        lines.append(f"- n = 16 epoch process peak memory: "
                     f"{int(open(rss).read().split()[-1]) / 1024**2:.2f} GiB")
    text = "\n".join(lines) + "\n"
    with open(os.path.join(out, "table.md"), "w") as f:
        f.write(text)
    print(text, end="")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "results/bench")
