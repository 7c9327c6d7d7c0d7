#pragma once
// OpenAI chat answers -> Anthropic Messages answers: a whole chat.completion -> a `message`, and
// OpenAI error envelopes -> Anthropic's {"type":"error","error":{"type","message"}}. Pure: no I/O.
// The streamed half is anthropic_stream.hpp.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace gw {

// Anthropic's error type for an HTTP status: 400 invalid_request_error, 401
// authentication_error, 403 permission_error, 404 not_found_error, 413 request_too_large, 429
// rate_limit_error, 503 overloaded_error (the status stays 503: see README), other 5xx api_error.
const char* anthropic_error_type(unsigned status);

// {"type":"error","error":{"type":type,"message":message}}
std::string anthropic_error_json(std::string_view type, std::string_view message);

// The Anthropic envelope for an OpenAI envelope sent with `status` (its message kept). A body
// that is not an OpenAI envelope keeps a generic message.
std::string anthropic_error_from_openai(unsigned status, std::string_view openai_body);

// The error type for an OpenAI error object met inside a started stream, where no status is
// left to go by: from its `type` and `code`.
std::string anthropic_stream_error_type(std::string_view openai_error_object);

// "msg_" + the chat id without its "chatcmpl-" prefix.
std::string message_id(std::string_view chat_id);

// finish_reason -> stop_reason: stop -> end_turn (stop_sequence when the choice's vLLM
// `stop_reason` is one of the request's stop sequences), length -> max_tokens, tool_calls and
// function_call -> tool_use, content_filter -> refusal. `vllm_stop` is that member's raw JSON.
struct stop_info {
  std::string reason;                   // Anthropic stop_reason
  std::optional<std::string> sequence;  // the stop sequence that matched
};
stop_info to_stop_info(std::string_view finish_reason, std::string_view vllm_stop,
                       const std::vector<std::string>& stop_sequences);

// Appends a tool call's arguments as an `input` object: the arguments when they are a JSON
// object, else {} (a model that wrote broken JSON).
void append_tool_input(std::string& out, std::string_view arguments);

// A chat.completion body -> a Messages `message` body; nullopt when it is not a completion.
std::optional<std::string> to_message(std::string_view completion, const std::vector<std::string>& stop_sequences);

}  // namespace gw
