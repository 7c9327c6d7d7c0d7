#pragma once
// Why a choice ended, in OpenAI's words: the wire vocabulary that upstream answers carry and that
// every engine reports (engine/generation.hpp).

namespace gw {

// tool_calls: the answer is a tool call. content_filter is OpenAI's and passes through from
// upstreams; no local engine produces it.
enum class finish_reason { stop, length, tool_calls, content_filter };
const char* to_string(finish_reason r);

}  // namespace gw
