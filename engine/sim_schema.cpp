#include "engine/sim_schema.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <set>
#include <string_view>

namespace gw {
namespace {

using kind = sim_json::kind;

// Bounds for schemas built to blow up (a client's schema is untrusted input): nesting ($ref
// cycles included), values written in all, items per array, characters per string. Past them
// the instance is cut short (and may then not satisfy the schema) rather than grow.
constexpr int max_depth = 16;
constexpr std::size_t max_values = 2048;
constexpr std::size_t max_items = 64;
constexpr std::size_t max_string = 4096;

constexpr std::array<std::string_view, 16> words = {
    "alpha", "bravo", "cedar", "delta", "ember", "fjord", "garnet", "harbor",
    "indigo", "juniper", "kestrel", "lumen", "meadow", "nova", "orchid", "prairie"};

// The shortest text that reads back as `v` (0.66, not 0.66000000000000003).
std::string format_double(double v) {
  char buf[40];
  for (int precision = 15; precision <= 17; ++precision) {
    std::snprintf(buf, sizeof buf, "%.*g", precision, v);
    if (std::strtod(buf, nullptr) == v) break;
  }
  return buf;
}

// Bounds of a number schema; exclusive bounds come as numbers (draft 6+) or as booleans beside
// minimum / maximum (draft 4).
struct bounds {
  std::optional<double> lo, hi;
  bool lo_exclusive = false, hi_exclusive = false;
};

bounds read_bounds(const sim_json& s) {
  bounds b;
  if (auto* v = s.find("minimum"); v && v->is(kind::number)) b.lo = v->number();
  if (auto* v = s.find("maximum"); v && v->is(kind::number)) b.hi = v->number();
  if (auto* v = s.find("exclusiveMinimum")) {
    if (v->is(kind::number) && (!b.lo || v->number() >= *b.lo)) {
      b.lo = v->number();
      b.lo_exclusive = true;
    } else if (v->is(kind::boolean) && v->boolean) {
      b.lo_exclusive = true;
    }
  }
  if (auto* v = s.find("exclusiveMaximum")) {
    if (v->is(kind::number) && (!b.hi || v->number() <= *b.hi)) {
      b.hi = v->number();
      b.hi_exclusive = true;
    } else if (v->is(kind::boolean) && v->boolean) {
      b.hi_exclusive = true;
    }
  }
  return b;
}

bool within(double v, const bounds& b) {
  if (b.lo && (b.lo_exclusive ? v <= *b.lo : v < *b.lo)) return false;
  if (b.hi && (b.hi_exclusive ? v >= *b.hi : v > *b.hi)) return false;
  return true;
}

std::optional<std::size_t> size_keyword(const sim_json& s, std::string_view key) {
  auto* v = s.find(key);
  if (!v || !v->is(kind::number) || v->number() < 0) return std::nullopt;
  return static_cast<std::size_t>(std::min(v->number(), 1e6));
}

class generator {
 public:
  generator(const sim_json& root, std::uint64_t seed) : root_(root), state_(seed) {}

  void value(const sim_json& s, int depth, std::string& out) {
    if (depth > max_depth || values_ >= max_values) {
      out += "null";
      return;
    }
    ++values_;
    if (s.is(kind::boolean)) {  // `true` accepts anything; `false` nothing (null is as good)
      if (s.boolean) append_json_string(out, pick_word());
      else out += "null";
      return;
    }
    if (!s.is(kind::object)) {
      append_json_string(out, pick_word());
      return;
    }
    if (auto* ref = s.find("$ref"); ref && ref->is(kind::string)) {
      if (const sim_json* target = resolve(ref->text)) return value(*target, depth + 1, out);
    }
    if (auto* c = s.find("const")) return append_json(out, *c);
    if (auto* e = s.find("enum"); e && e->is(kind::array) && !e->items.empty())
      return append_json(out, e->items[next() % e->items.size()]);
    for (const char* key : {"anyOf", "oneOf"})
      if (auto* branches = s.find(key); branches && branches->is(kind::array) && !branches->items.empty())
        return value(branches->items.front(), depth + 1, out);
    if (auto* all = s.find("allOf"); all && all->is(kind::array) && !all->items.empty())
      return value(merge_all_of(s), depth + 1, out);

    const std::string_view t = type_of(s);
    if (t == "object") return object(s, depth, out);
    if (t == "array") return array(s, depth, out);
    if (t == "integer") return integer(s, out);
    if (t == "number") return number(s, out);
    if (t == "boolean") {
      out += next() % 2 ? "true" : "false";
      return;
    }
    if (t == "null") {
      out += "null";
      return;
    }
    string(s, out);
  }

 private:
  std::uint64_t next() {
    std::uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
  std::string_view pick_word() { return words[next() % words.size()]; }

  // "#", "#/$defs/x", "#/definitions/x/properties/y" (JSON Pointer with ~0 and ~1 escapes).
  const sim_json* resolve(std::string_view ref) const {
    if (ref.empty() || ref[0] != '#') return nullptr;
    ref.remove_prefix(1);
    const sim_json* at = &root_;
    while (!ref.empty()) {
      if (ref[0] != '/') return nullptr;
      ref.remove_prefix(1);
      const std::size_t end = std::min(ref.find('/'), ref.size());
      std::string token;
      for (std::size_t i = 0; i < end; ++i) {
        if (ref[i] == '~' && i + 1 < end && (ref[i + 1] == '0' || ref[i + 1] == '1')) {
          token += ref[i + 1] == '0' ? '~' : '/';
          ++i;
        } else {
          token += ref[i];
        }
      }
      ref.remove_prefix(end);
      if (at->is(kind::array)) {
        char* stop = nullptr;
        const unsigned long i = std::strtoul(token.c_str(), &stop, 10);
        if (token.empty() || *stop != '\0' || i >= at->items.size()) return nullptr;
        at = &at->items[i];
      } else if (!(at = at->find(token))) {
        return nullptr;
      }
    }
    return at;
  }

  // allOf's branches and the schema's own keywords as one schema: properties merged, required
  // joined, any other keyword from the first place that has it.
  sim_json merge_all_of(const sim_json& s) const {
    sim_json merged = sim_json::object();
    auto take = [&](const sim_json& part) {
      for (const auto& [key, v] : part.members) {
        if (key == "allOf") continue;
        sim_json* have = nullptr;
        for (auto& [k, m] : merged.members)
          if (k == key) have = &m;
        if (!have) {
          merged.add(key, v);
        } else if ((key == "properties" && v.is(kind::object) && have->is(kind::object)) ||
                   (key == "required" && v.is(kind::array) && have->is(kind::array))) {
          for (const auto& m : v.members) have->members.push_back(m);
          for (const auto& i : v.items) have->items.push_back(i);
        }
      }
    };
    take(s);
    for (const auto& part : s.find("allOf")->items) {
      const sim_json* p = &part;
      if (auto* ref = part.find("$ref"); ref && ref->is(kind::string))
        if (const sim_json* target = resolve(ref->text)) p = target;
      if (p->is(kind::object)) take(*p);
    }
    return merged;
  }

  static std::string_view type_of(const sim_json& s) {
    if (auto* t = s.find("type")) {
      if (t->is(kind::string)) return t->text;
      if (t->is(kind::array)) {
        for (const auto& i : t->items)
          if (i.is(kind::string) && i.text != "null") return i.text;
        if (!t->items.empty() && t->items.front().is(kind::string)) return t->items.front().text;
      }
    }
    for (const char* k : {"properties", "required", "additionalProperties", "minProperties"})
      if (s.find(k)) return "object";
    for (const char* k : {"items", "prefixItems", "minItems", "maxItems"})
      if (s.find(k)) return "array";
    for (const char* k : {"minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf"})
      if (s.find(k)) return "number";
    return "string";
  }

  void object(const sim_json& s, int depth, std::string& out) {
    out += '{';
    std::set<std::string> written;
    auto member = [&](const std::string& key, const sim_json& schema) {
      if (!written.insert(key).second) return;
      if (written.size() > 1) out += ',';
      append_json_string(out, key);
      out += ':';
      value(schema, depth + 1, out);
    };
    static const sim_json any = sim_json::object();
    if (auto* props = s.find("properties"); props && props->is(kind::object))
      for (const auto& [key, schema] : props->members) member(key, schema);
    if (auto* req = s.find("required"); req && req->is(kind::array))
      for (const auto& r : req->items)
        if (r.is(kind::string)) member(r.text, any);
    // minProperties beyond the listed ones: extra members, allowed unless additionalProperties
    // is false (then the schema cannot be met and the shortfall stays).
    const auto min_props = size_keyword(s, "minProperties").value_or(0);
    const sim_json* extra = s.find("additionalProperties");
    if (!(extra && extra->is(kind::boolean) && !extra->boolean)) {
      const sim_json& extra_schema = extra && extra->is(kind::object) ? *extra : any;
      for (std::size_t i = 0; written.size() < min_props && i < max_items; ++i)
        member("extra_" + std::to_string(i), extra_schema);
    }
    out += '}';
  }

  void array(const sim_json& s, int depth, std::string& out) {
    const std::size_t lo = std::min(max_items, size_keyword(s, "minItems").value_or(0));
    const std::size_t hi = std::max(lo, size_keyword(s, "maxItems").value_or(lo + 2));
    const std::size_t count = std::clamp<std::size_t>(1 + next() % 2, lo, hi);
    const sim_json* prefix = s.find("prefixItems");
    const sim_json* items = s.find("items");
    static const sim_json any = sim_json::object();
    const auto* unique = s.find("uniqueItems");
    const bool distinct = unique && unique->is(kind::boolean) && unique->boolean;
    std::set<std::string> seen;
    out += '[';
    for (std::size_t i = 0; i < count; ++i) {
      const sim_json* schema = &any;
      if (prefix && prefix->is(kind::array) && i < prefix->items.size()) schema = &prefix->items[i];
      else if (items && items->is(kind::array) && i < items->items.size()) schema = &items->items[i];  // draft 4 tuples
      else if (items && (items->is(kind::object) || items->is(kind::boolean))) schema = items;
      std::string item;
      // Distinct items: a few more draws (enough for an enum of a few values) before giving up.
      for (int attempt = 0; attempt < 8; ++attempt) {
        item.clear();
        value(*schema, depth + 1, item);
        if (!distinct || seen.insert(item).second) break;
        if (attempt == 7) item.clear();
      }
      if (item.empty()) break;  // no further distinct value: a shorter array
      if (i) out += ',';
      out += item;
    }
    out += ']';
  }

  void integer(const sim_json& s, std::string& out) {
    const bounds b = read_bounds(s);
    // Integer bounds, inclusive.
    double lo = b.lo ? (b.lo_exclusive ? std::floor(*b.lo) + 1 : std::ceil(*b.lo)) : 0;
    double hi = b.hi ? (b.hi_exclusive ? std::ceil(*b.hi) - 1 : std::floor(*b.hi)) : lo + 100;
    if (!b.lo && b.hi) lo = std::min(0.0, hi - 100);
    if (hi < lo) hi = lo;
    double step = 1;
    if (auto* m = s.find("multipleOf"); m && m->is(kind::number) && m->number() > 0) step = m->number();
    const double first = std::ceil(lo / step) * step;
    const double span = std::floor((hi - first) / step);
    const double k = span >= 0 ? static_cast<double>(next() % (static_cast<std::uint64_t>(std::min(span, 1e6)) + 1)) : 0;
    double v = first + k * step;
    if (!std::isfinite(v)) v = std::isfinite(lo) ? lo : 0;  // a multipleOf too fine for doubles
    char buf[400];
    std::snprintf(buf, sizeof buf, "%.0f", v);
    out += buf;
  }

  void number(const sim_json& s, std::string& out) {
    const bounds b = read_bounds(s);
    if (auto* m = s.find("multipleOf"); m && m->is(kind::number) && m->number() > 0) {
      const double step = m->number();
      double lo = b.lo.value_or(b.hi ? *b.hi - 100 * step : 0);
      double k = std::ceil(lo / step);
      if (b.lo_exclusive && k * step <= lo) ++k;
      k += static_cast<double>(next() % 4);
      while (k > 0 && !within(k * step, b) && within((k - 1) * step, b)) --k;
      // A multiple that prints back as itself (k * 0.1 can carry float noise).
      char buf[40];
      std::snprintf(buf, sizeof buf, "%.15g", k * step);
      if (std::isfinite(k * step)) {
        out += buf;
        return;
      }
      // A multipleOf too fine for doubles: the bounds alone, below.
    }
    const double lo = b.lo.value_or(b.hi ? *b.hi - 100 : 0);
    const double hi = b.hi.value_or(lo + 100);
    const double frac = static_cast<double>(next() % 10000) / 10000.0;
    const double f = 0.25 + 0.5 * frac;
    const double v = lo * (1 - f) + hi * f;  // strictly inside when lo < hi; finite for any bounds
    const double rounded = std::round(v * 100) / 100;
    out += format_double(within(rounded, b) ? rounded : v);
  }

  void string(const sim_json& s, std::string& out) {
    std::string_view format;
    if (auto* f = s.find("format"); f && f->is(kind::string)) format = f->text;
    const std::uint64_t r = next();
    char buf[64];
    if (format == "date-time") {
      std::snprintf(buf, sizeof buf, "2026-%02d-%02dT%02d:%02d:00Z", int(1 + r % 12), int(1 + (r >> 8) % 28),
                    int((r >> 16) % 24), int((r >> 24) % 60));
    } else if (format == "date") {
      std::snprintf(buf, sizeof buf, "2026-%02d-%02d", int(1 + r % 12), int(1 + (r >> 8) % 28));
    } else if (format == "time") {
      std::snprintf(buf, sizeof buf, "%02d:%02d:00Z", int(r % 24), int((r >> 8) % 60));
    } else if (format == "email") {
      std::snprintf(buf, sizeof buf, "%s@example.com", std::string(words[r % words.size()]).c_str());
    } else if (format == "uri" || format == "url" || format == "uri-reference") {
      std::snprintf(buf, sizeof buf, "https://example.com/%s", std::string(words[r % words.size()]).c_str());
    } else if (format == "uuid") {
      const std::uint64_t r2 = next();
      std::snprintf(buf, sizeof buf, "%08x-%04x-4%03x-8%03x-%012llx", unsigned(r), unsigned((r >> 32) & 0xffff),
                    unsigned((r >> 48) & 0xfff), unsigned(r2 & 0xfff), static_cast<unsigned long long>(r2 >> 16));
    } else if (format == "ipv4") {
      std::snprintf(buf, sizeof buf, "192.0.2.%d", int(1 + r % 254));
    } else if (format == "hostname") {
      std::snprintf(buf, sizeof buf, "%s.example.com", std::string(words[r % words.size()]).c_str());
    } else {
      // Free text: a word or two, stretched or cut to the length bounds (ASCII, so bytes are
      // code points).
      std::string text(words[r % words.size()]);
      if ((r >> 8) % 2) (text += ' ') += words[(r >> 16) % words.size()];
      const std::size_t lo = std::min(max_string, size_keyword(s, "minLength").value_or(0));
      const std::size_t hi = std::max(lo, size_keyword(s, "maxLength").value_or(std::max<std::size_t>(lo, 256)));
      while (text.size() < lo && text.size() < string_budget_) (text += ' ') += words[next() % words.size()];
      if (text.size() > hi) text.resize(hi);
      string_budget_ -= std::min(string_budget_, text.size());
      while (!text.empty() && text.back() == ' ' && text.size() > lo) text.pop_back();
      append_json_string(out, text);
      return;
    }
    append_json_string(out, buf);
  }

  const sim_json& root_;
  std::uint64_t state_;
  std::size_t values_ = 0;  // values written so far
  std::size_t string_budget_ = 64 * 1024;  // free-text characters left to stretch strings with
};

}  // namespace

std::string schema_instance(const sim_json& schema, std::uint64_t seed) {
  std::string out;
  generator(schema, seed).value(schema, 0, out);
  return out;
}

std::string default_json_object(std::uint64_t seed) {
  static const sim_json schema = [] {
    sim_json s = sim_json::object();
    s.add("type", sim_json::of_string("object"));
    sim_json& props = s.add("properties", sim_json::object());
    sim_json& answer = props.add("answer", sim_json::object());
    answer.add("type", sim_json::of_string("string"));
    answer.add("minLength", sim_json::of_number("12"));
    sim_json& confidence = props.add("confidence", sim_json::object());
    confidence.add("type", sim_json::of_string("number"));
    confidence.add("minimum", sim_json::of_number("0"));
    confidence.add("maximum", sim_json::of_number("1"));
    return s;
  }();
  return schema_instance(schema, seed);
}

}  // namespace gw
