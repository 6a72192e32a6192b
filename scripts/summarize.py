#!/usr/bin/python3
"""Markdown summary table of a sweep (scripts/sweep.sh), one column per run, from its tidy CSVs.

    /usr/bin/python3 scripts/summarize.py SWEEP_DIR [--out FILE]

Rows: mean gradient norm of the first trained cycle (t = T - 1, whose inputs are the prior) and
over all cycles; MMD and KL to the data of the prior S~_T and of the generated S~_0;
mmd_to_haar of both and of the data; the cycles whose loss fell (mean of the last 10 epochs below the first
10); the run's wall time (sum of the per-cycle seconds). Prints the table; --out also writes it.
"""
import argparse
import math
import os
import sys
from collections import defaultdict

import tidy_csv


def read(path):
    header, rows = tidy_csv.read(path)
    if header is None:
        sys.exit(f"summarize.py: {path}: no such file (is this a finished sweep's folder?)")
    if "model" not in header or not rows:
        sys.exit(f"summarize.py: {path}: expected a sweep's tidy CSV with a 'model' column and rows")
    return header, rows


def run_id(row, keys):
    return tuple(row[k] for k in keys) + (row["model"], int(row["n_data"]))


def fmt(x):
    if x is None or math.isnan(x):
        return "-"
    if x == 0 or abs(x) >= 0.01:
        return f"{x:.3f}"
    return f"{x:.2e}"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("sweep_dir")
    ap.add_argument("--out")
    a = ap.parse_args()
    hc, cycles = read(os.path.join(a.sweep_dir, "cycles.csv"))
    hd, diffusion = read(os.path.join(a.sweep_dir, "diffusion.csv"))
    data_haar = {run_id(r, tidy_csv.swept_keys(hd)): float(r["mmd_to_haar"]) for r in diffusion
                 if int(r["t"]) == 0}
    he, epochs = read(os.path.join(a.sweep_dir, "epochs.csv"))
    keys = tidy_csv.swept_keys(hc)
    runs = defaultdict(list)
    for r in cycles:
        runs[run_id(r, keys)].append(r)
    losses = defaultdict(lambda: defaultdict(list))
    for r in epochs:
        losses[run_id(r, tidy_csv.swept_keys(he))][int(r["t"])].append((int(r["epoch"]), float(r["loss"])))
    order = sorted(runs, key=lambda k: (k[:-2], k[-2] != "original", k[-1]))
    stats = {}
    for k in order:
        rows = sorted(runs[k], key=lambda r: -int(r["t"]))
        prior, trained, last = rows[0], rows[1:], rows[-1]
        g = [float(r["mean_grad_norm"]) for r in trained]
        fell = 0
        for t, pts in losses[k].items():
            ls = [l for _, l in sorted(pts)]
            fell += sum(ls[-10:]) / len(ls[-10:]) < sum(ls[:10]) / len(ls[:10])
        stats[k] = {
            "first-cycle mean gradient norm": g[0] if g else math.nan,
            "mean gradient norm, all cycles": sum(g) / len(g) if g else math.nan,
            "MMD(prior S~_T, data)": float(prior["mmd_to_data"]),
            "MMD(generated S~_0, data)": float(last["mmd_to_data"]),
            "KL(data ‖ prior)": float(prior["kl_to_data"]),
            "KL(data ‖ generated)": float(last["kl_to_data"]),
            "mmd_to_haar: prior -> generated": (float(prior["mmd_to_haar"]),
                                               float(last["mmd_to_haar"])),
            "mmd_to_haar of the data S_0": data_haar.get(k, math.nan),
            "cycles whose loss fell": f"{fell}/{len(losses[k])}",
            "wall time": sum(float(r["seconds"]) for r in rows),
        }
    names = []
    for k in order:
        extra = ", ".join(f"{key}={v}" for key, v in zip(keys, k[:-2]))
        names.append(f"{k[-2]} n={k[-1]}" + (f" ({extra})" if extra else ""))
    lines = ["| | " + " | ".join(names) + " |", "|---" * (len(order) + 1) + "|"]
    for row in stats[order[0]]:
        cells = []
        for k in order:
            v = stats[k][row]
            if isinstance(v, tuple):
                cells.append(f"{fmt(v[0])} -> {fmt(v[1])}")
            elif isinstance(v, str):
                cells.append(v)
            elif row == "wall time":
                cells.append(f"{v / 60:.1f} min" if v >= 60 else f"{v:.0f} s")
            else:
                cells.append(fmt(v))
        lines.append(f"| {row} | " + " | ".join(cells) + " |")
    text = "\n".join(lines) + "\n"
    print(text, end="")
    if a.out:
        with open(a.out, "w") as f:
            f.write(text)


if __name__ == "__main__":
    main()
