#include "model/metrics.hpp"

#include <cmath>
#include <stdexcept>

#include "core/ensemble_ops.hpp"

namespace quddpm {

namespace {
void require_same_dim(const StateMatrix& a, const StateMatrix& b) {
  if (a.cols() != b.cols())
    throw std::invalid_argument("ensembles have different numbers of qubits (" +
                                std::to_string(qubits_of(a)) + " vs " +
                                std::to_string(qubits_of(b)) + ")");
}
}  // namespace

double mmd(const StateMatrix& a, const StateMatrix& b) {
  require_same_dim(a, b);
  return mmd_from_overlaps(overlap_sq(a, a), overlap_sq(b, b), overlap_sq(a, b));
}

double mmd_from_overlaps(const RealMatrix& aa, const RealMatrix& bb, const RealMatrix& ab) {
  return aa.mean() + bb.mean() - 2.0 * ab.mean();
}

double mmd_to_haar(const StateMatrix& a) {
  const double n = static_cast<double>(a.rows());
  if (a.rows() < 2) throw std::invalid_argument("mmd_to_haar needs at least 2 states");
  const RealMatrix g = overlap_sq(a, a);
  const double off_diagonal = g.sum() - g.diagonal().sum();
  return off_diagonal / (n * (n - 1)) - 1.0 / static_cast<double>(a.cols());
}

RealVector basis_distribution(const StateMatrix& s) {
  return s.cwiseAbs2().colwise().mean().transpose();
}

double kl_divergence(const StateMatrix& target, const StateMatrix& model) {
  require_same_dim(target, model);
  const double eps = 1e-10;
  const double d = static_cast<double>(target.cols());
  const RealVector pt = (basis_distribution(target).array() + eps) / (1.0 + d * eps);
  const RealVector pm = (basis_distribution(model).array() + eps) / (1.0 + d * eps);
  double kl = 0;
  for (Eigen::Index x = 0; x < pt.size(); ++x)
    kl += pt[x] * std::log(pt[x] / pm[x]);
  return kl;
}

}  // namespace quddpm
