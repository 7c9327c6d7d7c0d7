#pragma once
// What the client receives of an OpenAI-compatible upstream's answer: each streamed chunk, or the
// whole non-streamed body, as the upstream wrote it, with only these edits (README, "What is
// forwarded"):
//  - `model` becomes the public model id the client asked for;
//  - one `id` per stream: a chunk whose id differs from the stream's first gets the first;
//  - when the client did not ask for usage (the gateway asked for it in its place), a chunk that
//    only carries usage is not shown, and `"usage": null` members are left out, so the client
//    sees what the upstream would have sent it directly.
// Meanwhile it reads what the gateway accounts: usage, the finish, whether the chunk carries
// output (the first such chunk is the stream's first token), and in-stream error events.
// Pure; one relay per upstream attempt.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "engine/generation.hpp"

namespace gw {

struct relayed_usage {
  std::uint32_t prompt = 0;
  std::uint32_t completion = 0;
};

struct chunk_facts {
  bool error = false;   // an {"error": {...}} event (nothing is written for it)
  bool shown = true;    // written for the client
  bool output = false;  // carries generated output: text, reasoning, tool calls, a finish...
  std::optional<finish_reason> finish;  // "length", or any other reason (as stop)
  std::optional<relayed_usage> usage;
};

class chunk_relay {
 public:
  // `public_model`: the id the client named; `client_usage`: it asked for usage itself.
  chunk_relay(std::string_view public_model, bool client_usage);

  // Appends `json` rewritten for the client to `out` (nothing when it is not shown, or an error
  // event) and describes it in `facts`. false when it is not a JSON object: a broken stream.
  bool relay(std::string& out, std::string_view json, chunk_facts& facts);

 private:
  std::string model_;  // the public id as a JSON string
  std::string id_;     // the stream's first id, as written
  bool client_usage_;
};

}  // namespace gw
