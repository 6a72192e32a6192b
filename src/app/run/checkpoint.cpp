#include "app/run/checkpoint.hpp"

#include <fcntl.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <nlohmann/json.hpp>
#include <set>
#include <stdexcept>
#include <vector>

#include "app/config/config.hpp"
#include "app/formats/folder.hpp"
#include "app/formats/npy.hpp"
#include "app/formats/sha256.hpp"
#include "app/run/run_directory.hpp"

namespace fs = std::filesystem;
using nlohmann::json;

namespace quddpm::app {

namespace {

constexpr const char* kFormat = "quddpm-checkpoint-2";
// Checkpoints of earlier versions: no run id, no checksums; resumed with a warning.
constexpr const char* kFormatUnverified = "quddpm-checkpoint-1";

// Progress rows in progress.*.npy.
enum ProgressRow { kTheta = 0, kAdamM = 1, kAdamV = 2, kProgressRows = 3 };

const char* const kTraces[] = {"diffusion.csv", "epochs.csv", "layers.csv", "cycles.csv"};

std::string tag_of(const TrainingState& s) {
  if (s.next_t < 0) return "done";
  std::string tag = "t" + std::to_string(s.next_t);
  if (s.progress) tag += "e" + std::to_string(s.progress->epochs_done);
  return tag;
}

// One checkpoint refused: the one before it may still do.
struct Refused : std::runtime_error {
  using std::runtime_error::runtime_error;
};

[[noreturn]] void bad(const fs::path& file, const std::string& what) {
  throw Refused(file.string() + ": " + what);
}

// The whole text of a regular file of `dir`, opened relative to the folder's descriptor without
// following a link.
std::string read_text(const Folder& dir, const std::string& name) {
  std::string why;
  const Descriptor fd = dir.open_regular(name, O_RDONLY, Links::kRefuse, why);
  if (!fd) bad(dir.shown(name), why.rfind("is a ", 0) == 0 ? why : "cannot read (" + why + ")");
  std::string text;
  char buf[1 << 16];
  for (;;) {
    const ssize_t n = ::read(fd.get(), buf, sizeof buf);
    if (n < 0) bad(dir.shown(name), std::string("cannot read (") + std::strerror(errno) + ")");
    if (n == 0) break;
    text.append(buf, static_cast<std::size_t>(n));
  }
  return text;
}

// The digest state.json carries of itself: of its text without the "checksum" key.
std::string checksum_of(json j) {
  j.erase("checksum");
  return sha256_hex(j.dump());
}

// Deeper than this, a state file is refused while it is parsed: copying and dumping a JSON
// value recurse once per level, and a real one nests three levels.
constexpr int kMaxDepth = 16;

json parse_state(const std::string& text, const fs::path& state_file) {
  return json::parse(text, [&](int depth, json::parse_event_t, json&) {
    if (depth > kMaxDepth)
      bad(state_file,
          "malformed checkpoint (nested deeper than " + std::to_string(kMaxDepth) + " levels)");
    return true;
  });
}

// A string of the state file as a one-line message shows it: as it is when it is printable
// ASCII, else quoted and escaped.
std::string shown(const std::string& s) {
  if (std::all_of(s.begin(), s.end(), [](char c) { return c >= 0x20 && c < 0x7f; })) return s;
  return json(s).dump(-1, ' ', false, json::error_handler_t::replace);
}

// An integer of the state file, exactly: nlohmann's get<int>() would truncate 1.5, wrap
// 4294967297, and is undefined for a float beyond the type's range.
long long integer_at(const json& obj, const char* key, const fs::path& state_file) {
  const json& v = obj.at(key);
  if (!v.is_number_integer() ||
      (v.is_number_unsigned() && v.get<std::uint64_t>() > static_cast<std::uint64_t>(LLONG_MAX)))
    bad(state_file, std::string("malformed checkpoint ('") + key + "' must be an integer, found " +
                        (v.is_number() ? v.dump() : std::string(v.type_name())) + ")");
  return v.get<long long>();
}

// The digest a table of the state file ("sha256" or "traces") records for `name`; "" (which no
// digest matches) when it records none or something other than a string.
std::string recorded_digest(const json& table, const std::string& name) {
  const auto it = table.find(name);
  return it != table.end() && it->is_string() ? it->get<std::string>() : "";
}

// A file the checkpoint's state.json names: a plain name inside the checkpoint directory.
std::string file_in(const fs::path& state_file, const json& name) {
  const auto control = [](char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7f; };
  if (!name.is_string() || name.get<std::string>().empty() ||
      fs::path(name.get<std::string>()).has_parent_path() || name == "." || name == ".." ||
      std::any_of(name.get_ref<const std::string&>().begin(),
                  name.get_ref<const std::string&>().end(), control))
    bad(state_file, "expected a file name in the checkpoint directory, found " + name.dump());
  return name.get<std::string>();
}

// The names of the files a state file holds (for keeping them); none when it is unreadable.
std::set<std::string> files_named(const json& j) {
  std::set<std::string> names;
  for (const char* key : {"params", "current"})
    if (j.contains(key) && j[key].is_string()) names.insert(j[key].get<std::string>());
  if (j.contains("progress") && j["progress"].is_object() && j["progress"].contains("file") &&
      j["progress"]["file"].is_string())
    names.insert(j["progress"]["file"].get<std::string>());
  return names;
}

// Fields of one CSV row (its trailing newline removed).
std::vector<std::string> fields_of(std::string row) {
  if (!row.empty() && row.back() == '\n') row.pop_back();
  std::vector<std::string> out;
  std::size_t start = 0;
  for (std::size_t comma; (comma = row.find(',', start)) != std::string::npos; start = comma + 1)
    out.push_back(row.substr(start, comma - start));
  out.push_back(row.substr(start));
  return out;
}

// A trace's header and first `rows` rows: their digest and the last row ("" without rows).
struct TracePrefix {
  std::string sha256;
  std::vector<std::string> last_row;
};

TracePrefix read_trace_prefix(const Folder& staging, const std::string& name, long long rows,
                              const fs::path& state_file) {
  const std::string text = read_text(staging, name);
  const fs::path file = staging.shown(name);
  std::size_t end = 0, last_start = 0;
  for (long long line = 0; line <= rows; ++line) {
    const std::size_t nl = text.find('\n', end);
    if (nl == std::string::npos)
      bad(file, "the checkpoint (" + state_file.string() + ") counts " + std::to_string(rows) +
                    " rows, the file holds only " + std::to_string(std::max(0LL, line - 1)));
    last_start = end;
    end = nl + 1;
  }
  TracePrefix p;
  p.sha256 = sha256_hex(text.substr(0, end));
  if (rows > 0) p.last_row = fields_of(text.substr(last_start, end - last_start));
  return p;
}

// A cycle part-way through its epochs: the counters in state.json, theta and Adam's moments
// in their own file.
CycleProgress read_progress(const json& p, const Folder& dir, const fs::path& state_file,
                            int next_t, const TrainingSettings& s, const json& digests,
                            bool verified) {
  CycleProgress progress;
  std::string progress_name;
  long long epochs_done = 0, adam_step = 0;
  try {
    progress_name = file_in(state_file, p.at("file"));
    epochs_done = integer_at(p, "epochs_done", state_file);
    adam_step = integer_at(p, "adam_step", state_file);
    progress.norm_sum = p.at("norm_sum").get<double>();
    progress.last_loss =
        p.at("last_loss").is_null() ? std::nan("") : p.at("last_loss").get<double>();
  } catch (const json::exception& e) {
    bad(state_file, std::string("malformed checkpoint progress (") + e.what() + ")");
  }
  if (next_t < 0 || epochs_done < 1 || epochs_done >= s.epochs || adam_step != epochs_done)
    bad(state_file, "'progress' does not describe a cycle part-way through its epochs");
  progress.epochs_done = progress.adam.step = static_cast<int>(epochs_done);
  if (!std::isfinite(progress.norm_sum) || !std::isfinite(progress.last_loss))
    bad(state_file, "'progress' holds a non-finite gradient-norm sum or loss");
  const fs::path progress_file = dir.shown(progress_name);
  if (verified && recorded_digest(digests, p.at("file").get<std::string>()) !=
                      sha256_hex(read_text(dir, progress_name)))
    bad(progress_file, "its SHA-256 differs from the one " + state_file.string() +
                           " recorded: the file was changed or damaged after the checkpoint");
  RealMatrix m;
  try {
    m = npy::read_reals(dir, progress_name);
  } catch (const std::exception& e) {
    throw Refused(e.what());
  }
  if (m.rows() != kProgressRows || m.cols() != s.num_params())
    bad(progress_file, "expected " + std::to_string(int{kProgressRows}) + " x " +
                           std::to_string(s.num_params()) + " values (theta, Adam m, Adam v)");
  progress.theta = m.row(kTheta).transpose();
  progress.adam.m = m.row(kAdamM).transpose();
  progress.adam.v = m.row(kAdamV).transpose();
  return progress;
}

// The trace rows a state of training accounts for: the forward chain, the prior's cycle row
// and one per finished cycle, every epoch so far, L layer rows per epoch.
TraceRows expected_rows(const TrainingSettings& s, int next_t, int epochs_done) {
  const long long steps = s.steps();
  const long long epochs = (steps - 1 - next_t) * s.epochs + epochs_done;
  return {steps + 1, epochs, steps - next_t, epochs * s.layers};
}

// One state file, checked in full against the run and the traces.
Checkpoint verify(const Folder& staging, const Folder& dir, const std::string& state_name,
                  const TrainingSettings& s, const std::string& run_id) {
  const fs::path state_file = dir.shown(state_name);
  Checkpoint c;
  c.file = state_file.string();
  json j;
  try {
    j = parse_state(read_text(dir, state_name), state_file);
  } catch (const json::exception& e) {
    bad(state_file, std::string("malformed checkpoint (") + e.what() + ")");
  }
  if (!j.is_object()) bad(state_file, "malformed checkpoint (not a JSON object)");
  const auto format_key = j.find("format");
  const std::string format = format_key != j.end() && format_key->is_string()
                                 ? format_key->get<std::string>()
                                 : std::string();
  const bool verified = format == kFormat;
  if (!verified && format != kFormatUnverified)
    bad(state_file, std::string("expected 'format': ") + kFormat);
  long long layer_rows = -1;
  json digests = json::object(), traces = json::object();
  try {
    if (verified) {
      if (j.at("checksum").get<std::string>() != checksum_of(j))
        bad(state_file, "its checksum does not match its contents: the file was changed or " +
                            std::string("damaged after quddpm wrote it"));
      const std::string recorded = j.at("run_id").get<std::string>();
      if (recorded != run_id)
        bad(state_file, "holds a checkpoint of run " + shown(recorded) +
                            ", but this run's config gives run id " + run_id +
                            " (was config.json edited, or the checkpoint copied from another " +
                            "run?)");
      digests = j.at("sha256");
      traces = j.at("traces");
      if (!digests.is_object() || !traces.is_object())
        bad(state_file, "malformed checkpoint ('sha256' and 'traces' must be objects)");
      layer_rows = integer_at(j.at("rows"), "layers.csv", state_file);
    }
    // Checkpoints from before the precision key were all double.
    const std::string precision = j.value("precision", "double");
    if (precision != config::name_of(s.precision))
      bad(state_file, "the checkpoint holds a " + shown(precision) +
                          "-precision run, this run is " + config::name_of(s.precision) +
                          "-precision: resume it with precision = " + shown(precision));
    const long long next_t = integer_at(j, "next_t", state_file);
    if (next_t < -1 || next_t >= s.steps())
      bad(state_file, "'next_t' = " + std::to_string(next_t) + " is outside -1.." +
                          std::to_string(s.steps() - 1));
    c.state.next_t = static_cast<int>(next_t);
    const json& rows = j.at("rows");
    c.rows = {integer_at(rows, "diffusion.csv", state_file),
              integer_at(rows, "epochs.csv", state_file),
              integer_at(rows, "cycles.csv", state_file)};
    c.rows.layers = c.rows.epochs * s.layers;  // L layer rows per epoch row
  } catch (const json::exception& e) {
    bad(state_file, std::string("malformed checkpoint (") + e.what() + ")");
  }

  // Every file it names, by its digest first, then by its contents.
  auto named = [&](const char* key) {
    const std::string f = file_in(state_file, j[key]);
    if (verified && recorded_digest(digests, f) != sha256_hex(read_text(dir, f)))
      bad(dir.shown(f), "its SHA-256 differs from the one " + state_file.string() +
                            " recorded: the file was changed or damaged after the checkpoint");
    return f;
  };
  const std::string params_name = named("params"), current_name = named("current");
  const fs::path params_file = dir.shown(params_name), current_file = dir.shown(current_name);
  try {
    c.state.params = npy::read_reals(dir, params_name);
    c.state.current = npy::read_states(dir, current_name);
  } catch (const Refused&) {
    throw;
  } catch (const std::exception& e) {
    throw Refused(e.what());
  }
  if (c.state.params.rows() != s.steps() || c.state.params.cols() != s.num_params())
    bad(params_file, "expected " + std::to_string(s.steps()) + " x " +
                         std::to_string(s.num_params()) + " parameters for this config");
  if (!c.state.params.topRows(c.state.next_t + 1).isZero(0))
    bad(params_file, "rows of cycles not trained yet (t <= next_t = " +
                         std::to_string(c.state.next_t) + ") are not zero");
  if (c.state.current.rows() != s.samples ||
      c.state.current.cols() != static_cast<Eigen::Index>(dim_of(s.n_data)))
    bad(current_file, "expected " + std::to_string(s.samples) + " states of " +
                          std::to_string(s.n_data) + " qubits for this config");
  if (j.contains("progress"))
    c.state.progress =
        read_progress(j["progress"], dir, state_file, c.state.next_t, s, digests, verified);

  // The counters against each other...
  const int done = c.state.progress ? c.state.progress->epochs_done : 0;
  const TraceRows want = expected_rows(s, c.state.next_t, done);
  const std::string at = " (next_t = " + std::to_string(c.state.next_t) +
                         ", epochs done in that cycle = " + std::to_string(done) + ")";
  auto count = [&](const char* trace, long long have, long long expect) {
    if (have != expect)
      bad(state_file, "counts " + std::to_string(have) + " rows of " + trace + ", but its state" +
                          at + " means " + std::to_string(expect));
  };
  count("diffusion.csv", c.rows.diffusion, want.diffusion);
  count("epochs.csv", c.rows.epochs, want.epochs);
  count("cycles.csv", c.rows.cycles, want.cycles);
  if (verified) count("layers.csv", layer_rows, want.layers);

  // ...and against the traces: their committed prefixes unchanged, ending where the state is.
  const long long trace_rows[] = {c.rows.diffusion, c.rows.epochs, c.rows.layers, c.rows.cycles};
  for (int k = 0; k < 4; ++k) {
    const fs::path trace = staging.shown(kTraces[k]);
    const TracePrefix p = read_trace_prefix(staging, kTraces[k], trace_rows[k], state_file);
    if (verified && recorded_digest(traces, kTraces[k]) != p.sha256)
      bad(trace, "its first " + std::to_string(trace_rows[k]) + " rows differ from those " +
                     state_file.string() + " recorded: the trace was changed after the checkpoint");
    if (!p.last_row.empty() && (p.last_row.size() < 7 || p.last_row[1] != run_id))
      bad(trace, "its last committed row belongs to run " +
                     (p.last_row.size() > 1 ? p.last_row[1] : std::string("?")) +
                     ", not to this run (" + run_id + ")");
    const std::string last_t = p.last_row.size() > 5 ? p.last_row[5] : "";
    if (std::string(kTraces[k]) == "cycles.csv" && last_t != std::to_string(c.state.next_t + 1))
      bad(trace, "its last committed row is of cycle t=" + last_t + ", but " + state_file.string() +
                     " continues before cycle t=" + std::to_string(c.state.next_t));
    if (std::string(kTraces[k]) == "epochs.csv" && c.rows.epochs > 0) {
      const int t = done > 0 ? c.state.next_t : c.state.next_t + 1;
      const int epoch = done > 0 ? done - 1 : s.epochs - 1;
      if (last_t != std::to_string(t) || p.last_row[6] != std::to_string(epoch))
        bad(trace, "its last committed row is cycle t=" + last_t + ", epoch " + p.last_row[6] +
                       ", but " + state_file.string() + " says cycle t=" + std::to_string(t) +
                       ", epoch " + std::to_string(epoch));
    }
  }
  if (!verified)
    spdlog::warn(
        "warning: {}: written by an earlier quddpm, without checksums or run id: its "
        "counters agree with the traces, but its contents cannot be verified",
        state_file.string());
  return c;
}

}  // namespace

void write_checkpoint(const Folder& staging, const TrainingState& state, Precision precision,
                      const std::string& run_id, const TraceMarks& traces) {
  // Never a link: its files would be written and deleted through it.
  const Folder dir = staging.child(kCheckpointDir, true);
  const std::string tag = tag_of(state);
  json j = {{"format", kFormat},
            {"run_id", run_id},
            {"precision", config::name_of(precision)},
            {"next_t", state.next_t},
            {"params", "params." + tag + ".npy"},
            {"current", "current." + tag + ".npy"},
            {"rows",
             {{"diffusion.csv", traces.diffusion.rows},
              {"epochs.csv", traces.epochs.rows},
              {"layers.csv", traces.layers.rows},
              {"cycles.csv", traces.cycles.rows}}},
            {"traces",
             {{"diffusion.csv", traces.diffusion.sha256},
              {"epochs.csv", traces.epochs.sha256},
              {"layers.csv", traces.layers.sha256},
              {"cycles.csv", traces.cycles.sha256}}}};
  const auto digest = [&](const std::string& name) {
    j["sha256"][name] = sha256_hex(read_text(dir, name));
  };
  npy::write_reals(dir, j["params"].get<std::string>(), state.params);
  npy::write_states(dir, j["current"].get<std::string>(), state.current);
  digest(j["params"]);
  digest(j["current"]);
  if (const auto& p = state.progress) {
    RealMatrix m(kProgressRows, p->theta.size());
    m.row(kTheta) = p->theta.transpose();
    m.row(kAdamM) = p->adam.m.transpose();
    m.row(kAdamV) = p->adam.v.transpose();
    const std::string file = "progress." + tag + ".npy";
    npy::write_reals(dir, file, m);
    digest(file);
    // nlohmann writes doubles in their shortest round-trip form, so these come back exact.
    j["progress"] = {{"file", file},
                     {"epochs_done", p->epochs_done},
                     {"adam_step", p->adam.step},
                     {"norm_sum", p->norm_sum},
                     {"last_loss", p->last_loss}};
  }
  j["checksum"] = checksum_of(j);

  // The newest checkpoint becomes the previous one (its files kept) before it is replaced, so
  // that at every moment state.json is a complete checkpoint and state.prev.json an older one.
  std::set<std::string> keep = files_named(j);
  keep.insert({kStateFile, kPreviousStateFile});
  const auto newest = dir.status(kStateFile);
  if (newest && S_ISREG(newest->st_mode)) {
    const std::string old = read_text(dir, kStateFile);
    dir.write_atomically(kPreviousStateFile, old);
    try {
      for (const auto& name : files_named(json::parse(old)))
        keep.insert(name);
    } catch (const json::exception&) {
      // A damaged newest checkpoint names nothing worth keeping.
    }
  }
  dir.write_atomically(kStateFile, j.dump(2) + "\n");
  dir.sync();

  // Files of older checkpoints (and temporaries of killed writes): only quddpm's own names,
  // only regular files; anything else in the folder is left alone.
  for (const std::string& name : dir.entries()) {
    const bool ours = (name.rfind("params.", 0) == 0 || name.rfind("current.", 0) == 0 ||
                       name.rfind("progress.", 0) == 0 || name.rfind("state.", 0) == 0) &&
                      (name.size() > 4 && (name.compare(name.size() - 4, 4, ".npy") == 0 ||
                                           name.find(".tmp.") != std::string::npos));
    const auto st = ours && !keep.count(name) ? dir.status(name) : std::nullopt;
    if (st && S_ISREG(st->st_mode)) dir.remove(name);
  }
}

Checkpoint read_checkpoint(const Folder& staging, const TrainingSettings& s,
                           const std::string& run_id) {
  const Folder dir = staging.child(kCheckpointDir, false);
  try {
    return verify(staging, dir, kStateFile, s, run_id);
  } catch (const Refused& newest) {
    const std::string previous = dir.shown(kPreviousStateFile);
    if (!dir.has(kPreviousStateFile)) throw std::runtime_error(newest.what());
    Checkpoint c;
    try {
      c = verify(staging, dir, kPreviousStateFile, s, run_id);
    } catch (const Refused& older) {
      throw std::runtime_error(std::string(newest.what()) + "; the previous checkpoint is " +
                               "refused too (" + older.what() + "); nothing was changed");
    }
    spdlog::warn("warning: {}; resuming from the previous checkpoint, {}", newest.what(), previous);
    return c;
  }
}

void write_checkpoint(const fs::path& staging, const TrainingState& state, Precision precision,
                      const std::string& run_id, const TraceMarks& traces) {
  write_checkpoint(Folder::open(staging, Links::kRefuse), state, precision, run_id, traces);
}

Checkpoint read_checkpoint(const fs::path& staging, const TrainingSettings& s,
                           const std::string& run_id) {
  return read_checkpoint(Folder::open(staging, Links::kRefuse), s, run_id);
}

}  // namespace quddpm::app
