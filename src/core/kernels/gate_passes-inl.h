// The gate passes of the SIMD kernels (simd_tables.cpp): a 2x2 gate on one qubit, in a register
// or across pair blocks, and the CZ ladders, alone or fused with the last qubit's gate.
// Included by simd_tables.cpp once per Highway target (the per-target include guard below is
// Highway's pattern).
#if defined(QUDDPM_CORE_KERNELS_GATE_PASSES_INL_H_) == defined(HWY_TARGET_TOGGLE)
#ifdef QUDDPM_CORE_KERNELS_GATE_PASSES_INL_H_
#undef QUDDPM_CORE_KERNELS_GATE_PASSES_INL_H_
#else
#define QUDDPM_CORE_KERNELS_GATE_PASSES_INL_H_
#endif

#include <hwy/highway.h>

#include "core/kernels/lanes-inl.h"
#include "core/parallel.hpp"

HWY_BEFORE_NAMESPACE();
namespace quddpm {
namespace HWY_NAMESPACE {
namespace {

// The gate passes: entry points simd_apply_1q, simd_apply_adjacent_cz and
// simd_apply_1q_then_adjacent_cz.
template <class T>
struct GatePasses : Lanes<T> {
  using Base = Lanes<T>;
  using Base::amps_per_reg;
  using Base::combine;
  using Base::for_each_block_run;
  using Base::kMaxLanes;
  using Base::kMinRunBlocks;
  using Base::kShortRunGroup;
  using Base::load;
  using Base::pair_base;
  using Base::partner;
  using Base::partner_indices;
  using Base::partner_kind;
  using Base::per_amplitude;
  using Base::prefetch_pairs;
  using Base::splat;
  using Base::store;
  using Base::swap_ri;
  using Base::too_small;
  using typename Base::Amp;
  using typename Base::Coef;
  using typename Base::D;
  using typename Base::Indices;
  using typename Base::V;

  // In-register coefficients: out = v * in1 + partner(v) * in2, evaluated as
  // v * in1 + partner(v * in2p) with in2p = partner(in2) (partner is an involution that
  // commutes with lane-wise products), which needs two permutations a register, not three.
  struct GateCoefs {
    Coef in1, in2p;
    Indices partner;
  };
  static GateCoefs coefs_in_register(const Gate2x2& g, std::int64_t s) {
    return {per_amplitude([&](std::int64_t j) { return (j & s) ? g.m11 : g.m00; }),
            per_amplitude([&](std::int64_t j) { return (j & s) ? g.m01 : g.m10; }),
            partner_indices(s)};
  }
  // The gate applied to the pairs inside one register, given v and swap_ri(v).
  template <int K>
  static V in_register(V v, V sv, const GateCoefs& c) {
    const V t =
        Base::template partner<K>(hn::MulAdd(sv, c.in2p.ims, hn::Mul(v, c.in2p.re)), c.partner);
    return hn::MulAdd(sv, c.in1.ims, hn::MulAdd(v, c.in1.re, t));
  }

  // Sign masks of both CZ ladders (CZ on every adjacent pair). For register r, amplitude
  // b = A r + j (A = 2^m), the sign (-1)^popcount(b & (b >> 1)) splits into the pairs among
  // the bits of r, the pair (bit m, bit m-1) and the pairs inside j, so a register has one of
  // four patterns, chosen by parity(r & (r >> 1)) and r & 1. For the four registers
  // r = 4k + i, parity(r & (r >> 1)) is P = parity(k & (k >> 1)) for i = 0, 1, Q = P ^ (k & 1)
  // for i = 2 and Q ^ 1 for i = 3, so a group of four needs one parity, not four: worked out
  // per register, the index arithmetic left the fused AVX2 pass (two amplitudes a register in
  // double) front-end bound at 1.9 cycles per amplitude.
  class CzSigns {
   public:
    // The masks of the registers 4k .. 4k+3, register 4k + i's at group(k) + i * kMaxLanes.
    const T* group(std::uint64_t k) const { return table_ + group_of(k) * 4 * kMaxLanes; }
    V at(std::uint64_t r) const { return hn::Load(D(), group(r >> 2) + (r & 3) * kMaxLanes); }

    // f(r, mask of r) for the registers r = lo .. hi-1 in order, one parity per group of four.
    template <class F>
    HWY_INLINE void for_each(std::int64_t lo, std::int64_t hi, F&& f) const {
      std::int64_t r = lo;
      for (; r < hi && (r & 3) != 0; ++r)
        f(r, at(static_cast<std::uint64_t>(r)));
      for (; r + 4 <= hi; r += 4) {
        const T* g = group(static_cast<std::uint64_t>(r) >> 2);
        f(r, hn::Load(D(), g));
        f(r + 1, hn::Load(D(), g + kMaxLanes));
        f(r + 2, hn::Load(D(), g + 2 * kMaxLanes));
        f(r + 3, hn::Load(D(), g + 3 * kMaxLanes));
      }
      for (; r < hi; ++r)
        f(r, at(static_cast<std::uint64_t>(r)));
    }

   private:
    // [2P + Q][i]: the sign bits of register 4k + i as lanes, worked out once per instruction
    // set and precision (kept as arrays, since some vector types cannot be static).
    struct Groups {
      HWY_ALIGN T lanes[4][4][kMaxLanes];
    };
    static int group_of(std::uint64_t k) {
      const int p = __builtin_popcountll(k & (k >> 1)) & 1;
      return 2 * p + (p ^ static_cast<int>(k & 1));
    }
    static const Groups& groups() {
      static const Groups g = [] {
        Groups out{};
        const std::int64_t a = amps_per_reg();
        for (int pq = 0; pq < 4; ++pq) {
          const int p = pq >> 1, q = pq & 1;
          const int parity[4] = {p, p, q, q ^ 1};  // of r & (r >> 1), for r = 4k + i
          for (int i = 0; i < 4; ++i)
            for (std::int64_t j = 0; j < a; ++j) {
              const bool boundary = a > 1 && (i & 1) && (j & (a >> 1));
              const bool negative = (parity[i] ^ boundary ^ __builtin_popcountll(j & (j >> 1))) & 1;
              out.lanes[pq][i][2 * j] = out.lanes[pq][i][2 * j + 1] = negative ? T(-0.0) : T(0.0);
            }
        }
        return out;
      }();
      return g;
    }
    const T* table_ = groups().lanes[0][0];
  };

  // The loops over [lo, hi) take everything by value, so that it stays in registers (through
  // a lambda's captures, stores through psi could alias them and force a reload each time).

  // Registers lo..hi-1 of psi through the gate inside them; kCz: then both CZ ladders.
  template <bool kCz, int K>
  static void in_register_range(Amp* psi, const GateCoefs c, std::int64_t lo, std::int64_t hi) {
    const std::int64_t a = amps_per_reg();
    if constexpr (kCz) {
      CzSigns().for_each(lo, hi, [psi, a, &c](std::int64_t r, V sign) {
        Amp* x = psi + a * r;
        const V v = load(x);
        store(x, hn::Xor(in_register<K>(v, swap_ri(v), c), sign));
      });
    } else {
#pragma GCC unroll 4
      for (std::int64_t r = lo; r < hi; ++r) {
        Amp* x = psi + a * r;
        const V v = load(x);
        store(x, in_register<K>(v, swap_ri(v), c));
      }
    }
  }

  // AVX2 with the partners in the other 128-bit half (stride 1 in double, 2 in single): each
  // half is loaded once more, broadcast to both halves by the load itself, and the register is
  // then a pair block of its own, out = lo * c_lo + hi * c_hi, with no permutation across the
  // halves (that permutation held the loop at 2.4 cycles a register on Zen 4, against the 2
  // its four multiply-adds need; measured at 13 and 16 qubits, 4-9% faster). Not with the CZ
  // ladders in the same pass: there it measured 5-10% slower than the permutation.
  static constexpr bool kDupHalves = HWY_TARGET == HWY_AVX2;
  struct HalfCoefs {
    Coef lo, hi;
  };
  static HalfCoefs coefs_halves(const Gate2x2& g, std::int64_t s) {
    return {per_amplitude([&](std::int64_t j) { return (j & s) ? g.m10 : g.m00; }),
            per_amplitude([&](std::int64_t j) { return (j & s) ? g.m11 : g.m01; })};
  }
  static void halves_range(Amp* psi, const HalfCoefs c, std::int64_t lo, std::int64_t hi) {
    const std::int64_t a = amps_per_reg();
#pragma GCC unroll 4
    for (std::int64_t r = lo; r < hi; ++r) {
      Amp* x = psi + a * r;
      const V l = hn::LoadDup128(D(), reinterpret_cast<const T*>(x));
      const V h = hn::LoadDup128(D(), reinterpret_cast<const T*>(x + a / 2));
      store(x, combine(l, swap_ri(l), c.lo, h, swap_ri(h), c.hi));
    }
  }

  // kCz: follow the gate by both CZ ladders in the same pass.
  template <bool kCz>
  static void apply_in_register(Amp* psi, int nq, const Gate2x2& g, std::int64_t s) {
    const std::int64_t regs = static_cast<std::int64_t>(dim_of(nq)) / amps_per_reg();
    if (kDupHalves && !kCz && partner_kind(s) == kBlocks) {
      const HalfCoefs c = coefs_halves(g, s);
      return par::for_each_amplitude_range(
          regs, [psi, &c](std::int64_t lo, std::int64_t hi) { halves_range(psi, c, lo, hi); });
    }
    const GateCoefs c = coefs_in_register(g, s);
    switch (partner_kind(s)) {
      case kBlocks:
        return par::for_each_amplitude_range(regs, [psi, &c](std::int64_t lo, std::int64_t hi) {
          in_register_range<kCz, kBlocks>(psi, c, lo, hi);
        });
      case kHalves:
        return par::for_each_amplitude_range(regs, [psi, &c](std::int64_t lo, std::int64_t hi) {
          in_register_range<kCz, kHalves>(psi, c, lo, hi);
        });
      case kPairs:
        return par::for_each_amplitude_range(regs, [psi, &c](std::int64_t lo, std::int64_t hi) {
          in_register_range<kCz, kPairs>(psi, c, lo, hi);
        });
      default:
        return par::for_each_amplitude_range(regs, [psi, &c](std::int64_t lo, std::int64_t hi) {
          in_register_range<kCz, kTable>(psi, c, lo, hi);
        });
    }
  }

  // The gate as registers, for the pair-block loops: top = m00 a + m01 b and
  // bottom = m10 a + m11 b for the pair (a, b), given a, b and their re/im swaps.
  struct PairCoefs {
    Coef c00, c01, c10, c11;
    explicit PairCoefs(const Gate2x2& g)
        : c00(splat(g.m00)), c01(splat(g.m01)), c10(splat(g.m10)), c11(splat(g.m11)) {}
    V top(V a, V sa, V b, V sb) const { return combine(a, sa, c00, b, sb, c01); }
    V bottom(V a, V sa, V b, V sb) const { return combine(a, sa, c10, b, sb, c11); }
  };
  // A gate [[m00, m01], [-m01*, m00*]] (special unitary, as every gate the circuit fuses,
  // RY(b) RX(a), and its inverse are, bit for bit): the bottom row from the top row's registers,
  // its signs moved into the operations. The same operations on the same values, so the same
  // bits as PairCoefs, in four registers instead of eight: AVX2 has sixteen, and with eight
  // taken by the gate the adjoint step spilled and reloaded (measured 5% slower there).
  struct Su2Coefs {
    Coef c00, c01;
    explicit Su2Coefs(const Gate2x2& g) : c00(splat(g.m00)), c01(splat(g.m01)) {}
    V top(V a, V sa, V b, V sb) const { return combine(a, sa, c00, b, sb, c01); }
    // m10 = -m01*: re = -re(c01), ims = ims(c01); m11 = m00*: re = re(c00), ims = -ims(c00).
    V bottom(V a, V sa, V b, V sb) const {
      return hn::NegMulAdd(sb, c00.ims,
                           hn::MulAdd(b, c00.re, hn::MulSub(sa, c01.ims, hn::Mul(a, c01.re))));
    }
  };
  // Whether g has Su2Coefs's form exactly (every sign of zero too) once rounded to T.
  static bool is_su2(const Gate2x2& g) {
    const auto same = [](double x, double y) {
      const T a = static_cast<T>(x), b = static_cast<T>(y);
      return std::memcmp(&a, &b, sizeof(T)) == 0;
    };
    return same(g.m11.real(), g.m00.real()) && same(g.m11.imag(), -g.m00.imag()) &&
           same(g.m10.real(), -g.m01.real()) && same(g.m10.imag(), g.m01.imag());
  }
  // f(coefficients of g): Su2Coefs where they apply, else PairCoefs.
  template <class F>
  static HWY_INLINE auto with_coefs(const Gate2x2& g, F&& f) {
    return is_su2(g) ? f(Su2Coefs(g)) : f(PairCoefs(g));
  }

  // Offsets for pair_blocks: one block, at x.
  static constexpr auto kAtX = [](int) { return std::int64_t{0}; };

  // U pair blocks of stride `stride` through the gate, block j at x + off(j): all loads before
  // the stores, so that the U blocks overlap in the core even when the runs are short.
  template <int U, class Off, class C>
  static HWY_INLINE void pair_blocks(Amp* x, Off off, std::int64_t stride, const C& c) {
    V va[U], vb[U];
    for (int j = 0; j < U; ++j) {
      va[j] = load(x + off(j));
      vb[j] = load(x + off(j) + stride);
    }
    for (int j = 0; j < U; ++j) {
      const V sa = swap_ri(va[j]), sb = swap_ri(vb[j]);
      store(x + off(j), c.top(va[j], sa, vb[j], sb));
      store(x + off(j) + stride, c.bottom(va[j], sa, vb[j], sb));
    }
  }

  // Pair blocks lo..hi-1 of target bit p (2^p >= A) through the gate g.
  static void pair_blocks_range(Amp* psi, int nq, int p, const Gate2x2& g, std::int64_t lo,
                                std::int64_t hi) {
    with_coefs(g, [&](const auto& c) { pair_blocks_range_as(psi, nq, p, c, lo, hi); });
  }
  template <class C>
  static void pair_blocks_range_as(Amp* psi, int nq, int p, const C c, std::int64_t lo,
                                   std::int64_t hi) {
    const std::int64_t stride = std::int64_t{1} << p, a = amps_per_reg();
    if (stride < kMinRunBlocks * a) {
      // Runs of one or two blocks: kShortRunGroup blocks at a time, whatever the runs (a loop a
      // run was up to 20% slower there). Block u + j with u a multiple of the group starts at
      // pair_base(u) + pair_base(j).
      constexpr int G = kShortRunGroup;
      std::int64_t off[G];
      for (int j = 0; j < G; ++j)
        off[j] = pair_base(j, p);
      const auto group = [&off](int j) { return off[j]; };
      const std::int64_t first = std::min(hi, (lo + G - 1) / G * G);
      const std::int64_t last = std::max(first, hi / G * G);
      for (std::int64_t u = lo; u < first; ++u)
        pair_blocks<1>(psi + pair_base(u, p), kAtX, stride, c);
      for (std::int64_t u = first; u < last; u += G)
        pair_blocks<G>(psi + pair_base(u, p), group, stride, c);
      for (std::int64_t u = last; u < hi; ++u)
        pair_blocks<1>(psi + pair_base(u, p), kAtX, stride, c);
      return;
    }
    // Middle target bits stream in short runs that the hardware prefetcher keeps restarting
    // on: fetch the next pair block ahead by hand.
    const bool prefetch = prefetch_pairs(nq, p);
    const std::int64_t h = aligned_head(psi, stride);
    if (h == 0)
      return for_each_block_run(lo, hi, p, [&](std::int64_t i0, std::int64_t run) {
        run_through(psi + i0, a * run, stride, c, prefetch);
      });
    for_each_block_run(lo, hi, p, [&](std::int64_t i0, std::int64_t run) {
      if (run * a * static_cast<std::int64_t>(sizeof(Amp)) >= kAlignedRunBytes)
        aligned_run(psi + i0, a * run, h, stride, c, prefetch);
      else  // a piece of a run, at the ends of a thread's share
        run_through(psi + i0, a * run, stride, c, prefetch);
    });
  }

  // The pair blocks of the run of len amplitudes at x (and x + stride), in order.
  template <class C>
  static HWY_INLINE void run_through(Amp* x, std::int64_t len, std::int64_t stride, const C& c,
                                     bool prefetch) {
    for (std::int64_t k = 0; k < len; k += amps_per_reg()) {
      if (prefetch) {
        hwy::Prefetch(x + 2 * stride + k);
        hwy::Prefetch(x + 3 * stride + k);
      }
      pair_blocks<1>(x + k, kAtX, stride, c);
    }
  }

  // AVX2 on a state not aligned to its 32-byte registers (as std::vector leaves it): every other
  // register straddles two cache lines, which cost Zen 4 about 10%. Runs of kAlignedRunBytes and
  // more are walked on aligned registers instead, with one unaligned register at each end, loaded
  // together with its aligned neighbour (they overlap, and both store the same new values).
  // (Measured: AVX-512 did not gain, nor did shorter runs.)
  static constexpr bool kAlignRuns = HWY_TARGET == HWY_AVX2;
  static constexpr std::int64_t kAlignedRunBytes = 2048;
  // Amplitudes from a run's start to the first aligned register (0: walk runs as they are);
  // the same for every run, as runs start a whole number of registers from psi.
  static std::int64_t aligned_head(const Amp* psi, std::int64_t stride) {
    const auto reg_bytes = static_cast<std::uintptr_t>(amps_per_reg()) * sizeof(Amp);
    const std::uintptr_t off = reinterpret_cast<std::uintptr_t>(psi) % reg_bytes;
    if (!kAlignRuns || off % sizeof(Amp) != 0 ||
        stride * static_cast<std::int64_t>(sizeof(Amp)) < kAlignedRunBytes)
      return 0;
    return static_cast<std::int64_t>((reg_bytes - off) % reg_bytes / sizeof(Amp));
  }
  // The run of len amplitudes at x (and x + stride), its aligned registers from x + h.
  template <class C>
  static HWY_INLINE void aligned_run(Amp* x, std::int64_t len, std::int64_t h, std::int64_t stride,
                                     const C& c, bool prefetch) {
    const std::int64_t a = amps_per_reg();
    const std::int64_t first[2] = {0, h}, last[2] = {len - 2 * a + h, len - a};
    pair_blocks<2>(
        x, [&first](int j) { return first[j]; }, stride, c);
    run_through(x + h + a, len - 3 * a, stride, c, prefetch);
    pair_blocks<2>(
        x, [&last](int j) { return last[j]; }, stride, c);
  }

  // Registers lo..hi-1 of psi through both CZ ladders.
  static void cz_range(Amp* psi, std::int64_t lo, std::int64_t hi) {
    const std::int64_t a = amps_per_reg();
    CzSigns().for_each(lo, hi, [psi, a](std::int64_t r, V sign) {
      Amp* x = psi + a * r;
      store(x, hn::Xor(load(x), sign));
    });
  }

  static void simd_apply_1q(Amp* psi, int nq, int q, const Gate2x2& g) {
    if (too_small(nq)) return portable::apply_1q(psi, nq, q, g);
    const int p = bit_of(nq, q);
    const std::int64_t stride = std::int64_t{1} << p, a = amps_per_reg();
    if (stride < a) return apply_in_register<false>(psi, nq, g, stride);
    par::for_each_amplitude_range(static_cast<std::int64_t>(dim_of(nq)) / (2 * a),
                                  [psi, nq, p, &g](std::int64_t lo, std::int64_t hi) {
                                    pair_blocks_range(psi, nq, p, g, lo, hi);
                                  });
  }

  static void simd_apply_adjacent_cz(Amp* psi, int nq) {
    if (too_small(nq)) return portable::apply_adjacent_cz(psi, nq);
    par::for_each_amplitude_range(
        static_cast<std::int64_t>(dim_of(nq)) / amps_per_reg(),
        [psi](std::int64_t lo, std::int64_t hi) { cz_range(psi, lo, hi); });
  }

  // The last qubit's bit is 0: in-register whenever a register holds two amplitudes or more.
  static void simd_apply_1q_then_adjacent_cz(Amp* psi, int nq, const Gate2x2& g) {
    if (too_small(nq) || amps_per_reg() < 2) {
      simd_apply_1q(psi, nq, nq - 1, g);
      return simd_apply_adjacent_cz(psi, nq);
    }
    apply_in_register<true>(psi, nq, g, 1);
  }
};

}  // namespace
}  // namespace HWY_NAMESPACE
}  // namespace quddpm
HWY_AFTER_NAMESPACE();

#endif  // QUDDPM_CORE_KERNELS_GATE_PASSES_INL_H_
