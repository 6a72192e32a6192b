// Dispatch: the AVX-512 kernels where the build has them and the state fills a SIMD block,
// the portable ones otherwise.
#include "core/kernels.hpp"

namespace quddpm {

namespace {
// The AVX-512 kernels work on blocks of 8 amplitudes.
bool use_avx512(int nq) {
  return avx512::available() && nq >= 3;
}
}  // namespace

void apply_1q(cplx* psi, int nq, int q, const Gate2x2& g) {
  if (use_avx512(nq)) return avx512::apply_1q(psi, nq, q, g);
  portable::apply_1q(psi, nq, q, g);
}

void apply_adjacent_cz(cplx* psi, int nq) {
  if (use_avx512(nq)) return avx512::apply_adjacent_cz(psi, nq);
  portable::apply_adjacent_cz(psi, nq);
}

PauliImag adjoint_undo(cplx* lambda, cplx* psi, int nq, int q, const Gate2x2& undo) {
  if (use_avx512(nq)) return avx512::adjoint_undo(lambda, psi, nq, q, undo);
  return portable::adjoint_undo(lambda, psi, nq, q, undo);
}

void apply_1q_then_adjacent_cz(cplx* psi, int nq, const Gate2x2& g) {
  if (use_avx512(nq)) return avx512::apply_1q_then_adjacent_cz(psi, nq, g);
  portable::apply_1q_then_adjacent_cz(psi, nq, g);
}

PauliImag adjacent_cz_then_adjoint_undo(cplx* lambda, cplx* psi, int nq, const Gate2x2& undo) {
  if (use_avx512(nq)) return avx512::adjacent_cz_then_adjoint_undo(lambda, psi, nq, undo);
  return portable::adjacent_cz_then_adjoint_undo(lambda, psi, nq, undo);
}

}  // namespace quddpm
