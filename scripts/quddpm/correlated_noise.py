#!/usr/bin/python3
"""The correlated-noise ensemble of the original QuDDPM paper (Zhang et al., PRL 132, 100602
(2024), arXiv 2310.05866; its official notebook QDDPM_noise.ipynb) as an `npy` target.

    PYTHONPATH=scripts /usr/bin/python3 -m quddpm.correlated_noise --out FILE.npy [--count 5000] [--seed 15]
        [--p 0.8] [--delta 1.0471975511965976] [--schedule]

Two qubits. Each state is R |psi0> with, independently per state,

    R = exp(-i eps X X) = cos(eps) I - i sin(eps) X X   with probability p,
    R = exp(-i eps Z Z) = cos(eps) I - i sin(eps) Z Z   otherwise,     eps ~ U[-delta, delta],

    psi0 = (sqrt(0.10) e^{0.8 i}, sqrt(0.55) e^{1.7 i}, 0, sqrt(0.35) e^{2.4 i})

(amplitudes of |00>, |01>, |10>, |11>: the index order of the official code, which is
quddpm's). The paper uses p = 0.8, delta = pi/3 and 5,000 states (the defaults here), with
T = 20 diffusion steps on the piecewise schedule that --schedule prints as the JSON of a
`list` schedule: linspace(0.05, 1, 12) followed by linspace(1.2, 4, 8) (the official code
rounds these to float32; they are printed here in double precision).

The file is what quddpm's `target.kind: npy` reads (docs/model.md section 8): complex128,
C order, count x 4, every row of norm 1. The draws come from NumPy's PCG64 seeded with --seed,
so a seed gives the same file on every machine.
"""
import argparse
import json
import math
import sys

import numpy as np

PSI0 = np.array([math.sqrt(0.10) * np.exp(0.8j), math.sqrt(0.55) * np.exp(1.7j), 0.0,
                 math.sqrt(0.35) * np.exp(2.4j)])
X = np.array([[0.0, 1.0], [1.0, 0.0]])
Z = np.array([[1.0, 0.0], [0.0, -1.0]])
XX = np.kron(X, X)
ZZ = np.kron(Z, Z)


def schedule():
    """The paper's h_1..h_20 for this experiment."""
    return list(np.linspace(0.05, 1.0, 12)) + list(np.linspace(1.2, 4.0, 8))


def ensemble(count, p, delta, seed):
    """count states R |psi0>; also returns which noise each got (True: X X) and its angle."""
    rng = np.random.default_rng(seed)
    is_xx = rng.random(count) < p
    eps = rng.uniform(-delta, delta, count)
    pauli_psi = np.where(is_xx[:, None], (XX @ PSI0)[None, :], (ZZ @ PSI0)[None, :])
    states = np.cos(eps)[:, None] * PSI0[None, :] - 1j * np.sin(eps)[:, None] * pauli_psi
    return np.ascontiguousarray(states, dtype=np.complex128), is_xx, eps


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", help="the .npy file to write")
    ap.add_argument("--count", type=int, default=5000, help="number of states (default 5000)")
    ap.add_argument("--seed", type=int, default=15, help="NumPy seed (default 15)")
    ap.add_argument("--p", type=float, default=0.8, help="probability of X X noise (0.8)")
    ap.add_argument("--delta", type=float, default=math.pi / 3, help="angle bound (pi/3)")
    ap.add_argument("--schedule", action="store_true",
                    help="print the paper's schedule as a `diffusion` config object")
    a = ap.parse_args(argv)
    if a.schedule:
        print(json.dumps({"steps": 20, "schedule": {"kind": "list", "values": schedule()}}))
        if not a.out:
            return 0
    if not a.out:
        ap.error("--out is required")
    if a.count < 1 or not 0 <= a.p <= 1 or not a.delta >= 0:
        ap.error("need --count >= 1, 0 <= --p <= 1 and --delta >= 0")
    states, _, _ = ensemble(a.count, a.p, a.delta, a.seed)
    np.save(a.out, states)
    print(f"correlated_noise: wrote {a.count} states to {a.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
