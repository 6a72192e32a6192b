// Optimal transport between two ensembles of uniform weights (docs/model.md, section 6, and
// docs/gradient.md, section 1): N sources of mass a_i = 1/N, M sinks of mass b_j = 1/M and a
// cost matrix C (N x M). A plan P >= 0 has row sums a and column sums b.
#pragma once

#include <cstdint>
#include <vector>

#include "core/types.hpp"

namespace quddpm {

struct Transport {
  double value = 0;       // the optimal objective (see each solver)
  RealMatrix plan;        // P, N x M
  int iterations = 0;     // Sinkhorn: sweeps run (0 for the exact solver)
  bool converged = true;  // Sinkhorn: the marginal tolerance was met
};

// Exact optimal transport: value = W = min_P <P, C>, summed over the plan's entries in row
// order. The costs are rounded to integer multiples of 2^-k, with k the largest (at most 52)
// for which (N + M) max|C| 2^k <= 2^52; so the plan is optimal for C within 2^-k (at N = M =
// 500 and C in [0, 1], 2^-42), and value is <P, C> in the real C. For N = M the plan is a
// permutation matrix over N, found by the auction (model/assignment.hpp; the network simplex
// takes over if it runs past its budget of 500 bids a row); otherwise network_simplex_transport
// below solves it. Both solve the same integer problem, so they give the same plan wherever the
// optimum is unique. Deterministic (no threads, integer arithmetic). Every plan is checked
// against its optimality certificate (proves_assignment_optimal, or proves_optimal) before it
// is returned; one that fails it throws std::logic_error. Throws std::invalid_argument for an
// empty or non-finite C.
Transport exact_transport(const RealMatrix& cost);

// The same for any N x M as a min-cost flow by LEMON's NetworkSimplex (each source sends M/g
// units, each sink takes N/g, g = gcd(N, M)) on the same rounded costs, its plan proved by the
// simplex's potentials (proves_optimal).
Transport network_simplex_transport(const RealMatrix& cost);

// The optimality certificate of a transport plan on integer costs K (N x M, row-major): node
// potentials pi (the N sources, then the M sinks) under which every arc's reduced cost
// K_ij + pi_i - pi_{N+j} is >= 0, and = 0 wherever the plan is positive (complementary
// slackness). Then no plan with the same marginals costs less (LP duality). False as well when a
// cost or potential is 2^61 or more in size (the sums could overflow).
bool proves_optimal(const std::vector<std::int64_t>& costs, const RealMatrix& plan,
                    const std::vector<std::int64_t>& potentials);

// Entropic optimal transport: value = OT_eps = min_P <P, C> + eps KL(P || a b^T) (so
// value >= W, and value -> W as eps -> 0), computed as its dual
// <f, a> + <g, b> - eps (sum_ij P_ij - 1) with P_ij = a_i b_j exp((f_i + g_j - C_ij) / eps),
// by Sinkhorn's iterations in the log domain: a sweep sets f_i <- -eps logsumexp_j(log b_j +
// (g_j - C_ij) / eps), then g_j the same over i (after which the column sums of P are b). From
// f = g = 0, with eps-scaling: stages of eps = (max C - min C) / 2, halved until below
// epsilon, each run until the row sums of P are within kSinkhornStageTolerance of a in L1
// (kSinkhornTolerance at the last stage, eps = epsilon), each warming the next; at most
// about kSinkhornMaxIterations sweeps in all (then `converged` is false and the last potentials
// give the value and plan). Each row's and column's sum runs in index order (rows and columns
// in parallel), so the bits do not depend on the thread count. Throws std::invalid_argument for
// eps <= 0 or a bad C.
inline constexpr int kSinkhornMaxIterations = 10000;
inline constexpr double kSinkhornTolerance = 1e-10;
inline constexpr double kSinkhornStageTolerance = 1e-4;
Transport entropic_transport(const RealMatrix& cost, double epsilon);

}  // namespace quddpm
