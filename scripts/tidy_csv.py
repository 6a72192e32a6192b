"""The tidy CSVs of a sweep (scripts/sweep.sh): one column per swept key, then `model`,
`n_data`, ... Shared by plot.py, summarize.py and merge_sweeps.py."""
import csv
import os
from collections import namedtuple

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


def swept_keys(header):
    """The swept-key columns: those before `model` (none if there is no `model` column)."""
    return header[: header.index("model")] if header and "model" in header else []


def run_of(row, keys):
    """The Run of a row of a tidy CSV with swept-key columns `keys`."""
    return Run(tuple(row.get(k, "") for k in keys), row["model"], int(row["n_data"]))


def assignments(keys, values):
    """("key=value", ...) of a run's swept keys: how figures and tables name it."""
    return tuple(f"{k}={v}" for k, v in zip(keys, values))
