// Basic numeric types shared by every layer.
#pragma once

#include <Eigen/Dense>
#include <complex>
#include <cstddef>
#include <cstdint>

namespace quddpm {

using cplx = std::complex<double>;

// An ensemble of N pure states on k qubits: row i is state i, contiguous in memory
// (row-major), so one state is one contiguous run of 2^k amplitudes.
using StateMatrix = Eigen::Matrix<cplx, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
using RealMatrix = Eigen::MatrixXd;
using RealVector = Eigen::VectorXd;

// Hilbert-space dimension 2^k.
inline std::size_t dim_of(int nqubits) {
  return std::size_t{1} << nqubits;
}

// Bit position of qubit q in a basis index: qubit 0 is the most significant bit.
inline int bit_of(int nqubits, int qubit) {
  return nqubits - 1 - qubit;
}

}  // namespace quddpm
