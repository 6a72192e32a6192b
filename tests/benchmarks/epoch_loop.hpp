// The timed loop of the epoch benchmarks (bench_training.cpp, bench_transport.cpp).
#pragma once

#include <benchmark/benchmark.h>

#include <cstdint>
#include <vector>

#include "core/rng.hpp"
#include "model/adam.hpp"
#include "model/backward_step.hpp"

namespace quddpm {

// One training epoch per iteration: the step's loss and gradient with fresh outcomes, then
// Adam's step on theta.
inline void time_epochs(benchmark::State& state, StepGradient& step, std::vector<double>& theta,
                        const StateMatrix& inputs, const StateMatrix& targets, Adam& adam) {
  std::uint64_t epoch = 0;
  for (auto _ : state) {
    const LossAndGradient r =
        step.evaluate(theta.data(), inputs, targets, sampled_outcomes(stream_key(9, {epoch++})));
    adam.step(theta.data(), r.grad);
    benchmark::DoNotOptimize(r.loss);
  }
}

}  // namespace quddpm
