// `quddpm metrics --model A.npy --target B.npy`: docs/model.md, section 6 distances as one JSON
// object.
#include <nlohmann/json.hpp>

#include <iostream>
#include <stdexcept>

#include "app/cli/collective.hpp"
#include "app/cli/commands.hpp"
#include "app/formats/npy.hpp"
#include "model/metrics.hpp"

namespace quddpm::app {

void add_metrics_command(CLI::App& app) {
  auto* cmd =
      app.add_subcommand("metrics", "MMD, Wasserstein, KL and distance to Haar of two ensembles");
  auto model = std::make_shared<std::string>();
  auto target = std::make_shared<std::string>();
  cmd->add_option("--model", *model, "generated states (.npy, complex128, N x 2^n)")->required();
  cmd->add_option("--target", *target, "target states (.npy, complex128, M x 2^n)")->required();
  cmd->callback([model, target] {
    require_one_process("metrics");
    const StateMatrix a = npy::read_states(*model);
    const StateMatrix b = npy::read_states(*target);
    if (a.cols() != b.cols())
      throw std::invalid_argument(*model + " holds states of " + std::to_string(a.cols()) +
                                  " amplitudes but " + *target + " of " + std::to_string(b.cols()) +
                                  ": the qubit counts differ");
    for (const auto* f : {&a, &b})
      if (f->rows() < 2)
        throw std::invalid_argument((f == &a ? *model : *target) +
                                    ": mmd_to_haar needs at least 2 states, found 1");
    nlohmann::json out;
    out["mmd"] = mmd(a, b);
    out["wasserstein"] = wasserstein(a, b);
    out["kl"] = kl_divergence(b, a);
    out["mmd_to_haar_model"] = mmd_to_haar(a);
    out["mmd_to_haar_target"] = mmd_to_haar(b);
    std::cout << out.dump() << "\n";
  });
}

}  // namespace quddpm::app
