#!/usr/bin/python3
"""Gradient variance against the set size |S| beside Theorem 1's bound 8 / (|S|^4 (2^(2n) - 1)).

    /usr/bin/python3 scripts/theorem1_set_size.py SET_SIZE.jsonl [--out DIR]

Each line is one `quddpm variance` object. For every n, prints the variance averaged over the
gradient components, the bound and their ratio for each |S|, and the slope of log Var against
log |S| (the bound's is -4). Writes DIR/set_size.json and DIR/set_size.png (DIR: the file's
folder).
"""
import argparse
import json
import os
from collections import defaultdict

import numpy as np


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("jsonl")
    ap.add_argument("--out")
    a = ap.parse_args()
    out = a.out or os.path.dirname(os.path.abspath(a.jsonl))
    by_n = defaultdict(list)
    for line in open(a.jsonl):
        if line.strip():
            r = json.loads(line)
            by_n[r["qubits"]].append(r)
    summary = {"per_n": [], "settings": None}
    for n in sorted(by_n):
        rows = sorted(by_n[n], key=lambda r: r["samples"])
        s = np.array([r["samples"] for r in rows], dtype=float)
        var = np.array([r["mean_variance"] for r in rows])
        bound = 8 / (s**4 * (2.0 ** (2 * n) - 1))
        slope, _ = np.polyfit(np.log(s), np.log(var), 1)
        print(f"n = {n}: slope of log Var against log |S| = {slope:.2f} (bound: -4)")
        print(f"  {'|S|':>4} {'Var':>11} {'bound':>11} {'Var/bound':>10}")
        for k in range(len(s)):
            print(f"  {int(s[k]):>4} {var[k]:>11.4e} {bound[k]:>11.4e} {var[k] / bound[k]:>10.3g}")
        summary["per_n"].append({"n": n, "samples": s.tolist(), "mean_variance": var.tolist(),
                                 "bound": bound.tolist(), "slope_log_var_vs_log_s": slope})
        summary["settings"] = {k: rows[0][k] for k in ("ancillas", "layers", "draws", "seed")}
    with open(os.path.join(out, "set_size.json"), "w") as f:
        json.dump(summary, f, indent=1)
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("theorem1_set_size.py: matplotlib missing, no figure")
        return
    fig, ax = plt.subplots(figsize=(5.5, 4))
    for k, p in enumerate(summary["per_n"]):
        c = f"C{k}"
        ax.loglog(p["samples"], p["mean_variance"], "o-", color=c,
                  label=f"n={p['n']}: Var (slope {p['slope_log_var_vs_log_s']:.2f})")
        ax.loglog(p["samples"], p["bound"], "--", color=c, label=f"n={p['n']}: bound (slope -4)")
    ax.set_xlabel("set size |S| (input and target sets)")
    ax.set_ylabel("variance of a gradient component")
    st = summary["settings"]
    ax.set_title(f"Haar inputs, theta ~ U[0, 2pi): L={st['layers']}, na={st['ancillas']}, "
                 f"K={st['draws']}", fontsize=8)
    ax.legend(fontsize=6)
    fig.tight_layout()
    fig.savefig(os.path.join(out, "set_size.png"), dpi=110)
    print(f"theorem1_set_size.py: wrote {os.path.join(out, 'set_size.png')} and set_size.json")


if __name__ == "__main__":
    main()
