#!/usr/bin/python3
"""Independent NumPy reference for docs/model.md, section 6 (metrics), used to cross-check
`quddpm metrics --model A.npy --target B.npy`.

States are the rows of an N x 2^n complex128 array (.npy, C order).
  MMD(A, B)      = mean_{i,i'} |<a_i|a_i'>|^2 + mean_{j,j'} |<b_j|b_j'>|^2
                   - 2 mean_{i,j} |<a_i|b_j>|^2            (diagonal included)
  mmd_to_haar(A) = mean_{i != i'} |<a_i|a_i'>|^2 - 1/d
  KL(T || M)     = sum_x P_T(x) log(P_T(x) / P_M(x)),  P_X(x) = mean_i |<x|x_i>|^2,
                   both smoothed P <- (P + 1e-10) / (1 + 2^n 1e-10).
  W(A, B)        = min over plans P (row sums 1/N_a, column sums 1/N_b) of
                   sum_ij P_ij (1 - |<a_i|b_j>|^2): solved here as an assignment problem
                   (SciPy's linear_sum_assignment) on L = lcm(N_a, N_b) copies, each state of
                   A repeated L/N_a times and each of B L/N_b times (the transportation
                   problem's integral optimum is such an assignment), W = its cost / L.
Output: one JSON object {"mmd": MMD(model, target), "wasserstein": W(model, target),
"kl": KL(target || model), "mmd_to_haar_model": ..., "mmd_to_haar_target": ...}.

`--generate DIR` writes a few fixed-seed test ensembles (haar / cluster / ghz)
to DIR as .npy files for comparison with the C++ binary.

Run with Debian's python: PYTHONPATH=scripts /usr/bin/python3 -m quddpm.reference_metrics ...
"""
import argparse
import json
import os
import sys

import numpy as np
from scipy.optimize import linear_sum_assignment

from quddpm.reference import cluster, ghz, haar, mmd, mmd_to_haar

EPS = 1e-10


def basis_distribution(a):
    p = (np.abs(a) ** 2).mean(axis=0)
    return (p + EPS) / (1.0 + a.shape[1] * EPS)


def kl(target, model):
    pt, pm = basis_distribution(target), basis_distribution(model)
    return float(np.sum(pt * np.log(pt / pm)))


def wasserstein(a, b):
    cost = 1.0 - np.abs(a.conj() @ b.T) ** 2
    lcm = np.lcm(a.shape[0], b.shape[0])
    big = np.repeat(np.repeat(cost, lcm // a.shape[0], axis=0), lcm // b.shape[0], axis=1)
    rows, cols = linear_sum_assignment(big)
    return float(big[rows, cols].sum() / lcm)


def load_states(path):
    a = np.load(path)
    if a.ndim != 2 or a.shape[0] < 1:
        sys.exit(f"{path}: expected a 2-D N x 2^n array, got shape {a.shape}")
    d = a.shape[1]
    if d < 2 or d & (d - 1):
        sys.exit(f"{path}: number of columns {d} is not a power of two >= 2")
    a = a.astype(np.complex128)
    norms = np.linalg.norm(a, axis=1)
    if not np.all(np.isfinite(a)) or np.max(np.abs(norms - 1.0)) > 1e-6:
        sys.exit(f"{path}: rows must be finite and of norm 1 (within 1e-6)")
    return a


def metrics(model, target):
    return {
        "mmd": float(mmd(model, target)),
        "wasserstein": wasserstein(model, target),
        "kl": kl(target, model),
        "mmd_to_haar_model": float(mmd_to_haar(model)),
        "mmd_to_haar_target": float(mmd_to_haar(target)),
    }


# ---- test ensembles (docs/model.md, section 2) --------------------------------------
def generate(outdir, seed=12345):
    rng = np.random.default_rng(seed)
    os.makedirs(outdir, exist_ok=True)
    sets = {
        "haar_n3_N50": haar(rng, 3, 50),
        "cluster_n3_N40": cluster(rng, 3, 40),
        "ghz_n3_N30": ghz(rng, 3, 30),
        "haar_n1_N30": haar(rng, 1, 30),
        "cluster_n1_N20": cluster(rng, 1, 20),
        "haar_n5_N60": haar(rng, 5, 60),
        "cluster_n5_N25": cluster(rng, 5, 25),
        "ghz_n5_N35": ghz(rng, 5, 35),
    }
    for name, a in sets.items():
        path = os.path.join(outdir, name + ".npy")
        np.save(path, np.ascontiguousarray(a, dtype=np.complex128))
        print(path)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--model")
    ap.add_argument("--target")
    ap.add_argument("--generate", metavar="DIR")
    ap.add_argument("--seed", type=int, default=12345)
    args = ap.parse_args()
    if args.generate:
        generate(args.generate, args.seed)
        return
    if not (args.model and args.target):
        ap.error("need --model and --target (or --generate DIR)")
    model, target = load_states(args.model), load_states(args.target)
    if model.shape[1] != target.shape[1]:
        sys.exit("model and target have different numbers of qubits")
    print(json.dumps(metrics(model, target)))


if __name__ == "__main__":
    main()
