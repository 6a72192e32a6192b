#!/usr/bin/python3
"""Theorem 1's gradient variance beside its bound 8 / (|S|^4 (2^(2n) - 1)), from scripts/studies/theorem1.sh.

    PYTHONPATH=scripts /usr/bin/python3 -m quddpm.theorem1 VARIANCE.jsonl [--out DIR] [--set-size]

Each line is one `quddpm variance` object; Var is the variance averaged over all gradient
components (`mean_variance`). DIR defaults to the file's folder.

Without --set-size (one |S|, several n): fits log2(Var) = a + b n by least squares and compares
the slope b with that of the bound over the same n (about -2). Prints a table and the two
slopes, writes DIR/fit.json and DIR/theorem1.png.

With --set-size (several |S| at each n): for every n prints Var, the bound and their ratio for
each |S|, and the slope of log Var against log |S| (the bound's is -4). Writes
DIR/set_size.json and DIR/set_size.png.
"""
import argparse
import json
import os
from collections import defaultdict

import numpy as np


def bound(n, s):
    return 8 / (s**4 * (2.0 ** (2 * n) - 1))


def write_json_then_figure(out, json_name, data):
    """Writes DIR/json_name, then returns (fig, ax) of a new figure, or None (with a message)
    when Debian's python3-matplotlib is missing."""
    with open(os.path.join(out, json_name), "w") as f:
        json.dump(data, f, indent=1)
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("theorem1.py: matplotlib missing, no figure")
        return None
    return plt.subplots(figsize=(5.5, 4))


def title(settings, extra):
    return (f"Haar inputs, theta ~ U[0, 2pi): L={settings['layers']}, na={settings['ancillas']}, "
            f"{extra}K={settings['draws']}")


def save(fig, out, png, json_name):
    fig.tight_layout()
    fig.savefig(os.path.join(out, png), dpi=110)
    print(f"theorem1.py: wrote {os.path.join(out, png)} and {json_name}")


def decay_in_n(rows, out):
    rows.sort(key=lambda r: r["qubits"])
    n = np.array([r["qubits"] for r in rows], dtype=float)
    var = np.array([r["mean_variance"] for r in rows])
    s = np.array([r["samples"] for r in rows], dtype=float)
    bnd = bound(n, s)
    b_var, a_var = np.polyfit(n, np.log2(var), 1)
    b_bound, _ = np.polyfit(n, np.log2(bnd), 1)
    print(f"{'n':>3} {'Var (mean over components)':>27} {'bound 8/(|S|^4 (4^n-1))':>24} {'ratio':>8}")
    for k in range(len(n)):
        print(f"{int(n[k]):>3} {var[k]:>27.4e} {bnd[k]:>24.4e} {var[k] / bnd[k]:>8.3g}")
    print(f"slope of log2 Var against n: {b_var:.3f} (variance shrinks by 2^{-b_var:.2f} "
          f"= {2 ** -b_var:.2f}x per qubit)")
    print(f"slope of log2 of the bound's 1/(2^(2n) - 1) over the same n: {b_bound:.3f}")
    settings = {k: rows[0][k] for k in ("ancillas", "layers", "draws", "samples", "seed")}
    fit = {"n": n.tolist(), "mean_variance": var.tolist(), "bound": bnd.tolist(),
           "slope_log2_variance": b_var, "intercept_log2_variance": a_var,
           "slope_log2_bound": b_bound, "settings": settings}
    figure = write_json_then_figure(out, "fit.json", fit)
    if figure is None:
        return
    fig, ax = figure
    ax.semilogy(n, var, "o", label="Var of a gradient component (mean over components)")
    ax.semilogy(n, 2 ** (a_var + b_var * n), "-", label=f"fit: slope log2 = {b_var:.2f}")
    ax.semilogy(n, bnd, "k--", label=f"bound 8/(|S|^4 (2^(2n)-1)), slope {b_bound:.2f}")
    ax.set_xlabel("data qubits n")
    ax.set_ylabel("variance over random draws")
    ax.set_title(title(settings, f"|S|={settings['samples']}, "), fontsize=8)
    ax.legend(fontsize=7)
    save(fig, out, "theorem1.png", "fit.json")


def set_size(rows, out):
    by_n = defaultdict(list)
    for r in rows:
        by_n[r["qubits"]].append(r)
    summary = {"per_n": [], "settings": None}
    for n in sorted(by_n):
        at_n = sorted(by_n[n], key=lambda r: r["samples"])
        s = np.array([r["samples"] for r in at_n], dtype=float)
        var = np.array([r["mean_variance"] for r in at_n])
        bnd = bound(n, s)
        slope, _ = np.polyfit(np.log(s), np.log(var), 1)
        print(f"n = {n}: slope of log Var against log |S| = {slope:.2f} (bound: -4)")
        print(f"  {'|S|':>4} {'Var':>11} {'bound':>11} {'Var/bound':>10}")
        for k in range(len(s)):
            print(f"  {int(s[k]):>4} {var[k]:>11.4e} {bnd[k]:>11.4e} {var[k] / bnd[k]:>10.3g}")
        summary["per_n"].append({"n": n, "samples": s.tolist(), "mean_variance": var.tolist(),
                                 "bound": bnd.tolist(), "slope_log_var_vs_log_s": slope})
        summary["settings"] = {k: at_n[0][k] for k in ("ancillas", "layers", "draws", "seed")}
    figure = write_json_then_figure(out, "set_size.json", summary)
    if figure is None:
        return
    fig, ax = figure
    for k, p in enumerate(summary["per_n"]):
        c = f"C{k}"
        ax.loglog(p["samples"], p["mean_variance"], "o-", color=c,
                  label=f"n={p['n']}: Var (slope {p['slope_log_var_vs_log_s']:.2f})")
        ax.loglog(p["samples"], p["bound"], "--", color=c, label=f"n={p['n']}: bound (slope -4)")
    ax.set_xlabel("set size |S| (input and target sets)")
    ax.set_ylabel("variance of a gradient component")
    ax.set_title(title(summary["settings"], ""), fontsize=8)
    ax.legend(fontsize=6)
    save(fig, out, "set_size.png", "set_size.json")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("jsonl")
    ap.add_argument("--out")
    ap.add_argument("--set-size", action="store_true",
                    help="several |S| per n: the dependence on the set size")
    a = ap.parse_args()
    out = a.out or os.path.dirname(os.path.abspath(a.jsonl))
    rows = [json.loads(line) for line in open(a.jsonl) if line.strip()]
    (set_size if a.set_size else decay_in_n)(rows, out)


if __name__ == "__main__":
    main()
