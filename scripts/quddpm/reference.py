"""Independent NumPy versions of quddpm's ensembles and distances (docs/model.md, sections 2
and 6), shared by the scripts that check quddpm against them (reference_metrics.py,
calibrate_schedule.py). Written from the documented definitions, not from the C++ code."""
import numpy as np


def cnormal(rng, shape):
    """Standard complex normal values: real and imaginary parts N(0, 1/2)."""
    return (rng.standard_normal(shape) + 1j * rng.standard_normal(shape)) / np.sqrt(2)


def normalize(a):
    return a / np.linalg.norm(a, axis=1, keepdims=True)


def haar(rng, n, N):
    return normalize(cnormal(rng, (N, 2 ** n)))


def cluster(rng, n, N, scale=0.24):
    """|0..0> + (scale / sqrt(2^n - 1)) z on the other amplitudes, normalized."""
    a = np.zeros((N, 2 ** n), complex)
    a[:, 0] = 1.0
    a[:, 1:] = scale / np.sqrt(2 ** n - 1) * cnormal(rng, (N, 2 ** n - 1))
    return normalize(a)


def ghz(rng, n, N, noise=0.08, th=(np.pi / 2 - 0.3, np.pi / 2 + 0.3), ph=(-0.3, 0.3)):
    """cos(theta/2)|0..0> + e^{i phi} sin(theta/2)|1..1> + (noise / sqrt(2^n)) z, normalized: the
    noise vector has expected norm `noise` at every n."""
    theta, phi = rng.uniform(*th, N), rng.uniform(*ph, N)
    a = noise / np.sqrt(2 ** n) * cnormal(rng, (N, 2 ** n))
    a[:, 0] += np.cos(theta / 2)
    a[:, -1] += np.exp(1j * phi) * np.sin(theta / 2)
    return normalize(a)


def fidelities(a, b):
    """|<a_i|b_j>|^2 for all rows i of a, j of b."""
    return np.abs(a.conj() @ b.T) ** 2


def mmd(a, b):
    """Means over all pairs, diagonals included."""
    return fidelities(a, a).mean() + fidelities(b, b).mean() - 2.0 * fidelities(a, b).mean()


def mmd_to_haar(a):
    """Mean fidelity of distinct pairs minus 1/d (nan for fewer than 2 states)."""
    n_states, d = a.shape
    if n_states < 2:
        return float("nan")
    f = fidelities(a, a)
    return (f.sum() - np.trace(f)) / (n_states * (n_states - 1)) - 1.0 / d
