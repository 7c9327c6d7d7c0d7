#pragma once
// What a client has been sent of a streamed answer, read back from the SSE events written to it
// (a local server's relayed chunks or the sim's framed ones): the text of its one choice, the
// stream's `id` and `created` as written, and whatever makes a continuation by another target
// incorrect. Mid-stream continuation (gateway/continuation) keeps one per stream when the model
// has `routing.continue_on_failure`. Pure.

#include <cstdint>
#include <string>
#include <string_view>

namespace gw {

class stream_transcript {
 public:
  // Reads `events`: whole SSE events (`data: {json}\n\n`), as handed to the client.
  void feed(std::string_view events);

  const std::string& text() const { return text_; }  // choice 0's content (or legacy text), decoded
  const std::string& id() const { return id_; }      // the first chunk's id, as JSON text
  const std::string& created() const { return created_; }  // its `created`, as JSON text
  bool role_sent() const { return role_sent_; }
  // Why another target cannot go on from here, or nullptr: tool calls were streamed (a half
  // written argument), the stream is inside reasoning (no content since its reasoning began),
  // logprobs were streamed, a choice other than 0, a choice already finished, or a chunk the
  // transcript could not read.
  const char* refusal() const;

 private:
  void read_chunk(std::string_view json);

  std::string text_;
  std::string id_;
  std::string created_;
  bool role_sent_ = false;
  bool tool_calls_ = false;
  bool in_reasoning_ = false;
  bool logprobs_ = false;
  bool other_choice_ = false;
  bool finished_ = false;
  bool unreadable_ = false;
};

}  // namespace gw
