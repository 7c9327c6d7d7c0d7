#pragma once
// How the gateway writes an in-process engine's sequence for the client: the OpenAI chunks of a
// chat.completion.chunk / text_completion stream, or the whole chat.completion / text_completion
// body at the end (engine/stream_framer.hpp). Upstream servers' answers are relayed instead.

#include <memory>
#include <string>

#include "engine/stream_framer.hpp"
#include "gateway/openai_json.hpp"

namespace gw {

// `meta` is final (id, created, model, include_usage; `opening` set for a stream). `echo`: a
// legacy completion's prompt to put before the text, or empty. `script`: the sim's plan when the
// request uses what plain text does not (n, reasoning, tools, JSON formats, logprobs): such a
// sequence is framed by sim_framer; plain ones by the plain writers here.
std::unique_ptr<stream_framer> make_local_framer(const response_meta& meta, bool stream, std::string echo,
                                                 std::shared_ptr<const sim_script> script = {});

}  // namespace gw
