#!/usr/bin/python3
"""Merges the tidy CSVs of several sweeps (scripts/sweep.sh) into one, for plots that set runs
of different sweeps side by side (scripts/plot.py draws each swept-key value as its own line).

    /usr/bin/python3 scripts/merge_sweeps.py OUT_DIR SWEEP_DIR... [--fill KEY MODEL=VALUE]...

For each of cycles.csv, diffusion.csv and epochs.csv present in the inputs, writes OUT_DIR/<kind>.csv
with the union of the swept-key columns (those before `model`) first. A row whose sweep did not
sweep KEY gets the VALUE given for its model by --fill (for instance the preset's prior), or an
error if none was given: every merged row must say which run it belongs to.
"""
import argparse
import csv
import os
import sys

KINDS = ("cycles.csv", "diffusion.csv", "epochs.csv")


def fail(msg):
    print(f"merge_sweeps.py: {msg}", file=sys.stderr)
    sys.exit(2)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("out")
    ap.add_argument("sweeps", nargs="+")
    ap.add_argument("--fill", nargs=2, action="append", default=[], metavar=("KEY", "MODEL=VALUE"))
    a = ap.parse_args()
    fill = {}
    for key, mv in a.fill:
        if "=" not in mv:
            fail(f"--fill {key}: expected MODEL=VALUE, found '{mv}'")
        model, value = mv.split("=", 1)
        fill[(key, model)] = value
    os.makedirs(a.out, exist_ok=True)
    written = 0
    for kind in KINDS:
        tables = []
        for d in a.sweeps:
            path = os.path.join(d, kind)
            if not os.path.isfile(path):
                continue
            with open(path, newline="") as f:
                r = csv.DictReader(f)
                rows = list(r)
                header = r.fieldnames or []
            if "model" not in header:
                fail(f"{path}: no 'model' column (not a sweep's tidy CSV)")
            tables.append((path, header, rows))
        if not tables:
            continue
        keys, base = [], None
        for path, header, _ in tables:
            i = header.index("model")
            keys += [k for k in header[:i] if k not in keys]
            if base is None:
                base = header[i:]
            elif header[i:] != base:
                fail(f"{path}: columns {header[i:]} differ from {base}")
        tmp = os.path.join(a.out, kind + ".tmp")
        with open(tmp, "w", newline="") as f:
            w = csv.writer(f, lineterminator="\n")
            w.writerow(keys + base)
            for path, header, rows in tables:
                for row in rows:
                    vals = []
                    for k in keys:
                        if k in row:
                            vals.append(row[k])
                        elif (k, row["model"]) in fill:
                            vals.append(fill[(k, row["model"])])
                        else:
                            f.close()
                            os.remove(tmp)
                            fail(f"{path}: rows of model '{row['model']}' have no '{k}' "
                                 f"(give --fill {k} {row['model']}=VALUE)")
                    w.writerow(vals + [row[c] for c in base])
        os.replace(tmp, os.path.join(a.out, kind))
        written += 1
        print(f"merge_sweeps.py: wrote {os.path.join(a.out, kind)} ({len(tables)} sweeps)")
    if not written:
        fail(f"no {', '.join(KINDS)} in {', '.join(a.sweeps)} (not finished sweeps?)")


if __name__ == "__main__":
    main()
