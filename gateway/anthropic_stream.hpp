#pragma once
// OpenAI chat.completion.chunk stream -> Anthropic Messages event stream, one chunk at a time.
// Pure (no I/O): the Messages front feeds it each SSE event's data and writes what it appends.
//
// The sequence it writes: message_start (id msg_..., role assistant, model, empty content,
// usage with the gateway's prompt estimate); per block content_block_start, its deltas
// (thinking_delta then signature_delta for reasoning_content, text_delta for content,
// input_json_delta for each tool call's arguments), content_block_stop; at [DONE] message_delta
// (stop_reason, stop_sequence, usage as the upstream reported it) and message_stop. An error
// object ends the stream with one `error` event, as Anthropic's do (an open block stays open).
// Blocks never interleave: a chunk of another kind closes the open block. Only choice 0 is read
// (Messages has no `n`).
// Not thread-safe; one per stream.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace gw {

class anthropic_stream {
 public:
  anthropic_stream(std::vector<std::string> stop_sequences, std::uint32_t input_tokens_estimate)
      : stop_sequences_(std::move(stop_sequences)), input_tokens_(input_tokens_estimate) {}

  // One SSE event's data: a chunk, or an error envelope {"error":{...}}.
  void on_data(std::string_view data, std::string& out);
  // The upstream's [DONE]: closes the message (once; later calls append nothing).
  void on_done(std::string& out);
  // The keep-alive that replaces the gateway's SSE comment.
  static void ping(std::string& out);

  bool finished() const { return finished_; }

 private:
  enum class block { none, text, thinking, tool_use };

  void start_message(std::string_view id, std::string_view model, std::string& out);
  void open_block(block kind, std::string_view start_json, std::string& out);
  void close_block(std::string& out);
  void delta(std::string_view delta_json, std::string& out);
  void tool_calls(std::string_view calls, std::string& out);
  void fail(std::string_view type, std::string_view message, std::string& out);

  std::vector<std::string> stop_sequences_;
  std::uint32_t input_tokens_;
  std::string output_tokens_ = "0";
  bool started_ = false;
  bool finished_ = false;
  block open_ = block::none;
  int index_ = -1;          // the open (or last) block's index
  int tool_index_ = -1;     // the OpenAI index of the tool call the open tool_use block holds
  std::string finish_reason_ = "stop";
  std::string vllm_stop_ = "null";
};

}  // namespace gw
