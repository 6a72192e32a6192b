#include "app/config_schema.hpp"

#include <filesystem>
#include <optional>
#include <stdexcept>
#include <tuple>
#include <utility>

#include "model/diffusion.hpp"

namespace quddpm::config {

namespace {

// Every value of each enum the config names, with its name: the choices a key accepts and
// the names the resolved config, logs and checkpoints use.
template <class E>
using Names = std::vector<std::pair<E, const char*>>;
const std::tuple<Names<ModelKind>, Names<Precision>, Names<TargetKind>, Names<ScheduleKind>,
                 Names<PriorKind>, Names<InitKind>, Names<TrainingInput>, Names<LossKind>>
    kNames = {{{ModelKind::Original, "original"}, {ModelKind::Improved, "improved"}},
              {{Precision::Double, "double"}, {Precision::Single, "single"}},
              {{TargetKind::Ghz, "ghz"},
               {TargetKind::Cluster, "cluster"},
               {TargetKind::Haar, "haar"},
               {TargetKind::Npy, "npy"}},
              {{ScheduleKind::Linear, "linear"}},
              {{PriorKind::Haar, "haar"},
               {PriorKind::Diffused, "diffused"},
               {PriorKind::Cluster, "cluster"}},
              {{InitKind::Normal, "normal"}, {InitKind::Uniform, "uniform"}},
              {{TrainingInput::Chain, "chain"}, {TrainingInput::Forward, "forward"}},
              {{LossKind::Mmd, "mmd"},
               {LossKind::Wasserstein, "wasserstein"},
               {LossKind::Sinkhorn, "sinkhorn"}}};

template <class E>
const Names<E>& names() {
  return std::get<Names<E>>(kNames);
}

}  // namespace

template <class E>
const char* name_of(E value) {
  for (const auto& [v, name] : names<E>())
    if (v == value) return name;
  throw std::logic_error("a config enum value has no name in kNames");
}
template const char* name_of(ModelKind);
template const char* name_of(Precision);
template const char* name_of(TargetKind);
template const char* name_of(ScheduleKind);
template const char* name_of(PriorKind);
template const char* name_of(InitKind);
template const char* name_of(TrainingInput);
template const char* name_of(LossKind);

std::map<std::string, Precision> precision_names() {
  std::map<std::string, Precision> m;
  for (const auto& [p, name] : names<Precision>())
    m.emplace(name, p);
  return m;
}

namespace schema {
namespace {

using C = ExperimentConfig;
using detail::Bound;
namespace fs = std::filesystem;

// A key's default: a function of the keys read before it.
template <class T>
using Default = std::function<T(const C&)>;

template <class T>
Default<T> fixed(T v) {
  return [v](const C&) { return v; };
}

std::string number_text(double x) {
  std::string s = json(x).dump();
  if (s.size() > 2 && s.compare(s.size() - 2, 2, ".0") == 0) s.resize(s.size() - 2);
  return s;
}

// The default as the reference shows it: one value, or one per model when the presets differ.
template <class T, class Fmt>
std::string default_text(const Default<T>& def, Fmt fmt) {
  C original, improved;
  original.model = ModelKind::Original;
  improved.model = ModelKind::Improved;
  const T a = def(original), b = def(improved);
  if (a == b) return fmt(a);
  return std::string("original ") + fmt(a) + " / improved " + fmt(b);
}

// A table entry under construction: a builder gives it its reading and writing, the rest is
// added by name.
struct Entry {
  Key k;
  Entry&& of_kind(std::string kind) && {
    k.kind = std::move(kind);
    return std::move(*this);
  }
  Entry&& when(std::string only_when, std::function<bool(const C&)> applies) && {
    k.only_when = std::move(only_when);
    k.applies = std::move(applies);
    return std::move(*this);
  }
  Entry&& required(std::string what) && {
    k.required = std::move(what);
    k.default_doc = "required";
    return std::move(*this);
  }
  Entry&& checked(std::function<void(const Ctx&, const C&)> check) && {
    k.check = std::move(check);
    return std::move(*this);
  }
  Entry&& default_shown_as(std::string text) && {
    k.default_doc = std::move(text);
    return std::move(*this);
  }
  Entry&& means(std::string meaning) && {
    k.meaning = std::move(meaning);
    return std::move(*this);
  }
};

// The builders. `ref` is a generic lambda giving the config's member for a (const) config.
template <class F>
Entry integer(std::string path, F ref, int min, Default<int> def) {
  Entry e;
  e.k.path = path;
  e.k.type_doc = "integer";
  e.k.range_doc = ">= " + std::to_string(min);
  e.k.read = [=](const Ctx& ctx, const json* v, C& c) {
    ref(c) = v != nullptr ? detail::read_int(ctx, *v, path, min) : def(c);
  };
  e.k.write = [=](const C& c) { return json(ref(c)); };
  if (def) e.k.default_doc = default_text(def, [](int x) { return std::to_string(x); });
  return e;
}

template <class F>
Entry number(std::string path, F ref, Bound b, Default<double> def) {
  Entry e;
  e.k.path = path;
  e.k.type_doc = "number";
  e.k.range_doc = detail::bound_text(b);
  e.k.read = [=](const Ctx& ctx, const json* v, C& c) {
    ref(c) = v != nullptr ? detail::read_number(ctx, *v, path, b) : def(c);
  };
  e.k.write = [=](const C& c) { return json(ref(c)); };
  e.k.default_doc = default_text(def, number_text);
  return e;
}

// One of the enum's named values (kNames).
template <class E, class F>
Entry choice(std::string path, F ref, Default<E> def) {
  std::vector<E> values;
  std::vector<std::string> choices;
  for (const auto& [v, name] : names<E>())
    values.push_back(v), choices.push_back(name);
  Entry e;
  e.k.path = path;
  e.k.choices = choices;
  e.k.type_doc = "string";
  for (std::size_t i = 0; i < choices.size(); ++i)
    e.k.range_doc += (i == 0                    ? ""
                      : i + 1 == choices.size() ? " or "
                                                : ", ") +
                     ("`" + choices[i] + "`");
  e.k.read = [=](const Ctx& ctx, const json* v, C& c) {
    ref(c) = v != nullptr ? values[detail::read_choice(ctx, *v, path, choices)] : def(c);
  };
  e.k.write = [=](const C& c) { return json(name_of(ref(c))); };
  if (def)
    e.k.default_doc = default_text(def, [](E x) { return "`" + std::string(name_of(x)) + "`"; });
  return e;
}

// true or false.
template <class F>
Entry boolean(std::string path, F ref, Default<bool> def) {
  Entry e;
  e.k.path = path;
  e.k.type_doc = "boolean";
  e.k.range_doc = "`true` or `false`";
  e.k.read = [=](const Ctx& ctx, const json* v, C& c) {
    ref(c) = v != nullptr ? detail::read_bool(ctx, *v, path) : def(c);
  };
  e.k.write = [=](const C& c) { return json(ref(c)); };
  e.k.default_doc = default_text(def, [](bool x) { return std::string(x ? "true" : "false"); });
  return e;
}

// A number with no default: absent until something writes it.
template <class F>
Entry optional_number(std::string path, F ref, Bound b) {
  Entry e;
  e.k.path = path;
  e.k.type_doc = "number";
  e.k.range_doc = detail::bound_text(b);
  e.k.read = [=](const Ctx& ctx, const json* v, C& c) {
    if (v != nullptr) ref(c) = detail::read_number(ctx, *v, path, b);
  };
  e.k.write = [=](const C& c) { return ref(c) ? json(*ref(c)) : json(); };
  return e;
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

Entry output_key() {
  Entry e;
  e.k.path = "output";
  e.k.type_doc = "string";
  e.k.read = [](const Ctx& ctx, const json* v, C& c) {
    std::string stem = fs::path(ctx.source()).stem().string();
    if (stem.empty()) stem = "experiment";
    c.output = v != nullptr ? detail::read_string(ctx, *v, "output") : "runs/" + stem;
  };
  e.k.write = [](const C& c) { return json(c.output); };
  e.k.default_doc = "`runs/<config file stem>`";
  return e;
}

Entry seed_key() {
  Entry e;
  e.k.path = "seed";
  e.k.type_doc = "integer";
  e.k.range_doc = "0 .. 2^64 - 1";
  e.k.read = [](const Ctx& ctx, const json* v, C& c) {
    c.seed = v != nullptr ? detail::read_seed(ctx, *v, "seed") : shared_defaults().seed;
  };
  e.k.write = [](const C& c) { return json(c.seed); };
  e.k.default_doc = std::to_string(shared_defaults().seed);
  return e;
}

Entry npy_path_key() {
  Entry e;
  e.k.path = "target.path";
  e.k.type_doc = "string";
  e.k.read = [](const Ctx& ctx, const json* v, C& c) {
    c.target.npy_path = path_near(ctx.source(), detail::read_string(ctx, *v, "target.path"));
  };
  e.k.write = [](const C& c) { return json(c.target.npy_path); };
  return e;
}

// "end": a number, or "auto" (calibrated; the preset's end when it has none).
Entry schedule_end_key() {
  const std::string path = "diffusion.schedule.end";
  Entry e;
  e.k.path = path;
  e.k.type_doc = "number or `\"auto\"`";
  e.k.range_doc = ">= 0, or `\"auto\"`";
  e.k.read = [path](const Ctx& ctx, const json* v, C& c) {
    if (v == nullptr) {
      const std::optional<double> end = preset_of(c.model).schedule_end;
      c.schedule_end_auto = !end.has_value();
      if (end) c.schedule_end = *end;
      return;
    }
    c.schedule_end_auto = v->is_string() && v->get<std::string>() == "auto";
    if (c.schedule_end_auto) return;
    if (!v->is_number()) {
      ctx.fail_at(path, "'" + path + "' must be a finite number >= 0 or \"auto\", found " +
                            detail::describe(*v));
    }
    c.schedule_end = detail::read_number(ctx, *v, path, Bound::kNonNegative);
  };
  e.k.write = [](const C& c) { return c.schedule_end_auto ? json("auto") : json(c.schedule_end); };
  const Default<std::optional<double>> preset_end = [](const C& c) {
    return preset_of(c.model).schedule_end;
  };
  e.k.default_doc = default_text(preset_end, [](const std::optional<double>& x) {
    return x ? number_text(*x) : std::string("`\"auto\"`");
  });
  return e;
}

void check_order(const Ctx& ctx, double lo, double hi, const std::string& lo_key,
                 const std::string& hi_key) {
  if (lo <= hi) return;
  const auto text = [](double x) { return detail::describe(json(x)); };
  ctx.fail_at(lo_key,
              "'" + lo_key + "' (" + text(lo) + ") must be <= '" + hi_key + "' (" + text(hi) + ")");
}

// An end still to calibrate is searched in (start, 2 pi] (model/diffusion.cpp): a start at or
// past 2 pi leaves nothing to search, which `train` would otherwise find only after this check.
void check_calibratable(const Ctx& ctx, const C& c) {
  if (c.calibrated_end || c.schedule_start < kMaxScheduleEnd) return;
  ctx.fail_at("diffusion.schedule.start",
              "'diffusion.schedule.start' must be below 2 pi when 'diffusion.schedule.end' is "
              "\"auto\" (the calibration searches the end between them), found " +
                  detail::describe(json(c.schedule_start)));
}

bool end_is_auto(const C& c) {
  return c.schedule_end_auto;
}

ModelPreset preset(const C& c) {
  return preset_of(c.model);
}
const char* const kAuto = "'diffusion.schedule.end' is \"auto\"";

// The config member a key fills (for a const config too): MEMBER(target.ghz.noise).
#define MEMBER(m)        \
  [](auto& c) -> auto& { \
    return c.m;          \
  }

// The run: which model, its seed, precision and folder.
void run_keys(std::vector<Entry>& e) {
  const TrainingSettings& shared = shared_defaults();
  e.push_back(choice<ModelKind>("model", MEMBER(model), nullptr)
                  .required("one of: original, improved")
                  .means("the preset for every key whose default says original / improved"));
  e.push_back(seed_key().means("the key of every random stream"));
  e.push_back(choice<Precision>("precision", MEMBER(precision), fixed(shared.precision))
                  .means("the circuit's state vectors (metrics, loss, Adam and parameters stay "
                         "double)"));
  e.push_back(output_key().means("the run folder; `--out` overrides"));
}

// The register: data and ancilla qubits.
void qubit_keys(std::vector<Entry>& e) {
  const TrainingSettings& shared = shared_defaults();
  e.push_back(integer("qubits.data", MEMBER(n_data), 1, nullptr)
                  .required("an integer >= 1")
                  .means("n, with n + na <= 30 and the run's estimated memory within 80% of "
                         "the machine's"));
  e.push_back(integer("qubits.ancilla", MEMBER(n_ancilla), 0, fixed(shared.n_ancilla))
                  .checked([](const Ctx& ctx, const C& c) {
                    const long long total = static_cast<long long>(c.n_data) + c.n_ancilla;
                    if (total <= kMaxQubits) return;
                    ctx.fail_at("qubits.data",
                                "'qubits.data' + 'qubits.ancilla' = " + std::to_string(total) +
                                    " qubits, more than the simulator's limit of " +
                                    std::to_string(kMaxQubits));
                  })
                  .means("na"));
}

// The data ensemble S_0 (docs/model.md, section 2).
void target_keys(std::vector<Entry>& e) {
  const GhzParams ghz;
  const ClusterParams cluster;
  e.push_back(choice<TargetKind>("target.kind", MEMBER(target.kind), fixed(TargetKind::Ghz))
                  .means("the data ensemble (model.md section 2)"));
  e.push_back(
      number("target.theta_min", MEMBER(target.ghz.theta_min), Bound::kAny, fixed(ghz.theta_min))
          .of_kind("ghz")
          .default_shown_as("pi/2 - 0.3")
          .means("theta ~ U[theta_min, theta_max]"));
  e.push_back(
      number("target.theta_max", MEMBER(target.ghz.theta_max), Bound::kAny, fixed(ghz.theta_max))
          .of_kind("ghz")
          .default_shown_as("pi/2 + 0.3")
          .checked([](const Ctx& ctx, const C& c) {
            check_order(ctx, c.target.ghz.theta_min, c.target.ghz.theta_max, "target.theta_min",
                        "target.theta_max");
          })
          .means("at least theta_min"));
  e.push_back(number("target.phi_min", MEMBER(target.ghz.phi_min), Bound::kAny, fixed(ghz.phi_min))
                  .of_kind("ghz")
                  .means("phi ~ U[phi_min, phi_max]"));
  e.push_back(number("target.phi_max", MEMBER(target.ghz.phi_max), Bound::kAny, fixed(ghz.phi_max))
                  .of_kind("ghz")
                  .checked([](const Ctx& ctx, const C& c) {
                    check_order(ctx, c.target.ghz.phi_min, c.target.ghz.phi_max, "target.phi_min",
                                "target.phi_max");
                  })
                  .means("at least phi_min"));
  e.push_back(
      number("target.noise", MEMBER(target.ghz.noise), Bound::kNonNegative, fixed(ghz.noise))
          .of_kind("ghz")
          .means("the expected norm of the noise vector"));
  e.push_back(number("target.scale", MEMBER(target.cluster.scale), Bound::kNonNegative,
                     fixed(cluster.scale))
                  .of_kind("cluster")
                  .means("the expected norm of the noise vector"));
  e.push_back(npy_path_key()
                  .of_kind("npy")
                  .required("a .npy file of states")
                  .means("the states file, relative to the config file's folder (absolute in "
                         "`config.json`)"));
}

// The forward diffusion (docs/model.md, section 3).
void diffusion_keys(std::vector<Entry>& e) {
  e.push_back(integer("diffusion.steps", MEMBER(steps), 1, fixed(kDefaultSteps)).means("T"));
  e.push_back(choice<ScheduleKind>("diffusion.schedule.kind", MEMBER(schedule_kind),
                                   fixed(ScheduleKind::Linear))
                  .means("h_t from `start` to `end`"));
  e.push_back(number("diffusion.schedule.start", MEMBER(schedule_start), Bound::kNonNegative,
                     [](const C& c) { return preset(c).schedule_start; })
                  .of_kind("linear")
                  .means("h_1 (below 2 pi when `end` is `\"auto\"`)"));
  e.push_back(schedule_end_key().of_kind("linear").means(
      "h_T (a warning above 2 pi), or calibrated (model.md section 3)"));
  e.push_back(number("diffusion.schedule.target_mmd_to_haar", MEMBER(target_mmd_to_haar),
                     Bound::kOpenUnit, [](const C& c) { return preset(c).target_mmd_to_haar; })
                  .of_kind("linear")
                  .when(kAuto, end_is_auto)
                  .means("the terminal mmd_to_haar the calibration aims at"));
  e.push_back(optional_number("diffusion.schedule.calibrated_end", MEMBER(calibrated_end),
                              Bound::kNonNegative)
                  .of_kind("linear")
                  .when(kAuto, end_is_auto)
                  .default_shown_as("written by `train`")
                  .checked(check_calibratable)
                  .means("the calibrated end; a config holding it skips the search"));
}

// Where the backward chain starts (docs/model.md, section 5).
void prior_keys(std::vector<Entry>& e) {
  const ClusterParams cluster;
  e.push_back(choice<PriorKind>("prior.kind", MEMBER(prior_kind), [](const C& c) {
                return preset(c).prior;
              }).means("the backward chain's input S~_T (model.md section 5)"));
  e.push_back(
      number("prior.scale", MEMBER(prior_cluster.scale), Bound::kNonNegative, fixed(cluster.scale))
          .of_kind("cluster")
          .means("the expected norm of the noise vector"));
}

// The circuit and its initial parameters (docs/model.md, sections 4 and 5).
void circuit_keys(std::vector<Entry>& e) {
  const TrainingSettings& shared = shared_defaults();
  e.push_back(integer("circuit.layers", MEMBER(layers), 1,
                      [](const C& c) { return default_layers(c.n_data, c.n_ancilla); })
                  .default_shown_as("2 (n + na)")
                  .means("L"));
  e.push_back(choice<InitKind>("circuit.init.kind", MEMBER(init_kind), [](const C& c) {
                return preset(c).init;
              }).means("how each cycle's parameters start"));
  e.push_back(number("circuit.init.std", MEMBER(init_std), Bound::kPositive, fixed(shared.init_std))
                  .of_kind("normal")
                  .means("theta ~ N(0, std^2)"));
  e.push_back(number("circuit.init.c", MEMBER(init_c), Bound::kPositive, fixed(shared.init_c))
                  .of_kind("uniform")
                  .means("the data qubits' angles ~ U[-c/L, c/L]"));
  e.push_back(number("circuit.init.ancilla_c", MEMBER(init_ancilla_c), Bound::kPositive,
                     [](const C& c) { return c.init_c; })
                  .of_kind("uniform")
                  .default_shown_as("`c`")
                  .means("the ancillas' angles ~ U[-ancilla_c/L, ancilla_c/L]"));
  e.push_back(boolean("circuit.init.warm_start", MEMBER(warm_start), fixed(false))
                  .means("every cycle after the first (t < T-1) starts from the previous cycle's "
                         "trained parameters, with a fresh Adam state; the init above draws the "
                         "first cycle only"));
}

// What each epoch minimizes (docs/model.md, section 5).
void loss_keys(std::vector<Entry>& e) {
  const LossSettings shared;
  e.push_back(choice<LossKind>("loss.kind", MEMBER(loss_kind), fixed(shared.kind))
                  .means("the loss to the targets: MMD, the exact Wasserstein (optimal "
                         "transport) cost W, or its entropic version OT_eps (model.md "
                         "section 5)"));
  e.push_back(number("loss.epsilon", MEMBER(loss_epsilon), Bound::kPositive, fixed(shared.epsilon))
                  .of_kind("sinkhorn")
                  .means("the entropic regularization eps of OT_eps"));
}

// Training, and checkpoints (operational: outside the run id).
void training_keys(std::vector<Entry>& e) {
  const TrainingSettings& shared = shared_defaults();
  // The trainer's own limits (model/trainer.cpp): an epoch's loss compares at least two states.
  e.push_back(integer("training.samples", MEMBER(samples), 2, fixed(shared.samples))
                  .means("N, at most `diffusion_size`: states per epoch"));
  e.push_back(
      integer("training.diffusion_size", MEMBER(diffusion_size), 2, fixed(shared.diffusion_size))
          .checked([](const Ctx& ctx, const C& c) {
            // Each epoch draws `samples` targets without replacement from S_t.
            if (c.samples <= c.diffusion_size) return;
            ctx.fail_at("training.samples", "'training.samples' (" + std::to_string(c.samples) +
                                                ") must be <= 'training.diffusion_size' (" +
                                                std::to_string(c.diffusion_size) + ")");
          })
          .means("states of each forward ensemble S_t (a warning above 5,000: O(N^2) "
                 "metrics)"));
  e.push_back(integer("training.epochs", MEMBER(epochs), 1, fixed(shared.epochs))
                  .means("epochs per cycle"));
  e.push_back(number("training.learning_rate", MEMBER(learning_rate), Bound::kPositive,
                     fixed(shared.learning_rate))
                  .means("Adam's step size (a warning above 1)"));
  e.push_back(
      choice<TrainingInput>("training.input", MEMBER(training_input), fixed(TrainingInput::Chain))
          .means("what cycle t trains on: the backward chain's outputs S~_{t+1}, or "
                 "(teacher forcing) N states of the forward S_{t+1} drawn each epoch; "
                 "the recorded chain is the backward chain either way"));
  e.push_back(number("checkpoint.every_seconds", MEMBER(checkpoint_every_seconds),
                     Bound::kNonNegative, fixed(kDefaultCheckpointSeconds))
                  .means("seconds between checkpoints inside a cycle; 0: after cycles only. Not "
                         "part of the run id; may change on `--resume`"));
}

#undef MEMBER

std::vector<Key> build() {
  std::vector<Entry> e;
  run_keys(e);
  qubit_keys(e);
  target_keys(e);
  diffusion_keys(e);
  prior_keys(e);
  circuit_keys(e);
  loss_keys(e);
  training_keys(e);
  std::vector<Key> out;
  for (auto& x : e)
    out.push_back(std::move(x.k));
  return out;
}

}  // namespace

const std::vector<Key>& keys() {
  static const std::vector<Key> table = build();
  return table;
}

std::string parent_of(const std::string& path) {
  const auto dot = path.rfind('.');
  return dot == std::string::npos ? "" : path.substr(0, dot);
}

std::string leaf_of(const std::string& path) {
  return path.substr(path.rfind('.') + 1);
}

std::vector<KindKeys> kinds_at(const std::string& path) {
  std::vector<KindKeys> kinds;
  for (const Key& k : keys()) {
    if (k.path == detail::join_path(path, "kind")) {
      for (const auto& name : k.choices)
        kinds.push_back({name, {}});
    }
  }
  for (const Key& k : keys()) {
    if (k.kind.empty() || parent_of(k.path) != path) continue;
    for (auto& kk : kinds)
      if (kk.kind == k.kind) kk.keys.push_back(leaf_of(k.path));
  }
  return kinds;
}

}  // namespace schema
}  // namespace quddpm::config
