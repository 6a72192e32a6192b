#!/usr/bin/python3
"""One QuDDPM training epoch in PyTorch, batched over the states: the peer quddpm's speed is
compared with (scripts/bench/bench.sh prints the ratio when python3-torch is installed).

The same model as quddpm's BM_TrainingEpoch: n data + 3 ancilla qubits, L = 2 (n + 3) layers of
RX, RY on every qubit then CZ on every adjacent pair, N = 100 Haar inputs |0^na>|phi_i>, the
ancillas measured (outcome drawn from p_m), the outputs normalized, the MMD with the fidelity
kernel to 100 target states, its gradient by autograd (the normalization differentiated, the
outcomes held fixed), one Adam step. States are complex64, the whole batch one tensor of shape
(N, 2, ..., 2); each gate is one einsum over the batch.

Usage: torch_epoch.py --qubits N [--threads T] [--repeats R]
Prints one JSON object: qubits, threads, epoch_ms (the minimum over the repeats, after one
warm-up epoch), torch version. Run with /usr/bin/python3 (needs Debian's python3-torch).
"""
import argparse
import json
import time

import torch

NA, N = 3, 100


def haar(n, count, gen):
    d = 2 ** n
    s = torch.randn(count, d, generator=gen, dtype=torch.float32) + 1j * torch.randn(
        count, d, generator=gen, dtype=torch.float32)
    return s / s.abs().pow(2).sum(1, keepdim=True).sqrt()


def rot(theta, pauli):
    """exp(-i theta P / 2) for a batch of one angle: a 2x2 complex64 matrix."""
    c, s = torch.cos(theta / 2).to(torch.complex64), torch.sin(theta / 2).to(torch.complex64)
    if pauli == "x":
        return torch.stack([torch.stack([c, -1j * s]), torch.stack([-1j * s, c])])
    return torch.stack([torch.stack([c, -s]), torch.stack([s, c])])


def circuit(psi, theta, nq, layers):
    """psi: (N, 2, ..., 2) with qubit 0 first (the most significant bit)."""
    cz_sign = torch.ones([2] * nq, dtype=torch.complex64)
    for q in range(nq - 1):  # CZ on every adjacent pair: one sign tensor
        sel = [slice(None)] * nq
        sel[q], sel[q + 1] = 1, 1
        cz_sign[tuple(sel)] *= -1
    letters = "abcdefghijklmnopqrstuvwxyz"
    for l in range(layers):
        for q in range(nq):
            g = rot(theta[2 * nq * l + nq + q], "y") @ rot(theta[2 * nq * l + q], "x")
            src = "Z" + letters[:nq]
            dst = src.replace(letters[q], "Y")
            psi = torch.einsum(f"Y{letters[q]},{src}->{dst}", g, psi)
        psi = psi * cz_sign
    return psi


def epoch(n, inputs, targets, theta, opt, gen):
    nq, layers = n + NA, 2 * (n + NA)
    dd = 2 ** n
    psi = torch.zeros(N, 2 ** NA * dd, dtype=torch.complex64)
    psi[:, :dd] = inputs
    out = circuit(psi.reshape([N] + [2] * nq), theta, nq, layers).reshape(N, 2 ** NA, dd)
    p = out.abs().pow(2).sum(2)  # (N, 2^na)
    m = torch.multinomial(p.detach(), 1, generator=gen).squeeze(1)
    chosen = out[torch.arange(N), m] / p[torch.arange(N), m].sqrt().unsqueeze(1)
    fid = lambda a, b: (a.conj() @ b.T).abs().pow(2).mean()
    loss = fid(chosen, chosen) + fid(targets, targets) - 2 * fid(chosen, targets)
    opt.zero_grad()
    loss.backward()
    opt.step()
    return loss.item()


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--qubits", type=int, required=True)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--repeats", type=int, default=3)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    gen = torch.Generator().manual_seed(1)
    n, layers = a.qubits, 2 * (a.qubits + NA)
    inputs, targets = haar(n, N, gen), haar(n, N, gen)
    theta = torch.nn.Parameter(
        (torch.rand(2 * (n + NA) * layers, generator=gen) * 2 - 1) / layers)
    opt = torch.optim.Adam([theta], lr=0.005)
    epoch(n, inputs, targets, theta, opt, gen)  # warm-up
    best = float("inf")
    for _ in range(a.repeats):
        t0 = time.perf_counter()
        epoch(n, inputs, targets, theta, opt, gen)
        best = min(best, time.perf_counter() - t0)
    print(json.dumps({"qubits": n, "threads": a.threads, "epoch_ms": best * 1e3,
                      "torch": torch.__version__}))


if __name__ == "__main__":
    main()
