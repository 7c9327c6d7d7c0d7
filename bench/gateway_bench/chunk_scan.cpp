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

// Walks the members of `s` in one pass, tracking strings and nesting: for each member it calls
// on_member(key, at, depth, marked), `at` being its value's first byte, `depth` 1 for the
// top-level object's members, and `marked` whether the member is directly inside the object
// that an earlier call marked by returning true (for that member's value, an object).
template <class F>
void walk_members(std::string_view s, F&& on_member) {
  int depth = 0;
  int marked_depth = -1;
  bool mark_next = false;
  std::size_t i = 0;
  while (i < s.size()) {
    const char c = s[i];
    if (c == '"') {
      const std::size_t end = string_end(s, i + 1);
      if (end == std::string_view::npos) return;
      const std::string_view k = s.substr(i + 1, end - i - 1);
      i = end + 1;
      while (i < s.size() && is_ws(s[i])) ++i;
      if (i >= s.size() || s[i] != ':') continue;  // a value, not a key
      ++i;
      while (i < s.size() && is_ws(s[i])) ++i;
      if (i >= s.size()) return;
      if (on_member(k, i, depth, depth == marked_depth) && s[i] == '{') mark_next = true;
      continue;  // the value itself is scanned by the loop
    }
    if (c == '{' || c == '[') {
      ++depth;
      if (mark_next) {
        marked_depth = depth;
        mark_next = false;
      }
    } else if (c == '}' || c == ']') {
      if (depth == marked_depth) marked_depth = -1;
      --depth;
    }
    ++i;
  }
}

}  // namespace

chunk_info scan_chunk(std::string_view s) {
  chunk_info info;
  walk_members(s, [&](std::string_view k, std::size_t i, int depth, bool in_usage) {
    switch (classify(k)) {
      case key::content:
        // Depth 3 and deeper is inside "choices": the chunk's own fields are at depth 1.
        if (depth >= 3 && s[i] == '"' && i + 1 < s.size() && s[i + 1] != '"') info.content = true;
        break;
      case key::usage:
        if (depth == 1 && s[i] == '{') return info.has_usage = true;
        break;
      case key::error:
        if (depth == 1 && s[i] != 'n') info.error = true;
        break;
      case key::prompt_tokens:
        if (in_usage) info.prompt_tokens = read_uint(s, i);
        break;
      case key::completion_tokens:
        if (in_usage) info.completion_tokens = read_uint(s, i);
        break;
      case key::other:
        break;
    }
    return false;
  });
  return info;
}

message_event_info scan_message_event(std::string_view s) {
  message_event_info info;
  walk_members(s, [&](std::string_view k, std::size_t i, int depth, bool in_usage) {
    const bool string_value = s[i] == '"';
    if (depth == 1 && k == "type" && string_value) {
      const std::size_t end = string_end(s, i + 1);
      if (end == std::string_view::npos) return false;
      const std::string_view type = s.substr(i + 1, end - i - 1);
      if (type == "error") info.error = true;
      else if (type == "message_stop") info.end = true;
    } else if ((k == "text" || k == "thinking" || k == "partial_json") && depth >= 2 && string_value &&
               i + 1 < s.size() && s[i + 1] != '"') {
      info.content = true;
    } else if (k == "usage" && depth <= 2 && s[i] == '{') {
      return info.has_usage = true;
    } else if (in_usage && s[i] >= '0' && s[i] <= '9') {
      if (k == "output_tokens") info.completion_tokens = read_uint(s, i);
      else if (k == "input_tokens" || k == "cache_read_input_tokens" || k == "cache_creation_input_tokens")
        info.prompt_tokens += read_uint(s, i);
    }
    return false;
  });
  return info;
}

}  // namespace gw::bench
