// Independent dense-matrix truth for the kernel, circuit and diffusion tests: operators are
// built as Kronecker products I (x) ... (x) G (x) ... (x) I with qubit 0 leftmost (the most
// significant bit of the basis index), and rotations as matrix exponentials exp(-i a P / 2).
// Random test inputs come from std::mt19937_64, not from the project's own generator.
#pragma once

#include <Eigen/Dense>
#include <cmath>
#include <complex>
#include <cstdint>
#include <random>
#include <unsupported/Eigen/KroneckerProduct>
#include <unsupported/Eigen/MatrixFunctions>
#include <utility>
#include <vector>

#include "core/gates.hpp"
#include "core/parallel.hpp"
#include "core/types.hpp"

namespace dref {

using cplx = std::complex<double>;
using Mat = Eigen::MatrixXcd;
using Vec = Eigen::VectorXcd;

inline Mat pauli_i() {
  return Mat::Identity(2, 2);
}
inline Mat pauli_x() {
  Mat m(2, 2);
  m << 0, 1, 1, 0;
  return m;
}
inline Mat pauli_y() {
  Mat m(2, 2);
  m << 0, cplx(0, -1), cplx(0, 1), 0;
  return m;
}
inline Mat pauli_z() {
  Mat m(2, 2);
  m << 1, 0, 0, -1;
  return m;
}
inline Mat pauli(quddpm::Pauli p) {
  switch (p) {
    case quddpm::Pauli::X:
      return pauli_x();
    case quddpm::Pauli::Y:
      return pauli_y();
    default:
      return pauli_z();
  }
}
// |1><1|
inline Mat proj1() {
  Mat m = Mat::Zero(2, 2);
  m(1, 1) = 1;
  return m;
}

// exp(-i a P / 2) by the matrix exponential (not the closed form of core/gates.hpp).
inline Mat rotation(const Mat& generator, double a) {
  const Mat x = cplx(0, -a / 2) * generator;
  return x.exp();
}
inline Mat rx(double a) {
  return rotation(pauli_x(), a);
}
inline Mat ry(double a) {
  return rotation(pauli_y(), a);
}
inline Mat rz(double a) {
  return rotation(pauli_z(), a);
}

inline Mat kron(const Mat& a, const Mat& b) {
  return Eigen::kroneckerProduct(a, b).eval();
}

// ops[0] (x) ops[1] (x) ... : ops[q] acts on qubit q.
inline Mat kron_all(const std::vector<Mat>& ops) {
  Mat m = Mat::Identity(1, 1);
  for (const Mat& o : ops)
    m = kron(m, o);
  return m;
}

// I (x) ... (x) G (x) ... (x) I with G on qubit q of nq.
inline Mat on_qubit(int nq, int q, const Mat& g) {
  std::vector<Mat> ops(nq, pauli_i());
  ops[q] = g;
  return kron_all(ops);
}

// A (x) B placed on qubits q1 and q2 (any order, not necessarily adjacent).
inline Mat on_two(int nq, int q1, const Mat& a, int q2, const Mat& b) {
  std::vector<Mat> ops(nq, pauli_i());
  ops[q1] = a;
  ops[q2] = b;
  return kron_all(ops);
}

// RZZ_{q1 q2}(a) = exp(-i a Z_q1 Z_q2 / 2).
inline Mat rzz(int nq, int q1, int q2, double a) {
  return rotation(on_two(nq, q1, pauli_z(), q2, pauli_z()), a);
}

// CZ_{q1 q2} = I - 2 |11><11| on (q1, q2).
inline Mat cz(int nq, int q1, int q2) {
  const Eigen::Index d = Eigen::Index{1} << nq;
  return Mat::Identity(d, d) - 2.0 * on_two(nq, q1, proj1(), q2, proj1());
}

inline Mat to_mat(const quddpm::Gate2x2& g) {
  Mat m(2, 2);
  m << g.m00, g.m01, g.m10, g.m11;
  return m;
}
inline quddpm::Gate2x2 to_gate(const Mat& m) {
  return {m(0, 0), m(0, 1), m(1, 0), m(1, 1)};
}

// The dense matrix of a Pauli string such as {{'Z', 0}, {'Z', 1}} on nq qubits: the Kronecker
// product over qubits 0..nq-1 of the letter on each (identity elsewhere).
inline Mat pauli_string(int nq, const std::vector<std::pair<char, int>>& factors) {
  std::vector<Mat> ops(static_cast<std::size_t>(nq), pauli_i());
  for (const auto& [p, q] : factors)
    ops[static_cast<std::size_t>(q)] = p == 'X' ? pauli_x() : p == 'Y' ? pauli_y() : pauli_z();
  return kron_all(ops);
}

// Computational basis state |b> of nq qubits.
inline Vec basis(int nq, std::size_t b) {
  Vec v = Vec::Zero(Eigen::Index{1} << nq);
  v(static_cast<Eigen::Index>(b)) = 1;
  return v;
}

// Seeded source of random test inputs, independent of quddpm::Rng.
class Source {
 public:
  explicit Source(std::uint64_t seed) : eng_(seed) {}

  double uniform(double lo, double hi) {
    return std::uniform_real_distribution<double>(lo, hi)(eng_);
  }
  double normal() { return std::normal_distribution<double>(0.0, 1.0)(eng_); }
  // Standard complex normal, E|z|^2 = 1.
  cplx complex_normal() { return cplx(normal(), normal()) * std::sqrt(0.5); }
  int below(int n) { return std::uniform_int_distribution<int>(0, n - 1)(eng_); }

  // Haar-random normalized state of nq qubits.
  Vec state(int nq) {
    Vec v(Eigen::Index{1} << nq);
    for (Eigen::Index i = 0; i < v.size(); ++i)
      v(i) = complex_normal();
    return v / v.norm();
  }
  // Random (Haar) unitary of size k x k: QR of a Ginibre matrix with the phases of R's
  // diagonal moved into Q.
  Mat unitary(int k) {
    Mat g(k, k);
    for (int i = 0; i < k; ++i)
      for (int j = 0; j < k; ++j)
        g(i, j) = complex_normal();
    Eigen::HouseholderQR<Mat> qr(g);
    Mat q = qr.householderQ() * Mat::Identity(k, k);
    const Mat r = qr.matrixQR().triangularView<Eigen::Upper>();
    for (int j = 0; j < k; ++j)
      q.col(j) *= std::polar(1.0, std::arg(r(j, j)));
    return q;
  }
  std::mt19937_64& engine() { return eng_; }

 private:
  std::mt19937_64 eng_;
};

// Copy between a quddpm state (contiguous amplitudes) and an Eigen vector.
inline std::vector<cplx> to_std(const Vec& v) {
  return std::vector<cplx>(v.data(), v.data() + v.size());
}
inline Vec to_vec(const std::vector<cplx>& v) {
  return Eigen::Map<const Vec>(v.data(), static_cast<Eigen::Index>(v.size()));
}
inline Vec to_vec(const cplx* p, std::size_t n) {
  return Eigen::Map<const Vec>(p, static_cast<Eigen::Index>(n));
}

inline double max_abs_diff(const Vec& a, const Vec& b) {
  return (a - b).cwiseAbs().maxCoeff();
}

// Sets the thread count for a scope and restores the previous value afterwards.
class ThreadsGuard {
 public:
  explicit ThreadsGuard(int n) : saved_(quddpm::par::max_threads()) {
    quddpm::par::set_max_threads(n);
  }
  ~ThreadsGuard() { quddpm::par::set_max_threads(saved_); }
  ThreadsGuard(const ThreadsGuard&) = delete;
  ThreadsGuard& operator=(const ThreadsGuard&) = delete;

 private:
  int saved_;
};

// Sample mean and standard error of the mean.
struct MeanSe {
  double mean, se;
};
inline MeanSe mean_se(const std::vector<double>& x) {
  const double n = static_cast<double>(x.size());
  double m = 0;
  for (double v : x)
    m += v;
  m /= n;
  double ss = 0;
  for (double v : x)
    ss += (v - m) * (v - m);
  return {m, std::sqrt(ss / (n - 1) / n)};
}

}  // namespace dref
