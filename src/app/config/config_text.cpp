#include <algorithm>
#include <cctype>
#include <climits>
#include <cmath>
#include <cstdio>
#include <set>

#include "app/config/config_detail.hpp"
#include "app/config/config_schema.hpp"

namespace quddpm::config::detail {
namespace {

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

}  // namespace

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
std::string one_line(const std::string& text) {
  std::string out;
  for (const char ch : text) {
    const auto u = static_cast<unsigned char>(ch);
    if (ch == '\n') {
      out += "\\n";
    } else if (ch == '\t') {
      out += "\\t";
    } else if (ch == '\r') {
      out += "\\r";
    } else if (u < 0x20 || u == 0x7f) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02x", u);
      out += buf;
    } else {
      out += ch;
    }
  }
  return out;
}

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

void Ctx::fail_at(const std::string& path, const std::string& msg) const {
  std::string p = path;
  while (!p.empty()) {
    auto it = origins_.find(p);
    if (it != origins_.end()) fail(msg + " (from --set '" + it->second + "')");
    const auto dot = p.rfind('.');
    p = dot == std::string::npos ? "" : p.substr(0, dot);
  }
  fail(msg);
}

// JSON integers only: 2.0 is refused so that a fractional value can never be truncated.
int read_int(const Ctx& ctx, const json& v, const std::string& path, int min) {
  const std::string expect = "'" + path + "' must be an integer >= " + std::to_string(min);
  if (!v.is_number_integer()) ctx.fail_at(path, expect + ", found " + describe(v));
  const bool too_big = v.is_number_unsigned()
                           ? v.get<std::uint64_t>() > static_cast<std::uint64_t>(INT_MAX)
                           : v.get<std::int64_t>() > INT_MAX;
  if (too_big) {
    ctx.fail_at(path, expect + " and <= " + std::to_string(INT_MAX) + ", found " + describe(v));
  }
  // Below INT_MAX, so int64 holds it whether stored signed or unsigned.
  if (v.get<std::int64_t>() < min) ctx.fail_at(path, expect + ", found " + describe(v));
  return v.get<int>();
}

std::string bound_text(Bound b) {
  switch (b) {
    case Bound::kNonNegative:
      return ">= 0";
    case Bound::kPositive:
      return "> 0";
    case Bound::kOpenUnit:
      return "in (0, 1)";
    case Bound::kAny:
      break;
  }
  return "";
}

double read_number(const Ctx& ctx, const json& v, const std::string& path, Bound b) {
  const double x = v.is_number() ? v.get<double>() : std::nan("");
  const bool ok = std::isfinite(x) && (b != Bound::kNonNegative || x >= 0) &&
                  (b != Bound::kPositive || x > 0) && (b != Bound::kOpenUnit || (x > 0 && x < 1));
  if (!ok) {
    const std::string range = bound_text(b);
    ctx.fail_at(path, "'" + path + "' must be a finite number" +
                          (range.empty() ? "" : " " + range) + ", found " + describe(v));
  }
  return x;
}

std::string read_string(const Ctx& ctx, const json& v, const std::string& path) {
  if (!v.is_string() || v.get<std::string>().empty()) {
    ctx.fail_at(path, "'" + path + "' must be a non-empty string, found " + describe(v));
  }
  return v.get<std::string>();
}

std::uint64_t read_seed(const Ctx& ctx, const json& v, const std::string& path) {
  if (v.is_number_unsigned()) return v.get<std::uint64_t>();
  if (v.is_number_integer() && v.get<std::int64_t>() >= 0) {
    return static_cast<std::uint64_t>(v.get<std::int64_t>());
  }
  ctx.fail_at(path, "'" + path + "' must be an unsigned 64-bit integer, found " + describe(v));
}

bool read_bool(const Ctx& ctx, const json& v, const std::string& path) {
  if (!v.is_boolean())
    ctx.fail_at(path, "'" + path + "' must be true or false, found " + describe(v));
  return v.get<bool>();
}

std::size_t read_choice(const Ctx& ctx, const json& v, const std::string& path,
                        const std::vector<std::string>& options) {
  if (v.is_string()) {
    const auto it = std::find(options.begin(), options.end(), v.get<std::string>());
    if (it != options.end()) return static_cast<std::size_t>(it - options.begin());
  }
  std::string msg =
      "'" + path + "' must be one of: " + join_list(options) + "; found " + describe(v);
  if (v.is_string()) {
    const std::string best = suggest(v.get<std::string>(), options);
    if (!best.empty()) msg += " (did you mean '" + best + "'?)";
  }
  ctx.fail_at(path, msg);
}

namespace {

// "line L, column C" of the byte at `pos` (0-based), both counted from 1.
std::string line_column(const std::string& text, std::size_t pos) {
  std::size_t line = 1, line_start = 0;
  for (std::size_t i = 0; i < pos; ++i) {
    if (text[i] == '\n') ++line, line_start = i + 1;
  }
  return "line " + std::to_string(line) + ", column " + std::to_string(pos - line_start + 1);
}

// nlohmann's parser takes a NUL byte for the end of its input, so whatever follows one would
// be silently ignored; JSON text holds none (not even inside a string).
void refuse_nul_bytes(const Ctx& ctx, const std::string& text) {
  const std::size_t nul = text.find('\0');
  if (nul == std::string::npos) return;
  ctx.fail("invalid JSON: the file contains a NUL byte at offset " + std::to_string(nul) + " (" +
           line_column(text, nul) + "); a config is UTF-8 text without NUL bytes");
}

}  // namespace

// Strict JSON, refusing duplicate keys (nlohmann would silently keep the last one) and NUL
// bytes (it would ignore what follows them).
json parse_text(const Ctx& ctx, const std::string& text) {
  refuse_nul_bytes(ctx, text);
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
    std::string detail = e.what();
    const auto at = detail.find("parse error");
    const auto colon = detail.find(": ", at == std::string::npos ? 0 : at);
    if (colon != std::string::npos) detail = detail.substr(colon + 2);
    std::replace(detail.begin(), detail.end(), '\n', ' ');
    ctx.fail("invalid JSON at " + line_column(text, pos) + ": " + detail);
  }
}

// Changing a kind drops the keys that only another kind accepts, so the new kind's defaults
// apply; keys nobody accepts stay and are reported as unknown.
namespace {

void drop_other_kind_keys(json& obj, const std::string& path, const std::string& new_kind) {
  const std::vector<schema::KindKeys> kinds = schema::kinds_at(path);
  const auto old = obj.find("kind");
  if (old != obj.end() && old->is_string() && old->get<std::string>() == new_kind) return;
  auto spec = std::find_if(kinds.begin(), kinds.end(),
                           [&](const schema::KindKeys& k) { return k.kind == new_kind; });
  if (spec == kinds.end()) return;
  std::vector<std::string> drop;
  for (auto it = obj.begin(); it != obj.end(); ++it) {
    if (it.key() == "kind" || contains(spec->keys, it.key())) continue;
    for (const auto& k : kinds) {
      if (contains(k.keys, it.key())) drop.push_back(it.key());
    }
  }
  for (const auto& key : drop)
    obj.erase(key);
}

}  // namespace

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

}  // namespace quddpm::config::detail
