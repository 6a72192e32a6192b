#!/usr/bin/python3
"""Calibrate the improved model's forward-diffusion schedule (docs/model.md, sections 2, 3, 6).

Independent NumPy implementation of the `ghz` ensemble (docs/model.md section 2) and of the forward
diffusion (docs/model.md section 3: per data qubit RZ(h a1), RY(h a2), RZ(h a3), a ~ U[-pi/8, pi/8];
then for n >= 2 RZZ(h g / (2 sqrt n)) on every pair, g ~ U[0.4, 0.6] per state and
step), with a linear schedule h_t = start + (end - start)(t-1)/(T-1) (h_1 = end when T = 1).

Modes:
  table   : mmd_to_haar(S_T) (mean +- std over repeats) for given schedules, n = 1..10
  search  : bisect `end` (fixed `start`) so that mmd_to_haar(S_T) at n = --n hits --goal
  along   : mmd_to_haar(S_t) for t = 0, 5, ..., T at one n
Run with Debian's python: PYTHONPATH=scripts /usr/bin/python3 -m quddpm.calibrate_schedule table ...
"""
import argparse
import time

import numpy as np

from quddpm.reference import ghz, mmd_to_haar


def schedule(start, end, T):
    """h_1..h_T; a single step has the end's strength."""
    if T == 1:
        return np.array([float(end)])
    return start + (end - start) * np.arange(T) / (T - 1)


def rz(a):   # (N,) -> (N, 2, 2), exp(-i a Z / 2)
    m = np.zeros(a.shape + (2, 2), complex)
    m[:, 0, 0], m[:, 1, 1] = np.exp(-0.5j * a), np.exp(0.5j * a)
    return m


def ry(a):   # exp(-i a Y / 2) = [[c, -s], [s, c]]
    c, s = np.cos(a / 2), np.sin(a / 2)
    return np.stack([np.stack([c, -s], -1), np.stack([s, c], -1)], -2).astype(complex)


def zz_sum(n):
    """sum_{i<j} z_i z_j for every basis index (z = +1 for bit 0)."""
    b = np.arange(2 ** n)
    S = sum(1 - 2 * ((b >> (n - 1 - q)) & 1) for q in range(n))
    return (S * S - n) / 2


def step(rng, psi, n, h):
    N = psi.shape[0]
    for q in range(n):   # qubit 0 = most significant bit
        a1, a2, a3 = rng.uniform(-np.pi / 8, np.pi / 8, (3, N)) * h
        U = rz(a3) @ ry(a2) @ rz(a1)          # RZ(a1) applied first
        x = psi.reshape(N, 2 ** q, 2, 2 ** (n - q - 1))
        psi = np.einsum("nab,nlbr->nlar", U, x).reshape(N, -1)
    if n >= 2:
        g = rng.uniform(0.4, 0.6, N)
        ang = h * g / (2 * np.sqrt(n))        # RZZ(ang) on all pairs
        psi = psi * np.exp(-0.5j * ang[:, None] * zz_sum(n)[None, :])
    return psi


def diffuse(rng, n, N, start, end, T=30, record=()):
    """Return S_T and {t: mmd_to_haar(S_t)} for t in record."""
    psi, out = ghz(rng, n, N), {}
    if 0 in record:
        out[0] = mmd_to_haar(psi)
    for t, h in enumerate(schedule(start, end, T), 1):
        psi = step(rng, psi, n, h)
        if t in record:
            out[t] = mmd_to_haar(psi)
    return psi, out


def stats(rng, n, N, start, end, T, reps):
    v = [mmd_to_haar(diffuse(rng, n, N, start, end, T)[0]) for _ in range(reps)]
    return np.mean(v), np.std(v, ddof=1) if reps > 1 else 0.0


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("mode", choices=["table", "search", "along"])
    ap.add_argument("--schedules", default="0.5:4.0",
                    help="table: comma list of start:end")
    ap.add_argument("--start", type=float, default=0.1)
    ap.add_argument("--end", type=float, default=1.0)
    ap.add_argument("--goal", type=float, default=0.35)
    ap.add_argument("--n", type=int, default=4)
    ap.add_argument("--nmax", type=int, default=10)
    ap.add_argument("--N", type=int, default=500)
    ap.add_argument("--N-small", type=int, default=2000, help="N used for n <= 5")
    ap.add_argument("--T", type=int, default=30)
    ap.add_argument("--reps", type=int, default=5)
    ap.add_argument("--seed", type=int, default=2024)
    args = ap.parse_args()
    rng = np.random.default_rng(args.seed)
    t0 = time.time()

    if args.mode == "table":
        scheds = [tuple(map(float, s.split(":"))) for s in args.schedules.split(",")]
        print("n  N     " + "  ".join(f"{f'h={s:g}..{e:g}: mean +- std':<22}" for s, e in scheds))
        for n in range(1, args.nmax + 1):
            N = args.N_small if n <= 5 else args.N
            cells = [stats(rng, n, N, s, e, args.T, args.reps) for s, e in scheds]
            print(f"{n:<2} {N:<5} " + "  ".join(f"{m:+.5f} +- {sd:.1e}" for m, sd in cells),
                  flush=True)
    elif args.mode == "search":
        lo, hi = args.start, 4.0   # mmd_to_haar(S_T) decreases with `end`
        for _ in range(14):
            mid = 0.5 * (lo + hi)
            m, sd = stats(rng, args.n, args.N_small, args.start, mid, args.T, args.reps)
            print(f"end={mid:.4f}  mmd_to_haar={m:.4f} +- {sd:.4f}", flush=True)
            lo, hi = (mid, hi) if m > args.goal else (lo, mid)
        print(f"start={args.start}  end ~ {0.5 * (lo + hi):.4f} for goal {args.goal}")
    else:
        rec = tuple(range(0, args.T + 1, 5))
        runs = [diffuse(rng, args.n, args.N_small, args.start, args.end, args.T, rec)[1]
                for _ in range(args.reps)]
        for t in rec:
            v = [r[t] for r in runs]
            print(f"t={t:<3} mmd_to_haar={np.mean(v):.4f} +- {np.std(v, ddof=1):.4f}")
    print(f"# wall time {time.time() - t0:.1f} s")


if __name__ == "__main__":
    main()
