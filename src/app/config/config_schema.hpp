// The config schema: one entry per key, in the order keys are read (a default may depend on
// keys before it). Each entry knows how to read its key into an ExperimentConfig, how to write
// it back, when it exists, and what the reference says about it (docs/config.md).
#pragma once

#include <functional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "app/config/config.hpp"
#include "app/config/config_detail.hpp"

namespace quddpm::config::schema {

using detail::Ctx;
using nlohmann::json;

struct Key {
  std::string path;  // "target.theta_min"
  // For a key of a kind-tagged object: the kind it belongs to ("" for every kind).
  std::string kind;
  // For a "kind" key (and other named choices): the names it accepts.
  std::vector<std::string> choices;

  // Not empty: the key is required (when its kind applies), and this says what it holds.
  std::string required;
  // Reads the key into c; v is null when the key is absent (its default).
  std::function<void(const Ctx&, const json* v, ExperimentConfig& c)> read;
  // Its value in the resolved config; null when it has none (no calibrated end yet).
  std::function<json(const ExperimentConfig&)> write;
  // Besides its kind, when the key exists (null: always); the message names `only_when`.
  std::function<bool(const ExperimentConfig&)> applies;
  std::string only_when;
  // Read by the two QuDDPMs only: refused when given for model qgan, and absent from its
  // resolved config.
  bool quddpm_only = false;
  // Relations to keys read before it (theta_min <= theta_max, samples <= diffusion_size, ...).
  std::function<void(const Ctx&, const ExperimentConfig&)> check;

  // The reference's columns: type, default and range as the code has them, and the meaning.
  std::string type_doc, default_doc, range_doc, meaning;
};

// Every key, in reading order.
const std::vector<Key>& keys();

// "a.b.c" -> "a.b"; "a" -> "".
std::string parent_of(const std::string& path);
// "a.b.c" -> "c".
std::string leaf_of(const std::string& path);

struct KindKeys {
  std::string kind;
  std::vector<std::string> keys;  // besides "kind"
};
// The kinds of the kind-tagged object at `path` ("target", "circuit.init", ...) with each
// kind's keys; empty for any other path.
std::vector<KindKeys> kinds_at(const std::string& path);

}  // namespace quddpm::config::schema
