#!/usr/bin/python3
"""Mechanism 2, isolated: per cycle, the mean gradient norm and the chain's MMD to the data when
each cycle trains on the backward chain's own outputs (training.input = chain) and when it
trains on the forward ensemble S_{t+1} (forward, teacher forcing), over the seeds of a sweep
(scripts/sweep/sweep.sh --sweep training.input=chain,forward). A cascade (an untrained or failed cycle
making the next cycle's inputs Haar-like) shows as smaller gradients with `chain` than with
`forward` at the same cycle.

    PYTHONPATH=scripts /usr/bin/python3 -m quddpm.mechanism2 SWEEP_DIR... [--out FILE.md] [--figure FILE.png]
"""
import argparse
import os
import math
import statistics
import sys
from collections import defaultdict

from quddpm import tidy_csv
from quddpm.stats import seed_spread


def load(directory):
    header, rows = tidy_csv.read(os.path.join(directory, "cycles.csv"))
    if header is None or "training.input" not in header:
        sys.exit(f"mechanism2.py: {directory}/cycles.csv: expected a sweep over training.input")
    runs = defaultdict(dict)  # (n, input, seed) -> t -> (grad, mmd)
    for r in rows:
        runs[(int(r["n_data"]), r["training.input"], r["seed"])][int(r["t"])] = (
            float(r["mean_grad_norm"]), float(r["mmd_to_data"]))
    return runs


def sd(xs):
    """The seed spread, 0 for one seed (the table shows no spread rather than nan)."""
    spread = seed_spread(xs)[1]
    return 0.0 if math.isnan(spread) else spread


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("sweeps", nargs="+")
    ap.add_argument("--out")
    ap.add_argument("--figure")
    a = ap.parse_args()
    runs = {}
    for d in a.sweeps:
        runs.update(load(d))
    ns = sorted({n for (n, _, _) in runs})
    lines = ["| n | t | seeds | mean grad, chain | mean grad, forward | forward / chain | "
             "MMD to data, chain | MMD to data, forward |", "|---|---|---|---|---|---|---|---|"]
    panels = []
    for n in ns:
        steps = max(t for k, v in runs.items() if k[0] == n for t in v)
        seeds = sorted({s for (m, i, s) in runs if m == n and i == "chain"} &
                       {s for (m, i, s) in runs if m == n and i == "forward"})
        seeds = [s for s in seeds if len(runs[(n, "chain", s)]) == steps + 1
                 and len(runs[(n, "forward", s)]) == steps + 1]
        if not seeds:
            continue
        curve = {"chain": [], "forward": []}
        for t in range(steps - 1, -1, -1):
            cell = {}
            for inp in ("chain", "forward"):
                g = [runs[(n, inp, s)][t][0] for s in seeds]
                m = [runs[(n, inp, s)][t][1] for s in seeds]
                cell[inp] = (statistics.fmean(g), sd(g), statistics.fmean(m), sd(m))
                curve[inp].append((steps - t, cell[inp][0], cell[inp][1]))
            if t in (steps - 1, steps - 2, 3 * steps // 4, steps // 2, steps // 4, 2, 1, 0):
                c, f = cell["chain"], cell["forward"]
                lines.append(f"| {n} | {t} | {len(seeds)} | {c[0]:.3g} ± {c[1]:.2g} | "
                             f"{f[0]:.3g} ± {f[1]:.2g} | {f[0] / c[0]:.2f} | "
                             f"{c[2]:.3f} ± {c[3]:.3f} | {f[2]:.3f} ± {f[3]:.3f} |")
        panels.append((n, curve, len(seeds)))
    tidy_csv.emit("\n".join(lines) + "\n", a.out)
    if a.figure and panels:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
        fig, axes = plt.subplots(1, len(panels), figsize=(4.2 * len(panels), 3.6), squeeze=False)
        for ax, (n, curve, k) in zip(axes[0], panels):
            for inp, style in (("chain", "-"), ("forward", "--")):
                xs = [x for x, _, _ in curve[inp]]
                ms = [m for _, m, _ in curve[inp]]
                ss = [s for _, _, s in curve[inp]]
                ax.plot(xs, ms, style, label=f"{inp} inputs")
                ax.fill_between(xs, [m - s for m, s in zip(ms, ss)],
                                [m + s for m, s in zip(ms, ss)], alpha=0.15)
            ax.set_yscale("log")
            ax.set_title(f"original model, n = {n} ({k} seed{'s' if k > 1 else ''})")
            ax.set_xlabel("cycle (1: t = T - 1, the first trained)")
            ax.set_ylabel("mean gradient norm of the cycle")
            ax.legend(fontsize=8)
        tidy_csv.save_figure(fig, a.figure, "mechanism2.py")


if __name__ == "__main__":
    main()
