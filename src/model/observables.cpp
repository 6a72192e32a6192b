#include "model/observables.hpp"

#include <cmath>
#include <stdexcept>

namespace quddpm {

namespace {
// n for an ensemble of 2^n columns.
int qubits_in(const StateMatrix& states) {
  int n = 0;
  while ((Eigen::Index{1} << n) < states.cols())
    ++n;
  return n;
}
}  // namespace

std::vector<PauliFactor> parse_pauli(const std::string& text, int n_qubits) {
  if (text.empty()) throw std::invalid_argument("is empty (expected a product such as Z0Z1)");
  std::vector<PauliFactor> factors;
  std::vector<bool> seen(static_cast<std::size_t>(n_qubits), false);
  std::size_t i = 0;
  while (i < text.size()) {
    const char p = text[i];
    if (p != 'X' && p != 'Y' && p != 'Z')
      throw std::invalid_argument(
          "must be a product of X, Y or Z followed by a qubit (such as "
          "Z0Z1), found '" +
          std::string(1, p) + "' at position " + std::to_string(i));
    std::size_t j = ++i;
    while (j < text.size() && text[j] >= '0' && text[j] <= '9' && j - i < 3)
      ++j;
    if (j == i)
      throw std::invalid_argument(std::string("has no qubit after '") + p + "' at position " +
                                  std::to_string(i - 1));
    if (j < text.size() && text[j] >= '0' && text[j] <= '9')
      throw std::invalid_argument("names a qubit beyond the " + std::to_string(n_qubits) +
                                  " data qubits");
    const int q = std::stoi(text.substr(i, j - i));
    if (q >= n_qubits)
      throw std::invalid_argument("names qubit " + std::to_string(q) + ", but there are " +
                                  std::to_string(n_qubits) + " data qubits (0.." +
                                  std::to_string(n_qubits - 1) + ")");
    if (seen[static_cast<std::size_t>(q)])
      throw std::invalid_argument("names qubit " + std::to_string(q) + " twice");
    seen[static_cast<std::size_t>(q)] = true;
    factors.emplace_back(p, q);
    i = j;
  }
  return factors;
}

std::string bits_problem(const std::string& bits, int n_qubits) {
  if (bits.size() != static_cast<std::size_t>(n_qubits) ||
      bits.find_first_not_of("01") != std::string::npos)
    return "must be a string of " + std::to_string(n_qubits) +
           " characters 0 or 1 (one per data qubit, qubit 0 first)";
  return "";
}

RealVector basis_fidelities(const StateMatrix& states, const std::string& bits) {
  const int n = qubits_in(states);
  if (!bits_problem(bits, n).empty())
    throw std::invalid_argument("bit string " + bits_problem(bits, n));
  std::size_t x = 0;
  for (int q = 0; q < n; ++q)
    if (bits[static_cast<std::size_t>(q)] == '1') x |= std::size_t{1} << bit_of(n, q);
  RealVector f(states.rows());
  for (Eigen::Index i = 0; i < states.rows(); ++i)
    f[i] = std::norm(states(i, static_cast<Eigen::Index>(x)));
  return f;
}

RealVector pauli_expectations(const StateMatrix& states, const std::vector<PauliFactor>& factors) {
  const int n = qubits_in(states);
  // P|y> = phase(y) |y ^ flip>: X and Y flip their qubit's bit; Y|0> = i|1>, Y|1> = -i|0>,
  // Z|b> = (-1)^b |b>.
  std::size_t flip = 0;
  for (const auto& [p, q] : factors) {
    if (q < 0 || q >= n) throw std::invalid_argument("Pauli factor on a qubit out of range");
    if (p != 'Z') flip |= std::size_t{1} << bit_of(n, q);
  }
  const std::size_t dim = dim_of(n);
  std::vector<cplx> phase(dim);
  for (std::size_t y = 0; y < dim; ++y) {
    cplx ph = 1;
    for (const auto& [p, q] : factors) {
      const bool one = (y >> bit_of(n, q)) & 1;
      if (p == 'Y') ph *= one ? cplx(0, -1) : cplx(0, 1);
      if (p == 'Z' && one) ph = -ph;
    }
    phase[y] = ph;
  }
  RealVector e(states.rows());
  for (Eigen::Index i = 0; i < states.rows(); ++i) {
    cplx sum = 0;
    for (std::size_t y = 0; y < dim; ++y)
      sum += std::conj(states(i, static_cast<Eigen::Index>(y ^ flip))) * phase[y] *
             states(i, static_cast<Eigen::Index>(y));
    e[i] = sum.real();
  }
  return e;
}

RealVector magnetizations(const StateMatrix& states) {
  const int n = qubits_in(states);
  const std::size_t dim = dim_of(n);
  std::vector<double> weight(dim);  // |(1/n) sum_i (2 x_i - 1)| = |2 popcount(x) - n| / n
  for (std::size_t x = 0; x < dim; ++x) {
    int ones = 0;
    for (std::size_t b = x; b != 0; b >>= 1)
      ones += static_cast<int>(b & 1);
    weight[x] = std::abs(2 * ones - n) / static_cast<double>(n);
  }
  RealVector m(states.rows());
  for (Eigen::Index i = 0; i < states.rows(); ++i) {
    double sum = 0;
    for (std::size_t x = 0; x < dim; ++x)
      sum += std::norm(states(i, static_cast<Eigen::Index>(x))) * weight[x];
    m[i] = sum;
  }
  return m;
}

std::vector<ObservableValues> measure(const std::vector<Observable>& observables,
                                      const StateMatrix& states) {
  std::vector<ObservableValues> out;
  for (const Observable& o : observables) {
    switch (o.kind) {
      case ObservableKind::BasisFidelity:
        out.push_back({"basis_fidelity:" + o.bits, 0, 1, o.bins, basis_fidelities(states, o.bits)});
        break;
      case ObservableKind::Pauli: {
        const RealVector e = pauli_expectations(states, parse_pauli(o.pauli, qubits_in(states)));
        out.push_back({"pauli:" + o.pauli, -1, 1, o.bins, e});
        out.push_back({"pauli_squared:" + o.pauli, 0, 1, o.bins, e.cwiseAbs2()});
        break;
      }
      case ObservableKind::Magnetization:
        out.push_back({"magnetization", 0, 1, o.bins, magnetizations(states)});
        break;
    }
  }
  return out;
}

MeanSd mean_sd(const RealVector& values) {
  const double n = static_cast<double>(values.size());
  double sum = 0;
  for (Eigen::Index i = 0; i < values.size(); ++i)
    sum += values[i];
  const double mean = sum / n;
  double sq = 0;
  for (Eigen::Index i = 0; i < values.size(); ++i)
    sq += (values[i] - mean) * (values[i] - mean);
  return {mean, std::sqrt(sq / n)};
}

std::vector<long long> histogram(const RealVector& values, double lo, double hi, int bins) {
  if (bins < 1 || !(hi > lo)) throw std::invalid_argument("histogram: need bins >= 1, hi > lo");
  std::vector<long long> counts(static_cast<std::size_t>(bins), 0);
  for (Eigen::Index i = 0; i < values.size(); ++i) {
    const double k = std::floor((values[i] - lo) / (hi - lo) * bins);
    const int bin = k < 0 ? 0 : k >= bins ? bins - 1 : static_cast<int>(k);
    ++counts[static_cast<std::size_t>(bin)];
  }
  return counts;
}

}  // namespace quddpm
