#pragma once
// What the client receives of a Messages-native upstream's answer (Anthropic's API, or a server
// that speaks it): each streamed event, or the whole non-streamed `message`, as the upstream
// wrote it, with one edit (README, "Messages-native providers"): the message's `model` becomes
// the public model id the client asked for (in message_start's message, or in the whole
// message), as chunk_relay does for OpenAI answers.
// Meanwhile it reads what the gateway accounts:
//  - usage: input_tokens plus cache_creation_input_tokens and cache_read_input_tokens are the
//    prompt, output_tokens (cumulative in message_delta) the completion;
//  - the stop: stop_reason max_tokens reads as length, any other as stop;
//  - output: content_block_delta and message_delta carry it (the first is the stream's first
//    token); message_start, content_block_start/stop and ping open, frame or keep the stream;
//  - the end: message_stop (a Messages stream has no [DONE]);
//  - error events, which are not written (the call fails; the consumer ends the stream).
// Pure; one relay per upstream attempt.

#include <string>
#include <string_view>

#include "backends/chunk_relay.hpp"

namespace gw {

class messages_relay {
 public:
  explicit messages_relay(std::string_view public_model);

  // One streamed event: appends it to `out` as an SSE event (the upstream's event name, else the
  // data's `type`) and describes it in `facts`. false when the data is not a JSON object's text.
  bool relay_event(std::string& out, std::string_view event, std::string_view data, chunk_facts& facts);
  // A whole non-streamed answer: appends it to `out`. false when it is not an object's text.
  bool relay_message(std::string& out, std::string_view json_text, chunk_facts& facts);

 private:
  // Appends the message object `message` with its model edited; reads its usage and stop.
  void relay_message_object(std::string& out, std::string_view message, chunk_facts& facts);
  void read_usage(std::string_view usage, chunk_facts& facts);
  static void read_stop(std::string_view stop_reason, chunk_facts& facts);

  std::string model_;    // the public id as a JSON string
  relayed_usage usage_;  // so far: message_start's, updated by each message_delta
  bool has_usage_ = false;
};

}  // namespace gw
