// One object per instruction set, each holding the fast kernels compiled for it. The table is
// chosen once, at the first kernel call (the fastest the CPU supports) or by select_kernels
// (QUDDPM_ISA in the app), and every algorithm goes through it; tests walk all tables
// the CPU supports and hold each against the plain reference kernels.
#pragma once

#include <complex>
#include <cstdint>
#include <string>
#include <type_traits>
#include <vector>

#include "core/gates.hpp"
#include "core/types.hpp"

namespace quddpm {

// What one step of the adjoint sweep reads at a single-qubit gate G on qubit q, as it applies
// undo = G^dagger to lambda and psi: y_before = Im<lambda|Y_q|psi> with both vectors taken
// before the undo, x_after = Im<lambda|X_q|psi> with both taken after it. For G = RY(b) RX(a)
// these are dL/db and dL/da (docs/gradient.md, section 4): two Pauli reads where the vectors
// before the undo need three, X Y and Z (two multiply-adds a pair of registers fewer).
struct AdjointReads {
  double y_before, x_after;
};

// The best and second-best of values[j] - prices[j] over j in [0, n): best at the first j that
// attains it, second the largest over every other j (= best on a tie; -infinity for n = 1).
// Values and prices are integers below 2^52 in size held in doubles, so every difference and
// comparison is exact and every table returns the same three numbers: the bid of the auction's
// assignment solver (model/assignment.hpp). Doubles, not 64-bit integers, because AVX2 has
// no 64-bit integer maximum (emulated, the auction took 1.4 times as long).
struct BestTwo {
  double best, second;
  std::int64_t at;
};

// The kernels of one instruction set for amplitudes of type std::complex<T>. Gates come in
// double and are rounded to T inside; the adjoint reads are returned in double.
template <class T>
struct KernelFns {
  using Amp = std::complex<T>;
  void (*apply_1q)(Amp* psi, int nq, int q, const Gate2x2& g);
  void (*apply_adjacent_cz)(Amp* psi, int nq);
  AdjointReads (*adjoint_undo)(Amp* lambda, Amp* psi, int nq, int q, const Gate2x2& undo);
  void (*apply_1q_then_adjacent_cz)(Amp* psi, int nq, const Gate2x2& g);
  AdjointReads (*adjacent_cz_then_adjoint_undo)(Amp* lambda, Amp* psi, int nq, const Gate2x2& undo);
};

struct KernelTable {
  // "avx512", "avx2", "sse4", "baseline" (EMU128, where Highway builds it), "neon", ... for
  // the Highway targets; "portable" for the scalar loops; "reference" for the yardstick.
  const char* name;
  KernelFns<double> f64;  // double precision (the default)
  KernelFns<float> f32;   // single precision (config key precision = "single")
  // Ensemble products (double), on a block of rows at a time so that each row of the other
  // operand, read once, serves the whole block. Matrices are row-major, d amplitudes a row.
  // gram_rows: out (na x nb) = a b^dagger, out[i][j] = sum_x a_i[x] conj(b_j[x]).
  void (*gram_rows)(const cplx* a, std::int64_t na, const cplx* b, std::int64_t nb, std::int64_t d,
                    cplx* out);
  // overlap_sq_rows: sums (na) = the squared moduli of a b^dagger's entries summed along each
  // row, sums[i] = sum_j |<b_j|a_i>|^2 (j in order from 0, in double), with no matrix stored:
  // the metrics' sums of squared overlaps. Each row's arithmetic does not depend on the other
  // rows of a (neither on na nor on where the row lies), so callers may group rows as they like.
  void (*overlap_sq_rows)(const cplx* a, std::int64_t na, const cplx* b, std::int64_t nb,
                          std::int64_t d, double* sums);
  // combine_rows: out (n x d) = c rows, out_i[x] = sum_k c[i][k] rows_k[x] (k in order) for
  // the n x m coefficients c and the m rows `rows`.
  void (*combine_rows)(const cplx* c, std::int64_t n, const cplx* rows, std::int64_t m,
                       std::int64_t d, cplx* out);
  // best_two_profits: BestTwo above (integer values and prices below 2^52 in size).
  BestTwo (*best_two_profits)(const double* values, const double* prices, std::int64_t n);
  // Each entry's arithmetic (its summation order) does not depend on how rows are grouped into
  // blocks, so callers may split the rows as they like without changing any bit.

  template <class T>
  const KernelFns<T>& fns() const {
    if constexpr (std::is_same_v<T, float>)
      return f32;
    else
      return f64;
  }
};

// A table compiled into this binary, and whether this CPU can run it.
struct CompiledKernels {
  const KernelTable* table;
  bool supported;
};

// Every fast table in the binary, fastest first (the SIMD targets, then "portable").
std::vector<CompiledKernels> compiled_kernel_tables();
// The ones this CPU can run, fastest first.
std::vector<const KernelTable*> supported_kernel_tables();
// The plain one-pair-at-a-time kernels (the tests' truth; never chosen automatically).
const KernelTable& reference_kernels();

// The table every kernel call goes through.
const KernelTable& active_kernels();
// Makes the table called `name` the active one; throws std::invalid_argument, naming the
// tables this CPU supports, when there is no such table or the CPU cannot run it.
void select_kernels(const std::string& name);
// "avx512, avx2, sse4, baseline, portable": the names select_kernels accepts here.
std::string supported_kernel_names();

}  // namespace quddpm
