#include "core/ensemble_ops.hpp"

#include <stdexcept>
#include <string>

namespace quddpm {

int qubits_of(const StateMatrix& states) {
  const auto d = static_cast<std::size_t>(states.cols());
  if (d == 0 || (d & (d - 1)) != 0)
    throw std::invalid_argument("state length " + std::to_string(d) + " is not a power of 2");
  int k = 0;
  while ((std::size_t{1} << k) < d)
    ++k;
  return k;
}

RealMatrix overlap_sq(const StateMatrix& a, const StateMatrix& b) {
  if (a.cols() != b.cols())
    throw std::invalid_argument("ensembles of different dimension: " + std::to_string(a.cols()) +
                                " vs " + std::to_string(b.cols()));
  // <a_i|b_j> = sum_x conj(a_ix) b_jx
  const Eigen::MatrixXcd g = a.conjugate() * b.transpose();
  return g.cwiseAbs2();
}

RealVector row_norms(const StateMatrix& states) {
  return states.rowwise().norm();
}

void normalize_rows(StateMatrix& states) {
  for (Eigen::Index i = 0; i < states.rows(); ++i)
    states.row(i) /= states.row(i).norm();
}

}  // namespace quddpm
