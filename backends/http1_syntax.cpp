#include "backends/http1_syntax.hpp"

#include <array>
#include <cstring>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace gw::http1 {
namespace {

constexpr std::array<bool, 256> make_tchar_table() {
  std::array<bool, 256> t{};
  for (int c = '0'; c <= '9'; ++c) t[c] = true;
  for (int c = 'a'; c <= 'z'; ++c) t[c] = true;
  for (int c = 'A'; c <= 'Z'; ++c) t[c] = true;
  for (char c : std::string_view("!#$%&'*+-.^_`|~")) t[static_cast<unsigned char>(c)] = true;
  return t;
}
constexpr std::array<bool, 256> tchar_table = make_tchar_table();

bool is_ows(char c) { return c == ' ' || c == '\t'; }
bool is_digit(char c) { return c >= '0' && c <= '9'; }

// Field values and reason phrases: HTAB, SP, VCHAR and obs-text; no other control, no DEL.
bool is_text(unsigned char c) { return (c >= 0x20 && c != 0x7f) || c == '\t'; }

// Whether every byte of [p, end) is text, 16 bytes at a time where SSE2 is there (always, on
// x86-64): values are most of a head's bytes.
bool all_text(const char* p, const char* end) {
#if defined(__SSE2__)
  const __m128i below_space = _mm_set1_epi8(0x1f);
  const __m128i tab = _mm_set1_epi8('\t');
  const __m128i del = _mm_set1_epi8(0x7f);
  for (; end - p >= 16; p += 16) {
    const __m128i x = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
    const __m128i control = _mm_cmpeq_epi8(_mm_min_epu8(x, below_space), x);  // unsigned x <= 0x1f
    const __m128i bad = _mm_or_si128(_mm_andnot_si128(_mm_cmpeq_epi8(x, tab), control), _mm_cmpeq_epi8(x, del));
    if (_mm_movemask_epi8(bad) != 0) return false;
  }
#endif
  for (; p != end; ++p)
    if (!is_text(static_cast<unsigned char>(*p))) return false;
  return true;
}

inline std::string_view trim(std::string_view s) {
  while (!s.empty() && is_ows(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_ows(s.back())) s.remove_suffix(1);
  return s;
}

bool all_tchar(std::string_view s) {
  for (char c : s)
    if (!is_tchar(static_cast<unsigned char>(c))) return false;
  return true;
}

// "HTTP/1.0" or "HTTP/1.1" at the start of `s`: the versions this parser's framing rules are for
// (another major version is not HTTP/1, RFC 9110 §2.5; Beast refused 1.2 and up as well).
bool parse_version(std::string_view s, unsigned& version) {
  if (s.size() < 8 || s.substr(0, 7) != "HTTP/1." || (s[7] != '0' && s[7] != '1')) return false;
  version = s[7] == '1' ? 11 : 10;
  return true;
}

// Calls f(element) for each comma-separated element, trimmed, skipping empty ones (RFC 9110
// §5.6.1 lists); stops early when f returns false.
template <class F>
bool for_each_element(std::string_view list, F&& f) {
  for (;;) {
    const std::size_t comma = list.find(',');
    const std::string_view element = trim(list.substr(0, comma));
    if (!element.empty() && !f(element)) return false;
    if (comma == std::string_view::npos) return true;
    list.remove_prefix(comma + 1);
  }
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool is_qdtext(unsigned char c) {
  return c == '\t' || c == ' ' || c == '!' || (c >= 0x23 && c <= 0x5b) || (c >= 0x5d && c <= 0x7e) || c >= 0x80;
}

// chunk-ext-val's quoted-string from s[at] (the opening quote); moves `at` past the closing one.
bool skip_quoted(std::string_view s, std::size_t& at) {
  for (++at; at < s.size(); ++at) {
    const auto c = static_cast<unsigned char>(s[at]);
    if (c == '"') {
      ++at;
      return true;
    }
    if (c == '\\') {
      if (++at == s.size()) return false;
      const auto q = static_cast<unsigned char>(s[at]);
      if (!(q == '\t' || (q >= 0x20 && q != 0x7f))) return false;
    } else if (!is_qdtext(c)) {
      return false;
    }
  }
  return false;
}

std::size_t skip_ows(std::string_view s, std::size_t at) {
  while (at < s.size() && is_ows(s[at])) ++at;
  return at;
}

std::size_t skip_tchars(std::string_view s, std::size_t at) {
  while (at < s.size() && is_tchar(static_cast<unsigned char>(s[at]))) ++at;
  return at;
}

// The first byte of [p, end) that is not a tchar: a field name's end. Eight table lookups are
// combined per step while eight bytes are left; a byte at a time cost five instructions a byte.
const char* skip_name(const char* p, const char* end) {
  auto t = [](const char* q) { return static_cast<unsigned>(tchar_table[static_cast<unsigned char>(*q)]); };
  while (end - p >= 8 && (t(p) & t(p + 1) & t(p + 2) & t(p + 3) & t(p + 4) & t(p + 5) & t(p + 6) & t(p + 7)) != 0)
    p += 8;
  while (p < end && t(p) != 0) ++p;
  return p;
}

// The first CR in [p, end), or null. Inline and 16 bytes at a time: a call to memchr for a field
// value of twenty bytes cost more than the search.
const char* find_cr(const char* p, const char* end) {
#if defined(__SSE2__)
  const __m128i cr = _mm_set1_epi8('\r');
  for (; end - p >= 16; p += 16) {
    const int m = _mm_movemask_epi8(_mm_cmpeq_epi8(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p)), cr));
    if (m != 0) return p + __builtin_ctz(static_cast<unsigned>(m));
  }
#endif
  for (; p < end; ++p)
    if (*p == '\r') return p;
  return nullptr;
}

}  // namespace

bool is_tchar(unsigned char c) { return tchar_table[c]; }

std::size_t find_head_end(std::string_view bytes, std::size_t from) {
  std::size_t at = from >= 3 ? from - 3 : 0;
  const char* d = bytes.data();
#if defined(__SSE2__)
  // CRLFCRLF starting at each of 16 offsets at once: four shifted loads compared and combined.
  const __m128i cr = _mm_set1_epi8('\r'), lf = _mm_set1_epi8('\n');
  for (; at + 19 <= bytes.size(); at += 16) {
    auto load = [&](std::size_t k) { return _mm_loadu_si128(reinterpret_cast<const __m128i*>(d + at + k)); };
    const __m128i hit = _mm_and_si128(_mm_and_si128(_mm_cmpeq_epi8(load(0), cr), _mm_cmpeq_epi8(load(1), lf)),
                                      _mm_and_si128(_mm_cmpeq_epi8(load(2), cr), _mm_cmpeq_epi8(load(3), lf)));
    if (const int mask = _mm_movemask_epi8(hit)) return at + static_cast<std::size_t>(__builtin_ctz(mask)) + 4;
  }
#endif
  for (; at + 4 <= bytes.size(); ++at)
    if (d[at] == '\r' && d[at + 1] == '\n' && d[at + 2] == '\r' && d[at + 3] == '\n') return at + 4;
  return std::string_view::npos;
}

bool valid_head_bytes(std::string_view head) {
  const char* p = head.data();
  const char* const end = p + head.size();
  bool after_cr = false;  // the byte before p was a CR
#if defined(__SSE2__)
  const __m128i below_space = _mm_set1_epi8(0x1f);
  const __m128i tab = _mm_set1_epi8('\t'), cr = _mm_set1_epi8('\r'), lf = _mm_set1_epi8('\n');
  const __m128i del = _mm_set1_epi8(0x7f);
  for (; end - p >= 16; p += 16) {
    const __m128i x = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
    const __m128i control = _mm_cmpeq_epi8(_mm_min_epu8(x, below_space), x);
    const __m128i is_cr = _mm_cmpeq_epi8(x, cr), is_lf = _mm_cmpeq_epi8(x, lf);
    const __m128i allowed = _mm_or_si128(_mm_cmpeq_epi8(x, tab), _mm_or_si128(is_cr, is_lf));
    const __m128i bad = _mm_or_si128(_mm_andnot_si128(allowed, control), _mm_cmpeq_epi8(x, del));
    if (_mm_movemask_epi8(bad) != 0) return false;
    // Every CR is followed by a LF and every LF follows a CR: the LF bits are the CR bits moved
    // up by one, with the previous block's last CR carried in.
    const auto crs = static_cast<unsigned>(_mm_movemask_epi8(is_cr));
    const auto lfs = static_cast<unsigned>(_mm_movemask_epi8(is_lf));
    if (lfs != (((crs << 1) | (after_cr ? 1u : 0u)) & 0xffffu)) return false;
    after_cr = (crs >> 15) != 0;
  }
#endif
  for (; p != end; ++p) {
    const auto c = static_cast<unsigned char>(*p);
    if ((c == '\n') != after_cr) return false;
    after_cr = c == '\r';
    if (!is_text(c) && c != '\r' && c != '\n') return false;
  }
  return !after_cr;
}

bool next_line(std::string_view head, std::size_t& at, std::string_view& line, bool& bad) {
  if (at >= head.size()) return false;
  const void* lf = std::memchr(head.data() + at, '\n', head.size() - at);
  if (!lf) {
    bad = true;
    return false;
  }
  const auto end = static_cast<std::size_t>(static_cast<const char*>(lf) - head.data());
  if (end == at || head[end - 1] != '\r') {
    bad = true;
    return false;
  }
  line = head.substr(at, end - 1 - at);
  at = end + 1;
  return true;
}

bool parse_request_line(std::string_view line, request_line& out) {
  const std::size_t method_end = skip_tchars(line, 0);
  if (method_end == 0 || method_end == line.size() || line[method_end] != ' ') return false;
  const std::size_t target_at = method_end + 1;
  std::size_t target_end = target_at;
  // The target: any byte but controls, space and DEL (Beast's rule; the router checks the rest).
  while (target_end < line.size() && static_cast<unsigned char>(line[target_end]) > 0x20 &&
         line[target_end] != 0x7f)
    ++target_end;
  if (target_end == target_at || target_end == line.size() || line[target_end] != ' ') return false;
  const std::string_view version = line.substr(target_end + 1);
  if (version.size() != 8 || !parse_version(version, out.version)) return false;
  out.method = line.substr(0, method_end);
  out.target = line.substr(target_at, target_end - target_at);
  return true;
}

bool plausible_request_prefix(std::string_view prefix) {
  const std::size_t method_end = skip_tchars(prefix, 0);
  if (method_end == prefix.size()) return true;
  return method_end > 0 && prefix[method_end] == ' ';
}

bool parse_status_line(std::string_view line, status_line& out) {
  if (line.size() < 12 || !parse_version(line, out.version) || line[8] != ' ' || !is_digit(line[9]) ||
      !is_digit(line[10]) || !is_digit(line[11]))
    return false;
  // "HTTP/1.1 200" with no reason is accepted, though the grammar wants the space before it.
  if (line.size() > 12 && (line[12] != ' ' || !all_text(line.data() + 13, line.data() + line.size()))) return false;
  out.status = (line[9] - '0') * 100 + (line[10] - '0') * 10 + (line[11] - '0');
  return out.status >= 100;  // a 0xx has no meaning, and the caller would take it for an interim
}

bool split_field_line(std::string_view line, std::string_view& name, std::string_view& value) {
  const std::size_t colon = skip_tchars(line, 0);
  if (colon == 0 || colon == line.size() || line[colon] != ':') return false;
  name = line.substr(0, colon);
  value = trim(line.substr(colon + 1));
  return true;
}

bool next_field(std::string_view head, std::size_t& at, std::string_view& name, std::string_view& value, bool& bad) {
  const char* const begin = head.data();
  const char* const end = begin + head.size();
  const char* p = begin + at;
  if (p < end && *p == '\r') {  // the blank line (valid_head_bytes: a LF follows every CR)
    at += 2;
    return false;
  }
  const char* colon = skip_name(p, end);
  const char* cr = colon < end && colon != p && *colon == ':' ? find_cr(colon, end) : nullptr;
  if (!cr) {
    bad = true;
    return false;
  }
  const char* v = colon + 1;
  const char* e = cr;
  while (v < e && is_ows(*v)) ++v;
  while (e > v && is_ows(e[-1])) --e;
  name = std::string_view(p, static_cast<std::size_t>(colon - p));
  value = std::string_view(v, static_cast<std::size_t>(e - v));
  at = static_cast<std::size_t>(cr - begin) + 2;
  return true;
}

bool parse_field_line(std::string_view line, std::string_view& name, std::string_view& value) {
  return all_text(line.data(), line.data() + line.size()) && split_field_line(line, name, value);
}

bool parse_content_length(std::string_view value, std::uint64_t& length) {
  // The usual value, up to 19 digits and nothing else, read at once; lists and the overflow
  // check below are for the rest.
  if (!value.empty() && value.size() <= 19) {
    std::uint64_t v = 0;
    std::size_t i = 0;
    for (; i < value.size() && is_digit(value[i]); ++i) v = v * 10 + static_cast<std::uint64_t>(value[i] - '0');
    if (i == value.size()) {
      length = v;
      return true;
    }
  }
  bool any = false;
  std::uint64_t first = 0;
  // Unlike other lists, an empty element ("5,,5") is refused here, as Beast did.
  for (std::string_view rest = value;;) {
    const std::size_t comma = rest.find(',');
    const std::string_view element = trim(rest.substr(0, comma));
    if (element.empty()) return false;
    std::uint64_t v = 0;
    for (char c : element) {
      const auto d = static_cast<std::uint64_t>(c - '0');
      if (!is_digit(c) || v > (UINT64_MAX - d) / 10) return false;
      v = v * 10 + d;
    }
    if (any && v != first) return false;
    first = v;
    any = true;
    if (comma == std::string_view::npos) break;
    rest.remove_prefix(comma + 1);
  }
  length = first;
  return true;
}

bool ends_with_chunked(std::string_view value) {
  // The first `chunked` must be the last element: "chunked, gzip" and "chunked, chunked" are not
  // chunked framing (Beast's rule too).
  bool seen = false, last = false;
  for_each_element(value, [&](std::string_view e) {
    last = iequals(e, "chunked");
    if (seen) {
      last = false;
      return false;
    }
    seen = last;
    return true;
  });
  return seen && last;
}

bool parse_connection(std::string_view value, connection_options& out) {
  return for_each_element(value, [&](std::string_view e) {
    if (!all_tchar(e)) return false;
    if (iequals(e, "close")) out.close = true;
    else if (iequals(e, "keep-alive")) out.keep_alive = true;
    return true;
  });
}

bool parse_chunk_size_line(std::string_view line, std::uint64_t& size, std::string_view& extensions) {
  std::size_t at = 0;
  std::uint64_t v = 0;
  for (int d; at < line.size() && (d = hex_value(line[at])) >= 0; ++at) {
    if (v > (UINT64_MAX >> 4)) return false;
    v = (v << 4) | static_cast<std::uint64_t>(d);
  }
  if (at == 0) return false;
  const std::size_t ext_at = at;
  // chunk-ext = *( BWS ";" BWS name [ BWS "=" BWS ( token / quoted-string ) ] )
  while (at < line.size()) {
    at = skip_ows(line, at);
    if (at == line.size() || line[at] != ';') return false;
    at = skip_ows(line, at + 1);
    const std::size_t name_end = skip_tchars(line, at);
    if (name_end == at) return false;
    at = skip_ows(line, name_end);
    if (at == line.size() || line[at] == ';') {
      if (at == line.size() && at != name_end) return false;  // BWS, then nothing
      continue;
    }
    if (line[at] != '=') return false;
    at = skip_ows(line, at + 1);
    if (at < line.size() && line[at] == '"') {
      if (!skip_quoted(line, at)) return false;
    } else {
      const std::size_t value_end = skip_tchars(line, at);
      if (value_end == at) return false;
      at = value_end;
    }
  }
  size = v;
  extensions = line.substr(ext_at);
  return true;
}

}  // namespace gw::http1
