#!/usr/bin/python3
"""Per n and model, over the seeds of a sweep (mean ± sample sd): the calibrated schedule end and
where the forward chain ends (the data's and the terminal ensemble's mmd_to_haar), and the
gradient norm at initialization (epoch 0 of the first cycle, t = T - 1, whose inputs are the
prior and whose parameters are the initial draw).

    PYTHONPATH=scripts /usr/bin/python3 -m quddpm.init_table SWEEP_DIR [--out FILE.md] [--json FILE]

SWEEP_DIR holds the tidy diffusion.csv and epochs.csv of scripts/sweep/sweep.sh (for instance a sweep
over n with `--set training.epochs=1 --sweep seed=1,...,10`: the first cycle's epoch-0 gradient
does not depend on the number of epochs).
"""
import json
import math
import os
import sys
from collections import defaultdict

from quddpm import tidy_csv
from quddpm.stats import gradient_at_init, seed_spread


def read(path):
    header, rows = tidy_csv.read(path)
    if header is None or not rows or "model" not in header:
        sys.exit(f"init_table.py: {path}: expected a sweep's tidy CSV with rows")
    return rows


def fmt(m, sd):
    if math.isnan(m):
        return "-"
    f = (lambda y: f"{y:.3g}") if abs(m) >= 1e-3 or m == 0 else (lambda y: f"{y:.2e}")
    return f(m) + (f" ± {f(sd)}" if not math.isnan(sd) else "")


def main():
    a = tidy_csv.table_arguments(__doc__, "sweep_dir")
    diffusion = read(os.path.join(a.sweep_dir, "diffusion.csv"))
    epochs = read(os.path.join(a.sweep_dir, "epochs.csv"))

    def run(r):
        return (r["model"], int(r["n_data"]), r.get("seed", ""))

    last_t = defaultdict(int)
    for r in diffusion:
        last_t[run(r)] = max(last_t[run(r)], int(r["t"]))
    values = defaultdict(lambda: defaultdict(list))  # (model, n) -> quantity -> per-seed values
    for r in diffusion:
        k = run(r)
        if int(r["t"]) == 0:
            values[k[:2]]["data_haar"].append(float(r["mmd_to_haar"]))
        if int(r["t"]) == last_t[k]:
            values[k[:2]]["end"].append(float(r["h"]))
            values[k[:2]]["terminal_haar"].append(float(r["mmd_to_haar"]))
    for k, g in gradient_at_init(epochs, run).items():
        values[k[:2]]["grad_init"].append(g)
    stats = {f"{m} n={n}": {q: seed_spread(v) for q, v in vs.items()} for (m, n), vs in values.items()}

    ns = sorted({n for _, n in values})
    models = [m for m in ("original", "improved") if any(k[0] == m for k in values)]
    seeds = max(len(v) for vs in values.values() for v in vs.values())
    lines = [f"Mean ± sample sd over {seeds} seeds.", "",
             "| n | " + " | ".join(str(n) for n in ns) + " |", "|---" * (len(ns) + 1) + "|"]
    rows = [("mmd_to_haar of the data S_0", models[0], "data_haar")]
    for m in models:
        rows += [(f"{m}: schedule end h_T", m, "end"),
                 (f"{m}: mmd_to_haar of S_T", m, "terminal_haar")]
    rows += [(f"{m}: gradient norm at initialization", m, "grad_init") for m in models]
    for name, m, q in rows:
        cells = [fmt(*stats.get(f"{m} n={n}", {}).get(q, (math.nan, math.nan, 0))[:2]) for n in ns]
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    if "original" in models and "improved" in models:
        ratio = []
        for n in ns:
            o = stats.get(f"original n={n}", {}).get("grad_init", (math.nan,))[0]
            i = stats.get(f"improved n={n}", {}).get("grad_init", (math.nan,))[0]
            ratio.append(f"{i / o:.3g}" if o and not math.isnan(o) else "-")
        lines.append("| improved / original at initialization | " + " | ".join(ratio) + " |")
    text = "\n".join(lines) + "\n"
    print(text, end="")
    if a.out:
        with open(a.out, "w") as f:
            f.write(text)
    if a.json:
        with open(a.json, "w") as f:
            clean = lambda x: None if math.isnan(x) else x  # noqa: E731 (strict JSON)
            json.dump({k: {q: {"mean": clean(v[0]), "sd": clean(v[1]), "count": v[2]}
                           for q, v in s.items()} for k, s in stats.items()}, f, indent=1)


if __name__ == "__main__":
    main()
