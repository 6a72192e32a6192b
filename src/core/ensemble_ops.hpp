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

// a a^dagger, the same bits as gram(a, a) for about half its work: the kernels sum entry (j, i)
// from the same products in the same order as (i, j), so it is exactly conj (i, j) (pinned
// by the tests on every kernel table), and only the entries on and above the diagonal are
// computed.
StateMatrix self_gram(const StateMatrix& a);

// The entries (i, j >= i) of rows [lo, hi) of a a^dagger into the square g (its other entries
// left as they are), in parallel over blocks of rows; then mirror_upper(g) completes it.
void self_gram_upper_rows(const StateMatrix& a, std::int64_t lo, std::int64_t hi, StateMatrix& g);

// Sets each entry below the diagonal of the square g to the conjugate of its mirror image.
void mirror_upper(StateMatrix& g);

// c rows: row i is sum_k c_ik rows_k (k in order), in parallel over i.
StateMatrix combine(const StateMatrix& c, const StateMatrix& rows);

// |<a_i|b_j>|^2 for every pair: an rows(A) x rows(B) real matrix. With a pace, in pieces of
// rows of A (the same numbers either way).
RealMatrix overlap_sq(const StateMatrix& a, const StateMatrix& b, const Pace& pace = {});

// sum_ij |<a_i|b_j>|^2 over every pair, with no matrix stored: blocks of rows of a, in
// parallel, through the kernel table's overlap_sq_rows against chunks of kOverlapSumChunk rows
// of b; each row's total is the pairwise sum of its chunks' sums and the result the pairwise
// sum of the rows' totals, a fixed order: the same bits for any thread count and any pace
// (which hears the fraction of rows of a done and may stop the work between pieces).
double overlap_sq_sum(const StateMatrix& a, const StateMatrix& b, const Pace& pace = {});

// The same sum of one ensemble with itself for about half the work: its rows in fixed blocks
// (of 32), each block against the rows after it and against itself. Each part is summed as
// overlap_sq_sum sums; the same bits for any thread count and any pace.
struct SelfOverlapSq {
  double across;    // sum over i < j in different blocks of |<a_i|a_j>|^2
  double within;    // sum over (i, j) in the same block, both orders and i = j
  double diagonal;  // sum_i |<a_i|a_i>|^2, as sum_i (sum_x |a_ix|^2)^2
  // sum_ij |<a_i|a_j>|^2
  double total() const { return 2 * across + within; }
  // sum_{i < j} |<a_i|a_j>|^2
  double upper() const { return across + (within - diagonal) / 2; }
};
SelfOverlapSq self_overlap_sq_sum(const StateMatrix& a, const Pace& pace = {});

// Rows of b whose squared overlaps with a row of a are summed together before the pairwise sums.
constexpr std::int64_t kOverlapSumChunk = 512;

// Euclidean norm of each row.
RealVector row_norms(const StateMatrix& states);

// Divides every row by its norm.
void normalize_rows(StateMatrix& states);

}  // namespace quddpm
