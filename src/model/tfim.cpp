#include "model/tfim.hpp"

#include <Spectra/SymEigsSolver.h>

#include <cmath>
#include <stdexcept>
#include <string>
#include <vector>

namespace quddpm {

namespace {

// H restricted to the even sector prod X = +1, in the basis |x>_s = (|x> + |~x>)/sqrt 2 for the
// x < 2^(n-1) (top bit 0). Z_i Z_j does not see a global flip, so |x>_s keeps H's diagonal
// element of |x>; X_i sends |x>_s to |x ^ 2^i>_s, read back as its representative.
class EvenSector {
 public:
  EvenSector(int n, double g, TfimBoundary boundary)
      : n_(n), g_(g), dim_(Eigen::Index{1} << (n - 1)), diagonal_(dim_) {
    const int bonds = boundary == TfimBoundary::Periodic ? n : n - 1;
    for (Eigen::Index x = 0; x < dim_; ++x) {
      double d = 0;
      for (int i = 0; i < bonds; ++i) {
        const int j = (i + 1) % n;
        d -= ((x >> i) & 1) == ((x >> j) & 1) ? 1.0 : -1.0;
      }
      diagonal_[x] = d;
    }
  }

  Eigen::Index dim() const { return dim_; }

  // The representative (top bit 0) of x or of its global flip.
  Eigen::Index representative(Eigen::Index x) const {
    const Eigen::Index all = (Eigen::Index{1} << n_) - 1;
    return (x >> (n_ - 1)) & 1 ? (~x & all) : x;
  }

  // y = H x, in a fixed order (x in order, then the qubits in order).
  void apply(const double* in, double* out) const {
    for (Eigen::Index x = 0; x < dim_; ++x) {
      double y = diagonal_[x] * in[x];
      for (int i = 0; i < n_; ++i)
        y -= g_ * in[representative(x ^ (Eigen::Index{1} << i))];
      out[x] = y;
    }
  }

  RealMatrix dense() const {
    RealMatrix h = RealMatrix::Zero(dim_, dim_);
    for (Eigen::Index x = 0; x < dim_; ++x) {
      h(x, x) += diagonal_[x];
      for (int i = 0; i < n_; ++i)
        h(x, representative(x ^ (Eigen::Index{1} << i))) -= g_;
    }
    return h;
  }

 private:
  int n_;
  double g_;
  Eigen::Index dim_;
  RealVector diagonal_;
};

// Spectra's matrix-free operator: y = H x on the even sector.
class SectorOp {
 public:
  using Scalar = double;
  explicit SectorOp(const EvenSector& h) : h_(h) {}
  Eigen::Index rows() const { return h_.dim(); }
  Eigen::Index cols() const { return h_.dim(); }
  void perform_op(const double* x_in, double* y_out) const { h_.apply(x_in, y_out); }

 private:
  const EvenSector& h_;
};

// The lowest eigenpair of the sector: {energy, vector}.
std::pair<double, RealVector> lowest_dense(const EvenSector& h) {
  const Eigen::SelfAdjointEigenSolver<RealMatrix> eig(h.dense());
  if (eig.info() != Eigen::Success)
    throw std::invalid_argument("tfim: the dense eigensolver did not converge");
  return {eig.eigenvalues()[0], eig.eigenvectors().col(0)};
}

std::pair<double, RealVector> lowest_lanczos(const EvenSector& h) {
  SectorOp op(h);
  const Eigen::Index ncv = std::min<Eigen::Index>(h.dim(), 30);
  Spectra::SymEigsSolver<SectorOp> eigs(op, 1, ncv);
  eigs.init();  // Spectra's start vector: pseudo-random with a fixed seed, the same every call
  eigs.compute(Spectra::SortRule::SmallestAlge, 10000, 1e-13, Spectra::SortRule::SmallestAlge);
  if (eigs.info() != Spectra::CompInfo::Successful)
    throw std::invalid_argument("tfim: Lanczos did not converge");
  return {eigs.eigenvalues()[0], eigs.eigenvectors().col(0)};
}

}  // namespace

TfimGroundState tfim_ground_state(int n, double g, TfimBoundary boundary, TfimSolver solver) {
  if (n < 1 || n > kMaxTfimQubits)
    throw std::invalid_argument("tfim: qubit count must be 1.." + std::to_string(kMaxTfimQubits));
  if (!(g >= 0) || !std::isfinite(g))
    throw std::invalid_argument("tfim: the field g must be finite and >= 0");
  if (solver == TfimSolver::Auto)
    solver = n <= kMaxDenseTfimQubits ? TfimSolver::Dense : TfimSolver::Lanczos;
  if (solver == TfimSolver::Lanczos && n < 2)
    throw std::invalid_argument("tfim: Lanczos needs at least 2 qubits");
  const EvenSector h(n, g, boundary);
  auto [energy, v] = solver == TfimSolver::Dense ? lowest_dense(h) : lowest_lanczos(h);
  // The sign: the largest amplitude (the first of equal ones) positive.
  Eigen::Index top = 0;
  for (Eigen::Index x = 1; x < v.size(); ++x)
    if (std::abs(v[x]) > std::abs(v[top])) top = x;
  if (v[top] < 0) v = -v;
  v.normalize();
  TfimGroundState out{RealVector(Eigen::Index{1} << n), energy};
  for (Eigen::Index x = 0; x < out.state.size(); ++x)
    out.state[x] = v[h.representative(x)] / std::sqrt(2.0);
  return out;
}

}  // namespace quddpm
