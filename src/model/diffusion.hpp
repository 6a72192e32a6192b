// Forward diffusion (scrambling) of docs/model.md, section 3.
#pragma once

#include <cmath>
#include <cstdint>
#include <vector>

#include "core/pace.hpp"
#include "core/types.hpp"

namespace quddpm {

// h_1..h_T with h_t = start + (end - start)(t-1)/(T-1). The last step always has strength
// `end`: when T = 1 the single step is h_1 = end (so a calibrated end means the same at any T).
std::vector<double> linear_schedule(double start, double end, int steps);

// h_1..h_T with h_t = scale t^2, scale = end / T^2: keyed, like the linear schedule, by its last
// strength h_T = end, so that `end` means the same at any T.
std::vector<double> quadratic_schedule(double end, int steps);

// Largest schedule end the calibration searches: the angles of a step are h U[-pi/8, pi/8].
inline constexpr double kMaxScheduleEnd = 2 * M_PI;

struct ScheduleCalibration {
  double end;          // the schedule's end value
  double mmd_to_haar;  // the terminal ensemble's mmd_to_haar at that end
  int evaluations;     // forward chains run by the search
};

// The end value of linear_schedule(start, end, steps) at which the terminal ensemble of
// diffuse_to_end(s0, ..., seed) has mmd_to_haar = target: bisection on [start,
// kMaxScheduleEnd] (stronger diffusion scrambles more), to 1e-6 in `end`. Every evaluation
// reuses the same random angles, so the search is deterministic. Throws std::invalid_argument
// when the target is not bracketed (the start alone already goes below it, or the strongest
// end stays above it).
ScheduleCalibration calibrate_schedule_end(const StateMatrix& s0, double start, int steps,
                                           double target, std::uint64_t seed,
                                           const Pace& pace = {});

// The Markov chain S_0 -> S_1 -> ... -> S_T in one pass: returns all T+1 ensembles
// (element 0 is s0 itself). State i draws its angles from stream_key(seed, {i}) only. A pace
// hears how far the chain is, in pieces of states, and may stop it.
std::vector<StateMatrix> diffuse_chain(const StateMatrix& s0, const std::vector<double>& h,
                                       std::uint64_t seed, const Pace& pace = {});

// Only the terminal ensemble S_T (same random streams as diffuse_chain).
StateMatrix diffuse_to_end(const StateMatrix& s0, const std::vector<double>& h, std::uint64_t seed,
                           const Pace& pace = {});

// One step applied to one state with explicit angles (for tests and the reference path):
// per data qubit q RZ(h a[3q]) RY(h a[3q+1]) RZ(h a[3q+2]), then RZZ(h g / (2 sqrt n)) on
// every pair when n >= 2.
void diffusion_step(cplx* psi, int n, double h, const double* a, double g);

}  // namespace quddpm
