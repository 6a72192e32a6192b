#include "app/config/config.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cstdio>
#include <limits>
#include <map>
#include <set>

#include "app/config/config_detail.hpp"
#include "app/config/config_schema.hpp"
#include "app/formats/folder.hpp"
#include "app/formats/input_file.hpp"
#include "app/formats/sha256.hpp"
#include "model/memory.hpp"

namespace quddpm::config {
namespace {

using detail::contains;
using detail::Ctx;
using detail::describe;
using detail::join_list;
using detail::join_path;
using detail::suggest;
using nlohmann::json;
using schema::Key;

std::string gib(std::uint64_t bytes) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.1f GiB", static_cast<double>(bytes) / (1024.0 * 1024 * 1024));
  return buf;
}

// The keys an object holds according to the schema, in table order: "qubits" -> data,
// ancilla; "diffusion" -> steps, schedule; "" -> the top-level keys.
std::vector<std::string> children_of(const std::string& object) {
  std::vector<std::string> names;
  for (const Key& k : schema::keys()) {
    std::string p = k.path;
    for (std::string parent = schema::parent_of(p);; p = parent, parent = schema::parent_of(p)) {
      if (parent == object) {
        const std::string name = schema::leaf_of(p);
        if (!contains(names, name)) names.push_back(name);
        break;
      }
      if (parent.empty()) break;
    }
  }
  return names;
}

void check_keys(const Ctx& ctx, const json& obj, const std::string& path) {
  const std::vector<std::string> allowed = children_of(path);
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

// A kind-tagged object accepts "kind", the keys every kind shares and the keys of its kind; a
// key of another kind is named as such.
void check_kind_keys(const Ctx& ctx, const json& obj, const std::string& path,
                     const std::string& kind) {
  const std::vector<schema::KindKeys> kinds = schema::kinds_at(path);
  std::vector<std::string> allowed = {"kind"};
  for (const Key& k : schema::keys())
    if (k.kind.empty() && schema::parent_of(k.path) == path && schema::leaf_of(k.path) != "kind")
      allowed.push_back(schema::leaf_of(k.path));
  for (const auto& k : kinds)
    if (k.kind == kind) allowed.insert(allowed.end(), k.keys.begin(), k.keys.end());
  const std::string what = schema::leaf_of(path);  // "target", "init", ...
  for (auto it = obj.begin(); it != obj.end(); ++it) {
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
}

// Walks the config's objects in the schema's order, checking each the first time it is met.
class Objects {
 public:
  Objects(const Ctx& ctx, const json& root) : ctx_(ctx), root_(root) {
    check_keys(ctx_, root_, "");
  }

  // The object at `path` (nullptr when absent); anything but an object is an error.
  const json* at(const std::string& path) {
    if (path.empty()) return &root_;
    const json* parent = at(schema::parent_of(path));
    if (parent == nullptr) return nullptr;
    const auto it = parent->find(schema::leaf_of(path));
    if (it == parent->end()) return nullptr;
    if (!it->is_object())
      ctx_.fail_at(path, "'" + path + "' must be an object, found " + describe(*it));
    // Kind-tagged objects are checked once their kind is known.
    if (checked_.insert(path).second && schema::kinds_at(path).empty()) check_keys(ctx_, *it, path);
    return &*it;
  }

 private:
  const Ctx& ctx_;
  const json& root_;
  std::set<std::string> checked_;
};

ExperimentConfig resolve_with(const json& j, const Ctx& ctx) {
  if (!j.is_object()) ctx.fail("top level must be a JSON object, found " + describe(j));
  Objects objects(ctx, j);
  ExperimentConfig c;
  c.source = ctx.source();
  std::map<std::string, std::string> kind_of;  // kind-tagged object -> its kind
  for (const Key& k : schema::keys()) {
    const std::string parent = schema::parent_of(k.path);
    const json* obj = objects.at(parent);
    const json* v = nullptr;
    if (obj != nullptr) {
      const auto it = obj->find(schema::leaf_of(k.path));
      if (it != obj->end()) v = &*it;
    }
    // Before the kinds: a qgan config reads no QuDDPM object, so none of their kinds is known.
    if (k.quddpm_only && c.model == ModelKind::Qgan) {
      if (v != nullptr)
        ctx.fail_at(k.path, "'" + k.path +
                                "' is a QuDDPM key; model \"qgan\" does not read it (remove it)");
      continue;
    }
    if (!k.kind.empty() && kind_of[parent] != k.kind) continue;
    if (k.applies && !k.applies(c)) {
      if (v != nullptr) ctx.fail_at(k.path, "'" + k.path + "' applies only when " + k.only_when);
      continue;
    }
    if (v == nullptr && !k.required.empty()) {
      const std::string what =
          k.kind.empty() ? "" : " for a " + schema::leaf_of(parent) + " of kind '" + k.kind + "'";
      ctx.fail_at(k.path, "'" + k.path + "' is required" + what + " (" + k.required + ")");
    }
    k.read(ctx, v, c);
    if (schema::leaf_of(k.path) == "kind") {
      kind_of[parent] = k.write(c).get<std::string>();
      if (obj != nullptr) check_kind_keys(ctx, *obj, parent, kind_of[parent]);
    }
    if (k.check) k.check(ctx, c);
  }

  const std::uint64_t need = estimated_bytes(c);
  const std::uint64_t limit = memory_limit_bytes();
  if (need > limit) {
    ctx.fail_at("qubits.data",
                "'qubits.data' = " + std::to_string(c.run.n_data) + " with 'qubits.ancilla' = " +
                    std::to_string(c.run.n_ancilla) + " needs an estimated " + gib(need) +
                    " for a training run (steps " + std::to_string(c.steps) + ", diffusion_size " +
                    std::to_string(c.run.diffusion_size) + ", samples " +
                    std::to_string(c.run.samples) + "), more than the limit of " + gib(limit) +
                    " (80% of physical memory)");
  }
  return c;
}

}  // namespace

bool operator==(const ExperimentConfig& a, const ExperimentConfig& b) {
  return to_json(a) == to_json(b);
}

std::vector<std::string> option_overrides(std::vector<std::string> sets, const std::string& out,
                                          std::optional<std::uint64_t> seed) {
  if (!out.empty()) sets.push_back("output=" + json(out).dump());
  if (seed) sets.push_back("seed=" + std::to_string(*seed));
  return sets;
}

ExperimentConfig load(const std::string& path, const std::vector<std::string>& overrides) {
  const Ctx ctx(path);
  std::string why, text;  // read without blocking on a FIFO
  if (!app::read_file_at(AT_FDCWD, path, app::Links::kFollow, text, why))
    ctx.fail(why.empty() ? "cannot read file" : "cannot open file (" + why + ")");
  return load_text(text, path, overrides);
}

ExperimentConfig load_text(const std::string& text, const std::string& path,
                           const std::vector<std::string>& overrides) {
  const Ctx ctx(path);
  json j = detail::parse_text(ctx, text);
  if (!j.is_object()) ctx.fail("top level must be a JSON object, found " + describe(j));
  std::map<std::string, std::string> origins;
  for (const auto& o : overrides)
    detail::apply_override(ctx, j, o, origins);
  return resolve_with(j, Ctx(path, std::move(origins)));
}

ExperimentConfig resolve(nlohmann::json j, const std::string& source) {
  return resolve_with(j, Ctx(source));
}

nlohmann::json to_json(const ExperimentConfig& c) {
  json j = json::object();
  std::map<std::string, std::string> kind_of;
  for (const Key& k : schema::keys()) {
    const std::string parent = schema::parent_of(k.path);
    if (!k.kind.empty() && kind_of[parent] != k.kind) continue;
    if (k.applies && !k.applies(c)) continue;
    if (k.quddpm_only && c.model == ModelKind::Qgan) continue;
    json v = k.write(c);
    if (v.is_null()) continue;
    if (schema::leaf_of(k.path) == "kind") kind_of[parent] = v.get<std::string>();
    json* at = &j;
    std::string rest = k.path;
    for (auto dot = rest.find('.'); dot != std::string::npos; dot = rest.find('.')) {
      at = &(*at)[rest.substr(0, dot)];
      rest = rest.substr(dot + 1);
    }
    (*at)[rest] = std::move(v);
  }
  return j;
}

std::string reference_table() {
  std::string out = "| key | type | default | range and meaning |\n|---|---|---|---|\n";
  for (const Key& k : schema::keys()) {
    std::string range = k.kind;
    const auto add = [&range](const std::string& part) {
      if (!part.empty()) range += (range.empty() ? "" : ", ") + part;
    };
    if (!k.only_when.empty()) add("only when " + k.only_when);
    if (k.quddpm_only) add("QuDDPM only (not for `qgan`)");
    add(k.range_doc);
    if (!k.meaning.empty()) range += (range.empty() ? "" : ": ") + k.meaning;
    out += "| `" + k.path + "` | " + k.type_doc + " | " + k.default_doc + " | " + range + " |\n";
  }
  return out;
}

double schedule_end_of(const ExperimentConfig& c) {
  if (!c.schedule_end_auto) return c.schedule_end;
  if (!c.calibrated_end) throw std::logic_error("the schedule's end has not been calibrated yet");
  return *c.calibrated_end;
}

std::uint64_t estimated_bytes(const ExperimentConfig& c) {
  return training_peak_bytes(c.run.n_data, c.run.n_ancilla, c.steps, c.run.diffusion_size,
                             c.run.samples);
}

std::uint64_t memory_limit_bytes() {
  const long pages = sysconf(_SC_PHYS_PAGES);
  const long page_size = sysconf(_SC_PAGE_SIZE);
  if (pages <= 0 || page_size <= 0) return std::numeric_limits<std::uint64_t>::max();
  return static_cast<std::uint64_t>(pages) * static_cast<std::uint64_t>(page_size) / 5 * 4;
}

namespace {

// Removes key from the object at `path` in j, when there is one (a qgan config has no
// diffusion object, for example).
void erase_in(nlohmann::json& j, std::initializer_list<const char*> path, const char* key) {
  nlohmann::json* at = &j;
  for (const char* p : path) {
    if (!at->is_object() || !at->contains(p)) return;
    at = &(*at)[p];
  }
  if (at->is_object()) at->erase(key);
}

}  // namespace

nlohmann::json experiment_json(const ExperimentConfig& c) {
  nlohmann::json j = to_json(c);
  j.erase("output");
  j.erase("checkpoint");  // when to save, not what is computed
  // A function of the rest (the search on the run's own chain): the same before and after the
  // schedule's calibration.
  erase_in(j, {"diffusion", "schedule"}, "calibrated_end");
  return j;
}

namespace {

std::string id_of(const ExperimentConfig& c, bool pin_target_content) {
  nlohmann::json j = experiment_json(c);
  // Keys newer than published runs: absent from the id at their defaults.
  if (!c.run.warm_start) erase_in(j, {"circuit", "init"}, "warm_start");
  if (c.run.input == TrainingInput::Chain) erase_in(j, {"training"}, "input");
  if (c.run.outcomes == OutcomeRule::Sampled) erase_in(j, {"training"}, "outcomes");
  if (c.run.optimizer == OptimizerKind::Adam) erase_in(j, {"training"}, "optimizer");
  if (c.run.decay_every == 1) erase_in(j, {"training"}, "decay_every");
  if (c.run.decay_factor == 1) erase_in(j, {"training"}, "decay_factor");
  if (c.run.loss.kind == LossKind::Mmd) j.erase("loss");
  if (c.observables.empty()) j.erase("observables");
  if (!c.save_ensembles) j.erase("save_ensembles");
  // An npy target by its content, not only its path: a changed file is another experiment.
  if (pin_target_content && c.target.kind == TargetKind::Npy)
    // The run's own copy (states_file) is never read through a link.
    j["target"]["sha256"] = app::sha256_file(
        c.target.file(), c.target.states_file.empty() ? app::Links::kFollow : app::Links::kRefuse);
  return app::sha256_hex(j.dump()).substr(0, 12);
}

}  // namespace

std::string run_id(const ExperimentConfig& c) {
  return id_of(c, true);
}

std::string run_id_by_path(const ExperimentConfig& c) {
  return id_of(c, false);
}

}  // namespace quddpm::config
