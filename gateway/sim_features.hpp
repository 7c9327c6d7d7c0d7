#pragma once
// What the simulated engine needs to know of a request beyond the validated fields: tools and
// tool_choice, response_format, logprobs / top_logprobs, n, whether reasoning is turned off
// (chat_template_kwargs), and whether the last message is a tool result. Read from the client's
// raw body, leniently: the validator decides what is valid OpenAI; this reader refuses (400)
// only what the sim could not answer sensibly:
//  - n that is not an integer in 1..128;
//  - tools that is not an array, an entry that is not an object, a function tool whose
//    function.name is not a non-empty string (entries of other types are skipped);
//  - tool_choice that is not "none" / "auto" / "required" or {"type":"function","function":
//    {"name": a tool's name}}; "required" or a named function without tools;
//  - response_format that is not an object of type "text", "json_object" or "json_schema", or
//    a json_schema whose `json_schema` is not an object;
//  - top_logprobs (chat) not an integer in 0..20; legacy `logprobs` not an integer in 0..20;
//  - tools, tool_choice or response_format holding a number past what a DOM reads (an integer
//    over 64 bits, 1e400): the sim could not follow that schema.
// Anything else unusual is ignored (a non-object `parameters` reads as no parameters).
//
// Reasoning: on when the model reasons (config: the preset, or sim.reasoning) unless the request
// sends chat_template_kwargs {"enable_thinking": false} or {"thinking": false} (vLLM's and
// DeepSeek's switches). Legacy completions never reason.
//
// Thread-safe: the parser is per thread.

#include <string_view>
#include <variant>

#include "backends/json_scan.hpp"
#include "engine/sim_logprobs.hpp"
#include "engine/sim_script.hpp"
#include "gateway/api_error.hpp"
#include "gateway/openai_json.hpp"

namespace gw {

inline constexpr std::uint32_t max_choices = 128;  // OpenAI's bound on n

// The features of a chat or legacy completion request that the validator accepted, from its
// top-level members as the validator's scan found them (api_types.hpp: `fields`). Only the
// members named above are parsed; a plain request's cost is a look at its keys. `seed` is
// left 0 for the caller to set from the generation.
std::variant<sim_features, api_error> read_sim_features(const json::object_scan& fields, api_kind kind,
                                                        bool reasoning_model);

}  // namespace gw
