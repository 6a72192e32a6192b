#include "app/config/config_schema.hpp"

#include <cmath>
#include <filesystem>
#include <optional>
#include <stdexcept>
#include <tuple>
#include <utility>

#include "model/diffusion.hpp"
#include "model/observables.hpp"
#include "model/qgan.hpp"

namespace quddpm::config {

namespace {

// Every value of each enum the config names, with its name: the choices a key accepts and
// the names the resolved config, logs and checkpoints use.
template <class E>
using Names = std::vector<std::pair<E, const char*>>;
const std::tuple<Names<ModelKind>, Names<Precision>, Names<TargetKind>, Names<ScheduleKind>,
                 Names<PriorKind>, Names<InitKind>, Names<TrainingInput>, Names<TfimBoundary>,
                 Names<OptimizerKind>, Names<LossKind>, Names<OutcomeRule>>
    kNames = {{{ModelKind::Original, "original"},
               {ModelKind::Improved, "improved"},
               {ModelKind::Qgan, "qgan"}},
              {{Precision::Double, "double"}, {Precision::Single, "single"}},
              {{TargetKind::Ghz, "ghz"},
               {TargetKind::Cluster, "cluster"},
               {TargetKind::Haar, "haar"},
               {TargetKind::Npy, "npy"},
               {TargetKind::Tfim, "tfim"},
               {TargetKind::Circle, "circle"}},
              {{ScheduleKind::Linear, "linear"},
               {ScheduleKind::Quadratic, "quadratic"},
               {ScheduleKind::List, "list"}},
              {{PriorKind::Haar, "haar"},
               {PriorKind::Diffused, "diffused"},
               {PriorKind::Cluster, "cluster"}},
              {{InitKind::Normal, "normal"}, {InitKind::Uniform, "uniform"}},
              {{TrainingInput::Chain, "chain"}, {TrainingInput::Forward, "forward"}},
              {{TfimBoundary::Open, "open"}, {TfimBoundary::Periodic, "periodic"}},
              {{OptimizerKind::Adam, "adam"}, {OptimizerKind::Sgd, "sgd"}},
              {{LossKind::Mmd, "mmd"},
               {LossKind::Wasserstein, "wasserstein"},
               {LossKind::Sinkhorn, "sinkhorn"}},
              {{OutcomeRule::Sampled, "sampled"}, {OutcomeRule::Quenched, "quenched"}}};

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
template const char* name_of(TfimBoundary);
template const char* name_of(OptimizerKind);
template const char* name_of(OutcomeRule);
template const char* name_of(LossKind);

template <class E>
std::map<std::string, E> values_by_name() {
  std::map<std::string, E> m;
  for (const auto& [value, name] : names<E>())
    m.emplace(name, value);
  return m;
}
template std::map<std::string, Precision> values_by_name();
template std::map<std::string, OutcomeRule> values_by_name();

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
  // A key of the two QuDDPMs only: a qgan config may not set it (model/qgan.hpp reads none).
  Entry&& quddpm_only() && {
    k.quddpm_only = true;
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
    c.run.seed = v != nullptr ? detail::read_seed(ctx, *v, "seed") : shared_defaults().seed;
  };
  e.k.write = [](const C& c) { return json(c.run.seed); };
  e.k.default_doc = std::to_string(shared_defaults().seed);
  return e;
}

// A key that no builder fits: read and written by the given functions (a key that is not
// required is read as `when_absent` when absent).
Entry read_by(std::string path, std::string type_doc,
              std::function<void(const Ctx&, const json&, C&)> read,
              std::function<json(const C&)> write, json when_absent = json()) {
  Entry e;
  e.k.path = std::move(path);
  e.k.type_doc = std::move(type_doc);
  e.k.read = [read = std::move(read), when_absent = std::move(when_absent)](const Ctx& ctx,
                                                                            const json* v, C& c) {
    read(ctx, v != nullptr ? *v : when_absent, c);
  };
  e.k.write = std::move(write);
  return e;
}

Entry npy_path_key() {
  return read_by(
      "target.path", "string",
      [](const Ctx& ctx, const json& v, C& c) {
        c.target.npy_path = path_near(ctx.source(), detail::read_string(ctx, v, "target.path"));
      },
      [](const C& c) { return json(c.target.npy_path); });
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

// A quadratic schedule's end: a number (the calibration of "auto" searches a linear schedule).
Entry quadratic_end_key() {
  const std::string path = "diffusion.schedule.end";
  Entry e = number(
      path, [](auto& c) -> auto& { return c.schedule_end; }, Bound::kNonNegative, fixed(0.0));
  e.k.read = [path, read = e.k.read](const Ctx& ctx, const json* v, C& c) {
    if (v->is_string() && v->get<std::string>() == "auto") {
      ctx.fail_at(path, "'" + path +
                            "' must be a number >= 0 for a quadratic schedule: \"auto\" "
                            "calibrates only a linear one");
    }
    c.schedule_end_auto = false;
    read(ctx, v, c);
  };
  return e;
}

// The strengths of a listed schedule: an array of finite numbers >= 0 (its length is checked
// against diffusion.steps once both are read).
std::vector<double> read_strengths(const Ctx& ctx, const json& v) {
  const char* const path = "diffusion.schedule.values";
  const auto fail = [&](const std::string& what) {
    ctx.fail_at(path, std::string("'") + path + "' must " + what);
  };
  if (!v.is_array()) fail("be an array of numbers >= 0, found " + detail::describe(v));
  std::vector<double> h;
  for (const json& x : v) {
    const double value = x.is_number() ? x.get<double>() : std::nan("");
    if (!(std::isfinite(value) && value >= 0)) {
      fail("hold finite numbers >= 0, found " + detail::describe(x) + " at index " +
           std::to_string(h.size()));
    }
    h.push_back(value);
  }
  return h;
}

Entry schedule_values_key() {
  return read_by(
      "diffusion.schedule.values", "array of numbers",
      [](const Ctx& ctx, const json& v, C& c) { c.schedule_values = read_strengths(ctx, v); },
      [](const C& c) { return json(c.schedule_values); });
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

// The targets defined only at some qubit counts.
void check_target_qubits(const Ctx& ctx, const C& c) {
  if (c.target.kind == TargetKind::Circle && c.run.n_data != 1) {
    ctx.fail_at("qubits.data",
                "'target.kind' \"circle\" is a one-qubit ensemble: 'qubits.data' "
                "must be 1, found " +
                    std::to_string(c.run.n_data));
  }
  if (c.target.kind == TargetKind::Tfim && c.run.n_data > kMaxTfimQubits) {
    ctx.fail_at("qubits.data", "'target.kind' \"tfim\" takes at most " +
                                   std::to_string(kMaxTfimQubits) +
                                   " qubits (exact ground states): 'qubits.data' is " +
                                   std::to_string(c.run.n_data));
  }
}

// A listed schedule has one strength per step.
void check_schedule_length(const Ctx& ctx, const C& c) {
  if (static_cast<long long>(c.schedule_values.size()) == c.steps) return;
  ctx.fail_at(
      "diffusion.schedule.values",
      "'diffusion.schedule.values' must hold 'diffusion.steps' = " + std::to_string(c.steps) +
          " values (h_1..h_T), found " + std::to_string(c.schedule_values.size()));
}

bool is_qgan(const C& c) {
  return c.model == ModelKind::Qgan;
}
const char* const kQgan = "'model' is \"qgan\"";

bool is_sgd(const C& c) {
  return c.run.optimizer == OptimizerKind::Sgd;
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

// The observables: a list of objects {"kind": ..., its key, "bins": ...} (docs/model.md, section
// 7). Every entry is checked against the data qubits; a message names the entry by its index.
constexpr int kDefaultBins = 10;
const Names<ObservableKind> kObservableNames = {{ObservableKind::BasisFidelity, "basis_fidelity"},
                                                {ObservableKind::Pauli, "pauli"},
                                                {ObservableKind::Magnetization, "magnetization"}};

Observable read_observable(const Ctx& ctx, const json& v, const std::string& at, int n_data) {
  if (!v.is_object())
    ctx.fail_at("observables", "'" + at + "' must be an object such as {\"kind\": \"pauli\", " +
                                   "\"string\": \"Z0\"}, found " + detail::describe(v));
  std::vector<std::string> kinds;
  for (const auto& [kind, name] : kObservableNames)
    kinds.push_back(name);
  const auto kind_it = v.find("kind");
  if (kind_it == v.end())
    ctx.fail_at("observables",
                "'" + at + ".kind' is required (one of: " + detail::join_list(kinds) + ")");
  Observable o;
  o.kind = kObservableNames[detail::read_choice(ctx, *kind_it, at + ".kind", kinds)].first;
  const std::string own = o.kind == ObservableKind::BasisFidelity ? "bits"
                          : o.kind == ObservableKind::Pauli       ? "string"
                                                                  : "";
  std::vector<std::string> allowed = {"kind", "bins"};
  if (!own.empty()) allowed.push_back(own);
  for (auto it = v.begin(); it != v.end(); ++it)
    if (!detail::contains(allowed, it.key()))
      ctx.fail_at("observables", "unknown key '" + at + "." + it.key() + "' for an observable of " +
                                     "kind '" + kind_it->get<std::string>() +
                                     "' (valid here: " + detail::join_list(allowed) + ")");
  o.bins = v.contains("bins") ? detail::read_int(ctx, v["bins"], at + ".bins", 1) : kDefaultBins;
  if (own.empty()) return o;
  const std::string key = at + "." + own;
  if (!v.contains(own))
    ctx.fail_at("observables", "'" + key + "' is required for an observable of kind '" +
                                   kind_it->get<std::string>() + "'");
  const std::string text = detail::read_string(ctx, v[own], key);
  if (o.kind == ObservableKind::BasisFidelity) {
    const std::string why = bits_problem(text, n_data);
    if (!why.empty())
      ctx.fail_at("observables", "'" + key + "' " + why + ", found " + detail::describe(v[own]));
    o.bits = text;
  } else {
    try {
      parse_pauli(text, n_data);
    } catch (const std::invalid_argument& e) {
      ctx.fail_at("observables",
                  "'" + key + "' " + e.what() + " (found " + detail::describe(v[own]) + ")");
    }
    o.pauli = text;
  }
  return o;
}

json observable_json(const Observable& o) {
  json j = {{"kind", kObservableNames[static_cast<std::size_t>(o.kind)].second}};
  if (o.kind == ObservableKind::BasisFidelity) j["bits"] = o.bits;
  if (o.kind == ObservableKind::Pauli) j["string"] = o.pauli;
  j["bins"] = o.bins;
  return j;
}

Entry observables_key() {
  Entry e = read_by(
      "observables", "array of objects",
      [](const Ctx& ctx, const json& v, C& c) {
        if (!v.is_array())
          ctx.fail_at("observables",
                      "'observables' must be an array of objects, found " + detail::describe(v));
        c.observables.clear();
        for (std::size_t i = 0; i < v.size(); ++i)
          c.observables.push_back(
              read_observable(ctx, v[i], "observables[" + std::to_string(i) + "]", c.run.n_data));
      },
      [](const C& c) {
        json a = json::array();
        for (const Observable& o : c.observables)
          a.push_back(observable_json(o));
        return a;
      },
      json::array());
  e.k.default_doc = "`[]`";
  return e;
}

// The run: which model, its seed, precision and folder.
void run_keys(std::vector<Entry>& e) {
  const TrainingSettings& shared = shared_defaults();
  e.push_back(choice<ModelKind>("model", MEMBER(model), nullptr)
                  .required("one of: original, improved, qgan")
                  .means("the preset for every key whose default says original / improved; "
                         "`qgan`: the original paper's QGAN baseline (model.md section 10), "
                         "which starts as `original` and reads no key marked QuDDPM only"));
  e.push_back(seed_key().means("the key of every random stream"));
  e.push_back(choice<Precision>("precision", MEMBER(run.precision), fixed(shared.precision))
                  .means("the circuit's state vectors (metrics, loss, Adam and parameters stay "
                         "double)"));
  e.push_back(output_key().means("the run folder; `--out` overrides"));
}

// The register: data and ancilla qubits.
void qubit_keys(std::vector<Entry>& e) {
  const TrainingSettings& shared = shared_defaults();
  e.push_back(integer("qubits.data", MEMBER(run.n_data), 1, nullptr)
                  .required("an integer >= 1")
                  .means("n, with n + na <= 30 and the run's estimated memory within 80% of "
                         "the machine's"));
  e.push_back(integer("qubits.ancilla", MEMBER(run.n_ancilla), 0, fixed(shared.n_ancilla))
                  .checked([](const Ctx& ctx, const C& c) {
                    const long long total = static_cast<long long>(c.run.n_data) + c.run.n_ancilla;
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
  const TfimParams tfim;
  e.push_back(choice<TargetKind>("target.kind", MEMBER(target.kind), fixed(TargetKind::Ghz))
                  .checked(check_target_qubits)
                  .means("the data ensemble (model.md section 2); `circle` needs "
                         "`qubits.data` = 1, `tfim` at most " +
                         std::to_string(kMaxTfimQubits)));
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
  e.push_back(
      choice<TfimBoundary>("target.boundary", MEMBER(target.tfim.boundary), fixed(tfim.boundary))
          .of_kind("tfim")
          .means("the chain's bonds (i, i+1): i < n-1, or every i with i+1 mod n"));
  e.push_back(
      number("target.g_min", MEMBER(target.tfim.g_min), Bound::kNonNegative, fixed(tfim.g_min))
          .of_kind("tfim")
          .means("the transverse field g ~ U[g_min, g_max], one per state"));
  e.push_back(
      number("target.g_max", MEMBER(target.tfim.g_max), Bound::kNonNegative, fixed(tfim.g_max))
          .of_kind("tfim")
          .checked([](const Ctx& ctx, const C& c) {
            check_order(ctx, c.target.tfim.g_min, c.target.tfim.g_max, "target.g_min",
                        "target.g_max");
          })
          .means("at least g_min"));
}

// The forward diffusion (docs/model.md, section 3).
void diffusion_keys(std::vector<Entry>& e) {
  e.push_back(integer("diffusion.steps", MEMBER(steps), 1, fixed(kDefaultSteps)).means("T"));
  e.push_back(choice<ScheduleKind>("diffusion.schedule.kind", MEMBER(schedule_kind),
                                   fixed(ScheduleKind::Linear))
                  .means("`linear`: h_t from `start` to `end`; `quadratic`: h_t = end t^2 / T^2 "
                         "(scale t^2 keyed by h_T = end); `list`: h_t = values[t-1] "
                         "(model.md section 3)"));
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
  e.push_back(quadratic_end_key()
                  .of_kind("quadratic")
                  .required("a number >= 0: h_T")
                  .means("h_T; h_t = end t^2 / T^2 (a warning above 2 pi)"));
  e.push_back(schedule_values_key()
                  .of_kind("list")
                  .required("an array of diffusion.steps numbers >= 0")
                  .checked(check_schedule_length)
                  .means("h_1..h_T, exactly `diffusion.steps` of them"));
}

// Where the backward chain starts (docs/model.md, section 5).
void prior_keys(std::vector<Entry>& e) {
  const ClusterParams cluster;
  e.push_back(choice<PriorKind>("prior.kind", MEMBER(run.prior), [](const C& c) {
                return preset(c).prior;
              }).means("the backward chain's input S~_T (model.md section 5)"));
  e.push_back(number("prior.scale", MEMBER(run.prior_cluster.scale), Bound::kNonNegative,
                     fixed(cluster.scale))
                  .of_kind("cluster")
                  .means("the expected norm of the noise vector"));
}

// The circuit and its initial parameters (docs/model.md, sections 4 and 5).
void circuit_keys(std::vector<Entry>& e) {
  const TrainingSettings& shared = shared_defaults();
  e.push_back(integer("circuit.layers", MEMBER(run.layers), 1,
                      [](const C& c) { return default_layers(c.run.n_data, c.run.n_ancilla); })
                  .default_shown_as("2 (n + na)")
                  .means("L"));
  e.push_back(choice<InitKind>("circuit.init.kind", MEMBER(run.init),
                               [](const C& c) { return preset(c).init; })
                  .checked([](const Ctx& ctx, const C& c) {
                    if (!is_qgan(c) || c.run.init == InitKind::Normal) return;
                    ctx.fail_at("circuit.init.kind",
                                "'circuit.init.kind' must be \"normal\" for model \"qgan\" "
                                "(both players start ~ N(0, std^2)), found \"uniform\"");
                  })
                  .means("how each cycle's parameters start (qgan: both players', `normal` "
                         "only)"));
  e.push_back(
      number("circuit.init.std", MEMBER(run.init_std), Bound::kPositive, fixed(shared.init_std))
          .of_kind("normal")
          .means("theta ~ N(0, std^2)"));
  e.push_back(number("circuit.init.c", MEMBER(run.init_c), Bound::kPositive, fixed(shared.init_c))
                  .of_kind("uniform")
                  .means("the data qubits' angles ~ U[-c/L, c/L]"));
  e.push_back(number("circuit.init.ancilla_c", MEMBER(run.init_ancilla_c), Bound::kPositive,
                     [](const C& c) { return c.run.init_c; })
                  .of_kind("uniform")
                  .default_shown_as("`c`")
                  .means("the ancillas' angles ~ U[-ancilla_c/L, ancilla_c/L]"));
  e.push_back(boolean("circuit.init.warm_start", MEMBER(run.warm_start), fixed(false))
                  .quddpm_only()
                  .means("every cycle after the first (t < T-1) starts from the previous cycle's "
                         "trained parameters, with a fresh Adam state; the init above draws the "
                         "first cycle only"));
}

// What each epoch minimizes (docs/model.md, section 5).
void loss_keys(std::vector<Entry>& e) {
  const LossSettings shared;
  e.push_back(choice<LossKind>("loss.kind", MEMBER(run.loss.kind), fixed(shared.kind))
                  .means("the loss to the targets: MMD, the exact Wasserstein (optimal "
                         "transport) cost W, or its entropic version OT_eps (model.md "
                         "section 5)"));
  e.push_back(
      number("loss.epsilon", MEMBER(run.loss.epsilon), Bound::kPositive, fixed(shared.epsilon))
          .of_kind("sinkhorn")
          .means("the entropic regularization eps of OT_eps"));
}

// Training, and checkpoints (operational: outside the run id).
void training_keys(std::vector<Entry>& e) {
  const TrainingSettings& shared = shared_defaults();
  // The trainer's own limit (model/limits.hpp): an epoch's loss compares at least two states.
  e.push_back(integer("training.samples", MEMBER(run.samples), kMinSamples, fixed(shared.samples))
                  .means("N, at most `diffusion_size`: states per epoch"));
  e.push_back(integer("training.diffusion_size", MEMBER(run.diffusion_size), kMinSamples,
                      fixed(shared.diffusion_size))
                  .checked([](const Ctx& ctx, const C& c) {
                    // Each epoch draws `samples` targets without replacement from S_t.
                    if (c.run.samples <= c.run.diffusion_size) return;
                    ctx.fail_at("training.samples", "'training.samples' (" +
                                                        std::to_string(c.run.samples) +
                                                        ") must be <= 'training.diffusion_size' (" +
                                                        std::to_string(c.run.diffusion_size) + ")");
                  })
                  .means("states of each forward ensemble S_t (a warning above 5,000: O(N^2) "
                         "metrics)"));
  e.push_back(integer("training.epochs", MEMBER(run.epochs), 1, fixed(shared.epochs))
                  .quddpm_only()
                  .means("epochs per cycle"));
  e.push_back(number("training.learning_rate", MEMBER(run.learning_rate), Bound::kPositive,
                     fixed(shared.learning_rate))
                  .means("the optimizer's step size before any decay (a warning above 1)"));
  e.push_back(
      choice<OptimizerKind>("training.optimizer", MEMBER(run.optimizer), fixed(shared.optimizer))
          .means("every cycle's optimizer: Adam (beta1 0.9, beta2 0.999, eps 1e-8) or SGD with "
                 "momentum as PyTorch's (v = momentum v + g; theta -= lr v), model.md section 5"));
  e.push_back(
      number("training.momentum", MEMBER(run.momentum), Bound::kNonNegative, fixed(shared.momentum))
          .when("'training.optimizer' is \"sgd\"", is_sgd)
          .checked([](const Ctx& ctx, const C& c) {
            if (c.run.momentum < 1) return;
            ctx.fail_at("training.momentum", "'training.momentum' must be below 1, found " +
                                                 detail::describe(json(c.run.momentum)));
          })
          .means("SGD's momentum mu, below 1"));
  e.push_back(
      integer("training.decay_every", MEMBER(run.decay_every), 1, fixed(shared.decay_every))
          .means("epochs per step of the staircase decay: epoch k of a cycle (from 0) steps with "
                 "learning_rate * decay_factor^floor(k / decay_every)"));
  e.push_back(number("training.decay_factor", MEMBER(run.decay_factor), Bound::kPositive,
                     fixed(shared.decay_factor))
                  .means("the staircase decay's factor (1: no decay)"));
  e.push_back(
      choice<TrainingInput>("training.input", MEMBER(run.input), fixed(TrainingInput::Chain))
          .quddpm_only()
          .means("what cycle t trains on: the backward chain's outputs S~_{t+1}, or "
                 "(teacher forcing) N states of the forward S_{t+1} drawn each epoch; "
                 "the recorded chain is the backward chain either way"));
  e.push_back(
      choice<OutcomeRule>("training.outcomes", MEMBER(run.outcomes), fixed(OutcomeRule::Sampled))
          .quddpm_only()
          .means("how the ancilla measurement picks each state's outcome: `sampled`, by the "
                 "Born rule with fresh randomness at every epoch, cycle and chain; `quenched`, "
                 "by the Gumbel-max rule with noise frozen per state index for the whole run, as "
                 "the original QuDDPM code's published results were made (docs/model.md, "
                 "section 4)"));
  e.push_back(number("checkpoint.every_seconds", MEMBER(checkpoint_every_seconds),
                     Bound::kNonNegative, fixed(kDefaultCheckpointSeconds))
                  .quddpm_only()
                  .means("seconds between checkpoints inside a cycle; 0: after cycles only. Not "
                         "part of the run id; may change on `--resume`"));
}

// What a finished run measures and keeps besides its traces (docs/model.md, section 7).
void observable_keys(std::vector<Entry>& e) {
  e.push_back(observables_key().means(
      "each {\"kind\": ...} measured on the forward, backward and test chains at every t "
      "(`observables.csv`, `histograms.csv`): `basis_fidelity` with `bits` (such as \"0101\", "
      "qubit 0 first), `pauli` with `string` (such as \"Y0\" or \"Z0Z1\": its expectation and the "
      "expectation's square) or "
      "`magnetization`; each may set `bins` (integer >= 1, default 10) of its histograms "
      "(model.md section 7). Not part of the run id while empty"));
  e.push_back(boolean("save_ensembles", MEMBER(save_ensembles), fixed(false))
                  .means("also keep S~_t and the test chain's states for every t as "
                         "`ensembles/backward_t<t>.npy` and `ensembles/test_t<t>.npy`. Not part "
                         "of the run id while false"));
}

// The QGAN baseline's own keys (docs/model.md, section 10; official defaults).
void qgan_keys(std::vector<Entry>& e) {
  const QganSettings official;
  e.push_back(integer("qgan.discriminator_layers", MEMBER(qgan.discriminator_layers), 1,
                      fixed(official.discriminator_layers))
                  .when(kQgan, is_qgan)
                  .means("Lc: the discriminator's HEA layers on the n data qubits (the generator "
                         "is the `circuit` on n + na qubits)"));
  e.push_back(integer("qgan.cycles", MEMBER(qgan.cycles), 1, fixed(official.cycles))
                  .when(kQgan, is_qgan)
                  .means("rounds of the game: each trains the discriminator, then the generator"));
  e.push_back(integer("qgan.discriminator_epochs", MEMBER(qgan.discriminator_epochs), 1,
                      fixed(official.discriminator_epochs))
                  .when(kQgan, is_qgan)
                  .means("the discriminator's epochs per cycle (each on `samples` real states "
                         "drawn from the `diffusion_size` data states)"));
  e.push_back(integer("qgan.generator_epochs", MEMBER(qgan.generator_epochs), 1,
                      fixed(official.generator_epochs))
                  .when(kQgan, is_qgan)
                  .means("the generator's epochs per cycle"));
}

#undef MEMBER

// The keys of a section or function that only the two QuDDPMs read.
void quddpm_only(std::vector<Entry>& e, void (*add)(std::vector<Entry>&)) {
  const std::size_t from = e.size();
  add(e);
  for (std::size_t i = from; i < e.size(); ++i)
    e[i].k.quddpm_only = true;
}

std::vector<Key> build() {
  std::vector<Entry> e;
  run_keys(e);
  qubit_keys(e);
  target_keys(e);
  quddpm_only(e, diffusion_keys);
  quddpm_only(e, prior_keys);
  circuit_keys(e);
  quddpm_only(e, loss_keys);
  training_keys(e);
  quddpm_only(e, observable_keys);
  qgan_keys(e);
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
