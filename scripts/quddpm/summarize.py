#!/usr/bin/python3
"""Markdown summary table of a sweep (scripts/sweep/sweep.sh), one column per run, from its tidy CSVs.

    PYTHONPATH=scripts /usr/bin/python3 -m quddpm.summarize SWEEP_DIR [--out FILE] [--json FILE] [--allow-partial]

Rows: mean gradient norm of the first trained cycle (t = T - 1, whose inputs are the prior) and
over all cycles, and the same for the epoch-0 gradient norm (epochs.csv, epoch 0: the
gradient at the initial parameters); MMD and KL to the data of the prior S~_T and of the
generated S~_0; mmd_to_haar of both and of the data; the cycles whose loss fell (mean of the
last 10 epochs below the first 10); the run's wall time (sum of the per-cycle seconds).

With SWEEP_DIR/floor.csv (scripts/quddpm/kl_floor.py, written by sweep.sh): the unitary KL floor, the
lowest KL(data || .) a backward chain acting as one unitary could reach from the same prior.

Seeds: when the sweep has a swept column `seed`, runs that differ only in it share a column
(`improved n=4 (3 seeds)`) and each number is mean ± sample standard deviation over the seeds.
Verdict rows then say, per column, whether the generated ensemble beats the prior in MMD, the
prior in KL, and the unitary KL floor, by more than the seed spread: for each seed the
difference d = (prior or floor) - generated, "yes" when mean(d) > sample sd(d); with one seed
"n/a (1 seed)". The verdict rows are printed when there are seeds or a floor.csv.

Prints the table (and a caption below it); --out also writes it; --json writes the numbers
(per column: means, spreads, seed counts, per-seed values, verdicts).

What the table lacks is said, never left out: each run of SWEEP_DIR/runs.tsv that no row of the
CSVs belongs to is listed (one line each on stderr, in a paragraph under the table, and under
"not_in_table" in --json): unfinished (its folder still ends in .partial: interrupted, killed
or still training), missing (no folder: it failed before writing one, or never started), or
finished after the merge (rerun scripts/sweep/sweep_merge.sh). Refused (exit 2, one line) unless
--allow-partial is given, which summarizes what is there and says so under the table: a
SWEEP_DIR that is a run's `.partial` folder, and a SWEEP_DIR whose merged.json says its merge
did not finish (its CSVs may be stale: a failed or cancelled merge job).
"""
import argparse
import json
import math
import os
import sys
from collections import defaultdict

from quddpm import tidy_csv
from quddpm.stats import prior_vs_generated, seed_spread

SEED = "seed"
G_FIRST = "first-cycle mean gradient norm"
G0_FIRST = "epoch-0 gradient norm, first cycle"
G_ALL = "mean gradient norm, all cycles"
G0_ALL = "epoch-0 gradient norm, mean over cycles"
MMD_PRIOR = "MMD(prior S~_T, data)"
MMD_GEN = "MMD(generated S~_0, data)"
KL_PRIOR = "KL(data ‖ prior)"
KL_GEN = "KL(data ‖ generated)"
KL_FLOOR = "KL floor of a unitary chain (from the prior)"
HAAR_PRIOR = "mmd_to_haar of the prior S~_T"
HAAR_GEN = "mmd_to_haar of the generated S~_0"
HAAR_DATA = "mmd_to_haar of the data S_0"
FELL = "cycles whose loss fell"
CYCLES = "trained cycles"
WALL = "wall time"
V_MMD = "generated beats prior in MMD by more than the seed spread"
V_KL = "generated beats prior in KL by more than the seed spread"
V_FLOOR = "generated beats the unitary KL floor by more than the seed spread"
VERDICTS = ((V_MMD, MMD_PRIOR, MMD_GEN), (V_KL, KL_PRIOR, KL_GEN), (V_FLOOR, KL_FLOOR, KL_GEN))


def refuse(msg):
    """One line on stderr and exit status 2: what the table would not have been able to say."""
    print(f"summarize.py: {msg}", file=sys.stderr)
    sys.exit(2)


def read(path):
    header, rows = tidy_csv.read(path)
    if header is None:
        sys.exit(f"summarize.py: {path}: no such file (is this a finished sweep's folder?)")
    if "model" not in header or not rows:
        sys.exit(f"summarize.py: {path}: expected a sweep's tidy CSV with a 'model' column and rows")
    return header, rows


def fmt(x):
    if x is None or math.isnan(x):
        return "-"
    if x == 0 or abs(x) >= 0.01:
        return f"{x:.3f}"
    return f"{x:.2e}"


def fmt_time(v, unit=None):
    unit = unit or ("min" if v >= 60 else "s")
    return f"{v / 60:.1f} min" if unit == "min" else f"{v:.0f} s"




def run_stats(rows, grads0, losses, data_haar, floor):
    """The numbers of one run: {row name: float}."""
    rows = sorted(rows, key=lambda r: -int(r["t"]))
    pg = prior_vs_generated(rows, untrained=True)
    g = [float(r["mean_grad_norm"]) for r in rows[1:]]
    g0 = [grads0[t] for t in sorted(grads0, reverse=True)]
    fell = 0
    for t, pts in losses.items():
        ls = [l for _, l in sorted(pts)]
        fell += sum(ls[-10:]) / len(ls[-10:]) < sum(ls[:10]) / len(ls[:10])
    return {
        G_FIRST: g[0] if g else math.nan,
        G0_FIRST: g0[0] if g0 else math.nan,
        G_ALL: sum(g) / len(g) if g else math.nan,
        G0_ALL: sum(g0) / len(g0) if g0 else math.nan,
        MMD_PRIOR: pg["mmd_prior"],
        MMD_GEN: pg["mmd_gen"],
        KL_PRIOR: pg["kl_prior"],
        KL_GEN: pg["kl_gen"],
        KL_FLOOR: floor,
        HAAR_PRIOR: pg["haar_prior"],
        HAAR_GEN: pg["haar_gen"],
        HAAR_DATA: data_haar,
        FELL: float(fell),
        CYCLES: float(len(losses)),
        WALL: sum(float(r["seconds"]) for r in rows),
    }


def verdict(per_seed, better, worse):
    """(text, numbers) of "worse beats better by more than the seed spread" over the seeds."""
    d = [s[better] - s[worse] for s in per_seed if not math.isnan(s[better] - s[worse])]
    m, sd, n = seed_spread(d)
    if n == 0:
        return "-", {"answer": None, "mean": None, "spread": None, "count": 0}
    if n == 1:
        return "n/a (1 seed)", {"answer": None, "mean": m, "spread": None, "count": 1}
    yes = m > sd
    return (f"{'yes' if yes else 'no'} (Δ {fmt(m)} ± {fmt(sd)})",
            {"answer": yes, "mean": m, "spread": sd, "count": n})


def cell(row, per_seed):
    """Table cell of a row over a column's seeds: a value, or mean ± sd with several seeds."""
    def one(name, time=False):
        m, sd, n = seed_spread([s[name] for s in per_seed])
        f = (lambda v: fmt_time(v, "min" if m >= 60 else "s")) if time else fmt
        return f(m) if n < 2 else f"{f(m)} ± {f(sd)}"
    if row == "mmd_to_haar: prior -> generated":
        return f"{one(HAAR_PRIOR)} -> {one(HAAR_GEN)}"
    if row == FELL:
        return f"{sum(int(s[FELL]) for s in per_seed)}/{sum(int(s[CYCLES]) for s in per_seed)}"
    return one(row, time=row == WALL)


def runs_not_in_table(sweep_dir, header, cycles):
    """[(name, why)] of the runs of SWEEP_DIR/runs.tsv that no row of cycles.csv belongs to
    (same model, n and swept values), and the number of runs it lists (0 without a runs.tsv).
    Why: unfinished (a .partial folder), missing (no folder), or finished after the merge. (An
    archived sweep keeps runs.tsv and the CSVs without the run folders: its runs are there.)"""
    path = os.path.join(sweep_dir, "runs.tsv")
    if not os.path.isfile(path):
        return [], 0
    with open(path) as f:
        lines = [line.split("\t") for line in f.read().splitlines() if line.count("\t") >= 2]
    keys = tidy_csv.swept_keys(header) if header else []
    ok = header and "model" in header and "n_data" in header
    present = {tidy_csv.run_of(r, keys) for r in cycles} if ok else set()
    out = []
    for name, model, n, *combo in lines:
        want = dict(kv.split("=", 1) for kv in (combo[0].split() if combo else []) if "=" in kv)
        if any(r.model == model and r.n_data == int(n) and set(want) <= set(keys) and
               all(tidy_csv.same_value(r.values[keys.index(k)], v) for k, v in want.items())
               for r in present):
            continue
        log = os.path.join("logs", name + ".log")
        if os.path.isdir(os.path.join(sweep_dir, name)):
            out.append((name, "finished, but not in the merged CSVs: rerun scripts/sweep/sweep_merge.sh"))
        elif os.path.isdir(os.path.join(sweep_dir, name + ".partial")):
            out.append((name, f"unfinished: {name}.partial holds what it did; see {log}"))
        else:
            out.append((name, f"missing: no folder; see {log}"))
    return out, len(lines)


def nan_none(x):
    return None if isinstance(x, float) and math.isnan(x) else x


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("sweep_dir")
    ap.add_argument("--out", help="also write the table to FILE")
    ap.add_argument("--json", help="write the numbers (means, spreads, counts) to FILE")
    ap.add_argument("--allow-partial", action="store_true",
                    help="summarize a run's .partial folder, or CSVs whose merge did not finish")
    a = ap.parse_args()
    warnings = []  # said in the caption (and in --json): what the table is not
    if os.path.basename(os.path.normpath(a.sweep_dir)).endswith(".partial"):
        if not a.allow_partial:
            refuse(f"{a.sweep_dir}: an unfinished run (its folder ends in .partial: "
                   "interrupted, killed or still training); pass --allow-partial to summarize "
                   "what it has")
        warnings.append(f"Unfinished run ({os.path.normpath(a.sweep_dir)}): its numbers stop "
                        "where it stopped.")
    stale = tidy_csv.stale_reason(a.sweep_dir)
    if stale is not None:
        if not a.allow_partial:
            redo = "rerun scripts/sweep/sweep_merge.sh" if os.path.isfile(
                os.path.join(a.sweep_dir, "runs.tsv")) else "rerun its merge_sweeps.py"
            refuse(f"{os.path.join(a.sweep_dir, tidy_csv.MERGED)}: the merge did not finish "
                   f"({stale}); the tidy CSVs may be stale: {redo}, or pass --allow-partial")
        warnings.append(f"The merge did not finish ({stale}): these CSVs may be stale.")
    # The runs of runs.tsv the table lacks, said before a missing CSV can stop it.
    hc, cycles = tidy_csv.read(os.path.join(a.sweep_dir, "cycles.csv"))
    left_out, planned = runs_not_in_table(a.sweep_dir, hc, cycles)
    for name, why in left_out:
        print(f"summarize.py: not in the table: {name} ({why})", file=sys.stderr)
    if left_out:
        warnings.append(f"Not in the table: {len(left_out)} of the {planned} runs of runs.tsv: "
                        + "; ".join(f"{name} ({why.split(':')[0]})" for name, why in left_out)
                        + ".")
    hc, cycles = read(os.path.join(a.sweep_dir, "cycles.csv"))
    keys = tidy_csv.swept_keys(hc)
    hd, diffusion = read(os.path.join(a.sweep_dir, "diffusion.csv"))
    data_haar = {tidy_csv.run_of(r, keys): float(r["mmd_to_haar"]) for r in diffusion if int(r["t"]) == 0}
    he, epochs = read(os.path.join(a.sweep_dir, "epochs.csv"))
    hf, floors = tidy_csv.read(os.path.join(a.sweep_dir, "floor.csv"))
    has_floor = hf is not None
    if has_floor and "kl_floor" not in hf:
        sys.exit(f"summarize.py: {os.path.join(a.sweep_dir, 'floor.csv')}: no 'kl_floor' column")
    floor = {tidy_csv.run_of(r, keys): float(r["kl_floor"]) for r in floors}
    runs = defaultdict(list)
    for r in cycles:
        runs[tidy_csv.run_of(r, keys)].append(r)
    losses = defaultdict(lambda: defaultdict(list))
    grads0 = defaultdict(dict)
    for r in epochs:
        k = tidy_csv.run_of(r, keys)
        losses[k][int(r["t"])].append((int(r["epoch"]), float(r["loss"])))
        if int(r["epoch"]) == 0:
            grads0[k][int(r["t"])] = float(r["grad_norm"])
    stats = {k: run_stats(runs[k], grads0[k], losses[k], data_haar.get(k, math.nan),
                          floor.get(k, math.nan)) for k in runs}

    # Columns: runs that differ only in the seed (if it was swept) share one.
    si = keys.index(SEED) if SEED in keys else None
    col_keys = [k for k in keys if k != SEED]
    groups = defaultdict(list)
    for k in runs:
        values = k.values[:si] + k.values[si + 1:] if si is not None else k.values
        groups[k._replace(values=values)].append(k)
    order = sorted(groups, key=lambda g: (g.values, g.model != "original", g.n_data))
    seeded = si is not None
    names = []
    for g in order:
        extra = list(tidy_csv.assignments(col_keys, g.values))
        if seeded:
            c = len(groups[g])
            extra.append(f"{c} seed{'s' if c != 1 else ''}")
        names.append(f"{g.model} n={g.n_data}" + (f" ({', '.join(extra)})" if extra else ""))

    rows = [G_FIRST, G0_FIRST, G_ALL, G0_ALL, MMD_PRIOR, MMD_GEN, KL_PRIOR, KL_GEN]
    if has_floor:
        rows.append(KL_FLOOR)
    rows += ["mmd_to_haar: prior -> generated", HAAR_DATA, FELL, WALL]
    verdict_rows = [v for v in VERDICTS if has_floor or v[0] != V_FLOOR] if seeded or has_floor else []
    lines = ["| | " + " | ".join(names) + " |", "|---" * (len(order) + 1) + "|"]
    for row in rows:
        lines.append(f"| {row} | " + " | ".join(
            cell(row, [stats[k] for k in groups[g]]) for g in order) + " |")
    for name, better, worse in verdict_rows:
        lines.append(f"| {name} | " + " | ".join(
            verdict([stats[k] for k in groups[g]], better, worse)[0] for g in order) + " |")
    caption = []
    if seeded:
        caption.append("Columns join the runs that differ only in `seed`; numbers are mean ± sample "
                       "standard deviation (n - 1 denominator) over the seeds; loss-fell counts add "
                       "up the seeds.")
    if has_floor:
        caption.append("KL floor: the lowest KL(data ‖ ·) a backward chain acting as one unitary "
                       "could reach from the same prior (quddpm.kl_floor).")
    if verdict_rows:
        caption.append("Verdicts: per seed d = (prior or floor) - generated; \"yes\" when mean(d) > "
                       "sample sd(d) (shown as Δ mean ± sd); n/a with one seed.")
    # What the table is not (runs it lacks, stale or unfinished inputs) comes first, on its own.
    text = "\n".join(lines) + "\n" + "".join(
        "\n" + " ".join(p) + "\n" for p in (warnings, caption) if p)
    print(text, end="")
    if a.out:
        with open(a.out, "w") as f:
            f.write(text)
    if a.json:
        numeric = [G_FIRST, G0_FIRST, G_ALL, G0_ALL, MMD_PRIOR, MMD_GEN, KL_PRIOR, KL_GEN] + \
            ([KL_FLOOR] if has_floor else []) + [HAAR_PRIOR, HAAR_GEN, HAAR_DATA, FELL, CYCLES, WALL]
        cols = []
        for g, name in zip(order, names):
            members = sorted(groups[g])
            per_seed = [stats[k] for k in members]
            col = {"name": name, "model": g.model, "n_data": g.n_data,
                   "keys": dict(zip(col_keys, g.values)),
                   "seeds": [k.values[si] for k in members] if seeded else [],
                   "count": len(members), "rows": {}, "verdicts": {}}
            for row in numeric:
                m, sd, n = seed_spread([s[row] for s in per_seed])
                col["rows"][row] = {"mean": nan_none(m), "spread": nan_none(sd), "count": n,
                                    "values": [nan_none(s[row]) for s in per_seed]}
            for vname, better, worse in verdict_rows:
                col["verdicts"][vname] = verdict(per_seed, better, worse)[1]
            cols.append(col)
        out = {"sweep": a.sweep_dir, "spread": "sample standard deviation over seeds (n - 1)",
               "seed_key": SEED if seeded else None, "has_floor": has_floor, "columns": cols,
               "not_in_table": [{"run": name, "why": why} for name, why in left_out],
               "warnings": warnings}
        with open(a.json, "w") as f:
            json.dump(out, f, indent=1, ensure_ascii=False, allow_nan=False)
            f.write("\n")


if __name__ == "__main__":
    main()
