#include "engine/sim_json.hpp"

#include <cstdlib>

namespace gw {

sim_json::sim_json() = default;
sim_json::~sim_json() = default;
sim_json::sim_json(const sim_json&) = default;
sim_json::sim_json(sim_json&&) noexcept = default;
sim_json& sim_json::operator=(const sim_json&) = default;
sim_json& sim_json::operator=(sim_json&&) noexcept = default;

sim_json sim_json::null_value() { return {}; }

sim_json sim_json::of_bool(bool b) {
  sim_json v;
  v.type = kind::boolean;
  v.boolean = b;
  return v;
}

sim_json sim_json::of_number(std::string json_text) {
  sim_json v;
  v.type = kind::number;
  v.text = std::move(json_text);
  return v;
}

sim_json sim_json::of_string(std::string s) {
  sim_json v;
  v.type = kind::string;
  v.text = std::move(s);
  return v;
}

sim_json sim_json::array() {
  sim_json v;
  v.type = kind::array;
  return v;
}

sim_json sim_json::object() {
  sim_json v;
  v.type = kind::object;
  return v;
}

const sim_json* sim_json::find(std::string_view key) const {
  if (type != kind::object) return nullptr;
  for (const auto& [k, v] : members)
    if (k == key) return &v;
  return nullptr;
}

double sim_json::number() const {
  if (type != kind::number) return 0;
  // strtod needs a terminated string; `text` is one.
  return std::strtod(text.c_str(), nullptr);
}

sim_json& sim_json::add(std::string key, sim_json v) {
  members.emplace_back(std::move(key), std::move(v));
  return members.back().second;
}

sim_json& sim_json::push(sim_json v) {
  items.push_back(std::move(v));
  return items.back();
}

void append_json_string(std::string& out, std::string_view s) {
  static constexpr char hex[] = "0123456789abcdef";
  out += '"';
  for (const char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (c < 0x20) {
          out += "\\u00";
          out += hex[c >> 4];
          out += hex[c & 15];
        } else {
          out += ch;
        }
    }
  }
  out += '"';
}

void append_json(std::string& out, const sim_json& v) {
  switch (v.type) {
    case sim_json::kind::null: out += "null"; return;
    case sim_json::kind::boolean: out += v.boolean ? "true" : "false"; return;
    case sim_json::kind::number: out += v.text.empty() ? "0" : v.text; return;
    case sim_json::kind::string: append_json_string(out, v.text); return;
    case sim_json::kind::array: {
      out += '[';
      for (std::size_t i = 0; i < v.items.size(); ++i) {
        if (i) out += ',';
        append_json(out, v.items[i]);
      }
      out += ']';
      return;
    }
    case sim_json::kind::object: {
      out += '{';
      for (std::size_t i = 0; i < v.members.size(); ++i) {
        if (i) out += ',';
        append_json_string(out, v.members[i].first);
        out += ':';
        append_json(out, v.members[i].second);
      }
      out += '}';
      return;
    }
  }
}

}  // namespace gw
