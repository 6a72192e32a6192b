#!/usr/bin/python3
"""Turns the benchmark JSON of scripts/bench/bench.sh into results/bench/bench.csv and table.md.

Usage: bench_table.py OUT ISA...   (reads OUT/<isa>/{kernels,epochs}-<round>.json and
                                    epoch16.json for each ISA)

Per instruction set: the core clock (BM_CycleTime: one dependent integer addition per cycle; the
shortest over every instruction set's runs),
the gate kernels in ns and in cycles per amplitude (minimum and maximum over repetitions and
target qubits), and the training epochs against their FMA-bound limit. The limit counts the
vector work an epoch does: a 2x2 gate costs 8 multiply-adds per 2A amplitudes (A amplitudes per
register), an adjoint step 20 per 2A amplitudes of each of its two vectors' positions (the gate
on both, a Pauli read on each side of it), and the MMD's products as the epoch computes them
(the outputs' and the targets' Hermitian Gram matrices by their upper halves, the outputs
against the targets, and the output gradient's combination of 2N states) 4 real multiply-adds
per complex one; on two FMA pipes of 256 bits (AMD Zen 2-4; Zen 4 splits AVX-512 into two
halves) that is 1 cycle per amplitude for a gate, 2.5 for an adjoint step and 0.5 per complex
multiply-add in double, half of each in single. (Earlier versions of this script left the MMD's
products out, a limit 2.1% lower at n = 10; their runs lack the counter and are refused.)
Other work of an epoch (measurement, Adam, allocation, the threads' split) is not in the
limit. The evaluation metrics (mmd, mmd_to_haar and their sums of squared overlaps over N states)
are held against the same 0.5 cycles per complex multiply-add of the pairs they sum. Run with
/usr/bin/python3.
"""
import csv
import json
import os
import sys
from collections import defaultdict

FWD_CYCLES, ADJ_CYCLES = 1.0, 2.5  # per amplitude, double; single: half
MAC_CYCLES = 0.5  # per complex multiply-add of the MMD products, double
# The evaluation metrics of tests/benchmarks/bench_metrics.cpp (args n, N, threads; counter
# `macs`: complex multiply-adds per thread of the pairs each sums), against the same limit.
METRICS = {"BM_OverlapSqCross": "cross term (squared overlaps of two ensembles)",
           "BM_OverlapSqSelf": "self term (squared overlaps of one ensemble)",
           "BM_MmdMetric": "mmd", "BM_MmdToHaar": "mmd_to_haar"}


def runs_of(out, isa):
    """Every benchmark run of one instruction set: the kernels and the epochs (one file per round
    of scripts/bench/bench.sh) and the n = 16 epoch. (Not the single kernels.json and epochs.json of
    earlier versions: left beside a newer run, they would mix into its minima.)"""
    folder = os.path.join(out, isa)
    rounds = sorted(f for f in os.listdir(folder)
                    if f.startswith(("kernels-", "epochs-")) and f.endswith(".json"))
    runs = []
    for name in rounds + ["epoch16.json"]:
        path = os.path.join(folder, name)
        if os.path.exists(path):
            runs += load(path)
    return runs


def repetitions(runs, prefix):
    """How many repetitions the benchmarks named prefix/... ran, over every file and round."""
    counts = defaultdict(int)
    for b in runs:
        if b.get("run_type") == "iteration" and b["run_name"].startswith(prefix + "/"):
            counts[b["run_name"]] += 1
    return max(counts.values()) if counts else 0


def load(path):
    with open(path) as f:
        return json.load(f)["benchmarks"]


def spans(runs):
    """name -> (min, max) of cpu or real time in ms over the repetitions, plus counters."""
    out = {}
    for b in runs:
        if b.get("run_type") != "iteration":
            continue
        name = b["run_name"].replace("/real_time", "")
        scale = {"ns": 1e-6, "us": 1e-3, "ms": 1.0, "s": 1e3}[b["time_unit"]]
        t = (b["real_time"] if "real_time" in b["run_name"] else b["cpu_time"]) * scale
        lo, hi, first = out.get(name, (t, t, b))
        out[name] = (min(lo, t), max(hi, t), first)
    return out


def kernel_rows(s, bench, nq):
    """target qubit -> (min ns/amp, max ns/amp)."""
    rows = {}
    for name, (lo, hi, b) in s.items():
        parts = name.split("/")
        if parts[0] == bench and int(parts[1]) == nq:
            amps = b["amps"]
            rows[int(parts[2])] = (lo * 1e6 / amps, hi * 1e6 / amps)
    return rows


def main(out, isas):
    lines, csv_rows = [], []
    summary = ["| instruction set | clock (GHz) | 2x2 gate, 13 and 16 qubits, double (cycles/amp, "
               "per-target minima) "
               "| single (cycles/amp) | epoch n = 10, 2 threads, double (ms) | its FMA-bound limit "
               "(ms) | single (ms) | single / double |", "|---|---|---|---|---|---|---|---|"]
    # One clock for the machine: the shortest cycle over every instruction set's rounds (the
    # chain of integer additions runs the same whatever the instruction set; a longer one is a
    # disturbed run, and taking it would lengthen the cycle and flatter the cycle counts).
    def cycles_of(isa):
        return [b["cycle_ns"] for b in runs_of(out, isa)
                if b.get("run_type") == "iteration" and b["run_name"] == "BM_CycleTime"]
    cycle_ns = min(min(cycles_of(isa)) for isa in isas)
    for isa in isas:
        runs = runs_of(out, isa)
        s = spans(runs)
        cyc = cycles_of(isa)
        lines += [f"## {isa}", "",
                  f"Clock: {1 / cycle_ns:.2f} GHz (one dependent addition per cycle: "
                  f"{min(cyc):.4f}-{max(cyc):.4f} ns over this instruction set's {len(cyc)} runs; "
                  f"the shortest over every instruction set's, {cycle_ns:.4f} ns, is used, so "
                  "cycle counts are upper bounds). Kernels on one thread, minimum-"
                  f"maximum over {repetitions(runs, 'BM_Apply1q')} repetitions, in ns and cycles "
                  "per amplitude; epochs in ms of wall time, minimum-maximum over "
                  f"{repetitions(runs, 'BM_TrainingEpoch')} repetitions.", ""]
        gate = {}
        for bench, label in (("BM_Apply1q", "general 2x2 gate, double"),
                             ("BM_Apply1qSingle", "general 2x2 gate, single"),
                             ("BM_AdjointUndo", "adjoint step (2 reads + undo on 2 vectors), double"),
                             ("BM_AdjointUndoSingle", "adjoint step, single"),
                             ("BM_Apply1qReference", "reference 2x2 gate kernel, double")):
            for nq in (13, 16, 20, 24):
                rows = kernel_rows(s, bench, nq)
                if not rows:
                    continue
                lo = min(v[0] for v in rows.values())
                hi = max(v[1] for v in rows.values())
                # The slowest target's least disturbed run: what the per-target limits judge.
                worst = max(v[0] for v in rows.values())
                gate[(bench, nq)] = (lo / cycle_ns, worst / cycle_ns)
                lines.append(f"- {label}, {nq} qubits, every target: {lo:.3f}-{hi:.3f} ns/amp = "
                             f"{lo / cycle_ns:.2f}-{hi / cycle_ns:.2f} cycles/amp; per-target "
                             f"minima {lo / cycle_ns:.2f}-{worst / cycle_ns:.2f}")
                lines.append("  - per target qubit (min over repetitions, ns): " +
                             " ".join(f"{rows[q][0]:.3f}" for q in sorted(rows)))
                for q in sorted(rows):
                    csv_rows.append({"isa": isa, "benchmark": bench, "args": f"{nq}/{q}",
                                     "min_ms": "", "max_ms": "",
                                     "ns_per_amp_min": f"{rows[q][0]:.5g}",
                                     "ns_per_amp_max": f"{rows[q][1]:.5g}"})
        for bench in ("BM_CzLadders", "BM_LastGateWithCz", "BM_LastAdjointWithCz"):
            vals = sorted((int(n.split("/")[1]), lo * 1e6 / b["amps"]) for n, (lo, hi, b) in s.items()
                          if n.split("/")[0] == bench)
            if vals:
                lines.append(f"- {bench}: " + ", ".join(f"{n} qubits {v:.3f} ns/amp" for n, v in vals))
        lines += ["", "| epoch | n | threads | double (ms) | FMA-bound limit (ms) | double / limit "
                  "| single (ms) | single / double |", "|---|---|---|---|---|---|---|---|"]
        epoch = {}
        for name, (lo, hi, b) in sorted(s.items()):
            parts = name.split("/")
            if parts[0] != "BM_TrainingEpoch":
                continue
            n, th = int(parts[1]), int(parts[2])
            if "mmd_macs" not in b:
                sys.exit(f"{out}/{isa}: {name} has no mmd_macs counter (a run of an older suite); "
                         "rerun scripts/bench/bench.sh")
            limit = (b["fwd_amps"] * FWD_CYCLES + b["adj_amps"] * ADJ_CYCLES
                     + b["mmd_macs"] * MAC_CYCLES) * cycle_ns * 1e-6
            single = s.get(f"BM_TrainingEpochSingle/{n}/{th}")
            epoch[(n, th)] = (lo, hi, limit, single)
            sd = f"{single[0]:.1f}-{single[1]:.1f} | {single[0] / lo:.2f}" if single else "- | -"
            lines.append(f"| training epoch | {n} | {th} | {lo:.1f}-{hi:.1f} | {limit:.1f} | "
                         f"{lo / limit:.2f} | {sd} |")
        metrics = [(name, lo, hi, b) for name, (lo, hi, b) in sorted(s.items())
                   if name.split("/")[0] in METRICS and "macs" in b]
        if metrics:
            lines += ["", "| metric | n | N | threads | ms | FMA-bound limit (ms) | ms / limit |",
                      "|---|---|---|---|---|---|---|"]
            for name, lo, hi, b in metrics:
                parts = name.split("/")
                limit = b["macs"] * MAC_CYCLES * cycle_ns * 1e-6
                lines.append(f"| {METRICS[parts[0]]} | {parts[1]} | {parts[2]} | {parts[3]} | "
                             f"{lo:.1f}-{hi:.1f} | {limit:.1f} | {lo / limit:.2f} |")
        for name, (lo, hi, b) in sorted(s.items()):
            csv_rows.append({"isa": isa, "benchmark": name.split("/")[0],
                             "args": "/".join(name.split("/")[1:]), "min_ms": f"{lo:.6g}",
                             "max_ms": f"{hi:.6g}", "ns_per_amp_min": "", "ns_per_amp_max": ""})
        other = [(n, lo) for n, (lo, hi, b) in sorted(s.items())
                 if n.split("/")[0] in ("BM_ForwardPass", "BM_ForwardDiffusion", "BM_MmdGrams",
                                        "BM_MmdCombine")]
        if other:
            lines += ["", "- " + ", ".join(f"{n}: {lo:.1f} ms" for n, lo in other)]
        if (16, 2) in epoch:
            rss = os.path.join(out, isa, "epoch16.maxrss_kb")
            mem = (f", peak memory {int(open(rss).read().split()[-1]) / 1024**2:.2f} GiB"
                   if os.path.exists(rss) else "")
            lines.append(f"- training epoch n = 16, 2 threads: {epoch[(16, 2)][0] / 1e3:.1f} s{mem}")
        lines.append("")
        g13 = [gate.get(("BM_Apply1q", nq)) for nq in (13, 16) if gate.get(("BM_Apply1q", nq))]
        s13 = [gate.get(("BM_Apply1qSingle", nq)) for nq in (13, 16)
               if gate.get(("BM_Apply1qSingle", nq))]
        e = epoch.get((10, 2))
        summary.append(
            f"| {isa} | {1 / cycle_ns:.2f} | "
            + (f"{min(x[0] for x in g13):.2f}-{max(x[1] for x in g13):.2f}" if g13 else "-") + " | "
            + (f"{min(x[0] for x in s13):.2f}-{max(x[1] for x in s13):.2f}" if s13 else "-") + " | "
            + (f"{e[0]:.1f}-{e[1]:.1f} | {e[2]:.1f} | " if e else "- | - | ")
            + (f"{e[3][0]:.1f}-{e[3][1]:.1f} | {e[3][0] / e[0]:.2f} |" if e and e[3] else "- | - |"))
    torch_file = os.path.join(out, "torch.jsonl")
    if os.path.exists(torch_file):
        peers = [json.loads(line) for line in open(torch_file) if line.strip()]
        summary += ["", "Against a batched PyTorch epoch of the same model (scripts/bench/torch_epoch.py, "
                    "complex64, 2 threads, minimum of 3), quddpm's epoch on 2 threads (minimum):",
                    "", "| n | PyTorch (ms) | " + " | ".join(
                        f"{isa} double (ms, ratio) | {isa} single (ms, ratio)" for isa in isas)
                    + " |", "|---|---|" + "---|---|" * len(isas)]
        for p in peers:
            cells = []
            for isa in isas:
                s_ = spans(runs_of(out, isa))
                for name in ("BM_TrainingEpoch", "BM_TrainingEpochSingle"):
                    v = s_.get(f"{name}/{p['qubits']}/2")
                    cells.append(f"{v[0]:.1f} ({p['epoch_ms'] / v[0]:.1f}x)" if v else "-")
            summary.append(f"| {p['qubits']} | {p['epoch_ms']:.0f} | " + " | ".join(cells) + " |")
    with open(os.path.join(out, "bench.csv"), "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=["isa", "benchmark", "args", "min_ms", "max_ms",
                                          "ns_per_amp_min", "ns_per_amp_max"])
        w.writeheader()
        w.writerows(csv_rows)
    text = "\n".join(["## Summary", ""] + summary + [""] + lines)
    with open(os.path.join(out, "table.md"), "w") as f:
        f.write(text)
    print(text, end="")


if __name__ == "__main__":
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    main(sys.argv[1], sys.argv[2:])
