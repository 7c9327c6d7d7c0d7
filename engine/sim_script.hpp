#pragma once
// The simulated engine's plan for one request: what each of its n choices says, token by token,
// so that the sim speaks the whole chat protocol (reasoning, tool calls, JSON answers, logprobs)
// the way a real model served by vLLM does. The gateway reads the request's features
// (gateway/sim_features), plans once, and hands the same immutable script to the engine, which
// generates it, and to the framer, which writes it in the API's shape.
//
// The deterministic rules (README.md, "What the sim says"):
//  - choice i's text is seeded by the request's seed (choice 0 exactly as a plain request, so
//    n = 1 answers as a request without n does) and i;
//  - reasoning (chat only, when the model reasons and the request did not turn it off): a
//    reasoning segment of 24..151 tokens of its own text carried on to a sentence end (at most
//    400), before the answer; reasoning tokens count as completion tokens;
//  - tools (chat only): tool_choice "none" never calls; "required" and a named function always
//    call (the named one, or the tools' draw); "auto" (the default with tools) calls when the
//    last message is not a tool result and the choice's draw says so (3 times in 4), the tool
//    being drawn among the tools. A call's arguments are a JSON instance of the function's
//    parameters schema ({} without one); the choice then finishes with tool_calls;
//  - response_format json_object / json_schema: the answer is a JSON instance of the schema
//    (json_object: {"answer":...,"confidence":...});
//  - otherwise the answer is the sim text up to its natural end (or max_tokens, ignore_eos);
//  - every choice stops at max_tokens with finish length, whatever it was saying (a tool call's
//    arguments or a JSON answer cut short are invalid JSON, as a real model's are).
// Stop strings apply to free-text answers only.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/generation.hpp"
#include "engine/sim_json.hpp"

namespace gw {

enum class tool_choice_mode : std::uint8_t { none, automatic, required, named };
enum class response_format_kind : std::uint8_t { text, json_object, json_schema };

struct sim_tool {
  std::string name;
  std::optional<sim_json> parameters;  // the function's JSON Schema; absent: no arguments
};

// What the planner needs from a request; gateway/sim_features reads it from the client's body.
struct sim_features {
  bool chat = true;        // false: a legacy completion (no reasoning, no tools)
  bool reasoning = false;  // the model reasons and the request left it on
  std::vector<sim_tool> tools;
  tool_choice_mode tool_choice = tool_choice_mode::automatic;
  std::string tool_choice_name;  // with tool_choice_mode::named
  bool last_message_is_tool = false;
  response_format_kind format = response_format_kind::text;
  std::optional<sim_json> schema;  // with json_schema: json_schema.schema
  bool logprobs = false;
  std::uint32_t top_logprobs = 0;  // 0..20
  std::uint32_t n = 1;
  std::uint64_t seed = 0;  // generation_params::seed
};

// A run of one choice's tokens on one channel: either fixed text, one token per piece, or
// (`open`) the choice's free text until its natural end.
struct script_segment {
  output_channel channel = output_channel::content;
  bool open = false;
  std::vector<std::string> pieces;
};

struct tool_call_plan {
  std::string id;    // "call_" + 24 alphanumerics
  std::string name;
};

struct choice_script {
  std::uint64_t seed = 0;  // the free text's seed
  std::vector<script_segment> segments;  // in order; never empty
  std::optional<tool_call_plan> tool_call;
  finish_reason finish = finish_reason::stop;  // when every segment completes within max_tokens
  std::uint32_t reasoning_tokens = 0;  // the reasoning segment's length (it comes first)
};

struct sim_script {
  std::vector<choice_script> choices;  // n of them
  bool logprobs = false;
  std::uint32_t top_logprobs = 0;
};

sim_script plan_script(const sim_features& f);

// Whether a request with these features needs a script at all: plain text, one choice, no
// logprobs is what the engine and framer do without one.
bool needs_script(const sim_features& f);

// `text` cut into token-sized pieces (runs of one character class, at most 4 bytes, a leading
// space kept with the word after it, never inside a UTF-8 sequence); joined they give `text`.
std::vector<std::string> token_pieces(std::string_view text);

// The seed of choice `i` of a request seeded `seed` (choice 0: `seed` itself).
std::uint64_t choice_seed(std::uint64_t seed, std::uint32_t i);

}  // namespace gw
