// The hardware-efficient PQC of one backward step (docs/model.md, section 4) on ntot = n + na
// qubits. Layer l: RX(theta[2 ntot l + q]) then RY(theta[2 ntot l + ntot + q]) on every qubit q,
// then CZ on (0,1), (2,3), ... and on (1,2), (3,4), ...
#pragma once

#include <cstdint>
#include <vector>

#include "core/gates.hpp"
#include "core/types.hpp"
#include "model/limits.hpp"

namespace quddpm {

class HeaCircuit {
 public:
  HeaCircuit(int n_data, int n_ancilla, int layers);

  int n_data() const { return n_data_; }
  int n_ancilla() const { return n_ancilla_; }
  int num_qubits() const { return n_data_ + n_ancilla_; }
  int layers() const { return layers_; }
  int num_params() const { return static_cast<int>(pqc_param_count(n_data_, n_ancilla_, layers_)); }
  std::size_t dim() const { return dim_of(num_qubits()); }

  int rx_index(int layer, int q) const { return 2 * num_qubits() * layer + q; }
  int ry_index(int layer, int q) const { return 2 * num_qubits() * layer + num_qubits() + q; }

  // psi <- U(theta) psi on the full ntot-qubit state (RX and RY of a qubit fused into one
  // 2x2 gate, both CZ ladders applied as one diagonal pass).
  void apply(cplx* psi, const double* theta) const;

  // The fused gates RY RX of every (layer, qubit), index layer * ntot + q: computed once per
  // parameter vector so that the trigonometry stays out of the per-state passes.
  std::vector<Gate2x2> fused_gates(const double* theta) const;

  // psi <- U psi with gates from fused_gates(), in the amplitudes' precision (T = double or
  // float; the gates are rounded to T inside the kernels).
  template <class T>
  void apply(std::complex<T>* psi, const std::vector<Gate2x2>& gates) const;

  // The fused gate RY(theta_ry) RX(theta_rx) of qubit q in a layer.
  Gate2x2 fused_gate(const double* theta, int layer, int q) const;

  // Both CZ ladders of a layer (self-inverse).
  template <class T>
  void apply_entangler(std::complex<T>* psi) const;

  // psi <- U^dagger psi, with `undo` the adjoints of fused_gates() (same indices): the
  // layers and gates of apply() in reverse order.
  template <class T>
  void apply_inverse(std::complex<T>* psi, const std::vector<Gate2x2>& undo) const;

  // The adjoint sweep (docs/gradient.md, section 4): psi holds U|in> and lambda dL/d(psi^*)
  // there; both are carried back through the gates in reverse order (psi ends as |in>) and
  // dL/dtheta_k is written to grad[stride * k] for every parameter k.
  template <class T>
  void adjoint_sweep(std::complex<T>* lambda, std::complex<T>* psi,
                     const std::vector<Gate2x2>& undo, double* grad, std::int64_t stride) const;

 private:
  int n_data_, n_ancilla_, layers_;
};

}  // namespace quddpm
