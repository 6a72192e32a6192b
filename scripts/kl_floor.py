#!/usr/bin/python3
"""The unitary KL floor of a training run: the lowest KL(data || S~_0) that a backward chain
acting as one unitary U on every state could reach from the run's prior.

    /usr/bin/python3 scripts/kl_floor.py RUN_DIR... [--write]

A unitary chain maps the prior's mean density matrix rho = 1/N sum_i |x_i><x_i| (rows x_i of
RUN_DIR/prior.npy) to U rho U^dag, whose computational-basis distribution is
q = diag(U rho U^dag). By the Schur-Horn theorem the reachable q are exactly the probability
vectors majorized by lambda = eig(rho), so

    floor = min_{q majorized by lambda} KL(P_data || q).

Solution (derived and checked in scripts/test_kl_floor.py): sort p = P_data and lambda in
descending order. The optimal q has the order of p (swapping two entries of q that are in the
opposite order of p lowers the KL and keeps the majorization), so the constraint becomes
Q_k <= Lambda_k on the prefix sums. The KKT conditions of min -sum p_i log q_i subject to
Q_k <= Lambda_k, Q_d = 1 give q_i = p_i s_i with slopes s_i nondecreasing in i that may only
increase where Q_k = Lambda_k: the prefix sums Q, as a function of P (the prefix sums of p),
are the greatest convex minorant of the points (0, 0), (P_k, Lambda_k), i.e. s is the
weighted isotonic (nondecreasing) regression of lambda_i / p_i with weights p_i, computed
here by pool-adjacent-violators on block sums (no differences of prefix sums, which would
lose precision on entries of 1e-10). Entries with p_i = 0 (only when smoothing is off) do
not enter the KL: they come last in the order, the pooling runs over the p_i > 0 entries
(whose mass then reaches Lambda_m), and they get the rest, q_i = lambda_i.

Smoothing: the metric (src/model/metrics.cpp) compares smoothed distributions
P~ = (P + eps) / (1 + d eps), eps = 1e-10, d = 2^n. This map is q -> a q + (1 - a) u with u
uniform, a = 1 / (1 + d eps); it commutes with doubly stochastic matrices, so
{q~ : q majorized by lambda} = {r : r majorized by lambda~}. The floor is therefore computed
exactly as the metric would evaluate it: the minimization runs on p~ and lambda~, floor =
KL(p~ || r*), and the returned q = (r* (1 + d eps) - eps) is the unsmoothed optimal basis
distribution (majorized by lambda; KL_metric(p || q) == floor). eps = 0 gives the unsmoothed
problem, which is always finite: the first slope is min_k Lambda_k / P_k > 0, so q_i > 0
wherever p_i > 0 (whatever the rank of rho).

rho is 2^n x 2^n but has rank <= N: its nonzero eigenvalues are those of the N x N Gram matrix
G = X X^dag / N (or of X^dag X / N when that is smaller), padded with zeros to 2^n.

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

EPS = 1e-10
FIELDS = ("model", "n_data", "n_ancilla", "kl_floor", "kl_prior", "kl_generated",
          "mmd_prior", "mmd_generated")


def basis_distribution(x):
    """P_X(x) = mean_i |<x|x_i>|^2 of an ensemble (rows x_i)."""
    x = np.asarray(x)
    return np.mean(np.abs(x) ** 2, axis=0)


def smooth(p, eps=EPS):
    p = np.asarray(p, dtype=float)
    return (p + eps) / (1.0 + p.size * eps)


def kl(p, q, eps=EPS):
    """KL(p || q) of two basis distributions, smoothed as the metric does; terms with
    (smoothed) p_x = 0 count 0."""
    ps, qs = smooth(p, eps), smooth(q, eps)
    m = ps > 0
    with np.errstate(divide="ignore"):
        return float(np.sum(ps[m] * np.log(ps[m] / qs[m])))


def kl_ensembles(target, model, eps=EPS):
    """KL(target || model) of two ensembles, as src/model/metrics.cpp computes it."""
    return kl(basis_distribution(target), basis_distribution(model), eps)


def _mean_overlap_sq(a, b):
    return float(np.mean(np.abs(np.conj(a) @ b.T) ** 2))


def mmd(a, b):
    """MMD (docs/model.md, section 6): mean |<a_i|a_i'>|^2 + mean |<b_j|b_j'>|^2 - 2 mean |<a_i|b_j>|^2, all pairs
    including the diagonal."""
    return _mean_overlap_sq(a, a) + _mean_overlap_sq(b, b) - 2.0 * _mean_overlap_sq(a, b)


def ensemble_eigvals(x):
    """Eigenvalues of rho = 1/N sum_i |x_i><x_i| (rows x_i), descending, 2^n of them: from the
    smaller of the Gram matrices X X^dag / N (N x N) and X^dag X / N (d x d), padded with
    zeros."""
    x = np.asarray(x, dtype=complex)
    n, d = x.shape
    g = (x @ x.conj().T) / n if n <= d else (x.conj().T @ x) / n
    w = np.linalg.eigvalsh(g)
    lam = np.zeros(d)
    lam[: w.size] = np.sort(w)[::-1][:d]
    return lam


def _pool(p, lam):
    """Slopes s (one per entry) of the greatest convex minorant of (0,0), (P_k, Lambda_k) for
    p > 0 and lam >= 0 sorted descending: the isotonic regression of lam / p, weights p."""
    blocks = []  # [sum p, sum lam, count]
    for pi, li in zip(p, lam):
        blocks.append([pi, li, 1])
        # Pool while the previous block's slope is >= this one's (slopes must increase).
        while len(blocks) > 1 and blocks[-2][1] * blocks[-1][0] >= blocks[-1][1] * blocks[-2][0]:
            sp, sl, c = blocks.pop()
            blocks[-1][0] += sp
            blocks[-1][1] += sl
            blocks[-1][2] += c
    return np.concatenate([np.full(c, sl / sp) for sp, sl, c in blocks])


def unitary_kl_floor(p_data, eigvals, eps=EPS):
    """(floor, q): floor = min over q majorized by eigvals of KL(p_data || q), KL smoothed by
    eps exactly as the metric (see the module docstring; eps = 0: unsmoothed), and q the
    optimal (unsmoothed) basis distribution, in the order of p_data. eigvals are clipped at 0
    and normalized to sum 1 (rho has trace 1 up to rounding); p_data is used as given."""
    p = np.asarray(p_data, dtype=float)
    lam = np.clip(np.asarray(eigvals, dtype=float), 0.0, None)
    if p.ndim != 1 or lam.shape != p.shape:
        raise ValueError(f"p_data and eigvals must be vectors of one length, got {p.shape}, {lam.shape}")
    if lam.sum() <= 0:
        raise ValueError("eigvals sum to 0")
    lam = np.sort(lam)[::-1] / lam.sum()
    d = p.size
    ps = smooth(p, eps)
    ls = smooth(lam, eps)
    order = np.argsort(-ps, kind="stable")
    psd = ps[order]
    m = int(np.count_nonzero(psd > 0))
    r = np.empty(d)
    r[:m] = psd[:m] * _pool(psd[:m], ls[:m])
    r[m:] = ls[m:]  # p = 0 entries (eps = 0 only): the rest of the mass
    with np.errstate(divide="ignore"):
        floor = float(np.sum(psd[:m] * np.log(psd[:m] / r[:m])))
    q = np.empty(d)
    q[order] = np.clip(r * (1.0 + d * eps) - eps, 0.0, None)
    return floor, q


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
