#include "backends/json_scan.hpp"

#include <cstdint>
#include <optional>
#include <string>

// Decoding the text of JSON strings: keys written with escapes, and string values the relay
// reads (a finish_reason). The strings may come from text that was only located, not checked
// (json::locate_object), so nothing here trusts an escape.

namespace gw::json {
namespace {

// Four hex digits at raw[at...], or nullopt (a located, unchecked string may hold anything).
std::optional<std::uint32_t> hex4(std::string_view raw, std::size_t at) {
  if (at + 4 > raw.size()) return std::nullopt;
  std::uint32_t v = 0;
  for (std::size_t k = at; k < at + 4; ++k) {
    const char c = raw[k];
    v <<= 4;
    if (c >= '0' && c <= '9') v |= static_cast<std::uint32_t>(c - '0');
    else if (c >= 'a' && c <= 'f') v |= static_cast<std::uint32_t>(c - 'a' + 10);
    else if (c >= 'A' && c <= 'F') v |= static_cast<std::uint32_t>(c - 'A' + 10);
    else return std::nullopt;
  }
  return v;
}

// Decodes the inside of a JSON string (between its quotes) into `out`. Safe on unchecked text:
// a broken escape is kept as it is.
void decode(std::string_view raw, std::string& out) {
  out.clear();
  out.reserve(raw.size());
  for (std::size_t i = 0; i < raw.size(); ++i) {
    char c = raw[i];
    if (c != '\\') {
      out.push_back(c);
      continue;
    }
    if (i + 1 >= raw.size()) {  // a lone backslash at the end of unchecked text
      out.push_back(c);
      break;
    }
    c = raw[++i];
    switch (c) {
      case 'b': out.push_back('\b'); break;
      case 'f': out.push_back('\f'); break;
      case 'n': out.push_back('\n'); break;
      case 'r': out.push_back('\r'); break;
      case 't': out.push_back('\t'); break;
      case 'u': {
        const auto hi = hex4(raw, i + 1);
        if (!hi) {
          out += "\\u";
          break;
        }
        std::uint32_t cp = *hi;
        i += 4;
        // A high surrogate followed by an escaped low one is one code point.
        if (cp >= 0xD800 && cp < 0xDC00 && i + 6 < raw.size() && raw[i + 1] == '\\' && raw[i + 2] == 'u') {
          const auto lo = hex4(raw, i + 3);
          if (lo && *lo >= 0xDC00 && *lo < 0xE000) {
            cp = 0x10000 + ((cp - 0xD800) << 10) + (*lo - 0xDC00);
            i += 6;
          }
        }
        if (cp < 0x80) {
          out.push_back(static_cast<char>(cp));
        } else if (cp < 0x800) {
          out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
          out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
        } else if (cp < 0x10000) {
          out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
          out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
          out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
        } else {
          out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
          out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
          out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
          out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
        }
        break;
      }
      default: out.push_back(c); break;  // " \ /
    }
  }
}

}  // namespace

bool escaped_key_is(const member& m, std::string_view name) {
  std::string decoded;
  decode(m.key, decoded);
  return decoded == name;
}

std::optional<std::string> string_value(std::string_view value) {
  if (value.size() < 2 || value.front() != '"' || value.back() != '"') return std::nullopt;
  std::string out;
  decode(value.substr(1, value.size() - 2), out);
  return out;
}

}  // namespace gw::json
