#!/usr/bin/python3
"""Tables and heat maps of a regime map (scripts/studies/regime_map.sh): initialization scale c x number
of steps T for the improved model, the original model at the same T as the reference.

    PYTHONPATH=scripts /usr/bin/python3 -m quddpm.regime_map DIR [--out FILE.md] [--json FILE] [--reference MAP_DIR]

Reads DIR/cycles.csv, DIR/epochs.csv (or its epoch-0 rows, DIR/epoch0.csv, which git keeps) and
(when present) DIR/floor.csv. Per cell and n, over the seeds (mean and sample standard
deviation): the gradient norm at initialization (epoch 0 of the first cycle, t = T - 1, whose
inputs are the prior), the mean gradient norm over every epoch of every cycle, MMD and KL to the
data of the prior and of the generated ensemble, and the KL floor of a unitary chain from that
prior. A cell "denoises" when its generated ensemble is closer to the data than its prior in
MMD, and below the unitary KL floor in KL, each by more than the seed spread (sample standard
deviation) of that difference (with one seed: by more than 0.02); its gradients keep the
advantage when its mean gradient norm is at least 10 times the original model's at the same T.
Figures: DIR/figures/regime_n<N>.png (gradient norm and MMD improvement over (c, T)).
"""
import argparse
import json
import math
import os
import sys
from collections import defaultdict

from quddpm import tidy_csv
from quddpm.stats import ONE_SEED_MARGIN, gradient_at_init, prior_vs_generated, seed_spread

GRAD_ADVANTAGE = 10.0   # the gradient advantage a cell must keep over the original model


def read(path, required=True):
    header, rows = tidy_csv.read(path)
    if header is None:
        if required:
            sys.exit(f"regime_map.py: {path}: no such file (run scripts/studies/regime_map.sh first)")
        return []
    for key in ("model", "n_data", "diffusion.steps", "seed"):
        if key not in header:
            sys.exit(f"regime_map.py: {path}: no '{key}' column (not a regime map's tidy CSV)")
    return rows


def cell_of(r):
    """(n, model, T, c, seed) of a row; c is 'none' for the original model, and the variant's
    name for scripts/studies/variants.sh runs (which have a `variant` column instead)."""
    c = r.get("variant") or r.get("circuit.init.c", "none")
    return (int(r["n_data"]), r["model"], int(r["diffusion.steps"]), c, int(r["seed"]))


def mean_sd(xs):
    return seed_spread(xs)[:2]


def collect(d):
    """Per run (n, model, T, c, seed): a dict of its numbers."""
    runs = defaultdict(dict)
    by_run = defaultdict(list)
    for r in read(os.path.join(d, "cycles.csv")):
        by_run[cell_of(r)].append(r)
    for k, rows in by_run.items():
        numbers = prior_vs_generated(rows)
        if numbers:
            numbers.pop("haar_prior")
            runs[k].update(numbers)
    for k, g in gradient_at_init(read(tidy_csv.first_epochs_path(d)), cell_of).items():
        runs[k]["grad_init"] = g
    for r in read(os.path.join(d, "floor.csv"), required=False):
        runs[cell_of(r)]["kl_floor"] = float(r["kl_floor"])
    return {k: v for k, v in runs.items() if "mmd_gen" in v}


def summarize(runs, reference=None):
    """Per cell (n, model, T, c): means and spreads over its seeds. `reference` (runs of another
    map) adds its original-model cells and its improved c = 1 cells at the same n and T."""
    cells = defaultdict(list)
    for (n, model, T, c, seed), v in runs.items():
        cells[(n, model, T, c)].append(v)
    own = {(k[0], k[2]) for k in cells}
    for (n, model, T, c, seed), v in (reference or {}).items():
        if (n, T) in own and (model == "original" or c == "1"):
            cells[(n, model, T, c)].append(v)
    out = {}
    for k, vs in cells.items():
        s = {"seeds": len(vs)}
        for key in ("grad_init", "grad_mean", "mmd_prior", "mmd_gen", "kl_prior", "kl_gen",
                    "kl_floor", "haar_gen"):
            s[key], s[key + "_sd"] = mean_sd([v.get(key, math.nan) for v in vs])
        s["mmd_gain"], s["mmd_gain_sd"] = mean_sd([v["mmd_prior"] - v["mmd_gen"] for v in vs])
        s["kl_gain"], s["kl_gain_sd"] = mean_sd([v["kl_prior"] - v["kl_gen"] for v in vs])
        s["floor_gain"], s["floor_gain_sd"] = mean_sd(
            [v.get("kl_floor", math.nan) - v["kl_gen"] for v in vs])
        out[k] = s
    for (n, model, T, c), s in out.items():
        ref = out.get((n, "original", T, "none"))
        s["grad_ratio"] = s["grad_mean"] / ref["grad_mean"] if ref else math.nan
        one = s["seeds"] == 1
        s["beats_prior"] = s["mmd_gain"] > (ONE_SEED_MARGIN if one else s["mmd_gain_sd"])
        s["beats_floor"] = s["floor_gain"] > (ONE_SEED_MARGIN if one else s["floor_gain_sd"])
        s["denoises"] = s["beats_prior"] and s["beats_floor"]
        s["keeps_gradient"] = s["grad_ratio"] >= GRAD_ADVANTAGE
    return out


def is_number(c):
    try:
        float(c)
        return True
    except ValueError:
        return False


def fmt(x, sd=math.nan):
    if x is None or math.isnan(x):
        return "-"
    f = (lambda y: f"{y:.3f}") if x == 0 or abs(x) >= 0.01 else (lambda y: f"{y:.2e}")
    return f(x) + (f" ± {f(sd)}" if not math.isnan(sd) else "")


def c_label(c, n):
    return "L" if is_number(c) and float(c) == 2 * (n + 3) else c


def tables(cells):
    lines = []
    for n in sorted({k[0] for k in cells}):
        keys = sorted((k for k in cells if k[0] == n),
                      key=lambda k: (k[1] != "original", k[2],
                                     float(k[3]) if is_number(k[3]) else -1, k[3]))
        lines += [f"**n = {n}** (mean ± sd over seeds)", "",
                  "| model | T | c | seeds | grad at init | mean grad | x original | "
                  "MMD prior -> generated | KL prior -> generated | KL floor | verdict |",
                  "|---|---|---|---|---|---|---|---|---|---|---|"]
        for k in keys:
            s = cells[k]
            verdict = ("denoises" if s["denoises"] else
                       "MMD only" if s["beats_prior"] else
                       "KL < floor only" if s["beats_floor"] else "no gain") + (
                "" if k[1] == "original" else
                (", keeps gradient" if s["keeps_gradient"] else ", gradient < 10x"))
            ratio = "-" if k[1] == "original" else f"{s['grad_ratio']:.1f}"
            lines.append(
                f"| {k[1]} | {k[2]} | {c_label(k[3], n)} | {s['seeds']} | "
                f"{fmt(s['grad_init'], s['grad_init_sd'])} | {fmt(s['grad_mean'], s['grad_mean_sd'])} | "
                f"{ratio} | "
                f"{fmt(s['mmd_prior'])} -> {fmt(s['mmd_gen'], s['mmd_gen_sd'])} | "
                f"{fmt(s['kl_prior'])} -> {fmt(s['kl_gen'], s['kl_gen_sd'])} | "
                f"{fmt(s['kl_floor'], s['kl_floor_sd'])} | {verdict} |")
        lines.append("")
    return "\n".join(lines)


def heat_maps(cells, figdir):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np
    os.makedirs(figdir, exist_ok=True)
    written = []
    for n in sorted({k[0] for k in cells}):
        imp = {k: v for k, v in cells.items()
               if k[0] == n and k[1] == "improved" and is_number(k[3])}
        if not imp:
            continue
        Ts = sorted({k[2] for k in imp})
        cs = sorted({k[3] for k in imp}, key=float)
        grad = np.full((len(cs), len(Ts)), np.nan)
        gain = np.full_like(grad, np.nan)
        for (_, _, T, c), s in imp.items():
            grad[cs.index(c), Ts.index(T)] = s["grad_mean"]
            gain[cs.index(c), Ts.index(T)] = s["mmd_gain"] / s["mmd_prior"]
        fig, axes = plt.subplots(1, 2, figsize=(10, 4))
        panels = [(np.log10(grad), "log10 mean gradient norm", "viridis", None),
                  (gain, "MMD improvement over the prior\n(1 - MMD_gen / MMD_prior)", "RdBu",
                   (-1, 1))]
        for ax, (z, title, cmap, lim) in zip(axes, panels):
            im = ax.imshow(z, origin="lower", cmap=cmap, aspect="auto",
                           vmin=lim[0] if lim else None, vmax=lim[1] if lim else None)
            ax.set_xticks(range(len(Ts)), [str(T) for T in Ts])
            ax.set_yticks(range(len(cs)), [c_label(c, n) for c in cs])
            ax.set_xlabel("steps T (T x epochs = const)")
            ax.set_ylabel("init scale c (theta ~ U[-c/L, c/L])")
            ax.set_title(title, fontsize=10)
            for i in range(len(cs)):
                for j in range(len(Ts)):
                    if not np.isnan(z[i, j]):
                        ax.text(j, i, f"{z[i, j]:.2f}", ha="center", va="center", fontsize=8,
                                color="k" if cmap == "RdBu" else "w")
            fig.colorbar(im, ax=ax)
        refs = [cells.get((n, "original", T, "none")) for T in Ts]
        note = ", ".join(f"T={T}: {r['grad_mean']:.2g}" for T, r in zip(Ts, refs) if r)
        fig.suptitle(f"improved QuDDPM, n = {n}" +
                     (f"  (original model's mean gradient norm {note})" if note else ""),
                     fontsize=9)
        fig.tight_layout()
        path = os.path.join(figdir, f"regime_n{n}.png")
        fig.savefig(path, dpi=110)
        plt.close(fig)
        written.append(path)
    return written


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("dir")
    ap.add_argument("--out")
    ap.add_argument("--json")
    ap.add_argument("--no-figures", action="store_true")
    ap.add_argument("--reference", metavar="MAP_DIR",
                    help="another map whose original-model and c = 1 cells join the table "
                         "(for scripts/studies/variants.sh runs)")
    a = ap.parse_args()
    cells = summarize(collect(a.dir), collect(a.reference) if a.reference else None)
    if not cells:
        sys.exit(f"regime_map.py: {a.dir}: no finished runs")
    text = tables(cells)
    print(text)
    if a.out:
        with open(a.out, "w") as f:
            f.write(text + "\n")
    if a.json:
        with open(a.json, "w") as f:
            json.dump([{"n": k[0], "model": k[1], "T": k[2], "c": k[3], **v}
                       for k, v in sorted(cells.items())], f, indent=1)
    if not a.no_figures:
        for p in heat_maps(cells, os.path.join(a.dir, "figures")):
            print(f"regime_map.py: wrote {p}", file=sys.stderr)


if __name__ == "__main__":
    main()
