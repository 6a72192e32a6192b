// Observables of an ensemble, state by state (docs/model.md, section 7): the fidelity with a
// basis state, the expectation of a Pauli string and the magnetization, each summarized over
// the ensemble (mean, sd) and as a histogram of its per-state values.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "core/types.hpp"

namespace quddpm {

enum class ObservableKind { BasisFidelity, Pauli, Magnetization };

struct Observable {
  ObservableKind kind = ObservableKind::Magnetization;
  // BasisFidelity: the bit string x, one character per data qubit, qubit 0 first (the most
  // significant bit of the amplitude index).
  std::string bits;
  // Pauli: the product such as "Y0" or "Z0Z1": X, Y or Z followed by a data qubit, each qubit
  // at most once.
  std::string pauli;
  int bins = 10;  // of its histograms
};

// One Pauli factor: 'X', 'Y' or 'Z' on a qubit.
using PauliFactor = std::pair<char, int>;

// The factors of a Pauli string on n qubits; throws invalid_argument saying what is wrong (an
// empty string, a letter other than X, Y, Z, a missing or out-of-range qubit, a qubit twice).
std::vector<PauliFactor> parse_pauli(const std::string& text, int n_qubits);
// Why a bit string is not one of n qubits ("" when it is).
std::string bits_problem(const std::string& bits, int n_qubits);

// Per-state values: |<x|psi>|^2, <psi|P|psi> (real: P is Hermitian), and
// M = sum_x |psi_x|^2 |(1/n) sum_i (2 x_i - 1)|.
RealVector basis_fidelities(const StateMatrix& states, const std::string& bits);
RealVector pauli_expectations(const StateMatrix& states, const std::vector<PauliFactor>& factors);
RealVector magnetizations(const StateMatrix& states);

// One measured quantity of an observable: a Pauli string gives two, <P> and <P>^2.
struct ObservableValues {
  std::string name;  // "basis_fidelity:0101", "pauli:Z0Z1", "pauli_squared:Z0Z1", "magnetization"
  double lo, hi;     // the histogram's range: [-1, 1] for <P>, [0, 1] for the others
  int bins;
  RealVector values;  // one per state
};

// The quantities of each observable on the ensemble, in the order given.
std::vector<ObservableValues> measure(const std::vector<Observable>& observables,
                                      const StateMatrix& states);

// Mean and standard deviation over the states (population: divided by N), summed in state order.
struct MeanSd {
  double mean, sd;
};
MeanSd mean_sd(const RealVector& values);

// Counts of the values in `bins` equal bins of [lo, hi]: bin k holds
// lo + k w <= v < lo + (k+1) w (w = (hi - lo) / bins), the last bin also v = hi; values outside
// the range (by rounding) count in the nearest end bin.
std::vector<long long> histogram(const RealVector& values, double lo, double hi, int bins);

}  // namespace quddpm
