// Operations on whole ensembles (rows of a StateMatrix).
#pragma once

#include "core/types.hpp"

namespace quddpm {

// Number of qubits of an ensemble whose rows have 2^k columns; throws if not a power of 2.
int qubits_of(const StateMatrix& states);

// |<a_i|b_j>|^2 for every pair: an rows(A) x rows(B) real matrix.
RealMatrix overlap_sq(const StateMatrix& a, const StateMatrix& b);

// Euclidean norm of each row.
RealVector row_norms(const StateMatrix& states);

// Divides every row by its norm.
void normalize_rows(StateMatrix& states);

}  // namespace quddpm
