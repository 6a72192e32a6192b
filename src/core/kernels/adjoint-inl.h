// The adjoint step of the SIMD kernels (simd_tables.cpp): a gate undone on two state vectors with
// the two reads of its derivative (docs/gradient.md, section 4), serial, in a fixed order.
// Included by simd_tables.cpp once per Highway target (the per-target include guard below is
// Highway's pattern).
#if defined(QUDDPM_CORE_KERNELS_ADJOINT_INL_H_) == defined(HWY_TARGET_TOGGLE)
#ifdef QUDDPM_CORE_KERNELS_ADJOINT_INL_H_
#undef QUDDPM_CORE_KERNELS_ADJOINT_INL_H_
#else
#define QUDDPM_CORE_KERNELS_ADJOINT_INL_H_
#endif

#include <hwy/highway.h>

#include "core/kernels/gate_passes-inl.h"

HWY_BEFORE_NAMESPACE();
namespace quddpm {
namespace HWY_NAMESPACE {
namespace {

// The adjoint step: entry points simd_adjoint_undo and simd_adjacent_cz_then_adjoint_undo.
template <class T>
struct Adjoint : GatePasses<T> {
  using Base = GatePasses<T>;
  using Base::amps_per_reg;
  using Base::fold_sum;
  using Base::for_each_block_run;
  using Base::in_register;
  using Base::kMaxLanes;
  using Base::load;
  using Base::partner;
  using Base::partner_indices;
  using Base::partner_kind;
  using Base::per_amplitude;
  using Base::simd_apply_adjacent_cz;
  using Base::store;
  using Base::swap_ri;
  using Base::too_small;
  using Base::with_coefs;
  using typename Base::Amp;
  using typename Base::Coef;
  using typename Base::CzSigns;
  using typename Base::D;
  using typename Base::Indices;
  using typename Base::V;

  // The adjoint step sums each read over two independent chains of registers (the block path:
  // Y as Re(c10) and Re(c01), subtracted at the end, X as its two products; the in-register
  // path: its real sums over even and odd registers). With one chain, AVX2 on Zen 4 waited on
  // it: a pair of registers of the block path takes 10 cycles of multiply-adds there, of which
  // the chain's two dependent ones took 8, and the step ran 3-6% slower (measured, paired runs;
  // the fused last step with the CZ ladders 8%). AVX-512 takes 20 cycles for the same pair, and
  // neither gained nor lost. (The in-register path's two imaginary sums keep one chain each:
  // one multiply-add of a register's eleven each, longer apart than the latency.)

  // x through the gate in its own register, x in1 + partner(x) in2, given swap_ri(x) and
  // partner(x): the operations of in_register on the same values (its partner(x in2p) is
  // partner(x) in2, lane for lane), so the same bits.
  static HWY_INLINE V through_partner(V x, V sx, V px, const Coef& in1, const Coef& in2) {
    const V t = hn::MulAdd(swap_ri(px), in2.ims, hn::Mul(px, in2.re));
    return hn::MulAdd(sx, in1.ims, hn::MulAdd(x, in1.re, t));
  }

  // X after the undo U from sums taken before it: X = Im <U l|X|U psi> = Im sum_ab M_ab C_ab,
  // with M = U^dagger X U and C_ab = sum conj(l_a) psi_b. Lane j of the sums (bit b of j's
  // target, its partner's b'): off_re and off_im hold Re and Im of conj(l_b') psi_b, diag_im
  // Im of conj(l_b) psi_b (an imaginary part as lane 2j minus lane 2j + 1). Serial, in double.
  static HWY_NOINLINE double x_after_from(V off_re, V off_im, V diag_im, const Gate2x2& undo,
                                          std::int64_t s) {
    HWY_ALIGN T re[kMaxLanes], im[kMaxLanes], dg[kMaxLanes];
    hn::Store(off_re, D(), re);
    hn::Store(off_im, D(), im);
    hn::Store(diag_im, D(), dg);
    const auto as_t = [](cplx z) { return cplx(T(z.real()), T(z.imag())); };  // as applied
    const cplx u[2][2] = {{as_t(undo.m00), as_t(undo.m01)}, {as_t(undo.m10), as_t(undo.m11)}};
    const auto m = [&u](int a, int b) {
      return std::conj(u[0][a]) * u[1][b] + std::conj(u[1][a]) * u[0][b];
    };
    double x = 0;
    for (std::int64_t j = 0; j < amps_per_reg(); ++j) {
      const int b = (j & s) ? 1 : 0;
      const cplx off = m(1 - b, b);
      x += m(b, b).real() * (double(dg[2 * j]) - double(dg[2 * j + 1])) +
           off.real() * (double(im[2 * j]) - double(im[2 * j + 1])) +
           off.imag() * (double(re[2 * j]) + double(re[2 * j + 1]));
    }
    return x;
  }

  // kCz: un-apply both CZ ladders first, in the same pass. Serial: a fixed summation order.
  // Both reads are summed before the undo (X through x_after_from), so that partner(lambda)
  // serves the reads and the gate: two permutations a register, where reading X after the
  // undo took four. On Zen 4 AVX2's permutations across the two 128-bit halves take
  // multiply-add pipe time, and this position (the last qubit's, with the CZ ladders) ran at
  // 3.7 cycles per amplitude against the block path's 2.6; 3.4 since (AVX-512: 3.1-3.3, now
  // 2.8-3.0; scripts/bench/bench.sh).
  template <bool kCz, int K>
  static AdjointReads adjoint_in_register_as(Amp* lambda, Amp* psi, int nq, const Gate2x2& undo,
                                             std::int64_t s) {
    const Coef in1 = per_amplitude([&](std::int64_t j) { return (j & s) ? undo.m11 : undo.m00; });
    const Coef in2 = per_amplitude([&](std::int64_t j) { return (j & s) ? undo.m10 : undo.m01; });
    const Indices idx = partner_indices(s);
    // Y = Re(c10) - Re(c01): the off-diagonal real sums with the lanes of target bit 1 negated
    // at the end (an exclusive or with the sign bit: the same bits as negating every term).
    HWY_ALIGN T signs[kMaxLanes];
    for (std::int64_t j = 0; j < amps_per_reg(); ++j)
      signs[2 * j] = signs[2 * j + 1] = (j & s) ? T(-0.0) : T(0.0);
    // Register r adds its real off-diagonal products to chain r & 1 (ay, then swapped with ay1
    // for the next register); the two imaginary sums take one chain each.
    V ay = hn::Zero(D()), ay1 = ay, az = ay, ad = ay;
    const std::int64_t a = amps_per_reg();
    const std::int64_t regs = static_cast<std::int64_t>(dim_of(nq)) / a;
    // Register r, its CZ signs (zero without kCz) un-applied first.
    const auto step = [&](std::int64_t r, V cz_sign) {
      Amp* lp = lambda + a * r;
      Amp* sp = psi + a * r;
      const V l = hn::Xor(load(lp), cz_sign), v = hn::Xor(load(sp), cz_sign);
      const V sl = swap_ri(l), sv = swap_ri(v);
      const V pl = Base::template partner<K>(l, idx), pv = Base::template partner<K>(v, idx);
      ay = hn::MulAdd(pl, v, ay);
      az = hn::MulAdd(pl, sv, az);
      ad = hn::MulAdd(l, sv, ad);
      store(lp, through_partner(l, sl, pl, in1, in2));
      store(sp, through_partner(v, sv, pv, in1, in2));
      std::swap(ay, ay1);
    };
    if constexpr (kCz) {
      CzSigns().for_each(0, regs, step);
    } else {
      const V none = hn::Zero(D());
      for (std::int64_t r = 0; r < regs; ++r)
        step(r, none);
    }
    const V off_re = hn::Add(ay, ay1);
    return {fold_sum(hn::Xor(off_re, hn::Load(D(), signs)), false),
            x_after_from(off_re, az, ad, undo, s)};
  }
  template <bool kCz>
  static AdjointReads adjoint_in_register(Amp* lambda, Amp* psi, int nq, const Gate2x2& undo,
                                          std::int64_t s) {
    switch (partner_kind(s)) {
      case kBlocks:
        return adjoint_in_register_as<kCz, kBlocks>(lambda, psi, nq, undo, s);
      case kHalves:
        return adjoint_in_register_as<kCz, kHalves>(lambda, psi, nq, undo, s);
      case kPairs:
        return adjoint_in_register_as<kCz, kPairs>(lambda, psi, nq, undo, s);
      default:
        return adjoint_in_register_as<kCz, kTable>(lambda, psi, nq, undo, s);
    }
  }

  static AdjointReads simd_adjoint_undo(Amp* lambda, Amp* psi, int nq, int q, const Gate2x2& undo) {
    if (too_small(nq)) return portable::adjoint_undo(lambda, psi, nq, q, undo);
    const int p = bit_of(nq, q);
    const std::int64_t stride = std::int64_t{1} << p, a = amps_per_reg();
    if (stride < a) return adjoint_in_register<false>(lambda, psi, nq, undo, stride);
    return with_coefs(undo, [&](const auto& c) { return adjoint_blocks(lambda, psi, nq, p, c); });
  }
  // The adjoint step for a target bit p with 2^p >= A.
  template <class C>
  static AdjointReads adjoint_blocks(Amp* lambda, Amp* psi, int nq, int p, const C c) {
    const std::int64_t stride = std::int64_t{1} << p, a = amps_per_reg();
    V ax = hn::Zero(D()), ax1 = ax, ay = ax, ay1 = ax;
    // Serial: a fixed summation order keeps gradients independent of the thread count.
    for_each_block_run(
        0, static_cast<std::int64_t>(dim_of(nq)) / (2 * a), p,
        [&](std::int64_t i0, std::int64_t run) {
          Amp *l0p = lambda + i0, *l1p = l0p + stride, *s0p = psi + i0, *s1p = s0p + stride;
          // The sums in locals over the run: captured by reference they stayed in memory, each
          // step waiting on a store and a reload (stores through the state pointers may alias).
          V x = ax, x1 = ax1, y = ay, y1 = ay1;
          for (std::int64_t k = 0; k < a * run; k += a) {
            const V l0 = load(l0p + k), l1 = load(l1p + k), s0 = load(s0p + k), s1 = load(s1p + k);
            const V sl0 = swap_ri(l0), sl1 = swap_ri(l1), ss0 = swap_ri(s0), ss1 = swap_ri(s1);
            // Y before the undo: Re(c10) in y, Re(c01) in y1, subtracted at the end.
            y = hn::MulAdd(l1, s0, y);
            y1 = hn::MulAdd(l0, s1, y1);
            const V n0 = c.top(l0, sl0, l1, sl1), n1 = c.bottom(l0, sl0, l1, sl1);
            const V m0 = c.top(s0, ss0, s1, ss1), m1 = c.bottom(s0, ss0, s1, ss1);
            // Im(c01 + c10) after: two swaps more, two multiply-adds fewer than X and Z before.
            x = hn::MulAdd(n1, swap_ri(m0), x);
            x1 = hn::MulAdd(n0, swap_ri(m1), x1);
            store(l0p + k, n0);
            store(l1p + k, n1);
            store(s0p + k, m0);
            store(s1p + k, m1);
          }
          ax = x, ax1 = x1, ay = y, ay1 = y1;
        });
    return {fold_sum(hn::Sub(ay, ay1), false), fold_sum(hn::Add(ax, ax1), true)};
  }

  static AdjointReads simd_adjacent_cz_then_adjoint_undo(Amp* lambda, Amp* psi, int nq,
                                                         const Gate2x2& undo) {
    if (too_small(nq) || amps_per_reg() < 2) {
      simd_apply_adjacent_cz(lambda, nq);
      simd_apply_adjacent_cz(psi, nq);
      return simd_adjoint_undo(lambda, psi, nq, nq - 1, undo);
    }
    return adjoint_in_register<true>(lambda, psi, nq, undo, 1);
  }
};

}  // namespace
}  // namespace HWY_NAMESPACE
}  // namespace quddpm
HWY_AFTER_NAMESPACE();

#endif  // QUDDPM_CORE_KERNELS_ADJOINT_INL_H_
