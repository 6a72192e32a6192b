// The model's sizes in one place: how many qubits the simulator takes, and how many parameters
// a circuit has (every command and the config use these).
#pragma once

namespace quddpm {

// Largest data + ancilla count anywhere (a state of 2^30 amplitudes is 16 GiB in double).
inline constexpr int kMaxQubits = 30;

// Fewest states an epoch's loss compares (and so the fewest in a forward ensemble): the trainer
// refuses fewer, and the config's ranges of training.samples and diffusion_size start here.
inline constexpr int kMinSamples = 2;

// Parameters of the circuit of docs/model.md, section 4: RX and RY on each of the n + na qubits
// in each of L layers. In 64 bits, so that a huge L cannot wrap.
inline constexpr long long pqc_param_count(long long n_data, long long n_ancilla,
                                           long long layers) {
  return 2 * (n_data + n_ancilla) * layers;
}

}  // namespace quddpm
