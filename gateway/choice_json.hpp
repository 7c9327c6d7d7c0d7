#pragma once
// The parts of OpenAI's response shapes beyond one plain-text choice (openai_json.hpp writes
// those): chunk and body frames around any choices, logprob entries (chat's and the legacy
// form), and usage with completion_tokens_details. The sim's framer (sim_framer.hpp) composes
// its chunks and bodies from them. Pure string building.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "engine/sim_logprobs.hpp"
#include "gateway/openai_json.hpp"

namespace gw::choice_json {

// "data: " and a chunk's opening ({"id":...,"choices":[) / the choices' end, usage: null when
// the client asked for usage, the chunk's end and "\n\n". Between them go choice objects.
void open_event(std::string& out, const response_meta& m);
void close_event(std::string& out, const response_meta& m);

// A whole response's opening ({"id":...,"object":"chat.completion" or "text_completion",
// ...,"choices":[). The caller writes the choices, then close_body.
void open_body(std::string& out, const response_meta& m);
void close_body(std::string& out, usage_counts u, std::optional<std::uint32_t> reasoning_tokens);

// "usage":{"prompt_tokens":..,"completion_tokens":..,"total_tokens":..} with, given reasoning
// tokens, "completion_tokens_details":{"reasoning_tokens":..}.
void append_usage(std::string& out, usage_counts u, std::optional<std::uint32_t> reasoning_tokens);
// The usage chunk of a stream (empty choices), as an SSE event.
void append_usage_event(std::string& out, const response_meta& m, usage_counts u,
                        std::optional<std::uint32_t> reasoning_tokens);

// One chat logprobs.content entry: {"token","logprob","bytes","top_logprobs":[...]}.
void append_chat_logprob(std::string& out, std::string_view token, const position_logprobs& lp);

// The legacy completions' logprobs, four parallel arrays filled token by token.
struct legacy_logprobs {
  std::string tokens, token_logprobs, top_logprobs, text_offset;  // array contents, no brackets
  void add(std::string_view token, const position_logprobs& lp, std::size_t offset);
  bool empty() const { return tokens.empty(); }
  void append_to(std::string& out) const;  // {"tokens":[...],"token_logprobs":[...],...}
};

}  // namespace gw::choice_json
