// AVX-512 kernels. A register holds 4 amplitudes [x0, x1, x2, x3] as 8 doubles
// (re, im interleaved). For a target bit p >= 2 the two halves of each amplitude pair lie in
// different registers; for p = 1 and p = 0 both halves lie in one register and the partner
// amplitudes are brought in by a lane shuffle. Work is done in units of 8 amplitudes.
#include <algorithm>

#include "core/kernels.hpp"
#include "core/parallel.hpp"

#if defined(__AVX512F__)
#include <immintrin.h>
#endif

namespace quddpm::avx512 {

#if defined(__AVX512F__)

namespace {

using V = __m512d;

inline V load(const cplx* p) {
  return _mm512_loadu_pd(reinterpret_cast<const double*>(p));
}
inline void store(cplx* p, V v) {
  _mm512_storeu_pd(reinterpret_cast<double*>(p), v);
}
// (re, im) -> (im, re) in every amplitude.
inline V swap_ri(V v) {
  return _mm512_permute_pd(v, 0x55);
}
// Partner amplitudes inside a register: p = 0 pairs (x0,x1),(x2,x3); p = 1 pairs (x0,x2),(x1,x3).
template <int P>
inline V partner(V v) {
  if constexpr (P == 0) return _mm512_shuffle_f64x2(v, v, 0xB1);  // [x1, x0, x3, x2]
  return _mm512_shuffle_f64x2(v, v, 0x4E);                        // [x2, x3, x0, x1]
}

// A complex coefficient per amplitude lane, split for v * c = v * re + swap_ri(v) * ims.
struct Coef {
  V re, ims;  // ims = (-im, +im) per lane
};
inline Coef lanes(cplx c0, cplx c1, cplx c2, cplx c3) {
  return {_mm512_setr_pd(c0.real(), c0.real(), c1.real(), c1.real(), c2.real(), c2.real(),
                         c3.real(), c3.real()),
          _mm512_setr_pd(-c0.imag(), c0.imag(), -c1.imag(), c1.imag(), -c2.imag(), c2.imag(),
                         -c3.imag(), c3.imag())};
}
inline Coef splat(cplx c) {
  return lanes(c, c, c, c);
}

// c1 * v + c2 * w, given v, w and their re/im swaps.
inline V combine(V v, V sv, const Coef& c1, V w, V sw, const Coef& c2) {
  return _mm512_fmadd_pd(
      sw, c2.ims, _mm512_fmadd_pd(w, c2.re, _mm512_fmadd_pd(sv, c1.ims, _mm512_mul_pd(v, c1.re))));
}

// Sum of even doubles minus sum of odd doubles: the imaginary part of sum conj(l) s when
// accumulated as l * swap_ri(s).
inline double even_minus_odd(V v) {
  return _mm512_reduce_add_pd(_mm512_mul_pd(v, _mm512_setr_pd(1, -1, 1, -1, 1, -1, 1, -1)));
}

// Software prefetch for states larger than L2 (2^16 amplitudes = 1 MiB) and target bits
// whose runs (32 to 1024 amplitudes) are too short for the hardware prefetcher; measured
// on Zen 4 at 20 qubits, it slows the other positions down.
constexpr int kPrefetchMinQubits = 16;
constexpr int kPrefetchMinBit = 5;
constexpr int kPrefetchMaxBit = 10;

// First amplitude of the pairs 4u..4u+3 for a target bit p >= 2.
inline std::int64_t pair_base(std::int64_t u, int p) {
  const std::int64_t i = 4 * u;
  return ((i >> p) << (p + 1)) | (i & ((std::int64_t{1} << p) - 1));
}

// Splits the units [lo, hi) (4 pairs each) of a target bit p >= 2 into runs that are
// contiguous in both halves: f(first amplitude of the run, units in the run).
template <class F>
inline void for_each_unit_run(std::int64_t lo, std::int64_t hi, int p, F&& f) {
  const std::int64_t units_per_run = (std::int64_t{1} << p) / 4;
  for (std::int64_t u = lo; u < hi;) {
    const std::int64_t run = std::min(hi - u, units_per_run - (u & (units_per_run - 1)));
    f(pair_base(u, p), run);
    u += run;
  }
}

// In-register coefficients: out = v * in1 + partner(v) * in2, evaluated as
// v * in1 + partner(v * in2p) with in2p = partner(in2) (partner is an involution that
// commutes with lane-wise products), which needs two shuffles a register instead of three.
struct GateCoefs {
  Coef in1, in2p;
};

// Sign masks of both CZ ladders (CZ on every adjacent pair). In units of 8 amplitudes
// b = 8k + j the sign (-1)^popcount(b & (b >> 1)) splits into the pairs among the bits of
// k, the pair (bit 3, bit 2) and the pairs inside j, so a unit has one of four patterns,
// chosen by parity(k & (k >> 1)) and k & 1; each pattern is two registers of sign bits.
struct CzMasks {
  __m512i m[4][2];
  // All-zero masks, for kernels that do not flip signs.
  static CzMasks none() {
    CzMasks z;
    for (auto& row : z.m)
      for (auto& v : row)
        v = _mm512_setzero_si512();
    return z;
  }
  static CzMasks build() {
    CzMasks c;
    auto& m = c.m;
    alignas(64) std::uint64_t bits[8][2];
    for (int idx = 0; idx < 4; ++idx) {
      for (int j = 0; j < 8; ++j) {
        const int high = idx >> 1, bit3 = idx & 1;
        const bool negative = (high ^ (bit3 & (j >> 2)) ^ __builtin_popcount(j & (j >> 1))) & 1;
        bits[j][0] = bits[j][1] = negative ? 0x8000000000000000ull : 0;
      }
      for (int h = 0; h < 2; ++h)
        m[idx][h] = _mm512_load_si512(&bits[4 * h][0]);
    }
    return c;
  }
  static int pattern(std::uint64_t unit) {
    return ((__builtin_popcountll(unit & (unit >> 1)) & 1) << 1) | static_cast<int>(unit & 1);
  }
  // Register `half` (0 or 1) of unit `unit`, sign-flipped.
  V flip(V v, std::uint64_t unit, int half) const {
    return _mm512_castsi512_pd(_mm512_xor_si512(_mm512_castpd_si512(v), m[pattern(unit)][half]));
  }
};

// Built once; kernels copy it into locals so the masks live in registers.
const CzMasks& cz_masks() {
  static const CzMasks masks = CzMasks::build();
  return masks;
}

template <int P>
GateCoefs coefs_in_register(const Gate2x2& g) {
  if constexpr (P == 0)
    return {lanes(g.m00, g.m11, g.m00, g.m11), lanes(g.m10, g.m01, g.m10, g.m01)};
  return {lanes(g.m00, g.m00, g.m11, g.m11), lanes(g.m10, g.m10, g.m01, g.m01)};
}

// The gate applied to the pairs inside one register, given v and swap_ri(v).
template <int P>
inline V in_register(V v, V sv, const GateCoefs& c) {
  const V t = partner<P>(_mm512_fmadd_pd(sv, c.in2p.ims, _mm512_mul_pd(v, c.in2p.re)));
  return _mm512_fmadd_pd(sv, c.in1.ims, _mm512_fmadd_pd(v, c.in1.re, t));
}

// kCz: follow the gate by both CZ ladders in the same pass.
template <int P, bool kCz = false>
void apply_in_register(cplx* psi, int nq, const Gate2x2& g) {
  const GateCoefs coefs = coefs_in_register<P>(g);
  par::for_each_amplitude_range(dim_of(nq) / 8, [&](std::int64_t lo, std::int64_t hi) {
    // Local copies: the compiler keeps them in registers (stores through psi could alias
    // the captured originals and force a reload per use).
    const GateCoefs c = coefs;
    const CzMasks cz = kCz ? cz_masks() : CzMasks::none();
#pragma GCC unroll 4
    for (std::int64_t u = lo; u < hi; ++u) {
      cplx* x = psi + 8 * u;
      const V v0 = load(x), v1 = load(x + 4);
      V o0 = in_register<P>(v0, swap_ri(v0), c), o1 = in_register<P>(v1, swap_ri(v1), c);
      if constexpr (kCz) {
        o0 = cz.flip(o0, u, 0);
        o1 = cz.flip(o1, u, 1);
      }
      store(x, o0);
      store(x + 4, o1);
    }
  });
}

// kCz: un-apply both CZ ladders first, in the same pass.
template <int P, bool kCz = false>
PauliImag adjoint_in_register(cplx* lambda, cplx* psi, int nq, const Gate2x2& undo) {
  const GateCoefs c = coefs_in_register<P>(undo);  // a local: kept in registers
  const CzMasks cz = kCz ? cz_masks() : CzMasks::none();
  // +1 on the lanes whose target bit is 0, -1 where it is 1.
  const V bit_sign = P == 0 ? _mm512_setr_pd(1, 1, -1, -1, 1, 1, -1, -1)
                            : _mm512_setr_pd(1, 1, 1, 1, -1, -1, -1, -1);
  V ax = _mm512_setzero_pd(), ay = ax, az = ax;
  const std::int64_t regs = dim_of(nq) / 4;
  for (std::int64_t r = 0; r < regs; ++r) {
    cplx* lp = lambda + 4 * r;
    cplx* sp = psi + 4 * r;
    V l = load(lp), s = load(sp);
    if constexpr (kCz) {
      l = cz.flip(l, static_cast<std::uint64_t>(r) >> 1, static_cast<int>(r & 1));
      s = cz.flip(s, static_cast<std::uint64_t>(r) >> 1, static_cast<int>(r & 1));
    }
    const V sl = swap_ri(l), ss = swap_ri(s);
    // Reads pair each lane of lambda with the partner lane of psi; pairing partner(lambda)
    // with psi instead gives the same sums, lane-permuted: X = Im(c01 + c10),
    // Y = Re(c10) - Re(c01), Z = Im(c00) - Im(c11).
    const V lw = partner<P>(l);
    ax = _mm512_fmadd_pd(lw, ss, ax);
    const V ls = _mm512_mul_pd(l, bit_sign);
    ay = _mm512_fmadd_pd(_mm512_mul_pd(lw, bit_sign), s, ay);
    az = _mm512_fmadd_pd(ls, ss, az);
    store(lp, in_register<P>(l, sl, c));
    store(sp, in_register<P>(s, ss, c));
  }
  return {even_minus_odd(ax), _mm512_reduce_add_pd(ay), even_minus_odd(az)};
}

}  // namespace

bool available() {
  return true;
}

void apply_1q(cplx* psi, int nq, int q, const Gate2x2& g) {
  const int p = bit_of(nq, q);
  if (p == 0) return apply_in_register<0>(psi, nq, g);
  if (p == 1) return apply_in_register<1>(psi, nq, g);
  const std::int64_t stride = std::int64_t{1} << p;
  par::for_each_amplitude_range(dim_of(nq) / 8, [&](std::int64_t lo, std::int64_t hi) {
    const Coef c00 = splat(g.m00), c01 = splat(g.m01), c10 = splat(g.m10), c11 = splat(g.m11);
    if (p == 2) {  // runs of one unit: a plain loop, unrolled
#pragma GCC unroll 4
      for (std::int64_t u = lo; u < hi; ++u) {
        cplx* a = psi + 8 * u;
        const V va = load(a), vb = load(a + 4), sa = swap_ri(va), sb = swap_ri(vb);
        store(a, combine(va, sa, c00, vb, sb, c01));
        store(a + 4, combine(va, sa, c10, vb, sb, c11));
      }
      return;
    }
    // States beyond the L2 cache with middle target bits stream in short runs that the
    // hardware prefetcher keeps restarting on: fetch the next pair block ahead by hand.
    const bool prefetch = nq >= kPrefetchMinQubits && p >= kPrefetchMinBit && p <= kPrefetchMaxBit;
    for_each_unit_run(lo, hi, p, [&](std::int64_t i0, std::int64_t run) {
      cplx* a = psi + i0;
      cplx* b = a + stride;
      for (std::int64_t k = 0; k < 4 * run; k += 4) {
        if (prefetch) {
          _mm_prefetch(reinterpret_cast<const char*>(b + stride + k), _MM_HINT_T0);
          _mm_prefetch(reinterpret_cast<const char*>(b + 2 * stride + k), _MM_HINT_T0);
        }
        const V va = load(a + k), vb = load(b + k), sa = swap_ri(va), sb = swap_ri(vb);
        store(a + k, combine(va, sa, c00, vb, sb, c01));
        store(b + k, combine(va, sa, c10, vb, sb, c11));
      }
    });
  });
}

void apply_adjacent_cz(cplx* psi, int nq) {
  par::for_each_amplitude_range(dim_of(nq) / 8, [&](std::int64_t lo, std::int64_t hi) {
    const CzMasks cz = cz_masks();
#pragma GCC unroll 4
    for (std::int64_t k = lo; k < hi; ++k) {
      cplx* x = psi + 8 * k;
      const auto uk = static_cast<std::uint64_t>(k);
      const V v0 = cz.flip(load(x), uk, 0), v1 = cz.flip(load(x + 4), uk, 1);
      store(x, v0);
      store(x + 4, v1);
    }
  });
}

void apply_1q_then_adjacent_cz(cplx* psi, int nq, const Gate2x2& g) {
  apply_in_register<0, true>(psi, nq, g);
}

PauliImag adjacent_cz_then_adjoint_undo(cplx* lambda, cplx* psi, int nq, const Gate2x2& undo) {
  return adjoint_in_register<0, true>(lambda, psi, nq, undo);
}

PauliImag adjoint_undo(cplx* lambda, cplx* psi, int nq, int q, const Gate2x2& undo) {
  const int p = bit_of(nq, q);
  if (p == 0) return adjoint_in_register<0>(lambda, psi, nq, undo);
  if (p == 1) return adjoint_in_register<1>(lambda, psi, nq, undo);
  const std::int64_t stride = std::int64_t{1} << p;
  V ax = _mm512_setzero_pd(), ay = ax, az = ax;
  // Serial: a fixed summation order keeps gradients independent of the thread count.
  for_each_unit_run(0, dim_of(nq) / 8, p, [&](std::int64_t i0, std::int64_t run) {
    const Coef c00 = splat(undo.m00), c01 = splat(undo.m01), c10 = splat(undo.m10),
               c11 = splat(undo.m11);
    cplx *l0p = lambda + i0, *l1p = l0p + stride, *s0p = psi + i0, *s1p = s0p + stride;
    for (std::int64_t k = 0; k < 4 * run; k += 4) {
      const V l0 = load(l0p + k), l1 = load(l1p + k), s0 = load(s0p + k), s1 = load(s1p + k);
      const V sl0 = swap_ri(l0), sl1 = swap_ri(l1), ss0 = swap_ri(s0), ss1 = swap_ri(s1);
      ax = _mm512_fmadd_pd(l1, ss0, _mm512_fmadd_pd(l0, ss1, ax));   // Im(c01 + c10)
      ay = _mm512_fnmadd_pd(l0, s1, _mm512_fmadd_pd(l1, s0, ay));    // Re(c10) - Re(c01)
      az = _mm512_fnmadd_pd(l1, ss1, _mm512_fmadd_pd(l0, ss0, az));  // Im(c00) - Im(c11)
      store(l0p + k, combine(l0, sl0, c00, l1, sl1, c01));
      store(l1p + k, combine(l0, sl0, c10, l1, sl1, c11));
      store(s0p + k, combine(s0, ss0, c00, s1, ss1, c01));
      store(s1p + k, combine(s0, ss0, c10, s1, ss1, c11));
    }
  });
  return {even_minus_odd(ax), _mm512_reduce_add_pd(ay), even_minus_odd(az)};
}

#else  // no AVX-512 in this build: the dispatcher never calls these.

bool available() {
  return false;
}
void apply_1q(cplx* psi, int nq, int q, const Gate2x2& g) {
  portable::apply_1q(psi, nq, q, g);
}
void apply_adjacent_cz(cplx* psi, int nq) {
  portable::apply_adjacent_cz(psi, nq);
}
PauliImag adjoint_undo(cplx* lambda, cplx* psi, int nq, int q, const Gate2x2& undo) {
  return portable::adjoint_undo(lambda, psi, nq, q, undo);
}
void apply_1q_then_adjacent_cz(cplx* psi, int nq, const Gate2x2& g) {
  portable::apply_1q_then_adjacent_cz(psi, nq, g);
}
PauliImag adjacent_cz_then_adjoint_undo(cplx* lambda, cplx* psi, int nq, const Gate2x2& undo) {
  return portable::adjacent_cz_then_adjoint_undo(lambda, psi, nq, undo);
}

#endif

}  // namespace quddpm::avx512
