#!/usr/bin/python3
"""Checks the distances scripts/quddpm/original_paper.py compares quddpm and the official code with.

    QUDDPM_BIN=build/quddpm /usr/bin/python3 -m pytest tests/python/test_original_paper.py

- `mmd` against a double loop over pairs (the official naturalDistance's definition);
- `wasserstein` (an assignment) against the minimum over every permutation, N <= 6;
- both against `quddpm metrics` on the same files, when QUDDPM_BIN names a binary.
"""
import itertools
import json
import os
import subprocess
import tempfile

import numpy as np

from quddpm import original_paper as op


def random_states(rng, count, dim):
    s = rng.normal(size=(count, dim)) + 1j * rng.normal(size=(count, dim))
    return s / np.linalg.norm(s, axis=1, keepdims=True)


def test_mmd_and_wasserstein_match_brute_force_and_quddpm():
    binary = os.environ.get("QUDDPM_BIN")
    rng = np.random.default_rng(7)
    for n, count in ((1, 5), (2, 6), (3, 4)):
        a, b = random_states(rng, count, 2 ** n), random_states(rng, count + 1, 2 ** n)
        f = lambda x, y: abs(np.vdot(x, y)) ** 2  # noqa: E731
        pairs = lambda x, y: np.mean([f(u, v) for u in x for v in y])  # noqa: E731
        loop = pairs(a, a) + pairs(b, b) - 2 * pairs(a, b)
        assert abs(op.mmd(a, b) - loop) < 1e-12, (op.mmd(a, b), loop)
        b = b[:count]
        brute = min(np.mean([1 - f(a[i], b[p[i]]) for i in range(count)])
                    for p in itertools.permutations(range(count)))
        assert abs(op.wasserstein(a, b) - brute) < 1e-12, (op.wasserstein(a, b), brute)
        if binary:
            with tempfile.TemporaryDirectory() as tmp:
                np.save(os.path.join(tmp, "a.npy"), a)
                np.save(os.path.join(tmp, "b.npy"), b)
                out = subprocess.run([binary, "metrics", "--model", os.path.join(tmp, "a.npy"),
                                      "--target", os.path.join(tmp, "b.npy")],
                                     check=True, capture_output=True, text=True).stdout
                m = json.loads(out)
                assert abs(m["mmd"] - op.mmd(a, b)) < 1e-12, (m["mmd"], op.mmd(a, b))
                assert abs(m["wasserstein"] - op.wasserstein(a, b)) < 1e-12
