#!/usr/bin/python3
"""The unitary KL floor of a training run: the lowest KL(data || S~_0) that a backward chain
acting as one unitary U on every state could reach from the run's prior.

    PYTHONPATH=scripts /usr/bin/python3 -m quddpm.kl_floor RUN_DIR... [--write]

The floor's derivation and its computation are in quddpm.stats (its smoothing is the
metric's own, eps = 1e-10).

For each run prints the floor with KL(data || prior) and KL(data || generated) recomputed from
the .npy files (and says whether they agree with cycles.csv, rows t = T and t = 0), and the
MMD of prior and generated to the data. --write also writes RUN_DIR/floor.csv:
model,n_data,n_ancilla,kl_floor,kl_prior,kl_generated,mmd_prior,mmd_generated
"""
import argparse
import csv
import json
import math
import os
import sys

import numpy as np

from quddpm.stats import (EPS, basis_distribution, ensemble_eigvals, kl, kl_ensembles,  # noqa: F401
                          mmd, smooth, unitary_kl_floor)

FIELDS = ("model", "n_data", "n_ancilla", "kl_floor", "kl_prior", "kl_generated",
          "mmd_prior", "mmd_generated")


def load_states(path):
    a = np.load(path)
    if a.ndim != 2 or not np.iscomplexobj(a):
        raise ValueError(f"{path}: expected a complex N x 2^n array, found {a.dtype} {a.shape}")
    return a


def floor_of_run(run_dir):
    """kl_floor, kl_prior, kl_generated, mmd_prior, mmd_generated of a run folder, and
    model/n_data/n_ancilla from its config.json (None when there is no config.json)."""
    prior_path = os.path.join(run_dir, "prior.npy")
    if not os.path.isfile(prior_path):
        raise FileNotFoundError(f"{run_dir}: no prior.npy (a run from before quddpm wrote it?)")
    data = load_states(os.path.join(run_dir, "data.npy"))
    gen = load_states(os.path.join(run_dir, "generated.npy"))
    prior = load_states(prior_path)
    if not data.shape[1] == gen.shape[1] == prior.shape[1]:
        raise ValueError(f"{run_dir}: data, generated and prior have different numbers of qubits")
    out = {"model": None, "n_data": None, "n_ancilla": None}
    cfg_path = os.path.join(run_dir, "config.json")
    if os.path.isfile(cfg_path):
        with open(cfg_path) as f:
            cfg = json.load(f)
        out["model"] = cfg.get("model")
        out["n_data"] = cfg.get("qubits", {}).get("data")
        out["n_ancilla"] = cfg.get("qubits", {}).get("ancilla")
    floor, _ = unitary_kl_floor(basis_distribution(data), ensemble_eigvals(prior))
    out.update(kl_floor=floor, kl_prior=kl_ensembles(data, prior),
               kl_generated=kl_ensembles(data, gen), mmd_prior=mmd(prior, data),
               mmd_generated=mmd(gen, data))
    return out


def cycles_check(run_dir, res):
    """A note comparing kl_prior / kl_generated with cycles.csv (rows t = T and t = 0)."""
    path = os.path.join(run_dir, "cycles.csv")
    if not os.path.isfile(path):
        return "no cycles.csv to compare"
    with open(path, newline="") as f:
        rows = list(csv.DictReader(f))
    if not rows:
        return "cycles.csv empty"
    ts = [int(r["t"]) for r in rows]
    csv_prior = float(rows[ts.index(max(ts))]["kl_to_data"])
    bad = []
    if 0 in ts:
        csv_gen = float(rows[ts.index(0)]["kl_to_data"])
        if not math.isclose(csv_gen, res["kl_generated"], rel_tol=1e-8, abs_tol=1e-12):
            bad.append(f"kl_generated {csv_gen!r} at t=0")
    if not math.isclose(csv_prior, res["kl_prior"], rel_tol=1e-8, abs_tol=1e-12):
        bad.append(f"kl_prior {csv_prior!r} at t={max(ts)}")
    return "cycles.csv agrees" if not bad else "cycles.csv DIFFERS: " + ", ".join(bad)


def fmt(x):
    return "" if x is None else x if isinstance(x, str) else repr(x)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("runs", nargs="+", metavar="RUN_DIR")
    ap.add_argument("--write", action="store_true", help="write RUN_DIR/floor.csv")
    a = ap.parse_args()
    failed = 0
    for run in a.runs:
        try:
            res = floor_of_run(run)
        except (OSError, ValueError) as e:
            print(f"kl_floor.py: {e}", file=sys.stderr)
            failed = 1
            continue
        print(f"{run}: kl_floor={res['kl_floor']:.6g} kl_prior={res['kl_prior']:.6g} "
              f"kl_generated={res['kl_generated']:.6g} mmd_prior={res['mmd_prior']:.6g} "
              f"mmd_generated={res['mmd_generated']:.6g} ({cycles_check(run, res)})")
        if a.write:
            path = os.path.join(run, "floor.csv")
            with open(path + ".tmp", "w", newline="") as f:
                w = csv.writer(f, lineterminator="\n")
                w.writerow(FIELDS)
                w.writerow([fmt(res[k]) for k in FIELDS])
            os.replace(path + ".tmp", path)
    return failed


if __name__ == "__main__":
    sys.exit(main())
