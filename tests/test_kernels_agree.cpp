// Every kernel of every table this CPU supports (each Highway instruction set, portable)
// agrees with the plain reference kernel on random inputs, for every target position and
// for sizes around the SIMD block boundaries.
#include <gtest/gtest.h>

#include <iostream>
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

// Every fast table this CPU runs; the ones it cannot run are named on stdout with the
// reason, once per test binary, so a log shows what was not covered on this machine.
std::vector<const KernelTable*> fast_tables() {
  static const bool reported = [] {
    for (const CompiledKernels& c : compiled_kernel_tables())
      if (!c.supported)
        std::cout << "[ SKIPPED  ] kernel table '" << c.table->name
                  << "': this CPU does not support it\n";
    return true;
  }();
  (void)reported;
  return supported_kernel_tables();
}

TEST(KernelsAgree, Apply1qEveryPosition) {
  for (const KernelTable* t : fast_tables())
    for (int nq = 1; nq <= 9; ++nq)
      for (int q = 0; q < nq; ++q) {
        const Gate2x2 g = random_gate(100 * nq + q);
        State fast = random_state(nq, nq * 31 + q), ref = fast;
        t->apply_1q(fast.data(), nq, q, g);
        reference::apply_1q(ref.data(), nq, q, g);
        EXPECT_LT(max_diff(fast, ref), 1e-12) << t->name << " nq=" << nq << " q=" << q;
      }
}

TEST(KernelsAgree, AdjacentCzEverySize) {
  for (const KernelTable* t : fast_tables())
    for (int nq = 2; nq <= 10; ++nq) {
      State fast = random_state(nq, nq), ref = fast;
      t->apply_adjacent_cz(fast.data(), nq);
      reference::apply_adjacent_cz(ref.data(), nq);
      EXPECT_EQ(max_diff(fast, ref), 0.0) << t->name << " nq=" << nq;
    }
}

TEST(KernelsAgree, AdjointUndoReadsAndUndoes) {
  for (const KernelTable* t : fast_tables())
    for (int nq = 1; nq <= 9; ++nq)
      for (int q = 0; q < nq; ++q) {
        const Gate2x2 g = random_gate(7 * nq + q);
        State lf = random_state(nq, 3 * nq + q), sf = random_state(nq, 5 * nq + q);
        State lr = lf, sr = sf;
        const PauliImag a = t->adjoint_undo(lf.data(), sf.data(), nq, q, g);
        const PauliImag b = reference::adjoint_undo(lr.data(), sr.data(), nq, q, g);
        const double scale = static_cast<double>(dim_of(nq));  // reads are sums of d terms
        EXPECT_NEAR(a.x, b.x, 1e-12 * scale) << t->name << " nq=" << nq << " q=" << q;
        EXPECT_NEAR(a.y, b.y, 1e-12 * scale) << t->name << " nq=" << nq << " q=" << q;
        EXPECT_NEAR(a.z, b.z, 1e-12 * scale) << t->name << " nq=" << nq << " q=" << q;
        EXPECT_LT(max_diff(lf, lr), 1e-12) << t->name << " nq=" << nq << " q=" << q;
        EXPECT_LT(max_diff(sf, sr), 1e-12) << t->name << " nq=" << nq << " q=" << q;
      }
}

TEST(KernelsAgree, LastGateFusedWithCzLadders) {
  for (const KernelTable* t : fast_tables())
    for (int nq = 2; nq <= 9; ++nq) {
      const Gate2x2 g = random_gate(11 * nq);
      State fast = random_state(nq, nq), ref = fast;
      t->apply_1q_then_adjacent_cz(fast.data(), nq, g);
      reference::apply_1q_then_adjacent_cz(ref.data(), nq, g);
      EXPECT_LT(max_diff(fast, ref), 1e-12) << t->name << " nq=" << nq;

      State lf = random_state(nq, 3 * nq), sf = random_state(nq, 5 * nq), lr = lf, sr = sf;
      const PauliImag a = t->adjacent_cz_then_adjoint_undo(lf.data(), sf.data(), nq, g);
      const PauliImag b = reference::adjacent_cz_then_adjoint_undo(lr.data(), sr.data(), nq, g);
      const double scale = static_cast<double>(dim_of(nq));
      EXPECT_NEAR(a.x, b.x, 1e-12 * scale) << t->name << " nq=" << nq;
      EXPECT_NEAR(a.y, b.y, 1e-12 * scale) << t->name << " nq=" << nq;
      EXPECT_NEAR(a.z, b.z, 1e-12 * scale) << t->name << " nq=" << nq;
      EXPECT_LT(max_diff(lf, lr), 1e-12) << t->name << " nq=" << nq;
      EXPECT_LT(max_diff(sf, sr), 1e-12) << t->name << " nq=" << nq;
    }
}

TEST(KernelsAgree, ActiveTableIsTheFastestSupported) {
  const auto tables = supported_kernel_tables();
  ASSERT_FALSE(tables.empty());
  EXPECT_STREQ(tables.back()->name, "portable");
  EXPECT_EQ(&active_kernels(), tables.front());
}

TEST(KernelsAgree, SelectingATableTheCpuLacksIsRefusedByName) {
  EXPECT_THROW(select_kernels("no-such-isa"), std::invalid_argument);
  for (const CompiledKernels& c : compiled_kernel_tables())
    if (!c.supported) {
      try {
        select_kernels(c.table->name);
        ADD_FAILURE() << c.table->name << " was selected on a CPU without it";
      } catch (const std::invalid_argument& e) {
        EXPECT_NE(std::string(e.what()).find(c.table->name), std::string::npos);
      }
    }
  const KernelTable& before = active_kernels();
  select_kernels("portable");
  EXPECT_STREQ(active_kernels().name, "portable");
  select_kernels(before.name);
  EXPECT_EQ(&active_kernels(), &before);
}

TEST(KernelsAgree, InverseUndoesWithTwoThreadsOnLargeStates) {
  // 16 qubits: long enough for the amplitude-parallel split.
  par::set_max_threads(2);
  const int nq = 16;
  for (const KernelTable* t : fast_tables()) {
    for (int q : {0, 7, 13, 14, 15}) {
      const Gate2x2 g = gate_rz(0.4) * gate_ry(-1.3) * gate_rx(0.9);
      const State orig = random_state(nq, q);
      State s = orig;
      t->apply_1q(s.data(), nq, q, g);
      State ref = orig;
      reference::apply_1q(ref.data(), nq, q, g);
      EXPECT_LT(max_diff(s, ref), 1e-12) << t->name << " q=" << q;
      t->apply_1q(s.data(), nq, q, g.adjoint());
      EXPECT_LT(max_diff(s, orig), 1e-12) << t->name << " q=" << q;
    }
    State s = random_state(nq, 99), ref = s;
    t->apply_adjacent_cz(s.data(), nq);
    reference::apply_adjacent_cz(ref.data(), nq);
    EXPECT_EQ(max_diff(s, ref), 0.0) << t->name;
  }
  par::set_max_threads(1);
}

}  // namespace
