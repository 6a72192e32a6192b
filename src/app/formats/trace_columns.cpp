#include "app/formats/trace_columns.hpp"

#include <stdexcept>

namespace quddpm::app {

const std::vector<TraceColumn>& run_columns() {
  static const std::vector<TraceColumn> columns = {
      {"model", "`original`, `improved` or `qgan`"},
      {"run_id", "the run's id (section 7, below)"},
      {"seed", "the run's seed (`generate`: its `--seed`)"},
      {"n_data", "data qubits n"},
      {"n_ancilla", "ancilla qubits na"},
  };
  return columns;
}

const std::vector<TraceFile>& trace_files() {
  static const std::vector<TraceFile> files = {
      {"diffusion.csv",
       "t = 0..T of the forward chain",
       {{"t", "the step"},
        {"mmd_to_data", "MMD(S_t, S_0)"},
        {"mmd_to_haar", "mmd_to_haar(S_t)"},
        {"h", "the schedule's h_t (nan at t = 0)"}}},
      {"epochs.csv",
       "one per epoch, cycles t = T-1..0",
       {{"t", "the cycle"},
        {"epoch", "0, 1, ... within the cycle"},
        {"loss", "the loss of the parameters before the epoch's optimizer step"},
        {"grad_norm", "the norm of that loss's gradient"}}},
      {"layers.csv",
       "L per epoch, in the order of epochs.csv",
       {{"t", "the cycle"},
        {"epoch", "the epoch"},
        {"layer", "l = 0..L-1"},
        {"grad_norm",
         "the norm of layer l's slice of the gradient (parameters [2 ntot l, 2 ntot (l + 1))); "
         "their root-sum-square is the epoch's grad_norm"}}},
      {"cycles.csv",
       "the prior (t = T, its training columns nan), then one per cycle t = T-1..0",
       {{"t", "the cycle; S~_t is its output ensemble (the prior at t = T)"},
        {"mmd_to_forward", "MMD(S~_t, S_t)"},
        {"mmd_to_data", "MMD(S~_t, S_0)"},
        {"wasserstein_to_data",
         "W(S~_t, S_0[:N]), whatever the loss: against the first N states of S_0, N the size of "
         "S~_t, so that the exact transport stays N x N"},
        {"kl_to_data", "KL(S_0 ‖ S~_t)"},
        {"mmd_to_haar", "mmd_to_haar(S~_t)"},
        {"mean_grad_norm", "the mean of grad_norm over the cycle's epochs"},
        {"final_loss", "the last epoch's loss"},
        {"seconds",
         "wall time of the cycle and its metrics (the prior's row: the forward chain's metrics "
         "and the prior's)"}}},
      {"observables.csv",
       "with `observables`: the forward chain t = 0..T, then the backward and the test chains "
       "t = T..0",
       {{"t", "the step"},
        {"chain", "`forward`, `backward` or `test`"},
        {"observable",
         "`basis_fidelity:<bits>`, `pauli:<P>`, `pauli_squared:<P>` or `magnetization`"},
        {"mean", "the mean of the per-state values over the ensemble"},
        {"sd", "their standard deviation (population: divided by N)"}}},
      {"histograms.csv",
       "with `observables`: the rows of observables.csv, each as its bins",
       {{"t", "the step"},
        {"chain", "the chain"},
        {"observable", "the quantity"},
        {"bin", "k = 0..bins-1"},
        {"lo", "the bin's lower end"},
        {"hi", "its upper end"},
        {"count", "per-state values with lo <= v < hi (the last bin also v = hi)"}}},
      {"qgan_epochs.csv",
       "`model: qgan`: one per epoch of each player",
       {{"cycle", "the alternating cycle, 1, 2, ..."},
        {"phase", "`discriminator` or `generator`"},
        {"epoch", "0, 1, ... within the phase"},
        {"loss", "the player's loss before the epoch's step"},
        {"grad_norm", "the norm of its gradient"}}},
      {"qgan_phases.csv",
       "`model: qgan`: at the start (cycle 0, phase `start`) and after every phase",
       {{"cycle", "the cycle"},
        {"phase", "`start`, `discriminator` or `generator`"},
        {"p_real_on_data", "mean P_real over all of S_0"},
        {"p_real_on_generated", "mean P_real over the generated ensemble"},
        {"mmd_to_data", "MMD(generated, S_0)"},
        {"wasserstein_to_data", "W(generated, S_0[:N])"},
        {"kl_to_data", "KL(S_0 ‖ generated)"},
        {"seconds", "wall time since the game began"}}},
  };
  return files;
}

std::vector<std::string> trace_header(const std::string& file) {
  for (const TraceFile& f : trace_files()) {
    if (file != f.file) continue;
    std::vector<std::string> h;
    for (const TraceColumn& c : run_columns())
      h.emplace_back(c.name);
    for (const TraceColumn& c : f.columns)
      h.emplace_back(c.name);
    return h;
  }
  throw std::logic_error("no trace named " + file);
}

std::string traces_table() {
  std::string out = "| file | rows | column | meaning |\n|---|---|---|---|\n";
  const auto row = [&out](const std::string& file, const std::string& rows, const TraceColumn& c) {
    out += "| " + file + " | " + rows + " | `" + c.name + "` | " + c.meaning + " |\n";
  };
  for (const TraceColumn& c : run_columns())
    row("every trace", "every row", c);
  for (const TraceFile& f : trace_files()) {
    bool first = true;
    for (const TraceColumn& c : f.columns) {
      row(first ? std::string("`") + f.file + "`" : "", first ? f.rows : "", c);
      first = false;
    }
  }
  return out;
}

}  // namespace quddpm::app
