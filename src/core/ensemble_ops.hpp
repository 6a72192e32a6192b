// Operations on whole ensembles (rows of a StateMatrix).
#pragma once

#include "core/pace.hpp"
#include "core/types.hpp"

namespace quddpm {

// Number of qubits of an ensemble whose rows have 2^k columns; throws if not a power of 2.
int qubits_of(const StateMatrix& states);

// a b^dagger: entry (i, j) = sum_x a_ix conj(b_jx) = <b_j|a_i>, an rows(A) x rows(B) matrix
// (row-major). Rows are computed in parallel, each by the active kernel table in a fixed
// order, so the result does not depend on the thread count.
StateMatrix gram(const StateMatrix& a, const StateMatrix& b);

// c rows: row i is sum_k c_ik rows_k (k in order), in parallel over i.
StateMatrix combine(const StateMatrix& c, const StateMatrix& rows);

// |<a_i|b_j>|^2 for every pair: an rows(A) x rows(B) real matrix. With a pace, in pieces of
// rows of A (the same numbers either way).
RealMatrix overlap_sq(const StateMatrix& a, const StateMatrix& b, const Pace& pace = {});

// Euclidean norm of each row.
RealVector row_norms(const StateMatrix& states);

// Divides every row by its norm.
void normalize_rows(StateMatrix& states);

}  // namespace quddpm
