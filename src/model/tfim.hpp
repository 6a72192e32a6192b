// Ground states of the transverse-field Ising chain (docs/model.md, section 2):
// H = -sum_bonds Z_i Z_j - g sum_i X_i on n qubits, bonds (i, i+1) for i = 0..n-2 (open) or
// (i, i+1 mod n) for i = 0..n-1 (periodic).
#pragma once

#include "core/types.hpp"

namespace quddpm {

enum class TfimBoundary { Open, Periodic };

// Largest chain the solver takes (Lanczos on a 2^15-dimensional space).
inline constexpr int kMaxTfimQubits = 16;
// Up to this n the solver diagonalizes a dense matrix, beyond it runs Lanczos.
inline constexpr int kMaxDenseTfimQubits = 6;

enum class TfimSolver { Auto, Dense, Lanczos };

struct TfimGroundState {
  RealVector state;  // 2^n real amplitudes, normalized, the largest positive
  double energy;     // <state| H |state>, the lowest eigenvalue of H in the even sector
};

// The ground state of H in the sector of even parity prod_i X_i = +1, for g >= 0. For g > 0 it
// is the ground state of H (unique, with positive amplitudes: Perron-Frobenius, since every
// off-diagonal element -g is <= 0 and X moves between any two basis states); at g = 0 it is
// the GHZ state (|0..0> + |1..1>)/sqrt 2, the g -> 0 limit. The sign is fixed by making the
// largest amplitude positive, so the result is the same on every call and machine. Auto: dense
// up to kMaxDenseTfimQubits, Lanczos (Spectra) beyond; Lanczos needs n >= 2. Throws
// std::invalid_argument for n outside 1..kMaxTfimQubits, a negative or non-finite g, or a
// solver that fails to converge.
TfimGroundState tfim_ground_state(int n, double g, TfimBoundary boundary,
                                  TfimSolver solver = TfimSolver::Auto);

}  // namespace quddpm
