#include "backends/trace_context.hpp"

#include <algorithm>

namespace gw {
namespace {

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;  // upper case is invalid in traceparent
}

// `2 * n` hex digits at `s` into `out`; false on any other character.
bool read_hex(std::string_view s, std::uint8_t* out, std::size_t n) {
  for (std::size_t i = 0; i < n; ++i) {
    const int hi = hex_value(s[2 * i]), lo = hex_value(s[2 * i + 1]);
    if (hi < 0 || lo < 0) return false;
    out[i] = static_cast<std::uint8_t>(hi << 4 | lo);
  }
  return true;
}

std::uint64_t load_be(const std::uint8_t* p) {
  std::uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v = v << 8 | p[i];
  return v;
}

void store(std::uint64_t v, std::uint8_t* p) {
  for (int i = 0; i < 8; ++i) p[i] = static_cast<std::uint8_t>(v >> (8 * i));
}

}  // namespace

std::optional<trace_context> parse_traceparent(std::string_view h) {
  if (h.size() < 55 || h[2] != '-' || h[35] != '-' || h[52] != '-') return std::nullopt;
  std::uint8_t version = 0;
  if (!read_hex(h, &version, 1) || version == 0xff) return std::nullopt;
  // Version 00 has exactly four fields; a later version may add fields after a dash.
  if (version == 0 ? h.size() != 55 : h.size() > 55 && h[55] != '-') return std::nullopt;
  trace_context c;
  if (!read_hex(h.substr(3), c.trace.data(), 16) || !read_hex(h.substr(36), c.span.data(), 8) ||
      !read_hex(h.substr(53), &c.flags, 1))
    return std::nullopt;
  if (is_zero(c.trace) || is_zero(c.span)) return std::nullopt;
  return c;
}

std::string format_traceparent(const trace_context& c) {
  std::string s;
  s.reserve(55);
  s += "00-";
  append_hex(s, c.trace.data(), 16);
  s += '-';
  append_hex(s, c.span.data(), 8);
  s += c.sampled() ? "-01" : "-00";
  return s;
}

bool valid_tracestate(std::string_view v) {
  if (v.empty() || v.size() > max_tracestate) return false;
  return std::all_of(v.begin(), v.end(), [](char c) { return c >= 0x20 && c <= 0x7e; });
}

trace_id new_trace_id(std::mt19937_64& rng) {
  trace_id t;
  do {
    store(rng(), t.data());
    store(rng(), t.data() + 8);
  } while (is_zero(t));
  return t;
}

span_id new_span_id(std::mt19937_64& rng) {
  span_id s;
  do store(rng(), s.data());
  while (is_zero(s));
  return s;
}

bool is_zero(const trace_id& t) {
  return std::all_of(t.begin(), t.end(), [](std::uint8_t b) { return b == 0; });
}
bool is_zero(const span_id& s) {
  return std::all_of(s.begin(), s.end(), [](std::uint8_t b) { return b == 0; });
}

void append_hex(std::string& out, const std::uint8_t* bytes, std::size_t n) {
  static constexpr char digits[] = "0123456789abcdef";
  const std::size_t at = out.size();
  out.resize(at + 2 * n);  // written in place: ids are hexed for every span and header
  char* p = out.data() + at;
  for (std::size_t i = 0; i < n; ++i) {
    p[2 * i] = digits[bytes[i] >> 4];
    p[2 * i + 1] = digits[bytes[i] & 15];
  }
}

bool sampled_by_ratio(const trace_id& t, double ratio) {
  if (ratio >= 1) return true;
  if (!(ratio > 0)) return false;
  // 2^64 * ratio, computed in long double so that ratios near 1 do not overflow the bound.
  const auto bound = static_cast<std::uint64_t>(static_cast<long double>(ratio) * 18446744073709551616.0L);
  return load_be(t.data() + 8) < bound;
}

}  // namespace gw
