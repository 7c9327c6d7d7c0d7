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

// Reads the chunks of one stream. An upstream writes every chunk of a stream alike: the same id,
// creation time, model and fields, with only the text in between, e.g.
//   {"id":"chatcmpl-1","object":"chat.completion.chunk",...,"delta":{"content":" word"},...}
// Once a chunk was read whole and its text was written without escapes, a chunk made of the same
// bytes before and after the text, with text that needs no escapes either, reads the same but
// for the text: its JSON is not parsed again. Parsing every chunk was a quarter of a streamed
// request's instructions (bench/HISTORY.md). Answers equal parse_upstream_chunk's.
class upstream_chunk_reader {
 public:
  std::optional<upstream_chunk> read(std::string_view json);
  // Chunks read from the kept shape, without parsing.
  std::size_t reused() const { return reused_; }

 private:
  std::string shape_;   // the last plain chunk without its text: the part before, then the part after
  std::size_t split_ = 0;  // where the part after begins in shape_
  std::optional<finish_reason> finish_;
  std::optional<upstream_usage> usage_;
  std::size_t reused_ = 0;
};

// The "message" of an OpenAI-style error body, if there is one.
std::optional<std::string> upstream_error_message(std::string_view body);

}  // namespace gw
