// libFuzzer target: the checkpoint reader, read_checkpoint(). The input is a staging folder
// packed into one file; the reader must either return a checkpoint of this run's shape, or
// refuse with a std::runtime_error whose message is one line naming a file in the folder. The
// folder must be left exactly as it was. Any other exception, crash or sanitizer report is a
// finding.
//
// Input format (fuzz/make_checkpoint_corpus.sh writes it from a real interrupted run):
//
//   [options]=#=#=NAME\nCONTENT=#=#=NAME\nCONTENT...
//
// Each "=#=#=" starts an entry; its name runs to the end of that line and its content, byte
// for byte, to the next "=#=#=" or the end of the input. NAME is F or checkpoint/F, with F a
// plain file name ([A-Za-z0-9._-], at most 64 bytes, not "." or ".."), followed by nothing (a
// regular file holding CONTENT), "/" (a folder), "|" (a FIFO) or " -> G" (a symbolic link to
// the plain name G, which may be ".."). Entries with other names are ignored; the first one to
// create a path wins. Options are the words before the first entry: "fix" rewrites the SHA-256
// digests of each quddpm-checkpoint-2 state file (checkpoint/state.json, state.prev.json) to
// match the files it names and the trace prefixes it counts, then its own checksum, so that
// mutations get past the digests to the checks behind them.
#include <sys/stat.h>
#include <unistd.h>

#include <cctype>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <spdlog/spdlog.h>

#include "app/formats/sha256.hpp"
#include "app/run/checkpoint.hpp"

namespace {

namespace fs = std::filesystem;
using nlohmann::json;

// The run of the seed corpus (fuzz/make_checkpoint_corpus.sh checks that they agree).
constexpr const char* kRunId = "316924649d1a";
constexpr int kLayers = 2, kSteps = 3, kSamples = 4, kEpochs = 5;
constexpr std::string_view kMarker = "=#=#=";
constexpr std::size_t kMaxEntries = 64;
const char* const kTraces[] = {"diffusion.csv", "epochs.csv", "layers.csv", "cycles.csv"};

const quddpm::TrainingSettings& settings() {
  static const quddpm::TrainingSettings s = [] {
    quddpm::TrainingSettings t;
    t.n_data = 1;
    t.n_ancilla = 1;
    t.layers = kLayers;
    t.schedule = {0.5, 2.25, 4.0};
    t.samples = kSamples;
    t.diffusion_size = 8;
    t.epochs = kEpochs;
    t.seed = 7;
    t.precision = quddpm::Precision::Double;
    // The reader never draws states: sample_target stays empty, so no simulator is linked.
    return t;
  }();
  return s;
}

enum class Kind { File, Folder, Fifo, Link };

struct Entry {
  std::string path;  // F or checkpoint/F
  Kind kind = Kind::File;
  std::string content;  // File: the bytes; Link: the target
};

bool plain_name(std::string_view s, bool allow_dotdot) {
  if (s.empty() || s.size() > 64 || s == ".") return false;
  if (s == "..") return allow_dotdot;
  for (const char c : s)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '-'))
      return false;
  return true;
}

bool valid_path(std::string_view p) {
  if (p.rfind("checkpoint/", 0) == 0) p.remove_prefix(std::strlen("checkpoint/"));
  return plain_name(p, false);
}

std::optional<Entry> entry_of(std::string_view header, std::string_view content) {
  Entry e;
  if (const auto arrow = header.find(" -> "); arrow != std::string_view::npos) {
    e.kind = Kind::Link;
    e.content = std::string(header.substr(arrow + 4));
    header = header.substr(0, arrow);
    if (!plain_name(e.content, true)) return std::nullopt;
  } else if (!header.empty() && (header.back() == '/' || header.back() == '|')) {
    e.kind = header.back() == '/' ? Kind::Folder : Kind::Fifo;
    header.remove_suffix(1);
  } else {
    e.content = std::string(content);
  }
  if (!valid_path(header)) return std::nullopt;
  e.path = std::string(header);
  return e;
}

// The options before the first entry, and the entries.
std::pair<std::string, std::vector<Entry>> unpack(std::string_view in) {
  std::vector<Entry> entries;
  std::size_t at = in.find(kMarker);
  const std::string options(in.substr(0, at));
  while (at != std::string_view::npos && entries.size() < kMaxEntries) {
    const std::size_t start = at + kMarker.size();
    const std::size_t next = in.find(kMarker, start);
    const std::string_view body =
        in.substr(start, next == std::string_view::npos ? in.npos : next - start);
    const std::size_t nl = body.find('\n');
    if (nl != std::string_view::npos)
      if (auto e = entry_of(body.substr(0, nl), body.substr(nl + 1))) entries.push_back(*e);
    at = next;
  }
  return {options, entries};
}

bool has_word(const std::string& text, const std::string& word) {
  std::size_t start = 0;
  while (start < text.size()) {
    const std::size_t end = std::min(text.find_first_of(" \t\r\n", start), text.size());
    if (text.compare(start, end - start, word) == 0) return true;
    start = end + 1;
  }
  return false;
}

const std::string* file_content(const std::vector<Entry>& entries, const std::string& path) {
  for (const Entry& e : entries)
    if (e.path == path) return e.kind == Kind::File ? &e.content : nullptr;
  return nullptr;
}

// The SHA-256 of a trace's header and first `rows` rows; none when it has fewer.
std::optional<std::string> prefix_digest(const std::string& text, long long rows) {
  std::size_t end = 0;
  for (long long line = 0; line <= rows; ++line) {
    const std::size_t nl = text.find('\n', end);
    if (nl == std::string::npos) return std::nullopt;
    end = nl + 1;
  }
  return quddpm::app::sha256_hex(text.substr(0, end));
}

// What a forger would do: digests and checksum made to match whatever the state file says.
void fix_digests(std::string& text, const std::vector<Entry>& entries) {
  // Not too deep for the recursive copies and dumps below (the reader refuses it anyway).
  struct TooDeep {};
  json j;
  try {
    j = json::parse(
        text,
        [](int depth, json::parse_event_t, json&) {
          if (depth > 32) throw TooDeep{};
          return true;
        },
        /*allow_exceptions=*/false);
  } catch (const TooDeep&) {
    return;
  }
  if (!j.is_object() || j.value("format", json()) != "quddpm-checkpoint-2") return;
  try {
    if (!j.contains("sha256") || j["sha256"].is_object()) {
      std::vector<json> names = {j.value("params", json()), j.value("current", json())};
      if (j.contains("progress") && j["progress"].is_object())
        names.push_back(j["progress"].value("file", json()));
      for (const json& name : names)
        if (name.is_string())
          if (const std::string* c = file_content(entries, "checkpoint/" + name.get<std::string>()))
            j["sha256"][name.get<std::string>()] = quddpm::app::sha256_hex(*c);
    }
    if ((!j.contains("traces") || j["traces"].is_object()) && j.contains("rows") &&
        j["rows"].is_object() && j["rows"].value("epochs.csv", json()).is_number_integer()) {
      const json& rows = j["rows"];
      for (const char* trace : kTraces) {
        const json& n =
            rows.value(trace == std::string("layers.csv") ? "epochs.csv" : trace, json());
        if (!n.is_number_integer() || n.get<std::int64_t>() < 0 || n.get<std::int64_t>() > 100000)
          continue;
        const long long count =
            n.get<std::int64_t>() * (trace == std::string("layers.csv") ? kLayers : 1);
        if (const std::string* c = file_content(entries, trace))
          if (const auto digest = prefix_digest(*c, count)) j["traces"][trace] = *digest;
      }
    }
    // The reader's checksum: of the state file's JSON without its "checksum" key.
    j.erase("checksum");
    const std::string checksum = quddpm::app::sha256_hex(j.dump());
    j["checksum"] = checksum;
    text = j.dump(2) + "\n";
  } catch (const json::exception&) {
    return;  // a value of an unexpected type: leave the file as it came
  }
}

// One folder per process, emptied before each input and removed at exit.
char g_root[] = "/dev/shm/quddpm_fuzz_checkpoint_XXXXXX";

void remove_root() {
  std::error_code ec;
  fs::remove_all(g_root, ec);
}

const fs::path& staging() {
  static const fs::path dir = [] {
    if (::mkdtemp(g_root) == nullptr) std::abort();
    std::atexit(remove_root);
    return fs::path(g_root) / "run.partial";
  }();
  return dir;
}

void write_entry(const fs::path& root, const Entry& e) {
  const fs::path path = root / e.path;
  std::error_code ec;
  if (e.path.rfind("checkpoint/", 0) == 0) fs::create_directory(root / "checkpoint", ec);
  if (fs::exists(fs::symlink_status(path, ec))) return;  // the first entry for a path wins
  switch (e.kind) {
    case Kind::File: {
      FILE* f = std::fopen(path.c_str(), "wbx");
      if (f == nullptr) return;
      if (std::fwrite(e.content.data(), 1, e.content.size(), f) != e.content.size()) std::abort();
      std::fclose(f);
      break;
    }
    case Kind::Folder:
      fs::create_directory(path, ec);
      break;
    case Kind::Fifo:
      ::mkfifo(path.c_str(), 0600);
      break;
    case Kind::Link:
      fs::create_symlink(e.content, path, ec);
      break;
  }
}

// Everything in the folder, links not followed: kind, and a regular file's bytes.
std::map<std::string, std::string> snapshot(const fs::path& root) {
  std::map<std::string, std::string> out;
  std::error_code ec;
  for (fs::recursive_directory_iterator it(root, ec), end; !ec && it != end; it.increment(ec)) {
    const fs::file_status st = it->symlink_status(ec);
    std::string& v = out[it->path().lexically_relative(root).string()];
    if (fs::is_symlink(st)) {
      v = "link " + fs::read_symlink(it->path(), ec).string();
    } else if (fs::is_regular_file(st)) {
      FILE* f = std::fopen(it->path().c_str(), "rb");
      if (f == nullptr) std::abort();
      char buf[4096];
      for (std::size_t n; (n = std::fread(buf, 1, sizeof buf, f)) > 0;)
        v.append(buf, n);
      std::fclose(f);
      v = "file " + v;
    } else {
      v = "other " + std::to_string(static_cast<int>(st.type()));
    }
  }
  if (ec) std::abort();
  return out;
}

void check(const quddpm::app::Checkpoint& c) {
  const quddpm::TrainingSettings& s = settings();
  const fs::path dir = staging() / "checkpoint";
  if (c.file != (dir / quddpm::app::kStateFile).string() &&
      c.file != (dir / quddpm::app::kPreviousStateFile).string())
    __builtin_trap();
  const quddpm::TrainingState& st = c.state;
  if (st.next_t < -1 || st.next_t >= kSteps) __builtin_trap();
  if (st.params.rows() != kSteps || st.params.cols() != s.num_params()) __builtin_trap();
  if (st.current.rows() != kSamples || st.current.cols() != 2) __builtin_trap();
  if (st.progress) {
    if (st.next_t < 0 || st.progress->epochs_done < 1 || st.progress->epochs_done >= kEpochs ||
        st.progress->theta.size() != s.num_params() ||
        st.progress->adam.m.size() != s.num_params() ||
        st.progress->adam.v.size() != s.num_params() ||
        st.progress->adam.step != st.progress->epochs_done)
      __builtin_trap();
  }
  const int done = st.progress ? st.progress->epochs_done : 0;
  const long long cycles_done = kSteps - 1 - st.next_t;
  if (c.rows.diffusion != kSteps + 1 || c.rows.cycles != cycles_done + 1 ||
      c.rows.epochs != cycles_done * kEpochs + done)
    __builtin_trap();

  // Its counters are the state file's, written as those integers: not a truncated fraction
  // nor a wrapped big number.
  std::string text;
  if (FILE* f = std::fopen(c.file.c_str(), "rb")) {
    char buf[4096];
    for (std::size_t n; (n = std::fread(buf, 1, sizeof buf, f)) > 0;)
      text.append(buf, n);
    std::fclose(f);
  }
  const json j = json::parse(text, nullptr, /*allow_exceptions=*/false);
  const auto says = [](const json& obj, const char* key, long long value) {
    if (!obj.is_object() || !obj.contains(key) || obj[key].dump() != std::to_string(value))
      __builtin_trap();
  };
  says(j, "next_t", st.next_t);
  const json& rows = j.is_object() ? j.value("rows", json()) : json();
  says(rows, "diffusion.csv", c.rows.diffusion);
  says(rows, "epochs.csv", c.rows.epochs);
  says(rows, "cycles.csv", c.rows.cycles);
  if (st.progress) {
    const json& p = j.is_object() ? j.value("progress", json()) : json();
    says(p, "epochs_done", st.progress->epochs_done);
    says(p, "adam_step", st.progress->adam.step);
  }
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  spdlog::set_level(spdlog::level::off);  // the warnings of a fallback, thousands a second
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const fs::path& root = staging();
  std::error_code ec;
  fs::remove_all(root, ec);
  if (ec || !fs::create_directory(root, ec)) std::abort();

  auto [options, entries] = unpack({reinterpret_cast<const char*>(data), size});
  if (has_word(options, "fix"))
    for (Entry& e : entries)
      if (e.kind == Kind::File &&
          (e.path == "checkpoint/state.json" || e.path == "checkpoint/state.prev.json"))
        fix_digests(e.content, entries);
  for (const Entry& e : entries)
    write_entry(root, e);

  const auto before = snapshot(root);
  // QUDDPM_FUZZ_VERBOSE=1: what became of each input (to check that the seeds are read).
  static const bool verbose = std::getenv("QUDDPM_FUZZ_VERBOSE") != nullptr;
  try {
    const quddpm::app::Checkpoint c = quddpm::app::read_checkpoint(root, settings(), kRunId);
    check(c);
    if (verbose) std::fprintf(stderr, "read %s\n", c.file.c_str());
  } catch (const std::runtime_error& e) {
    const std::string what = e.what();
    if (verbose) std::fprintf(stderr, "refused: %s\n", e.what());
    // One line, naming a file of the folder.
    if (what.find('\n') != std::string::npos) __builtin_trap();
    if (what.rfind(root.string() + "/", 0) != 0) __builtin_trap();
  }
  // Anything else thrown (a json::exception, std::bad_alloc, ...) escapes: libFuzzer reports
  // it as a crash (an uncaught exception aborts).
  if (snapshot(root) != before) __builtin_trap();  // reading changes nothing
  return 0;
}
