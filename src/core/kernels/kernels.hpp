// State-vector kernels. Each kernel acts in place on one state of `nq` qubits stored as
// 2^nq contiguous amplitudes (qubit 0 = most significant bit). Implementations share one
// interface: `reference::` is the plain, obviously-correct version kept as the yardstick
// for tests; `portable::` are scalar loops the compiler vectorizes for the baseline ISA (and
// the fallback for states smaller than a SIMD block); the SIMD versions, one per instruction
// set, live in simd_tables.cpp (and its -inl.h) behind the kernel table (kernel_table.hpp). The
// unqualified functions go through the active table and are what the algorithms call.
#pragma once

#include "core/gates.hpp"
#include "core/kernels/kernel_table.hpp"
#include "core/types.hpp"

namespace quddpm {

// The plain loops, obviously correct: the tests' yardstick.
namespace reference {
#include "core/kernels/kernel_set.inc"
// Kernels no table needs, kept as yardsticks for the ones that have one implementation.
void apply_rzz(cplx* psi, int nq, int q1, int q2, double angle);
template <class T>
void apply_cz(std::complex<T>* psi, int nq, int q1, int q2);
template <class T>
cplx expectation_pauli(const std::complex<T>* lambda, const std::complex<T>* psi, int nq, int q,
                       Pauli p);
}  // namespace reference

// Scalar loops the compiler can vectorize: the "portable" table, and what the SIMD tables
// run on states too small for their registers.
namespace portable {
#include "core/kernels/kernel_set.inc"
}  // namespace portable

// The kernels below use the active table (kernel_table.hpp) or have one implementation.

// psi <- G_q psi.
template <class T>
void apply_1q(std::complex<T>* psi, int nq, int q, const Gate2x2& g) {
  active_kernels().fns<T>().apply_1q(psi, nq, q, g);
}
// psi_b <- phase[w] psi_b, w = popcount(b) the number of qubits in |1>: a diagonal that depends
// on the Hamming weight only, such as a product of RZZ on every pair (the forward diffusion's
// entangler, docs/model.md section 3). `phase` holds nq + 1 entries.
void apply_weight_phase(cplx* psi, int nq, const cplx* phase);
// psi <- CZ on every adjacent pair (q, q+1): both CZ ladders of the hardware-efficient
// ansatz at once. The sign of basis state b is (-1)^popcount(b & (b >> 1)).
template <class T>
void apply_adjacent_cz(std::complex<T>* psi, int nq) {
  active_kernels().fns<T>().apply_adjacent_cz(psi, nq);
}
// Applies `undo` to both vectors, reading Im<lambda|Y_q|psi> before and Im<lambda|X_q|psi>
// after (AdjointReads): one step of the adjoint sweep through a single-qubit gate, in one pass.
template <class T>
AdjointReads adjoint_undo(std::complex<T>* lambda, std::complex<T>* psi, int nq, int q,
                          const Gate2x2& undo) {
  return active_kernels().fns<T>().adjoint_undo(lambda, psi, nq, q, undo);
}
// The last gate of a hardware-efficient layer and the layer's CZ ladders in one pass:
// psi <- CZ_all G_{nq-1} psi (nq >= 2).
template <class T>
void apply_1q_then_adjacent_cz(std::complex<T>* psi, int nq, const Gate2x2& g) {
  active_kernels().fns<T>().apply_1q_then_adjacent_cz(psi, nq, g);
}
// Its adjoint step: un-applies the CZ ladders from both vectors, then adjoint_undo on
// qubit nq-1, in one pass.
template <class T>
AdjointReads adjacent_cz_then_adjoint_undo(std::complex<T>* lambda, std::complex<T>* psi, int nq,
                                           const Gate2x2& undo) {
  return active_kernels().fns<T>().adjacent_cz_then_adjoint_undo(lambda, psi, nq, undo);
}

// The auction's bid over one row: BestTwo (kernel_table.hpp) of values - prices.
inline BestTwo best_two_profits(const double* values, const double* prices, std::int64_t n) {
  return active_kernels().best_two_profits(values, prices, n);
}

// <lambda|X_q|psi>, <lambda|Y_q|psi>, <lambda|Z_q|psi> from one read pass.
struct PauliReads {
  cplx x, y, z;
};

// All three Pauli reads at once (the portable adjoint step takes Y before and X after), summed
// in double.
template <class T>
PauliReads expectation_xyz(const std::complex<T>* lambda, const std::complex<T>* psi, int nq,
                           int q);

// Squared norm (summed in double) and inner product <a|b> over n amplitudes (serial: fixed
// summation order).
template <class T>
double norm2(const std::complex<T>* a, std::size_t n);
cplx inner(const cplx* a, const cplx* b, std::size_t n);

}  // namespace quddpm
