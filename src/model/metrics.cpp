#include "model/metrics.hpp"

#include <cmath>
#include <stdexcept>

#include "core/ensemble_ops.hpp"
#include "model/transport.hpp"

namespace quddpm {

namespace {
void require_same_dim(const StateMatrix& a, const StateMatrix& b) {
  if (a.cols() != b.cols())
    throw std::invalid_argument("ensembles have different numbers of qubits (" +
                                std::to_string(qubits_of(a)) + " vs " +
                                std::to_string(qubits_of(b)) + ")");
}
}  // namespace

double mmd(const StateMatrix& a, const StateMatrix& b, const Pace& pace) {
  require_same_dim(a, b);
  // The pace's fraction counts pairs of states: N_a^2, then N_b^2, then N_a N_b.
  const double na = static_cast<double>(a.rows()), nb = static_cast<double>(b.rows());
  const double total = na * na + nb * nb + na * nb;
  const double f1 = na * na / total, f2 = (na * na + nb * nb) / total;
  const RealMatrix aa = overlap_sq(a, a, part_of(pace, 0.0, f1));
  const RealMatrix bb = overlap_sq(b, b, part_of(pace, f1, f2));
  return mmd_from_overlaps(aa, bb, overlap_sq(a, b, part_of(pace, f2, 1.0)));
}

double mmd_from_overlaps(const RealMatrix& aa, const RealMatrix& bb, const RealMatrix& ab) {
  return aa.mean() + bb.mean() - 2.0 * ab.mean();
}

double wasserstein(const StateMatrix& a, const StateMatrix& b, const Pace& pace) {
  require_same_dim(a, b);
  const RealMatrix cost = (1.0 - overlap_sq(a, b, pace).array()).matrix();
  return exact_transport(cost).value;
}

double mmd_to_haar(const StateMatrix& a, const Pace& pace) {
  const double n = static_cast<double>(a.rows());
  if (a.rows() < 2) throw std::invalid_argument("mmd_to_haar needs at least 2 states");
  const RealMatrix g = overlap_sq(a, a, pace);
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
