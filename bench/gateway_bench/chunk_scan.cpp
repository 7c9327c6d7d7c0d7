#include "bench/gateway_bench/chunk_scan.hpp"

#include <cstring>

namespace gw::bench {
namespace {

enum class key { other, content, usage, error, prompt_tokens, completion_tokens };

key classify(std::string_view k) {
  switch (k.size()) {
    case 4: return k == "text" ? key::content : key::other;
    case 5: return k == "usage" ? key::usage : k == "error" ? key::error : key::other;
    case 7: return k == "content" ? key::content : key::other;
    case 9: return k == "reasoning" ? key::content : key::other;
    case 13: return k == "prompt_tokens" ? key::prompt_tokens : key::other;
    case 17:
      if (k == "reasoning_content") return key::content;
      return k == "completion_tokens" ? key::completion_tokens : key::other;
    default: return key::other;
  }
}

bool is_ws(char c) { return c == ' ' || c == '\n' || c == '\r' || c == '\t'; }

// Index of the quote that closes the string whose body starts at `i`, or npos.
std::size_t string_end(std::string_view s, std::size_t i) {
  for (;;) {
    const void* q = std::memchr(s.data() + i, '"', s.size() - i);
    if (!q) return std::string_view::npos;
    const std::size_t at = static_cast<std::size_t>(static_cast<const char*>(q) - s.data());
    // Escaped when preceded by an odd number of backslashes.
    std::size_t bs = 0;
    while (at > bs && s[at - 1 - bs] == '\\') ++bs;
    if (bs % 2 == 0) return at;
    i = at + 1;
  }
}

std::uint64_t read_uint(std::string_view s, std::size_t i) {
  std::uint64_t v = 0;
  while (i < s.size() && s[i] >= '0' && s[i] <= '9') v = v * 10 + static_cast<std::uint64_t>(s[i++] - '0');
  return v;
}

}  // namespace

chunk_info scan_chunk(std::string_view s) {
  chunk_info info;
  int depth = 0;        // 1 inside the top-level object
  int usage_depth = -1; // depth inside the top-level "usage" object
  bool next_is_usage = false;
  std::size_t i = 0;
  while (i < s.size()) {
    const char c = s[i];
    if (c == '"') {
      const std::size_t end = string_end(s, i + 1);
      if (end == std::string_view::npos) break;
      const std::string_view str = s.substr(i + 1, end - i - 1);
      i = end + 1;
      while (i < s.size() && is_ws(s[i])) ++i;
      if (i >= s.size() || s[i] != ':') continue;  // a value, not a key
      ++i;
      while (i < s.size() && is_ws(s[i])) ++i;
      if (i >= s.size()) break;
      switch (classify(str)) {
        case key::content:
          // Depth 3 and deeper is inside "choices": the chunk's own fields are at depth 1.
          if (depth >= 3 && s[i] == '"' && i + 1 < s.size() && s[i + 1] != '"') info.content = true;
          break;
        case key::usage:
          if (depth == 1 && s[i] == '{') next_is_usage = true;
          break;
        case key::error:
          if (depth == 1 && s[i] != 'n') info.error = true;
          break;
        case key::prompt_tokens:
          if (depth == usage_depth) info.prompt_tokens = read_uint(s, i);
          break;
        case key::completion_tokens:
          if (depth == usage_depth) info.completion_tokens = read_uint(s, i);
          break;
        case key::other:
          break;
      }
      continue;  // the value itself is scanned by the loop
    }
    if (c == '{' || c == '[') {
      ++depth;
      if (next_is_usage) {
        usage_depth = depth;
        info.has_usage = true;
        next_is_usage = false;
      }
    } else if (c == '}' || c == ']') {
      if (depth == usage_depth) usage_depth = -1;
      --depth;
    }
    ++i;
  }
  return info;
}

message_event_info scan_message_event(std::string_view s) {
  message_event_info info;
  int depth = 0;
  int usage_depth = -1;
  bool next_is_usage = false;
  std::size_t i = 0;
  while (i < s.size()) {
    const char c = s[i];
    if (c == '"') {
      const std::size_t end = string_end(s, i + 1);
      if (end == std::string_view::npos) break;
      const std::string_view k = s.substr(i + 1, end - i - 1);
      i = end + 1;
      while (i < s.size() && is_ws(s[i])) ++i;
      if (i >= s.size() || s[i] != ':') continue;  // a value, not a key
      ++i;
      while (i < s.size() && is_ws(s[i])) ++i;
      if (i >= s.size()) break;
      const bool string_value = s[i] == '"';
      const bool non_empty = string_value && i + 1 < s.size() && s[i + 1] != '"';
      if (depth == 1 && k == "type" && string_value) {
        const std::size_t vend = string_end(s, i + 1);
        if (vend == std::string_view::npos) break;
        const std::string_view type = s.substr(i + 1, vend - i - 1);
        if (type == "error") info.error = true;
        else if (type == "message_stop") info.end = true;
      } else if ((k == "text" || k == "thinking" || k == "partial_json") && depth >= 2 && non_empty) {
        info.content = true;
      } else if (k == "usage" && depth <= 2 && s[i] == '{') {
        next_is_usage = true;
      } else if (depth == usage_depth && s[i] >= '0' && s[i] <= '9') {
        if (k == "output_tokens") info.completion_tokens = read_uint(s, i);
        else if (k == "input_tokens" || k == "cache_read_input_tokens" || k == "cache_creation_input_tokens")
          info.prompt_tokens += read_uint(s, i);
      }
      continue;  // the value itself is scanned by the loop
    }
    if (c == '{' || c == '[') {
      ++depth;
      if (next_is_usage) {
        usage_depth = depth;
        info.has_usage = true;
        next_is_usage = false;
      }
    } else if (c == '}' || c == ']') {
      if (depth == usage_depth) usage_depth = -1;
      --depth;
    }
    ++i;
  }
  return info;
}

}  // namespace gw::bench
