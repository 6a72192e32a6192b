#!/usr/bin/python3
"""Fit of the gradient variance's decay in n (Theorem 1), from scripts/theorem1.sh's output.

    /usr/bin/python3 scripts/theorem1.py VARIANCE.jsonl [--out DIR]

Each line is one `quddpm variance` object. Fits log2(Var) = a + b n by least squares, with
Var the variance averaged over all gradient components (`mean_variance`), and compares the
slope b with that of the bound 8 / (|S|^4 (2^(2n) - 1)) over the same n (about -2). Prints a
table and the two slopes, writes DIR/fit.json and DIR/theorem1.png (DIR: the file's folder).
"""
import argparse
import json
import math
import os

import numpy as np


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("jsonl")
    ap.add_argument("--out")
    a = ap.parse_args()
    out = a.out or os.path.dirname(os.path.abspath(a.jsonl))
    rows = [json.loads(line) for line in open(a.jsonl) if line.strip()]
    rows.sort(key=lambda r: r["qubits"])
    n = np.array([r["qubits"] for r in rows], dtype=float)
    var = np.array([r["mean_variance"] for r in rows])
    s = np.array([r["samples"] for r in rows], dtype=float)
    bound = 8 / (s**4 * (2 ** (2 * n) - 1))
    b_var, a_var = np.polyfit(n, np.log2(var), 1)
    b_bound, _ = np.polyfit(n, np.log2(bound), 1)
    print(f"{'n':>3} {'Var (mean over components)':>27} {'bound 8/(|S|^4 (4^n-1))':>24} {'ratio':>8}")
    for k in range(len(n)):
        print(f"{int(n[k]):>3} {var[k]:>27.4e} {bound[k]:>24.4e} {var[k] / bound[k]:>8.3g}")
    print(f"slope of log2 Var against n: {b_var:.3f} (variance shrinks by 2^{-b_var:.2f} "
          f"= {2 ** -b_var:.2f}x per qubit)")
    print(f"slope of log2 of the bound's 1/(2^(2n) - 1) over the same n: {b_bound:.3f}")
    fit = {"n": n.tolist(), "mean_variance": var.tolist(), "bound": bound.tolist(),
           "slope_log2_variance": b_var, "intercept_log2_variance": a_var,
           "slope_log2_bound": b_bound, "settings": {k: rows[0][k] for k in
                                                     ("ancillas", "layers", "draws", "samples", "seed")}}
    with open(os.path.join(out, "fit.json"), "w") as f:
        json.dump(fit, f, indent=1)
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("theorem1.py: matplotlib missing, no figure")
        return
    fig, ax = plt.subplots(figsize=(5.5, 4))
    ax.semilogy(n, var, "o", label="Var of a gradient component (mean over components)")
    ax.semilogy(n, 2 ** (a_var + b_var * n), "-", label=f"fit: slope log2 = {b_var:.2f}")
    ax.semilogy(n, bound, "k--", label=f"bound 8/(|S|^4 (2^(2n)-1)), slope {b_bound:.2f}")
    ax.set_xlabel("data qubits n")
    ax.set_ylabel("variance over random draws")
    r0 = rows[0]
    ax.set_title(f"Haar inputs, theta ~ U[0, 2pi): L={r0['layers']}, na={r0['ancillas']}, "
                 f"|S|={r0['samples']}, K={r0['draws']}", fontsize=8)
    ax.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(os.path.join(out, "theorem1.png"), dpi=110)
    print(f"theorem1.py: wrote {os.path.join(out, 'theorem1.png')} and fit.json")


if __name__ == "__main__":
    main()
