// The precision of the circuit's state vectors (config key `precision`).
#pragma once

#include <map>
#include <string>

namespace quddpm {

// Double: everything in double (the default). Single: the 2^(n+na)-amplitude states a
// backward step runs through its circuit (forward pass, kept final states, adjoint sweep) are
// complex float and go through the float kernels; the data, the forward diffusion, the
// measured outputs, metrics, the loss, gradient sums, Adam and the parameters stay double.
enum class Precision { Double, Single };

inline const char* precision_name(Precision p) {
  return p == Precision::Single ? "single" : "double";
}
// The options --precision accepts, for CLI11's CheckedTransformer.
inline std::map<std::string, Precision> precision_names() {
  return {{precision_name(Precision::Double), Precision::Double},
          {precision_name(Precision::Single), Precision::Single}};
}

}  // namespace quddpm
