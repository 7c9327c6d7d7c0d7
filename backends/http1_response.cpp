#include "backends/http1_response.hpp"

#include <algorithm>

#include "backends/http1_chunked.hpp"
#include "backends/http1_syntax.hpp"

namespace gw {
namespace {

// A head this size is far past any real upstream's; the limit only stops a broken one.
constexpr std::size_t max_head_bytes = 64 * 1024;

}  // namespace

struct http1_response::impl {
  enum class phase { head, length, until_close, chunked, done };

  phase at = phase::head;
  bool got_some = false;
  std::size_t scanned = 0;  // head bytes already searched for its end
  int status = 0;
  bool keep_alive = false;
  std::uint64_t left = 0;  // of a Content-Length body
  http1::chunked_decoder chunks;

  // Parses a complete head; sets the framing. false: malformed, `error` says why.
  bool parse_head(std::string_view bytes, std::string& retry_after, std::string& error);
};

bool http1_response::impl::parse_head(std::string_view bytes, std::string& retry_after, std::string& error) {
  std::size_t pos = 0;
  std::string_view line;
  bool bad = false;
  http1::status_line start;
  if (!http1::valid_head_bytes(bytes)) {
    error = "control characters in the response head";
    return false;
  }
  if (!http1::next_line(bytes, pos, line, bad) || !http1::parse_status_line(line, start)) {
    error = "bad status line";
    return false;
  }
  http1::message_framing framing;
  retry_after.clear();
  std::string_view name, value;
  while (http1::next_field(bytes, pos, name, value, bad)) {
    http1::message_framing::field kind;
    if (!framing.read(name, value, kind)) {
      error = "bad or conflicting " + std::string(name);
      return false;
    }
    if (kind == http1::message_framing::field::other && retry_after.empty() && http1::iequals(name, "retry-after"))
      retry_after.assign(value);
  }
  if (bad) {
    error = "bad header field";
    return false;
  }
  status = start.status;
  keep_alive = framing.keep_alive(start.version);
  if (status < 200 || status == 204 || status == 304) {
    at = phase::done;  // no body, whatever the fields say (RFC 9112 §6.3)
  } else if (framing.chunked) {
    chunks.reset({});
    at = phase::chunked;
  } else if (framing.has_length) {
    left = framing.length;
    at = left > 0 ? phase::length : phase::done;
  } else {
    at = phase::until_close;
    keep_alive = false;
  }
  return true;
}

http1_response::http1_response() : impl_(std::make_unique<impl>()) { reset(); }
http1_response::~http1_response() = default;

void http1_response::reset() {
  *impl_ = impl{};
  error_.clear();
}

http1_response::state http1_response::feed(std::string_view bytes, events& ev, std::size_t& consumed) {
  consumed = 0;
  impl& p = *impl_;
  auto fail = [&](const char* why) {
    if (error_.empty()) error_ = why;
    return state::failed;
  };
  for (;;) {
    const std::string_view rest = bytes.substr(consumed);
    switch (p.at) {
      case impl::phase::head: {
        if (rest.empty()) return state::more;
        p.got_some = true;
        const std::size_t end = http1::find_head_end(rest, p.scanned);
        if (end == std::string_view::npos) {
          p.scanned = rest.size();
          if (rest.size() >= max_head_bytes) return fail("response head over 64 KiB");
          // Not HTTP at all fails at once, not after a head's worth of it.
          const std::size_t k = std::min<std::size_t>(rest.size(), 5);
          if (rest.substr(0, k) != std::string_view("HTTP/").substr(0, k)) return fail("not an HTTP/1 response");
          return state::more;
        }
        if (end > max_head_bytes) return fail("response head over 64 KiB");
        std::string retry_after;
        if (!p.parse_head(rest.substr(0, end), retry_after, error_)) return state::failed;
        consumed += end;
        p.scanned = 0;
        if (p.status < 200) {  // an interim (1xx) response: the real one follows on the connection
          p.at = impl::phase::head;
          continue;
        }
        ev.on_head(p.status, retry_after);
        break;
      }
      case impl::phase::length: {
        if (rest.empty()) return state::more;
        const auto n = static_cast<std::size_t>(std::min<std::uint64_t>(p.left, rest.size()));
        if (!ev.on_body(rest.substr(0, n))) return state::stopped;
        consumed += n;
        p.left -= n;
        if (p.left == 0) p.at = impl::phase::done;
        break;
      }
      case impl::phase::until_close:
        if (rest.empty()) return state::more;
        if (!ev.on_body(rest)) return state::stopped;
        consumed += rest.size();
        return state::more;
      case impl::phase::chunked: {
        std::size_t used = 0;
        std::string_view piece;
        const auto step = p.chunks.next(rest, used, piece);
        consumed += used;
        using s = http1::chunked_decoder::step;
        if (step == s::data) {
          if (!ev.on_body(piece)) return state::stopped;
        } else if (step == s::more) {
          return state::more;
        } else if (step == s::done) {
          p.at = impl::phase::done;
        } else {
          return fail(step == s::trailer_limit ? "trailers over 64 KiB" : "bad chunked coding");
        }
        break;
      }
      case impl::phase::done: return state::done;
    }
  }
}

http1_response::state http1_response::feed_eof(events&) {
  switch (impl_->at) {
    case impl::phase::head:
      error_ = impl_->got_some ? "the connection closed inside the response head"
                               : "the connection closed before a response";
      return state::failed;
    case impl::phase::until_close: impl_->at = impl::phase::done; return state::done;
    case impl::phase::done: return state::done;
    default: error_ = "the connection closed inside the response body"; return state::failed;
  }
}

bool http1_response::got_some() const { return impl_->got_some; }
bool http1_response::keep_alive() const { return impl_->at == impl::phase::done && impl_->keep_alive; }

}  // namespace gw
