// Central finite differences of a scalar function of a parameter vector: the independent
// yardstick of the exact gradients.
#pragma once

#include <Eigen/Dense>
#include <functional>
#include <vector>

namespace testing_fd {

// (f(x + h e_k) - f(x - h e_k)) / 2h for every k.
inline Eigen::VectorXd central_difference(
    const std::function<double(const std::vector<double>&)>& f, const std::vector<double>& x,
    double h = 1e-6) {
  Eigen::VectorXd g(static_cast<Eigen::Index>(x.size()));
  for (std::size_t k = 0; k < x.size(); ++k) {
    std::vector<double> up = x, down = x;
    up[k] += h;
    down[k] -= h;
    g[static_cast<Eigen::Index>(k)] = (f(up) - f(down)) / (2 * h);
  }
  return g;
}

}  // namespace testing_fd
