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

}  // namespace gw::bench
