"""Which ancilla outcomes the official QuDDPM code's saved chains took, and why.

    PYTHONPATH=scripts /usr/bin/python3 -m quddpm.official_outcomes --official PATH/TO/QuantGenMdl/data \
        [--key 42] [--control-key 43]

For each experiment whose saved training and test chains and parameters are in data/ (the TFIM,
the cluster states at n = 1 and 2, the correlated noise), for every step t and state i of both
chains, the script applies the official circuit to state i of S~_{t+1} (ancillas: the top
qubits, zero-padded input; RX then RY on every qubit, CZ on (0,1),(2,3),... and (1,2),(3,4),...),
lists the 2^na post-measurement states, finds the one the saved S~_t holds (fidelity > 0.999),
and compares that outcome with argmax_m (log p_m + G_im), where G is
jax.random.gumbel(PRNGKey(key), (N, 2^na), float32), rebuilt here with JAX's threefry2x32
(checked against the Random123 known answers). Prints the fraction that agrees for the key and
for a control key. An official notebook that measured with one fixed key gives 1 for key 42; a
Born-rule measurement would give about the chance agreement of the control.
"""
import argparse
import os
import sys

import numpy as np

M32 = np.uint64(0xFFFFFFFF)


def rotl(v, r):
    return ((v << np.uint64(r)) | (v >> np.uint64(32 - r))) & M32


def threefry2x32(k1, k2, x0, x1):
    """JAX's threefry2x32 hash: 20 rounds on two 32-bit words, key (k1, k2)."""
    k1, k2 = np.uint64(k1), np.uint64(k2)
    x = [np.asarray(x0, np.uint64) & M32, np.asarray(x1, np.uint64) & M32]
    ks = [k1, k2, k1 ^ k2 ^ np.uint64(0x1BD11BDA)]
    rotations = [[13, 15, 26, 6], [17, 29, 16, 24]]
    x[0] = (x[0] + ks[0]) & M32
    x[1] = (x[1] + ks[1]) & M32
    for i, (a, b, c) in enumerate([(1, 2, 1), (2, 0, 2), (0, 1, 3), (1, 2, 4), (2, 0, 5)]):
        for r in rotations[i % 2]:
            x[0] = (x[0] + x[1]) & M32
            x[1] = rotl(x[1], r) ^ x[0]
        x[0] = (x[0] + ks[a]) & M32
        x[1] = (x[1] + ks[b] + np.uint64(c)) & M32
    return x


def check_threefry():
    for key, count, want in (((0x13198A2E, 0x03707344), (0x243F6A88, 0x85A308D3),
                              (0xC4923A9C, 0x483DF7A0)),
                             ((0, 0), (0, 0), (0x6B200159, 0x99BA4EFE))):
        got = threefry2x32(key[0], key[1], np.array([count[0]]), np.array([count[1]]))
        if (int(got[0][0]), int(got[1][0])) != want:
            sys.exit("official_outcomes.py: threefry2x32 fails its known answer")


def gumbel(key, shape):
    """jax.random.gumbel(PRNGKey(key), shape, float32) for the default threefry PRNG."""
    size = int(np.prod(shape))
    counts = np.arange(size + size % 2, dtype=np.uint64)
    half = len(counts) // 2
    bits = np.concatenate(threefry2x32(0, key, counts[:half], counts[half:]))[:size]
    mantissa = (bits.astype(np.uint32) >> np.uint32(9)) | np.uint32(0x3F800000)
    tiny = np.finfo(np.float32).tiny
    u = np.maximum(tiny, (mantissa.view(np.float32) - np.float32(1.0)) * (1 - tiny) + tiny)
    return (-np.log(-np.log(u.astype(np.float32)))).astype(np.float32).reshape(shape)


def official_circuit(states, qubits, layers, theta):
    """The official ansatz on (N, 2^qubits) states, qubit 0 the most significant bit."""
    idx = np.arange(2 ** qubits)
    bit = [(idx >> (qubits - 1 - q)) & 1 for q in range(qubits)]
    cz = np.ones(2 ** qubits)
    for a in list(range(0, qubits - 1, 2)) + list(range(1, qubits - 1, 2)):
        cz *= np.where((bit[a] == 1) & (bit[a + 1] == 1), -1.0, 1.0)
    n = states.shape[0]
    for layer in range(layers):
        for q in range(qubits):
            ax = theta[2 * qubits * layer + q] / 2
            ay = theta[2 * qubits * layer + qubits + q] / 2
            rx = np.array([[np.cos(ax), -1j * np.sin(ax)], [-1j * np.sin(ax), np.cos(ax)]])
            ry = np.array([[np.cos(ay), -np.sin(ay)], [np.sin(ay), np.cos(ay)]])
            s = states.reshape(n, 2 ** q, 2, 2 ** (qubits - q - 1))
            states = np.einsum("ab,ixbj->ixaj", ry @ rx, s).reshape(n, -1)
        states = states * cz[None, :]
    return states


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--official", required=True, help="the QuantGenMdl repository's data folder")
    p.add_argument("--key", type=int, default=42)
    p.add_argument("--control-key", type=int, default=43)
    a = p.parse_args()
    check_threefry()
    for name, (folder, stem, n, na, layers) in EXPERIMENTS.items():
        check(a, name, os.path.join(a.official, folder), stem, n, na, layers)


# experiment: (folder under data/, file stem before "{params,trainGen,testGen}", n, na, L)
EXPERIMENTS = {
    "tfim_n4": ("phase", ("QDDPMtfim", "_n4na2T30L12N100.npy"), 4, 2, 12),
    "cluster_n2": ("cluster/n2", ("QDDPMcluster0", "_n2na1T20L6_mmd.npy"), 2, 1, 6),
    "cluster_n1": ("cluster/n1", ("QDDPMcluster0", "_n1na1T20L4_mmd.npy"), 1, 1, 4),
    "correlated_noise": ("noise", ("QDDPMcorrNoise", "_n2na2T20L6_mmd.npy"), 2, 2, 6),
}


def check(a, name, folder, stem, n, na, layers):
    head, tail = stem
    try:
        params = np.load(os.path.join(folder, head + "params" + tail)).astype(float)
        chains = {c: np.load(os.path.join(folder, f"{head}{c}Gen{tail}")).astype(complex)
                  for c in ("train", "test")}
    except OSError as e:
        sys.exit(f"official_outcomes.py: --official: {e}")
    count = chains["train"].shape[1]
    noise = {k: gumbel(k, (count, 2 ** na)).astype(float) for k in (a.key, a.control_key)}
    agree = {k: [] for k in noise}
    for chain, states in chains.items():
        for t in range(states.shape[0] - 1):
            padded = np.zeros((states.shape[1], 2 ** (n + na)), complex)
            padded[:, :2 ** n] = states[t + 1]
            out = official_circuit(padded, n + na, layers, params[t]).reshape(-1, 2 ** na, 2 ** n)
            prob = (np.abs(out) ** 2).sum(axis=2)
            candidates = out / np.sqrt(prob)[:, :, None]
            fidelity = np.abs(np.einsum("imk,ik->im", candidates.conj(), states[t])) ** 2
            if fidelity.max(axis=1).min() < 0.999:
                sys.exit(f"official_outcomes.py: {name} {chain} t={t}: a saved state is no "
                         "outcome of the saved circuit")
            taken = fidelity.argmax(axis=1)
            for k, g in noise.items():
                agree[k].append(taken == np.argmax(np.log(prob) + g, axis=1))
    for k in noise:
        hits = np.concatenate(agree[k])
        print(f"{name}: key {k}: {hits.sum()} of {hits.size} saved outcomes are "
              f"argmax(log p + G) ({hits.mean():.3f})")


if __name__ == "__main__":
    main()
