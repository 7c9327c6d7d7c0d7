#pragma once
// Reads what an OpenAI-compatible upstream sends: the JSON of one streamed chunk (chat or legacy
// completion), and error bodies. simdjson stays inside the .cpp.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "engine/generation.hpp"

namespace gw {

struct upstream_usage {
  std::uint32_t prompt = 0;
  std::uint32_t completion = 0;
};

struct upstream_chunk {
  std::string text;  // delta.content (chat) or text (legacy); may be empty
  std::optional<finish_reason> finish;
  std::optional<upstream_usage> usage;
  std::optional<std::string> error;  // an in-stream {"error":{...}} event: its message
};

// nullopt when `json` is not a chunk we understand (the stream is then treated as broken).
std::optional<upstream_chunk> parse_upstream_chunk(std::string_view json);

// The "message" of an OpenAI-style error body, if there is one.
std::optional<std::string> upstream_error_message(std::string_view body);

}  // namespace gw
