#include "model/circuit.hpp"

#include <stdexcept>

#include "core/kernels.hpp"

namespace quddpm {

HeaCircuit::HeaCircuit(int n_data, int n_ancilla, int layers)
    : n_data_(n_data), n_ancilla_(n_ancilla), layers_(layers) {
  if (n_data < 1 || n_ancilla < 0 || layers < 1 || n_data + n_ancilla > 30)
    throw std::invalid_argument("HeaCircuit: need n_data >= 1, n_ancilla >= 0, layers >= 1");
  // The two ladders together put CZ on every adjacent pair (q, q+1); all are diagonal and
  // commute, so the sign of basis state b is (-1)^(number of adjacent 1-1 bit pairs).
  const std::size_t d = dim();
  cz_negative_.resize(d);
  for (std::size_t b = 0; b < d; ++b)
    cz_negative_[b] = __builtin_popcountll(b & (b >> 1)) & 1;
}

Gate2x2 HeaCircuit::fused_gate(const double* theta, int layer, int q) const {
  return gate_ry(theta[ry_index(layer, q)]) * gate_rx(theta[rx_index(layer, q)]);
}

void HeaCircuit::apply(cplx* psi, const double* theta) const {
  const int nq = num_qubits();
  for (int l = 0; l < layers_; ++l) {
    for (int q = 0; q < nq; ++q)
      apply_1q(psi, nq, q, fused_gate(theta, l, q));
    if (nq >= 2) apply_sign_diagonal(psi, nq, cz_negative_.data());
  }
}

void HeaCircuit::apply_reference(cplx* psi, const double* theta) const {
  const int nq = num_qubits();
  for (int l = 0; l < layers_; ++l) {
    for (int q = 0; q < nq; ++q)
      reference::apply_1q(psi, nq, q, gate_rx(theta[rx_index(l, q)]));
    for (int q = 0; q < nq; ++q)
      reference::apply_1q(psi, nq, q, gate_ry(theta[ry_index(l, q)]));
    for (int q = 0; q + 1 < nq; q += 2)
      reference::apply_cz(psi, nq, q, q + 1);
    for (int q = 1; q + 1 < nq; q += 2)
      reference::apply_cz(psi, nq, q, q + 1);
  }
}

}  // namespace quddpm
