#pragma once
// The body that asks a second target to go on with an answer a first one left half-written
// (mid-stream continuation, README "Streams that survive a local server"): the body the target
// would have received (forward_body's), plus the text the client has already seen, given the way
// the target understands a prefill:
//  - chat, `continue_final_message` (vLLM, SGLang): the partial text as a last assistant message,
//    and `"continue_final_message":true,"add_generation_prompt":false` at the top level;
//  - chat, `prefix` (DeepSeek's API): the partial text as a last assistant message marked
//    `"prefix":true`;
//  - legacy completions, any mode but `none`: the partial text appended to a string prompt.
// `max_tokens` / `max_completion_tokens` shrink by the tokens already generated. Everything else
// is the forwarded body's bytes. Pure.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "backends/json_scan.hpp"

namespace gw {

// How a target takes a prefill (config `continuation:` on an `openai` pool or a provider).
enum class prefill_mode { none, continue_final_message, prefix };
// "none", "continue_final_message", "prefix"; nullopt for another name.
std::optional<prefill_mode> prefill_mode_from(std::string_view name);

struct continuation_input {
  bool chat = true;           // /chat/completions (else legacy /completions)
  prefill_mode mode = prefill_mode::none;
  std::string_view partial;   // the assistant text already streamed (decoded)
  std::uint32_t tokens_done = 0;  // completion tokens already generated
};

// nullopt when the target cannot continue this request (mode none, a prompt that is not one
// string, a malformed body, or no tokens left under max_tokens); `why` then names the reason
// (a static string, for logs and metrics).
std::optional<std::string> continuation_body(std::string_view forwarded, const continuation_input& in,
                                             const char** why = nullptr);

// Why a request cannot be continued whatever the target, from the client's body: more than one
// choice (`n`, `best_of`), logprobs (a second model's would not match), legacy `echo` or
// `suffix`. nullptr when nothing in the request forbids it.
const char* request_refuses_continuation(const json::object_scan& fields, bool chat);

}  // namespace gw
