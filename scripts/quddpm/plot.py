#!/usr/bin/python3
"""Figures of a sweep (scripts/sweep/sweep.sh) from its tidy CSVs, as PNG files.

    PYTHONPATH=scripts /usr/bin/python3 -m quddpm.plot SWEEP_DIR [--out FIG_DIR]

Reads SWEEP_DIR/{epochs,layers,cycles,diffusion}.csv (columns of swept keys first, then
model, n_data, ...) and writes into FIG_DIR (default SWEEP_DIR/figures):

  loss_curves.png            loss against epoch, one line per training cycle t, a panel per run (Fig. 3)
  grad_norm_vs_qubits.png    gradient norm against n, log scale, both models, with a 2^-n
                             reference line (Fig. 4): at initialization (epoch 0 of the first
                             cycle) and the mean over every epoch of every cycle, side by side;
                             runs that differ only in `seed` are averaged (sd as error bars)
  kl_vs_cycle.png            KL(S_0 || S~_t) against the training cycle at the largest n (Fig. 5)
  mmd_to_data_vs_cycle.png   MMD(S~_t, S_0) against the training cycle at the largest n
  diffusion_mmd_to_haar.png  mmd_to_haar(S_t) along the forward diffusion, both schedules (Fig. 6)
  grad_norm_by_cycle.png     mean gradient norm of each cycle, one line per n (Figs. 7, 8)
  layer_grad_norms.png       mean gradient norm of each PQC layer per cycle, largest n
  sweep_<key>.png            per swept key: mean gradient norm and terminal mmd_to_haar
                             against the key's value

A figure whose data are missing is skipped with a message. Runs that differ in a swept key
are drawn as separate lines (labelled key=value).
"""
import argparse
import math
import os
import sys
from collections import defaultdict

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from quddpm.tidy_csv import assignments, read, run_of, swept_keys  # noqa: E402

COLORS = {"original": "tab:red", "improved": "tab:blue"}


def num(x):
    try:
        return float(x)
    except ValueError:
        return math.nan


def run_key(row, keys):
    """(model, n, (k=v, ...)) of the run a row belongs to (tidy_csv.run_of, as labels)."""
    run = run_of(row, keys)
    return (run.model, run.n_data, assignments(keys, run.values))


def label(model, n=None, combo=()):
    parts = [model] + ([f"n={n}"] if n is not None else []) + list(combo)
    return ", ".join(parts)


def skip(name, why):
    print(f"plot.py: skipped {name}: {why}")


def save(fig, out, name):
    path = os.path.join(out, name)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    print(f"plot.py: wrote {path}")


def loss_curves(epochs, keys, out):
    if not epochs:
        return skip("loss_curves.png", "no epochs.csv rows")
    runs = defaultdict(lambda: defaultdict(list))
    for r in epochs:
        runs[run_key(r, keys)][int(r["t"])].append((int(r["epoch"]), num(r["loss"])))
    names = sorted(runs, key=lambda k: (k[0] != "original", k[1], k[2]))
    cols = min(4, len(names))
    rows = math.ceil(len(names) / cols)
    fig, axes = plt.subplots(rows, cols, figsize=(3.6 * cols, 2.8 * rows), squeeze=False)
    for ax, name in zip(axes.flat, names):
        ts = sorted(runs[name])
        cmap = plt.get_cmap("viridis")
        for i, t in enumerate(ts):
            pts = sorted(runs[name][t])
            ax.plot([p[0] for p in pts], [p[1] for p in pts], lw=0.8,
                    color=cmap(i / max(1, len(ts) - 1)))
        ax.set_title(label(*name), fontsize=8)
        ax.set_xlabel("epoch")
        ax.set_ylabel("MMD loss")
    for ax in list(axes.flat)[len(names):]:
        ax.axis("off")
    fig.suptitle("Loss per training cycle (colour: t from 0, dark, to T-1, light)", fontsize=9)
    save(fig, out, "loss_curves.png")


def trained(cycles):
    """Cycle rows of trained steps (the prior row, t = T, has no gradient)."""
    return [r for r in cycles if not math.isnan(num(r["mean_grad_norm"]))]


def grad_norm_vs_qubits(cycles, epochs, keys, out):
    """Fig. 4 in two panels that name their quantity: the gradient norm at initialization
    (epoch 0 of the first cycle, whose inputs are the prior) and the mean over every epoch of
    every cycle. Runs that differ only in `seed` are one line: mean over seeds, sd as bars."""
    rows = trained(cycles)
    if not rows:
        return skip("grad_norm_vs_qubits.png", "no trained cycles in cycles.csv")
    line_keys = [k for k in keys if k != "seed"]

    def line_of(r):
        m, n, combo = run_key(r, line_keys)
        return (m, combo), n, r.get("seed", "")

    first_t = defaultdict(int)
    for r in rows:
        line, n, seed = line_of(r)
        first_t[(line, n, seed)] = max(first_t[(line, n, seed)], int(r["t"]))
    cycle_means = defaultdict(list)
    for r in rows:
        cycle_means[line_of(r)].append(num(r["mean_grad_norm"]))
    at_init = {}
    for r in epochs:
        key = line_of(r)
        if int(r["epoch"]) == 0 and key in first_t and int(r["t"]) == first_t[key]:
            at_init[key] = num(r["grad_norm"])
    panels = [("gradient norm at initialization\n(epoch 0 of the first cycle)", at_init),
              ("mean gradient norm\n(every epoch of every cycle)",
               {k: sum(v) / len(v) for k, v in cycle_means.items()})]
    fig, axes = plt.subplots(1, 2, figsize=(10, 4), sharey=True)
    for ax, (title, per_run) in zip(axes, panels):
        by_line = defaultdict(lambda: defaultdict(list))
        for (line, n, _), v in per_run.items():
            by_line[line][n].append(v)
        if not by_line:
            ax.set_title(title + "\n(no epochs.csv rows)", fontsize=9)
            continue
        all_n, ref_at = set(), None
        for (m, combo), by_n in sorted(by_line.items()):
            ns = sorted(by_n)
            ys = [sum(by_n[n]) / len(by_n[n]) for n in ns]
            sds = [math.sqrt(sum((v - y) ** 2 for v in by_n[n]) / (len(by_n[n]) - 1))
                   if len(by_n[n]) > 1 else 0.0 for n, y in zip(ns, ys)]
            seeds = max(len(v) for v in by_n.values())
            all_n.update(ns)
            ax.errorbar(ns, ys, yerr=sds, fmt="o-", capsize=3,
                        color=COLORS.get(m) if not combo else None,
                        label=label(m, None, combo) + (f" ({seeds} seeds)" if seeds > 1 else ""))
            if m == "original" and ref_at is None:
                ref_at = (ns[0], ys[0])
        if ref_at is None:
            first = next(iter(by_line.values()))
            n0 = min(first)
            ref_at = (n0, sum(first[n0]) / len(first[n0]))
        ns = sorted(all_n)
        ax.plot(ns, [ref_at[1] * 2.0 ** -(n - ref_at[0]) for n in ns], "k--", lw=1,
                label="2^-n reference")
        ax.set_yscale("log")
        ax.set_xlabel("data qubits n")
        ax.set_title(title, fontsize=9)
        ax.set_xticks(ns)
        ax.legend(fontsize=7)
    axes[0].set_ylabel("gradient norm")
    save(fig, out, "grad_norm_vs_qubits.png")


def metric_vs_cycle(cycles, keys, out, column, ylabel, name):
    """One cycle-trace column against the training cycle, every run at the largest n."""
    if not cycles:
        return skip(name, "no cycles.csv rows")
    nmax = max(int(r["n_data"]) for r in cycles)
    series = defaultdict(list)
    T = max(int(r["t"]) for r in cycles if int(r["n_data"]) == nmax)
    for r in cycles:
        if int(r["n_data"]) != nmax:
            continue
        m, n, combo = run_key(r, keys)
        series[(m, combo)].append((T - int(r["t"]), num(r[column])))
    fig, ax = plt.subplots(figsize=(5.5, 4))
    for (m, combo), pts in sorted(series.items()):
        pts.sort()
        ax.plot([p[0] for p in pts], [p[1] for p in pts], "o-", ms=3,
                color=COLORS.get(m) if not combo else None, label=label(m, None, combo))
    ax.set_xlabel("training cycle (0: the prior S~_T; k: after training step t = T - k)")
    ax.set_ylabel(ylabel)
    ax.set_title(f"n = {nmax}", fontsize=9)
    ax.legend(fontsize=7)
    save(fig, out, name)


def diffusion_mmd(diffusion, keys, out):
    if not diffusion:
        return skip("diffusion_mmd_to_haar.png", "no diffusion.csv rows")
    series = defaultdict(list)
    for r in diffusion:
        series[run_key(r, keys)].append((int(r["t"]), num(r["mmd_to_haar"])))
    fig, ax = plt.subplots(figsize=(5.5, 4))
    styles = ["-", "--", ":", "-."]
    ns = sorted({k[1] for k in series})
    for (m, n, combo), pts in sorted(series.items()):
        pts.sort()
        ax.plot([p[0] for p in pts], [p[1] for p in pts], styles[ns.index(n) % 4],
                color=COLORS.get(m) if not combo else None, label=label(m, n, combo))
    ax.set_xlabel("diffusion step t")
    ax.set_ylabel("mmd_to_haar(S_t)")
    ax.legend(fontsize=6, ncol=2)
    save(fig, out, "diffusion_mmd_to_haar.png")


def grad_norm_by_cycle(cycles, keys, out):
    rows = trained(cycles)
    if not rows:
        return skip("grad_norm_by_cycle.png", "no trained cycles in cycles.csv")
    models = sorted({r["model"] for r in rows}, key=lambda m: m != "original")
    fig, axes = plt.subplots(1, len(models), figsize=(5 * len(models), 4), squeeze=False,
                             sharey=True)
    for ax, m in zip(axes.flat, models):
        series = defaultdict(list)
        for r in rows:
            if r["model"] == m:
                _, n, combo = run_key(r, keys)
                series[(n, combo)].append((int(r["t"]), num(r["mean_grad_norm"])))
        for (n, combo), pts in sorted(series.items()):
            pts.sort(reverse=True)
            ax.plot([p[0] for p in pts], [p[1] for p in pts], "o-", ms=3, label=label(f"n={n}", None, combo))
        ax.set_yscale("log")
        ax.invert_xaxis()
        ax.set_xlabel("training cycle t (trained from T-1 down to 0)")
        ax.set_ylabel("mean gradient norm of the cycle")
        ax.set_title(m)
        ax.legend(fontsize=7)
    save(fig, out, "grad_norm_by_cycle.png")


def layer_grad_norms(layers, keys, out):
    if not layers:
        return skip("layer_grad_norms.png", "no layers.csv rows")
    nmax = max(int(r["n_data"]) for r in layers)
    acc = defaultdict(lambda: defaultdict(lambda: defaultdict(list)))
    for r in layers:
        if int(r["n_data"]) == nmax:
            m, _, combo = run_key(r, keys)
            acc[(m, combo)][int(r["layer"])][int(r["t"])].append(num(r["grad_norm"]))
    names = sorted(acc, key=lambda k: (k[0] != "original", k[1]))
    fig, axes = plt.subplots(1, len(names), figsize=(5 * len(names), 4), squeeze=False,
                             sharey=True)
    for ax, name in zip(axes.flat, names):
        by_layer = acc[name]
        cmap = plt.get_cmap("plasma")
        L = max(by_layer) + 1
        for l in sorted(by_layer):
            ts = sorted(by_layer[l], reverse=True)
            ax.plot(ts, [sum(by_layer[l][t]) / len(by_layer[l][t]) for t in ts], lw=0.9,
                    color=cmap(l / max(1, L - 1)), label=f"layer {l}" if L <= 8 else None)
        ax.set_yscale("log")
        ax.invert_xaxis()
        ax.set_xlabel("training cycle t")
        ax.set_ylabel("mean gradient norm of the layer")
        ax.set_title(f"{label(name[0], nmax, name[1])} (colour: layer 0 dark .. {L - 1} light)",
                     fontsize=8)
        if L <= 8:
            ax.legend(fontsize=6)
    save(fig, out, "layer_grad_norms.png")


def sweep_figures(cycles, diffusion, keys, out):
    rows = trained(cycles)
    for k in keys:
        if k == "seed":  # repetitions, not a setting: the other figures average over them
            continue
        if not rows:
            return skip(f"sweep_{k}.png", "no trained cycles in cycles.csv")
        values = sorted({r[k] for r in rows})
        numeric = all(not math.isnan(num(v)) for v in values)
        # x position of a value: itself when numeric, else its rank (labelled ticks).
        xpos = (lambda v: num(v)) if numeric else (lambda v: values.index(v))
        others = [x for x in keys if x != k]
        grad = defaultdict(lambda: defaultdict(list))
        haar = defaultdict(dict)
        for r in rows:
            g = (r["model"], int(r["n_data"]), tuple(f"{o}={r[o]}" for o in others))
            grad[g][xpos(r[k])].append(num(r["mean_grad_norm"]))
        last_t = {}
        for r in diffusion:
            if r[k] not in values:
                continue
            g = (r["model"], int(r["n_data"]), tuple(f"{o}={r[o]}" for o in others))
            key = (g, xpos(r[k]))
            if int(r["t"]) >= last_t.get(key, -1):
                last_t[key] = int(r["t"])
                haar[g][xpos(r[k])] = num(r["mmd_to_haar"])
        fig, (a1, a2) = plt.subplots(1, 2, figsize=(10, 4))
        for g in sorted(grad):
            xs = sorted(grad[g])
            a1.plot(xs, [sum(grad[g][x]) / len(grad[g][x]) for x in xs], "o-", label=label(*g))
            if haar.get(g):
                hx = sorted(haar[g])
                a2.plot(hx, [haar[g][x] for x in hx], "o-", label=label(*g))
        for ax in (a1, a2):
            ax.set_xlabel(k)
            if not numeric:
                ax.set_xticks(range(len(values)))
                ax.set_xticklabels(values)
            ax.legend(fontsize=7)
        a1.set_yscale("log")
        a1.set_ylabel("mean gradient norm (all cycles)")
        a2.set_ylabel("terminal mmd_to_haar(S_T)")
        save(fig, out, f"sweep_{k}.png")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("sweep_dir")
    ap.add_argument("--out", help="folder for the PNG files (default SWEEP_DIR/figures)")
    a = ap.parse_args()
    out = a.out or os.path.join(a.sweep_dir, "figures")
    os.makedirs(out, exist_ok=True)
    he, epochs = read(os.path.join(a.sweep_dir, "epochs.csv"))
    hl, layers = read(os.path.join(a.sweep_dir, "layers.csv"))
    hc, cycles = read(os.path.join(a.sweep_dir, "cycles.csv"))
    hd, diffusion = read(os.path.join(a.sweep_dir, "diffusion.csv"))
    if not (epochs or layers or cycles or diffusion):
        sys.exit(f"plot.py: {a.sweep_dir}: no epochs/layers/cycles/diffusion.csv with rows")
    loss_curves(epochs, swept_keys(he), out)
    grad_norm_vs_qubits(cycles, epochs, swept_keys(hc), out)
    metric_vs_cycle(cycles, swept_keys(hc), out, "kl_to_data", "KL(S_0 || S~_t)", "kl_vs_cycle.png")
    metric_vs_cycle(cycles, swept_keys(hc), out, "mmd_to_data", "MMD(S~_t, S_0)",
                    "mmd_to_data_vs_cycle.png")
    diffusion_mmd(diffusion, swept_keys(hd), out)
    grad_norm_by_cycle(cycles, swept_keys(hc), out)
    layer_grad_norms(layers, swept_keys(hl), out)
    sweep_figures(cycles, diffusion, swept_keys(hc), out)


if __name__ == "__main__":
    main()
