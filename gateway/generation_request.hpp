#pragma once
// From a validated request to what an engine runs: the rendered prompt, its token count, the
// effective max_tokens (the request's, or the model's default, within the model's length) and
// the seed. Pure; a request that cannot fit the model's context is a 400 here, before queueing.

#include <cstdint>
#include <variant>

#include "engine/generation.hpp"
#include "gateway/api_error.hpp"
#include "gateway/api_types.hpp"
#include "gateway/config.hpp"

namespace gw {

// `entropy` seeds requests that ask for neither a seed nor temperature 0, so that those vary
// from one request to the next as sampled generations do.
std::variant<generation_params, api_error> make_generation(const chat_request& r, const model_config& m,
                                                           std::uint64_t entropy);
std::variant<generation_params, api_error> make_generation(const completion_request& r,
                                                           const model_config& m, std::uint64_t entropy);

// The chat template the built-in engine sees: one "<|role|>\ncontent\n" block per message, then
// "<|assistant|>\n".
std::string render_chat_prompt(const std::vector<chat_message>& messages);

}  // namespace gw
