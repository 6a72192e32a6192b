// libFuzzer target: the config loader (JSON text plus --set overrides). Every input must either
// resolve to a config that survives its own round trip, or be refused with config::Error and a
// one-line message; any other exception, crash or sanitizer report is a finding.
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "app/config/config.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string input(reinterpret_cast<const char*>(data), size);
  // Up to the first NUL: the config file; after it, one override per line.
  const std::size_t nul = input.find('\0');
  const std::string text = input.substr(0, nul);
  std::vector<std::string> overrides;
  if (nul != std::string::npos) {
    std::size_t start = nul + 1;
    while (start <= input.size() && overrides.size() < 16) {
      const std::size_t end = std::min(input.find('\n', start), input.size());
      overrides.push_back(input.substr(start, end - start));
      start = end + 1;
    }
  }
  using namespace quddpm::config;
  try {
    const ExperimentConfig c = load_text(text, "/fuzz/config.json", overrides);
    // What resolve() accepted, to_json() must describe exactly.
    if (resolve(to_json(c), c.source) != c) __builtin_trap();
  } catch (const Error& e) {
    if (std::strchr(e.what(), '\n') != nullptr) __builtin_trap();  // one line, always
  }
  return 0;
}
