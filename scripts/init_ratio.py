#!/usr/bin/python3
"""The improved model's gradient norm at initialization over the original model's, per n, with
its standard error: the gradient at initialization is epoch 0 of the first cycle (t = T - 1) of
each run; over the draws (seeds) of a sweep, mean, sample sd and standard error (sd / sqrt(k))
per model, and the ratio of the means with the delta-method standard error
    se(r) = r sqrt((se_i / m_i)^2 + (se_o / m_o)^2)
(the two models' draws are independent).

    /usr/bin/python3 scripts/init_ratio.py SWEEP_DIR [--out FILE.md] [--json FILE]

SWEEP_DIR holds the tidy epochs.csv of scripts/sweep.sh over both models and a seed list.
"""
import argparse
import json
import math
import os
import statistics
import sys
from collections import defaultdict

import tidy_csv


def first_cycle_gradients(path):
    header, rows = tidy_csv.read(path)
    if header is None or not rows:
        sys.exit(f"init_ratio.py: {path}: expected a sweep's tidy epochs.csv with rows")
    for key in ("model", "n_data", "seed", "t", "epoch", "grad_norm"):
        if key not in header:
            sys.exit(f"init_ratio.py: {path}: no column '{key}'")
    # The first cycle of a run is its largest t; its epoch 0 is the gradient at initialization.
    first = {}
    for r in rows:
        run = (r["model"], int(r["n_data"]), r["seed"])
        t, epoch = int(r["t"]), int(r["epoch"])
        if epoch != 0:
            continue
        if run not in first or t > first[run][0]:
            first[run] = (t, float(r["grad_norm"]))
    out = defaultdict(list)  # (model, n) -> draws
    for (model, n, _), (_, g) in sorted(first.items()):
        out[(model, n)].append(g)
    return out


def stats(xs):
    m = statistics.fmean(xs)
    sd = statistics.stdev(xs) if len(xs) > 1 else math.nan
    return m, sd, sd / math.sqrt(len(xs)), len(xs)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("sweep")
    ap.add_argument("--out")
    ap.add_argument("--json")
    a = ap.parse_args()
    draws = first_cycle_gradients(os.path.join(a.sweep, "epochs.csv"))
    ns = sorted({n for (_, n) in draws})
    lines = ["| n | draws | original: mean ± sd (se) | improved: mean ± sd (se) | improved / original ± se |",
             "|---|---|---|---|---|"]
    table = []
    for n in ns:
        if ("original", n) not in draws or ("improved", n) not in draws:
            continue
        mo, sdo, seo, ko = stats(draws[("original", n)])
        mi, sdi, sei, ki = stats(draws[("improved", n)])
        r = mi / mo
        se_r = r * math.sqrt((sei / mi) ** 2 + (seo / mo) ** 2)
        table.append({"n": n, "draws_original": ko, "draws_improved": ki,
                      "original": {"mean": mo, "sd": sdo, "se": seo},
                      "improved": {"mean": mi, "sd": sdi, "se": sei},
                      "ratio": r, "ratio_se": se_r})
        lines.append(f"| {n} | {ko} / {ki} | {mo:.3e} ± {sdo:.2e} ({seo:.2e}) | "
                     f"{mi:.3f} ± {sdi:.3f} ({sei:.3f}) | {r:.0f} ± {se_r:.0f} |")
    text = "\n".join(lines) + "\n"
    print(text, end="")
    if a.out:
        with open(a.out, "w") as f:
            f.write(text)
    if a.json:
        with open(a.json, "w") as f:
            json.dump(table, f, indent=2)


if __name__ == "__main__":
    main()
