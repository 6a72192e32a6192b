#!/usr/bin/python3
"""Checks scripts/quddpm/correlated_noise.py against its formula (docs/model.md section 2).

    QUDDPM_BIN=build/quddpm /usr/bin/python3 -m pytest tests/python/test_correlated_noise.py

Each written state is decomposed independently of the generator: it must be
c psi0 + s (-i P psi0) with real (c, s) = (cos eps, sin eps), |eps| <= delta, for P = X X or
Z Z (a least-squares fit on the two vectors). The fraction of X X states must be p and eps
uniform on [-delta, delta] (mean 0, variance delta^2 / 3, both to 5 standard errors); the file
must be what quddpm's npy reader accepts (quddpm metrics reads it, when QUDDPM_BIN names a
binary).
"""
import json
import math
import os
import subprocess
import tempfile

import numpy as np

from quddpm import correlated_noise as cn

X = np.array([[0, 1], [1, 0]], dtype=complex)
Z = np.array([[1, 0], [0, -1]], dtype=complex)


def fit(states, pauli):
    """(cos, sin, residual) per state of state = c psi0 - i s P psi0, from the formula's pieces
    (least squares on the two vectors, all states at once)."""
    psi0 = np.array([math.sqrt(0.1) * np.exp(0.8j), math.sqrt(0.55) * np.exp(1.7j), 0,
                     math.sqrt(0.35) * np.exp(2.4j)])
    basis = np.stack([psi0, -1j * (np.kron(pauli, pauli) @ psi0)], axis=1)
    coef = np.linalg.pinv(basis) @ states.T  # 2 x count
    residual = np.linalg.norm(basis @ coef - states.T, axis=0)
    return coef[0], coef[1], residual


def test_states_follow_the_formula_and_the_file_is_readable():
    binary = os.environ.get("QUDDPM_BIN")
    count, p, delta, seed = 20000, 0.8, math.pi / 3, 7
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "noise.npy")
        assert cn.main(["--out", out, "--count", str(count), "--seed", str(seed)]) == 0
        states = np.load(out)
        assert states.dtype == np.complex128 and states.shape == (count, 4), states.shape
        assert states.flags.c_contiguous
        assert np.max(np.abs(np.linalg.norm(states, axis=1) - 1)) < 1e-12
        cx, sx, rx = fit(states, X)
        cz, sz, rz = fit(states, Z)
        xx = rx < rz
        c, si, r = np.where(xx, cx, cz), np.where(xx, sx, sz), np.where(xx, rx, rz)
        assert r.max() < 1e-12, r.max()
        assert np.abs(c.imag).max() < 1e-12 and np.abs(si.imag).max() < 1e-12
        assert np.abs(c.real ** 2 + si.real ** 2 - 1).max() < 1e-12
        eps = np.arctan2(si.real, c.real)
        assert np.abs(eps).max() <= delta + 1e-12, np.abs(eps).max()
        frac = np.mean(xx)
        assert abs(frac - p) < 5 * math.sqrt(p * (1 - p) / count), frac
        var = delta ** 2 / 3
        assert abs(eps.mean()) < 5 * math.sqrt(var / count), eps.mean()
        # eps^2 for eps ~ U[-d, d]: mean d^2/3, variance d^4/5 - d^4/9 = 4 d^4 / 45.
        assert abs(np.mean(eps ** 2) - var) < 5 * math.sqrt(4 * delta ** 4 / 45 / count)
        # Another seed, another file; the same seed, the same bytes.
        again = os.path.join(tmp, "again.npy")
        cn.main(["--out", again, "--count", str(count), "--seed", str(seed)])
        with open(out, "rb") as f1, open(again, "rb") as f2:
            assert f1.read() == f2.read()
        sched = cn.schedule()
        assert len(sched) == 20 and sched[0] == 0.05 and sched[11] == 1.0 and sched[-1] == 4.0
        if binary:  # a small file: the metrics are O(N^2)
            small = os.path.join(tmp, "small.npy")
            cn.main(["--out", small, "--count", "50"])
            r = subprocess.run([binary, "metrics", "--model", small, "--target", small],
                               capture_output=True, text=True, check=True)
            assert json.loads(r.stdout)["mmd"] < 1e-12, r.stdout
