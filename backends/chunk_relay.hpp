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
//
// An upstream writes the chunks of a stream alike: the same bytes before and after the one text
// that changes ({"id":"c1",...,"choices":[{"index":0,"delta":{"content":" word"},...}]}). Once a
// chunk with one plain text was relayed, a chunk made of the same bytes around a text that needs
// no escapes is relayed from that shape without being scanned again: the cached edited bytes
// before and after, with its text between. That is the hot path of a stream: most of its chunks
// differ from the one before only in their text.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "backends/finish_reason.hpp"

namespace gw {

struct relayed_usage {
  std::uint32_t prompt = 0;
  std::uint32_t completion = 0;
};

// What continue_stream needs: the client's `id` and `created` (JSON text as first written) and
// the completion tokens earlier targets streamed.
struct relay_continuation {
  std::string id;
  std::string created;
  std::uint32_t carried = 0;
};

struct chunk_facts {
  bool error = false;   // an {"error": {...}} event (nothing is written for it)
  bool shown = true;    // written for the client
  bool output = false;  // carries generated output: text, reasoning, tool calls, a finish...
  std::optional<finish_reason> finish;  // "length", or any other reason (as stop)
  std::optional<relayed_usage> usage;
  bool end = false;  // the stream's last event (a Messages stream's message_stop; OpenAI's end with [DONE])
};

class chunk_relay {
 public:
  // `public_model`: the id the client named; `client_usage`: it asked for usage itself.
  chunk_relay(std::string_view public_model, bool client_usage);

  // Appends `json` rewritten for the client to `out` (nothing when it is not shown, or an error
  // event) and describes it in `facts`. false when its structure is not a JSON object's (a
  // broken stream); the bytes inside are not judged (json::locate_object).
  bool relay(std::string& out, std::string_view json, chunk_facts& facts);
  // Chunks relayed from the kept shape.
  std::size_t reused() const { return reused_; }

  // Relays a continuation of a stream that another target began (mid-stream continuation,
  // gateway/continuation): every chunk carries `id` and `created` as the client first saw them
  // (JSON text), a chunk without output (the role that opens an answer) is not shown again, and
  // a usage shown to the client counts the whole answer: the `carried` tokens the first target
  // streamed move from prompt_tokens (where the prefill put them) to completion_tokens, so that
  // total_tokens stays the target's. `facts.usage` keeps what the target reported.
  void continue_stream(const relay_continuation& c);

 private:
  bool relay_scanned(std::string& out, std::string_view json, chunk_facts& facts);
  // After a chunk was relayed into out[from, ...): keeps its shape if it has one plain text.
  void keep_shape(std::string_view json, const std::string& out, std::size_t from, std::size_t text_in,
                  std::size_t text_out, std::size_t text_size);

  std::string model_;  // the public id as a JSON string
  std::string id_;     // the stream's first id, as written
  bool client_usage_;
  // The kept shape: the chunk's bytes up to its text's opening quote and from its closing quote,
  // and the same of what the client was sent.
  std::string in_before_, in_after_, out_before_, out_after_;
  std::size_t reused_ = 0;
  // continue_stream's: the client's `created`, the carried tokens, a rewritten usage.
  std::string created_;
  std::uint32_t carried_ = 0;
  bool continuing_ = false;
  std::string usage_out_;
};

}  // namespace gw
