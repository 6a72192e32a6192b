// State-vector kernels and the HEA circuit against dense Kronecker-product matrices built in
// tests/dense_reference.hpp (qubit 0 leftmost = most significant bit of the basis index).
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "core/kernels/kernels.hpp"
#include "core/parallel.hpp"
#include "model/circuit.hpp"
#include "support/dense_reference.hpp"

namespace {

using dref::cplx;
using dref::Mat;
using dref::Vec;
using quddpm::Gate2x2;
using quddpm::Pauli;

constexpr double kTol = 1e-12;
constexpr int kMaxQubits = 6;

// Applies a kernel to a copy of psi and returns the result as an Eigen vector.
template <class F>
Vec applied(const Vec& psi, F&& kernel) {
  std::vector<cplx> v = dref::to_std(psi);
  kernel(v.data());
  return dref::to_vec(v);
}

// Checks fast and reference 1-qubit kernels against the dense I (x) G (x) I on every qubit.
void check_1q_everywhere(dref::Source& src, const Mat& g2, const char* what) {
  const Gate2x2 g = dref::to_gate(g2);
  for (int nq = 1; nq <= kMaxQubits; ++nq) {
    for (int q = 0; q < nq; ++q) {
      const Vec psi = src.state(nq);
      const Vec expect = dref::on_qubit(nq, q, g2) * psi;
      const Vec fast = applied(psi, [&](cplx* p) { quddpm::apply_1q(p, nq, q, g); });
      const Vec ref = applied(psi, [&](cplx* p) { quddpm::reference::apply_1q(p, nq, q, g); });
      EXPECT_LT(dref::max_abs_diff(fast, expect), kTol) << what << " nq=" << nq << " q=" << q;
      EXPECT_LT(dref::max_abs_diff(ref, expect), kTol) << what << " nq=" << nq << " q=" << q;
    }
  }
}

TEST(GateMatchesDenseMatrix, RotationMatricesAreMatrixExponentials) {
  dref::Source src(11);
  for (int k = 0; k < 20; ++k) {
    const double a = src.uniform(-7.0, 7.0);
    EXPECT_LT((dref::to_mat(quddpm::gate_rx(a)) - dref::rx(a)).cwiseAbs().maxCoeff(), 1e-14);
    EXPECT_LT((dref::to_mat(quddpm::gate_ry(a)) - dref::ry(a)).cwiseAbs().maxCoeff(), 1e-14);
    EXPECT_LT((dref::to_mat(quddpm::gate_rz(a)) - dref::rz(a)).cwiseAbs().maxCoeff(), 1e-14);
    for (Pauli p : {Pauli::X, Pauli::Y, Pauli::Z}) {
      const Mat expect = dref::rotation(dref::pauli(p), a);
      EXPECT_LT((dref::to_mat(quddpm::gate_rotation(p, a)) - expect).cwiseAbs().maxCoeff(), 1e-14);
    }
  }
}

TEST(GateMatchesDenseMatrix, ProductAndAdjointOfGate2x2) {
  dref::Source src(12);
  for (int k = 0; k < 10; ++k) {
    const Mat a = src.unitary(2), b = src.unitary(2);
    const Gate2x2 ga = dref::to_gate(a), gb = dref::to_gate(b);
    EXPECT_LT((dref::to_mat(ga * gb) - a * b).cwiseAbs().maxCoeff(), 1e-14);
    EXPECT_LT((dref::to_mat(ga.adjoint()) - a.adjoint()).cwiseAbs().maxCoeff(), 1e-15);
  }
}

TEST(GateMatchesDenseMatrix, Apply1qRandomUnitary) {
  dref::Source src(1);
  for (int k = 0; k < 3; ++k)
    check_1q_everywhere(src, src.unitary(2), "random U");
}

TEST(GateMatchesDenseMatrix, Apply1qRotations) {
  dref::Source src(2);
  for (int k = 0; k < 2; ++k) {
    check_1q_everywhere(src, dref::rx(src.uniform(-M_PI, M_PI)), "RX");
    check_1q_everywhere(src, dref::ry(src.uniform(-M_PI, M_PI)), "RY");
    check_1q_everywhere(src, dref::rz(src.uniform(-M_PI, M_PI)), "RZ");
  }
}

TEST(GateMatchesDenseMatrix, RzzOnEveryOrderedPair) {
  dref::Source src(3);
  for (int nq = 2; nq <= kMaxQubits; ++nq) {
    for (int q1 = 0; q1 < nq; ++q1) {
      for (int q2 = 0; q2 < nq; ++q2) {
        if (q1 == q2) continue;
        const double a = src.uniform(-2 * M_PI, 2 * M_PI);
        const Vec psi = src.state(nq);
        const Vec expect = dref::rzz(nq, q1, q2, a) * psi;
        const Vec ref =
            applied(psi, [&](cplx* p) { quddpm::reference::apply_rzz(p, nq, q1, q2, a); });
        EXPECT_LT(dref::max_abs_diff(ref, expect), kTol) << nq << " " << q1 << " " << q2;
      }
    }
  }
}

TEST(GateMatchesDenseMatrix, CzOnEveryOrderedPair) {
  dref::Source src(4);
  for (int nq = 2; nq <= kMaxQubits; ++nq) {
    for (int q1 = 0; q1 < nq; ++q1) {
      for (int q2 = 0; q2 < nq; ++q2) {
        if (q1 == q2) continue;
        const Vec psi = src.state(nq);
        const Vec expect = dref::cz(nq, q1, q2) * psi;
        const Vec ref = applied(psi, [&](cplx* p) { quddpm::reference::apply_cz(p, nq, q1, q2); });
        EXPECT_LT(dref::max_abs_diff(ref, expect), kTol) << nq << " " << q1 << " " << q2;
      }
    }
  }
}

TEST(GateMatchesDenseMatrix, WeightPhaseIsTheDiagonalOfHammingWeights) {
  dref::Source src(6);
  for (int nq = 1; nq <= kMaxQubits; ++nq) {
    const std::size_t d = quddpm::dim_of(nq);
    std::vector<cplx> phase(nq + 1);
    for (cplx& p : phase)
      p = src.complex_normal();  // any complex factors, not only phases
    Mat diag = Mat::Zero(d, d);
    for (std::size_t b = 0; b < d; ++b)
      diag(b, b) = phase[__builtin_popcountll(b)];
    const Vec psi = src.state(nq);
    const Vec got = applied(psi, [&](cplx* p) { quddpm::apply_weight_phase(p, nq, phase.data()); });
    EXPECT_LT(dref::max_abs_diff(got, diag * psi), kTol) << nq;
  }
}

TEST(GateMatchesDenseMatrix, WeightPhaseOfTheRzzProductIsEveryPairsRzz) {
  // prod_{i<j} RZZ_ij(a) = exp(-i a/2 sum_{i<j} z_i z_j), and sum_{i<j} z_i z_j = (S^2 - n)/2
  // with S = n - 2w for Hamming weight w (the forward diffusion's entangler).
  dref::Source src(55);
  for (int nq = 2; nq <= kMaxQubits; ++nq) {
    const double a = src.uniform(-M_PI, M_PI);
    std::vector<cplx> phase(nq + 1);
    for (int w = 0; w <= nq; ++w) {
      const double s = nq - 2 * w;
      phase[w] = std::polar(1.0, -a / 2 * (s * s - nq) / 2);
    }
    const Vec psi = src.state(nq);
    const Vec got = applied(psi, [&](cplx* p) { quddpm::apply_weight_phase(p, nq, phase.data()); });
    const Vec expect = applied(psi, [&](cplx* p) {
      for (int q1 = 0; q1 < nq; ++q1)
        for (int q2 = q1 + 1; q2 < nq; ++q2)
          quddpm::reference::apply_rzz(p, nq, q1, q2, a);
    });
    EXPECT_LT(dref::max_abs_diff(got, expect), kTol) << nq;
  }
}

TEST(NormPreserved, LongRandomGateSequences) {
  dref::Source src(7);
  for (int nq = 1; nq <= kMaxQubits; ++nq) {
    std::vector<cplx> fast = dref::to_std(src.state(nq));
    std::vector<cplx> ref = fast;
    for (int k = 0; k < 200; ++k) {
      const int kind = src.below(nq >= 2 ? 4 : 2);
      const int q1 = src.below(nq);
      int q2 = nq >= 2 ? src.below(nq - 1) : 0;
      if (q2 >= q1) ++q2;
      const double a = src.uniform(-M_PI, M_PI);
      switch (kind) {
        case 0: {
          const Gate2x2 g = dref::to_gate(src.unitary(2));
          quddpm::apply_1q(fast.data(), nq, q1, g);
          quddpm::reference::apply_1q(ref.data(), nq, q1, g);
          break;
        }
        case 1: {
          const Gate2x2 g = quddpm::gate_rotation(static_cast<Pauli>(src.below(3)), a);
          quddpm::apply_1q(fast.data(), nq, q1, g);
          quddpm::reference::apply_1q(ref.data(), nq, q1, g);
          break;
        }
        case 2:
          quddpm::apply_adjacent_cz(fast.data(), nq);
          quddpm::reference::apply_adjacent_cz(ref.data(), nq);
          break;
        default: {
          std::vector<cplx> phase(nq + 1);
          for (cplx& p : phase)
            p = std::polar(1.0, src.uniform(-M_PI, M_PI));
          quddpm::apply_weight_phase(fast.data(), nq, phase.data());
          for (std::size_t b = 0; b < ref.size(); ++b)
            ref[b] *= phase[__builtin_popcountll(b)];
        }
      }
      ASSERT_NEAR(dref::to_vec(fast).squaredNorm(), 1.0, 1e-12) << nq << " step " << k;
      ASSERT_NEAR(dref::to_vec(ref).squaredNorm(), 1.0, 1e-12) << nq << " step " << k;
    }
  }
}

TEST(GateMatchesDenseMatrix, RzzPhaseOnBasisStates) {
  for (int nq = 2; nq <= 4; ++nq) {
    for (int q1 = 0; q1 < nq; ++q1) {
      for (int q2 = 0; q2 < nq; ++q2) {
        if (q1 == q2) continue;
        const double a = 0.37 + q1 - 0.5 * q2;
        for (std::size_t b = 0; b < quddpm::dim_of(nq); ++b) {
          // z = +1 for bit 0, -1 for bit 1; qubit q is bit (nq - 1 - q) of b.
          const int z1 = ((b >> (nq - 1 - q1)) & 1) ? -1 : 1;
          const int z2 = ((b >> (nq - 1 - q2)) & 1) ? -1 : 1;
          const Vec expect = std::polar(1.0, -a * z1 * z2 / 2) * dref::basis(nq, b);
          const Vec e = dref::basis(nq, b);
          EXPECT_LT(
              dref::max_abs_diff(
                  applied(e, [&](cplx* p) { quddpm::reference::apply_rzz(p, nq, q1, q2, a); }),
                  expect),
              1e-14);
        }
      }
    }
  }
}

TEST(GateMatchesDenseMatrix, CzSignOnBasisStates) {
  for (int nq = 2; nq <= 4; ++nq) {
    for (int q1 = 0; q1 < nq; ++q1) {
      for (int q2 = 0; q2 < nq; ++q2) {
        if (q1 == q2) continue;
        for (std::size_t b = 0; b < quddpm::dim_of(nq); ++b) {
          const bool both = ((b >> (nq - 1 - q1)) & 1) && ((b >> (nq - 1 - q2)) & 1);
          const Vec e = dref::basis(nq, b);
          const Vec expect = (both ? -1.0 : 1.0) * e;
          EXPECT_EQ(applied(e, [&](cplx* p) { quddpm::reference::apply_cz(p, nq, q1, q2); }),
                    expect);
        }
      }
    }
  }
}

TEST(GateMatchesDenseMatrix, QubitZeroIsMostSignificantBit) {
  // X on qubit 0 of |0...0> gives the basis index 2^(nq-1).
  for (int nq = 1; nq <= 4; ++nq) {
    const Gate2x2 x = dref::to_gate(dref::pauli_x());
    const Vec e0 = dref::basis(nq, 0);
    const Vec expect = dref::basis(nq, std::size_t{1} << (nq - 1));
    EXPECT_EQ(applied(e0, [&](cplx* p) { quddpm::apply_1q(p, nq, 0, x); }), expect);
    EXPECT_EQ(applied(e0, [&](cplx* p) { quddpm::reference::apply_1q(p, nq, 0, x); }), expect);
    const Vec last = dref::basis(nq, 1);
    EXPECT_EQ(applied(e0, [&](cplx* p) { quddpm::apply_1q(p, nq, nq - 1, x); }), last);
  }
}

TEST(GateMatchesDenseMatrix, PauliExpectations) {
  dref::Source src(8);
  for (int nq = 1; nq <= kMaxQubits; ++nq) {
    for (int q = 0; q < nq; ++q) {
      const Vec l = src.state(nq), psi = src.state(nq);
      cplx expect[3];
      int k = 0;
      for (Pauli p : {Pauli::X, Pauli::Y, Pauli::Z}) {
        expect[k] = l.dot(dref::on_qubit(nq, q, dref::pauli(p)) * psi);  // conj(l) . (P psi)
        EXPECT_LT(std::abs(quddpm::reference::expectation_pauli(l.data(), psi.data(), nq, q, p) -
                           expect[k]),
                  kTol)
            << nq << " " << q << " " << k;
        ++k;
      }
      const quddpm::PauliReads r = quddpm::expectation_xyz(l.data(), psi.data(), nq, q);
      EXPECT_LT(std::abs(r.x - expect[0]), kTol) << nq << " " << q;
      EXPECT_LT(std::abs(r.y - expect[1]), kTol) << nq << " " << q;
      EXPECT_LT(std::abs(r.z - expect[2]), kTol) << nq << " " << q;
    }
  }
}

TEST(GateMatchesDenseMatrix, InnerAndNorm2) {
  dref::Source src(9);
  for (int nq = 0; nq <= kMaxQubits; ++nq) {
    const std::size_t d = quddpm::dim_of(nq);
    Vec a(d), b(d);
    for (std::size_t i = 0; i < d; ++i) {
      a(i) = 3.0 * src.complex_normal();  // unnormalized on purpose
      b(i) = src.complex_normal();
    }
    EXPECT_LT(std::abs(quddpm::inner(a.data(), b.data(), d) - a.dot(b)),
              1e-12 * a.norm() * b.norm());
    EXPECT_NEAR(quddpm::norm2(a.data(), d), a.squaredNorm(), 1e-12 * a.squaredNorm());
  }
  // <a|b> is antilinear in a.
  const cplx a[2] = {{0, 1}, {0, 0}}, b[2] = {{1, 0}, {0, 0}};
  EXPECT_EQ(quddpm::inner(a, b, 2), cplx(0, -1));
}

// The amplitude-parallel path (2 threads, 2^15 amplitudes) against the reference kernels.
TEST(KernelsAgree, FifteenQubitsTwoThreads) {
  constexpr int nq = 15;
  dref::Source src(10);
  const Vec psi0 = src.state(nq);
  const std::size_t d = quddpm::dim_of(nq);
  ASSERT_GE(static_cast<std::int64_t>(d) / 2, quddpm::par::kMinParallelAmplitudes);

  std::vector<cplx> phase(nq + 1);
  for (cplx& p : phase)
    p = std::polar(1.0, src.uniform(-M_PI, M_PI));

  for (int q : {0, 1, 7, 13, 14}) {
    const Gate2x2 g = dref::to_gate(src.unitary(2));
    auto fast_all = [&](cplx* p) {
      quddpm::apply_1q(p, nq, q, g);
      quddpm::apply_adjacent_cz(p, nq);
      quddpm::apply_weight_phase(p, nq, phase.data());
    };
    Vec one, two;
    {
      dref::ThreadsGuard t(1);
      one = applied(psi0, fast_all);
    }
    {
      dref::ThreadsGuard t(2);
      two = applied(psi0, fast_all);
      // 1q alone as well, against the reference kernel.
      const Vec f = applied(psi0, [&](cplx* p) { quddpm::apply_1q(p, nq, q, g); });
      const Vec r = applied(psi0, [&](cplx* p) { quddpm::reference::apply_1q(p, nq, q, g); });
      EXPECT_LT(dref::max_abs_diff(f, r), kTol) << "q=" << q;
    }
    const Vec ref = applied(psi0, [&](cplx* p) {
      quddpm::reference::apply_1q(p, nq, q, g);
      quddpm::reference::apply_adjacent_cz(p, nq);
      for (std::size_t b = 0; b < d; ++b)
        p[b] *= phase[__builtin_popcountll(b)];
    });
    EXPECT_LT(dref::max_abs_diff(two, ref), kTol) << "q=" << q;
    // Element-wise work only: the thread count changes nothing, bit for bit.
    EXPECT_EQ(one, two) << "q=" << q;
  }
}

// ---- HEA circuit (docs/model.md, section 4) ----

// The circuit's unitary gate by gate with the reference kernels, unfused: RX then RY on every
// qubit, then the two CZ ladders, layer after layer.
void apply_gate_by_gate(const quddpm::HeaCircuit& c, cplx* psi, const double* theta) {
  const int nq = c.num_qubits();
  for (int l = 0; l < c.layers(); ++l) {
    for (int q = 0; q < nq; ++q)
      quddpm::reference::apply_1q(psi, nq, q, quddpm::gate_rx(theta[c.rx_index(l, q)]));
    for (int q = 0; q < nq; ++q)
      quddpm::reference::apply_1q(psi, nq, q, quddpm::gate_ry(theta[c.ry_index(l, q)]));
    for (int q = 0; q + 1 < nq; q += 2)
      quddpm::reference::apply_cz(psi, nq, q, q + 1);
    for (int q = 1; q + 1 < nq; q += 2)
      quddpm::reference::apply_cz(psi, nq, q, q + 1);
  }
}

// Dense U(theta) of the whole circuit, built gate by gate from docs/model.md, section 4.
Mat dense_hea(int ntot, int layers, const std::vector<double>& theta) {
  const std::size_t d = quddpm::dim_of(ntot);
  Mat u = Mat::Identity(d, d);
  for (int l = 0; l < layers; ++l) {
    std::vector<Mat> rxs, rys;
    for (int q = 0; q < ntot; ++q) {
      rxs.push_back(dref::rx(theta[2 * ntot * l + q]));
      rys.push_back(dref::ry(theta[2 * ntot * l + ntot + q]));
    }
    u = dref::kron_all(rxs) * u;
    u = dref::kron_all(rys) * u;
    for (int q = 0; q + 1 < ntot; q += 2)
      u = dref::cz(ntot, q, q + 1) * u;
    for (int q = 1; q + 1 < ntot; q += 2)
      u = dref::cz(ntot, q, q + 1) * u;
  }
  return u;
}

TEST(CircuitMatchesDenseMatrix, ApplyAndReferenceEqualDenseUnitary) {
  dref::Source src(13);
  for (int ntot = 1; ntot <= 5; ++ntot) {
    for (int na = 0; na < ntot; ++na) {
      for (int layers = 1; layers <= 3; ++layers) {
        const quddpm::HeaCircuit c(ntot - na, na, layers);
        ASSERT_EQ(c.num_qubits(), ntot);
        ASSERT_EQ(c.num_params(), 2 * ntot * layers);
        std::vector<double> theta(c.num_params());
        for (double& t : theta)
          t = src.uniform(-M_PI, M_PI);
        const Mat u = dense_hea(ntot, layers, theta);
        for (int k = 0; k < 2; ++k) {
          const Vec psi = src.state(ntot);
          const Vec expect = u * psi;
          const Vec fast = applied(psi, [&](cplx* p) { c.apply(p, theta.data()); });
          const Vec ref = applied(psi, [&](cplx* p) { apply_gate_by_gate(c, p, theta.data()); });
          EXPECT_LT(dref::max_abs_diff(fast, expect), kTol)
              << "ntot=" << ntot << " na=" << na << " L=" << layers;
          EXPECT_LT(dref::max_abs_diff(ref, expect), kTol)
              << "ntot=" << ntot << " na=" << na << " L=" << layers;
          EXPECT_NEAR(fast.squaredNorm(), 1.0, 1e-12);
        }
      }
    }
  }
}

TEST(CircuitMatchesDenseMatrix, ParameterLayoutAndFusedGate) {
  const quddpm::HeaCircuit c(2, 1, 2);  // ntot = 3
  for (int l = 0; l < 2; ++l) {
    for (int q = 0; q < 3; ++q) {
      EXPECT_EQ(c.rx_index(l, q), 6 * l + q);
      EXPECT_EQ(c.ry_index(l, q), 6 * l + 3 + q);
    }
  }
  dref::Source src(14);
  std::vector<double> theta(c.num_params());
  for (double& t : theta)
    t = src.uniform(-M_PI, M_PI);
  for (int l = 0; l < 2; ++l) {
    for (int q = 0; q < 3; ++q) {
      const Mat expect = dref::ry(theta[c.ry_index(l, q)]) * dref::rx(theta[c.rx_index(l, q)]);
      EXPECT_LT((dref::to_mat(c.fused_gate(theta.data(), l, q)) - expect).cwiseAbs().maxCoeff(),
                1e-14);
    }
  }
}

TEST(CircuitMatchesDenseMatrix, CzSignsAreBothLadders) {
  for (int ntot = 2; ntot <= 6; ++ntot) {
    const quddpm::HeaCircuit c(1, ntot - 1, 1);
    const std::size_t d = quddpm::dim_of(ntot);
    Mat u = Mat::Identity(d, d);
    for (int q = 0; q + 1 < ntot; q += 2)
      u = dref::cz(ntot, q, q + 1) * u;
    for (int q = 1; q + 1 < ntot; q += 2)
      u = dref::cz(ntot, q, q + 1) * u;
    for (std::size_t b = 0; b < d; ++b) {
      std::vector<quddpm::cplx> e(d, 0.0);
      e[b] = 1.0;
      c.apply_entangler(e.data());
      EXPECT_EQ(e[b], u(b, b)) << "ntot=" << ntot << " b=" << b;
    }
  }
}

TEST(CircuitMatchesDenseMatrix, RejectsBadShapes) {
  EXPECT_THROW(quddpm::HeaCircuit(0, 1, 1), std::invalid_argument);
  EXPECT_THROW(quddpm::HeaCircuit(1, -1, 1), std::invalid_argument);
  EXPECT_THROW(quddpm::HeaCircuit(1, 1, 0), std::invalid_argument);
}

}  // namespace
