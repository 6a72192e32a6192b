// State-vector kernels. Each kernel acts in place on one state of `nq` qubits stored as
// 2^nq contiguous amplitudes (qubit 0 = most significant bit). Two implementations share
// one interface: `reference::` is the plain, obviously-correct version kept as the
// yardstick for tests; the unqualified version is the fast one used by the algorithms.
#pragma once

#include "core/gates.hpp"
#include "core/types.hpp"

namespace quddpm {

namespace reference {
void apply_1q(cplx* psi, int nq, int q, const Gate2x2& g);
void apply_rzz(cplx* psi, int nq, int q1, int q2, double angle);
void apply_cz(cplx* psi, int nq, int q1, int q2);
cplx expectation_pauli(const cplx* lambda, const cplx* psi, int nq, int q, Pauli p);
}  // namespace reference

// <lambda|X_q|psi>, <lambda|Y_q|psi>, <lambda|Z_q|psi> from one read pass.
struct PauliReads {
  cplx x, y, z;
};

// psi <- G_q psi.
void apply_1q(cplx* psi, int nq, int q, const Gate2x2& g);
// psi <- RZZ_{q1,q2}(angle) psi.
void apply_rzz(cplx* psi, int nq, int q1, int q2, double angle);
// psi <- CZ_{q1,q2} psi.
void apply_cz(cplx* psi, int nq, int q1, int q2);
// psi <- diag(d) psi for a diagonal given in full (2^nq entries).
void apply_diagonal(cplx* psi, int nq, const cplx* d);
// psi <- diag(s) psi for a diagonal of signs, s_b = -1 where bit b of `negative` is set.
void apply_sign_diagonal(cplx* psi, int nq, const std::uint8_t* negative);

// <lambda| P_q |psi> for a Pauli P on qubit q (the adjoint method's per-gate read).
cplx expectation_pauli(const cplx* lambda, const cplx* psi, int nq, int q, Pauli p);

// All three Pauli reads at once (the fused RX-RY adjoint needs X, Y and Z).
PauliReads expectation_xyz(const cplx* lambda, const cplx* psi, int nq, int q);

// Squared norm and inner product <a|b> over n amplitudes (serial: fixed summation order).
double norm2(const cplx* a, std::size_t n);
cplx inner(const cplx* a, const cplx* b, std::size_t n);

}  // namespace quddpm
