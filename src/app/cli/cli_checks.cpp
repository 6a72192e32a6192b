#include <spdlog/spdlog.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <filesystem>
#include <stdexcept>
#include <string>

#include "app/cli/commands.hpp"
#include "app/config/config.hpp"
#include "app/formats/atomic_file.hpp"

namespace quddpm::app {

CLI::Validator unsigned64_check() {
  return CLI::Validator(
      [](std::string& s) {
        errno = 0;
        const bool ok = !s.empty() && s.find_first_not_of("0123456789") == std::string::npos &&
                        (std::strtoull(s.c_str(), nullptr, 10), errno != ERANGE);
        return ok ? std::string() : "expected an unsigned 64-bit integer, found '" + s + "'";
      },
      "UINT64");
}

CLI::Validator threads_check() {
  return CLI::Validator(
      [](std::string& s) {
        errno = 0;
        char* end = nullptr;
        const long long n = std::strtoll(s.c_str(), &end, 10);
        const bool ok = !s.empty() && *end == '\0' && errno != ERANGE && n >= 0 && n <= kMaxThreads;
        return ok ? std::string()
                  : "expected a thread count from 0 (all cores) to " + std::to_string(kMaxThreads) +
                        ", found '" + s + "'";
      },
      "THREADS");
}

void check_writable(const std::string& path, bool force, const std::string& when_it_exists) {
  namespace fs = std::filesystem;
  const fs::path p(path);
  std::error_code ec;
  if (fs::is_directory(p, ec)) throw std::invalid_argument(path + ": is a directory, not a file");
  ensure_replaceable(path);  // a symbolic link, FIFO or device is never replaced
  if (fs::exists(p, ec) && !force)
    throw std::invalid_argument(path + ": already exists (" + when_it_exists + ")");
  const fs::path parent = p.parent_path().empty() ? fs::path(".") : p.parent_path();
  if (!fs::is_directory(parent, ec))
    throw std::invalid_argument(path + ": cannot write: directory '" + parent.string() +
                                "' does not exist");
  if (::access(parent.c_str(), W_OK) != 0)
    throw std::invalid_argument(path + ": cannot write: directory '" + parent.string() +
                                "' is not writable");
}

namespace {

// An option taking one of the config's names for the values of E, handed to `set`.
template <class E, class Set>
CLI::Option* add_named_option(CLI::App* cmd, const std::string& flag, Set set,
                              const std::string& help) {
  std::vector<std::string> names;
  for (const auto& [name, v] : config::values_by_name<E>())
    names.push_back(name);
  return cmd
      ->add_option_function<std::string>(
          flag, [set](const std::string& name) { set(config::values_by_name<E>().at(name)); }, help)
      ->check(CLI::IsMember(names));
}

}  // namespace

CLI::Option* add_precision_option(CLI::App* cmd, Precision* value) {
  return add_named_option<Precision>(
      cmd, "--precision", [value](Precision p) { *value = p; },
      std::string("the circuit's state vectors in double or single precision (default ") +
          config::name_of(*value) + ")");
}

CLI::Option* add_outcomes_option(CLI::App* cmd, std::optional<OutcomeRule>* value,
                                 const std::string& help) {
  return add_named_option<OutcomeRule>(
      cmd, "--outcomes", [value](OutcomeRule r) { *value = r; }, help);
}

std::pair<CLI::Option*, CLI::Option*> add_ancilla_option(CLI::App* cmd, int* value,
                                                         const std::string& help) {
  auto* current = cmd->add_option("--ancilla", *value, help)->check(CLI::NonNegativeNumber);
  auto* old = cmd->add_option("--ancillas", *value, "deprecated spelling of --ancilla")
                  ->check(CLI::NonNegativeNumber)
                  ->each([](const std::string&) {
                    spdlog::warn(
                        "warning: --ancillas is deprecated: use --ancilla (as the config's "
                        "qubits.ancilla)");
                  });
  current->excludes(old);
  return {current, old};
}

}  // namespace quddpm::app
