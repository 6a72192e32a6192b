#include "model/diffusion.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <stdexcept>
#include <string>

#include "core/ensemble_ops.hpp"
#include "core/kernels/kernels.hpp"
#include "core/parallel.hpp"
#include "core/rng.hpp"
#include "model/metrics.hpp"

namespace quddpm {

std::vector<double> linear_schedule(double start, double end, int steps) {
  if (steps < 1) throw std::invalid_argument("diffusion needs at least one step");
  std::vector<double> h(steps);
  for (int t = 0; t < steps; ++t)
    h[t] = steps == 1 ? end : start + (end - start) * t / static_cast<double>(steps - 1);
  return h;
}

std::vector<double> quadratic_schedule(double end, int steps) {
  if (steps < 1) throw std::invalid_argument("diffusion needs at least one step");
  std::vector<double> h(steps);
  const double last = static_cast<double>(steps) * steps;
  for (int t = 1; t <= steps; ++t)
    h[t - 1] = end * (static_cast<double>(t) * t / last);
  return h;
}

void diffusion_step(cplx* psi, int n, double h, const double* a, double g) {
  for (int q = 0; q < n; ++q) {
    const Gate2x2 u = gate_rz(h * a[3 * q + 2]) * gate_ry(h * a[3 * q + 1]) * gate_rz(h * a[3 * q]);
    apply_1q(psi, n, q, u);
  }
  if (n < 2) return;
  // prod_{i<j} RZZ_ij(angle) is diagonal: phase exp(-i angle/2 * sum_{i<j} z_i z_j) and
  // sum_{i<j} z_i z_j = (S^2 - n)/2 with S = n - 2 popcount(b): n+1 distinct phases.
  const double angle = h * g / (2.0 * std::sqrt(static_cast<double>(n)));
  std::vector<cplx> phase(n + 1);
  for (int k = 0; k <= n; ++k) {
    const double s = n - 2 * k;
    phase[k] = std::polar(1.0, -angle / 2 * (s * s - n) / 2);
  }
  apply_weight_phase(psi, n, phase.data());
}

namespace {

// Runs the chain for state i; `keep(t, i, psi)` sees it after step t.
template <class Keep>
void chain_one(const StateMatrix& s0, const std::vector<double>& h, std::uint64_t seed,
               std::int64_t i, int n, Keep& keep) {
  Rng rng(stream_key(seed, {static_cast<std::uint64_t>(i)}));
  AmplitudeVector<double> psi(s0.row(i).data(), s0.row(i).data() + s0.cols());
  std::vector<double> a(3 * n);
  for (std::size_t t = 0; t < h.size(); ++t) {
    for (double& x : a)
      x = rng.uniform(-M_PI / 8, M_PI / 8);
    const double g = n >= 2 ? rng.uniform(0.4, 0.6) : 0.0;
    diffusion_step(psi.data(), n, h[t], a.data(), g);
    keep(t + 1, i, psi.data());
  }
}

// Runs the chain for each state.
// With a pace, in pieces of states (each state's chain depends on its own stream only).
template <class Keep>
void run_chain(const StateMatrix& s0, const std::vector<double>& h, std::uint64_t seed,
               const Pace& pace, Keep&& keep) {
  const int n = qubits_of(s0);
  const double work_per_state = static_cast<double>(h.size()) * (n + 1) * s0.cols();
  in_pieces(s0.rows(), items_per_piece(work_per_state, par::max_threads()), pace,
            [&](std::int64_t lo, std::int64_t hi) {
              par::for_each_state(
                  hi - lo, [&](std::int64_t k) { chain_one(s0, h, seed, lo + k, n, keep); },
                  work_per_state);
            });
}

}  // namespace

std::vector<StateMatrix> diffuse_chain(const StateMatrix& s0, const std::vector<double>& h,
                                       std::uint64_t seed, const Pace& pace) {
  std::vector<StateMatrix> chain(h.size() + 1, StateMatrix(s0.rows(), s0.cols()));
  chain[0] = s0;
  run_chain(s0, h, seed, pace, [&](std::size_t t, std::int64_t i, const cplx* psi) {
    std::copy(psi, psi + s0.cols(), chain[t].row(i).data());
  });
  return chain;
}

StateMatrix diffuse_to_end(const StateMatrix& s0, const std::vector<double>& h, std::uint64_t seed,
                           const Pace& pace) {
  StateMatrix out(s0.rows(), s0.cols());
  run_chain(s0, h, seed, pace, [&](std::size_t t, std::int64_t i, const cplx* psi) {
    if (t == h.size()) std::copy(psi, psi + s0.cols(), out.row(i).data());
  });
  return out;
}

ScheduleCalibration calibrate_schedule_end(const StateMatrix& s0, double start, int steps,
                                           double target, std::uint64_t seed, const Pace& pace) {
  double lo = start, hi = kMaxScheduleEnd;
  if (!(lo < hi)) throw std::invalid_argument("schedule start must be below 2 pi to calibrate");
  // The two ends, then one evaluation per halving of [lo, hi] down to 1e-6: for the pace.
  const int expected = 2 + static_cast<int>(std::ceil(std::log2((hi - lo) / 1e-6)));
  int evaluations = 0;
  auto terminal = [&](double end) {
    const double from = std::min(1.0, static_cast<double>(evaluations) / expected);
    const double to = std::min(1.0, static_cast<double>(evaluations + 1) / expected);
    ++evaluations;
    const double mid = from + 0.5 * (to - from);
    const StateMatrix last =
        diffuse_to_end(s0, linear_schedule(start, end, steps), seed, part_of(pace, from, mid));
    return mmd_to_haar(last, part_of(pace, mid, to));
  };
  double f_lo = terminal(lo), f_hi = terminal(hi);
  auto num = [](double x) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.4g", x);
    return std::string(buf);
  };
  if (f_lo < target) {
    throw std::invalid_argument("the schedule's start " + num(start) +
                                " alone already brings mmd_to_haar to " + num(f_lo) +
                                ", below the target " + num(target));
  }
  if (f_hi > target) {
    throw std::invalid_argument("even the end 2 pi leaves mmd_to_haar at " + num(f_hi) +
                                ", above the target " + num(target));
  }
  while (hi - lo > 1e-6) {
    const double mid = 0.5 * (lo + hi);
    const double f = terminal(mid);
    (f > target ? lo : hi) = mid;
    (f > target ? f_lo : f_hi) = f;
  }
  const bool take_lo = std::abs(f_lo - target) <= std::abs(f_hi - target);
  return {take_lo ? lo : hi, take_lo ? f_lo : f_hi, evaluations};
}

}  // namespace quddpm
