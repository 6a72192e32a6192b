// An independent dense-matrix model of one backward step for tests: the PQC unitary built
// from Kronecker products of docs/model.md section 4's gates, and the MMD loss of its measured
// outputs. Nothing here calls the simulator kernels.
#pragma once

#include <Eigen/Dense>
#include <cmath>
#include <complex>
#include <vector>

namespace dense {

using Mat = Eigen::MatrixXcd;
using Vec = Eigen::VectorXcd;
using C = std::complex<double>;

inline Mat pauli(char p) {
  Mat m(2, 2);
  if (p == 'X') m << 0, 1, 1, 0;
  if (p == 'Y') m << 0, C(0, -1), C(0, 1), 0;
  if (p == 'Z') m << 1, 0, 0, -1;
  if (p == 'I') m << 1, 0, 0, 1;
  return m;
}

// exp(-i a P/2) = cos(a/2) I - i sin(a/2) P.
inline Mat rot(char p, double a) {
  return std::cos(a / 2) * pauli('I') - C(0, 1) * std::sin(a / 2) * pauli(p);
}

inline Mat kron(const Mat& a, const Mat& b) {
  Mat r(a.rows() * b.rows(), a.cols() * b.cols());
  for (int i = 0; i < a.rows(); ++i)
    for (int j = 0; j < a.cols(); ++j)
      r.block(i * b.rows(), j * b.cols(), b.rows(), b.cols()) = a(i, j) * b;
  return r;
}

// g on qubit q of nq (qubit 0 leftmost factor = most significant bit).
inline Mat on_qubit(const Mat& g, int q, int nq) {
  Mat r = Mat::Identity(1, 1);
  for (int k = 0; k < nq; ++k)
    r = kron(r, k == q ? g : pauli('I'));
  return r;
}

inline Mat cz(int a, int b, int nq) {
  const int d = 1 << nq;
  Mat r = Mat::Identity(d, d);
  for (int i = 0; i < d; ++i)
    if (((i >> (nq - 1 - a)) & 1) && ((i >> (nq - 1 - b)) & 1)) r(i, i) = -1;
  return r;
}

inline Mat pqc(const std::vector<double>& theta, int nq, int layers) {
  const int d = 1 << nq;
  Mat u = Mat::Identity(d, d);
  for (int l = 0; l < layers; ++l) {
    for (int q = 0; q < nq; ++q)
      u = on_qubit(rot('X', theta[2 * nq * l + q]), q, nq) * u;
    for (int q = 0; q < nq; ++q)
      u = on_qubit(rot('Y', theta[2 * nq * l + nq + q]), q, nq) * u;
    for (int q = 0; q + 1 < nq; q += 2)
      u = cz(q, q + 1, nq) * u;
    for (int q = 1; q + 1 < nq; q += 2)
      u = cz(q, q + 1, nq) * u;
  }
  return u;
}

// Outputs (columns) of the measured step: (<m|x I) U |0,phi> / sqrt(p_m).
inline Mat outputs(const Mat& u, const Mat& inputs_cols, const std::vector<long>& outcomes, int n,
                   int na) {
  const int dd = 1 << n;
  Mat out(dd, inputs_cols.cols());
  for (int i = 0; i < inputs_cols.cols(); ++i) {
    Vec in = Vec::Zero(dd << na);
    in.head(dd) = inputs_cols.col(i);
    const Vec w = u * in;
    const Vec v = w.segment(outcomes[i] * dd, dd);
    out.col(i) = v / v.norm();
  }
  return out;
}

// MMD with means over all pairs, diagonals included (docs/model.md, section 6).
inline double mmd_cols(const Mat& a, const Mat& b) {
  auto mean_sq = [](const Mat& x, const Mat& y) { return (x.adjoint() * y).cwiseAbs2().mean(); };
  return mean_sq(a, a) + mean_sq(b, b) - 2 * mean_sq(a, b);
}

}  // namespace dense
