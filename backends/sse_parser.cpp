#include "backends/sse_parser.hpp"

namespace gw {

sse_parser::status sse_parser::feed(std::string_view bytes, const std::function<void(sse_event&&)>& on_event) {
  if (failed_) return status::too_large;
  for (char c : bytes) {
    if (last_was_cr_) {
      last_was_cr_ = false;
      if (c == '\n') continue;  // the LF of a CRLF split across chunks (or within one)
    }
    if (c == '\r' || c == '\n') {
      last_was_cr_ = c == '\r';
      line(line_, on_event);
      line_.clear();
      continue;
    }
    line_ += c;
    if (line_.size() + current_.data.size() > max_event_bytes_) {
      failed_ = true;
      return status::too_large;
    }
  }
  return status::ok;
}

void sse_parser::line(std::string_view l, const std::function<void(sse_event&&)>& on_event) {
  if (l.empty()) {  // blank line: dispatch
    if (has_data_) {
      current_.done = current_.data == "[DONE]";
      on_event(std::move(current_));
    }
    current_ = {};
    has_data_ = false;
    return;
  }
  if (l.front() == ':') return;  // comment (heartbeats)
  const auto colon = l.find(':');
  std::string_view field = l.substr(0, colon);
  std::string_view value = colon == std::string_view::npos ? std::string_view{} : l.substr(colon + 1);
  if (!value.empty() && value.front() == ' ') value.remove_prefix(1);
  if (field == "data") {
    if (has_data_) current_.data += '\n';
    current_.data.append(value);
    has_data_ = true;
  } else if (field == "event") {
    current_.event.assign(value);
  } else if (field == "id") {
    current_.id.assign(value);
  }
  // "retry" and unknown fields are ignored, as the spec says.
}

}  // namespace gw
