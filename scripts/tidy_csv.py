"""The tidy CSVs of a sweep (scripts/sweep.sh): one column per swept key, then `model`,
`n_data`, ... Shared by plot.py, summarize.py and merge_sweeps.py."""
import csv
import os


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
