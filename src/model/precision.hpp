// The precision of the circuit's state vectors (config key `precision`).
#pragma once

namespace quddpm {

// Double: everything in double (the default). Single: the 2^(n+na)-amplitude states a
// backward step runs through its circuit (forward pass, kept final states, adjoint sweep) are
// complex float and go through the float kernels; the data, the forward diffusion, the
// measured outputs, metrics, the loss, gradient sums, Adam and the parameters stay double.
enum class Precision { Double, Single };

}  // namespace quddpm
