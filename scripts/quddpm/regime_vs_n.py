#!/usr/bin/python3
"""One regime cell across n: the MMD and KL to the data of the prior and of the generated
ensemble, with the unitary KL floor, for each model, from the JSON of scripts/quddpm/regime_map.py.

Usage: regime_vs_n.py REGIME.json --out FIGURE.png [--title TEXT]
Error bars are the sample standard deviation over seeds (none with one seed). Run with
/usr/bin/python3 (needs matplotlib).
"""
import argparse
import json
import math

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("json")
    ap.add_argument("--out", required=True)
    ap.add_argument("--title", default="")
    a = ap.parse_args()
    cells = json.load(open(a.json))
    fig, axes = plt.subplots(1, 2, figsize=(10, 4))
    colors = {"original": "tab:blue", "improved": "tab:orange"}
    for model in ("original", "improved"):
        rows = sorted((c for c in cells if c["model"] == model), key=lambda c: c["n"])
        if not rows:
            continue
        n = [c["n"] for c in rows]
        sd = lambda c, k: 0 if math.isnan(c.get(k + "_sd", float("nan"))) else c[k + "_sd"]
        for ax, metric in zip(axes, ("mmd", "kl")):
            ax.errorbar(n, [c[metric + "_prior"] for c in rows],
                        yerr=[sd(c, metric + "_prior") for c in rows], color=colors[model],
                        linestyle=":", marker="o", mfc="none", capsize=3,
                        label=f"{model}: prior")
            ax.errorbar(n, [c[metric + "_gen"] for c in rows],
                        yerr=[sd(c, metric + "_gen") for c in rows], color=colors[model],
                        linestyle="-", marker="o", capsize=3, label=f"{model}: generated")
            if metric == "kl":
                ax.plot(n, [c["kl_floor"] for c in rows], color=colors[model], linestyle="--",
                        marker="x", label=f"{model}: unitary KL floor")
    axes[0].set_ylabel("MMD to the data")
    axes[1].set_ylabel("KL(data || ensemble)")
    for ax in axes:
        ax.set_xlabel("data qubits n")
        ax.grid(alpha=0.3)
    axes[1].legend(fontsize=7)
    if a.title:
        fig.suptitle(a.title)
    fig.tight_layout()
    fig.savefig(a.out, dpi=120)
    print(f"regime_vs_n.py: wrote {a.out}")


if __name__ == "__main__":
    main()
