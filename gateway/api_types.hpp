#pragma once
// Validated OpenAI request types. The validator (request_validator.cpp) is the only code that
// sees raw JSON; everything after it works on these types, whose invariants it guarantees:
// strings are valid UTF-8, numbers are in range, `stop` holds at most 4 non-empty strings.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace gw {

enum class message_role { system, developer, user, assistant, tool };

struct chat_message {
  message_role role = message_role::user;
  // A string content, or the text parts of an array content joined in order.
  std::string content;
  std::string name;  // optional participant name; empty when absent
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
  std::string user;
};

struct completion_request {
  std::string model;
  std::string prompt;  // a string, or an array holding exactly one string
  sampling_params sampling;
  bool stream = false;
  bool include_usage = false;
  bool echo = false;  // prepend the prompt to the completion text
  std::string user;
};

// POST /v1/embeddings.
struct embedding_request {
  std::string model;
  std::vector<std::string> inputs;         // `input`: a string, or an array of 1..2048 strings
  std::optional<std::uint32_t> dimensions;  // shorten vectors to this many dimensions (>= 1)
  bool base64 = false;                     // encoding_format "base64" (default "float")
  std::string user;
};

const char* to_string(message_role r);

}  // namespace gw
