#pragma once
// From a validated request to what an engine runs: the rendered prompt, its token count, the
// effective max_tokens (the request's, or the model's default, within the model's length) and
// the seed. Pure; a request that cannot fit the model's context is a 400 here, before queueing.

#include <cstdint>
#include <optional>
#include <string_view>
#include <variant>

#include "engine/generation.hpp"
#include "gateway/api_error.hpp"
#include "gateway/api_types.hpp"
#include "gateway/config.hpp"
#include "gateway/openai_json.hpp"

namespace gw {

// `entropy` seeds requests that ask for neither a seed nor temperature 0, so that those vary
// from one request to the next as sampled generations do.
std::variant<generation_params, api_error> make_generation(const chat_request& r, const model_config& m,
                                                           std::uint64_t entropy);
std::variant<generation_params, api_error> make_generation(const completion_request& r,
                                                           const model_config& m, std::uint64_t entropy);

// For a model on the built-in sim: reads the request's protocol features from its body's members
// (sim_features.hpp) and, when they need one, plans the sim's script into `g` (script and n).
// A 400 when the features are refused, or when n choices of max_tokens do not fit the
// engine's token budget (the batcher could never admit them).
std::optional<api_error> plan_sim(const json::object_scan& fields, api_kind kind, const model_config& m,
                                  generation_params& g);

// The chat template the built-in engine sees: one "<|role|>\ncontent\n" block per message, then
// "<|assistant|>\n".
std::string render_chat_prompt(const std::vector<chat_message>& messages);

// The text that places a request among local servers by prefix affinity: the conversation's
// opening (its messages up to and including the first that is not a system or developer
// message), rendered and cut at `max_chars`. Every later turn of a conversation starts with the
// same opening, so the whole conversation lands where its prefix is cached; conversations that
// share a long system prompt share a server too. Legacy completions use the prompt's start.
std::string affinity_key(const chat_request& r, std::size_t max_chars);
std::string affinity_key(const completion_request& r, std::size_t max_chars);

}  // namespace gw
