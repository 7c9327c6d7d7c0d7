#pragma once
// Test-only JSON reading and JSON Schema checking for the sim's generated instances. The engine
// tests build without simdjson (the TSan build), hence this small recursive-descent parser. The
// checker covers the keywords the generator claims to honour (engine/sim_schema.hpp).

#include <cmath>
#include <cstdlib>
#include <optional>
#include <set>
#include <string>
#include <string_view>

#include "engine/sim_json.hpp"

namespace gw::test {

class json_reader {
 public:
  explicit json_reader(std::string_view s) : s_(s) {}

  std::optional<sim_json> document() {
    auto v = value();
    ws();
    if (!v || i_ != s_.size()) return std::nullopt;
    return v;
  }

 private:
  void ws() {
    while (i_ < s_.size() && (s_[i_] == ' ' || s_[i_] == '\n' || s_[i_] == '\t' || s_[i_] == '\r')) ++i_;
  }
  bool lit(std::string_view w) {
    if (s_.substr(i_, w.size()) != w) return false;
    i_ += w.size();
    return true;
  }
  std::optional<std::string> str() {
    if (i_ >= s_.size() || s_[i_] != '"') return std::nullopt;
    ++i_;
    std::string out;
    while (i_ < s_.size() && s_[i_] != '"') {
      const char c = s_[i_++];
      if (static_cast<unsigned char>(c) < 0x20) return std::nullopt;
      if (c != '\\') {
        out += c;
        continue;
      }
      if (i_ >= s_.size()) return std::nullopt;
      const char e = s_[i_++];
      switch (e) {
        case '"': out += '"'; break;
        case '\\': out += '\\'; break;
        case '/': out += '/'; break;
        case 'n': out += '\n'; break;
        case 't': out += '\t'; break;
        case 'r': out += '\r'; break;
        case 'b': out += '\b'; break;
        case 'f': out += '\f'; break;
        case 'u': {
          if (i_ + 4 > s_.size()) return std::nullopt;
          const unsigned cp = std::stoul(std::string(s_.substr(i_, 4)), nullptr, 16);
          i_ += 4;
          if (cp < 0x80) out += static_cast<char>(cp);
          else out += '?';  // enough for tests
          break;
        }
        default: return std::nullopt;
      }
    }
    if (i_ >= s_.size()) return std::nullopt;
    ++i_;
    return out;
  }
  std::optional<sim_json> value() {
    ws();
    if (i_ >= s_.size()) return std::nullopt;
    const char c = s_[i_];
    if (c == '{') {
      ++i_;
      sim_json o = sim_json::object();
      ws();
      if (lit("}")) return o;
      for (;;) {
        ws();
        auto k = str();
        ws();
        if (!k || !lit(":")) return std::nullopt;
        auto v = value();
        if (!v) return std::nullopt;
        o.add(*k, std::move(*v));
        ws();
        if (lit("}")) return o;
        if (!lit(",")) return std::nullopt;
      }
    }
    if (c == '[') {
      ++i_;
      sim_json a = sim_json::array();
      ws();
      if (lit("]")) return a;
      for (;;) {
        auto v = value();
        if (!v) return std::nullopt;
        a.push(std::move(*v));
        ws();
        if (lit("]")) return a;
        if (!lit(",")) return std::nullopt;
      }
    }
    if (c == '"') {
      auto s = str();
      if (!s) return std::nullopt;
      return sim_json::of_string(*s);
    }
    if (lit("true")) return sim_json::of_bool(true);
    if (lit("false")) return sim_json::of_bool(false);
    if (lit("null")) return sim_json::null_value();
    const std::size_t start = i_;
    if (s_[i_] == '-') ++i_;
    const std::size_t digits = i_;
    while (i_ < s_.size() && std::string_view("0123456789.eE+-").find(s_[i_]) != std::string_view::npos) ++i_;
    if (i_ == digits) return std::nullopt;
    std::string text(s_.substr(start, i_ - start));
    char* end = nullptr;
    std::strtod(text.c_str(), &end);
    if (*end != '\0') return std::nullopt;
    return sim_json::of_number(text);
  }

  std::string_view s_;
  std::size_t i_ = 0;
};

inline std::optional<sim_json> parse_json(std::string_view s) { return json_reader(s).document(); }

inline std::string to_json(const sim_json& v) {
  std::string out;
  append_json(out, v);
  return out;
}

inline bool json_equal(const sim_json& a, const sim_json& b) { return to_json(a) == to_json(b); }

// Empty when `v` satisfies `s` (resolving local $refs against `root`), else what is wrong.
inline std::string violation(const sim_json& v, const sim_json& s, const sim_json& root, const std::string& at = "$") {
  using k = sim_json::kind;
  if (s.is(k::boolean)) return s.boolean ? "" : at + ": false schema";
  if (!s.is(k::object)) return "";
  if (auto* ref = s.find("$ref")) {
    const sim_json* t = &root;
    std::string_view p = ref->text;
    p.remove_prefix(1);
    while (!p.empty() && t) {
      p.remove_prefix(1);
      const auto end = std::min(p.find('/'), p.size());
      t = t->find(p.substr(0, end));
      p.remove_prefix(end);
    }
    if (!t) return at + ": unresolved $ref";
    return violation(v, *t, root, at);
  }
  if (auto* c = s.find("const"); c && !json_equal(*c, v)) return at + ": not the const";
  if (auto* e = s.find("enum")) {
    bool found = false;
    for (const auto& i : e->items) found = found || json_equal(i, v);
    if (!found) return at + ": not in enum";
  }
  for (const char* key : {"anyOf", "oneOf"}) {
    if (auto* branches = s.find(key)) {
      std::size_t ok = 0;
      for (const auto& b : branches->items) ok += violation(v, b, root, at).empty();
      if (ok == 0 || (std::string_view(key) == "oneOf" && ok != 1)) return at + ": " + key + " fails";
    }
  }
  if (auto* all = s.find("allOf"))
    for (const auto& b : all->items)
      if (auto err = violation(v, b, root, at); !err.empty()) return err;
  if (auto* t = s.find("type")) {
    auto matches = [&](std::string_view name) {
      if (name == "object") return v.is(k::object);
      if (name == "array") return v.is(k::array);
      if (name == "string") return v.is(k::string);
      if (name == "boolean") return v.is(k::boolean);
      if (name == "null") return v.is(k::null);
      if (name == "number") return v.is(k::number);
      if (name == "integer") return v.is(k::number) && v.number() == std::floor(v.number());
      return false;
    };
    bool ok = false;
    if (t->is(k::string)) ok = matches(t->text);
    for (const auto& i : t->items) ok = ok || matches(i.text);
    if (!ok) return at + ": wrong type for " + to_json(v);
  }
  if (v.is(k::number)) {
    const double x = v.number();
    auto num = [&](const char* key) -> std::optional<double> {
      auto* n = s.find(key);
      if (n && n->is(k::number)) return n->number();
      return std::nullopt;
    };
    auto flag = [&](const char* key) {
      auto* n = s.find(key);
      return n && n->is(k::boolean) && n->boolean;
    };
    if (auto m = num("minimum"); m && (flag("exclusiveMinimum") ? x <= *m : x < *m)) return at + ": below minimum";
    if (auto m = num("maximum"); m && (flag("exclusiveMaximum") ? x >= *m : x > *m)) return at + ": above maximum";
    if (auto m = num("exclusiveMinimum"); m && x <= *m) return at + ": not above exclusiveMinimum";
    if (auto m = num("exclusiveMaximum"); m && x >= *m) return at + ": not below exclusiveMaximum";
    if (auto m = num("multipleOf")) {
      const double q = x / *m;
      if (std::fabs(q - std::round(q)) > 1e-9) return at + ": not a multiple";
    }
  }
  if (v.is(k::string)) {
    if (auto* n = s.find("minLength"); n && v.text.size() < n->number()) return at + ": too short";
    if (auto* n = s.find("maxLength"); n && v.text.size() > n->number()) return at + ": too long";
  }
  if (v.is(k::array)) {
    if (auto* n = s.find("minItems"); n && v.items.size() < n->number()) return at + ": too few items";
    if (auto* n = s.find("maxItems"); n && v.items.size() > n->number()) return at + ": too many items";
    if (auto* u = s.find("uniqueItems"); u && u->boolean) {
      std::set<std::string> seen;
      for (const auto& i : v.items)
        if (!seen.insert(to_json(i)).second) return at + ": duplicate items";
    }
    const sim_json* prefix = s.find("prefixItems");
    const sim_json* items = s.find("items");
    for (std::size_t i = 0; i < v.items.size(); ++i) {
      const sim_json* is = nullptr;
      if (prefix && i < prefix->items.size()) is = &prefix->items[i];
      else if (items && items->is(k::object)) is = items;
      if (is)
        if (auto err = violation(v.items[i], *is, root, at + "[" + std::to_string(i) + "]"); !err.empty()) return err;
    }
  }
  if (v.is(k::object)) {
    if (auto* req = s.find("required"))
      for (const auto& r : req->items)
        if (!v.find(r.text)) return at + ": missing " + r.text;
    if (auto* n = s.find("minProperties"); n && v.members.size() < n->number()) return at + ": too few members";
    std::set<std::string> keys;
    for (const auto& [key, val] : v.members)
      if (!keys.insert(key).second) return at + ": duplicate key " + key;
    const sim_json* props = s.find("properties");
    const sim_json* extra = s.find("additionalProperties");
    for (const auto& [key, val] : v.members) {
      const sim_json* ps = props ? props->find(key) : nullptr;
      if (!ps && extra && extra->is(k::boolean) && !extra->boolean) return at + ": unexpected " + key;
      if (!ps && extra && extra->is(k::object)) ps = extra;
      if (ps)
        if (auto err = violation(val, *ps, root, at + "." + key); !err.empty()) return err;
    }
  }
  return "";
}

}  // namespace gw::test
