// The optimizers a cycle trains its parameters with (docs/model.md, section 5): Adam, or SGD
// with momentum in PyTorch's convention, either with a staircase decay of the step size.
#pragma once

#include <cmath>

#include "core/types.hpp"
#include "model/adam.hpp"

namespace quddpm {

enum class OptimizerKind { Adam, Sgd };

// What a cycle's optimizer is: its kind, step size and decay, and SGD's momentum.
struct OptimizerSettings {
  OptimizerKind kind = OptimizerKind::Adam;
  double learning_rate = 0.005;
  double momentum = 0.9;  // Sgd: mu
  int decay_every = 1;    // the step size is learning_rate * decay_factor^floor(k / decay_every)
  double decay_factor = 1.0;  // at step k = 0, 1, ... of the cycle (1: no decay)
};

// The step size of step k (0-based) of a cycle: lr * decay_factor^floor(k / decay_every).
// With decay_factor 1 it is lr exactly.
inline double decayed_learning_rate(const OptimizerSettings& o, int k) {
  if (o.decay_factor == 1.0) return o.learning_rate;
  return o.learning_rate * std::pow(o.decay_factor, k / o.decay_every);
}

// SGD with momentum as PyTorch's torch.optim.SGD (dampening 0, no Nesterov, no weight decay):
// v <- mu v + g, theta <- theta - lr v, with v = 0 before the first step (so v_1 = g).
class SgdMomentum {
 public:
  SgdMomentum(Eigen::Index size, double momentum) : mu_(momentum), v_(RealVector::Zero(size)) {}

  // The state in AdamState's shape, so that checkpoints carry it as they carry Adam's: the
  // step count, the momentum buffer in m, and v zero.
  AdamState state() const { return {t_, v_, RealVector::Zero(v_.size())}; }
  void restore(const AdamState& s) {
    t_ = s.step;
    v_ = s.m;
  }

  int step_count() const { return t_; }

  void step(double* theta, const RealVector& grad, double lr) {
    ++t_;
    for (Eigen::Index k = 0; k < grad.size(); ++k) {
      v_[k] = mu_ * v_[k] + grad[k];
      theta[k] -= lr * v_[k];
    }
  }

 private:
  double mu_;
  int t_ = 0;
  RealVector v_;
};

// A cycle's optimizer: the step size of each step from the decay, the update from the kind.
// state() / restore() carry everything between steps (a stopped cycle continues bit for bit).
class Optimizer {
 public:
  Optimizer(const OptimizerSettings& o, Eigen::Index size)
      : o_(o), adam_(size, o.learning_rate), sgd_(size, o.momentum) {}

  AdamState state() const { return o_.kind == OptimizerKind::Sgd ? sgd_.state() : adam_.state(); }
  void restore(const AdamState& s) {
    if (o_.kind == OptimizerKind::Sgd)
      sgd_.restore(s);
    else
      adam_.restore(s);
  }

  void step(double* theta, const RealVector& grad) {
    const double lr = decayed_learning_rate(o_, state_step());
    if (o_.kind == OptimizerKind::Sgd) {
      sgd_.step(theta, grad, lr);
    } else {
      adam_.set_learning_rate(lr);
      adam_.step(theta, grad);
    }
  }

 private:
  // Steps done so far in the cycle: the k of the next step's decay.
  int state_step() const {
    return o_.kind == OptimizerKind::Sgd ? sgd_.step_count() : adam_.step_count();
  }

  OptimizerSettings o_;
  Adam adam_;
  SgdMomentum sgd_;
};

}  // namespace quddpm
