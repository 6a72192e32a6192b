// Portable fast kernels: real arithmetic on contiguous runs so the compiler can vectorize,
// long loops split across threads by the parallel policy. Also the kernels that have a
// single fast implementation.
#include <algorithm>
#include <limits>

#include "core/kernels/kernels.hpp"
#include "core/parallel.hpp"

namespace quddpm {

namespace {

// Visits the amplitude pairs (i0, i0 + stride) of the target whose bit is `p`, as
// contiguous runs: f(a, b, len) with a = &psi[i0], b = &psi[i0 + stride].
template <class A, class F>
void for_each_pair_run(A* psi, int nq, int p, F&& f) {
  const std::int64_t stride = std::int64_t{1} << p;
  const std::int64_t pairs = std::int64_t{1} << (nq - 1);
  par::for_each_amplitude_range(pairs, [&](std::int64_t lo, std::int64_t hi) {
    std::int64_t i = lo;
    while (i < hi) {
      const std::int64_t j = i & (stride - 1);
      const std::int64_t len = std::min(stride - j, hi - i);
      const std::int64_t i0 = ((i >> p) << (p + 1)) | j;
      f(psi + i0, psi + i0 + stride, len);
      i += len;
    }
  });
}

}  // namespace

template <class T>
void portable::apply_1q(std::complex<T>* psi, int nq, int q, const Gate2x2& g) {
  const T m00r = g.m00.real(), m00i = g.m00.imag(), m01r = g.m01.real(), m01i = g.m01.imag();
  const T m10r = g.m10.real(), m10i = g.m10.imag(), m11r = g.m11.real(), m11i = g.m11.imag();
  for_each_pair_run(
      psi, nq, bit_of(nq, q), [&](std::complex<T>* a, std::complex<T>* b, std::int64_t len) {
        T* __restrict pa = reinterpret_cast<T*>(a);
        T* __restrict pb = reinterpret_cast<T*>(b);
        for (std::int64_t k = 0; k < len; ++k) {
          const T ar = pa[2 * k], ai = pa[2 * k + 1], br = pb[2 * k], bi = pb[2 * k + 1];
          pa[2 * k] = m00r * ar - m00i * ai + m01r * br - m01i * bi;
          pa[2 * k + 1] = m00r * ai + m00i * ar + m01r * bi + m01i * br;
          pb[2 * k] = m10r * ar - m10i * ai + m11r * br - m11i * bi;
          pb[2 * k + 1] = m10r * ai + m10i * ar + m11r * bi + m11i * br;
        }
      });
}

void apply_weight_phase(cplx* psi, int nq, const cplx* phase) {
  par::for_each_amplitude_range(dim_of(nq), [&](std::int64_t lo, std::int64_t hi) {
    for (std::int64_t b = lo; b < hi; ++b)
      psi[b] *= phase[__builtin_popcountll(static_cast<std::uint64_t>(b))];
  });
}

template <class T>
void portable::apply_adjacent_cz(std::complex<T>* psi, int nq) {
  par::for_each_amplitude_range(dim_of(nq), [&](std::int64_t lo, std::int64_t hi) {
    for (std::int64_t b = lo; b < hi; ++b)
      if (__builtin_popcountll(b & (b >> 1)) & 1) psi[b] = -psi[b];
  });
}

template <class T>
AdjointReads portable::adjoint_undo(std::complex<T>* lambda, std::complex<T>* psi, int nq, int q,
                                    const Gate2x2& undo) {
  // (Two reading passes: this loop serves states too small for the SIMD kernels.)
  const double y = expectation_xyz(lambda, psi, nq, q).y.imag();
  portable::apply_1q(lambda, nq, q, undo);
  portable::apply_1q(psi, nq, q, undo);
  return {y, expectation_xyz(lambda, psi, nq, q).x.imag()};
}

template <class T>
void portable::apply_1q_then_adjacent_cz(std::complex<T>* psi, int nq, const Gate2x2& g) {
  portable::apply_1q(psi, nq, nq - 1, g);
  portable::apply_adjacent_cz(psi, nq);
}

template <class T>
AdjointReads portable::adjacent_cz_then_adjoint_undo(std::complex<T>* lambda, std::complex<T>* psi,
                                                     int nq, const Gate2x2& undo) {
  portable::apply_adjacent_cz(lambda, nq);
  portable::apply_adjacent_cz(psi, nq);
  return portable::adjoint_undo(lambda, psi, nq, nq - 1, undo);
}

template <class T>
PauliReads expectation_xyz(const std::complex<T>* lambda, const std::complex<T>* psi, int nq,
                           int q) {
  const std::int64_t stride = std::int64_t{1} << bit_of(nq, q);
  const std::int64_t d = dim_of(nq);
  // Accumulate the four cross products conj(l_a) s_b; X, Y, Z are combinations of them.
  double r00 = 0, i00 = 0, r01 = 0, i01 = 0, r10 = 0, i10 = 0, r11 = 0, i11 = 0;
  for (std::int64_t base = 0; base < d; base += 2 * stride) {
    const T* __restrict l0 = reinterpret_cast<const T*>(lambda + base);
    const T* __restrict l1 = reinterpret_cast<const T*>(lambda + base + stride);
    const T* __restrict s0 = reinterpret_cast<const T*>(psi + base);
    const T* __restrict s1 = reinterpret_cast<const T*>(psi + base + stride);
    for (std::int64_t k = 0; k < stride; ++k) {
      const double l0r = l0[2 * k], l0i = l0[2 * k + 1], l1r = l1[2 * k], l1i = l1[2 * k + 1];
      const double s0r = s0[2 * k], s0i = s0[2 * k + 1], s1r = s1[2 * k], s1i = s1[2 * k + 1];
      r00 += l0r * s0r + l0i * s0i;
      i00 += l0r * s0i - l0i * s0r;
      r01 += l0r * s1r + l0i * s1i;
      i01 += l0r * s1i - l0i * s1r;
      r10 += l1r * s0r + l1i * s0i;
      i10 += l1r * s0i - l1i * s0r;
      r11 += l1r * s1r + l1i * s1i;
      i11 += l1r * s1i - l1i * s1r;
    }
  }
  const cplx c00(r00, i00), c01(r01, i01), c10(r10, i10), c11(r11, i11);
  const cplx I(0, 1);
  return {c01 + c10, -I * c01 + I * c10, c00 - c11};
}

template <class T>
double norm2(const std::complex<T>* a, std::size_t n) {
  double acc = 0;
  for (std::size_t i = 0; i < n; ++i)
    acc += std::norm(std::complex<double>(a[i]));
  return acc;
}

cplx inner(const cplx* a, const cplx* b, std::size_t n) {
  double re = 0, im = 0;
  for (std::size_t i = 0; i < n; ++i) {
    re += a[i].real() * b[i].real() + a[i].imag() * b[i].imag();
    im += a[i].real() * b[i].imag() - a[i].imag() * b[i].real();
  }
  return {re, im};
}

void portable::gram_rows(const cplx* a_rows, std::int64_t na, const cplx* b, std::int64_t nb,
                         std::int64_t d, cplx* out) {
  for (std::int64_t i = 0; i < na; ++i) {
    const cplx* a = a_rows + i * d;
    for (std::int64_t j = 0; j < nb; ++j) {
      const cplx* bj = b + j * d;
      double re = 0, im = 0;
      for (std::int64_t x = 0; x < d; ++x) {
        re += a[x].real() * bj[x].real() + a[x].imag() * bj[x].imag();
        im += a[x].imag() * bj[x].real() - a[x].real() * bj[x].imag();
      }
      out[i * nb + j] = {re, im};
    }
  }
}

void portable::overlap_sq_rows(const cplx* a_rows, std::int64_t na, const cplx* b, std::int64_t nb,
                               std::int64_t d, double* sums) {
  for (std::int64_t i = 0; i < na; ++i) {
    double acc = 0;
    for (std::int64_t j = 0; j < nb; ++j) {
      cplx entry;
      portable::gram_rows(a_rows + i * d, 1, b + j * d, 1, d, &entry);
      acc += entry.real() * entry.real() + entry.imag() * entry.imag();
    }
    sums[i] = acc;
  }
}

void portable::combine_rows(const cplx* c_rows, std::int64_t n, const cplx* rows, std::int64_t m,
                            std::int64_t d, cplx* out_rows) {
  for (std::int64_t i = 0; i < n; ++i) {
    const cplx* c = c_rows + i * m;
    double* __restrict o = reinterpret_cast<double*>(out_rows + i * d);
    std::fill(o, o + 2 * d, 0.0);
    for (std::int64_t k = 0; k < m; ++k) {
      const double cr = c[k].real(), ci = c[k].imag();
      const double* __restrict r = reinterpret_cast<const double*>(rows + k * d);
      for (std::int64_t x = 0; x < d; ++x) {
        o[2 * x] += cr * r[2 * x] - ci * r[2 * x + 1];
        o[2 * x + 1] += cr * r[2 * x + 1] + ci * r[2 * x];
      }
    }
  }
}

#define QUDDPM_PORTABLE_KERNELS(T)                                                               \
  template void portable::apply_1q(std::complex<T>*, int, int, const Gate2x2&);                  \
  template void portable::apply_adjacent_cz(std::complex<T>*, int);                              \
  template AdjointReads portable::adjoint_undo(std::complex<T>*, std::complex<T>*, int, int,     \
                                               const Gate2x2&);                                  \
  template void portable::apply_1q_then_adjacent_cz(std::complex<T>*, int, const Gate2x2&);      \
  template AdjointReads portable::adjacent_cz_then_adjoint_undo(                                 \
      std::complex<T>*, std::complex<T>*, int, const Gate2x2&);                                  \
  template PauliReads expectation_xyz(const std::complex<T>*, const std::complex<T>*, int, int); \
  template double norm2(const std::complex<T>*, std::size_t);
QUDDPM_PORTABLE_KERNELS(double)
QUDDPM_PORTABLE_KERNELS(float)
#undef QUDDPM_PORTABLE_KERNELS

// One pass, one value at a time.
BestTwo portable::best_two_profits(const double* values, const double* prices, std::int64_t n) {
  constexpr double kLowest = -std::numeric_limits<double>::infinity();
  BestTwo t{kLowest, kLowest, 0};
  for (std::int64_t j = 0; j < n; ++j) {
    const double v = values[j] - prices[j];
    if (v > t.best) {
      t.second = t.best;
      t.best = v;
      t.at = j;
    } else {
      t.second = std::max(t.second, v);
    }
  }
  return t;
}

}  // namespace quddpm
