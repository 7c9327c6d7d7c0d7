#pragma once
// Anthropic Messages request -> OpenAI chat request. The Messages front (messages_handler.cpp)
// translates at the edge and hands the chat body to the chat pipeline, so policy, limits, routes,
// metrics and every upstream kind serve both APIs alike. Pure: no I/O, unit-tested.
//
// What maps: system (string or text blocks) -> a system message; text and image blocks (base64
// and url sources) -> content parts; tool_use blocks -> the assistant's tool_calls; tool_result
// blocks -> tool messages, placed before the rest of their user turn; tools, tool_choice,
// stop_sequences, max_tokens, temperature, top_p, top_k, metadata.user_id (-> user), thinking
// (-> chat_template_kwargs.enable_thinking). Thinking blocks of earlier turns are dropped (chat
// upstreams take no reasoning as input). Unknown top-level fields are ignored.

#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "gateway/api_error.hpp"

namespace gw {

struct messages_translation {
  std::string model;
  bool stream = false;
  std::string chat_body;  // the OpenAI chat request
  std::vector<std::string> stop_sequences;  // to tell stop_sequence from end_turn in the answer
};

// `count_only`: for /v1/messages/count_tokens, where max_tokens is not required and the body is
// never sent. Errors name the Anthropic field (`messages[1].content[0].source`).
std::variant<messages_translation, api_error> to_chat_request(std::string_view body, bool count_only = false);

}  // namespace gw
