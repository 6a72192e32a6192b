#!/usr/bin/python3
"""Merges the tidy CSVs of several sweeps (scripts/sweep/sweep.sh) into one, for plots that set runs
of different sweeps side by side (scripts/quddpm/plot.py draws each swept-key value as its own line).

    PYTHONPATH=scripts /usr/bin/python3 -m quddpm.merge_sweeps OUT_DIR SWEEP[:KEY=VALUE[,KEY=VALUE...]]...
                                             [--fill KEY MODEL=VALUE]...
    PYTHONPATH=scripts /usr/bin/python3 -m quddpm.merge_sweeps OUT_DIR --mark-incomplete REASON

A SWEEP is a folder with tidy CSVs: a sweep's, or a single run's (no swept keys). For each of
cycles.csv, diffusion.csv, epochs.csv, epoch0.csv (epochs.csv's epoch-0 rows, derived from an
input's epochs.csv when it has no epoch0.csv; git keeps it where epochs.csv is too large),
layers.csv and floor.csv (scripts/quddpm/kl_floor.py) present in the inputs, writes
OUT_DIR/<kind>.csv with the union of the key columns first: each input's tags (`:KEY=VALUE`,
a value for all its rows) and its own swept keys (the columns before `model`). A row without a
value for a key gets the VALUE given for its model by --fill (for instance the preset's
prior), or an error if none was given: every merged row must say which run it belongs to.
A tag the rows already carry as a column of their own (quddpm's `seed`) must agree with it and
becomes a key column; the other columns are the union of the inputs' (empty where an input,
made by an older quddpm, lacks one such as `run_id`). A tag's value may hold `:` (the folder
is then the longest prefix that is a folder).

Refused, with one line and exit status 2: a SWEEP that is not a folder or holds none of the
CSVs; a SWEEP whose own merged.json says its merge did not finish (its CSVs are stale); a run
(run id) with two rows for one cycle in cycles.csv, from two inputs or one: a run counted twice.

OUT_DIR/merged.json tells whether OUT_DIR's CSVs are current. Before anything is replaced it
says "complete": false with a "reason"; the CSVs are written to temporary files, renamed into
place together, a CSV of a kind that no input has any more is removed (it would be stale), and
only then is it rewritten with "complete": true, "inputs" (for each SWEEP: its path relative to
OUT_DIR, folder name, tags and the run ids of its rows: for a sweep, its runs), "run_ids" and
"files" (rows per CSV). A merge that fails or is killed on the way leaves "complete": false.
--mark-incomplete REASON only marks OUT_DIR's CSVs stale (scripts/sweep/sweep.sh does when runs start,
so that a merge job that never runs leaves the mark).
"""
import argparse
import csv
import json
import os
import re
import signal
import sys
from datetime import datetime, timezone

from quddpm import tidy_csv

KINDS = ("cycles.csv", "diffusion.csv", "epochs.csv", tidy_csv.EPOCH0, "layers.csv", "floor.csv")
TAGS = re.compile(r"^[^=,]+=[^,]*(,[^=,]+=[^,]*)*$")

# Set once OUT_DIR/merged.json says "complete": false: a failure then records its reason there.
marked_out = None
# Temporary CSVs not yet renamed into place, removed when the merge stops short.
pending = []


def now():
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def write_merged(out, state):
    """Replaces OUT_DIR/merged.json in one step (a reader never sees half of it)."""
    path = os.path.join(out, tidy_csv.MERGED)
    with open(path + ".tmp", "w") as f:
        json.dump(state, f, indent=1, ensure_ascii=False)
        f.write("\n")
    os.replace(path + ".tmp", path)


def mark_incomplete(out, reason):
    global marked_out
    write_merged(out, {"complete": False, "reason": reason, "since": now()})
    marked_out = out


def fail(msg):
    print(f"merge_sweeps.py: {msg}", file=sys.stderr)
    for tmp in pending:
        if os.path.exists(tmp):
            os.remove(tmp)
    if marked_out is not None:
        mark_incomplete(marked_out, f"merge_sweeps.py failed: {msg}")
    sys.exit(2)


def parse_sweep(arg):
    """(folder, {key: value}) of a SWEEP[:KEY=VALUE,...] argument. The folder is the longest
    prefix before a `:` that is a folder, so both folder names and tag values may hold `:`."""
    if os.path.isdir(arg):
        return arg, {}
    i = len(arg)
    while (i := arg.rfind(":", 0, i)) > 0:
        folder, tags = arg[:i], arg[i + 1:]
        if os.path.isdir(folder) and TAGS.match(tags):
            return folder, dict(kv.split("=", 1) for kv in tags.split(","))
    fail(f"{arg}: no such folder (expected SWEEP[:KEY=VALUE,...] with SWEEP a sweep's or a "
         "run's folder)")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("out")
    ap.add_argument("sweeps", nargs="*", metavar="SWEEP[:KEY=VALUE,...]")
    ap.add_argument("--fill", nargs=2, action="append", default=[], metavar=("KEY", "MODEL=VALUE"))
    ap.add_argument("--mark-incomplete", metavar="REASON",
                    help="only mark OUT_DIR's merged CSVs stale (merged.json \"complete\": false)")
    a = ap.parse_args()
    if a.mark_incomplete is not None:
        if a.sweeps or a.fill:
            fail("--mark-incomplete: expected OUT_DIR alone, found SWEEP or --fill arguments")
        os.makedirs(a.out, exist_ok=True)
        mark_incomplete(a.out, a.mark_incomplete)
        return
    if not a.sweeps:
        fail("expected OUT_DIR and at least one SWEEP[:KEY=VALUE,...], found no SWEEP")
    fill = {}
    for key, mv in a.fill:
        if "=" not in mv:
            fail(f"--fill {key}: expected MODEL=VALUE, found '{mv}'")
        model, value = mv.split("=", 1)
        fill[(key, model)] = value
    sweeps = [parse_sweep(s) for s in a.sweeps]
    # An input whose own merge did not finish has stale CSVs: merging them would pass the lie on.
    for folder, _ in sweeps:
        reason = tidy_csv.stale_reason(folder)
        if reason is not None:
            fail(f"{os.path.join(folder, tidy_csv.MERGED)}: its merge did not finish ({reason}); "
                 f"its CSVs may be stale: rerun scripts/sweep/sweep_merge.sh {folder}")
        if not any(os.path.isfile(os.path.join(folder, kind)) for kind in KINDS):
            fail(f"{folder}: none of {', '.join(KINDS)} (not a finished sweep or run)")
    os.makedirs(a.out, exist_ok=True)
    mark_incomplete(a.out, f"merge_sweeps.py started at {now()} and has not finished")
    signal.signal(signal.SIGTERM, lambda *_: fail("stopped by SIGTERM"))
    written = {}
    run_ids = [set() for _ in sweeps]
    epochs_read = {}  # folder -> its epochs.csv, from which an epoch0.csv it lacks is cut
    for kind in KINDS:
        tables = []
        for j, (folder, tags) in enumerate(sweeps):
            path = os.path.join(folder, kind)
            header, rows = tidy_csv.read_kind(folder, kind, epochs_read.get(folder))
            if kind == "epochs.csv":
                epochs_read[folder] = (header, rows)
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
                bad = [r[k] for r in rows if not tidy_csv.same_value(r[k], tags[k])]
                if bad:
                    fail(f"{path}: tagged {k}={tags[k]}, but its rows say {k}={bad[0]}")
            run_ids[j].update(r["run_id"] for r in rows if r.get("run_id"))
            tables.append((path, tags, header, rows))
        if not tables:
            continue
        # One row per run and cycle: a second one is a run counted twice.
        if kind == "cycles.csv":
            seen = {}
            for path, _, _, rows in tables:
                for r in rows:
                    if not r.get("run_id"):
                        continue
                    k = (r["run_id"], r["t"])
                    if k in seen:
                        where = f"twice in {path}" if seen[k] == path else \
                            f"in both {seen[k]} and {path}"
                        fail(f"run {r['run_id']} is {where}: one run would be counted twice")
                    seen[k] = path
        # Key columns: every tag and swept key; then the union of the other columns, in order
        # (a column that older runs lack, such as run_id, is left empty in their rows).
        keys, base = [], []
        for path, tags, header, _ in tables:
            i = header.index("model")
            keys += [k for k in list(tags) + header[:i] if k not in keys]
        for path, tags, header, _ in tables:
            base += [c for c in header[header.index("model"):] if c not in keys and c not in base]
        tmp = os.path.join(a.out, kind + ".tmp")
        pending.append(tmp)
        count = 0
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
                            fail(f"{path}: rows of model '{row['model']}' have no '{k}' "
                                 f"(give --fill {k} {row['model']}=VALUE)")
                    w.writerow(vals + [row.get(c, "") for c in base])
                    count += 1
        written[kind] = {"rows": count, "inputs": len(tables)}
    # Every CSV is complete in its temporary file: now they replace the old ones, and a kind of
    # an earlier merge that no input has any more goes (it would describe other runs).
    for kind in KINDS:
        path = os.path.join(a.out, kind)
        if kind in written:
            os.replace(path + ".tmp", path)
            pending.remove(path + ".tmp")
            print(f"merge_sweeps.py: wrote {path} ({written[kind]['inputs']} folders)")
        elif os.path.isfile(path):
            os.remove(path)
            print(f"merge_sweeps.py: removed {path} (from an earlier merge; no input has one now)")
    # (Paths relative to OUT_DIR: they stay right when the whole tree moves, as into results/.)
    inputs = [{"path": os.path.relpath(folder, a.out),
               "folder": os.path.basename(os.path.normpath(folder)),
               "tags": tags, "run_ids": sorted(ids)}
              for (folder, tags), ids in zip(sweeps, run_ids)]
    write_merged(a.out, {"complete": True, "merged_at": now(), "inputs": inputs,
                         "run_ids": sorted(set().union(*run_ids)), "files": written})
    print(f"merge_sweeps.py: {os.path.join(a.out, tidy_csv.MERGED)}: complete, "
          f"{len(inputs)} inputs")


if __name__ == "__main__":
    main()
