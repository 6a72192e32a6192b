// Which distance a backward step's training minimizes (docs/model.md, section 5).
#pragma once

namespace quddpm {

// mmd: MMD(outputs, targets) (the default). wasserstein: the exact optimal-transport cost
// W = min_P <P, C> with C_ij = 1 - |<psi_i|b_j>|^2 and uniform weights. sinkhorn: its entropic
// version OT_eps = min_P <P, C> + eps KL(P || a b^T) (model/transport.hpp).
enum class LossKind { Mmd, Wasserstein, Sinkhorn };

struct LossSettings {
  LossKind kind = LossKind::Mmd;
  double epsilon = 0.05;  // sinkhorn only: the entropic regularization eps > 0
};

}  // namespace quddpm
