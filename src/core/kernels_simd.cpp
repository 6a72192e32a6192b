// The SIMD kernels: one source, compiled by Google Highway once per instruction set (SSE4,
// AVX2, AVX-512 on x86-64; NEON on ARM, not SVE: see CMakeLists.txt) and for both precisions,
// chosen at run time through the kernel table. A register of N reals (double or float) holds A =
// N/2 amplitudes (re, im interleaved). For a target bit p whose stride 2^p is at least A, the two
// halves of each amplitude pair lie in different registers; below that both halves lie in one
// register and the partner amplitudes are brought in by a lane permutation.
//
// In double on AVX-512 (A = 4) the gates' operations and their order are those of the
// hand-written AVX-512 kernels this file replaced; other instruction sets sum in other orders
// (and SSE4 has no fused multiply-add), so their results differ in the last bits. The adjoint
// step reads other sums than those kernels did (Y before the undo, X after; docs/gradient.md,
// section 4), and sums each of them in two chains of registers, so gradients differ from
// theirs in the last bits on every instruction set.

// Highway re-includes this file once per target.
#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "core/kernels_simd.cpp"
#include <hwy/foreach_target.h>  // must come before highway.h

#include <hwy/aligned_allocator.h>
#include <hwy/cache_control.h>
#include <hwy/highway.h>

#include <algorithm>
#include <cctype>
#include <cstring>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <utility>

#include "core/kernels.hpp"
#include "core/parallel.hpp"

HWY_BEFORE_NAMESPACE();
namespace quddpm {
namespace HWY_NAMESPACE {
namespace {

namespace hn = hwy::HWY_NAMESPACE;

// The kernels for amplitudes std::complex<T> (T = double or float): one set of static members
// per precision.
template <class T>
struct Kernels {
  using Amp = std::complex<T>;
  using D = hn::ScalableTag<T>;
  using V = hn::Vec<D>;
  using TI = hwy::MakeSigned<T>;
  using Indices = decltype(hn::SetTableIndices(D(), static_cast<const TI*>(nullptr)));
  static constexpr size_t kMaxLanes = hn::MaxLanes(D());

  // Amplitudes in one register.
  static std::int64_t amps_per_reg() { return static_cast<std::int64_t>(hn::Lanes(D()) / 2); }

  static V load(const Amp* p) { return hn::LoadU(D(), reinterpret_cast<const T*>(p)); }
  static void store(Amp* p, V v) { hn::StoreU(v, D(), reinterpret_cast<T*>(p)); }
  // (re, im) -> (im, re) in every amplitude.
  static V swap_ri(V v) { return hn::Reverse2(D(), v); }

  // A complex coefficient per amplitude lane, split for v * c = v * re + swap_ri(v) * ims.
  struct Coef {
    V re, ims;  // ims = (-im, +im) per amplitude
  };
  // Coefficient c(j) for amplitude j of a register.
  template <class F>
  static Coef per_amplitude(F&& c) {
    HWY_ALIGN T re[kMaxLanes], ims[kMaxLanes];
    for (std::int64_t j = 0; j < amps_per_reg(); ++j) {
      const cplx v = c(j);
      re[2 * j] = re[2 * j + 1] = T(v.real());
      ims[2 * j] = T(-v.imag());
      ims[2 * j + 1] = T(v.imag());
    }
    return {hn::Load(D(), re), hn::Load(D(), ims)};
  }
  static Coef splat(cplx c) {
    return {hn::Set(D(), T(c.real())),
            hn::OddEven(hn::Set(D(), T(c.imag())), hn::Set(D(), T(-c.imag())))};
  }

  // c1 * v + c2 * w, given v, w and their re/im swaps.
  static V combine(V v, V sv, const Coef& c1, V w, V sw, const Coef& c2) {
    return hn::MulAdd(sw, c2.ims, hn::MulAdd(w, c2.re, hn::MulAdd(sv, c1.ims, hn::Mul(v, c1.re))));
  }

  // Sum of the lanes by halving (lane i += lane i + n/2), the order AVX-512's reduce-add uses;
  // `alternate` negates the odd lanes first (the imaginary part of sum conj(l) s when it was
  // accumulated as l * swap_ri(s)). Not inlined: inlined, GCC kept the callers' running sums in
  // the array it stores them to, so each step of their loops waited on a store and a reload.
  static HWY_NOINLINE double fold_sum(V v, bool alternate) {  // (in T, returned as double)
    HWY_ALIGN T x[kMaxLanes];
    hn::Store(v, D(), x);
    size_t n = hn::Lanes(D());
    if (alternate)
      for (size_t i = 1; i < n; i += 2)
        x[i] = -x[i];
    for (; n > 1; n /= 2)
      for (size_t i = 0; i < n / 2; ++i)
        x[i] = x[i + n / 2] + x[i];
    return x[0];
  }

  // Software prefetch for states larger than L2 (1 MiB) and target bits whose runs (32 to 1024
  // amplitudes) are too short for the hardware prefetcher; measured on Zen 4 at 20 qubits, it
  // slows the other positions down. At 1 MiB and less (16 qubits in double, 17 in single) it
  // slowed those positions by up to 25% (the next pair of runs, fetched into L1, is up to 32 KiB
  // ahead). (At 17 qubits in double it still helps bits 5 and 6 and hurts bits 7 to 10.)
  static constexpr std::size_t kPrefetchMinBytes = std::size_t{2} << 20;
  static constexpr int kPrefetchMinBit = 5;
  static constexpr int kPrefetchMaxBit = 10;
  // Runs of 512 B to 1 KiB want it for every state beyond L1 (32 KiB): measured at 13 and 16
  // qubits, AVX2 ran them 8-15% slower than the other bits without it (AVX-512 about even).
  static constexpr std::size_t kPrefetchNearMinBytes = std::size_t{32} << 10;
  static constexpr std::int64_t kPrefetchNearMinRun = 512, kPrefetchNearMaxRun = 1024;
  // A state that fills L2 (1 MiB: 16 qubits in double, 17 in single) wants it for runs of up to
  // 256 amplitudes too: AVX2 ran bit 8 in double 4% faster with it one process at a time (5-9%
  // in 7 of 7 runs beside the other build; bit 7 about 3%), AVX-512 even. Single's runs of 512
  // amplitudes (bit 9) ran up to 10% slower beside the other build.
  static constexpr std::size_t kPrefetchL2Bytes = std::size_t{1} << 20;
  static constexpr std::int64_t kPrefetchL2MaxRunAmps = 256;
  static bool prefetch_pairs(int nq, int p) {
    const std::size_t bytes = dim_of(nq) * sizeof(Amp);
    const std::int64_t amps = std::int64_t{1} << p;
    const std::int64_t run = amps * static_cast<std::int64_t>(sizeof(Amp));
    const bool beyond_l2 =
        bytes >= kPrefetchMinBytes && p >= kPrefetchMinBit && p <= kPrefetchMaxBit;
    const bool beyond_l1 =
        bytes > kPrefetchNearMinBytes && run >= kPrefetchNearMinRun && run <= kPrefetchNearMaxRun;
    const bool fills_l2 =
        bytes >= kPrefetchL2Bytes && run >= kPrefetchNearMinRun && amps <= kPrefetchL2MaxRunAmps;
    return beyond_l2 || beyond_l1 || fills_l2;
  }

  // Target bits whose runs are shorter than kMinRunBlocks pair blocks are walked
  // kShortRunGroup blocks at a time (measured on Zen 4, AVX2 and AVX-512, 13 and 16 qubits).
  static constexpr int kMinRunBlocks = 4;
  static constexpr int kShortRunGroup = 2;

  // First amplitude of the pairs A u .. A u + A - 1 for a target bit p with 2^p >= A.
  static std::int64_t pair_base(std::int64_t u, int p) {
    const std::int64_t i = amps_per_reg() * u;
    return ((i >> p) << (p + 1)) | (i & ((std::int64_t{1} << p) - 1));
  }

  // Splits the blocks [lo, hi) (A pairs each) of a target bit p with 2^p >= A into runs that
  // are contiguous in both halves: f(first amplitude of the run, blocks in the run).
  template <class F>
  static void for_each_block_run(std::int64_t lo, std::int64_t hi, int p, F&& f) {
    const std::int64_t blocks_per_run = (std::int64_t{1} << p) / amps_per_reg();
    for (std::int64_t u = lo; u < hi;) {
      const std::int64_t run = std::min(hi - u, blocks_per_run - (u & (blocks_per_run - 1)));
      f(pair_base(u, p), run);
      u += run;
    }
  }

  // Partner lanes inside a register for a stride s < A: amplitude j pairs with j ^ s.
  static Indices partner_indices(std::int64_t s) {
    HWY_ALIGN TI idx[kMaxLanes];
    for (size_t l = 0; l < hn::Lanes(D()); ++l)
      idx[l] = static_cast<TI>(l ^ static_cast<size_t>(2 * s));
    return hn::SetTableIndices(D(), idx);
  }

  // How a register's partner lanes are brought in: whole 128-bit blocks swapped, the two
  // halves swapped, the two (single-precision) amplitudes of each block swapped (one cheap
  // shuffle each where the target has it), or a general permutation. Swapping the amplitudes of
  // each block stays inside 128-bit blocks, which on Zen 4 costs 0.3 cycles a register less than
  // a permutation across them (2.1 against 2.4 cycles a register in an L1-resident AVX2 loop).
  enum PartnerKind { kBlocks, kHalves, kPairs, kTable };
  static int partner_kind(std::int64_t s) {
#if HWY_TARGET == HWY_AVX2 || HWY_TARGET == HWY_AVX3 || HWY_TARGET == HWY_AVX3_DL
    if (s * 2 * static_cast<std::int64_t>(sizeof(T)) == 16) return kBlocks;
    if (s * 2 * static_cast<std::int64_t>(sizeof(T)) == 8) return kPairs;
    if (2 * s == amps_per_reg()) return kHalves;
#else
    (void)s;
#endif
    return kTable;
  }
  template <int K>
  static V partner(V v, const Indices& idx) {
#if HWY_TARGET == HWY_AVX2 || HWY_TARGET == HWY_AVX3 || HWY_TARGET == HWY_AVX3_DL
    if constexpr (K == kBlocks) return hn::SwapAdjacentBlocks(v);
    if constexpr (K == kHalves) return hn::ConcatLowerUpper(D(), v, v);
    if constexpr (K == kPairs && sizeof(T) == 4) return hn::Shuffle1032(v);
#endif
    return hn::TableLookupLanes(v, idx);
  }

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
    const V t = partner<K>(hn::MulAdd(sv, c.in2p.ims, hn::Mul(v, c.in2p.re)), c.partner);
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
  // 2.8-3.0; scripts/bench.sh).
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
      const V pl = partner<K>(l, idx), pv = partner<K>(v, idx);
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

  // Every kernel hands states smaller than two registers to the portable loops.
  static bool too_small(int nq) {
    return hn::Lanes(D()) < 2 || static_cast<std::int64_t>(dim_of(nq)) < 2 * amps_per_reg();
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

  // The last qubit's bit is 0: in-register whenever a register holds two amplitudes or more.
  static void simd_apply_1q_then_adjacent_cz(Amp* psi, int nq, const Gate2x2& g) {
    if (too_small(nq) || amps_per_reg() < 2) {
      simd_apply_1q(psi, nq, nq - 1, g);
      return simd_apply_adjacent_cz(psi, nq);
    }
    apply_in_register<true>(psi, nq, g, 1);
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

  // R rows of a against every row of b, two rows of b at a time: each register of b, loaded
  // once, serves the R rows of a, and each register of a, loaded once, both rows of b (with one
  // row of b, GCC read each register of a twice, as the memory operand of both multiply-adds,
  // and the loads outnumbered them: the Grams of an n = 10 epoch took 1.6 times as long on
  // Zen 4). Entry (r, j) has its own pair of accumulators, summed over the registers of a row
  // in order and then across lanes, so its bits depend neither on R nor on the pairing. The
  // 4 R + 5 registers this wants fit AVX-512's 32; AVX2's 16 take the rows of a two at a time.
  static constexpr int kGramRowsOfA = hn::MaxLanes(D()) * sizeof(T) >= 64 ? 4 : 2;
  template <int R>
  static void gram_block(const Amp* a, const Amp* b, std::int64_t nb, std::int64_t d, Amp* out,
                         std::int64_t ld) {
    constexpr int RA = R < kGramRowsOfA ? R : kGramRowsOfA;
    std::int64_t j = 0;
    for (; j + 2 <= nb; j += 2)
      gram_entries<RA, 2>(a, b + j * d, d, out + j, ld);
    for (; j < nb; ++j)
      gram_entries<RA, 1>(a, b + j * d, d, out + j, ld);
    if constexpr (R > RA) gram_block<R - RA>(a + RA * d, b, nb, d, out + RA * ld, ld);
  }
  // Entries (r, k) for R rows of a and J consecutive rows of b.
  template <int R, int J>
  static HWY_INLINE void gram_entries(const Amp* a, const Amp* b, std::int64_t d, Amp* out,
                                      std::int64_t ld) {
    const std::int64_t w = amps_per_reg();
    V re[R][J], im[R][J];
    for (int r = 0; r < R; ++r)
      for (int k = 0; k < J; ++k)
        re[r][k] = im[r][k] = hn::Zero(D());
    for (std::int64_t x = 0; x < d; x += w) {
      V vb[J], sb[J];
      for (int k = 0; k < J; ++k) {
        vb[k] = load(b + k * d + x);
        sb[k] = swap_ri(vb[k]);
      }
      for (int r = 0; r < R; ++r) {
        const V va = load(a + r * d + x);
        for (int k = 0; k < J; ++k) {
          re[r][k] = hn::MulAdd(va, vb[k], re[r][k]);  // (ar br, ai bi)
          im[r][k] = hn::MulAdd(va, sb[k], im[r][k]);  // (ar bi, ai br)
        }
      }
    }
    // (-1, +1, ...): Im = sum (ai br - ar bi) is the odd lanes minus the even lanes.
    const V odd_minus_even = hn::OddEven(hn::Set(D(), T(1)), hn::Set(D(), T(-1)));
    for (int r = 0; r < R; ++r)
      for (int k = 0; k < J; ++k)
        out[r * ld + k] = {hn::GetLane(hn::SumOfLanes(D(), re[r][k])),
                           hn::GetLane(hn::SumOfLanes(D(), hn::Mul(im[r][k], odd_minus_even)))};
  }

  static void simd_gram_rows(const Amp* a, std::int64_t na, const Amp* b, std::int64_t nb,
                             std::int64_t d, Amp* out) {
    if (!rows_fit_registers(d)) return portable::gram_rows(a, na, b, nb, d, out);
    for_row_blocks(na, [&](std::int64_t i, auto rows) {
      gram_block<decltype(rows)::value>(a + i * d, b, nb, d, out + i * nb, nb);
    });
  }

  // The squared overlaps summed along rows of a, with the rows of a in the lanes: a block of
  // kSumGroups registers' worth of rows of a is packed (per amplitude x and register g, the real
  // parts of its rows, then their imaginary parts) and meets every row of b, whose amplitudes are
  // broadcast: per lane re = fma(ar, br, re), re = fma(ai, bi, re), im = fma(ai, br, im),
  // im = fnma(ar, bi, im) in order of x, then the lane's sum += re^2, += im^2 in order of j. No
  // sum runs across lanes (nor any reduction per entry: 4 multiply-adds an amplitude and pair,
  // the FMA bound), and each row's arithmetic is the same whatever its lane, its block and the
  // grouping of the rows of b, so its bits depend on none of them.
  static constexpr int kSumGroups = hn::MaxLanes(D()) * sizeof(T) >= 64 ? 2 : 1;
  // Rows of b per pass: the 4 kSumGroups J multiply-adds an amplitude hide their accumulators'
  // 2-multiply-add chains (8 cycles on Zen 4), and each register of a, read from L2 beyond 11
  // qubits, serves J rows of b. 32 registers take G = 2, J = 4; 16 take G = 1, J = 4 (G = 2,
  // J = 2 read a twice as often: AVX2 ran n = 10 at 1.7-1.9 times its FMA bound).
  static constexpr int kSumRowsOfB = 4;

  // Adds the J rows of b at b (in order) to the block's per-lane sums acc.
  template <int J>
  static HWY_INLINE void sum_rows_of_b(const T* HWY_RESTRICT pa, const T* HWY_RESTRICT b,
                                       std::int64_t d, V* HWY_RESTRICT acc) {
    constexpr int G = kSumGroups;
    const D dt;
    const size_t lanes = hn::Lanes(dt);
    V re[G][J], im[G][J];
    for (int g = 0; g < G; ++g)
      for (int k = 0; k < J; ++k)
        re[g][k] = im[g][k] = hn::Zero(dt);
    for (std::int64_t x = 0; x < d; ++x) {
      const T* p = pa + static_cast<size_t>(x) * 2 * G * lanes;
      V ar[G], ai[G];
      for (int g = 0; g < G; ++g) {
        ar[g] = hn::Load(dt, p + 2 * g * lanes);
        ai[g] = hn::Load(dt, p + (2 * g + 1) * lanes);
      }
      for (int k = 0; k < J; ++k) {
        const V br = hn::Set(dt, b[2 * (k * d + x)]), bi = hn::Set(dt, b[2 * (k * d + x) + 1]);
        for (int g = 0; g < G; ++g) {
          re[g][k] = hn::MulAdd(ar[g], br, re[g][k]);
          re[g][k] = hn::MulAdd(ai[g], bi, re[g][k]);
          im[g][k] = hn::MulAdd(ai[g], br, im[g][k]);
          im[g][k] = hn::NegMulAdd(ar[g], bi, im[g][k]);
        }
      }
    }
    for (int k = 0; k < J; ++k)
      for (int g = 0; g < G; ++g) {
        acc[g] = hn::MulAdd(re[g][k], re[g][k], acc[g]);
        acc[g] = hn::MulAdd(im[g][k], im[g][k], acc[g]);
      }
  }

  static void simd_overlap_sq_rows(const Amp* a, std::int64_t na, const Amp* b, std::int64_t nb,
                                   std::int64_t d, double* sums) {
    constexpr int G = kSumGroups;
    const D dt;
    const std::int64_t lanes = static_cast<std::int64_t>(hn::Lanes(dt)), block = G * lanes;
    // The packed block, kept per thread between calls (no page faults per call) up to
    // kKeepPackedBytes (rows of up to 14 qubits in double on AVX-512); larger ones, whose work
    // dwarfs an allocation, are freed after the call.
    constexpr std::int64_t kKeepPackedBytes = std::int64_t{4} << 20;
    thread_local hwy::AlignedFreeUniquePtr<T[]> packed;
    thread_local std::int64_t capacity = 0;
    if (capacity < 2 * block * d) {
      capacity = 2 * block * d;
      packed = hwy::AllocateAligned<T>(static_cast<size_t>(capacity));
    }
    T* HWY_RESTRICT pa = packed.get();
    const T* bt = reinterpret_cast<const T*>(b);
    for (std::int64_t i0 = 0; i0 < na; i0 += block) {
      const std::int64_t rows = std::min(block, na - i0);
      // Lane l of register g holds row i0 + g lanes + l; rows past na are zeros (adding 0).
      for (std::int64_t r = 0; r < block; ++r) {
        const std::int64_t g = r / lanes, l = r % lanes;
        T* out = pa + 2 * g * lanes + l;
        if (r < rows) {
          const T* row = reinterpret_cast<const T*>(a + (i0 + r) * d);
          for (std::int64_t x = 0; x < d; ++x) {
            out[x * 2 * block] = row[2 * x];
            out[x * 2 * block + lanes] = row[2 * x + 1];
          }
        } else {
          for (std::int64_t x = 0; x < d; ++x)
            out[x * 2 * block] = out[x * 2 * block + lanes] = T(0);
        }
      }
      V acc[G];
      for (int g = 0; g < G; ++g)
        acc[g] = hn::Zero(dt);
      std::int64_t j = 0;
      for (; j + kSumRowsOfB <= nb; j += kSumRowsOfB)
        sum_rows_of_b<kSumRowsOfB>(pa, bt + 2 * j * d, d, acc);
      for (; j < nb; ++j)
        sum_rows_of_b<1>(pa, bt + 2 * j * d, d, acc);
      HWY_ALIGN T lane_sums[G * kMaxLanes];
      for (int g = 0; g < G; ++g)
        hn::Store(acc[g], dt, lane_sums + g * lanes);
      for (std::int64_t r = 0; r < rows; ++r)
        sums[i0 + r] = lane_sums[r];
    }
    if (capacity * static_cast<std::int64_t>(sizeof(T)) > kKeepPackedBytes) {
      packed.reset();
      capacity = 0;
    }
  }

  // X registers of R output rows: out_r = sum_k c[r][k] rows_k, k in order for every amplitude
  // (so the bits depend neither on R nor on X). cf holds each coefficient as two 128-bit
  // blocks (re, re) and (-im, +im), broadcast to whole registers by one load each. Inlined:
  // as a function of its own, GCC stored all R X accumulators to the stack on every step of k
  // (on AVX-512 the stores then outnumbered the multiply-adds).
  template <int R, int X>
  static HWY_INLINE void combine_block(const T* cf, std::int64_t m, const Amp* rows, std::int64_t d,
                                       std::int64_t x, Amp* out) {
    constexpr std::int64_t kBlock = 16 / sizeof(T);
    const std::int64_t w = amps_per_reg();
    V acc[R][X];
    for (int r = 0; r < R; ++r)
      for (int u = 0; u < X; ++u)
        acc[r][u] = hn::Zero(D());
    for (std::int64_t k = 0; k < m; ++k) {
      V v[X], sv[X];
      for (int u = 0; u < X; ++u) {
        v[u] = load(rows + k * d + x + u * w);
        sv[u] = swap_ri(v[u]);
      }
      for (int r = 0; r < R; ++r) {
        const T* c = cf + (r * m + k) * 2 * kBlock;
        const V re = hn::LoadDup128(D(), c), ims = hn::LoadDup128(D(), c + kBlock);
        for (int u = 0; u < X; ++u)
          acc[r][u] = hn::MulAdd(sv[u], ims, hn::MulAdd(v[u], re, acc[r][u]));
      }
    }
    for (int r = 0; r < R; ++r)
      for (int u = 0; u < X; ++u)
        store(out + r * d + x + u * w, acc[r][u]);
  }

  template <int R>
  static void combine_rows_block(const cplx* c, std::int64_t m, const Amp* rows, std::int64_t d,
                                 Amp* out) {
    constexpr std::int64_t kBlock = 16 / sizeof(T);
    auto cf = hwy::AllocateAligned<T>(static_cast<size_t>(R * m * 2 * kBlock));
    for (std::int64_t rk = 0; rk < R * m; ++rk) {
      T* p = cf.get() + rk * 2 * kBlock;
      for (std::int64_t l = 0; l < kBlock; l += 2) {
        p[l] = p[l + 1] = T(c[rk].real());
        p[kBlock + l] = T(-c[rk].imag());
        p[kBlock + l + 1] = T(c[rk].imag());
      }
    }
    const std::int64_t w = amps_per_reg();
    std::int64_t x = 0;
    for (; x + 2 * w <= d; x += 2 * w)
      combine_block<R, 2>(cf.get(), m, rows, d, x, out);
    for (; x < d; x += w)
      combine_block<R, 1>(cf.get(), m, rows, d, x, out);
  }

  static void simd_combine_rows(const cplx* c, std::int64_t n, const Amp* rows, std::int64_t m,
                                std::int64_t d, Amp* out) {
    if (!rows_fit_registers(d)) return portable::combine_rows(c, n, rows, m, d, out);
    for_row_blocks(n, [&](std::int64_t i, auto r) {
      combine_rows_block<decltype(r)::value>(c + i * m, m, rows, d, out + i * d);
    });
  }

  // Rows handled together by the ensemble products: enough independent accumulators to hide
  // the FMA latency, few enough to stay in 16 registers.
  static constexpr int kRowBlock = 4;
  // Rows of d amplitudes fill whole registers (else the ensemble products run portable).
  static bool rows_fit_registers(std::int64_t d) {
    return hn::Lanes(D()) >= 2 && d % amps_per_reg() == 0;
  }
  // f(i, std::integral_constant<int, R>{}) for the blocks [i, i + R) covering n rows, R =
  // min(n - i, kRowBlock).
  template <class F>
  static void for_row_blocks(std::int64_t n, F&& f) {
    for (std::int64_t i = 0; i < n; i += kRowBlock) {
      switch (std::min<std::int64_t>(n - i, kRowBlock)) {
        case 1:
          f(i, std::integral_constant<int, 1>{});
          break;
        case 2:
          f(i, std::integral_constant<int, 2>{});
          break;
        case 3:
          f(i, std::integral_constant<int, 3>{});
          break;
        default:
          f(i, std::integral_constant<int, 4>{});
      }
    }
  }
};  // struct Kernels

// Our name for a Highway target.
const char* target_name() {
  switch (HWY_TARGET) {
    case HWY_AVX3:
      return "avx512";
    case HWY_AVX2:
      return "avx2";
    case HWY_SSE4:
      return "sse4";
    case HWY_EMU128:
      return "baseline";
    default: {
      static const std::string lower = [] {
        std::string s = hwy::TargetName(HWY_TARGET);
        for (auto& ch : s)
          ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
        return s;
      }();
      return lower.c_str();
    }
  }
}

// This target's table.
template <class T>
KernelFns<T> fns() {
  using K = Kernels<T>;
  return {&K::simd_apply_1q, &K::simd_apply_adjacent_cz, &K::simd_adjoint_undo,
          &K::simd_apply_1q_then_adjacent_cz, &K::simd_adjacent_cz_then_adjoint_undo};
}
}  // namespace

const KernelTable* Table() {
  static const KernelTable table{target_name(),
                                 fns<double>(),
                                 fns<float>(),
                                 &Kernels<double>::simd_gram_rows,
                                 &Kernels<double>::simd_overlap_sq_rows,
                                 &Kernels<double>::simd_combine_rows};
  return &table;
}

}  // namespace HWY_NAMESPACE
}  // namespace quddpm
HWY_AFTER_NAMESPACE();

#if HWY_ONCE
namespace quddpm {

namespace {

using TableFn = const KernelTable* (*)();
struct Target {
  std::int64_t bit;
  TableFn table;
};

// The targets compiled into this binary, best first (entries not compiled are null).
std::vector<Target> compiled_targets() {
  std::vector<Target> t = {
      {HWY_AVX3, HWY_CHOOSE_AVX3(Table)},
      {HWY_AVX2, HWY_CHOOSE_AVX2(Table)},
      {HWY_SSE4, HWY_CHOOSE_SSE4(Table)},
      {HWY_NEON, HWY_CHOOSE_NEON(Table)},
  };
#if HWY_TARGETS & HWY_EMU128
  t.push_back({HWY_EMU128, &N_EMU128::Table});
#endif
  // (HWY_SCALAR, one lane a register, would only ever hand its states to "portable".)
  t.erase(std::remove_if(t.begin(), t.end(), [](const Target& x) { return x.table == nullptr; }),
          t.end());
  return t;
}

template <class T>
KernelFns<T> portable_fns() {
  return {&portable::apply_1q<T>, &portable::apply_adjacent_cz<T>, &portable::adjoint_undo<T>,
          &portable::apply_1q_then_adjacent_cz<T>, &portable::adjacent_cz_then_adjoint_undo<T>};
}
template <class T>
KernelFns<T> reference_fns() {
  return {&reference::apply_1q<T>, &reference::apply_adjacent_cz<T>, &reference::adjoint_undo<T>,
          &reference::apply_1q_then_adjacent_cz<T>, &reference::adjacent_cz_then_adjoint_undo<T>};
}
const KernelTable kPortable{
    "portable",           portable_fns<double>(),     portable_fns<float>(),
    &portable::gram_rows, &portable::overlap_sq_rows, &portable::combine_rows};
const KernelTable kReference{
    "reference",           reference_fns<double>(),     reference_fns<float>(),
    &reference::gram_rows, &reference::overlap_sq_rows, &reference::combine_rows};

const KernelTable* fastest_supported() {
  return supported_kernel_tables().front();
}

// Chosen at the first kernel call, before any parallel region.
const KernelTable*& active_slot() {
  static const KernelTable* active = fastest_supported();
  return active;
}

}  // namespace

std::vector<CompiledKernels> compiled_kernel_tables() {
  const std::int64_t cpu = hwy::SupportedTargets();
  std::vector<CompiledKernels> out;
  for (const Target& t : compiled_targets())
    out.push_back({t.table(), (cpu & t.bit) != 0});
  out.push_back({&kPortable, true});
  return out;
}

std::vector<const KernelTable*> supported_kernel_tables() {
  std::vector<const KernelTable*> out;
  for (const CompiledKernels& c : compiled_kernel_tables())
    if (c.supported) out.push_back(c.table);
  return out;
}

const KernelTable& reference_kernels() {
  return kReference;
}

const KernelTable& active_kernels() {
  return *active_slot();
}

std::string supported_kernel_names() {
  std::string names;
  for (const KernelTable* t : supported_kernel_tables())
    names += (names.empty() ? "" : ", ") + std::string(t->name);
  return names;
}

void select_kernels(const std::string& name) {
  for (const CompiledKernels& c : compiled_kernel_tables()) {
    if (name != c.table->name) continue;
    if (!c.supported)
      throw std::invalid_argument(
          "instruction set '" + name +
          "' is not supported by this CPU; it supports: " + supported_kernel_names());
    active_slot() = c.table;
    return;
  }
  throw std::invalid_argument("unknown instruction set '" + name +
                              "'; this CPU supports: " + supported_kernel_names());
}

}  // namespace quddpm
#endif  // HWY_ONCE
