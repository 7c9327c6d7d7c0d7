#pragma once
// OpenAI's response shapes, written directly as JSON text: chat.completion and its
// chat.completion.chunk stream, the legacy text_completion and its stream, and the model list.
// Pure string building, so the shapes are unit-tested without a server.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/generation.hpp"

namespace gw {

enum class api_kind { chat, completion };

// What every chunk of one response repeats.
struct response_meta {
  api_kind kind = api_kind::chat;
  std::string id;  // "chatcmpl-..." or "cmpl-...": one id for the whole stream
  std::int64_t created = 0;
  std::string model;
  bool include_usage = false;  // stream_options.include_usage: chunks carry "usage": null
  // chunk_opening(*this), set once the fields above are final, or empty. Every chunk of a stream
  // opens with the same id, created and model; written once, it is copied into each chunk instead
  // of escaped and formatted again per token.
  std::string opening{};
};

// What every stream chunk of `m` opens with: {"id":...,"object":...,"created":...,"model":...,
// ... "choices":[
std::string chunk_opening(const response_meta& m);

struct usage_counts {
  std::uint32_t prompt = 0;
  std::uint32_t completion = 0;
};

// One SSE event: "data: <json>\n\n".
void append_sse_event(std::string& out, std::string_view json);
inline constexpr std::string_view sse_done = "data: [DONE]\n\n";

// Stream chunks, each appended to `out` as one whole SSE event (no string of its own: a stream
// writes one per token). The first chat chunk carries role "assistant"; the finish chunk carries
// the one finish_reason of the stream; the usage chunk has empty choices.
void append_role_event(std::string& out, const response_meta& m);
void append_content_event(std::string& out, const response_meta& m, std::string_view text);
void append_finish_event(std::string& out, const response_meta& m, finish_reason r);
void append_usage_event(std::string& out, const response_meta& m, usage_counts u);

// Whole (non-streamed) responses.
std::string completion_body(const response_meta& m, std::string_view text, finish_reason r, usage_counts u);

// {"object":"list","data":[{"object":"embedding","index":i,"embedding":[...]}],"model",...,
// "usage"}; with `base64` each embedding is the base64 of its little-endian float32 values
// (what the OpenAI SDKs ask for by default).
std::string embeddings_body(std::string_view model, const std::vector<std::vector<float>>& vectors,
                            std::uint32_t prompt_tokens, bool base64);

struct model_entry {
  std::string id;
  std::int64_t created = 0;
};
std::string models_body(const std::vector<model_entry>& models);
std::string model_body(const model_entry& model);

}  // namespace gw
