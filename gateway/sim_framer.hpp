#pragma once
// The wire form of a scripted sim sequence (engine/sim_script.hpp): n choices, reasoning_content,
// tool calls, logprobs and usage details, as OpenAI and vLLM write them. Plain sequences (no
// script) are framed by local_framer's plain writer; this one is chosen only for a script.
//
// Streamed chat: a role chunk per choice when the first output arrives; then per output one
// chunk for its choice: {"reasoning_content":...}, {"content":...} (with logprobs.content when
// asked), or tool_calls fragments (the first names id, type and function with arguments "",
// then {"index":0,"function":{"arguments":piece}}); a choice's finish chunk when it ends; the
// usage chunk (with completion_tokens_details.reasoning_tokens when the model reasoned) at the
// end if include_usage. Streamed legacy: text chunks with the legacy logprobs form. Not
// streamed: the whole body at the end, with message.reasoning_content, message.tool_calls
// (content null) and logprobs per choice.
//
// Reactor thread only (called by the token_stream).

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "engine/sim_script.hpp"
#include "engine/stream_framer.hpp"
#include "gateway/choice_json.hpp"
#include "gateway/openai_json.hpp"

namespace gw {

class sim_framer final : public stream_framer {
 public:
  // `meta.opening` should be set for a streamed request (written once, copied per chunk).
  // `echo_prompt`: legacy echo, prepended to each choice's text (it gets no logprobs).
  sim_framer(response_meta meta, std::shared_ptr<const sim_script> script, bool stream, std::string echo_prompt = {});

  void on_output(std::string& out, const sequence_output& o) override;
  void on_end(std::string& out, finish_reason r, std::uint32_t prompt_tokens,
              std::uint32_t completion_tokens) override;

 private:
  struct choice_state {
    std::string content;    // not streamed: the texts so far
    std::string reasoning;
    std::string arguments;
    std::string logprobs;   // chat: logprobs.content entries so far, comma-separated
    choice_json::legacy_logprobs legacy;
    std::uint32_t logprob_position = 0;  // content tokens given logprobs so far
    std::size_t text_offset = 0;         // legacy: bytes of the choice's text so far
    std::uint32_t reasoning_tokens = 0;
    bool echoed = false;
    bool call_opened = false;
    std::optional<finish_reason> finish;
  };

  void start(std::string& out);
  void content(std::string& out, std::uint32_t i, std::string_view text);
  void reasoning(std::string& out, std::uint32_t i, std::string_view text);
  void arguments(std::string& out, std::uint32_t i, std::string_view text);
  void finish(std::string& out, std::uint32_t i, finish_reason r);
  // An SSE chunk of choice i: {"index":i,"delta":{<delta>},"logprobs":<logprobs>,"finish_reason":null}.
  void chat_event(std::string& out, std::uint32_t i, std::string_view delta, std::string_view logprobs = "null");
  void append_message(std::string& out, std::uint32_t i) const;
  std::optional<std::uint32_t> reasoning_tokens() const;

  response_meta meta_;
  std::shared_ptr<const sim_script> script_;
  bool stream_;
  bool reasoning_model_;  // some choice has a reasoning segment: usage gets the details
  std::string echo_;
  std::vector<choice_state> choices_;
  std::string scratch_;  // reused for deltas
  bool started_ = false;
};

}  // namespace gw
