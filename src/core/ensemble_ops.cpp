#include "core/ensemble_ops.hpp"

#include <algorithm>
#include <stdexcept>
#include <string>

#include "core/kernel_table.hpp"
#include "core/parallel.hpp"

namespace quddpm {

int qubits_of(const StateMatrix& states) {
  const auto d = static_cast<std::size_t>(states.cols());
  if (d == 0 || (d & (d - 1)) != 0)
    throw std::invalid_argument("state length " + std::to_string(d) + " is not a power of 2");
  int k = 0;
  while ((std::size_t{1} << k) < d)
    ++k;
  return k;
}

namespace {
// Rows per parallel task of the ensemble products: the kernels share each row of the other
// operand across a block of rows; the entries' bits do not depend on the split.
constexpr std::int64_t kRowsPerTask = 4;
std::int64_t blocks_of(std::int64_t rows) {
  return (rows + kRowsPerTask - 1) / kRowsPerTask;
}

void require_same_dim(const StateMatrix& a, const StateMatrix& b) {
  if (a.cols() != b.cols())
    throw std::invalid_argument("ensembles of different dimension: " + std::to_string(a.cols()) +
                                " vs " + std::to_string(b.cols()));
}
}  // namespace

StateMatrix gram(const StateMatrix& a, const StateMatrix& b) {
  require_same_dim(a, b);
  StateMatrix g(a.rows(), b.rows());
  const KernelTable& k = active_kernels();
  const std::int64_t na = a.rows(), d = a.cols();
  par::for_each_state(blocks_of(na), [&](std::int64_t blk) {
    const std::int64_t i = blk * kRowsPerTask, rows = std::min(kRowsPerTask, na - i);
    k.gram_rows(a.row(i).data(), rows, b.data(), b.rows(), d, g.row(i).data());
  });
  return g;
}

StateMatrix combine(const StateMatrix& c, const StateMatrix& rows) {
  if (c.cols() != rows.rows())
    throw std::invalid_argument("combine: " + std::to_string(c.cols()) + " coefficients for " +
                                std::to_string(rows.rows()) + " rows");
  StateMatrix out(c.rows(), rows.cols());
  const KernelTable& k = active_kernels();
  const std::int64_t n = c.rows();
  par::for_each_state(blocks_of(n), [&](std::int64_t blk) {
    const std::int64_t i = blk * kRowsPerTask, count = std::min(kRowsPerTask, n - i);
    k.combine_rows(c.row(i).data(), count, rows.data(), rows.rows(), rows.cols(),
                   out.row(i).data());
  });
  return out;
}

RealMatrix overlap_sq(const StateMatrix& a, const StateMatrix& b) {
  // |<a_i|b_j>|^2 = |<b_j|a_i>|^2
  return gram(a, b).cwiseAbs2();
}

RealVector row_norms(const StateMatrix& states) {
  return states.rowwise().norm();
}

void normalize_rows(StateMatrix& states) {
  for (Eigen::Index i = 0; i < states.rows(); ++i)
    states.row(i) /= states.row(i).norm();
}

}  // namespace quddpm
