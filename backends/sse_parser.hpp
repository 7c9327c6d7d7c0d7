#pragma once
// An incremental Server-Sent Events parser for upstream streams (the WHATWG event-stream rules):
// input may arrive split anywhere, even inside a CRLF; lines end in LF, CR or CRLF; ':' lines
// are comments; several data lines join with '\n'; an event is dispatched at a blank line.
// The data "[DONE]" is surfaced as a flag, since OpenAI-style streams end with it.
// Not thread-safe; one parser per upstream transfer. Memory is bounded by max_event_bytes.

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>

namespace gw {

struct sse_event {
  std::string event;  // "event:" field; empty means "message"
  std::string data;   // data lines joined with '\n'
  std::string id;
  bool done = false;  // data was exactly "[DONE]"
};

class sse_parser {
 public:
  explicit sse_parser(std::size_t max_event_bytes = 1u << 20) : max_event_bytes_(max_event_bytes) {}

  enum class status { ok, too_large };
  // Feeds bytes; calls `on_event` for each complete event. After too_large the parser is done.
  status feed(std::string_view bytes, const std::function<void(sse_event&&)>& on_event);

 private:
  void line(std::string_view l, const std::function<void(sse_event&&)>& on_event);

  std::size_t max_event_bytes_;
  std::string line_;  // the current, unfinished line
  sse_event current_;
  bool has_data_ = false;
  bool last_was_cr_ = false;  // a CR ended the previous chunk: a following LF belongs to it
  bool failed_ = false;
};

// Appends one event as a server writes it: "event: NAME\n" (when named), a "data: " line per
// line of `data`, and the blank line that ends it. The inverse of sse_parser.
void append_sse_event(std::string& out, std::string_view name, std::string_view data);

}  // namespace gw
