#!/usr/bin/python3
"""MMD to the data against the cycle, fresh against warm-started chains: one panel per n, the
improved model (c = L) and the original model at the same T, each line the mean over seeds with
its sample sd shaded, the prior (t = T) as the line's first point and the unitary KL floor
stated in the legend's KL numbers.

    PYTHONPATH=scripts /usr/bin/python3 -m quddpm.warm_start_figure --fresh DIR --warm DIR... --steps T
        --qubits "4 7 10" --out FILE.png [--table FILE.md]

DIR: merged regime-map tables (cycles.csv, floor.csv with columns diffusion.steps,
circuit.init.c, seed, model, n_data, t, mmd_to_data, kl_to_data; scripts/studies/regime_map.sh).
c = L means circuit.init.c = 2 (n + 3) (the default layer count with 3 ancillas).
"""
import argparse
import statistics
import sys
from collections import defaultdict

from quddpm import tidy_csv


def load(directory, steps):
    header, rows = tidy_csv.read(f"{directory}/cycles.csv")
    if header is None:
        sys.exit(f"warm_start_figure.py: {directory}/cycles.csv: not found or empty")
    runs = defaultdict(dict)  # (model, n, seed) -> t -> (mmd, kl)
    for r in rows:
        if int(r["diffusion.steps"]) != steps:
            continue
        n = int(r["n_data"])
        c = r.get("circuit.init.c", "none")
        if r["model"] == "improved" and c not in ("", "none") and float(c) != 2 * (n + 3):
            continue
        runs[(r["model"], n, r["seed"])][int(r["t"])] = (float(r["mmd_to_data"]),
                                                         float(r["kl_to_data"]))
    floors = defaultdict(list)
    fh, frows = tidy_csv.read(f"{directory}/floor.csv")
    for r in frows or []:
        if int(r["diffusion.steps"]) == steps and r["model"] == "improved":
            floors[int(r["n_data"])].append(float(r["kl_floor"]))
    return runs, floors


def curves(runs, model, n, steps):
    seeds = [k for k in runs if k[0] == model and k[1] == n and len(runs[k]) == steps + 1]
    if not seeds:
        return None
    ts = list(range(steps, -1, -1))
    mean = [statistics.fmean(runs[s][t][0] for s in seeds) for t in ts]
    sd = [statistics.stdev(runs[s][t][0] for s in seeds) if len(seeds) > 1 else 0.0 for t in ts]
    kl = [statistics.fmean(runs[s][t][1] for s in seeds) for t in (steps, 0)]
    return ts, mean, sd, kl, len(seeds)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--fresh", required=True)
    ap.add_argument("--warm", required=True, nargs="+", help="one or more folders")
    ap.add_argument("--steps", type=int, default=30)
    ap.add_argument("--qubits", default="4 7 10")
    ap.add_argument("--out", required=True)
    ap.add_argument("--table")
    a = ap.parse_args()
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    ns = [int(x) for x in a.qubits.split()]
    fresh, fresh_floor = load(a.fresh, a.steps)
    warm, warm_floor = defaultdict(dict), defaultdict(list)
    for d in a.warm:
        runs, floors = load(d, a.steps)
        warm.update(runs)
        for n, f in floors.items():
            warm_floor[n] += f
    fig, axes = plt.subplots(1, len(ns), figsize=(4.2 * len(ns), 3.8), squeeze=False)
    lines = ["| n | chain | seeds | MMD prior -> generated (sd) | KL prior -> generated | KL floor |",
             "|---|---|---|---|---|---|"]
    for ax, n in zip(axes[0], ns):
        floor = warm_floor.get(n) or fresh_floor.get(n)
        for runs, start, style in ((fresh, "fresh", "--"), (warm, "warm", "-")):
            for model, color in (("improved", "tab:blue"), ("original", "tab:red")):
                c = curves(runs, model, n, a.steps)
                if c is None:
                    continue
                ts, mean, sd, kl, k = c
                x = [a.steps - t for t in ts]
                ax.plot(x, mean, style, color=color,
                        label=f"{model}, {start} ({k} seed{'s' if k > 1 else ''})")
                ax.fill_between(x, [m - s for m, s in zip(mean, sd)],
                                [m + s for m, s in zip(mean, sd)], color=color, alpha=0.12)
                fl = f"{statistics.fmean(floor):.3f}" if floor and model == "improved" else "-"
                lines.append(f"| {n} | {model}, {start} | {k} | {mean[0]:.3g} -> {mean[-1]:.3g} "
                             f"({sd[-1]:.2g}) | {kl[0]:.3g} -> {kl[1]:.3g} | {fl} |")
        ax.set_yscale("log")
        ax.set_title(f"n = {n}, T = {a.steps}")
        ax.set_xlabel("cycles trained (0: the prior)")
        ax.set_ylabel("MMD to the data")
        ax.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(a.out, dpi=120)
    print(f"warm_start_figure.py: wrote {a.out}", file=sys.stderr)
    text = "\n".join(lines) + "\n"
    print(text, end="")
    if a.table:
        with open(a.table, "w") as f:
            f.write(text)


if __name__ == "__main__":
    main()
