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
  // Sums of squared overlaps with no matrix stored (core/ensemble_ops.hpp), each self term by
  // its upper half. The pace's fraction counts the pairs computed: N_a (N_a + 1) / 2, then
  // N_b (N_b + 1) / 2, then N_a N_b.
  const double na = static_cast<double>(a.rows()), nb = static_cast<double>(b.rows());
  const double wa = na * (na + 1) / 2, wb = nb * (nb + 1) / 2, total = wa + wb + na * nb;
  const double f1 = wa / total, f2 = (wa + wb) / total;
  const SelfOverlapSq aa = self_overlap_sq_sum(a, part_of(pace, 0.0, f1));
  const SelfOverlapSq bb = self_overlap_sq_sum(b, part_of(pace, f1, f2));
  return mmd(a, aa, b, bb, part_of(pace, f2, 1.0));
}

double mmd(const StateMatrix& a, const SelfOverlapSq& aa, const StateMatrix& b,
           const SelfOverlapSq& bb, const Pace& pace) {
  require_same_dim(a, b);
  const double na = static_cast<double>(a.rows()), nb = static_cast<double>(b.rows());
  const double ab = overlap_sq_sum(a, b, pace);
  return aa.total() / (na * na) + bb.total() / (nb * nb) - 2.0 * (ab / (na * nb));
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
  if (a.rows() < 2) throw std::invalid_argument("mmd_to_haar needs at least 2 states");
  return mmd_to_haar(a, self_overlap_sq_sum(a, pace));
}

double mmd_to_haar(const StateMatrix& a, const SelfOverlapSq& aa) {
  const double n = static_cast<double>(a.rows());
  if (a.rows() < 2) throw std::invalid_argument("mmd_to_haar needs at least 2 states");
  return 2.0 * aa.upper() / (n * (n - 1)) - 1.0 / static_cast<double>(a.cols());
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
