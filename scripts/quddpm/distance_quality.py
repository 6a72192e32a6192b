#!/usr/bin/python3
"""Open question 3, quality side: how the generated ensemble depends on how far from Haar the
forward chain stops (diffusion.schedule.target_mmd_to_haar = d), with the paper's
initialization (fresh, c = 1) and the best warm-start cell (warm, c = L), at T = 30.

    PYTHONPATH=scripts /usr/bin/python3 -m quddpm.distance_quality ROOT [--extra D:KIND:DIR]... [--out FILE.md]
                                                 [--json FILE]

ROOT holds d<D>/fresh and d<D>/warm, each a regime map (scripts/studies/regime_map.sh) of the improved
model at T = 30, summarized by regime_map.py into its regime.json (read when present; the
epoch traces it needs are not kept in git). --extra adds cells made elsewhere at distance D (for instance the default
d = 0.35 cells of results/regime and results/warm_start), from a regime map folder or its
regime.json, taking only its T = 30 improved cells with the matching c (1 for fresh, L for
warm). The verdict rule is regime_map.py's: a cell
denoises when it beats its prior (MMD) and the unitary KL floor by more than the seed spread.
"""
import argparse
import json
import os
import re
import sys

from quddpm import regime_map as rm


def cells_of(folder, kind):
    """Per n: the summarized T = 30 improved cell of the wanted c in a regime map folder, or in
    the regime.json that regime_map.py wrote for one (whose traces are not kept)."""
    if folder.endswith(".json"):
        with open(folder) as f:
            cells = json.load(f)
        return {s["n"]: s for s in cells
                if s["model"] == "improved" and s["T"] == 30 and
                s["c"] == ("1" if kind == "fresh" else str(2 * (s["n"] + 3)))}
    runs = rm.collect(folder)
    out = {}
    for (n, model, T, c, seed), v in runs.items():
        want = "1" if kind == "fresh" else str(2 * (n + 3))
        if model == "improved" and T == 30 and c == want:
            out.setdefault(n, {})[(n, model, T, c, seed)] = v
    return {n: next(iter(rm.summarize(r).values())) for n, r in out.items()}


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("root")
    ap.add_argument("--extra", action="append", default=[], metavar="D:KIND:DIR")
    ap.add_argument("--out")
    ap.add_argument("--json")
    a = ap.parse_args()

    sources = []
    for name in sorted(os.listdir(a.root)):
        m = re.fullmatch(r"d([0-9.]+)", name)
        if not m:
            continue
        for kind in ("fresh", "warm"):
            folder = os.path.join(a.root, name, kind)
            summary = os.path.join(folder, "regime.json")  # kept when epochs.csv is not
            if os.path.isfile(summary):
                sources.append((float(m.group(1)), kind, summary))
            elif os.path.isdir(folder):
                sources.append((float(m.group(1)), kind, folder))
    for e in a.extra:
        try:
            d, kind, folder = e.split(":", 2)
            sources.append((float(d), kind, folder))
        except ValueError:
            sys.exit(f"distance_quality.py: --extra: expected D:KIND:DIR, found '{e}'")
    table = {}
    for d, kind, folder in sources:
        if kind not in ("fresh", "warm"):
            sys.exit(f"distance_quality.py: {folder}: kind must be fresh or warm, found '{kind}'")
        for n, s in cells_of(folder, kind).items():
            table[(n, d, kind)] = s

    lines = []
    for n in sorted({k[0] for k in table}):
        lines += [f"**n = {n}** (T = 30; mean ± sd over seeds)", "",
                  "| d | prior MMD | KL floor | init | seeds | grad at init | MMD generated | "
                  "KL generated | verdict |",
                  "|---|---|---|---|---|---|---|---|---|"]
        for d in sorted({k[1] for k in table if k[0] == n}):
            for kind in ("fresh", "warm"):
                s = table.get((n, d, kind))
                if not s:
                    continue
                verdict = ("denoises" if s["denoises"] else
                           "MMD only" if s["beats_prior"] else "no gain")
                lines.append(
                    f"| {d:g} | {rm.fmt(s['mmd_prior'], s['mmd_prior_sd'])} | "
                    f"{rm.fmt(s['kl_floor'], s['kl_floor_sd'])} | "
                    f"{'fresh c = 1' if kind == 'fresh' else 'warm c = L'} | {s['seeds']} | "
                    f"{rm.fmt(s['grad_init'], s['grad_init_sd'])} | "
                    f"{rm.fmt(s['mmd_gen'], s['mmd_gen_sd'])} | "
                    f"{rm.fmt(s['kl_gen'], s['kl_gen_sd'])} | {verdict} |")
        lines.append("")
    text = "\n".join(lines)
    print(text)
    if a.out:
        with open(a.out, "w") as f:
            f.write(text)
    if a.json:
        with open(a.json, "w") as f:
            json.dump([{"n": n, "d": d, "init": kind, **s} for (n, d, kind), s in
                       sorted(table.items())], f, indent=1, default=lambda x: None)


if __name__ == "__main__":
    main()
