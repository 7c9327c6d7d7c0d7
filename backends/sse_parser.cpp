#include "backends/sse_parser.hpp"

#include <cstring>

namespace gw {

sse_parser::status sse_parser::feed(std::string_view bytes, const std::function<void(sse_event&&)>& on_event) {
  if (failed_) return status::too_large;
  // Line by line, each end found with memchr, never byte by byte: every byte of every upstream
  // stream passes here. A line that arrived whole is handled in place; only a line cut by the
  // chunk's end is copied, to be completed next time.
  const char* p = bytes.data();
  const char* const end = p + bytes.size();
  while (p < end) {
    if (last_was_cr_) {
      last_was_cr_ = false;
      if (*p == '\n') {  // the LF of a CRLF split across chunks (or within one)
        ++p;
        continue;
      }
    }
    const auto* lf = static_cast<const char*>(std::memchr(p, '\n', static_cast<std::size_t>(end - p)));
    const auto* cr = static_cast<const char*>(std::memchr(p, '\r', static_cast<std::size_t>((lf ? lf : end) - p)));
    const char* eol = cr ? cr : lf;  // the first CR or LF, or none
    const std::string_view piece(p, static_cast<std::size_t>((eol ? eol : end) - p));
    if (line_.size() + piece.size() + current_.data.size() > max_event_bytes_) {
      failed_ = true;
      return status::too_large;
    }
    if (!eol) {  // the line goes on in the next chunk
      line_.append(piece);
      break;
    }
    last_was_cr_ = *eol == '\r';
    if (line_.empty()) {
      line(piece, on_event);
    } else {
      line_.append(piece);
      line(line_, on_event);
      line_.clear();
    }
    p = eol + 1;
  }
  return status::ok;
}

void sse_parser::line(std::string_view l, const std::function<void(sse_event&&)>& on_event) {
  if (l.empty()) {  // blank line: dispatch
    if (has_data_) {
      current_.done = current_.data == "[DONE]";
      on_event(std::move(current_));
    }
    // Cleared, not replaced: the data's room is kept for the next event of the stream (a token's
    // chunk is the same size each time), which saves an allocation per event. A handler that
    // moved the strings out left them empty; an event far larger than usual gives its room back.
    current_.event.clear();
    current_.data.clear();
    current_.id.clear();
    current_.done = false;
    if (current_.data.capacity() > 64 * 1024) current_.data.shrink_to_fit();
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

void append_sse_event(std::string& out, std::string_view name, std::string_view data) {
  if (!name.empty()) out.append("event: ").append(name).append("\n");
  for (;;) {
    const auto nl = data.find('\n');
    out.append("data: ").append(data.substr(0, nl)).append("\n");
    if (nl == std::string_view::npos) break;
    data.remove_prefix(nl + 1);
  }
  out += '\n';
}

}  // namespace gw
