// Adam (Kingma & Ba) with bias correction; beta1 0.9, beta2 0.999, eps 1e-8 by default.
#pragma once

#include <cmath>

#include "core/types.hpp"

namespace quddpm {

// Everything Adam carries between steps: with it, a stopped cycle continues bit for bit.
struct AdamState {
  int step = 0;
  RealVector m, v;  // first and second moment estimates
};

class Adam {
 public:
  Adam(Eigen::Index size, double lr, double beta1 = 0.9, double beta2 = 0.999, double eps = 1e-8)
      : lr_(lr),
        b1_(beta1),
        b2_(beta2),
        eps_(eps),
        m_(RealVector::Zero(size)),
        v_(RealVector::Zero(size)) {}

  AdamState state() const { return {t_, m_, v_}; }
  void restore(const AdamState& s) {
    t_ = s.step;
    m_ = s.m;
    v_ = s.v;
  }

  int step_count() const { return t_; }
  // The step size of the steps that follow (a decaying schedule sets it before each step).
  void set_learning_rate(double lr) { lr_ = lr; }

  // theta <- theta - lr mhat / (sqrt(vhat) + eps).
  void step(double* theta, const RealVector& grad) {
    ++t_;
    const double c1 = 1.0 - std::pow(b1_, t_), c2 = 1.0 - std::pow(b2_, t_);
    for (Eigen::Index k = 0; k < grad.size(); ++k) {
      m_[k] = b1_ * m_[k] + (1 - b1_) * grad[k];
      v_[k] = b2_ * v_[k] + (1 - b2_) * grad[k] * grad[k];
      theta[k] -= lr_ * (m_[k] / c1) / (std::sqrt(v_[k] / c2) + eps_);
    }
  }

 private:
  double lr_, b1_, b2_, eps_;
  int t_ = 0;
  RealVector m_, v_;
};

}  // namespace quddpm
