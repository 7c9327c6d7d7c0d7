#include "backends/json_scan.hpp"

#include <simdjson.h>

#include <cstdint>
#include <algorithm>
#include <array>
#include <cstring>
#include <string>

namespace gw::json {
namespace {

bool is_ws(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }
bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_hex(char c) { return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }

// Four hex digits at `p` into `v`; false when one is not a hex digit.
bool hex4(const char* p, unsigned& v) {
  v = 0;
  for (int i = 0; i < 4; ++i) {
    const char c = p[i];
    if (!is_hex(c)) return false;
    v = v * 16 + static_cast<unsigned>(is_digit(c) ? c - '0' : (c | 0x20) - 'a' + 10);
  }
  return true;
}
bool special(unsigned char c) { return c == '"' || c == '\\' || c < 0x20; }

// The first byte in [p, end) that ends a run of plain string bytes: a quote, a backslash or a
// control byte. Eight bytes at a time (bodies and chunks are mostly string bytes): each test
// flags a matching byte's high bit, and a byte's flag is exact at the lowest flagged position
// (borrows only spill upwards past a real match).
const char* find_special(const char* p, const char* end) {
  constexpr std::uint64_t ones = 0x0101010101010101ULL;
  constexpr std::uint64_t highs = 0x8080808080808080ULL;
  while (end - p >= 8) {
    std::uint64_t w;
    std::memcpy(&w, p, 8);
    const std::uint64_t q = w ^ (ones * '"');
    const std::uint64_t b = w ^ (ones * '\\');
    const std::uint64_t hits = (((q - ones) & ~q) | ((b - ones) & ~b) | ((w - ones * 0x20) & ~w)) & highs;
    if (hits) return p + (__builtin_ctzll(hits) >> 3);
    p += 8;
  }
  while (p < end && !special(static_cast<unsigned char>(*p))) ++p;
  return p;
}

// A recursive-descent reader over text whose UTF-8 was checked beforehand. Each reader leaves
// `p` just past what it read, or returns false.
class scanner {
 public:
  scanner(std::string_view text, std::size_t max_depth)
      : begin_(text.data()), p_(text.data()), end_(text.data() + text.size()), max_depth_(max_depth) {}

  std::size_t offset() const { return static_cast<std::size_t>(p_ - begin_); }
  void skip_ws() {
    while (p_ < end_ && is_ws(*p_)) ++p_;
  }
  bool at_end() const { return p_ == end_; }
  char peek() const { return p_ < end_ ? *p_ : '\0'; }

  bool value(std::size_t depth) {
    if (p_ >= end_) return false;
    switch (*p_) {
      case '{': return object(depth + 1, nullptr);
      case '[': return array(depth + 1, nullptr);
      case '"': return string();
      case 't': return literal("true");
      case 'f': return literal("false");
      case 'n': return literal("null");
      default: return number();
    }
  }

  // `out`, if given, receives the members (offsets relative to the scanned text).
  bool object(std::size_t depth, object_scan* out) {
    if (depth > max_depth_ || p_ >= end_ || *p_ != '{') return false;
    if (out) out->open = offset();
    ++p_;
    skip_ws();
    if (peek() == '}') {
      if (out) out->close = offset();
      ++p_;
      return true;
    }
    for (;;) {
      skip_ws();
      const char* key_begin = p_;
      if (!string()) return false;
      const char* key_end = p_;
      const bool key_escaped = escaped_;
      skip_ws();
      if (peek() != ':') return false;
      ++p_;
      skip_ws();
      const char* value_begin = p_;
      if (!value(depth)) return false;
      if (out) {
        member m;
        m.key = std::string_view(key_begin + 1, static_cast<std::size_t>(key_end - key_begin) - 2);
        m.value = std::string_view(value_begin, static_cast<std::size_t>(p_ - value_begin));
        m.begin = static_cast<std::size_t>(key_begin - begin_);
        m.end = offset();
        m.key_escaped = key_escaped;
        out->members.push_back(m);
      }
      skip_ws();
      if (peek() == ',') {
        ++p_;
        continue;
      }
      if (peek() != '}') return false;
      if (out) out->close = offset();
      ++p_;
      return true;
    }
  }

  bool array(std::size_t depth, boost::container::small_vector<std::string_view, 8>* out) {
    if (depth > max_depth_ || p_ >= end_ || *p_ != '[') return false;
    ++p_;
    skip_ws();
    if (peek() == ']') {
      ++p_;
      return true;
    }
    for (;;) {
      skip_ws();
      const char* b = p_;
      if (!value(depth)) return false;
      if (out) out->emplace_back(b, static_cast<std::size_t>(p_ - b));
      skip_ws();
      if (peek() == ',') {
        ++p_;
        continue;
      }
      if (peek() != ']') return false;
      ++p_;
      return true;
    }
  }

  bool string() {
    if (p_ >= end_ || *p_ != '"') return false;
    ++p_;
    escaped_ = false;
    for (;;) {
      p_ = find_special(p_, end_);
      if (p_ >= end_) return false;
      const auto c = static_cast<unsigned char>(*p_);
      if (c == '"') {
        ++p_;
        return true;
      }
      if (c < 0x20 || end_ - p_ < 2) return false;
      escaped_ = true;
      switch (p_[1]) {
        case '"': case '\\': case '/': case 'b': case 'f': case 'n': case 'r': case 't':
          p_ += 2;
          break;
        case 'u': {
          // As simdjson judges them: a high surrogate must come with an escaped low one right
          // after it, and a low one never comes alone. Otherwise a body the DOM refuses would
          // pass here whenever a number too big for the DOM sent it this way.
          unsigned cp = 0;
          if (end_ - p_ < 6 || !hex4(p_ + 2, cp)) return false;
          p_ += 6;
          if (cp >= 0xDC00 && cp <= 0xDFFF) return false;
          if (cp >= 0xD800 && cp <= 0xDBFF) {
            unsigned low = 0;
            if (end_ - p_ < 6 || p_[0] != '\\' || p_[1] != 'u' || !hex4(p_ + 2, low) || low < 0xDC00 || low > 0xDFFF)
              return false;
            p_ += 6;
          }
          break;
        }
        default: return false;
      }
    }
  }

  bool number() {
    if (p_ < end_ && *p_ == '-') ++p_;
    if (p_ >= end_) return false;
    if (*p_ == '0') {
      ++p_;
    } else if (is_digit(*p_)) {
      while (p_ < end_ && is_digit(*p_)) ++p_;
    } else {
      return false;
    }
    if (p_ < end_ && *p_ == '.') {
      ++p_;
      if (p_ >= end_ || !is_digit(*p_)) return false;
      while (p_ < end_ && is_digit(*p_)) ++p_;
    }
    if (p_ < end_ && (*p_ == 'e' || *p_ == 'E')) {
      ++p_;
      if (p_ < end_ && (*p_ == '+' || *p_ == '-')) ++p_;
      if (p_ >= end_ || !is_digit(*p_)) return false;
      while (p_ < end_ && is_digit(*p_)) ++p_;
    }
    return true;
  }

  bool literal(std::string_view word) {
    if (static_cast<std::size_t>(end_ - p_) < word.size() || std::string_view(p_, word.size()) != word) return false;
    p_ += word.size();
    return true;
  }

 private:
  const char* begin_;
  const char* p_;
  const char* end_;
  std::size_t max_depth_;
  bool escaped_ = false;  // the last string read held an escape
};

// What a byte is to the locator inside a container: 1 a string's quote, 2 an opening bracket,
// 3 a closing one, 0 anything else.
constexpr auto byte_class = [] {
  std::array<unsigned char, 256> t{};
  t['"'] = 1;
  t['{'] = t['['] = 2;
  t['}'] = t[']'] = 3;
  return t;
}();

// Locating members in text already known to be valid JSON: no checks, strings skipped eight
// bytes at a time. `depth` receives the deepest nesting seen (the object itself is level 1).
class locator {
 public:
  explicit locator(std::string_view text) : begin_(text.data()), p_(text.data()), end_(text.data() + text.size()) {}

  void skip_ws() {
    while (p_ < end_ && is_ws(*p_)) ++p_;
  }
  std::size_t offset() const { return static_cast<std::size_t>(p_ - begin_); }
  std::size_t deepest() const { return deepest_; }
  bool at_end() const { return p_ >= end_; }

  // Past the string that starts at p_ (at the end of the text, for a string cut short); whether
  // it held an escape.
  bool skip_string() {
    bool escaped = false;
    ++p_;
    for (;;) {
      p_ = find_special(p_, end_);
      if (p_ >= end_) {
        p_ = end_;
        return escaped;
      }
      if (*p_ == '"') {
        ++p_;
        return escaped;
      }
      if (*p_ == '\\') {
        escaped = true;
        p_ = end_ - p_ > 2 ? p_ + 2 : end_;
      } else {
        ++p_;  // a control byte: not in valid text, stepped over
      }
    }
  }

  // Past the value that starts at p_ (a container: to its matching close).
  void skip_value(std::size_t depth) {
    if (p_ >= end_) return;
    const char c = *p_;
    if (c == '"') {
      skip_string();
      return;
    }
    if (c != '{' && c != '[') {
      while (p_ < end_ && *p_ != ',' && *p_ != '}' && *p_ != ']' && !is_ws(*p_)) ++p_;
      return;
    }
    std::size_t level = depth + 1;
    deepest_ = std::max(deepest_, level);
    ++p_;
    while (p_ < end_ && level > depth) {
      // Numbers, literals, commas, colons and spaces only separate what counts here.
      while (p_ < end_ && byte_class[static_cast<unsigned char>(*p_)] == 0) ++p_;
      if (p_ >= end_) break;
      switch (byte_class[static_cast<unsigned char>(*p_)]) {
        case 1:
          skip_string();
          continue;
        case 2:
          deepest_ = std::max(deepest_, ++level);
          break;
        default:
          --level;
          break;
      }
      ++p_;
    }
  }

  bool object(object_scan& out) {
    skip_ws();
    if (p_ >= end_ || *p_ != '{') return false;
    out.open = offset();
    deepest_ = std::max<std::size_t>(deepest_, 1);
    ++p_;
    for (;;) {
      skip_ws();
      if (p_ >= end_) return false;
      if (*p_ == '}') {
        out.close = offset();
        ++p_;
        return true;
      }
      if (*p_ == ',') {
        ++p_;
        continue;
      }
      if (*p_ != '"') return false;
      const char* key_begin = p_;
      member m;
      m.key_escaped = skip_string();
      if (p_ - key_begin < 2 || p_[-1] != '"') return false;  // cut short
      m.key = std::string_view(key_begin + 1, static_cast<std::size_t>(p_ - key_begin) - 2);
      m.begin = static_cast<std::size_t>(key_begin - begin_);
      skip_ws();
      if (p_ >= end_ || *p_ != ':') return false;
      ++p_;
      skip_ws();
      const char* value_begin = p_;
      skip_value(1);
      if (p_ == value_begin) return false;  // no value (a bracket out of place)
      m.value = std::string_view(value_begin, static_cast<std::size_t>(p_ - value_begin));
      m.end = offset();
      out.members.push_back(m);
    }
  }

  bool array(boost::container::small_vector<std::string_view, 8>& out) {
    skip_ws();
    if (p_ >= end_ || *p_ != '[') return false;
    ++p_;
    for (;;) {
      skip_ws();
      if (p_ >= end_) return false;
      if (*p_ == ']') {
        ++p_;
        return true;
      }
      if (*p_ == ',') {
        ++p_;
        continue;
      }
      const char* b = p_;
      skip_value(1);
      if (p_ == b) return false;  // no value (a bracket out of place): never loop on it
      out.emplace_back(b, static_cast<std::size_t>(p_ - b));
    }
  }

 private:
  const char* begin_;
  const char* p_;
  const char* end_;
  std::size_t deepest_ = 0;
};

// The validating scanner: for the texts the DOM parser refuses only for a number it cannot hold.
std::optional<object_scan> scan_checking_each_byte(std::string_view text, std::size_t max_depth) {
  if (!simdjson::validate_utf8(text.data(), text.size())) return std::nullopt;
  scanner s(text, max_depth);
  s.skip_ws();
  object_scan out;
  if (!s.object(1, &out)) return std::nullopt;  // the root is the first level
  s.skip_ws();
  if (!s.at_end()) return std::nullopt;
  return out;
}

}  // namespace

std::optional<object_scan> scan_object(std::string_view text, std::size_t max_depth) {
  if (text.empty()) return std::nullopt;  // an empty view may carry a null pointer
  // simdjson checks the text (UTF-8, grammar), many bytes at a time; then the members are only
  // located. One parser per thread (the reactor): it keeps its buffers.
  thread_local simdjson::dom::parser parser;
  simdjson::dom::element doc;
  const auto err = parser.parse(text.data(), text.size(), true).get(doc);
  if (err == simdjson::NUMBER_ERROR || err == simdjson::NUMBER_OUT_OF_RANGE)
    return scan_checking_each_byte(text, max_depth);  // JSON allows what a double cannot hold
  if (err != simdjson::SUCCESS || !doc.is_object()) return std::nullopt;
  locator l(text);
  object_scan out;
  if (!l.object(out) || l.deepest() > max_depth) return std::nullopt;
  return out;
}

std::optional<object_scan> locate_object(std::string_view text) {
  locator l(text);
  object_scan out;
  if (!l.object(out)) return std::nullopt;
  l.skip_ws();
  if (!l.at_end()) return std::nullopt;
  return out;
}

object_scan members_of(std::string_view object_text) {
  locator l(object_text);
  object_scan out;
  if (!l.object(out)) return {};
  return out;
}

boost::container::small_vector<std::string_view, 8> elements_of(std::string_view array_text) {
  locator l(array_text);
  boost::container::small_vector<std::string_view, 8> out;
  if (!l.array(out)) return {};
  return out;
}

}  // namespace gw::json
