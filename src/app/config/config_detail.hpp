// What the config's files share and nothing else includes: the error context, the readers of
// one JSON value (each refusing with a one-line message naming the key), the strict parser and
// the --set overrides.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "app/config/config.hpp"

namespace quddpm::config::detail {

using nlohmann::json;

bool contains(const std::vector<std::string>& v, const std::string& s);
std::string join_list(const std::vector<std::string>& v);
// "a.b" + "c" -> "a.b.c"; "" + "c" -> "c".
std::string join_path(const std::string& prefix, const std::string& key);
// The closest candidate, or "" when none is close enough to be a plausible typo.
std::string suggest(const std::string& word, const std::vector<std::string>& candidates);
// Text with its control characters escaped (\n, \t, \r, \xNN), so that it stays one line.
std::string one_line(const std::string& text);
// A value as it appears in messages: short, one line.
std::string describe(const json& v);

// Every message starts with the file, and one about a key set by --set names the override.
class Ctx {
 public:
  explicit Ctx(std::string source, std::map<std::string, std::string> origins = {})
      : source_(std::move(source)), origins_(std::move(origins)) {}

  const std::string& source() const { return source_; }

  // Control characters (a key or path holding a newline) are escaped: a message is one line.
  [[noreturn]] void fail(const std::string& msg) const {
    throw Error(one_line(source_ + ": " + msg));
  }

  // A message about key `path`; names the --set that put it (or an enclosing object) there.
  [[noreturn]] void fail_at(const std::string& path, const std::string& msg) const;

 private:
  std::string source_;
  std::map<std::string, std::string> origins_;  // key path -> override text
};

// The readers: `v` is the value in the config (never null here), `path` its key.
int read_int(const Ctx& ctx, const json& v, const std::string& path, int min);
enum class Bound { kAny, kNonNegative, kPositive, kOpenUnit };
double read_number(const Ctx& ctx, const json& v, const std::string& path, Bound b);
std::string read_string(const Ctx& ctx, const json& v, const std::string& path);
std::uint64_t read_seed(const Ctx& ctx, const json& v, const std::string& path);
bool read_bool(const Ctx& ctx, const json& v, const std::string& path);
// Index of v in `options`.
std::size_t read_choice(const Ctx& ctx, const json& v, const std::string& path,
                        const std::vector<std::string>& options);
// What a number with this bound must be, for messages and the reference ("> 0", "").
std::string bound_text(Bound b);

// Strict JSON, refusing duplicate keys (nlohmann would silently keep the last one).
json parse_text(const Ctx& ctx, const std::string& text);

// Applies one "key.path=value" override to the config object; records where it came from.
void apply_override(const Ctx& ctx, json& root, const std::string& text,
                    std::map<std::string, std::string>& origins);

}  // namespace quddpm::config::detail
