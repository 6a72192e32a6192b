// Distances between ensembles (docs/model.md, section 6).
#pragma once

#include "core/ensemble_ops.hpp"
#include "core/pace.hpp"
#include "core/types.hpp"

namespace quddpm {

// MMD(A, B) = mean |<a|a'>|^2 + mean |<b|b'>|^2 - 2 mean |<a|b>|^2, diagonals included.
// A pace (core/pace.hpp) hears how far it is and may stop it (large ensembles).
double mmd(const StateMatrix& a, const StateMatrix& b, const Pace& pace = {});

// The same with the ensembles' own sums of squared overlaps at hand (self_overlap_sq_sum, which
// an ensemble compared with several others needs once): only the cross term is computed.
// mmd(a, b) is mmd(a, self_overlap_sq_sum(a), b, self_overlap_sq_sum(b)) bit for bit.
double mmd(const StateMatrix& a, const SelfOverlapSq& aa, const StateMatrix& b,
           const SelfOverlapSq& bb, const Pace& pace = {});

// The same from the squared overlaps |<a|a'>|^2, |<b|b'>|^2, |<a|b>|^2 already at hand (the
// training loss, whose Gram matrices also give its gradient).
double mmd_from_overlaps(const RealMatrix& aa, const RealMatrix& bb, const RealMatrix& ab);

// W(A, B) = min_P sum_ij P_ij (1 - |<a_i|b_j>|^2) over plans P with row sums 1/N_a and column
// sums 1/N_b: the exact optimal-transport cost (model/transport.hpp), as the official code's
// ot.emd2. A pace hears the overlaps (the transport solve itself is one piece).
double wasserstein(const StateMatrix& a, const StateMatrix& b, const Pace& pace = {});

// mean_{i != i'} |<a_i|a_i'>|^2 - 1/d: zero in expectation for Haar states. Needs >= 2 rows.
double mmd_to_haar(const StateMatrix& a, const Pace& pace = {});

// The same from the ensemble's own sums of squared overlaps (self_overlap_sq_sum(a)), bit for bit.
double mmd_to_haar(const StateMatrix& a, const SelfOverlapSq& aa);

// KL(target || model) of the computational-basis distributions, smoothed by 1e-10.
double kl_divergence(const StateMatrix& target, const StateMatrix& model);

// P(x) = mean_i |<x|s_i>|^2, the ensemble's computational-basis distribution.
RealVector basis_distribution(const StateMatrix& s);

}  // namespace quddpm
