// Plain reference kernels: one pair or one amplitude at a time, std::complex arithmetic (in
// the amplitudes' precision, with the gate rounded to it).
#include <algorithm>
#include <limits>

#include "core/kernels/kernels.hpp"

namespace quddpm::reference {

template <class T>
void apply_1q(std::complex<T>* psi, int nq, int q, const Gate2x2& g) {
  using A = std::complex<T>;
  const A m00(g.m00), m01(g.m01), m10(g.m10), m11(g.m11);
  const std::size_t step = std::size_t{1} << bit_of(nq, q);
  const std::size_t d = dim_of(nq);
  for (std::size_t i0 = 0; i0 < d; ++i0) {
    if (i0 & step) continue;
    const std::size_t i1 = i0 | step;
    const A a = psi[i0], b = psi[i1];
    psi[i0] = m00 * a + m01 * b;
    psi[i1] = m10 * a + m11 * b;
  }
}

void apply_rzz(cplx* psi, int nq, int q1, int q2, double angle) {
  const std::size_t b1 = std::size_t{1} << bit_of(nq, q1);
  const std::size_t b2 = std::size_t{1} << bit_of(nq, q2);
  const cplx same = std::polar(1.0, -angle / 2), differ = std::polar(1.0, angle / 2);
  for (std::size_t i = 0; i < dim_of(nq); ++i) {
    const bool z1 = (i & b1) != 0, z2 = (i & b2) != 0;
    psi[i] *= (z1 == z2) ? same : differ;
  }
}

template <class T>
void apply_cz(std::complex<T>* psi, int nq, int q1, int q2) {
  const std::size_t b1 = std::size_t{1} << bit_of(nq, q1);
  const std::size_t b2 = std::size_t{1} << bit_of(nq, q2);
  for (std::size_t i = 0; i < dim_of(nq); ++i)
    if ((i & b1) && (i & b2)) psi[i] = -psi[i];
}

template <class T>
cplx expectation_pauli(const std::complex<T>* lambda, const std::complex<T>* psi, int nq, int q,
                       Pauli p) {
  const std::size_t step = std::size_t{1} << bit_of(nq, q);
  const cplx I(0, 1);
  cplx acc = 0;  // in double whatever the amplitudes' precision
  for (std::size_t i = 0; i < dim_of(nq); ++i) {
    const bool one = (i & step) != 0;
    cplx ppsi;  // (P psi)_i
    switch (p) {
      case Pauli::X:
        ppsi = cplx(psi[i ^ step]);
        break;
      case Pauli::Y:
        ppsi = one ? I * cplx(psi[i ^ step]) : -I * cplx(psi[i ^ step]);
        break;
      default:
        ppsi = one ? -cplx(psi[i]) : cplx(psi[i]);
    }
    acc += std::conj(cplx(lambda[i])) * ppsi;
  }
  return acc;
}

template <class T>
void apply_adjacent_cz(std::complex<T>* psi, int nq) {
  for (int q = 0; q + 1 < nq; ++q)
    reference::apply_cz(psi, nq, q, q + 1);
}

template <class T>
AdjointReads adjoint_undo(std::complex<T>* lambda, std::complex<T>* psi, int nq, int q,
                          const Gate2x2& undo) {
  AdjointReads r{};
  r.y_before = reference::expectation_pauli(lambda, psi, nq, q, Pauli::Y).imag();
  reference::apply_1q(lambda, nq, q, undo);
  reference::apply_1q(psi, nq, q, undo);
  r.x_after = reference::expectation_pauli(lambda, psi, nq, q, Pauli::X).imag();
  return r;
}

template <class T>
void apply_1q_then_adjacent_cz(std::complex<T>* psi, int nq, const Gate2x2& g) {
  reference::apply_1q(psi, nq, nq - 1, g);
  reference::apply_adjacent_cz(psi, nq);
}

template <class T>
AdjointReads adjacent_cz_then_adjoint_undo(std::complex<T>* lambda, std::complex<T>* psi, int nq,
                                           const Gate2x2& undo) {
  reference::apply_adjacent_cz(lambda, nq);
  reference::apply_adjacent_cz(psi, nq);
  return reference::adjoint_undo(lambda, psi, nq, nq - 1, undo);
}

// sum_{k < n} term(k), in order from k = 0: both ensemble products are such sums per entry.
template <class Term>
cplx sum_of(std::int64_t n, Term term) {
  cplx acc = 0;
  for (std::int64_t k = 0; k < n; ++k)
    acc += term(k);
  return acc;
}

void gram_rows(const cplx* a, std::int64_t na, const cplx* b, std::int64_t nb, std::int64_t d,
               cplx* out) {
  for (std::int64_t i = 0; i < na; ++i)
    for (std::int64_t j = 0; j < nb; ++j)
      out[i * nb + j] =
          sum_of(d, [&](std::int64_t x) { return a[i * d + x] * std::conj(b[j * d + x]); });
}

void overlap_sq_rows(const cplx* a, std::int64_t na, const cplx* b, std::int64_t nb, std::int64_t d,
                     double* sums) {
  for (std::int64_t i = 0; i < na; ++i) {
    double acc = 0;
    for (std::int64_t j = 0; j < nb; ++j)
      acc += std::norm(
          sum_of(d, [&](std::int64_t x) { return a[i * d + x] * std::conj(b[j * d + x]); }));
    sums[i] = acc;
  }
}

void combine_rows(const cplx* c, std::int64_t n, const cplx* rows, std::int64_t m, std::int64_t d,
                  cplx* out) {
  for (std::int64_t i = 0; i < n; ++i)
    for (std::int64_t x = 0; x < d; ++x)
      out[i * d + x] = sum_of(m, [&](std::int64_t k) { return c[i * m + k] * rows[k * d + x]; });
}

// Two passes, as the definition reads: the maximum and its first index, then the maximum of
// the rest.
BestTwo best_two_profits(const double* values, const double* prices, std::int64_t n) {
  constexpr double kLowest = -std::numeric_limits<double>::infinity();
  BestTwo t{kLowest, kLowest, 0};
  for (std::int64_t j = 0; j < n; ++j)
    if (values[j] - prices[j] > t.best) {
      t.best = values[j] - prices[j];
      t.at = j;
    }
  for (std::int64_t j = 0; j < n; ++j)
    if (j != t.at) t.second = std::max(t.second, values[j] - prices[j]);
  return t;
}

#define QUDDPM_REFERENCE_KERNELS(T)                                                            \
  template void apply_1q(std::complex<T>*, int, int, const Gate2x2&);                          \
  template void apply_cz(std::complex<T>*, int, int, int);                                     \
  template void apply_adjacent_cz(std::complex<T>*, int);                                      \
  template cplx expectation_pauli(const std::complex<T>*, const std::complex<T>*, int, int,    \
                                  Pauli);                                                      \
  template AdjointReads adjoint_undo(std::complex<T>*, std::complex<T>*, int, int,             \
                                     const Gate2x2&);                                          \
  template void apply_1q_then_adjacent_cz(std::complex<T>*, int, const Gate2x2&);              \
  template AdjointReads adjacent_cz_then_adjoint_undo(std::complex<T>*, std::complex<T>*, int, \
                                                      const Gate2x2&);
QUDDPM_REFERENCE_KERNELS(double)
QUDDPM_REFERENCE_KERNELS(float)
#undef QUDDPM_REFERENCE_KERNELS

}  // namespace quddpm::reference
