// The ensemble products of the SIMD kernels (simd_tables.cpp): Gram rows, sums of squared
// overlaps and combinations of states, in blocks of rows that stay in registers.
// Included by simd_tables.cpp once per Highway target (the per-target include guard below is
// Highway's pattern).
#if defined(QUDDPM_CORE_KERNELS_ENSEMBLE_PRODUCTS_INL_H_) == defined(HWY_TARGET_TOGGLE)
#ifdef QUDDPM_CORE_KERNELS_ENSEMBLE_PRODUCTS_INL_H_
#undef QUDDPM_CORE_KERNELS_ENSEMBLE_PRODUCTS_INL_H_
#else
#define QUDDPM_CORE_KERNELS_ENSEMBLE_PRODUCTS_INL_H_
#endif

#include <hwy/highway.h>

#include "core/kernels/lanes-inl.h"

HWY_BEFORE_NAMESPACE();
namespace quddpm {
namespace HWY_NAMESPACE {
namespace {

// The products over ensembles: entry points simd_gram_rows, simd_overlap_sq_rows and
// simd_combine_rows.
template <class T>
struct EnsembleProducts : Lanes<T> {
  using Base = Lanes<T>;
  using Base::amps_per_reg;
  using Base::kMaxLanes;
  using Base::load;
  using Base::store;
  using Base::swap_ri;
  using typename Base::Amp;
  using typename Base::D;
  using typename Base::V;

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
};

}  // namespace
}  // namespace HWY_NAMESPACE
}  // namespace quddpm
HWY_AFTER_NAMESPACE();

#endif  // QUDDPM_CORE_KERNELS_ENSEMBLE_PRODUCTS_INL_H_
