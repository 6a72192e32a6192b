#!/usr/bin/python3
"""Open question 3: how far from Haar should the forward chain stop? The improved model's gradient
norm at initialization (epoch 0 of the first cycle) against n, for each terminal distance
`diffusion.schedule.target_mmd_to_haar` d of the calibrated schedule, over the seeds of a sweep.

Per d: mean ± standard error per n, and a least-squares fit of log2(mean gradient) = a - b n
(b: halvings per qubit, with its standard error from the fit's residuals), over all n and over
the upper half of the n's; "decays" when b exceeds twice its standard error. Distances a chain
cannot reach at some n (the data's own mmd_to_haar is below d, so the calibration refuses the
run) are listed as unreachable there. With --reference DIR (a sweep of the original model, whose
chain ends at Haar, d = 0) its decay is fitted the same way for comparison.

    PYTHONPATH=scripts /usr/bin/python3 -m quddpm.haar_distance SWEEP_DIR [--reference DIR] [--out FILE.md]
        [--json FILE] [--figure FILE.png]
"""
import argparse
import math
import os
import statistics
import sys
from collections import defaultdict

from quddpm import tidy_csv
from quddpm.stats import seed_spread, standard_error

KEY = "diffusion.schedule.target_mmd_to_haar"


def first_cycle(path, key):
    out = defaultdict(list)  # (model, d, n) -> draws
    for (model, d, n, _), g in tidy_csv.first_cycle_gradients(path, key).items():
        out[(model, float(d) if key else 0.0, n)].append(g)
    return out


def fit(points):
    """log2 g = a - b n by least squares: (b, se(b)); se is nan with fewer than 3 points."""
    if len(points) < 2:
        return math.nan, math.nan
    xs = [n for n, _ in points]
    ys = [math.log2(g) for _, g in points]
    mx, my = statistics.fmean(xs), statistics.fmean(ys)
    sxx = sum((x - mx) ** 2 for x in xs)
    slope = sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / sxx
    if len(points) < 3:
        return -slope, math.nan
    resid = [y - (my + slope * (x - mx)) for x, y in zip(xs, ys)]
    s2 = sum(r * r for r in resid) / (len(points) - 2)
    return -slope, math.sqrt(s2 / sxx)


def fit_text(b, se):
    if math.isnan(b):
        return "-"
    word = "decays" if not math.isnan(se) and b > 2 * se else "flat"
    se_txt = "" if math.isnan(se) else f" ± {se:.2f}"
    return f"{b:.2f}{se_txt} ({word})"


def summarize(draws, model):
    ds = sorted({d for (m, d, _) in draws if m == model})
    ns = sorted({n for (m, _, n) in draws if m == model})
    rows = []
    for d in ds:
        per_n = {}
        for n in ns:
            xs = draws.get((model, d, n), [])
            if xs:
                m, sd, count = seed_spread(xs)
                se = standard_error(sd, count)
                per_n[n] = {"mean": m, "se": se, "draws": len(xs)}
        pts = [(n, v["mean"]) for n, v in sorted(per_n.items())]
        upper = pts[len(pts) // 2:] if len(pts) >= 4 else pts
        b_all, se_all = fit(pts)
        b_up, se_up = fit(upper)
        rows.append({"d": d, "per_n": per_n, "halvings_per_qubit": b_all, "se": se_all,
                     "upper_n": [n for n, _ in upper], "halvings_per_qubit_upper": b_up,
                     "se_upper": se_up})
    return ns, rows


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("sweep")
    ap.add_argument("--reference")
    ap.add_argument("--out")
    ap.add_argument("--json")
    ap.add_argument("--figure")
    a = ap.parse_args()
    draws = first_cycle(os.path.join(a.sweep, "epochs.csv"), KEY)
    ns, rows = summarize(draws, "improved")
    if not rows:
        sys.exit(f"haar_distance.py: {a.sweep}: no improved-model runs")
    ref = None
    if a.reference:
        rd = first_cycle(os.path.join(a.reference, "epochs.csv"), None)
        rd = {k: v for k, v in rd.items() if k[2] in ns}
        _, ref_rows = summarize(rd, "original")
        ref = ref_rows[0] if ref_rows else None

    head = "| d | " + " | ".join(f"n = {n}" for n in ns) + " | halvings per qubit, all n | upper n |"
    lines = [head, "|" + "---|" * (len(ns) + 3)]

    def row(label, r):
        cells = []
        for n in ns:
            v = r["per_n"].get(n)
            if v is None:
                cells.append("unreachable")
            else:
                se = "" if math.isnan(v["se"]) else f" ± {v['se']:.2g}"
                cells.append(f"{v['mean']:.3g}{se}")
        up = ",".join(str(n) for n in r["upper_n"])
        lines.append(f"| {label} | " + " | ".join(cells) +
                     f" | {fit_text(r['halvings_per_qubit'], r['se'])} | "
                     f"{fit_text(r['halvings_per_qubit_upper'], r['se_upper'])} (n = {up}) |")

    for r in rows:
        row(f"{r['d']:g}", r)
    if ref:
        row("original (Haar)", ref)
    tidy_csv.emit("\n".join(lines) + "\n", a.out, a.json, {"improved": rows, "original": ref})
    if a.figure:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
        fig, ax = plt.subplots(figsize=(6.4, 4.4))
        for r in rows + ([dict(ref, d="original (Haar)")] if ref else []):
            pts = sorted(r["per_n"].items())
            label = r["d"] if isinstance(r["d"], str) else f"d = {r['d']:g}"
            ax.errorbar([n for n, _ in pts], [v["mean"] for _, v in pts],
                        yerr=[0 if math.isnan(v["se"]) else v["se"] for _, v in pts],
                        marker="o", capsize=2, label=label,
                        color="black" if isinstance(r["d"], str) else None)
        ax.set_yscale("log")
        ax.set_xlabel("data qubits n")
        ax.set_ylabel("gradient norm at initialization")
        ax.set_title("Improved QuDDPM: terminal distance from Haar d")
        ax.legend(fontsize=7, ncol=2)
        tidy_csv.save_figure(fig, a.figure, "haar_distance.py")


if __name__ == "__main__":
    main()
