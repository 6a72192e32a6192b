// Forward diffusion (scrambling) of SPEC section 3.
#pragma once

#include <cstdint>
#include <vector>

#include "core/types.hpp"

namespace quddpm {

// h_1..h_T with h_t = start + (end - start)(t-1)/(T-1) (h_1 = start when T = 1).
std::vector<double> linear_schedule(double start, double end, int steps);

// The Markov chain S_0 -> S_1 -> ... -> S_T in one pass: returns all T+1 ensembles
// (element 0 is s0 itself). State i draws its angles from stream_key(seed, {i}) only.
std::vector<StateMatrix> diffuse_chain(const StateMatrix& s0, const std::vector<double>& h,
                                       std::uint64_t seed);

// Only the terminal ensemble S_T (same random streams as diffuse_chain).
StateMatrix diffuse_to_end(const StateMatrix& s0, const std::vector<double>& h, std::uint64_t seed);

// One step applied to one state with explicit angles (for tests and the reference path):
// per data qubit q RZ(h a[3q]) RY(h a[3q+1]) RZ(h a[3q+2]), then RZZ(h g / (2 sqrt n)) on
// every pair when n >= 2.
void diffusion_step(cplx* psi, int n, double h, const double* a, double g);

}  // namespace quddpm
