// libFuzzer target: the .npy readers. Every input must either be read, or be refused with
// npy::Error and a one-line message; a file that is read must come back bit for bit through the
// writer. Any other exception, crash or sanitizer report is a finding.
#include <sys/mman.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "app/formats/npy.hpp"

namespace {

// The input lives in an in-memory file, so the readers see a real path and file size.
struct MemFile {
  int fd = ::memfd_create("fuzz.npy", 0);
  std::string path = "/proc/self/fd/" + std::to_string(fd);
  void fill(const std::uint8_t* data, std::size_t size) {
    if (::ftruncate(fd, 0) != 0 || ::pwrite(fd, data, size, 0) != static_cast<ssize_t>(size))
      std::abort();
  }
};

const std::string& scratch_path() {
  static const std::string p = "/dev/shm/quddpm_fuzz_npy_" + std::to_string(::getpid()) + ".npy";
  return p;
}

template <typename F>
void expect_read_or_refused(F read) {
  try {
    read();
  } catch (const quddpm::npy::Error& e) {
    if (std::strchr(e.what(), '\n') != nullptr) __builtin_trap();  // one line, always
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static MemFile file;
  if (file.fd < 0) std::abort();
  file.fill(data, size);
  using namespace quddpm;
  expect_read_or_refused([&] {
    const StateMatrix m = npy::read_states(file.path);
    npy::write_states(scratch_path(), m);
    const StateMatrix back = npy::read_states(scratch_path());
    if (back.rows() != m.rows() || back.cols() != m.cols() ||
        std::memcmp(back.data(), m.data(), sizeof(cplx) * m.size()) != 0)
      __builtin_trap();
  });
  expect_read_or_refused([&] {
    const RealMatrix m = npy::read_reals(file.path);
    npy::write_reals(scratch_path(), m);
    const RealMatrix back = npy::read_reals(scratch_path());
    // A 1-D file is read as one row and written back 2-D: same values either way.
    if (back.rows() != m.rows() || back.cols() != m.cols() ||
        std::memcmp(back.data(), m.data(), sizeof(double) * m.size()) != 0)
      __builtin_trap();
  });
  expect_read_or_refused([&] {
    const auto v = npy::read_ints(file.path);
    npy::write_ints(scratch_path(), v);
    if (npy::read_ints(scratch_path()) != v) __builtin_trap();
  });
  std::remove(scratch_path().c_str());
  return 0;
}
