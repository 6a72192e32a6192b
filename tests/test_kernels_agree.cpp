// Every fast kernel (portable and AVX-512) agrees with the plain reference kernel on random
// inputs, for every target position and for sizes around the SIMD block boundaries.
#include <gtest/gtest.h>

#include <random>
#include <vector>

#include "core/kernels.hpp"
#include "core/parallel.hpp"

namespace {

using namespace quddpm;
using State = std::vector<cplx>;

State random_state(int nq, std::uint64_t seed) {
  std::mt19937_64 gen(seed);
  std::normal_distribution<double> n;
  State s(dim_of(nq));
  for (auto& a : s)
    a = {n(gen), n(gen)};
  return s;
}

Gate2x2 random_gate(std::uint64_t seed) {
  std::mt19937_64 gen(seed);
  std::normal_distribution<double> n;
  // Not unitary on purpose: agreement must not depend on structure.
  return {{n(gen), n(gen)}, {n(gen), n(gen)}, {n(gen), n(gen)}, {n(gen), n(gen)}};
}

double max_diff(const State& a, const State& b) {
  double m = 0;
  for (std::size_t i = 0; i < a.size(); ++i)
    m = std::max(m, std::abs(a[i] - b[i]));
  return m;
}

struct Impl {
  const char* name;
  void (*apply_1q)(cplx*, int, int, const Gate2x2&);
  void (*apply_adjacent_cz)(cplx*, int);
  PauliImag (*adjoint_undo)(cplx*, cplx*, int, int, const Gate2x2&);
  void (*apply_1q_then_adjacent_cz)(cplx*, int, const Gate2x2&);
  PauliImag (*adjacent_cz_then_adjoint_undo)(cplx*, cplx*, int, const Gate2x2&);
  int min_qubits;
};

std::vector<Impl> fast_impls() {
  std::vector<Impl> v{
      {"portable", portable::apply_1q, portable::apply_adjacent_cz, portable::adjoint_undo,
       portable::apply_1q_then_adjacent_cz, portable::adjacent_cz_then_adjoint_undo, 1},
      {"dispatch", apply_1q, apply_adjacent_cz, adjoint_undo, apply_1q_then_adjacent_cz,
       adjacent_cz_then_adjoint_undo, 1}};
  if (avx512::available())
    v.push_back({"avx512", avx512::apply_1q, avx512::apply_adjacent_cz, avx512::adjoint_undo,
                 avx512::apply_1q_then_adjacent_cz, avx512::adjacent_cz_then_adjoint_undo, 3});
  return v;
}

TEST(KernelsAgree, Apply1qEveryPosition) {
  for (const Impl& impl : fast_impls())
    for (int nq = impl.min_qubits; nq <= 9; ++nq)
      for (int q = 0; q < nq; ++q) {
        const Gate2x2 g = random_gate(100 * nq + q);
        State fast = random_state(nq, nq * 31 + q), ref = fast;
        impl.apply_1q(fast.data(), nq, q, g);
        reference::apply_1q(ref.data(), nq, q, g);
        EXPECT_LT(max_diff(fast, ref), 1e-12) << impl.name << " nq=" << nq << " q=" << q;
      }
}

TEST(KernelsAgree, AdjacentCzEverySize) {
  for (const Impl& impl : fast_impls())
    for (int nq = std::max(2, impl.min_qubits); nq <= 10; ++nq) {
      State fast = random_state(nq, nq), ref = fast;
      impl.apply_adjacent_cz(fast.data(), nq);
      reference::apply_adjacent_cz(ref.data(), nq);
      EXPECT_EQ(max_diff(fast, ref), 0.0) << impl.name << " nq=" << nq;
    }
}

TEST(KernelsAgree, AdjointUndoReadsAndUndoes) {
  for (const Impl& impl : fast_impls())
    for (int nq = impl.min_qubits; nq <= 9; ++nq)
      for (int q = 0; q < nq; ++q) {
        const Gate2x2 g = random_gate(7 * nq + q);
        State lf = random_state(nq, 3 * nq + q), sf = random_state(nq, 5 * nq + q);
        State lr = lf, sr = sf;
        const PauliImag a = impl.adjoint_undo(lf.data(), sf.data(), nq, q, g);
        const PauliImag b = reference::adjoint_undo(lr.data(), sr.data(), nq, q, g);
        const double scale = static_cast<double>(dim_of(nq));  // reads are sums of d terms
        EXPECT_NEAR(a.x, b.x, 1e-12 * scale) << impl.name << " nq=" << nq << " q=" << q;
        EXPECT_NEAR(a.y, b.y, 1e-12 * scale) << impl.name << " nq=" << nq << " q=" << q;
        EXPECT_NEAR(a.z, b.z, 1e-12 * scale) << impl.name << " nq=" << nq << " q=" << q;
        EXPECT_LT(max_diff(lf, lr), 1e-12) << impl.name << " nq=" << nq << " q=" << q;
        EXPECT_LT(max_diff(sf, sr), 1e-12) << impl.name << " nq=" << nq << " q=" << q;
      }
}

TEST(KernelsAgree, LastGateFusedWithCzLadders) {
  for (const Impl& impl : fast_impls())
    for (int nq = std::max(2, impl.min_qubits); nq <= 9; ++nq) {
      const Gate2x2 g = random_gate(11 * nq);
      State fast = random_state(nq, nq), ref = fast;
      impl.apply_1q_then_adjacent_cz(fast.data(), nq, g);
      reference::apply_1q_then_adjacent_cz(ref.data(), nq, g);
      EXPECT_LT(max_diff(fast, ref), 1e-12) << impl.name << " nq=" << nq;

      State lf = random_state(nq, 3 * nq), sf = random_state(nq, 5 * nq), lr = lf, sr = sf;
      const PauliImag a = impl.adjacent_cz_then_adjoint_undo(lf.data(), sf.data(), nq, g);
      const PauliImag b = reference::adjacent_cz_then_adjoint_undo(lr.data(), sr.data(), nq, g);
      const double scale = static_cast<double>(dim_of(nq));
      EXPECT_NEAR(a.x, b.x, 1e-12 * scale) << impl.name << " nq=" << nq;
      EXPECT_NEAR(a.y, b.y, 1e-12 * scale) << impl.name << " nq=" << nq;
      EXPECT_NEAR(a.z, b.z, 1e-12 * scale) << impl.name << " nq=" << nq;
      EXPECT_LT(max_diff(lf, lr), 1e-12) << impl.name << " nq=" << nq;
      EXPECT_LT(max_diff(sf, sr), 1e-12) << impl.name << " nq=" << nq;
    }
}

TEST(KernelsAgree, InverseUndoesWithTwoThreadsOnLargeStates) {
  // 16 qubits: long enough for the amplitude-parallel split.
  par::set_max_threads(2);
  const int nq = 16;
  for (int q : {0, 7, 13, 14, 15}) {
    const Gate2x2 g = gate_rz(0.4) * gate_ry(-1.3) * gate_rx(0.9);
    const State orig = random_state(nq, q);
    State s = orig;
    apply_1q(s.data(), nq, q, g);
    State ref = orig;
    reference::apply_1q(ref.data(), nq, q, g);
    EXPECT_LT(max_diff(s, ref), 1e-12) << "q=" << q;
    apply_1q(s.data(), nq, q, g.adjoint());
    EXPECT_LT(max_diff(s, orig), 1e-12) << "q=" << q;
  }
  State s = random_state(nq, 99), ref = s;
  apply_adjacent_cz(s.data(), nq);
  reference::apply_adjacent_cz(ref.data(), nq);
  EXPECT_EQ(max_diff(s, ref), 0.0);
  par::set_max_threads(1);
}

}  // namespace
