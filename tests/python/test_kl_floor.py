#!/usr/bin/python3
"""Checks the unitary KL floor (scripts/quddpm/kl_floor.py). Under pytest the checks are one test;
run directly it prints a one-line summary and exits non-zero on failure.

    /usr/bin/python3 -m pytest tests/python/test_kl_floor.py

(a) the optimal q is a probability vector majorized by lambda, and KL(p || q) is the floor;
(b) lower bound: for random small cases (n = 1..3, rho mixed from a few random states, random
    p, some with zeros), KL(p || diag(U rho U^dag)) >= floor for many Haar unitaries U, and
    the floor is attained: a unitary built from Givens rotations (the constructive Schur-Horn
    proof) realizes q exactly;
(c) optimality against an independent brute force for 2^n <= 4: exponentiated-gradient descent
    over convex combinations of the permutations of lambda (the permutohedron, = {D lambda : D
    doubly stochastic} by Birkhoff), with its Frank-Wolfe duality gap as a certificate;
(d) closed forms: pure rho -> 0, maximally mixed rho -> KL(p || uniform), p majorized by
    lambda -> 0, a hand-computed 2-level case; eigenvalues from the Gram matrix; the CLI on a
    fake run folder (floor.csv, floor <= KL(data || prior), missing prior.npy).
"""
import csv
import itertools
import json
import os
import subprocess
import sys
import tempfile

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "scripts"))
from quddpm import kl_floor as kf  # noqa: E402

failures = []
counts = {}


def check(cond, what):
    part = what.split(" ")[0]  # (a), (b), ...
    counts[part] = counts.get(part, 0) + 1
    if not cond:
        failures.append(what)


def haar(d, rng, k=None):
    """k Haar unitaries d x d (QR of complex Gaussians, phases fixed)."""
    shape = (d, d) if k is None else (k, d, d)
    z = (rng.standard_normal(shape) + 1j * rng.standard_normal(shape)) / np.sqrt(2)
    q, r = np.linalg.qr(z)
    ph = np.diagonal(r, axis1=-2, axis2=-1)
    return q * (ph / np.abs(ph))[..., None, :]


def random_states(k, d, rng):
    x = rng.standard_normal((k, d)) + 1j * rng.standard_normal((k, d))
    return x / np.linalg.norm(x, axis=1, keepdims=True)


def random_p(d, rng):
    p = rng.dirichlet(np.full(d, rng.choice([0.3, 1.0, 3.0])))
    if d > 1 and rng.random() < 0.3:  # some zero outcomes
        p[rng.choice(d, size=rng.integers(1, d), replace=False)] = 0.0
        if p.sum() == 0:
            p[0] = 1.0
        p /= p.sum()
    return p


def majorized(q, lam, tol=1e-12):
    qs, ls = np.cumsum(np.sort(q)[::-1]), np.cumsum(np.sort(lam)[::-1])
    return bool(np.all(qs <= ls + tol)) and abs(qs[-1] - ls[-1]) <= tol


def realizing_unitary(rho, q):
    """A unitary U with diag(U rho U^dag) = q (q majorized by eig(rho)), by the constructive
    Schur-Horn proof: place the smallest target on the lower of two adjacent (in value)
    still-diagonal entries a >= t >= b with a Givens rotation, retire it, repeat."""
    d = rho.shape[0]
    lam, v = np.linalg.eigh(rho)
    lam = np.clip(lam, 0, None)
    lam *= q.sum() / lam.sum()
    h = np.diag(lam)
    r = np.eye(d)
    order = np.argsort(-q, kind="stable")
    target = q[order]  # descending
    active = list(range(d))
    pos_of = {}  # position -> rank in target
    for k in range(d - 1, 0, -1):
        t = target[k]
        act = sorted(active, key=lambda i: -h[i, i])
        for a, b in zip(act, act[1:]):
            if h[a, a] >= t - 1e-15 and t >= h[b, b] - 1e-15:
                break
        else:
            raise AssertionError("no pair brackets the target (q not majorized?)")
        ha, hb = h[a, a], h[b, b]
        s2 = 0.0 if ha - hb <= 0 else min(max((t - hb) / (ha - hb), 0.0), 1.0)
        c, s = np.sqrt(1 - s2), np.sqrt(s2)
        g = np.eye(d)
        g[a, a], g[a, b], g[b, a], g[b, b] = c, -s, s, c  # new h[b,b] = s^2 ha + c^2 hb = t
        h = g @ h @ g.T
        r = g @ r
        active.remove(b)
        pos_of[b] = k
    pos_of[active[0]] = 0
    perm = np.zeros((d, d))
    for pos, k in pos_of.items():
        perm[order[k], pos] = 1.0
    return perm @ r @ v.conj().T


def brute_force(p, lam, eps, iters=1000):
    """(min found, Frank-Wolfe gap) of KL_eps(p || M w) over the simplex of w, M's columns the
    distinct permutations of lam."""
    d = p.size
    m = np.array(sorted(set(itertools.permutations(lam)))).T  # d x P
    a = 1.0 / (1.0 + d * eps)
    ps = kf.smooth(p, eps)
    pos = ps > 0

    def f(w):
        qs = a * (m @ w) + (1 - a) / d
        return float(np.sum(ps[pos] * np.log(ps[pos] / qs[pos])))

    def grad(w):
        qs = a * (m @ w) + (1 - a) / d
        gq = np.zeros(d)
        gq[pos] = -a * ps[pos] / qs[pos]
        return m.T @ gq

    best = None
    rng = np.random.default_rng(7)
    for start in range(2):
        lw = np.log(rng.dirichlet(np.ones(m.shape[1]))) if start else np.zeros(m.shape[1])
        w = np.exp(lw - lw.max())
        w /= w.sum()
        fw, eta = f(w), 1.0
        for _ in range(iters):
            g = grad(w)
            while True:
                ln = lw - eta * g
                wn = np.exp(ln - ln.max())
                wn /= wn.sum()
                fn = f(wn)
                if fn <= fw or eta < 1e-12:
                    break
                eta /= 2
            if fn <= fw:
                lw, w, fw = ln - ln.max(), wn, fn
            eta *= 1.5
        g = grad(w)
        gap = float(g @ w - g.min())
        if best is None or fw < best[0]:
            best = (fw, gap)
    return best


def main():
    rng = np.random.default_rng(20240611)

    # (a), (b): random cases n = 1..3.
    worst_margin = np.inf
    for n in (1, 2, 3):
        d = 2 ** n
        for case in range(40):
            x = random_states(int(rng.integers(1, d + 3)), d, rng)
            rho = x.T @ x.conj() / x.shape[0]  # 1/N sum |x_i><x_i|
            lam = kf.ensemble_eigvals(x)
            p = random_p(d, rng)
            for eps in (kf.EPS, 0.0):
                floor, q = kf.unitary_kl_floor(p, lam, eps)
                tag = f"n={n} case={case} eps={eps}"
                check(abs(q.sum() - 1) < 1e-12 and np.all(q >= 0), f"(a) q sums to 1: {tag} {q}")
                check(majorized(q, lam / lam.sum()), f"(a) q majorized by lambda: {tag}")
                check(abs(kf.kl(p, q, eps) - floor) <= 1e-9 * max(1, floor),
                      f"(a) KL(p||q) = floor: {tag} {kf.kl(p, q, eps)} vs {floor}")
                us = haar(d, rng, 150)
                qs = np.real(np.einsum("kij,jl,kil->ki", us, rho, us.conj()))
                kls = np.array([kf.kl(p, qu, eps) for qu in qs])
                check(np.all(kls >= floor - 1e-10), f"(b) floor <= KL of Haar U: {tag} "
                      f"{kls.min()} < {floor}")
                worst_margin = min(worst_margin, kls.min() - floor)
                try:
                    u = realizing_unitary(rho, q)
                except AssertionError as e:
                    check(False, f"(b) realizer: {tag}: {e}")
                    continue
                check(np.allclose(u @ u.conj().T, np.eye(d), atol=1e-10), f"(b) realizer unitary: {tag}")
                qu = np.real(np.diag(u @ rho @ u.conj().T))
                check(np.allclose(qu, q, atol=1e-10), f"(b) realizer gives q: {tag} {qu} vs {q}")
                check(abs(kf.kl(p, qu, eps) - floor) <= 1e-7 * max(1, floor) + 1e-9,
                      f"(b) realized KL = floor: {tag} {kf.kl(p, qu, eps)} vs {floor}")

    # (c): brute force over the permutohedron, d = 2 and 4.
    worst_gap = 0.0
    for d in (2, 4):
        for case in range(15):
            x = random_states(int(rng.integers(1, d + 2)), d, rng)
            lam = kf.ensemble_eigvals(x)
            lam /= lam.sum()
            p = random_p(d, rng)
            for eps in (kf.EPS, 0.0):
                floor, _ = kf.unitary_kl_floor(p, lam, eps)
                bf, gap = brute_force(p, lam, eps)
                tag = f"d={d} case={case} eps={eps} p={p} lam={lam}"
                check(floor <= bf + 1e-6, f"(c) closed form <= brute force: {tag} {floor} > {bf}")
                check(bf - floor <= 1e-3, f"(c) closed form within 1e-3 of brute force: {tag} "
                      f"{floor} vs {bf}")
                check(floor >= bf - gap - 1e-9, f"(c) closed form >= FW lower bound: {tag}")
                worst_gap = max(worst_gap, bf - floor)

    # (d): closed forms.
    for n in (1, 2, 3, 4):
        d = 2 ** n
        for _ in range(10):
            p = random_p(d, rng)
            pure = np.zeros(d)
            pure[0] = 1.0
            f0, _ = kf.unitary_kl_floor(p, pure)
            check(abs(f0) < 1e-12, f"(d) pure rho gives 0: {f0}")
            fm, qm = kf.unitary_kl_floor(p, np.full(d, 1 / d))
            check(abs(fm - kf.kl(p, np.full(d, 1 / d))) < 1e-12 and np.allclose(qm, 1 / d),
                  f"(d) maximally mixed gives KL(p||u): {fm}")
            lam = rng.dirichlet(np.ones(d))
            perms = [rng.permutation(d) for _ in range(5)]
            w = rng.dirichlet(np.ones(5))
            pm = sum(wi * lam[pi] for wi, pi in zip(w, perms))  # p = D lam: majorized by lam
            fz, _ = kf.unitary_kl_floor(pm, lam)
            check(abs(fz) < 1e-12, f"(d) p majorized by lambda gives 0: {fz}")
    f2, q2 = kf.unitary_kl_floor(np.array([0.1, 0.9]), np.array([0.2, 0.8]), eps=0.0)
    want = 0.9 * np.log(0.9 / 0.8) + 0.1 * np.log(0.1 / 0.2)
    check(abs(f2 - want) < 1e-15 and np.allclose(q2, [0.2, 0.8]), f"(d) 2-level case: {f2} {q2}")
    # Zero data outcomes take what is left: p = (1/2, 1/2, 0, 0), lambda = (0.7, 0.1, 0.1, 0.1):
    # the two p > 0 entries get at most 0.8, split 0.4/0.4 (the minorant's one segment).
    f3, q3 = kf.unitary_kl_floor(np.array([0.5, 0, 0.5, 0]), np.array([0.7, 0.1, 0.1, 0.1]), 0.0)
    check(np.allclose(q3, [0.4, 0.1, 0.4, 0.1]) and abs(f3 - np.log(1 / 0.8)) < 1e-15,
          f"(d) zero outcomes: {f3} {q3}")
    for k, d in ((3, 16), (40, 8)):  # N < d and N > d
        x = random_states(k, d, rng)
        want = np.sort(np.linalg.eigvalsh(x.T @ x.conj() / k))[::-1]
        check(np.allclose(kf.ensemble_eigvals(x), want, atol=1e-12), f"(d) Gram eigenvalues N={k} d={d}")

    # CLI on fake run folders.
    with tempfile.TemporaryDirectory() as tmp:
        run, old = os.path.join(tmp, "improved_n3"), os.path.join(tmp, "old_run")
        prior = random_states(30, 8, rng)
        data = random_states(20, 8, rng)
        data[:, 4:] *= 0.1  # a data distribution far from the prior's
        data /= np.linalg.norm(data, axis=1, keepdims=True)
        for r in (run, old):
            os.makedirs(r)
            np.save(os.path.join(r, "data.npy"), data)
            np.save(os.path.join(r, "generated.npy"), prior @ haar(8, rng).T)  # a unitary chain
            with open(os.path.join(r, "config.json"), "w") as f:
                json.dump({"model": "improved", "qubits": {"data": 3, "ancilla": 2}}, f)
        np.save(os.path.join(run, "prior.npy"), prior)
        cli = [sys.executable, "-m", "quddpm.kl_floor"]
        env = dict(os.environ, PYTHONPATH=os.path.dirname(os.path.dirname(kf.__file__)))
        p = subprocess.run(cli + [run, "--write"], capture_output=True, text=True, env=env)
        check(p.returncode == 0, f"(cli) exit 0: {p.stderr}")
        with open(os.path.join(run, "floor.csv"), newline="") as f:
            rows = list(csv.reader(f))
        check(rows[0] == list(kf.FIELDS), f"(cli) floor.csv header: {rows[0]}")
        row = dict(zip(rows[0], rows[1]))
        check(row["model"] == "improved" and row["n_data"] == "3" and row["n_ancilla"] == "2",
              f"(cli) floor.csv keys: {row}")
        res = kf.floor_of_run(run)
        check(all(float(row[k]) == res[k] for k in kf.FIELDS[3:]), f"(cli) floor.csv values: {row}")
        check(res["kl_floor"] <= res["kl_prior"] + 1e-12, "(cli) floor <= KL(data||prior)")
        check(res["kl_floor"] <= res["kl_generated"] + 1e-12, "(cli) floor <= KL of a unitary chain")
        check(abs(kf.mmd(prior, prior)) < 1e-12 and abs(res["mmd_prior"] - kf.mmd(prior, data)) < 1e-15,
              "(cli) mmd")
        p = subprocess.run(cli + [run, old], capture_output=True, text=True, env=env)
        check(p.returncode != 0 and "old_run" in p.stderr and "prior.npy" in p.stderr
              and len(p.stderr.strip().splitlines()) == 1, f"(cli) missing prior.npy: {p.stderr}")

    total = sum(counts.values())
    if failures:
        for f in failures[:20]:
            print("FAIL", f)
        print(f"test_kl_floor: {len(failures)} of {total} checks FAILED")
        return 1
    print(f"test_kl_floor: ok, {total} checks ({', '.join(f'{k} {v}' for k, v in counts.items())}); "
          f"min KL over Haar U - floor = {worst_margin:.3g}; brute force - floor <= {worst_gap:.2g}")
    return 0


def test_floor_is_attained_minimal_and_matches_closed_forms():
    assert main() == 0, failures[:20]


if __name__ == "__main__":
    sys.exit(main())
