// The SIMD kernels' common ground (simd_tables.cpp): vector types, complex coefficients per lane,
// the lane sum and the layout of a target bit's pairs in registers and runs.
// Included by simd_tables.cpp once per Highway target (the per-target include guard below is
// Highway's pattern).
#if defined(QUDDPM_CORE_KERNELS_LANES_INL_H_) == defined(HWY_TARGET_TOGGLE)
#ifdef QUDDPM_CORE_KERNELS_LANES_INL_H_
#undef QUDDPM_CORE_KERNELS_LANES_INL_H_
#else
#define QUDDPM_CORE_KERNELS_LANES_INL_H_
#endif

#include <hwy/cache_control.h>
#include <hwy/highway.h>

#include <complex>
#include <cstdint>

#include "core/kernels/kernels.hpp"

HWY_BEFORE_NAMESPACE();
namespace quddpm {
namespace HWY_NAMESPACE {
namespace {

namespace hn = hwy::HWY_NAMESPACE;

// How a register's partner lanes are brought in: whole 128-bit blocks swapped, the two halves
// swapped, the two (single-precision) amplitudes of each block swapped (one cheap shuffle each
// where the target has it), or a general permutation. Swapping the amplitudes of each block
// stays inside 128-bit blocks, which on Zen 4 costs 0.3 cycles a register less than a
// permutation across them (2.1 against 2.4 cycles a register in an L1-resident AVX2 loop).
enum PartnerKind { kBlocks, kHalves, kPairs, kTable };

// What every kernel works with, for amplitudes std::complex<T> (T = double or float): the
// vector types, loads and stores, complex coefficients per lane, the lane sum, and where a
// target bit's pairs lie (blocks and runs, partners inside a register, prefetching).
template <class T>
struct Lanes {
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

  // How a register's partner lanes are brought in (PartnerKind, above).
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

  // Every kernel hands states smaller than two registers to the portable loops.
  static bool too_small(int nq) {
    return hn::Lanes(D()) < 2 || static_cast<std::int64_t>(dim_of(nq)) < 2 * amps_per_reg();
  }
};

}  // namespace
}  // namespace HWY_NAMESPACE
}  // namespace quddpm
HWY_AFTER_NAMESPACE();

#endif  // QUDDPM_CORE_KERNELS_LANES_INL_H_
