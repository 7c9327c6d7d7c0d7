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
// legacy completion's prompt to put before the text, or empty.
std::unique_ptr<stream_framer> make_local_framer(const response_meta& meta, bool stream, std::string echo);

}  // namespace gw
