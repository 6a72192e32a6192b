#include "model/circuit.hpp"

#include <stdexcept>

#include "core/kernels/kernels.hpp"
#include "model/limits.hpp"

namespace quddpm {

HeaCircuit::HeaCircuit(int n_data, int n_ancilla, int layers)
    : n_data_(n_data), n_ancilla_(n_ancilla), layers_(layers) {
  if (n_data < 1 || n_ancilla < 0 || layers < 1 || n_data + n_ancilla > kMaxQubits)
    throw std::invalid_argument(
        "HeaCircuit: need n_data >= 1, n_ancilla >= 0, layers >= 1, n_data + n_ancilla <= " +
        std::to_string(kMaxQubits));
}

Gate2x2 HeaCircuit::fused_gate(const double* theta, int layer, int q) const {
  return gate_ry(theta[ry_index(layer, q)]) * gate_rx(theta[rx_index(layer, q)]);
}

std::vector<Gate2x2> HeaCircuit::fused_gates(const double* theta) const {
  std::vector<Gate2x2> g(static_cast<std::size_t>(layers_) * num_qubits());
  for (int l = 0; l < layers_; ++l)
    for (int q = 0; q < num_qubits(); ++q)
      g[l * num_qubits() + q] = fused_gate(theta, l, q);
  return g;
}

template <class T>
void HeaCircuit::apply_entangler(std::complex<T>* psi) const {
  // The two ladders together put CZ on every adjacent pair (q, q+1); all are diagonal and
  // commute, so they act as one sign pass.
  if (num_qubits() >= 2) apply_adjacent_cz(psi, num_qubits());
}

template <class T>
void HeaCircuit::apply(std::complex<T>* psi, const std::vector<Gate2x2>& gates) const {
  const int nq = num_qubits();
  for (int l = 0; l < layers_; ++l) {
    for (int q = 0; q + 1 < nq; ++q)
      apply_1q(psi, nq, q, gates[l * nq + q]);
    // The last gate and the layer's CZ ladders share one pass over the state.
    if (nq >= 2)
      apply_1q_then_adjacent_cz(psi, nq, gates[l * nq + nq - 1]);
    else
      apply_1q(psi, nq, 0, gates[l * nq]);
  }
}

template <class T>
void HeaCircuit::apply_inverse(std::complex<T>* psi, const std::vector<Gate2x2>& undo) const {
  const int nq = num_qubits();
  for (int l = layers_ - 1; l >= 0; --l) {
    apply_entangler(psi);
    for (int q = nq - 1; q >= 0; --q)
      apply_1q(psi, nq, q, undo[l * nq + q]);
  }
}

template <class T>
void HeaCircuit::adjoint_sweep(std::complex<T>* lambda, std::complex<T>* psi,
                               const std::vector<Gate2x2>& undo, double* grad,
                               std::int64_t stride) const {
  // For the fused gate RY(b) RX(a): dL/db = Im<l|Y|psi> before the gate's undo, dL/da =
  // Im<l|X|psi> after it.
  const int nq = num_qubits();
  for (int l = layers_ - 1; l >= 0; --l) {
    for (int q = nq - 1; q >= 0; --q) {
      const Gate2x2& u = undo[l * nq + q];
      // The layer's CZ ladders are un-applied in the same pass as its last gate.
      const AdjointReads e = (q == nq - 1 && nq >= 2)
                                 ? adjacent_cz_then_adjoint_undo(lambda, psi, nq, u)
                                 : adjoint_undo(lambda, psi, nq, q, u);
      grad[stride * ry_index(l, q)] = e.y_before;
      grad[stride * rx_index(l, q)] = e.x_after;
    }
  }
}

void HeaCircuit::apply(cplx* psi, const double* theta) const {
  apply(psi, fused_gates(theta));
}

template void HeaCircuit::apply(std::complex<double>*, const std::vector<Gate2x2>&) const;
template void HeaCircuit::apply(std::complex<float>*, const std::vector<Gate2x2>&) const;
template void HeaCircuit::apply_entangler(std::complex<double>*) const;
template void HeaCircuit::apply_entangler(std::complex<float>*) const;
template void HeaCircuit::apply_inverse(std::complex<double>*, const std::vector<Gate2x2>&) const;
template void HeaCircuit::apply_inverse(std::complex<float>*, const std::vector<Gate2x2>&) const;
template void HeaCircuit::adjoint_sweep(std::complex<double>*, std::complex<double>*,
                                        const std::vector<Gate2x2>&, double*, std::int64_t) const;
template void HeaCircuit::adjoint_sweep(std::complex<float>*, std::complex<float>*,
                                        const std::vector<Gate2x2>&, double*, std::int64_t) const;

}  // namespace quddpm
