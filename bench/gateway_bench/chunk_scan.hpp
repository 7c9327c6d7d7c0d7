#pragma once
// A minimal, allocation-free scan of one OpenAI response object (a streamed chunk or a whole
// non-streaming body) for what the bench measures: whether it carries generated text, whether
// it is an error, and the usage numbers. One pass over the bytes that tracks strings and nesting;
// no DOM. Malformed JSON is not diagnosed: the scan reports what it could see.

#include <cstdint>
#include <string_view>

namespace gw::bench {

struct chunk_info {
  bool content = false;    // a non-empty "content", "text", "reasoning_content" or "reasoning"
                           // string inside "choices" (delta, message or legacy text)
  bool error = false;      // a top-level "error" that is not null
  bool has_usage = false;  // a top-level "usage" object
  std::uint64_t prompt_tokens = 0;
  std::uint64_t completion_tokens = 0;
};

chunk_info scan_chunk(std::string_view json);

// The same for Anthropic's Messages API: one streamed event's data or a whole `message`.
//   content: a non-empty "text", "thinking" or "partial_json" string below the top level (a
//            content_block_delta's delta, or a message's content blocks);
//   error:   a top-level "type": "error";
//   usage:   a "usage" object at the top level (message_delta, a whole message) or in
//            message_start's message: input_tokens plus the cache read and creation tokens are
//            the prompt, output_tokens (cumulative) the completion;
//   end:     a top-level "type": "message_stop", the stream's last event.
struct message_event_info : chunk_info {
  bool end = false;
};
message_event_info scan_message_event(std::string_view json);

}  // namespace gw::bench
