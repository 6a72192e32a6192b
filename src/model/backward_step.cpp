#include "model/backward_step.hpp"

#include <cmath>
#include <exception>
#include <stdexcept>
#include <string>

#include "core/distributed.hpp"
#include "core/ensemble_ops.hpp"
#include "core/kernels/kernels.hpp"
#include "core/parallel.hpp"
#include "core/rng.hpp"
#include "model/metrics.hpp"
#include "model/transport.hpp"

namespace quddpm {

OutcomeChooser sampled_outcomes(std::uint64_t key) {
  return [key](std::int64_t i, const std::vector<double>& p) -> std::int64_t {
    Rng rng(stream_key(key, {static_cast<std::uint64_t>(i)}));
    double total = 0;
    for (double x : p)
      total += x;
    const double u = rng.uniform() * total;
    double acc = 0;
    for (std::size_t m = 0; m < p.size(); ++m) {
      acc += p[m];
      if (u < acc && p[m] > 0) return static_cast<std::int64_t>(m);
    }
    // Round-off left u beyond the last partial sum: take the last outcome with weight.
    for (std::size_t m = p.size(); m-- > 0;)
      if (p[m] > 0) return static_cast<std::int64_t>(m);
    return 0;
  };
}

OutcomeChooser quenched_outcomes(std::uint64_t key) {
  return [key](std::int64_t i, const std::vector<double>& p) -> std::int64_t {
    Rng rng(stream_key(key, {static_cast<std::uint64_t>(i)}));
    std::int64_t best = -1;
    double best_score = 0;
    for (std::size_t m = 0; m < p.size(); ++m) {
      // A standard Gumbel variable per outcome, drawn whatever p_m, so that G_im does not
      // depend on the probabilities.
      const double u = (static_cast<double>(rng.next_u64() >> 11) + 0.5) * 0x1.0p-53;  // (0, 1)
      const double g = -std::log(-std::log(u));
      if (!(p[m] > 0)) continue;
      const double score = std::log(p[m]) + g;
      if (best < 0 || score > best_score) best = static_cast<std::int64_t>(m), best_score = score;
    }
    return best < 0 ? 0 : best;
  };
}

OutcomeChooser fixed_outcomes(std::vector<std::int64_t> outcomes) {
  return [outcomes = std::move(outcomes)](std::int64_t i,
                                          const std::vector<double>& p) -> std::int64_t {
    if (i >= static_cast<std::int64_t>(outcomes.size()))
      throw std::invalid_argument("no outcome given for input " + std::to_string(i));
    const std::int64_t m = outcomes[i];
    if (m < 0 || m >= static_cast<std::int64_t>(p.size()))
      throw std::invalid_argument("outcome " + std::to_string(m) + " of input " +
                                  std::to_string(i) + " is outside 0.." +
                                  std::to_string(p.size() - 1));
    if (p[m] < 1e-12)
      throw std::invalid_argument("outcome " + std::to_string(m) + " of input " +
                                  std::to_string(i) + " has probability " + std::to_string(p[m]) +
                                  " (below 1e-12)");
    return m;
  };
}

namespace {

// Runs f(i) over this process's samples [s.lo, s.hi); the error of the lowest-numbered failing
// sample is rethrown after the loop (exceptions may not cross a parallel region), settled
// across processes (dist::agree) so that none waits for a failed one.
template <class F>
void for_my_samples(dist::Shard s, double work_per_sample, F&& f) {
  std::vector<std::exception_ptr> errors(s.hi - s.lo);
  par::for_each_state(
      s.hi - s.lo,
      [&](std::int64_t k) {
        try {
          f(s.lo + k);
        } catch (...) {
          errors[k] = std::current_exception();
        }
      },
      work_per_sample);
  std::exception_ptr first;
  for (auto& e : errors)
    if (e && !first) first = e;
  dist::agree(first);
}

// Collective: the rows of `out` that each process computed (its shard) to every process.
void gather_outputs(StepOutputs& out) {
  if (dist::processes().size() == 1) return;
  const std::int64_t n = out.states.rows(), d = out.states.cols(), len = 2 * d + 2;
  const dist::Shard s = dist::my_shard(n);
  std::vector<double> rows(static_cast<std::size_t>(n * len));
  for (std::int64_t i = s.lo; i < s.hi; ++i) {
    double* r = rows.data() + i * len;
    const double* state = reinterpret_cast<const double*>(out.states.row(i).data());
    std::copy(state, state + 2 * d, r);
    r[2 * d] = static_cast<double>(out.outcomes[i]);  // exact: far below 2^53
    r[2 * d + 1] = out.probabilities[i];
  }
  dist::gather_rows(rows.data(), n, len);
  for (std::int64_t i = 0; i < n; ++i) {
    const double* r = rows.data() + i * len;
    std::copy(r, r + 2 * d, reinterpret_cast<double*>(out.states.row(i).data()));
    out.outcomes[i] = static_cast<std::int64_t>(r[2 * d]);
    out.probabilities[i] = r[2 * d + 1];
  }
}

// Collective: the rows of the N x P per-sample gradient (column-major) that each process
// computed to every process.
void gather_gradients(RealMatrix& per_sample) {
  if (dist::processes().size() == 1) return;
  const std::int64_t n = per_sample.rows(), p = per_sample.cols();
  const dist::Shard s = dist::my_shard(n);
  std::vector<double> rows(static_cast<std::size_t>(n * p));
  for (std::int64_t i = s.lo; i < s.hi; ++i)
    for (std::int64_t k = 0; k < p; ++k)
      rows[i * p + k] = per_sample(i, k);
  dist::gather_rows(rows.data(), n, p);
  for (std::int64_t i = 0; i < n; ++i)
    for (std::int64_t k = 0; k < p; ++k)
      per_sample(i, k) = rows[i * p + k];
}

// Amplitude updates of one sample's pass through the circuit (one per amplitude, layer and
// qubit): the work the parallelism policy weighs.
double circuit_work(const HeaCircuit& c) {
  return static_cast<double>(c.dim()) * c.layers() * c.num_qubits();
}

void check_inputs(const HeaCircuit& c, const StateMatrix& inputs) {
  if (inputs.cols() != static_cast<Eigen::Index>(dim_of(c.n_data())))
    throw std::invalid_argument("inputs have " + std::to_string(inputs.cols()) +
                                " amplitudes, the circuit expects " +
                                std::to_string(dim_of(c.n_data())) + " data amplitudes");
  if (inputs.rows() < 1) throw std::invalid_argument("no inputs");
}

// w <- U |0^na>|phi_i> (the input rounded to w's precision).
template <class T>
void final_state(const HeaCircuit& c, const std::vector<Gate2x2>& gates, const StateMatrix& inputs,
                 std::int64_t i, std::complex<T>* w) {
  const std::size_t dd = dim_of(c.n_data());
  std::fill(w, w + c.dim(), std::complex<T>(0));
  const cplx* in = inputs.row(i).data();
  for (std::size_t x = 0; x < dd; ++x)
    w[x] = std::complex<T>(static_cast<T>(in[x].real()), static_cast<T>(in[x].imag()));
  c.apply(w, gates);
}

// |0^na>|phi> through U, then measured: fills `w` (full state) and row i of `out` (double).
template <class T>
void forward_one(const HeaCircuit& c, const std::vector<Gate2x2>& gates, const StateMatrix& inputs,
                 std::int64_t i, const OutcomeChooser& choose, std::complex<T>* w,
                 StepOutputs& out) {
  const std::size_t dd = dim_of(c.n_data());
  final_state(c, gates, inputs, i, w);
  std::vector<double> p(dim_of(c.n_ancilla()));
  for (std::size_t m = 0; m < p.size(); ++m)
    p[m] = norm2(w + m * dd, dd);
  const std::int64_t m = choose(i, p);
  const double scale = 1.0 / std::sqrt(p[m]);
  for (std::size_t x = 0; x < dd; ++x)
    out.states(i, x) = cplx(w[m * dd + x].real(), w[m * dd + x].imag()) * scale;
  out.outcomes[i] = m;
  out.probabilities[i] = p[m];
}

StepOutputs make_outputs(const HeaCircuit& c, Eigen::Index n) {
  StepOutputs out;
  out.states.resize(n, static_cast<Eigen::Index>(dim_of(c.n_data())));
  out.outcomes.assign(n, 0);
  out.probabilities.assign(n, 0.0);
  return out;
}

template <class T>
StepOutputs run_step_in(const HeaCircuit& circuit, const double* theta, const StateMatrix& inputs,
                        const OutcomeChooser& choose) {
  check_inputs(circuit, inputs);
  StepOutputs out = make_outputs(circuit, inputs.rows());
  std::vector<AmplitudeVector<T>> work(par::max_threads(), AmplitudeVector<T>(circuit.dim()));
  const std::vector<Gate2x2> gates = circuit.fused_gates(theta);
  for_my_samples(dist::my_shard(inputs.rows()), circuit_work(circuit), [&](std::int64_t i) {
    forward_one(circuit, gates, inputs, i, choose, work[par::thread_index()].data(), out);
  });
  gather_outputs(out);
  return out;
}

}  // namespace

StepOutputs run_step(const HeaCircuit& circuit, const double* theta, const StateMatrix& inputs,
                     const OutcomeChooser& choose, Precision precision) {
  return precision == Precision::Single ? run_step_in<float>(circuit, theta, inputs, choose)
                                        : run_step_in<double>(circuit, theta, inputs, choose);
}

namespace {

// a b^dagger, each process computing its shard of the rows of a, gathered to every process.
StateMatrix gathered_gram(const StateMatrix& a, const StateMatrix& b) {
  if (dist::processes().size() == 1) return gram(a, b);
  const dist::Shard s = dist::my_shard(a.rows());
  StateMatrix g(a.rows(), b.rows());
  g.middleRows(s.lo, s.hi - s.lo) = gram(a.middleRows(s.lo, s.hi - s.lo), b);
  dist::gather_rows(reinterpret_cast<double*>(g.data()), g.rows(), 2 * g.cols());
  return g;
}

// a a^dagger from the upper halves of each process's shard of rows, gathered to every process
// and mirrored: the same bits as gathered_gram(a, a).
StateMatrix gathered_self_gram(const StateMatrix& a) {
  if (dist::processes().size() == 1) return self_gram(a);
  const dist::Shard s = dist::my_shard(a.rows());
  StateMatrix g = StateMatrix::Zero(a.rows(), a.rows());
  self_gram_upper_rows(a, s.lo, s.hi, g);
  dist::gather_rows(reinterpret_cast<double*>(g.data()), g.rows(), 2 * g.cols());
  mirror_upper(g);
  return g;
}

// dL/d(psi_i^*) for the outputs i in `rows` (row i - rows.lo of the result), from the two Gram
// matrices self = outputs outputs^dagger and cross = outputs targets^dagger.
StateMatrix output_gradient(const StateMatrix& outputs, const StateMatrix& targets,
                            const StateMatrix& self, const StateMatrix& cross, dist::Shard rows) {
  const double n = static_cast<double>(outputs.rows());
  const double m = static_cast<double>(targets.rows());
  // Rows are states: g_i = (2/N^2) sum_k <psi_k|psi_i> psi_k - (2/(NM)) sum_j <b_j|psi_i> b_j.
  // Both sums at once: coefficients [self, cross] against the stacked rows [outputs; targets].
  const Eigen::Index count = rows.hi - rows.lo;
  StateMatrix coef(count, outputs.rows() + targets.rows());
  coef << (2.0 / (n * n)) * self.middleRows(rows.lo, count),
      (-2.0 / (n * m)) * cross.middleRows(rows.lo, count);
  StateMatrix stacked(outputs.rows() + targets.rows(), outputs.cols());
  stacked << outputs, targets;
  return combine(coef, stacked);
}

// dL/d(psi_i^*) of L = sum_ij P_ij (1 - |<b_j|psi_i>|^2) (P held fixed) for the outputs i in
// `rows`: g_i = -sum_j P_ij <b_j|psi_i> b_j, from cross = outputs targets^dagger. The MMD's
// cross term with the weights -P_ij in place of -2/(NM), and no self term.
StateMatrix plan_output_gradient(const StateMatrix& targets, const StateMatrix& cross,
                                 const RealMatrix& plan, dist::Shard rows) {
  const Eigen::Index count = rows.hi - rows.lo;
  const StateMatrix coef = -(plan.middleRows(rows.lo, count).cast<cplx>().array() *
                             cross.middleRows(rows.lo, count).array())
                                .matrix();
  return combine(coef, targets);
}

// The transport plan of the loss from the cost C_ij = 1 - |<b_j|psi_i>|^2.
Transport loss_transport(const LossSettings& loss, const StateMatrix& cross) {
  const RealMatrix cost = (1.0 - cross.cwiseAbs2().array()).matrix();
  return loss.kind == LossKind::Sinkhorn ? entropic_transport(cost, loss.epsilon)
                                         : exact_transport(cost);
}

}  // namespace

StateMatrix mmd_output_gradient(const StateMatrix& outputs, const StateMatrix& targets) {
  return output_gradient(outputs, targets, self_gram(outputs), gram(outputs, targets),
                         {0, outputs.rows()});
}

LossAndGradient StepGradient::evaluate(const double* theta, const StateMatrix& inputs,
                                       const StateMatrix& targets, const OutcomeChooser& choose) {
  if (targets.cols() != inputs.cols())
    throw std::invalid_argument("targets and inputs have different numbers of qubits");
  return evaluate(theta, inputs, loss_objective(targets), choose);
}

LossAndGradient StepGradient::evaluate(const double* theta, const StateMatrix& inputs,
                                       const OutputObjective& objective,
                                       const OutcomeChooser& choose) {
  return precision_ == Precision::Single ? evaluate_in(single_, theta, inputs, objective, choose)
                                         : evaluate_in(double_, theta, inputs, objective, choose);
}

OutputObjective StepGradient::loss_objective(const StateMatrix& targets) const {
  // The loss and its output gradient share their Gram matrices (the MMD loss is metrics'
  // mmd()). Each process computes its shard's rows of the Gram matrices, which are gathered
  // (N x N, small), and the state gradient of its own samples only. A transport loss solves
  // for its plan on every process, from the same gathered bits and so with the same result.
  return [&targets, loss = loss_](const StateMatrix& outputs, std::int64_t lo, std::int64_t hi) {
    const dist::Shard mine{lo, hi};
    const StateMatrix cross = gathered_gram(outputs, targets);
    OutputScore r;
    if (loss.kind == LossKind::Mmd) {
      const StateMatrix self = gathered_self_gram(outputs);
      const StateMatrix target_self = gathered_self_gram(targets);
      r.loss = mmd_from_overlaps(self.cwiseAbs2(), target_self.cwiseAbs2(), cross.cwiseAbs2());
      r.gradient = output_gradient(outputs, targets, self, cross, mine);
    } else {
      const Transport plan = loss_transport(loss, cross);
      r.loss = plan.value;
      r.gradient = plan_output_gradient(targets, cross, plan.plan, mine);
    }
    return r;
  };
}

template <class T>
LossAndGradient StepGradient::evaluate_in(Buffers<T>& b, const double* theta,
                                          const StateMatrix& inputs,
                                          const OutputObjective& objective,
                                          const OutcomeChooser& choose) {
  using Amp = std::complex<T>;
  const HeaCircuit& c = circuit_;
  check_inputs(c, inputs);
  const Eigen::Index n = inputs.rows();
  const std::size_t dd = dim_of(c.n_data());
  // This process's samples: their final states are cached (or recomputed) here, the outputs
  // and per-sample gradients of all samples gathered from every process.
  const dist::Shard mine = dist::my_shard(n);
  const bool cache = caches_final_states(mine.hi - mine.lo);
  b.final_states.resize(cache ? static_cast<std::size_t>(mine.hi - mine.lo) * c.dim() : 0);
  per_sample_grad_.resize(n, c.num_params());
  for (auto* buffers : {&b.lambda, &b.psi}) {
    buffers->resize(par::max_threads());
    for (auto& b : *buffers)
      b.resize(c.dim());
  }
  // Sample i's final state: its row of the cache, or the thread's buffer to recompute it in.
  const auto final_state_of = [&](std::int64_t i) {
    return cache ? b.final_states.data() + (i - mine.lo) * c.dim()
                 : b.psi[par::thread_index()].data();
  };

  // Gates and their inverses, once per parameter vector.
  const std::vector<Gate2x2> gates = c.fused_gates(theta);
  std::vector<Gate2x2> undo(gates.size());
  for (std::size_t k = 0; k < gates.size(); ++k)
    undo[k] = gates[k].adjoint();
  LossAndGradient r;
  r.outputs = make_outputs(c, n);
  for_my_samples(mine, circuit_work(c), [&](std::int64_t i) {
    Amp* w = final_state_of(i);
    forward_one(c, gates, inputs, i, choose, w, r.outputs);
  });
  gather_outputs(r.outputs);
  OutputScore score = objective(r.outputs.states, mine.lo, mine.hi);
  if (score.gradient.rows() != mine.hi - mine.lo ||
      score.gradient.cols() != r.outputs.states.cols())
    throw std::logic_error("an output objective returned a gradient of the wrong shape");
  r.loss = score.loss;
  const StateMatrix& g = score.gradient;

  for_my_samples(mine, circuit_work(c), [&](std::int64_t i) {
    Amp* psi = final_state_of(i);
    if (!cache) final_state(c, gates, inputs, i, psi);
    Amp* lambda = b.lambda[par::thread_index()].data();
    const std::int64_t m = r.outputs.outcomes[i];
    const double norm_v = std::sqrt(r.outputs.probabilities[i]);
    const cplx* out = r.outputs.states.row(i).data();
    const cplx* gi = g.row(i - mine.lo).data();
    // Through the normalization and the projection (docs/gradient.md, sections 2 and 3).
    const double re = inner(out, gi, dd).real();
    std::fill(lambda, lambda + c.dim(), Amp(0));
    for (std::size_t x = 0; x < dd; ++x) {
      const cplx v = (gi[x] - re * out[x]) / norm_v;
      lambda[m * dd + x] = Amp(static_cast<T>(v.real()), static_cast<T>(v.imag()));
    }
    // Adjoint sweep (docs/gradient.md, section 4); stride n between parameters (column-major).
    c.adjoint_sweep(lambda, psi, undo, per_sample_grad_.data() + i, n);
  });
  gather_gradients(per_sample_grad_);
  r.grad = per_sample_grad_.colwise().sum().transpose();
  return r;
}

bool StepGradient::caches_final_states(Eigen::Index n) const {
  const double amp_bytes =
      precision_ == Precision::Single ? sizeof(std::complex<float>) : sizeof(cplx);
  return static_cast<double>(n) * static_cast<double>(circuit_.dim()) * amp_bytes <=
         static_cast<double>(cache_limit_);
}

}  // namespace quddpm
