// The SIMD kernels' tables and the choice among them. The kernels live by concern in
// lanes-inl.h (what all share), gate_passes-inl.h, adjoint-inl.h, ensemble_products-inl.h and
// auction_bid-inl.h (the one integer kernel); this file gathers them into one KernelTable per
// target, and picks the table at run time.
//
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
#define HWY_TARGET_INCLUDE "core/kernels/simd_tables.cpp"
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

#include "core/kernels/adjoint-inl.h"
#include "core/kernels/auction_bid-inl.h"
#include "core/kernels/ensemble_products-inl.h"
#include "core/kernels/gate_passes-inl.h"
#include "core/kernels/kernels.hpp"
#include "core/kernels/lanes-inl.h"
#include "core/parallel.hpp"

HWY_BEFORE_NAMESPACE();
namespace quddpm {
namespace HWY_NAMESPACE {
namespace {

namespace hn = hwy::HWY_NAMESPACE;

// Every kernel of one precision, gathered for the table below.
template <class T>
struct Kernels : Adjoint<T>, EnsembleProducts<T> {};

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
                                 &Kernels<double>::simd_combine_rows,
                                 &AuctionBid::simd_best_two_profits};
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

#if (HWY_TARGETS & HWY_AVX3) && (HWY_TARGETS & HWY_AVX2)
// AVX-512's registers hold four amplitudes, so its ensemble products would hand rows of two
// (one data qubit: the circle and cluster n = 1 experiments) to the portable loops, and the
// circle experiment's MMD epoch took 1.5 times as long as with AVX2's kernels, whose registers
// hold two. Every AVX-512 CPU runs AVX2.
void avx512_gram_rows(const cplx* a, std::int64_t na, const cplx* b, std::int64_t nb,
                      std::int64_t d, cplx* out) {
  (d % 4 == 0 ? N_AVX3::Table() : N_AVX2::Table())->gram_rows(a, na, b, nb, d, out);
}
void avx512_combine_rows(const cplx* c, std::int64_t n, const cplx* rows, std::int64_t m,
                         std::int64_t d, cplx* out) {
  (d % 4 == 0 ? N_AVX3::Table() : N_AVX2::Table())->combine_rows(c, n, rows, m, d, out);
}
const KernelTable* avx512_table() {
  static const KernelTable table = [] {
    KernelTable t = *N_AVX3::Table();
    t.gram_rows = &avx512_gram_rows;
    t.combine_rows = &avx512_combine_rows;
    return t;
  }();
  return &table;
}
#define QUDDPM_AVX512_TABLE &avx512_table
#else
#define QUDDPM_AVX512_TABLE HWY_CHOOSE_AVX3(Table)
#endif

// The targets compiled into this binary, best first (entries not compiled are null).
std::vector<Target> compiled_targets() {
  std::vector<Target> t = {
      {HWY_AVX3, QUDDPM_AVX512_TABLE},
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
const KernelTable kPortable{"portable",
                            portable_fns<double>(),
                            portable_fns<float>(),
                            &portable::gram_rows,
                            &portable::overlap_sq_rows,
                            &portable::combine_rows,
                            &portable::best_two_profits};
const KernelTable kReference{"reference",
                             reference_fns<double>(),
                             reference_fns<float>(),
                             &reference::gram_rows,
                             &reference::overlap_sq_rows,
                             &reference::combine_rows,
                             &reference::best_two_profits};

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
