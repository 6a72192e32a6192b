// Every kernel of every table this CPU supports (each Highway instruction set, portable)
// agrees with the plain reference kernel on random inputs, for every target position and
// for sizes around the SIMD block boundaries.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <iostream>
#include <limits>
#include <random>
#include <string>
#include <type_traits>
#include <vector>

#include "core/kernels/kernels.hpp"
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

// rows random states of nq qubits one after another (row j from seed + j), as the ensemble
// products take them.
State stacked_states(std::int64_t rows, int nq, int seed) {
  State m;
  for (std::int64_t j = 0; j < rows; ++j) {
    const State r = random_state(nq, static_cast<std::uint64_t>(seed + j));
    m.insert(m.end(), r.begin(), r.end());
  }
  return m;
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

// A kernel's input in precision T, and the same values in double for the reference kernel
// (exact: every float is a double). Outputs are compared in double, to a tolerance set by T.
template <class T>
struct Inputs {
  std::vector<std::complex<T>> fast;
  State ref;
  explicit Inputs(const State& s) {
    for (const cplx& a : s)
      fast.emplace_back(static_cast<T>(a.real()), static_cast<T>(a.imag()));
    for (const auto& a : fast)
      ref.emplace_back(a.real(), a.imag());
  }
  State fast_in_double() const {
    State out;
    for (const auto& a : fast)
      out.emplace_back(a.real(), a.imag());
    return out;
  }
};

template <class T>
class KernelsAgreeWithReference : public ::testing::Test {
 protected:
  // Relative to the size of the values (random normal amplitudes and gate entries: O(1)).
  static constexpr double kTol = std::is_same_v<T, float> ? 3e-5 : 1e-12;
  static const char* precision() { return std::is_same_v<T, float> ? "single" : "double"; }
  // Names a case in a failure message.
  static std::string where(const KernelTable* t, int nq, int q) {
    return std::string(t->name) + " " + precision() + " nq=" + std::to_string(nq) +
           " q=" + std::to_string(q);
  }
};
using Precisions = ::testing::Types<double, float>;
TYPED_TEST_SUITE(KernelsAgreeWithReference, Precisions);

TYPED_TEST(KernelsAgreeWithReference, Apply1qEveryPosition) {
  using T = TypeParam;
  for (const KernelTable* t : fast_tables())
    for (int nq = 1; nq <= 9; ++nq)
      for (int q = 0; q < nq; ++q) {
        const Gate2x2 g = random_gate(100 * nq + q);
        Inputs<T> in(random_state(nq, nq * 31 + q));
        t->fns<T>().apply_1q(in.fast.data(), nq, q, g);
        reference::apply_1q(in.ref.data(), nq, q, g);
        EXPECT_LT(max_diff(in.fast_in_double(), in.ref), this->kTol)
            << t->name << " " << this->precision() << " nq=" << nq << " q=" << q;
      }
}

TYPED_TEST(KernelsAgreeWithReference, AdjacentCzEverySize) {
  using T = TypeParam;
  for (const KernelTable* t : fast_tables())
    for (int nq = 2; nq <= 10; ++nq) {
      Inputs<T> in(random_state(nq, nq));
      t->fns<T>().apply_adjacent_cz(in.fast.data(), nq);
      reference::apply_adjacent_cz(in.ref.data(), nq);
      EXPECT_EQ(max_diff(in.fast_in_double(), in.ref), 0.0)
          << t->name << " " << this->precision() << " nq=" << nq;
    }
}

// One adjoint step of table t on random vectors against the reference's: the two reads and
// both undone vectors. fused: the last qubit's step with the CZ ladders un-applied first.
template <class T>
void expect_adjoint_step_agrees(const KernelTable* t, int nq, int q, const Gate2x2& undo,
                                bool fused, double tol, const std::string& where) {
  Inputs<T> l(random_state(nq, 3 * nq + q)), v(random_state(nq, 5 * nq + q));
  const AdjointReads a =
      fused ? t->fns<T>().adjacent_cz_then_adjoint_undo(l.fast.data(), v.fast.data(), nq, undo)
            : t->fns<T>().adjoint_undo(l.fast.data(), v.fast.data(), nq, q, undo);
  const AdjointReads b =
      fused ? reference::adjacent_cz_then_adjoint_undo(l.ref.data(), v.ref.data(), nq, undo)
            : reference::adjoint_undo(l.ref.data(), v.ref.data(), nq, q, undo);
  const double scale = static_cast<double>(dim_of(nq));  // reads are sums of d terms
  EXPECT_NEAR(a.y_before, b.y_before, tol * scale) << where;
  EXPECT_NEAR(a.x_after, b.x_after, tol * scale) << where;
  EXPECT_LT(max_diff(l.fast_in_double(), l.ref), tol) << where;
  EXPECT_LT(max_diff(v.fast_in_double(), v.ref), tol) << where;
}

TYPED_TEST(KernelsAgreeWithReference, AdjointUndoReadsAndUndoes) {
  using T = TypeParam;
  for (const KernelTable* t : fast_tables())
    for (int nq = 1; nq <= 9; ++nq)
      for (int q = 0; q < nq; ++q)
        expect_adjoint_step_agrees<T>(t, nq, q, random_gate(7 * nq + q), false, this->kTol,
                                      this->where(t, nq, q));
}

TYPED_TEST(KernelsAgreeWithReference, LastGateFusedWithCzLadders) {
  using T = TypeParam;
  for (const KernelTable* t : fast_tables())
    for (int nq = 2; nq <= 9; ++nq) {
      const Gate2x2 g = random_gate(11 * nq);
      const std::string where = this->where(t, nq, nq - 1);
      Inputs<T> in(random_state(nq, nq));
      t->fns<T>().apply_1q_then_adjacent_cz(in.fast.data(), nq, g);
      reference::apply_1q_then_adjacent_cz(in.ref.data(), nq, g);
      EXPECT_LT(max_diff(in.fast_in_double(), in.ref), this->kTol) << where;

      expect_adjoint_step_agrees<T>(t, nq, nq - 1, g, true, this->kTol, where);
    }
}

// The circuit's fused gates RY(b) RX(a) and their inverses have the special-unitary form
// [[m00, m01], [-m01*, m00*]] exactly, which the SIMD kernels run with half the coefficient
// registers: against the reference at every position, in every kernel that takes a gate.
TYPED_TEST(KernelsAgreeWithReference, CircuitGatesEveryPosition) {
  using T = TypeParam;
  for (const KernelTable* t : fast_tables())
    for (int nq = 1; nq <= 9; ++nq)
      for (int q = 0; q < nq; ++q) {
        const Gate2x2 g = gate_ry(0.3 + 0.7 * q) * gate_rx(-1.1 + 0.4 * nq);
        const std::string where = this->where(t, nq, q);
        Inputs<T> in(random_state(nq, 7 * nq + q));
        t->fns<T>().apply_1q(in.fast.data(), nq, q, g);
        reference::apply_1q(in.ref.data(), nq, q, g);
        EXPECT_LT(max_diff(in.fast_in_double(), in.ref), this->kTol) << where;
        expect_adjoint_step_agrees<T>(t, nq, q, g.adjoint(), q == nq - 1 && nq >= 2, this->kTol,
                                      where);
      }
}

// The special-unitary path gives the same bits as the general one. Two gates with the same
// values: `su2` has the form exactly; `general` differs only in the sign of a zero (m11's
// imaginary part +0 where m00's is +0), which keeps it off that path.
TYPED_TEST(KernelsAgreeWithReference, SpecialUnitaryPathSameBitsAsGeneral) {
  using T = TypeParam;
  const Gate2x2 su2{{0.6, 0.0}, {0.48, 0.64}, {-0.48, 0.64}, {0.6, -0.0}};
  Gate2x2 general = su2;
  general.m11 = {0.6, 0.0};
  for (const KernelTable* t : fast_tables())
    for (int nq = 1; nq <= 9; ++nq)
      for (int q = 0; q < nq; ++q) {
        const std::string where = this->where(t, nq, q);
        Inputs<T> a(random_state(nq, 11 * nq + q)), b = a;
        t->fns<T>().apply_1q(a.fast.data(), nq, q, su2);
        t->fns<T>().apply_1q(b.fast.data(), nq, q, general);
        EXPECT_EQ(a.fast, b.fast) << where;

        Inputs<T> l1(random_state(nq, 13 * nq + q)), v1(random_state(nq, 17 * nq + q));
        Inputs<T> l2 = l1, v2 = v1;
        const AdjointReads r1 =
            t->fns<T>().adjoint_undo(l1.fast.data(), v1.fast.data(), nq, q, su2);
        const AdjointReads r2 =
            t->fns<T>().adjoint_undo(l2.fast.data(), v2.fast.data(), nq, q, general);
        EXPECT_EQ(r1.y_before, r2.y_before) << where;
        EXPECT_EQ(r1.x_after, r2.x_after) << where;
        EXPECT_EQ(l1.fast, l2.fast) << where;
        EXPECT_EQ(v1.fast, v2.fast) << where;
      }
}

// The ensemble products of every table against the reference ones, for row lengths around the
// register and unrolling boundaries (d = 1..64) and row counts around the kernels' row blocks;
// and each entry the same to the last bit whether its row is computed alone or in a block.
TEST(KernelTables, EnsembleProductsAgreeWithReference) {
  for (const KernelTable* t : fast_tables())
    for (int nq = 0; nq <= 6; ++nq)
      for (std::int64_t na : {1, 3, 4, 5, 9})
        for (std::int64_t nb : {1, 3, 7}) {
          const std::int64_t d = std::int64_t{1} << nq;
          const State a = stacked_states(na, nq, 5 + nq), b = stacked_states(nb, nq, 100 * nq);
          State fast(na * nb), ref(na * nb), alone(nb);
          t->gram_rows(a.data(), na, b.data(), nb, d, fast.data());
          reference::gram_rows(a.data(), na, b.data(), nb, d, ref.data());
          EXPECT_LT(max_diff(fast, ref), 1e-12 * d)
              << t->name << " gram d=" << d << " na=" << na << " nb=" << nb;
          t->gram_rows(a.data() + (na - 1) * d, 1, b.data(), nb, d, alone.data());
          EXPECT_TRUE(std::equal(alone.begin(), alone.end(), fast.end() - nb))
              << t->name << " gram: a row alone differs from the same row in a block, d=" << d;
          for (std::int64_t j = 0; j < nb; ++j) {  // rows of b are taken in pairs and alone
            cplx one;
            t->gram_rows(a.data(), 1, b.data() + j * d, 1, d, &one);
            EXPECT_EQ(one, fast[j]) << t->name << " gram: row " << j << " of b alone, d=" << d;
          }

          State c = random_state(6, 7 + na + nb);  // the first na x nb as coefficients
          c.resize(na * nb);
          fast.assign(na * d, 0);
          ref.assign(na * d, 0);
          alone.assign(d, 0);
          t->combine_rows(c.data(), na, b.data(), nb, d, fast.data());
          reference::combine_rows(c.data(), na, b.data(), nb, d, ref.data());
          EXPECT_LT(max_diff(fast, ref), 1e-12 * nb)
              << t->name << " combine d=" << d << " na=" << na << " nb=" << nb;
          t->combine_rows(c.data() + (na - 1) * nb, 1, b.data(), nb, d, alone.data());
          EXPECT_TRUE(std::equal(alone.begin(), alone.end(), fast.end() - d))
              << t->name << " combine: a row alone differs from the same row in a block, d=" << d;
        }
}

// sum_j |<b_j|a_i>|^2 of every row of a in long double, from the amplitudes (the truth the
// row sums of squared overlaps are held against), and the scale of its rounding in double,
// sum_j (sum_x |a_ix| |b_jx|)^2.
struct DenseRowSums {
  std::vector<long double> sums, scale;
};
DenseRowSums dense_overlap_sq_rows(const State& a, std::int64_t na, const State& b, std::int64_t nb,
                                   std::int64_t d) {
  DenseRowSums out{std::vector<long double>(static_cast<std::size_t>(na)),
                   std::vector<long double>(static_cast<std::size_t>(na))};
  for (std::int64_t i = 0; i < na; ++i)
    for (std::int64_t j = 0; j < nb; ++j) {
      long double re = 0, im = 0, abs = 0;
      for (std::int64_t x = 0; x < d; ++x) {
        const cplx p = a[i * d + x], q = b[j * d + x];
        re += static_cast<long double>(p.real()) * q.real() +
              static_cast<long double>(p.imag()) * q.imag();
        im += static_cast<long double>(p.imag()) * q.real() -
              static_cast<long double>(p.real()) * q.imag();
        abs += static_cast<long double>(std::abs(p)) * std::abs(q);
      }
      out.sums[i] += re * re + im * im;
      out.scale[i] += abs * abs;
    }
  return out;
}

// The row sums of squared overlaps of every table (and of the reference kernel) against the
// long-double sums of the dense products, for row lengths d = 1..128 and row counts around the
// kernels' lane blocks (16 rows of a in double on AVX-512) and passes over the rows of b; and
// each row's sum the same to the last bit whatever the rows beside it in a and its place there.
TEST(KernelTables, OverlapSqRowSumsAgreeWithDenseSums) {
  std::vector<const KernelTable*> tables = fast_tables();
  tables.push_back(&reference_kernels());
  for (const KernelTable* t : tables)
    for (int nq = 0; nq <= 7; ++nq)
      for (std::int64_t na : {1, 3, 8, 16, 17, 33})
        for (std::int64_t nb : {0, 1, 2, 3, 5, 9}) {
          const std::int64_t d = std::int64_t{1} << nq;
          const State a = stacked_states(na, nq, 3 + nq), b = stacked_states(nb, nq, 70 * nq);
          std::vector<double> fast(static_cast<std::size_t>(na), -1.0);
          t->overlap_sq_rows(a.data(), na, b.data(), nb, d, fast.data());
          const DenseRowSums truth = dense_overlap_sq_rows(a, na, b, nb, d);
          for (std::int64_t i = 0; i < na; ++i)  // (round-off: about 2 d eps scale)
            EXPECT_LE(std::abs(fast[i] - truth.sums[i]), 1e-15L * (d + nb) * truth.scale[i])
                << t->name << " d=" << d << " na=" << na << " nb=" << nb << " row " << i;
          // The last row alone, and the first row behind the others.
          double alone = -1.0;
          t->overlap_sq_rows(a.data() + (na - 1) * d, 1, b.data(), nb, d, &alone);
          EXPECT_EQ(std::memcmp(&alone, &fast[na - 1], sizeof(double)), 0)
              << t->name << " d=" << d << " na=" << na << " nb=" << nb;
          State moved(a.begin() + d, a.end());
          moved.insert(moved.end(), a.begin(), a.begin() + d);
          std::vector<double> shifted(static_cast<std::size_t>(na));
          t->overlap_sq_rows(moved.data(), na, b.data(), nb, d, shifted.data());
          EXPECT_EQ(std::memcmp(&shifted[na - 1], &fast[0], sizeof(double)), 0)
              << t->name << " d=" << d << " na=" << na << " nb=" << nb;
        }
}

// A set of states against itself: entry (j, i) is exactly the conjugate of (i, j) (the same
// products summed in the same order), and the diagonal exactly real. self_gram() relies on
// it to compute half the entries and mirror the rest with the same bits.
TEST(KernelTables, GramOfStatesWithThemselvesIsExactlyHermitian) {
  for (const KernelTable* t : fast_tables())
    for (int nq = 0; nq <= 7; ++nq)
      for (std::int64_t n : {1, 2, 3, 5, 9, 17}) {
        const std::int64_t d = std::int64_t{1} << nq;
        const State a = stacked_states(n, nq, 31 * nq);
        State g(n * n);
        t->gram_rows(a.data(), n, a.data(), n, d, g.data());
        for (std::int64_t i = 0; i < n; ++i) {
          EXPECT_EQ(std::signbit(g[i * n + i].imag()), false) << t->name << " d=" << d;
          EXPECT_EQ(g[i * n + i].imag(), 0.0) << t->name << " d=" << d << " i=" << i;
          for (std::int64_t j = 0; j < i; ++j) {
            const cplx upper = std::conj(g[j * n + i]), lower = g[i * n + j];
            EXPECT_EQ(std::memcmp(&upper, &lower, sizeof(cplx)), 0)
                << t->name << " d=" << d << " (" << i << ", " << j << "): " << lower << " vs "
                << upper;
          }
        }
      }
}

// The auction's bid by hand: the best, its first column, and the best of the other columns.
TEST(KernelTables, AuctionBidReferenceByHand) {
  const std::vector<double> values = {3, 9, 7, 9, 1}, prices = {0, 2, 0, 1, 0};
  // values - prices = 3, 7, 7, 8, 1: best 8 at column 3, second 7.
  const BestTwo t = reference::best_two_profits(values.data(), prices.data(), 5);
  EXPECT_EQ(t.best, 8);
  EXPECT_EQ(t.at, 3);
  EXPECT_EQ(t.second, 7);
  // A tie for the best (9 at columns 1 and 3): the first column takes it, and the second
  // equals the best.
  const std::vector<double> zero(9, 0);
  const BestTwo tie = reference::best_two_profits(values.data(), zero.data(), 5);
  EXPECT_EQ(tie.best, 9);
  EXPECT_EQ(tie.at, 1);
  EXPECT_EQ(tie.second, 9);
  const BestTwo one = reference::best_two_profits(values.data(), zero.data(), 1);
  EXPECT_EQ(one.best, 3);
  EXPECT_EQ(one.second, -std::numeric_limits<double>::infinity());  // one column: no second
  const std::vector<double> flat(9, -4);
  const BestTwo all = reference::best_two_profits(flat.data(), zero.data(), 9);
  EXPECT_EQ(all.best, -4);
  EXPECT_EQ(all.second, -4);
  EXPECT_EQ(all.at, 0);
}

// Every table's bid equals the reference's exactly (integers in doubles: no rounding to
// differ), for row lengths around the register sizes, with ties (values from a handful of
// levels) and without, and with magnitudes near the 2^52 the auction allows.
TEST(KernelTables, AuctionBidAgreesWithReference) {
  std::mt19937_64 gen(11);
  const std::int64_t big = std::int64_t{1} << 52;
  for (const KernelTable* t : fast_tables())
    for (std::int64_t n = 1; n <= 41; ++n)
      for (int kind = 0; kind < 3; ++kind)
        for (int draw = 0; draw < 20; ++draw) {
          std::uniform_int_distribution<std::int64_t> level(0, 3), wide(-big + 1, big - 1);
          std::vector<double> values(n), prices(n);
          for (std::int64_t j = 0; j < n; ++j) {
            const std::int64_t v = kind == 0   ? level(gen)
                                   : kind == 1 ? wide(gen)
                                               : -level(gen) * (big / 4);
            const std::int64_t p = kind == 0 ? level(gen) : kind == 1 ? wide(gen) & (big - 1) : 0;
            values[j] = static_cast<double>(v);
            prices[j] = static_cast<double>(p);
          }
          const BestTwo fast = t->best_two_profits(values.data(), prices.data(), n);
          const BestTwo ref = reference::best_two_profits(values.data(), prices.data(), n);
          EXPECT_EQ(fast.best, ref.best) << t->name << " n=" << n << " kind " << kind;
          EXPECT_EQ(fast.second, ref.second) << t->name << " n=" << n << " kind " << kind;
          EXPECT_EQ(fast.at, ref.at) << t->name << " n=" << n << " kind " << kind;
        }
}

TEST(KernelTables, ActiveTableIsTheFastestSupported) {
  const auto tables = supported_kernel_tables();
  ASSERT_FALSE(tables.empty());
  EXPECT_STREQ(tables.back()->name, "portable");
  EXPECT_EQ(&active_kernels(), tables.front());
}

TEST(KernelTables, SelectingATableTheCpuLacksIsRefusedByName) {
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

TEST(KernelTables, InverseUndoesWithTwoThreadsOnLargeStates) {
  // 16 qubits: long enough for the amplitude-parallel split.
  par::set_max_threads(2);
  const int nq = 16;
  for (const KernelTable* t : fast_tables()) {
    for (int q : {0, 7, 13, 14, 15}) {
      const Gate2x2 g = gate_rz(0.4) * gate_ry(-1.3) * gate_rx(0.9);
      const State orig = random_state(nq, q);
      State s = orig;
      t->f64.apply_1q(s.data(), nq, q, g);
      State ref = orig;
      reference::apply_1q(ref.data(), nq, q, g);
      EXPECT_LT(max_diff(s, ref), 1e-12) << t->name << " q=" << q;
      t->f64.apply_1q(s.data(), nq, q, g.adjoint());
      EXPECT_LT(max_diff(s, orig), 1e-12) << t->name << " q=" << q;
    }
    State s = random_state(nq, 99), ref = s;
    t->f64.apply_adjacent_cz(s.data(), nq);
    reference::apply_adjacent_cz(ref.data(), nq);
    EXPECT_EQ(max_diff(s, ref), 0.0) << t->name;
  }
  par::set_max_threads(1);
}

}  // namespace
