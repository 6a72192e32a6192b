"""A run's or a sweep's outputs as pandas DataFrames, for a notebook or a script:

    import sys; sys.path.insert(0, "scripts")      # or PYTHONPATH=scripts
    from quddpm import runs
    r = runs.load("results/warm_start")           # a sweep (merged tidy CSVs)
    r.traces["cycles"]                            # one DataFrame per CSV
    r.verdicts                                    # per cell: gains over the seeds and verdicts

A run folder (`quddpm train --out DIR`) holds config.json, manifest.json and its CSVs; a sweep
folder (scripts/sweep/sweep.sh, merge_sweeps) holds the tidy CSVs of many runs with their
swept keys and seed as leading columns, and merged.json. Both load the same way. The floor is
the unitary KL floor (quddpm.stats): a sweep's floor.csv, or a run's, or computed from the
run's .npy files when it has none.
"""
import json
import math
import os
from dataclasses import dataclass, field

import pandas as pd

from quddpm import stats, tidy_csv
from quddpm.kl_floor import floor_of_run

# The CSVs quddpm writes (docs/model.md section 7) and the sweep tools add.
TRACE_FILES = ("cycles", "epochs", "diffusion", "layers", "observables", "histograms",
               "qgan_epochs", "floor")
# Columns that tell one run of a sweep from another, besides the swept keys.
RUN_COLUMNS = ("model", "n_data", "seed")


@dataclass
class Outputs:
    """What load() returns. kind is "run" or "sweep"; config is the run's config.json (a run)
    or {run_id: config} of the run folders found below a sweep; manifest is manifest.json (a
    run) or merged.json (a sweep); floor a DataFrame (one row per run) or None."""
    path: str
    kind: str
    traces: dict = field(default_factory=dict)
    config: dict = field(default_factory=dict)
    manifest: dict = field(default_factory=dict)
    floor: object = None
    runs: object = None
    verdicts: object = None


def _json(path):
    if not os.path.isfile(path):
        return {}
    with open(path) as f:
        return json.load(f)


def _traces(path):
    out = {}
    for name in TRACE_FILES:
        csv_path = os.path.join(path, name + ".csv")
        if os.path.isfile(csv_path) and os.path.getsize(csv_path) > 0:
            out[name] = pd.read_csv(csv_path, low_memory=False)
    return out


def run_keys(cycles):
    """The columns naming a run in a tidy cycles DataFrame: the swept keys, then model, n, seed."""
    keys = tidy_csv.swept_keys(list(cycles.columns))
    return keys + [c for c in RUN_COLUMNS if c in cycles.columns and c not in keys]


def per_run(traces, keys):
    """One row per run: prior against generated (quddpm.stats.prior_vs_generated), the
    gradient at initialization, and the KL floor when there is one. No keys: one run."""
    cycles = traces["cycles"]
    rows = []
    by = keys if len(keys) > 1 else keys[0] if keys else None
    groups = cycles.groupby(by, sort=True, dropna=False) if by else [((), cycles)]
    for key, group in groups:
        key = key if isinstance(key, tuple) else (key,)
        numbers = stats.prior_vs_generated(group.astype(str).to_dict("records"))
        if numbers:
            rows.append(dict(zip(keys, key), **numbers))
    out = pd.DataFrame(rows)
    if out.empty:
        return out
    if "epochs" in traces:
        grads = stats.gradient_at_init(traces["epochs"].astype(str).to_dict("records"),
                                       lambda r: tuple(r[k] for k in keys))
        run_of_row = out[keys].itertuples(index=False) if keys else [()] * len(out)
        out["grad_init"] = [grads.get(tuple(str(v) for v in row), math.nan) for row in run_of_row]
    floor = traces.get("floor")
    if floor is not None and keys and all(k in floor.columns for k in keys):
        out = out.merge(floor[keys + ["kl_floor"]], on=keys, how="left")
    elif floor is not None and len(floor) == 1 and len(out) == 1:
        out["kl_floor"] = floor["kl_floor"].iloc[0]
    return out


def verdicts(runs, keys):
    """Per cell (the runs that differ only in seed): the seed spread of the MMD and KL gains
    and whether the generated ensemble beats its prior (MMD) and the KL floor."""
    cell_keys = [k for k in keys if k != "seed"]
    rows = []
    by = cell_keys if len(cell_keys) > 1 else cell_keys[0] if cell_keys else None
    groups = runs.groupby(by, sort=True, dropna=False) if by else [((), runs)]
    for key, group in groups:
        key = key if isinstance(key, tuple) else (key,)
        row = dict(zip(cell_keys, key), seeds=len(group))
        mmd_gain = list(group["mmd_prior"] - group["mmd_gen"])
        row["mmd_gain"], row["mmd_gain_sd"], _ = stats.seed_spread(mmd_gain)
        row["beats_prior"] = stats.beats(mmd_gain, stats.ONE_SEED_MARGIN)
        if "kl_floor" in group:
            floor_gain = list(group["kl_floor"] - group["kl_gen"])
            row["floor_gain"], row["floor_gain_sd"], _ = stats.seed_spread(floor_gain)
            row["beats_floor"] = stats.beats(floor_gain, stats.ONE_SEED_MARGIN)
        rows.append(row)
    return pd.DataFrame(rows)


def load(path, compute_floor=True):
    """The outputs of a run folder or a sweep folder (see the module's text). A run without a
    floor.csv gets its floor computed from prior.npy, data.npy and generated.npy when
    compute_floor is set and those exist. Raises FileNotFoundError naming the folder when it
    holds no cycles.csv."""
    if not os.path.isfile(os.path.join(path, "cycles.csv")):
        raise FileNotFoundError(f"{path}: no cycles.csv (not a quddpm run or merged sweep)")
    is_run = os.path.isfile(os.path.join(path, "config.json"))
    out = Outputs(path=path, kind="run" if is_run else "sweep", traces=_traces(path))
    if is_run:
        out.config = _json(os.path.join(path, "config.json"))
        out.manifest = _json(os.path.join(path, "manifest.json"))
        npys = [os.path.join(path, f + ".npy") for f in ("prior", "data", "generated")]
        if "floor" not in out.traces and compute_floor and all(map(os.path.isfile, npys)):
            out.traces["floor"] = pd.DataFrame([floor_of_run(path)])
    else:
        out.manifest = _json(os.path.join(path, "merged.json"))
        # The run folders sit below the sweep, or below the sweeps it merged (merged.json).
        tops = {os.path.normpath(os.path.join(path, i.get("path", "")))
                for i in out.manifest.get("inputs", [])} | {path}
        for top in sorted(tops):
            for root, _, files in os.walk(top):
                if "config.json" in files and "manifest.json" in files:
                    run_id = _json(os.path.join(root, "manifest.json")).get("run_id", root)
                    out.config[run_id] = _json(os.path.join(root, "config.json"))
    out.floor = out.traces.get("floor")
    keys = run_keys(out.traces["cycles"]) if not is_run else []
    out.runs = per_run(out.traces, keys)
    if out.runs is not None and not out.runs.empty:
        out.verdicts = verdicts(out.runs, keys)
    return out

