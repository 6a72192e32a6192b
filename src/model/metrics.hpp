// Distances between ensembles (docs/model.md, section 6).
#pragma once

#include "core/pace.hpp"
#include "core/types.hpp"

namespace quddpm {

// MMD(A, B) = mean |<a|a'>|^2 + mean |<b|b'>|^2 - 2 mean |<a|b>|^2, diagonals included.
// A pace (core/pace.hpp) hears how far it is and may stop it (large ensembles).
double mmd(const StateMatrix& a, const StateMatrix& b, const Pace& pace = {});

// The same from the squared overlaps |<a|a'>|^2, |<b|b'>|^2, |<a|b>|^2 already at hand (the
// training loss, whose Gram matrices also give its gradient).
double mmd_from_overlaps(const RealMatrix& aa, const RealMatrix& bb, const RealMatrix& ab);

// mean_{i != i'} |<a_i|a_i'>|^2 - 1/d: zero in expectation for Haar states. Needs >= 2 rows.
double mmd_to_haar(const StateMatrix& a, const Pace& pace = {});

// KL(target || model) of the computational-basis distributions, smoothed by 1e-10.
double kl_divergence(const StateMatrix& target, const StateMatrix& model);

// P(x) = mean_i |<x|s_i>|^2, the ensemble's computational-basis distribution.
RealVector basis_distribution(const StateMatrix& s);

}  // namespace quddpm
