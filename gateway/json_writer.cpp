#include "gateway/json_writer.hpp"

#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstring>

namespace gw::json {

namespace {

// True for the bytes JSON forbids raw inside a string. Bytes >= 0x80 are UTF-8 and pass through:
// the caller guarantees valid UTF-8, and JSON allows any code point unescaped.
bool needs_escape(unsigned char c) { return c < 0x20 || c == '"' || c == '\\'; }

void append_escape(std::string& out, unsigned char c) {
  switch (c) {
    case '"': out += "\\\""; return;
    case '\\': out += "\\\\"; return;
    case '\n': out += "\\n"; return;
    case '\r': out += "\\r"; return;
    case '\t': out += "\\t"; return;
    case '\b': out += "\\b"; return;
    case '\f': out += "\\f"; return;
    default: break;
  }
  static constexpr char hex[] = "0123456789abcdef";
  const char esc[] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 0xF]};
  out.append(esc, sizeof esc);
}

// Whether any of the 8 bytes in `w` needs escaping, tested together (SWAR): a byte below 0x20,
// a '"' or a '\\'. The per-byte loop cost ~8 instructions a byte, and strings (prompts,
// generated text) are the bulk of every body the gateway writes.
bool any_needs_escape(std::uint64_t w) {
  constexpr std::uint64_t ones = 0x0101010101010101ULL;
  constexpr std::uint64_t highs = 0x8080808080808080ULL;
  auto has_zero = [](std::uint64_t v) { return (v - ones) & ~v & highs; };
  // Bytes >= 0x80 set their high bit in `w` and are masked out by ~w: they are never escaped.
  const std::uint64_t below_space = (w - ones * 0x20) & ~w & highs;
  return (below_space | has_zero(w ^ (ones * '"')) | has_zero(w ^ (ones * '\\'))) != 0;
}

}  // namespace

void append_string(std::string& out, std::string_view s) {
  out.push_back('"');
  // Copy runs of plain bytes in one append: token text is almost never escaped.
  std::size_t run_start = 0;
  std::size_t i = 0;
  while (i < s.size()) {
    if (s.size() - i >= 8) {  // skip 8 plain bytes at a time
      std::uint64_t w;
      std::memcpy(&w, s.data() + i, 8);
      if (!any_needs_escape(w)) {
        i += 8;
        continue;
      }
    }
    const auto c = static_cast<unsigned char>(s[i]);
    if (needs_escape(c)) {
      out.append(s.data() + run_start, i - run_start);
      append_escape(out, c);
      run_start = i + 1;
    }
    ++i;
  }
  out.append(s.data() + run_start, s.size() - run_start);
  out.push_back('"');
}

void append_uint(std::string& out, std::uint64_t v) {
  char buf[20];  // UINT64_MAX has 20 digits
  const auto res = std::to_chars(buf, buf + sizeof buf, v);
  out.append(buf, res.ptr);
}

void append_double(std::string& out, double v) {
  // JSON has no NaN or infinity; a 0 keeps the document parseable rather than breaking a stream.
  if (!std::isfinite(v)) {
    out.push_back('0');
    return;
  }
  char buf[32];  // shortest round-trip form of any double fits in 24 characters
  const auto res = std::to_chars(buf, buf + sizeof buf, v);
  out.append(buf, res.ptr);
}

}  // namespace gw::json

namespace gw::json {

void append_float(std::string& out, float v) {
  if (!std::isfinite(v)) {
    out.push_back('0');
    return;
  }
  char buf[24];  // shortest round-trip form of a float: embeddings print ~9 digits, not 17
  const auto res = std::to_chars(buf, buf + sizeof buf, v);
  out.append(buf, res.ptr);
}

}  // namespace gw::json
