#pragma once
// Reading the members of scanned JSON (backends/json_scan), as the Messages translations need:
// the first member of a name, and a member's string value. Header-only: three callers.

#include <optional>
#include <string>
#include <string_view>

#include "backends/json_scan.hpp"

namespace gw::anthropic_json {

// The value of the first member named `name`, or nullopt.
inline std::optional<std::string_view> member(const json::object_scan& o, std::string_view name) {
  for (const auto& m : o.members)
    if (json::key_is(m, name)) return m.value;
  return std::nullopt;
}

// The decoded string value, or `fallback` when absent or not a string.
inline std::string string_or(std::optional<std::string_view> v, std::string fallback = {}) {
  if (!v) return fallback;
  auto s = json::string_value(*v);
  return s ? std::move(*s) : fallback;
}

// An object's string member, decoded; nullopt when absent or not a string.
inline std::optional<std::string> string_member(const json::object_scan& o, std::string_view name) {
  const auto v = member(o, name);
  return v ? json::string_value(*v) : std::nullopt;
}

}  // namespace gw::anthropic_json
