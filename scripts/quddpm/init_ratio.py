#!/usr/bin/python3
"""The improved model's gradient norm at initialization over the original model's, per n, with
its standard error: the gradient at initialization is epoch 0 of the first cycle (t = T - 1) of
each run; over the draws (seeds) of a sweep, mean, sample sd and standard error (sd / sqrt(k))
per model, and the ratio of the means with the delta-method standard error
    se(r) = r sqrt((se_i / m_i)^2 + (se_o / m_o)^2)
(the two models' draws are independent).

    PYTHONPATH=scripts /usr/bin/python3 -m quddpm.init_ratio SWEEP_DIR [--out FILE.md] [--json FILE]

SWEEP_DIR holds the tidy epochs.csv of scripts/sweep/sweep.sh over both models and a seed list.
"""
import math
import os
from collections import defaultdict

from quddpm import tidy_csv
from quddpm.stats import seed_spread, standard_error


def first_cycle_gradients(path):
    out = defaultdict(list)  # (model, n) -> draws
    for (model, _, n, _), g in sorted(tidy_csv.first_cycle_gradients(path).items()):
        out[(model, n)].append(g)
    return out


def stats(xs):
    m, sd, count = seed_spread(xs)
    return m, sd, standard_error(sd, count), count


def main():
    a = tidy_csv.table_arguments(__doc__)
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
    tidy_csv.emit("\n".join(lines) + "\n", a.out, a.json, table)


if __name__ == "__main__":
    main()
