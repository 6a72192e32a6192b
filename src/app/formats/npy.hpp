// Reading and writing NumPy .npy files (docs/model.md, section 8): the exchange format for
// ensembles
// ('<c16'), parameters ('<f8') and ancilla outcomes ('<i8').
//
// Only the three dtypes above are supported, little-endian and C order; everything else is
// refused rather than converted, so a file never silently means something other than what its
// author wrote.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/types.hpp"

namespace quddpm::app {
class Folder;
}

namespace quddpm::npy {

// Every failure throws this; what() is ONE line: "<path>: <what was expected, what was found>".
struct Error : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// Reads an ensemble: '<c16', 2-D N x 2^n (1-D of length 2^n is accepted as one row). Also checks
// docs/model.md section 8: at least one row, power-of-two columns, finite amplitudes, every row of
// norm 1 within 1e-6.
StateMatrix read_states(const std::string& path);

// Reads '<f8' data: 1-D (-> 1 x len) or 2-D.
RealMatrix read_reals(const std::string& path);

// Reads '<i8' data: 1-D, or 2-D with one row or one column.
std::vector<std::int64_t> read_ints(const std::string& path);

// Writers produce version 1.0 files byte-identical to numpy's np.save (numpy >= 1.24 header
// padding), C order. The file is written to "<path>.tmp.<pid>" and renamed onto `path`, so a
// failure never leaves a half-written file behind.
void write_states(const std::string& path, const StateMatrix& m);              // '<c16'
void write_reals(const std::string& path, const RealMatrix& m);                // '<f8'
void write_ints(const std::string& path, const std::vector<std::int64_t>& v);  // '<i8', (len,)

// The same inside a run folder: `name` is opened, written and renamed relative to the folder's
// descriptor, and a symbolic link at `name` is refused, never followed.
StateMatrix read_states(const app::Folder& dir, const std::string& name);
RealMatrix read_reals(const app::Folder& dir, const std::string& name);
void write_states(const app::Folder& dir, const std::string& name, const StateMatrix& m);
void write_reals(const app::Folder& dir, const std::string& name, const RealMatrix& m);

}  // namespace quddpm::npy
