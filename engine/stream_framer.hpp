#pragma once
// What an in-process engine's sequence looks like on the wire. An engine produces token text; a
// framer, set by the gateway on the sequence's token_stream when the request is submitted, turns
// each step's output into what the client receives: the API's stream chunks (SSE events) when
// streamed, or, once the sequence ends, the whole response body. Streams fed by an upstream
// server carry that server's own chunks instead and have no framer.
//
// Called on the reactor thread by the token_stream, in the engine's output order.

#include <cstdint>
#include <string>

#include "engine/generation.hpp"

namespace gw {

class stream_framer {
 public:
  virtual ~stream_framer() = default;
  // Appends to `out` what one engine output adds for the client (possibly nothing, e.g. for a
  // non-streamed request, which is written whole by on_end).
  virtual void on_output(std::string& out, const sequence_output& o) = 0;
  // The sequence ended with `r` (after its last on_output): appends the last chunks (finish,
  // usage when the client asked for it) or the whole body. The consumer writes `data: [DONE]`.
  virtual void on_end(std::string& out, finish_reason r, std::uint32_t prompt_tokens,
                      std::uint32_t completion_tokens) = 0;
};

}  // namespace gw
