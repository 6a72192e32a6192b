// Plain reference kernels: one pair or one amplitude at a time, std::complex arithmetic.
#include "core/kernels.hpp"

namespace quddpm::reference {

void apply_1q(cplx* psi, int nq, int q, const Gate2x2& g) {
  const std::size_t step = std::size_t{1} << bit_of(nq, q);
  const std::size_t d = dim_of(nq);
  for (std::size_t i0 = 0; i0 < d; ++i0) {
    if (i0 & step) continue;
    const std::size_t i1 = i0 | step;
    const cplx a = psi[i0], b = psi[i1];
    psi[i0] = g.m00 * a + g.m01 * b;
    psi[i1] = g.m10 * a + g.m11 * b;
  }
}

void apply_rzz(cplx* psi, int nq, int q1, int q2, double angle) {
  const std::size_t b1 = std::size_t{1} << bit_of(nq, q1);
  const std::size_t b2 = std::size_t{1} << bit_of(nq, q2);
  const cplx same = std::polar(1.0, -angle / 2), differ = std::polar(1.0, angle / 2);
  for (std::size_t i = 0; i < dim_of(nq); ++i) {
    const bool z1 = (i & b1) != 0, z2 = (i & b2) != 0;
    psi[i] *= (z1 == z2) ? same : differ;
  }
}

void apply_cz(cplx* psi, int nq, int q1, int q2) {
  const std::size_t b1 = std::size_t{1} << bit_of(nq, q1);
  const std::size_t b2 = std::size_t{1} << bit_of(nq, q2);
  for (std::size_t i = 0; i < dim_of(nq); ++i)
    if ((i & b1) && (i & b2)) psi[i] = -psi[i];
}

cplx expectation_pauli(const cplx* lambda, const cplx* psi, int nq, int q, Pauli p) {
  const std::size_t step = std::size_t{1} << bit_of(nq, q);
  const cplx I(0, 1);
  cplx acc = 0;
  for (std::size_t i = 0; i < dim_of(nq); ++i) {
    const bool one = (i & step) != 0;
    cplx ppsi;  // (P psi)_i
    switch (p) {
      case Pauli::X:
        ppsi = psi[i ^ step];
        break;
      case Pauli::Y:
        ppsi = one ? I * psi[i ^ step] : -I * psi[i ^ step];
        break;
      default:
        ppsi = one ? -psi[i] : psi[i];
    }
    acc += std::conj(lambda[i]) * ppsi;
  }
  return acc;
}

void apply_adjacent_cz(cplx* psi, int nq) {
  for (int q = 0; q + 1 < nq; ++q)
    reference::apply_cz(psi, nq, q, q + 1);
}

PauliImag adjoint_undo(cplx* lambda, cplx* psi, int nq, int q, const Gate2x2& undo) {
  const PauliImag r{reference::expectation_pauli(lambda, psi, nq, q, Pauli::X).imag(),
                    reference::expectation_pauli(lambda, psi, nq, q, Pauli::Y).imag(),
                    reference::expectation_pauli(lambda, psi, nq, q, Pauli::Z).imag()};
  reference::apply_1q(lambda, nq, q, undo);
  reference::apply_1q(psi, nq, q, undo);
  return r;
}

void apply_1q_then_adjacent_cz(cplx* psi, int nq, const Gate2x2& g) {
  reference::apply_1q(psi, nq, nq - 1, g);
  reference::apply_adjacent_cz(psi, nq);
}

PauliImag adjacent_cz_then_adjoint_undo(cplx* lambda, cplx* psi, int nq, const Gate2x2& undo) {
  reference::apply_adjacent_cz(lambda, nq);
  reference::apply_adjacent_cz(psi, nq);
  return reference::adjoint_undo(lambda, psi, nq, nq - 1, undo);
}

}  // namespace quddpm::reference
