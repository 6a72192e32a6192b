"""The tidy CSVs of a sweep (scripts/sweep/sweep.sh): one column per swept key, then `model`,
`n_data`, ... Shared by plot.py, summarize.py and merge_sweeps.py, with the record of a
merge (merged.json) that says whether the CSVs are current."""
import argparse
import csv
import json
import os
import sys
from collections import namedtuple

from quddpm.stats import gradient_at_init

# Which run a row belongs to: its swept keys' values (in the order of `swept_keys`), its model
# and its data-qubit count. plot.py and summarize.py group rows by it.
Run = namedtuple("Run", "values model n_data")


def read(path):
    """(header, rows as dicts) of a CSV, or (None, []) when the file does not exist."""
    if not os.path.isfile(path):
        return None, []
    with open(path, newline="") as f:
        r = csv.DictReader(f)
        rows = list(r)
        header = r.fieldnames or []
    return header, rows


# The epoch-0 rows of a sweep's epochs.csv (each cycle's gradient at initialization): small
# enough for git where epochs.csv is not, so that the tables built on them can be rebuilt.
EPOCH0 = "epoch0.csv"


def read_kind(folder, kind, epochs=None):
    """(header, rows) of a sweep folder's tidy CSV `kind`; epoch0.csv is derived from
    epochs.csv when only that one is there (`epochs`: its (header, rows) if already read).
    (None, []) when neither is."""
    header, rows = read(os.path.join(folder, kind))
    if header is None and kind == EPOCH0:
        header, rows = epochs or read(os.path.join(folder, "epochs.csv"))
        rows = [r for r in rows if int(r["epoch"]) == 0]
    return header, rows


def first_epochs_path(folder):
    """The file that holds a sweep's epoch-0 rows: epochs.csv, else epoch0.csv (the one git
    keeps), else epochs.csv (to name in an error)."""
    full = os.path.join(folder, "epochs.csv")
    small = os.path.join(folder, EPOCH0)
    return small if not os.path.isfile(full) and os.path.isfile(small) else full


def swept_keys(header):
    """The swept-key columns: those before `model` (none if there is no `model` column)."""
    return header[: header.index("model")] if header and "model" in header else []


def run_of(row, keys):
    """The Run of a row of a tidy CSV with swept-key columns `keys`."""
    return Run(tuple(row.get(k, "") for k in keys), row["model"], int(row["n_data"]))


def same_value(a, b):
    """Equal as numbers when both are numbers (a tag "1.0" and a column "1"), else as text."""
    try:
        return float(a) == float(b)
    except ValueError:
        return a == b


def assignments(keys, values):
    """("key=value", ...) of a run's swept keys: how figures and tables name it."""
    return tuple(f"{k}={v}" for k, v in zip(keys, values))


# The merge's record next to the CSVs it wrote (scripts/quddpm/merge_sweeps.py): "complete": false from
# before it replaces them until every one is in place; then the inputs (for a sweep, its runs).
MERGED = "merged.json"


def merged(folder):
    """The folder's merged.json as a dict, or None when there is none (a merge from before it
    was written, or a single run's folder)."""
    path = os.path.join(folder, MERGED)
    if not os.path.isfile(path):
        return None
    try:
        with open(path) as f:
            state = json.load(f)
    except ValueError:
        return {"complete": False, "reason": f"{path} is not valid JSON"}
    if not isinstance(state, dict):
        return {"complete": False, "reason": f"{path}: not a JSON object"}
    return state


def stale_reason(folder):
    """Why the folder's merged CSVs are not current (its merged.json says "complete": false),
    or None when they are (or when there is no merged.json to tell)."""
    state = merged(folder)
    if state is None or state.get("complete") is True:
        return None
    return state.get("reason") or "merged.json says \"complete\": false"


def first_cycle_gradients(path, group_key=None):
    """The gradient norm at initialization of every run in a tidy epochs.csv: epoch 0 of its
    first cycle (its largest t). Returns {(model, group, n, seed): grad_norm}, group being the
    run's value of the column `group_key` (None without one). Exits with a message naming the
    file when it is missing or lacks a column."""
    header, rows = read(path)
    if header is None or not rows:
        sys.exit(f"{path}: expected a sweep's tidy epochs.csv with rows")
    for c in ["model", "n_data", "seed", "t", "epoch", "grad_norm"] + ([group_key] if group_key else []):
        if c not in header:
            sys.exit(f"{path}: no column '{c}'")
    return gradient_at_init(rows, lambda r: (r["model"], r[group_key] if group_key else None,
                                             int(r["n_data"]), r["seed"]))


def table_arguments(doc, folder="sweep"):
    """The command line of a table tool: a folder, --out FILE.md and --json FILE."""
    ap = argparse.ArgumentParser(description=doc.split("\n")[0])
    ap.add_argument(folder)
    ap.add_argument("--out")
    ap.add_argument("--json")
    return ap.parse_args()


def emit(text, out=None, json_path=None, data=None):
    """Prints a table and writes it (and its data as JSON) where asked."""
    print(text, end="")
    if out:
        with open(out, "w") as f:
            f.write(text)
    if json_path:
        with open(json_path, "w") as f:
            json.dump(data, f, indent=2)


def save_figure(fig, path, who):
    """Writes a matplotlib figure (its folder made as needed) and says so on stderr."""
    fig.tight_layout()
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    fig.savefig(path, dpi=120)
    print(f"{who}: wrote {path}", file=sys.stderr)
