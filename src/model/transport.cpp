#include "model/transport.hpp"

#include <lemon/network_simplex.h>
#include <lemon/static_graph.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "core/parallel.hpp"
#include "model/assignment.hpp"

namespace quddpm {

namespace {

void check_cost(const RealMatrix& cost) {
  if (cost.rows() < 1 || cost.cols() < 1)
    throw std::invalid_argument("optimal transport needs at least one state on each side");
  if (!cost.allFinite()) throw std::invalid_argument("optimal transport: a cost is not finite");
}

// The largest k <= 52 with (nodes) max|C| 2^k <= 2^52: integer costs whose path sums (at most
// `nodes` arcs) stay exact in a double and far inside LEMON's int64 potentials.
int cost_scale_bits(const RealMatrix& cost) {
  const double largest = cost.cwiseAbs().maxCoeff();
  if (largest == 0) return 0;
  const double nodes = static_cast<double>(cost.rows() + cost.cols());
  return std::min(52, static_cast<int>(std::floor(52.0 - std::log2(nodes * largest))));
}

// Euclid's algorithm (std::gcd compiles to tzcnt, outside the x86-64 baseline the portable
// binary keeps to: scripts/checks/check_baseline_isa.py).
std::int64_t common_divisor(std::int64_t a, std::int64_t b) {
  while (b != 0)
    a = std::exchange(b, a % b);
  return a;
}

// std::llround for |x| < 2^62 (x - trunc(x) is exact), without its library call: a third of
// the time on an N = 500 matrix.
std::int64_t round_half_away(double x) {
  const auto whole = static_cast<std::int64_t>(x);
  const double fraction = x - static_cast<double>(whole);
  return whole + (fraction >= 0.5 ? 1 : 0) - (fraction <= -0.5 ? 1 : 0);
}

// K_ij = round(C_ij 2^k) (halves away from zero), row-major.
std::vector<std::int64_t> rounded_costs(const RealMatrix& cost) {
  const double scale = std::ldexp(1.0, cost_scale_bits(cost));
  const std::int64_t n = cost.rows(), m = cost.cols();
  std::vector<std::int64_t> rounded(static_cast<std::size_t>(n * m));
  for (std::int64_t j = 0; j < m; ++j)  // down C's columns, contiguous in memory
    for (std::int64_t i = 0; i < n; ++i)
      rounded[static_cast<std::size_t>(i * m + j)] = round_half_away(cost(i, j) * scale);
  return rounded;
}

// The auction's budget: on the circle experiment's matrices it bids about 55 times a row (all
// phases together); at 500 a row it has spent about twice the network simplex's time, and hands
// the problem over to it.
constexpr std::int64_t kMaxBidsPerRow = 500;

// N = M: the auction's permutation, proved optimal, as a plan of 1/N entries.
std::optional<Transport> assignment_transport(const RealMatrix& cost,
                                              const std::vector<std::int64_t>& rounded) {
  const std::int64_t n = cost.rows();
  const std::optional<Assignment> a =
      auction_assignment(rounded, static_cast<int>(n), kMaxBidsPerRow * n);
  if (!a) return std::nullopt;
  if (!proves_assignment_optimal(rounded, a->column_of_row, a->prices))
    throw std::logic_error(
        "optimal transport: the auction's assignment fails its optimality certificate");
  Transport t;
  t.plan = RealMatrix::Zero(n, n);
  for (std::int64_t i = 0; i < n; ++i) {
    const std::int64_t j = a->column_of_row[static_cast<std::size_t>(i)];
    t.plan(i, j) = 1.0 / static_cast<double>(n);
    t.value += t.plan(i, j) * cost(i, j);
  }
  return t;
}

// Any N x M: LEMON's network simplex, proved optimal by its potentials.
Transport simplex_on_rounded(const RealMatrix& cost, const std::vector<std::int64_t>& rounded) {
  using Graph = lemon::StaticDigraph;
  const std::int64_t n = cost.rows(), m = cost.cols();
  const std::int64_t g = common_divisor(n, m);
  const std::int64_t sends = m / g, takes = n / g;  // units per source, per sink

  // Nodes 0..n-1 the sources, n..n+m-1 the sinks; arc i m + j from source i to sink j.
  std::vector<std::pair<int, int>> arc_list;
  arc_list.reserve(static_cast<std::size_t>(n * m));
  for (std::int64_t i = 0; i < n; ++i)
    for (std::int64_t j = 0; j < m; ++j)
      arc_list.emplace_back(static_cast<int>(i), static_cast<int>(n + j));
  Graph graph;
  graph.build(static_cast<int>(n + m), arc_list.begin(), arc_list.end());
  arc_list = {};
  Graph::ArcMap<std::int64_t> arc_cost(graph);
  for (std::int64_t a = 0; a < n * m; ++a)
    arc_cost[graph.arc(static_cast<int>(a))] = rounded[static_cast<std::size_t>(a)];
  Graph::NodeMap<std::int64_t> supply(graph);
  for (std::int64_t i = 0; i < n; ++i)
    supply[graph.node(static_cast<int>(i))] = sends;
  for (std::int64_t j = 0; j < m; ++j)
    supply[graph.node(static_cast<int>(n + j))] = -takes;

  lemon::NetworkSimplex<Graph, std::int64_t, std::int64_t> simplex(graph);
  simplex.costMap(arc_cost).supplyMap(supply);
  if (simplex.run() != decltype(simplex)::OPTIMAL)
    throw std::logic_error("optimal transport: the network simplex found no optimal flow");

  // P_ij = flow_ij / (total flow), total flow = n sends.
  const double total = static_cast<double>(n * sends);
  Transport t;
  t.plan = RealMatrix::Zero(n, m);
  for (std::int64_t i = 0; i < n; ++i)
    for (std::int64_t j = 0; j < m; ++j) {
      const std::int64_t f = simplex.flow(graph.arc(static_cast<int>(i * m + j)));
      if (f == 0) continue;
      t.plan(i, j) = static_cast<double>(f) / total;
      t.value += t.plan(i, j) * cost(i, j);
    }
  // LEMON's artificial arcs cost 2^62 in 64-bit integers: a plan is returned only with its
  // proof, so no overflow or defect inside the simplex can pass a wrong plan on unnoticed.
  std::vector<std::int64_t> potentials(static_cast<std::size_t>(n + m));
  for (std::int64_t v = 0; v < n + m; ++v)
    potentials[static_cast<std::size_t>(v)] = simplex.potential(graph.node(static_cast<int>(v)));
  if (!proves_optimal(rounded, t.plan, potentials))
    throw std::logic_error(
        "optimal transport: the network simplex's plan fails its optimality "
        "certificate (a reduced cost below 0, or above 0 on the plan)");
  return t;
}

}  // namespace

Transport exact_transport(const RealMatrix& cost) {
  check_cost(cost);
  const std::vector<std::int64_t> rounded = rounded_costs(cost);
  if (cost.rows() == cost.cols())
    if (std::optional<Transport> t = assignment_transport(cost, rounded)) return *std::move(t);
  return simplex_on_rounded(cost, rounded);
}

Transport network_simplex_transport(const RealMatrix& cost) {
  check_cost(cost);
  return simplex_on_rounded(cost, rounded_costs(cost));
}

bool proves_optimal(const std::vector<std::int64_t>& costs, const RealMatrix& plan,
                    const std::vector<std::int64_t>& potentials) {
  const std::int64_t n = plan.rows(), m = plan.cols();
  if (static_cast<std::int64_t>(costs.size()) != n * m ||
      static_cast<std::int64_t>(potentials.size()) != n + m)
    return false;
  // Every |K_ij| and |pi| below 2^61: then K_ij + pi_i - pi_{n+j} cannot overflow, and the
  // reduced costs are plain 64-bit sums; otherwise there is no proof.
  constexpr std::int64_t kLimit = std::int64_t{1} << 61;
  const auto fits = [](std::int64_t x) { return x > -kLimit && x < kLimit; };
  if (!std::all_of(costs.begin(), costs.end(), fits) ||
      !std::all_of(potentials.begin(), potentials.end(), fits))
    return false;
  const std::int64_t* sinks = potentials.data() + n;
  for (std::int64_t i = 0; i < n; ++i) {  // dual feasibility, along the rows of K
    const std::int64_t* row = costs.data() + i * m;
    const std::int64_t source = potentials[static_cast<std::size_t>(i)];
    std::int64_t lowest = 0;
    for (std::int64_t j = 0; j < m; ++j)
      lowest = std::min(lowest, row[j] + source - sinks[j]);
    if (lowest < 0) return false;
  }
  for (std::int64_t j = 0; j < m; ++j)  // complementary slackness, along the plan's columns
    for (std::int64_t i = 0; i < n; ++i)
      if (plan(i, j) > 0 && costs[static_cast<std::size_t>(i * m + j)] +
                                    potentials[static_cast<std::size_t>(i)] - sinks[j] !=
                                0)
        return false;
  return true;
}

namespace {

// -eps log sum_k exp(log w + (pot_k - c_k) / eps) over k in order, c contiguous.
double soft_min(const double* c, const double* pot, std::int64_t len, double log_w, double eps) {
  double top = -std::numeric_limits<double>::infinity();
  for (std::int64_t k = 0; k < len; ++k)
    top = std::max(top, (pot[k] - c[k]) / eps);
  double sum = 0;
  for (std::int64_t k = 0; k < len; ++k)
    sum += std::exp((pot[k] - c[k]) / eps - top);
  return -eps * (log_w + top + std::log(sum));
}

// Calls f(k) for k in [0, count), in blocks of at least 2^14 cost entries (`len` each) spread
// over the threads: each f(k) writes its own k only, so the blocks change no bits.
template <class F>
void for_each_row(std::int64_t count, std::int64_t len, F&& f) {
  const std::int64_t per_block = std::max<std::int64_t>(1, par::kMinParallelAmplitudes / len);
  const std::int64_t blocks = (count + per_block - 1) / per_block;
  par::for_each_state(blocks, [&](std::int64_t blk) {
    for (std::int64_t k = blk * per_block; k < std::min(count, (blk + 1) * per_block); ++k)
      f(k);
  });
}

}  // namespace

Transport entropic_transport(const RealMatrix& cost, double epsilon) {
  check_cost(cost);
  if (!(epsilon > 0) || !std::isfinite(epsilon))
    throw std::invalid_argument("entropic transport needs a finite epsilon > 0");
  const std::int64_t n = cost.rows(), m = cost.cols();
  const double a = 1.0 / static_cast<double>(n), b = 1.0 / static_cast<double>(m);
  const double log_a = std::log(a), log_b = std::log(b);
  // Column j of `cost` is C's column j, column i of `cost_t` C's row i: both contiguous.
  const RealMatrix cost_t = cost.transpose();
  RealVector f = RealVector::Zero(n), g = RealVector::Zero(m), f_before(n);
  const auto update_f = [&](double e) {
    for_each_row(n, m, [&](std::int64_t i) {
      f[i] = soft_min(cost_t.col(i).data(), g.data(), m, log_b, e);
    });
  };
  const auto update_g = [&](double e) {
    for_each_row(
        m, n, [&](std::int64_t j) { g[j] = soft_min(cost.col(j).data(), f.data(), n, log_a, e); });
  };
  // eps-scaling: stages eps_0 = span / 2, eps_0 / 2, ... down to epsilon, each started from the
  // potentials the stage before ended with (they are in units of the cost, whatever eps).
  std::vector<double> stages;
  for (double e = (cost.maxCoeff() - cost.minCoeff()) / 2; e > epsilon; e /= 2)
    stages.push_back(e);
  stages.push_back(epsilon);
  Transport t;
  t.converged = false;
  for (std::size_t k = 0; k < stages.size(); ++k) {
    const double e = stages[k];
    const bool last = k + 1 == stages.size();
    update_f(e);
    update_g(e);
    ++t.iterations;
    while (t.iterations < kSinkhornMaxIterations) {
      // The row sums of P at (f, g) are a exp((f_i - f'_i) / e), f' the next f update: the
      // check costs no pass of its own.
      f_before = f;
      update_f(e);
      double violation = 0;
      for (std::int64_t i = 0; i < n; ++i)
        violation += a * std::abs(std::exp((f_before[i] - f[i]) / e) - 1.0);
      if (violation <= (last ? kSinkhornTolerance : kSinkhornStageTolerance)) {
        f = f_before;  // the converged (f, g), whose column sums are exact
        t.converged = last;
        break;
      }
      update_g(e);
      ++t.iterations;
    }
  }
  t.plan.resize(n, m);
  for_each_row(m, n, [&](std::int64_t j) {
    for (std::int64_t i = 0; i < n; ++i)
      t.plan(i, j) = a * b * std::exp((f[i] + g[j] - cost(i, j)) / epsilon);
  });
  double mass = 0;
  for (std::int64_t j = 0; j < m; ++j)
    for (std::int64_t i = 0; i < n; ++i)
      mass += t.plan(i, j);
  t.value = a * f.sum() + b * g.sum() - epsilon * (mass - 1.0);
  return t;
}

}  // namespace quddpm
