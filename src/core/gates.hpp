// Gate matrices in docs/model.md's conventions (section 1): RX(a) = exp(-i a X/2), RY(a) = exp(-i a
// Y/2), RZ(a) = exp(-i a Z/2), RZZ(a) = exp(-i a Z(x)Z/2), CZ = diag(1, 1, 1, -1).
#pragma once

#include <cmath>

#include "core/types.hpp"

namespace quddpm {

// A single-qubit gate [[m00, m01], [m10, m11]] acting on (|0>, |1>) of its target.
struct Gate2x2 {
  cplx m00, m01, m10, m11;

  Gate2x2 adjoint() const {
    return {std::conj(m00), std::conj(m10), std::conj(m01), std::conj(m11)};
  }
  // Matrix product this * other (other acts first).
  Gate2x2 operator*(const Gate2x2& o) const {
    return {m00 * o.m00 + m01 * o.m10, m00 * o.m01 + m01 * o.m11, m10 * o.m00 + m11 * o.m10,
            m10 * o.m01 + m11 * o.m11};
  }
};

enum class Pauli { X, Y, Z };

inline Gate2x2 gate_rx(double a) {
  const double c = std::cos(a / 2), s = std::sin(a / 2);
  return {{c, 0}, {0, -s}, {0, -s}, {c, 0}};
}
inline Gate2x2 gate_ry(double a) {
  const double c = std::cos(a / 2), s = std::sin(a / 2);
  return {{c, 0}, {-s, 0}, {s, 0}, {c, 0}};
}
inline Gate2x2 gate_rz(double a) {
  const double c = std::cos(a / 2), s = std::sin(a / 2);
  return {{c, -s}, {0, 0}, {0, 0}, {c, s}};
}
// exp(-i a P / 2) for a Pauli generator P.
inline Gate2x2 gate_rotation(Pauli p, double a) {
  switch (p) {
    case Pauli::X:
      return gate_rx(a);
    case Pauli::Y:
      return gate_ry(a);
    default:
      return gate_rz(a);
  }
}

}  // namespace quddpm
