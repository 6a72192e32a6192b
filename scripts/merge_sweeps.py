#!/usr/bin/python3
"""Merges the tidy CSVs of several sweeps (scripts/sweep.sh) into one, for plots that set runs
of different sweeps side by side (scripts/plot.py draws each swept-key value as its own line).

    /usr/bin/python3 scripts/merge_sweeps.py OUT_DIR SWEEP[:KEY=VALUE[,KEY=VALUE...]]...
                                             [--fill KEY MODEL=VALUE]...

A SWEEP is a folder with tidy CSVs: a sweep's, or a single run's (no swept keys). For each of
cycles.csv, diffusion.csv, epochs.csv, layers.csv and floor.csv (scripts/kl_floor.py) present
in the inputs, writes
OUT_DIR/<kind>.csv with the union of the key columns first: each input's tags (`:KEY=VALUE`,
a value for all its rows) and its own swept keys (the columns before `model`). A row without a
value for a key gets the VALUE given for its model by --fill (for instance the preset's
prior), or an error if none was given: every merged row must say which run it belongs to.
A tag the rows already carry as a column of their own (quddpm's `seed`) must agree with it and
becomes a key column; the other columns are the union of the inputs' (empty where an input,
made by an older quddpm, lacks one such as `run_id`).
"""
import argparse
import csv
import os
import re
import sys

import tidy_csv

KINDS = ("cycles.csv", "diffusion.csv", "epochs.csv", "layers.csv", "floor.csv")
TAGS = re.compile(r"^[^=,]+=[^,]*(,[^=,]+=[^,]*)*$")


def fail(msg):
    print(f"merge_sweeps.py: {msg}", file=sys.stderr)
    sys.exit(2)


def same_value(a, b):
    """Equal as numbers when both are numbers (a tag "1.0" and a column "1"), else as text."""
    try:
        return float(a) == float(b)
    except ValueError:
        return a == b


def parse_sweep(arg):
    """(folder, {key: value}) of a SWEEP[:KEY=VALUE,...] argument."""
    folder, _, tags = arg.rpartition(":")
    if not folder or not TAGS.match(tags):
        return arg, {}
    return folder, dict(kv.split("=", 1) for kv in tags.split(","))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("out")
    ap.add_argument("sweeps", nargs="+", metavar="SWEEP[:KEY=VALUE,...]")
    ap.add_argument("--fill", nargs=2, action="append", default=[], metavar=("KEY", "MODEL=VALUE"))
    a = ap.parse_args()
    fill = {}
    for key, mv in a.fill:
        if "=" not in mv:
            fail(f"--fill {key}: expected MODEL=VALUE, found '{mv}'")
        model, value = mv.split("=", 1)
        fill[(key, model)] = value
    sweeps = [parse_sweep(s) for s in a.sweeps]
    os.makedirs(a.out, exist_ok=True)
    written = 0
    for kind in KINDS:
        tables = []
        for folder, tags in sweeps:
            path = os.path.join(folder, kind)
            header, rows = tidy_csv.read(path)
            if header is None:
                continue
            if "model" not in header:
                fail(f"{path}: no 'model' column (not a sweep's tidy CSV)")
            i = header.index("model")
            if set(tags) & set(header[:i]):
                fail(f"{path}: tagged with {sorted(set(tags) & set(header[:i]))}, which it "
                     "already has as swept keys")
            # A tag the rows carry themselves (a run's own `seed` column) must agree with them.
            for k in set(tags) & set(header[i:]):
                bad = [r[k] for r in rows if not same_value(r[k], tags[k])]
                if bad:
                    fail(f"{path}: tagged {k}={tags[k]}, but its rows say {k}={bad[0]}")
            tables.append((path, tags, header, rows))
        if not tables:
            continue
        # Key columns: every tag and swept key; then the union of the other columns, in order
        # (a column that older runs lack, such as run_id, is left empty in their rows).
        keys, base = [], []
        for path, tags, header, _ in tables:
            i = header.index("model")
            keys += [k for k in list(tags) + header[:i] if k not in keys]
        for path, tags, header, _ in tables:
            base += [c for c in header[header.index("model"):] if c not in keys and c not in base]
        tmp = os.path.join(a.out, kind + ".tmp")
        with open(tmp, "w", newline="") as f:
            w = csv.writer(f, lineterminator="\n")
            w.writerow(keys + base)
            for path, tags, header, rows in tables:
                for row in rows:
                    vals = []
                    for k in keys:
                        if k in row:
                            vals.append(row[k])
                        elif k in tags:
                            vals.append(tags[k])
                        elif (k, row["model"]) in fill:
                            vals.append(fill[(k, row["model"])])
                        else:
                            f.close()
                            os.remove(tmp)
                            fail(f"{path}: rows of model '{row['model']}' have no '{k}' "
                                 f"(give --fill {k} {row['model']}=VALUE)")
                    w.writerow(vals + [row.get(c, "") for c in base])
        os.replace(tmp, os.path.join(a.out, kind))
        written += 1
        print(f"merge_sweeps.py: wrote {os.path.join(a.out, kind)} ({len(tables)} folders)")
    if not written:
        fail(f"no {', '.join(KINDS)} in {', '.join(a.sweeps)} (not finished sweeps?)")


if __name__ == "__main__":
    main()
