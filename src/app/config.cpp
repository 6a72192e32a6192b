#include "app/config.hpp"

#include "app/sha256.hpp"

#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <climits>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <limits>
#include <map>
#include <set>
#include <tuple>

namespace quddpm::config {
namespace {

using nlohmann::json;
namespace fs = std::filesystem;

// ---------------------------------------------------------------------------------------------
// Schema tables: the single place that says which keys exist.

struct KindKeys {
  std::string kind;
  std::vector<std::string> keys;  // besides "kind"
};

const std::vector<std::string> kModels = {"original", "improved"};
const std::vector<std::string> kPrecisions = {"double", "single"};
const std::vector<std::string> kTopKeys = {"model",   "seed",     "precision", "output",
                                           "qubits",  "target",   "diffusion", "prior",
                                           "circuit", "training", "checkpoint"};
const std::vector<std::string> kCheckpointKeys = {"every_seconds"};
const std::vector<std::string> kQubitKeys = {"data", "ancilla"};
const std::vector<std::string> kDiffusionKeys = {"steps", "schedule"};
const std::vector<std::string> kCircuitKeys = {"layers", "init"};
const std::vector<std::string> kTrainingKeys = {"samples", "diffusion_size", "epochs",
                                                "learning_rate"};
const std::vector<KindKeys> kTargetKinds = {
    {"ghz", {"theta_min", "theta_max", "phi_min", "phi_max", "noise"}},
    {"cluster", {"scale"}},
    {"haar", {}},
    {"npy", {"path"}}};
const std::vector<KindKeys> kPriorKinds = {{"haar", {}}, {"diffused", {}}, {"cluster", {"scale"}}};
const std::vector<KindKeys> kInitKinds = {{"normal", {"std"}}, {"uniform", {"c", "ancilla_c"}}};
const std::vector<KindKeys> kScheduleKinds = {
    {"linear", {"start", "end", "target_mmd_to_haar", "calibrated_end"}}};

// Kind-tagged objects by key path: overrides that change a kind consult this.
const std::vector<KindKeys>* kinds_at(const std::string& path) {
  if (path == "target") return &kTargetKinds;
  if (path == "prior") return &kPriorKinds;
  if (path == "circuit.init") return &kInitKinds;
  if (path == "diffusion.schedule") return &kScheduleKinds;
  return nullptr;
}

struct Preset {
  double schedule_start, schedule_end;  // schedule_end NaN: "auto"
  const char* prior;
  const char* init;
};

Preset preset_for(const std::string& model) {
  if (model == "improved") return {kImprovedStart, std::nan(""), "diffused", "uniform"};
  return {0.5, 4.0, "haar", "normal"};
}

constexpr int kDefaultSteps = 30;
constexpr int kDefaultAncilla = 3;
constexpr int kDefaultSamples = 100;
constexpr int kDefaultDiffusionSize = 500;
constexpr int kDefaultEpochs = 300;
constexpr double kDefaultLearningRate = 0.005;
constexpr double kDefaultInitStd = 1.0;
constexpr double kDefaultInitC = 1.0;

// ---------------------------------------------------------------------------------------------
// Small helpers.

bool contains(const std::vector<std::string>& v, const std::string& s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

std::string join_list(const std::vector<std::string>& v) {
  std::string out;
  for (const auto& s : v)
    out += (out.empty() ? "" : ", ") + s;
  return out;
}

std::string join_path(const std::string& prefix, const std::string& key) {
  return prefix.empty() ? key : prefix + "." + key;
}

// Optimal-string-alignment distance, case-insensitive: a transposition ("trainnig") is one edit.
std::size_t edit_distance(const std::string& a, const std::string& b) {
  auto low = [](char ch) {
    return static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  };
  const std::size_t n = a.size(), m = b.size();
  std::vector<std::vector<std::size_t>> d(n + 1, std::vector<std::size_t>(m + 1));
  for (std::size_t i = 0; i <= n; ++i)
    d[i][0] = i;
  for (std::size_t j = 0; j <= m; ++j)
    d[0][j] = j;
  for (std::size_t i = 1; i <= n; ++i) {
    for (std::size_t j = 1; j <= m; ++j) {
      const std::size_t cost = low(a[i - 1]) == low(b[j - 1]) ? 0 : 1;
      d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost});
      if (i > 1 && j > 1 && low(a[i - 1]) == low(b[j - 2]) && low(a[i - 2]) == low(b[j - 1])) {
        d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
      }
    }
  }
  return d[n][m];
}

// The closest candidate, or "" when none is close enough to be a plausible typo. An
// abbreviation ("orig" for "original") counts as one edit.
std::string suggest(const std::string& word, const std::vector<std::string>& candidates) {
  const std::size_t limit = std::max<std::size_t>(2, word.size() / 3);
  std::string best;
  std::size_t best_d = limit + 1;
  for (const auto& c : candidates) {
    std::size_t d = edit_distance(word, c);
    if (word.size() >= 3 && word.size() < c.size() &&
        edit_distance(word, c.substr(0, word.size())) == 0) {
      d = std::min<std::size_t>(d, 1);
    }
    if (d < best_d) best = c, best_d = d;
  }
  return best;
}

// A value as it appears in messages: short, one line.
std::string describe(const json& v) {
  switch (v.type()) {
    case json::value_t::object:
      return "an object";
    case json::value_t::array:
      return "an array";
    case json::value_t::number_float: {
      const double x = v.get<double>();
      if (std::isnan(x)) return "nan";
      if (std::isinf(x)) return x > 0 ? "inf" : "-inf";
      break;
    }
    default:
      break;
  }
  std::string s = v.dump(-1, ' ', false, json::error_handler_t::replace);
  if (s.size() > 40) s = s.substr(0, 37) + "...";
  return s;
}

std::string format_number(double x) {
  return describe(json(x));
}

std::string gib(std::uint64_t bytes) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.1f GiB", static_cast<double>(bytes) / (1024.0 * 1024 * 1024));
  return buf;
}

std::uint64_t mul_sat(std::uint64_t a, std::uint64_t b) {
  if (a != 0 && b > std::numeric_limits<std::uint64_t>::max() / a) {
    return std::numeric_limits<std::uint64_t>::max();
  }
  return a * b;
}

std::uint64_t add_sat(std::uint64_t a, std::uint64_t b) {
  return b > std::numeric_limits<std::uint64_t>::max() - a
             ? std::numeric_limits<std::uint64_t>::max()
             : a + b;
}

std::uint64_t pow2_sat(long long bits) {
  if (bits < 0) return 0;
  return bits >= 64 ? std::numeric_limits<std::uint64_t>::max() : std::uint64_t{1} << bits;
}

std::uint64_t nonneg(long long x) {
  return x < 0 ? 0 : static_cast<std::uint64_t>(x);
}

// ---------------------------------------------------------------------------------------------
// Error context: every message starts with the file, and a key set by --set says so.

class Ctx {
 public:
  explicit Ctx(std::string source, std::map<std::string, std::string> origins = {})
      : source_(std::move(source)), origins_(std::move(origins)) {}

  const std::string& source() const { return source_; }

  [[noreturn]] void fail(const std::string& msg) const { throw Error(source_ + ": " + msg); }

  // A message about key `path`; names the --set that put it (or an enclosing object) there.
  [[noreturn]] void fail_at(const std::string& path, const std::string& msg) const {
    std::string p = path;
    while (!p.empty()) {
      auto it = origins_.find(p);
      if (it != origins_.end()) fail(msg + " (from --set '" + it->second + "')");
      const auto dot = p.rfind('.');
      p = dot == std::string::npos ? "" : p.substr(0, dot);
    }
    fail(msg);
  }

 private:
  std::string source_;
  std::map<std::string, std::string> origins_;  // key path -> override text
};

const json* field(const json* obj, const char* key) {
  if (obj == nullptr) return nullptr;
  auto it = obj->find(key);
  return it == obj->end() ? nullptr : &*it;
}

// A nested object (nullptr when absent); anything but an object is an error.
const json* section(const Ctx& ctx, const json* parent, const std::string& parent_path,
                    const char* key) {
  const json* v = field(parent, key);
  const std::string path = join_path(parent_path, key);
  if (v != nullptr && !v->is_object()) {
    ctx.fail_at(path, "'" + path + "' must be an object, found " + describe(*v));
  }
  return v;
}

void check_keys(const Ctx& ctx, const json& obj, const std::string& path,
                const std::vector<std::string>& allowed) {
  for (auto it = obj.begin(); it != obj.end(); ++it) {
    if (contains(allowed, it.key())) continue;
    const std::string full = join_path(path, it.key());
    std::string msg = "unknown key '" + full + "'";
    const std::string best = suggest(it.key(), allowed);
    if (!best.empty()) {
      msg += " (did you mean '" + join_path(path, best) + "'?)";
    } else {
      msg += " (valid keys" + (path.empty() ? std::string() : " in '" + path + "'") + ": " +
             join_list(allowed) + ")";
    }
    ctx.fail_at(full, msg);
  }
}

std::string one_of(const Ctx& ctx, const json& v, const std::string& path,
                   const std::vector<std::string>& options) {
  if (v.is_string() && contains(options, v.get<std::string>())) return v.get<std::string>();
  std::string msg =
      "'" + path + "' must be one of: " + join_list(options) + "; found " + describe(v);
  if (v.is_string()) {
    const std::string best = suggest(v.get<std::string>(), options);
    if (!best.empty()) msg += " (did you mean '" + best + "'?)";
  }
  ctx.fail_at(path, msg);
}

// Validates a kind-tagged object (may be absent) and returns its kind's entry.
const KindKeys& kinded(const Ctx& ctx, const json* obj, const std::string& path,
                       const std::vector<KindKeys>& kinds, const std::string& default_kind) {
  std::vector<std::string> names;
  for (const auto& k : kinds)
    names.push_back(k.kind);
  std::string kind = default_kind;
  if (const json* k = field(obj, "kind")) kind = one_of(ctx, *k, join_path(path, "kind"), names);
  const KindKeys& spec = kinds[std::find(names.begin(), names.end(), kind) - names.begin()];
  if (obj == nullptr) return spec;

  std::vector<std::string> allowed = {"kind"};
  allowed.insert(allowed.end(), spec.keys.begin(), spec.keys.end());
  const std::string what = path.substr(path.rfind('.') + 1);  // "target", "init", ...
  for (auto it = obj->begin(); it != obj->end(); ++it) {
    if (contains(allowed, it.key())) continue;
    const std::string full = join_path(path, it.key());
    std::string msg = "unknown key '" + full + "' for " + what + " kind '" + kind + "'";
    std::string owner;
    for (const auto& k : kinds) {
      if (contains(k.keys, it.key())) owner = k.kind;
    }
    const std::string best = suggest(it.key(), allowed);
    if (!owner.empty()) {
      msg += " (it belongs to kind '" + owner + "'; valid here: " + join_list(allowed) + ")";
    } else if (!best.empty()) {
      msg += " (did you mean '" + join_path(path, best) + "'?)";
    } else {
      msg += " (valid here: " + join_list(allowed) + ")";
    }
    ctx.fail_at(full, msg);
  }
  return spec;
}

// JSON integers only: 2.0 is refused so that a fractional value can never be truncated.
int get_int(const Ctx& ctx, const json* v, const std::string& path, int def, int min) {
  if (v == nullptr) return def;
  const std::string expect = "'" + path + "' must be an integer >= " + std::to_string(min);
  if (!v->is_number_integer()) ctx.fail_at(path, expect + ", found " + describe(*v));
  const bool too_big = v->is_number_unsigned()
                           ? v->get<std::uint64_t>() > static_cast<std::uint64_t>(INT_MAX)
                           : v->get<std::int64_t>() > INT_MAX;
  if (too_big) {
    ctx.fail_at(path, expect + " and <= " + std::to_string(INT_MAX) + ", found " + describe(*v));
  }
  // Below INT_MAX, so int64 holds it whether stored signed or unsigned.
  if (v->get<std::int64_t>() < min) ctx.fail_at(path, expect + ", found " + describe(*v));
  return v->get<int>();
}

enum class Bound { kAny, kNonNegative, kPositive };

double get_number(const Ctx& ctx, const json* v, const std::string& path, double def, Bound b) {
  if (v == nullptr) return def;
  const char* expect = b == Bound::kAny           ? "a finite number"
                       : b == Bound::kNonNegative ? "a finite number >= 0"
                                                  : "a finite number > 0";
  const double x = v->is_number() ? v->get<double>() : std::nan("");
  if (!std::isfinite(x) || (b == Bound::kNonNegative && x < 0) ||
      (b == Bound::kPositive && x <= 0)) {
    ctx.fail_at(path, "'" + path + "' must be " + expect + ", found " + describe(*v));
  }
  return x;
}

std::string get_string(const Ctx& ctx, const json* v, const std::string& path,
                       const std::string& def) {
  if (v == nullptr) return def;
  if (!v->is_string() || v->get<std::string>().empty()) {
    ctx.fail_at(path, "'" + path + "' must be a non-empty string, found " + describe(*v));
  }
  return v->get<std::string>();
}

std::uint64_t get_seed(const Ctx& ctx, const json* v) {
  if (v == nullptr) return 1;
  if (v->is_number_unsigned()) return v->get<std::uint64_t>();
  if (v->is_number_integer() && v->get<std::int64_t>() >= 0) {
    return static_cast<std::uint64_t>(v->get<std::int64_t>());
  }
  ctx.fail_at("seed", "'seed' must be an unsigned 64-bit integer, found " + describe(*v));
}

// Relative paths in a config mean "next to the config file"; absolute so that the resolved
// config means the same thing wherever it is re-read from.
std::string path_near(const std::string& source, const std::string& p) {
  fs::path path(p);
  if (!path.is_absolute()) path = fs::path(source).parent_path() / path;
  std::error_code ec;
  const fs::path abs = fs::absolute(path, ec);
  if (!ec) path = abs;
  return path.lexically_normal().string();
}

// ---------------------------------------------------------------------------------------------
// Reading and overriding.

// Strict JSON, refusing duplicate keys (nlohmann would silently keep the last one).
json parse_text(const Ctx& ctx, const std::string& text) {
  std::vector<std::set<std::string>> seen(2);  // keys met so far, per depth
  std::vector<std::string> keys(2);            // current key per depth, for the message
  auto grow = [&](std::size_t n) {
    if (seen.size() < n) seen.resize(n), keys.resize(n);
  };
  json::parser_callback_t cb = [&](int depth, json::parse_event_t ev, json& parsed) {
    const auto d = static_cast<std::size_t>(depth);
    if (ev == json::parse_event_t::object_start) {
      grow(d + 2);
      seen[d + 1].clear();
    } else if (ev == json::parse_event_t::array_start) {
      grow(d + 2);
      keys[d + 1] = "[]";
    } else if (ev == json::parse_event_t::key) {
      grow(d + 1);
      const std::string key = parsed.get<std::string>();
      keys[d] = key;
      if (!seen[d].insert(key).second) {
        std::string path;
        for (std::size_t i = 1; i <= d; ++i)
          path = join_path(path, keys[i]);
        ctx.fail("duplicate key '" + path + "'");
      }
    }
    return true;
  };
  try {
    return json::parse(text, cb);
  } catch (const json::out_of_range& e) {
    // Number overflow ("1e999"): nlohmann gives no position for it.
    std::string detail = e.what();
    const auto bracket = detail.find("] ");
    if (bracket != std::string::npos) detail = detail.substr(bracket + 2);
    ctx.fail("invalid JSON: " + detail);
  } catch (const json::parse_error& e) {
    // Line and column of the last byte read (e.byte is 1-based).
    const std::size_t pos = std::min(e.byte == 0 ? 0 : e.byte - 1, text.size());
    std::size_t line = 1, line_start = 0;
    for (std::size_t i = 0; i < pos; ++i) {
      if (text[i] == '\n') ++line, line_start = i + 1;
    }
    std::string detail = e.what();
    const auto at = detail.find("parse error");
    const auto colon = detail.find(": ", at == std::string::npos ? 0 : at);
    if (colon != std::string::npos) detail = detail.substr(colon + 2);
    std::replace(detail.begin(), detail.end(), '\n', ' ');
    ctx.fail("invalid JSON at line " + std::to_string(line) + ", column " +
             std::to_string(pos - line_start + 1) + ": " + detail);
  }
}

// Changing a kind drops the keys that only another kind accepts, so the new kind's defaults
// apply; keys nobody accepts stay and are reported as unknown.
void drop_other_kind_keys(json& obj, const std::string& path, const std::string& new_kind) {
  const std::vector<KindKeys>* kinds = kinds_at(path);
  if (kinds == nullptr) return;
  const json* old = field(&obj, "kind");
  if (old != nullptr && old->is_string() && old->get<std::string>() == new_kind) return;
  auto spec = std::find_if(kinds->begin(), kinds->end(),
                           [&](const KindKeys& k) { return k.kind == new_kind; });
  if (spec == kinds->end()) return;
  std::vector<std::string> drop;
  for (auto it = obj.begin(); it != obj.end(); ++it) {
    if (it.key() == "kind" || contains(spec->keys, it.key())) continue;
    for (const auto& k : *kinds) {
      if (contains(k.keys, it.key())) drop.push_back(it.key());
    }
  }
  for (const auto& key : drop)
    obj.erase(key);
}

void apply_override(const Ctx& ctx, json& root, const std::string& text,
                    std::map<std::string, std::string>& origins) {
  const std::string where = "--set '" + text + "'";
  const auto eq = text.find('=');
  if (eq == std::string::npos || eq == 0) {
    ctx.fail(where + ": expected key.path=value (e.g. qubits.data=7)");
  }
  const std::string key = text.substr(0, eq);
  const std::string value_text = text.substr(eq + 1);
  std::vector<std::string> parts;
  for (std::size_t start = 0;;) {
    const auto dot = key.find('.', start);
    parts.push_back(key.substr(start, dot == std::string::npos ? std::string::npos : dot - start));
    if (dot == std::string::npos) break;
    start = dot + 1;
  }
  if (std::any_of(parts.begin(), parts.end(), [](const std::string& p) { return p.empty(); })) {
    ctx.fail(where + ": malformed key path '" + key + "' (expected e.g. training.epochs)");
  }
  json value = json::parse(value_text, nullptr, /*allow_exceptions=*/false);
  if (value.is_discarded()) value = value_text;  // "runs/x", "cluster": plain strings

  json* cur = &root;
  std::string path;
  for (std::size_t i = 0; i + 1 < parts.size(); ++i) {
    path = join_path(path, parts[i]);
    auto it = cur->find(parts[i]);
    if (it == cur->end()) {
      cur = &((*cur)[parts[i]] = json::object());
    } else if (!it->is_object()) {
      ctx.fail(where + ": '" + path + "' is " + describe(*it) + ", not an object, so it has no '" +
               parts[i + 1] + "'");
    } else {
      cur = &*it;
    }
  }
  const std::string& last = parts.back();
  if (value.is_null()) {
    cur->erase(last);  // back to the default
  } else if (value.is_object() && cur->contains(last) && (*cur)[last].is_object()) {
    // An object merges into the object there, key by key (null removes a key): the keys it
    // does not name keep their values, so 'qubits={"data": 1}' keeps the ancilla count.
    json& target = (*cur)[last];
    if (const auto kind = value.find("kind"); kind != value.end() && kind->is_string()) {
      drop_other_kind_keys(target, join_path(path, last), kind->get<std::string>());
    }
    target.merge_patch(value);
  } else {
    if (last == "kind" && value.is_string()) {
      drop_other_kind_keys(*cur, path, value.get<std::string>());
    }
    (*cur)[last] = std::move(value);
  }
  origins[key] = text;
}

// ---------------------------------------------------------------------------------------------
// Resolution.

ExperimentConfig resolve_with(const json& j, const Ctx& ctx) {
  if (!j.is_object()) ctx.fail("top level must be a JSON object, found " + describe(j));
  check_keys(ctx, j, "", kTopKeys);

  ExperimentConfig c;
  c.source = ctx.source();
  const json* model = field(&j, "model");
  if (model == nullptr) ctx.fail_at("model", "'model' is required (one of: original, improved)");
  c.model = one_of(ctx, *model, "model", kModels);
  const Preset preset = preset_for(c.model);

  c.seed = get_seed(ctx, field(&j, "seed"));
  if (const json* p = field(&j, "precision"))
    c.precision = one_of(ctx, *p, "precision", kPrecisions);
  std::string stem = fs::path(ctx.source()).stem().string();
  if (stem.empty()) stem = "experiment";
  c.output = get_string(ctx, field(&j, "output"), "output", "runs/" + stem);

  // Qubits first: the layer default and the size checks depend on them.
  const json* qubits = section(ctx, &j, "", "qubits");
  if (qubits != nullptr) check_keys(ctx, *qubits, "qubits", kQubitKeys);
  const json* data = field(qubits, "data");
  if (data == nullptr) ctx.fail_at("qubits.data", "'qubits.data' is required (an integer >= 1)");
  c.n_data = get_int(ctx, data, "qubits.data", 0, 1);
  c.n_ancilla = get_int(ctx, field(qubits, "ancilla"), "qubits.ancilla", kDefaultAncilla, 0);
  if (static_cast<long long>(c.n_data) + c.n_ancilla > kMaxTotalQubits) {
    ctx.fail_at("qubits.data", "'qubits.data' + 'qubits.ancilla' = " +
                                   std::to_string(static_cast<long long>(c.n_data) + c.n_ancilla) +
                                   " qubits, more than the simulator's limit of " +
                                   std::to_string(kMaxTotalQubits));
  }

  const json* target = section(ctx, &j, "", "target");
  c.target.kind = kinded(ctx, target, "target", kTargetKinds, "ghz").kind;
  if (c.target.kind == "ghz") {
    GhzParams& g = c.target.ghz;
    g.theta_min =
        get_number(ctx, field(target, "theta_min"), "target.theta_min", g.theta_min, Bound::kAny);
    g.theta_max =
        get_number(ctx, field(target, "theta_max"), "target.theta_max", g.theta_max, Bound::kAny);
    g.phi_min = get_number(ctx, field(target, "phi_min"), "target.phi_min", g.phi_min, Bound::kAny);
    g.phi_max = get_number(ctx, field(target, "phi_max"), "target.phi_max", g.phi_max, Bound::kAny);
    g.noise = get_number(ctx, field(target, "noise"), "target.noise", g.noise, Bound::kNonNegative);
    if (g.theta_min > g.theta_max) {
      ctx.fail_at("target.theta_min", "'target.theta_min' (" + format_number(g.theta_min) +
                                          ") must be <= 'target.theta_max' (" +
                                          format_number(g.theta_max) + ")");
    }
    if (g.phi_min > g.phi_max) {
      ctx.fail_at("target.phi_min", "'target.phi_min' (" + format_number(g.phi_min) +
                                        ") must be <= 'target.phi_max' (" +
                                        format_number(g.phi_max) + ")");
    }
  } else if (c.target.kind == "cluster") {
    c.target.cluster.scale = get_number(ctx, field(target, "scale"), "target.scale",
                                        c.target.cluster.scale, Bound::kNonNegative);
  } else if (c.target.kind == "npy") {
    const json* p = field(target, "path");
    if (p == nullptr) {
      ctx.fail_at("target.path",
                  "'target.path' is required for a target of kind 'npy' (a .npy "
                  "file of states)");
    }
    c.target.npy_path = path_near(ctx.source(), get_string(ctx, p, "target.path", ""));
  }

  const json* diffusion = section(ctx, &j, "", "diffusion");
  if (diffusion != nullptr) check_keys(ctx, *diffusion, "diffusion", kDiffusionKeys);
  c.steps = get_int(ctx, field(diffusion, "steps"), "diffusion.steps", kDefaultSteps, 1);
  const json* schedule = section(ctx, diffusion, "diffusion", "schedule");
  c.schedule_kind = kinded(ctx, schedule, "diffusion.schedule", kScheduleKinds, "linear").kind;
  c.schedule_start = get_number(ctx, field(schedule, "start"), "diffusion.schedule.start",
                                preset.schedule_start, Bound::kNonNegative);
  const json* end = field(schedule, "end");
  c.schedule_end_auto = end == nullptr ? std::isnan(preset.schedule_end)
                                       : end->is_string() && end->get<std::string>() == "auto";
  const json* target_mmd = field(schedule, "target_mmd_to_haar");
  const json* calibrated = field(schedule, "calibrated_end");
  if (c.schedule_end_auto) {
    c.target_mmd_to_haar = get_number(ctx, target_mmd, "diffusion.schedule.target_mmd_to_haar",
                                      kImprovedTargetMmdToHaar, Bound::kPositive);
    if (c.target_mmd_to_haar >= 1) {
      ctx.fail_at("diffusion.schedule.target_mmd_to_haar",
                  "'diffusion.schedule.target_mmd_to_haar' must be a finite number in (0, 1), "
                  "found " +
                      describe(*target_mmd));
    }
    if (calibrated != nullptr) {
      c.calibrated_end =
          get_number(ctx, calibrated, "diffusion.schedule.calibrated_end", 0, Bound::kNonNegative);
    }
  } else {
    if (end != nullptr && !end->is_number()) {
      ctx.fail_at("diffusion.schedule.end",
                  "'diffusion.schedule.end' must be a finite number >= 0 or \"auto\", found " +
                      describe(*end));
    }
    c.schedule_end =
        get_number(ctx, end, "diffusion.schedule.end", preset.schedule_end, Bound::kNonNegative);
    for (const char* key : {"target_mmd_to_haar", "calibrated_end"}) {
      if (field(schedule, key) == nullptr) continue;
      const std::string path = std::string("diffusion.schedule.") + key;
      ctx.fail_at(path, "'" + path + "' applies only when 'diffusion.schedule.end' is \"auto\"");
    }
  }

  const json* prior = section(ctx, &j, "", "prior");
  c.prior_kind = kinded(ctx, prior, "prior", kPriorKinds, preset.prior).kind;
  if (c.prior_kind == "cluster") {
    c.prior_cluster.scale = get_number(ctx, field(prior, "scale"), "prior.scale",
                                       c.prior_cluster.scale, Bound::kNonNegative);
  }

  const json* circuit = section(ctx, &j, "", "circuit");
  if (circuit != nullptr) check_keys(ctx, *circuit, "circuit", kCircuitKeys);
  c.layers =
      get_int(ctx, field(circuit, "layers"), "circuit.layers", 2 * (c.n_data + c.n_ancilla), 1);
  const json* init = section(ctx, circuit, "circuit", "init");
  c.init_kind = kinded(ctx, init, "circuit.init", kInitKinds, preset.init).kind;
  c.init_std = kDefaultInitStd;
  c.init_c = kDefaultInitC;
  if (c.init_kind == "normal") {
    c.init_std =
        get_number(ctx, field(init, "std"), "circuit.init.std", c.init_std, Bound::kPositive);
  } else {
    c.init_c = get_number(ctx, field(init, "c"), "circuit.init.c", c.init_c, Bound::kPositive);
  }
  c.init_ancilla_c = c.init_kind == "uniform"
                         ? get_number(ctx, field(init, "ancilla_c"), "circuit.init.ancilla_c",
                                      c.init_c, Bound::kPositive)
                         : kDefaultInitC;

  const json* training = section(ctx, &j, "", "training");
  if (training != nullptr) check_keys(ctx, *training, "training", kTrainingKeys);
  c.samples = get_int(ctx, field(training, "samples"), "training.samples", kDefaultSamples, 1);
  c.diffusion_size = get_int(ctx, field(training, "diffusion_size"), "training.diffusion_size",
                             kDefaultDiffusionSize, 1);
  c.epochs = get_int(ctx, field(training, "epochs"), "training.epochs", kDefaultEpochs, 1);
  c.learning_rate = get_number(ctx, field(training, "learning_rate"), "training.learning_rate",
                               kDefaultLearningRate, Bound::kPositive);
  // Each epoch draws `samples` targets without replacement from the forward ensemble.
  if (c.samples > c.diffusion_size) {
    ctx.fail_at("training.samples", "'training.samples' (" + std::to_string(c.samples) +
                                        ") must be <= 'training.diffusion_size' (" +
                                        std::to_string(c.diffusion_size) + ")");
  }

  const json* checkpoint = section(ctx, &j, "", "checkpoint");
  if (checkpoint != nullptr) check_keys(ctx, *checkpoint, "checkpoint", kCheckpointKeys);
  c.checkpoint_every_seconds =
      get_number(ctx, field(checkpoint, "every_seconds"), "checkpoint.every_seconds",
                 kDefaultCheckpointSeconds, Bound::kNonNegative);

  const std::uint64_t need = estimated_bytes(c);
  const std::uint64_t limit = memory_limit_bytes();
  if (need > limit) {
    ctx.fail_at("qubits.data",
                "'qubits.data' = " + std::to_string(c.n_data) + " with 'qubits.ancilla' = " +
                    std::to_string(c.n_ancilla) + " needs an estimated " + gib(need) +
                    " for a training run (steps " + std::to_string(c.steps) + ", diffusion_size " +
                    std::to_string(c.diffusion_size) + ", samples " + std::to_string(c.samples) +
                    "), more than the limit of " + gib(limit) + " (80% of physical memory)");
  }
  return c;
}

auto fields(const ExperimentConfig& c) {
  const GhzParams& g = c.target.ghz;
  return std::tie(c.model, c.seed, c.precision, c.output, c.n_data, c.n_ancilla, c.target.kind,
                  g.theta_min, g.theta_max, g.phi_min, g.phi_max, g.noise, c.target.cluster.scale,
                  c.target.npy_path, c.steps, c.schedule_kind, c.schedule_start, c.schedule_end,
                  c.schedule_end_auto, c.target_mmd_to_haar, c.calibrated_end, c.prior_kind,
                  c.prior_cluster.scale, c.layers, c.init_kind, c.init_std, c.init_c,
                  c.init_ancilla_c, c.samples, c.diffusion_size, c.epochs, c.learning_rate,
                  c.checkpoint_every_seconds);
}

}  // namespace

bool operator==(const ExperimentConfig& a, const ExperimentConfig& b) {
  return fields(a) == fields(b);
}

std::vector<std::string> option_overrides(std::vector<std::string> sets, const std::string& out,
                                          std::optional<std::uint64_t> seed) {
  if (!out.empty()) sets.push_back("output=" + json(out).dump());
  if (seed) sets.push_back("seed=" + std::to_string(*seed));
  return sets;
}

ExperimentConfig load(const std::string& path, const std::vector<std::string>& overrides) {
  const Ctx ctx(path);
  std::error_code ec;
  if (fs::is_directory(path, ec)) ctx.fail("cannot open file (it is a directory)");
  std::ifstream in(path, std::ios::binary);
  if (!in) ctx.fail(std::string("cannot open file (") + std::strerror(errno) + ")");
  const std::string text{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  if (in.bad()) ctx.fail("cannot read file");
  return load_text(text, path, overrides);
}

ExperimentConfig load_text(const std::string& text, const std::string& path,
                           const std::vector<std::string>& overrides) {
  const Ctx ctx(path);
  json j = parse_text(ctx, text);
  if (!j.is_object()) ctx.fail("top level must be a JSON object, found " + describe(j));
  std::map<std::string, std::string> origins;
  for (const auto& o : overrides)
    apply_override(ctx, j, o, origins);
  return resolve_with(j, Ctx(path, std::move(origins)));
}

ExperimentConfig resolve(nlohmann::json j, const std::string& source) {
  return resolve_with(j, Ctx(source));
}

nlohmann::json to_json(const ExperimentConfig& c) {
  json target = {{"kind", c.target.kind}};
  if (c.target.kind == "ghz") {
    target["theta_min"] = c.target.ghz.theta_min;
    target["theta_max"] = c.target.ghz.theta_max;
    target["phi_min"] = c.target.ghz.phi_min;
    target["phi_max"] = c.target.ghz.phi_max;
    target["noise"] = c.target.ghz.noise;
  } else if (c.target.kind == "cluster") {
    target["scale"] = c.target.cluster.scale;
  } else if (c.target.kind == "npy") {
    target["path"] = c.target.npy_path;
  }
  json schedule = {{"kind", c.schedule_kind}};
  if (c.schedule_kind == "linear") {
    schedule["start"] = c.schedule_start;
    if (c.schedule_end_auto) {
      schedule["end"] = "auto";
      schedule["target_mmd_to_haar"] = c.target_mmd_to_haar;
      if (c.calibrated_end) schedule["calibrated_end"] = *c.calibrated_end;
    } else {
      schedule["end"] = c.schedule_end;
    }
  }
  json prior = {{"kind", c.prior_kind}};
  if (c.prior_kind == "cluster") prior["scale"] = c.prior_cluster.scale;
  json init = {{"kind", c.init_kind}};
  if (c.init_kind == "normal") init["std"] = c.init_std;
  if (c.init_kind == "uniform") {
    init["c"] = c.init_c;
    init["ancilla_c"] = c.init_ancilla_c;
  }

  json j = json::object();
  j["model"] = c.model;
  j["seed"] = c.seed;
  j["precision"] = c.precision;
  j["output"] = c.output;
  j["qubits"] = {{"data", c.n_data}, {"ancilla", c.n_ancilla}};
  j["target"] = std::move(target);
  j["diffusion"] = {{"steps", c.steps}, {"schedule", std::move(schedule)}};
  j["prior"] = std::move(prior);
  j["circuit"] = {{"layers", c.layers}, {"init", std::move(init)}};
  j["training"] = {{"samples", c.samples},
                   {"diffusion_size", c.diffusion_size},
                   {"epochs", c.epochs},
                   {"learning_rate", c.learning_rate}};
  j["checkpoint"] = {{"every_seconds", c.checkpoint_every_seconds}};
  return j;
}

double schedule_end_of(const ExperimentConfig& c) {
  if (!c.schedule_end_auto) return c.schedule_end;
  if (!c.calibrated_end) throw std::logic_error("the schedule's end has not been calibrated yet");
  return *c.calibrated_end;
}

std::uint64_t estimated_bytes(const ExperimentConfig& c) {
  constexpr std::uint64_t kAmp = 16;  // bytes per complex<double>
  const std::uint64_t d = pow2_sat(c.n_data);
  const std::uint64_t dtot = pow2_sat(static_cast<long long>(c.n_data) + c.n_ancilla);
  const std::uint64_t samples = nonneg(c.samples);
  // The forward chain S_0..S_T is kept whole: every cycle t trains against S_t.
  const std::uint64_t chain =
      mul_sat(mul_sat(mul_sat(nonneg(c.steps + 1LL), nonneg(c.diffusion_size)), d), kAmp);
  // Full-register states cached for the adjoint gradient, plus two workspaces.
  const std::uint64_t circuit = mul_sat(mul_sat(mul_sat(samples, dtot), kAmp), 3);
  // Inputs, outputs, targets and one spare ensemble of data states.
  const std::uint64_t ensembles = mul_sat(mul_sat(mul_sat(samples, d), kAmp), 4);
  return add_sat(add_sat(chain, circuit), ensembles);
}

std::uint64_t memory_limit_bytes() {
  const long pages = sysconf(_SC_PHYS_PAGES);
  const long page_size = sysconf(_SC_PAGE_SIZE);
  if (pages <= 0 || page_size <= 0) return std::numeric_limits<std::uint64_t>::max();
  return static_cast<std::uint64_t>(pages) * static_cast<std::uint64_t>(page_size) / 5 * 4;
}

std::string run_id(const ExperimentConfig& c) {
  nlohmann::json j = to_json(c);
  j.erase("output");
  j.erase("checkpoint");  // when to save, not what is computed
  // A function of the rest (the search on the run's own chain): the id is the same before
  // and after the schedule's calibration.
  j["diffusion"]["schedule"].erase("calibrated_end");
  return app::sha256_hex(j.dump()).substr(0, 12);
}

}  // namespace quddpm::config
