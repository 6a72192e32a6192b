#!/usr/bin/python3
"""Magnetization histograms of trained runs: M = sum_x |psi_x|^2 |(1/n) sum_i (2 x_i - 1)| per
state (docs/model.md's `magnetization`), for the data (data.npy), the prior (prior.npy) and the
generated ensemble (generated.npy) of every run folder under ROOT.

    PYTHONPATH=scripts /usr/bin/python3 -m quddpm.magnetization ROOT [--bins 10] [--out FILE.csv] [--figure FILE.png]
                                             [--summary FILE.md]

A run folder is one holding config.json and the three .npy files. The tidy CSV has one row per
(run, ensemble, bin): run (its folder relative to ROOT), model, n_data, g_min, g_max, seed,
init (the circuit.init.c and warm start, or "none"), ensemble, bin_lo, bin_hi, fraction; and one
summary row per (run, ensemble) with bin_lo = bin_hi = "mean" holding the mean M. The figure
draws, per g range, the data's histogram against each model's generated one (mean over seeds);
the summary, the mean M of data, prior and generated ensembles per cell (mean ± sd over seeds).
"""
import argparse
import csv
import json
import os
import sys
from collections import defaultdict

import numpy as np


def magnetization(states):
    """M of each row of an N x 2^n array of amplitudes (qubit 0 the most significant bit)."""
    dim = states.shape[1]
    n = dim.bit_length() - 1
    x = np.arange(dim)
    ones = np.zeros(dim)
    for q in range(n):
        ones += (x >> (n - 1 - q)) & 1
    m_of_basis = np.abs((2 * ones - n) / n)
    return (np.abs(states) ** 2) @ m_of_basis


def runs_under(root):
    for d, _, files in os.walk(root):
        if {"config.json", "data.npy", "generated.npy", "prior.npy"} <= set(files):
            yield d


def describe(run):
    with open(os.path.join(run, "config.json")) as f:
        c = json.load(f)
    t = c.get("target", {})
    init = c.get("circuit", {}).get("init", {})
    label = "none"
    if c["model"] == "improved":
        label = f"c={init.get('c')}" + (" warm" if init.get("warm_start") else "")
    elif init.get("warm_start"):
        label = "warm"
    return {"model": c["model"], "n_data": c["qubits"]["data"], "g_min": t.get("g_min"),
            "g_max": t.get("g_max"), "seed": c["seed"], "init": label}


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("root")
    ap.add_argument("--bins", type=int, default=10)
    ap.add_argument("--out")
    ap.add_argument("--figure")
    ap.add_argument("--summary")
    a = ap.parse_args()
    edges = np.linspace(0, 1, a.bins + 1)
    rows = []
    for run in sorted(runs_under(a.root)):
        info = describe(run)
        for ens in ("data", "prior", "generated"):
            m = magnetization(np.load(os.path.join(run, ens + ".npy")))
            counts, _ = np.histogram(np.clip(m, 0, 1), bins=edges)
            base = {"run": os.path.relpath(run, a.root), **info, "ensemble": ens}
            for lo, hi, k in zip(edges[:-1], edges[1:], counts):
                rows.append({**base, "bin_lo": f"{lo:.3f}", "bin_hi": f"{hi:.3f}",
                             "fraction": k / len(m)})
            rows.append({**base, "bin_lo": "mean", "bin_hi": "mean", "fraction": float(m.mean())})
    if not rows:
        sys.exit(f"magnetization.py: {a.root}: no run folder with data.npy, prior.npy and "
                 "generated.npy")
    out = open(a.out, "w", newline="") if a.out else sys.stdout
    w = csv.DictWriter(out, fieldnames=list(rows[0].keys()))
    w.writeheader()
    w.writerows(rows)
    if a.figure:
        draw(rows, edges, a.figure)
    if a.summary:
        with open(a.summary, "w") as f:
            f.write(summary(rows))


def summary(rows):
    """Mean magnetization per (n, g range, model, init): data, prior, generated."""
    cells = defaultdict(lambda: defaultdict(list))
    for r in rows:
        if r["bin_lo"] == "mean":
            key = (int(r["n_data"]), float(r["g_min"]), float(r["g_max"]), r["model"], r["init"])
            cells[key][r["ensemble"]].append(r["fraction"])

    def fmt(xs):
        sd = f" ± {np.std(xs, ddof=1):.3f}" if len(xs) > 1 else ""
        return f"{np.mean(xs):.3f}{sd}"

    lines = ["| n | g | model | init | seeds | M data | M prior | M generated |",
             "|---|---|---|---|---|---|---|---|"]
    for (n, lo, hi, model, init), e in sorted(cells.items()):
        lines.append(f"| {n} | [{lo:g}, {hi:g}] | {model} | {init} | {len(e['data'])} | "
                     f"{fmt(e['data'])} | {fmt(e['prior'])} | {fmt(e['generated'])} |")
    return "\n".join(lines) + "\n"


def draw(rows, edges, path):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    hist = defaultdict(lambda: defaultdict(list))  # (n, g range) -> curve -> [fractions per seed]
    for r in rows:
        if r["bin_lo"] == "mean":
            continue
        key = (r["n_data"], f"g in [{r['g_min']}, {r['g_max']}]")
        curve = "data" if r["ensemble"] == "data" else (
            f"{r['model']} {r['init']} {r['ensemble']}")
        hist[key][(curve, r["run"] if r["ensemble"] != "data" else "")].append(r["fraction"])
    panels = sorted(hist)
    fig, axes = plt.subplots(1, len(panels), figsize=(4.2 * len(panels), 3.4), squeeze=False)
    centers = (edges[:-1] + edges[1:]) / 2
    nb = len(centers)
    for ax, key in zip(axes[0], panels):
        curves = defaultdict(list)
        for (curve, run), fr in hist[key].items():
            if curve.endswith("prior"):
                continue
            for i in range(0, len(fr), nb):
                curves[curve].append(fr[i:i + nb])
        for curve, hs in sorted(curves.items()):
            mean = np.mean(np.array(hs), axis=0)
            style = dict(color="black", linewidth=2.5) if curve == "data" else dict()
            ax.step(centers, mean, where="mid", label=curve, **style)
        ax.set_title(f"n = {key[0]}, {key[1]}")
        ax.set_xlabel("magnetization M")
        ax.set_ylabel("fraction of states")
    axes[0][0].legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(path, dpi=120)


if __name__ == "__main__":
    main()
