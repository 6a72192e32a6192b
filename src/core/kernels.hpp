// State-vector kernels. Each kernel acts in place on one state of `nq` qubits stored as
// 2^nq contiguous amplitudes (qubit 0 = most significant bit). Implementations share one
// interface: `reference::` is the plain, obviously-correct version kept as the yardstick
// for tests; `portable::` and `avx512::` are fast versions; the unqualified functions pick
// the fastest one available and are what the algorithms call.
#pragma once

#include "core/gates.hpp"
#include "core/types.hpp"

namespace quddpm {

// Im<lambda|X_q|psi>, Im<lambda|Y_q|psi>, Im<lambda|Z_q|psi>: what the adjoint method reads
// at a single-qubit gate (dL/dtheta = Im<lambda|P|psi> for exp(-i theta P/2)).
struct PauliImag {
  double x, y, z;
};

namespace reference {
void apply_1q(cplx* psi, int nq, int q, const Gate2x2& g);
void apply_rzz(cplx* psi, int nq, int q1, int q2, double angle);
void apply_cz(cplx* psi, int nq, int q1, int q2);
void apply_adjacent_cz(cplx* psi, int nq);
cplx expectation_pauli(const cplx* lambda, const cplx* psi, int nq, int q, Pauli p);
PauliImag adjoint_undo(cplx* lambda, cplx* psi, int nq, int q, const Gate2x2& undo);
void apply_1q_then_adjacent_cz(cplx* psi, int nq, const Gate2x2& g);
PauliImag adjacent_cz_then_adjoint_undo(cplx* lambda, cplx* psi, int nq, const Gate2x2& undo);
}  // namespace reference

// Scalar loops the compiler can vectorize: the fast path on machines without AVX-512 and
// for states too small for a SIMD block.
namespace portable {
void apply_1q(cplx* psi, int nq, int q, const Gate2x2& g);
void apply_adjacent_cz(cplx* psi, int nq);
PauliImag adjoint_undo(cplx* lambda, cplx* psi, int nq, int q, const Gate2x2& undo);
void apply_1q_then_adjacent_cz(cplx* psi, int nq, const Gate2x2& g);
PauliImag adjacent_cz_then_adjoint_undo(cplx* lambda, cplx* psi, int nq, const Gate2x2& undo);
}  // namespace portable

// AVX-512 intrinsics (8 doubles = 4 amplitudes a register), with in-register paths for the
// two lowest-order target bits. Need nq >= 3; available when built with AVX-512.
namespace avx512 {
bool available();
void apply_1q(cplx* psi, int nq, int q, const Gate2x2& g);
void apply_adjacent_cz(cplx* psi, int nq);
PauliImag adjoint_undo(cplx* lambda, cplx* psi, int nq, int q, const Gate2x2& undo);
void apply_1q_then_adjacent_cz(cplx* psi, int nq, const Gate2x2& g);
PauliImag adjacent_cz_then_adjoint_undo(cplx* lambda, cplx* psi, int nq, const Gate2x2& undo);
}  // namespace avx512

// The kernels below pick the fastest implementation for the machine and size.

// psi <- G_q psi.
void apply_1q(cplx* psi, int nq, int q, const Gate2x2& g);
// psi <- RZZ_{q1,q2}(angle) psi.
void apply_rzz(cplx* psi, int nq, int q1, int q2, double angle);
// psi <- CZ_{q1,q2} psi.
void apply_cz(cplx* psi, int nq, int q1, int q2);
// psi <- diag(d) psi for a diagonal given in full (2^nq entries).
void apply_diagonal(cplx* psi, int nq, const cplx* d);
// psi <- CZ on every adjacent pair (q, q+1): both CZ ladders of the hardware-efficient
// ansatz at once. The sign of basis state b is (-1)^popcount(b & (b >> 1)).
void apply_adjacent_cz(cplx* psi, int nq);
// Reads Im<lambda|P_q|psi> for P = X, Y, Z, then applies `undo` to both vectors: one step
// of the adjoint sweep through a single-qubit gate, in one pass.
PauliImag adjoint_undo(cplx* lambda, cplx* psi, int nq, int q, const Gate2x2& undo);
// The last gate of a hardware-efficient layer and the layer's CZ ladders in one pass:
// psi <- CZ_all G_{nq-1} psi (nq >= 2).
void apply_1q_then_adjacent_cz(cplx* psi, int nq, const Gate2x2& g);
// Its adjoint step: un-applies the CZ ladders from both vectors, then adjoint_undo on
// qubit nq-1, in one pass.
PauliImag adjacent_cz_then_adjoint_undo(cplx* lambda, cplx* psi, int nq, const Gate2x2& undo);
// psi <- diag(s) psi for a diagonal of signs, s_b = -1 where bit b of `negative` is set.
void apply_sign_diagonal(cplx* psi, int nq, const std::uint8_t* negative);

// <lambda| P_q |psi> for a Pauli P on qubit q (the adjoint method's per-gate read).
cplx expectation_pauli(const cplx* lambda, const cplx* psi, int nq, int q, Pauli p);

// <lambda|X_q|psi>, <lambda|Y_q|psi>, <lambda|Z_q|psi> from one read pass.
struct PauliReads {
  cplx x, y, z;
};

// All three Pauli reads at once (the fused RX-RY adjoint needs X, Y and Z).
PauliReads expectation_xyz(const cplx* lambda, const cplx* psi, int nq, int q);

// Squared norm and inner product <a|b> over n amplitudes (serial: fixed summation order).
double norm2(const cplx* a, std::size_t n);
cplx inner(const cplx* a, const cplx* b, std::size_t n);

}  // namespace quddpm
