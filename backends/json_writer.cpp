#include "backends/json_writer.hpp"

#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstring>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

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

// The bytes of a 16-byte block that need escaping, as a bit mask: below 0x20, '"' or '\\'. Bytes
// >= 0x80 compare above 0x1f unsigned and are never escaped. Strings (prompts, generated text)
// are the bulk of every body the gateway writes, hence a block at a time rather than a byte.
#if defined(__SSE2__)
[[gnu::always_inline]] inline unsigned escape_mask(const char* p) {
  const __m128i x = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
  const __m128i control = _mm_cmpeq_epi8(_mm_min_epu8(x, _mm_set1_epi8(0x1f)), x);  // unsigned x <= 0x1f
  const __m128i quote = _mm_cmpeq_epi8(x, _mm_set1_epi8('"'));
  const __m128i backslash = _mm_cmpeq_epi8(x, _mm_set1_epi8('\\'));
  return static_cast<unsigned>(_mm_movemask_epi8(_mm_or_si128(control, _mm_or_si128(quote, backslash))));
}
#endif

}  // namespace

void append_string(std::string& out, std::string_view s) {
  out.push_back('"');
  // Runs of plain bytes go out in one append: token text is almost never escaped.
  const char* const d = s.data();
  std::size_t run_start = 0;
  std::size_t i = 0;
  auto escape_at = [&](std::size_t at) {
    out.append(d + run_start, at - run_start);
    append_escape(out, static_cast<unsigned char>(d[at]));
    run_start = at + 1;
  };
#if defined(__SSE2__)
  for (; s.size() - i >= 16; i += 16)
    for (unsigned m = escape_mask(d + i); m != 0; m &= m - 1) escape_at(i + static_cast<std::size_t>(__builtin_ctz(m)));
  if (i != s.size() && s.size() >= 16) {
    // The last partial block: the 16 bytes that end the string, the ones already done masked off.
    const std::size_t base = s.size() - 16;
    for (unsigned m = escape_mask(d + base) >> (i - base); m != 0; m &= m - 1)
      escape_at(i + static_cast<std::size_t>(__builtin_ctz(m)));
    i = s.size();
  }
#endif
  for (; i < s.size(); ++i)  // short strings (and targets without SSE2)
    if (needs_escape(static_cast<unsigned char>(d[i]))) escape_at(i);
  out.append(d + run_start, s.size() - run_start);
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
  // The last few values written, with their text: the shortest round-trip form is slow to
  // compute, and what is written (a request's temperature and top_p) repeats from request to
  // request. Per thread, so engines' threads may write too.
  struct memo {
    std::uint64_t bits = 0;
    std::uint8_t length = 0;  // 0: empty
    char text[31];
  };
  thread_local memo recent[4];
  thread_local unsigned next = 0;
  std::uint64_t bits;
  std::memcpy(&bits, &v, sizeof bits);
  for (const memo& m : recent)
    if (m.length != 0 && m.bits == bits) {
      out.append(m.text, m.length);
      return;
    }
  memo& m = recent[next++ % 4];
  const auto res = std::to_chars(m.text, m.text + sizeof m.text, v);  // at most 24 characters
  m.bits = bits;
  m.length = static_cast<std::uint8_t>(res.ptr - m.text);
  out.append(m.text, m.length);
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
