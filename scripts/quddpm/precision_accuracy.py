#!/usr/bin/python3
"""How close single precision comes to double: the gradient, n = 2..16, and whole runs.

  precision_accuracy.py gradients [--qubits "2 3 ... 16"] [--draws K] [--samples S] [--out DIR]
                                  [--bin PATH]
      For each n and both models' inputs, K draws of inputs and parameters; `quddpm gradient`
      in double and in single on the same files; the relative error |g_single - g_double| /
      |g_double|. Original model: Haar inputs, angles N(0, 1). Improved model: inputs from the
      data's family (GHZ-like states with the default noise), angles U[-1/L, 1/L]. Targets:
      the data's family. 3 ancillas, L = 2 (n + 3), S inputs and S targets (--samples, default
      4), every ancilla outcome 0. Writes DIR/gradients_S<S>.csv and prints the table with the
      first n (if any) where the error exceeds 1e-3.

  precision_accuracy.py runs DIR... [--out FILE]
      Compares cycles.csv of runs made in both precisions (folders named *_double and
      *_single, same config and seed): per cycle, the MMD to the data and the KL of each, and
      the largest difference. Writes FILE (default results/precision/runs.csv) and prints a
      line per pair.

Run with /usr/bin/python3 (needs numpy).
"""
import argparse
import csv
import json
import math
import os
import subprocess
import sys
import tempfile

import numpy as np

NA = 3


def ghz_family(n, count, rng, noise=0.08):
    """GHZ-like data: cos(t/2)|0..0> + e^{i p} sin(t/2)|1..1> plus per-state complex noise of
    expected norm `noise` (the ghz target's law), normalized."""
    d = 2 ** n
    t = rng.uniform(1.2708, 1.8708, count)
    p = rng.uniform(-0.3, 0.3, count)
    s = np.zeros((count, d), dtype=np.complex128)
    s[:, 0] = np.cos(t / 2)
    s[:, -1] += np.exp(1j * p) * np.sin(t / 2)
    z = (rng.normal(size=(count, d)) + 1j * rng.normal(size=(count, d))) / math.sqrt(2)
    s += noise / math.sqrt(d) * z
    return s / np.linalg.norm(s, axis=1, keepdims=True)


def haar(n, count, rng):
    d = 2 ** n
    s = rng.normal(size=(count, d)) + 1j * rng.normal(size=(count, d))
    return s / np.linalg.norm(s, axis=1, keepdims=True)


def gradient(binary, files, layers, precision):
    cmd = [binary, "gradient", "--inputs", files["x"], "--targets", files["y"], "--params",
           files["p"], "--outcomes", files["o"], "--ancilla", str(NA), "--layers", str(layers),
           "--threads", "1", "--precision", precision]
    out = subprocess.run(cmd, capture_output=True, text=True)
    if out.returncode != 0:
        sys.exit(f"precision_accuracy.py: {' '.join(cmd)} failed: {out.stderr.strip()}")
    return np.array(json.loads(out.stdout)["grad"])


def gradients(args):
    os.makedirs(args.out, exist_ok=True)
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for n in [int(q) for q in args.qubits.split()]:
            layers = 2 * (n + NA)
            for model in ("original", "improved"):
                errs, norms = [], []
                for k in range(args.draws):
                    rng = np.random.default_rng([n, k, model == "improved"])
                    m = args.samples
                    x = haar(n, m, rng) if model == "original" else ghz_family(n, m, rng)
                    y = ghz_family(n, m, rng)
                    count = 2 * (n + NA) * layers
                    p = (rng.normal(size=count) if model == "original"
                         else rng.uniform(-1 / layers, 1 / layers, count))
                    files = {key: os.path.join(tmp, key + ".npy") for key in "xypo"}
                    np.save(files["x"], x)
                    np.save(files["y"], y)
                    np.save(files["p"], p)
                    np.save(files["o"], np.zeros(m, dtype=np.int64))
                    gd = gradient(args.bin, files, layers, "double")
                    gs = gradient(args.bin, files, layers, "single")
                    norms.append(np.linalg.norm(gd))
                    errs.append(np.linalg.norm(gs - gd) / np.linalg.norm(gd))
                rows.append({"n": n, "model": model, "samples": args.samples, "draws": args.draws,
                             "grad_norm_median": float(np.median(norms)),
                             "rel_error_median": float(np.median(errs)),
                             "rel_error_max": float(np.max(errs))})
                print(f"n = {n:2d} {model:8s} |g| {rows[-1]['grad_norm_median']:.3e}  relative "
                      f"error median {rows[-1]['rel_error_median']:.2e} max "
                      f"{rows[-1]['rel_error_max']:.2e}", flush=True)
    with open(os.path.join(args.out, f"gradients_S{args.samples}.csv"), "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)
    for model in ("original", "improved"):
        over = [r["n"] for r in rows if r["model"] == model and r["rel_error_max"] > 1e-3]
        print(f"{model}: relative error above 1e-3 first at n = {over[0]}" if over
              else f"{model}: relative error below 1e-3 at every n measured")


def read_cycles(path):
    with open(os.path.join(path, "cycles.csv")) as f:
        return list(csv.DictReader(f))


def runs(args):
    pairs = {}
    for d in args.dirs:
        base = os.path.basename(d.rstrip("/"))
        for tag in ("_double", "_single"):
            if base.endswith(tag):
                pairs.setdefault(base[: -len(tag)], {})[tag[1:]] = d
    rows = []
    for name, p in sorted(pairs.items()):
        if set(p) != {"double", "single"}:
            sys.exit(f"precision_accuracy.py: {name} needs both a _double and a _single run")
        a, b = read_cycles(p["double"]), read_cycles(p["single"])
        for ra, rb in zip(a, b):
            row = {"run": name, "t": int(ra["t"])}
            for key in ("mmd_to_data", "kl_to_data"):
                row[key + "_double"] = float(ra[key])
                row[key + "_single"] = float(rb[key])
                row[key + "_diff"] = abs(float(ra[key]) - float(rb[key]))
            rows.append(row)
        worst = {k: max(r[k + "_diff"] for r in rows if r["run"] == name)
                 for k in ("mmd_to_data", "kl_to_data")}
        final = [r for r in rows if r["run"] == name][-1]
        print(f"{name}: largest per-cycle difference MMD {worst['mmd_to_data']:.2e}, KL "
              f"{worst['kl_to_data']:.2e}; generated (t = 0): MMD "
              f"{final['mmd_to_data_double']:.4f} (double) vs {final['mmd_to_data_single']:.4f} "
              f"(single), KL {final['kl_to_data_double']:.4f} vs {final['kl_to_data_single']:.4f}")
    with open(args.out, "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="what", required=True)
    g = sub.add_parser("gradients")
    g.add_argument("--qubits", default=" ".join(str(n) for n in range(2, 17)))
    g.add_argument("--draws", type=int, default=5)
    g.add_argument("--samples", type=int, default=4)
    g.add_argument("--out", default="results/precision")
    g.add_argument("--bin", default="build/quddpm")
    r = sub.add_parser("runs")
    r.add_argument("dirs", nargs="+")
    r.add_argument("--out", default="results/precision/runs.csv")
    args = ap.parse_args()
    gradients(args) if args.what == "gradients" else runs(args)


if __name__ == "__main__":
    main()
