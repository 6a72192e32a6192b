// State-vector kernels. Each kernel acts in place on one state of `nq` qubits stored as
// 2^nq contiguous amplitudes (qubit 0 = most significant bit). Implementations share one
// interface: `reference::` is the plain, obviously-correct version kept as the yardstick
// for tests; `portable::` are scalar loops the compiler vectorizes for the baseline ISA (and
// the fallback for states smaller than a SIMD block); the SIMD versions, one per instruction
// set, live in kernels_simd.cpp behind the kernel table (kernel_table.hpp). The unqualified
// functions go through the active table and are what the algorithms call.
#pragma once

#include "core/gates.hpp"
#include "core/kernel_table.hpp"
#include "core/types.hpp"

namespace quddpm {

// Each templated kernel exists for T = double and T = float.
namespace reference {
template <class T>
void apply_1q(std::complex<T>* psi, int nq, int q, const Gate2x2& g);
void apply_rzz(cplx* psi, int nq, int q1, int q2, double angle);
template <class T>
void apply_cz(std::complex<T>* psi, int nq, int q1, int q2);
template <class T>
void apply_adjacent_cz(std::complex<T>* psi, int nq);
template <class T>
cplx expectation_pauli(const std::complex<T>* lambda, const std::complex<T>* psi, int nq, int q,
                       Pauli p);
template <class T>
PauliImag adjoint_undo(std::complex<T>* lambda, std::complex<T>* psi, int nq, int q,
                       const Gate2x2& undo);
template <class T>
void apply_1q_then_adjacent_cz(std::complex<T>* psi, int nq, const Gate2x2& g);
template <class T>
PauliImag adjacent_cz_then_adjoint_undo(std::complex<T>* lambda, std::complex<T>* psi, int nq,
                                        const Gate2x2& undo);
void gram_rows(const cplx* a, std::int64_t na, const cplx* b, std::int64_t nb, std::int64_t d,
               cplx* out);
void combine_rows(const cplx* c, std::int64_t n, const cplx* rows, std::int64_t m, std::int64_t d,
                  cplx* out);
}  // namespace reference

// Scalar loops the compiler can vectorize: the "portable" table, and what the SIMD tables
// run on states too small for their registers.
namespace portable {
template <class T>
void apply_1q(std::complex<T>* psi, int nq, int q, const Gate2x2& g);
template <class T>
void apply_adjacent_cz(std::complex<T>* psi, int nq);
template <class T>
PauliImag adjoint_undo(std::complex<T>* lambda, std::complex<T>* psi, int nq, int q,
                       const Gate2x2& undo);
template <class T>
void apply_1q_then_adjacent_cz(std::complex<T>* psi, int nq, const Gate2x2& g);
template <class T>
PauliImag adjacent_cz_then_adjoint_undo(std::complex<T>* lambda, std::complex<T>* psi, int nq,
                                        const Gate2x2& undo);
void gram_rows(const cplx* a, std::int64_t na, const cplx* b, std::int64_t nb, std::int64_t d,
               cplx* out);
void combine_rows(const cplx* c, std::int64_t n, const cplx* rows, std::int64_t m, std::int64_t d,
                  cplx* out);
}  // namespace portable

// The kernels below use the active table (kernel_table.hpp) or have one implementation.

// psi <- G_q psi.
template <class T>
void apply_1q(std::complex<T>* psi, int nq, int q, const Gate2x2& g) {
  active_kernels().fns<T>().apply_1q(psi, nq, q, g);
}
// psi <- RZZ_{q1,q2}(angle) psi.
void apply_rzz(cplx* psi, int nq, int q1, int q2, double angle);
// psi <- CZ_{q1,q2} psi.
void apply_cz(cplx* psi, int nq, int q1, int q2);
// psi <- diag(d) psi for a diagonal given in full (2^nq entries).
void apply_diagonal(cplx* psi, int nq, const cplx* d);
// psi <- CZ on every adjacent pair (q, q+1): both CZ ladders of the hardware-efficient
// ansatz at once. The sign of basis state b is (-1)^popcount(b & (b >> 1)).
template <class T>
void apply_adjacent_cz(std::complex<T>* psi, int nq) {
  active_kernels().fns<T>().apply_adjacent_cz(psi, nq);
}
// Reads Im<lambda|P_q|psi> for P = X, Y, Z, then applies `undo` to both vectors: one step
// of the adjoint sweep through a single-qubit gate, in one pass.
template <class T>
PauliImag adjoint_undo(std::complex<T>* lambda, std::complex<T>* psi, int nq, int q,
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
PauliImag adjacent_cz_then_adjoint_undo(std::complex<T>* lambda, std::complex<T>* psi, int nq,
                                        const Gate2x2& undo) {
  return active_kernels().fns<T>().adjacent_cz_then_adjoint_undo(lambda, psi, nq, undo);
}
// psi <- diag(s) psi for a diagonal of signs, s_b = -1 where bit b of `negative` is set.
void apply_sign_diagonal(cplx* psi, int nq, const std::uint8_t* negative);

// <lambda| P_q |psi> for a Pauli P on qubit q (the adjoint method's per-gate read).
cplx expectation_pauli(const cplx* lambda, const cplx* psi, int nq, int q, Pauli p);

// <lambda|X_q|psi>, <lambda|Y_q|psi>, <lambda|Z_q|psi> from one read pass.
struct PauliReads {
  cplx x, y, z;
};

// All three Pauli reads at once (the fused RX-RY adjoint needs X, Y and Z), summed in double.
template <class T>
PauliReads expectation_xyz(const std::complex<T>* lambda, const std::complex<T>* psi, int nq,
                           int q);

// Squared norm (summed in double) and inner product <a|b> over n amplitudes (serial: fixed
// summation order).
template <class T>
double norm2(const std::complex<T>* a, std::size_t n);
cplx inner(const cplx* a, const cplx* b, std::size_t n);

}  // namespace quddpm
