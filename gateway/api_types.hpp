#pragma once
// Validated OpenAI request types. The validator (request_validator.cpp) is the only code that
// sees raw JSON; everything after it works on these types, whose invariants it guarantees:
// strings are valid UTF-8, numbers are in range, `stop` holds at most 4 non-empty strings.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "backends/json_scan.hpp"

namespace gw {

// Each non-text content part (image, audio, file) counts as this many prompt tokens in the
// gateway's estimate: OpenAI's figure for one 1024x1024 image at high detail. The gateway never
// decodes media; the estimate only has to keep routing, context checks and TPM limits honest.
inline constexpr std::uint32_t media_part_tokens = 765;

enum class message_role { system, developer, user, assistant, tool };

struct chat_message {
  message_role role = message_role::user;
  // A string content, or the text parts of an array content joined in order.
  std::string content;
  std::string name;  // optional participant name; empty when absent
  std::uint32_t media_parts = 0;  // non-text content parts (forwarded, never read)
  std::string tool_calls;         // an assistant turn's tool_calls, as compact JSON (or empty)
};

// Sampling options shared by chat and legacy completions.
struct sampling_params {
  std::optional<std::uint32_t> max_tokens;  // max_tokens or max_completion_tokens, >= 1
  double temperature = 1.0;                 // [0, 2]
  double top_p = 1.0;                       // (0, 1]
  std::optional<std::uint64_t> seed;
  std::vector<std::string> stop;  // 0..4 non-empty strings
  bool ignore_eos = false;        // vLLM's extension: generate max_tokens, ignoring the end token
};

struct chat_request {
  std::string model;
  std::vector<chat_message> messages;  // at least one
  sampling_params sampling;
  bool stream = false;
  bool include_usage = false;  // stream_options.include_usage
  std::uint32_t n = 1;         // choices asked for
  // Prompt tokens the rendered messages do not show: tool definitions, media parts.
  std::uint32_t extra_prompt_tokens = 0;
  json::object_scan fields;    // where the body's members lie (the body is forwarded)
};

struct completion_request {
  std::string model;
  std::string prompt;  // a string, or an array holding exactly one string
  sampling_params sampling;
  bool stream = false;
  bool include_usage = false;
  bool echo = false;  // prepend the prompt to the completion text
  std::uint32_t n = 1;
  json::object_scan fields;
};

// POST /v1/embeddings.
struct embedding_request {
  std::string model;
  std::vector<std::string> inputs;         // `input`: a string, or an array of 1..2048 strings
  std::optional<std::uint32_t> dimensions;  // shorten vectors to this many dimensions (>= 1)
  bool base64 = false;                     // encoding_format "base64" (default "float")
  // `input` held token ids: `inputs` are then their ids as text (what the sim embeds), and
  // input_tokens counts the ids.
  bool token_input = false;
  std::uint32_t input_tokens = 0;
  json::object_scan fields;
};

const char* to_string(message_role r);

}  // namespace gw
