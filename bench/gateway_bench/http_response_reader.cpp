#include "bench/gateway_bench/http_response_reader.hpp"

#include <charconv>

namespace gw::bench {
namespace {

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
    if (x != y) return false;
  }
  return true;
}

// True when the comma-separated header value lists `token` (case-insensitive).
bool has_token(std::string_view value, std::string_view token) {
  while (!value.empty()) {
    const auto comma = value.find(',');
    std::string_view item = value.substr(0, comma);
    while (!item.empty() && (item.front() == ' ' || item.front() == '\t')) item.remove_prefix(1);
    while (!item.empty() && (item.back() == ' ' || item.back() == '\t')) item.remove_suffix(1);
    if (iequals(item, token)) return true;
    if (comma == std::string_view::npos) break;
    value.remove_prefix(comma + 1);
  }
  return false;
}

// Takes one line (up to LF) from `in` into `line`, returning true when it is complete (without
// its CR LF); an incomplete line stays in `line` for the next call.
bool take_line(std::string_view& in, std::string& line, std::size_t limit, bool& too_long) {
  const auto nl = in.find('\n');
  const std::size_t n = nl == std::string_view::npos ? in.size() : nl;
  line.append(in.data(), n);
  in.remove_prefix(nl == std::string_view::npos ? n : n + 1);
  too_long = line.size() > limit;
  if (nl == std::string_view::npos) return false;
  if (!line.empty() && line.back() == '\r') line.pop_back();
  return true;
}

}  // namespace

void http_response_reader::reset() {
  state_ = state::headers;
  mode_ = body_mode::none;
  head_.clear();
  remaining_ = 0;
  cr_seen_ = false;
  status_ = 0;
  keep_alive_ = true;
  started_ = false;
  error_ = "";
}

http_response_reader::result http_response_reader::fail(const char* why) {
  state_ = state::failed;
  error_ = why;
  return result::error;
}

http_response_reader::result http_response_reader::parse_head() {
  std::string_view h = head_;
  const auto eol = h.find("\r\n");
  const std::string_view status_line = h.substr(0, eol);
  // "HTTP/1.1 200 OK"
  if (status_line.size() < 12 || !status_line.starts_with("HTTP/1.") || status_line[8] != ' ')
    return fail("bad status line");
  const bool http10 = status_line[7] == '0';
  int code = 0;
  const auto res = std::from_chars(status_line.data() + 9, status_line.data() + 12, code);
  if (res.ec != std::errc{} || res.ptr != status_line.data() + 12 || code < 100) return fail("bad status code");
  status_ = code;
  keep_alive_ = !http10;
  bool chunked = false, has_length = false;
  std::uint64_t length = 0;
  std::string_view rest = h.substr(eol + 2);
  while (!rest.empty()) {
    const auto e = rest.find("\r\n");
    const std::string_view line = rest.substr(0, e);
    rest.remove_prefix(e == std::string_view::npos ? rest.size() : e + 2);
    if (line.empty()) break;
    const auto colon = line.find(':');
    if (colon == std::string_view::npos) return fail("bad header line");
    const std::string_view name = line.substr(0, colon);
    std::string_view value = line.substr(colon + 1);
    while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
    while (!value.empty() && (value.back() == ' ' || value.back() == '\t')) value.remove_suffix(1);
    if (iequals(name, "content-length")) {
      const auto r = std::from_chars(value.data(), value.data() + value.size(), length);
      if (r.ec != std::errc{} || r.ptr != value.data() + value.size()) return fail("bad Content-Length");
      has_length = true;
    } else if (iequals(name, "transfer-encoding")) {
      chunked = has_token(value, "chunked");
    } else if (iequals(name, "connection")) {
      if (has_token(value, "close")) keep_alive_ = false;
      else if (has_token(value, "keep-alive")) keep_alive_ = true;
    }
  }
  head_.clear();
  if (code < 200) {  // 100 Continue and friends: another header block follows
    state_ = state::headers;
    return result::need_more;
  }
  if (code == 204 || code == 304) {
    mode_ = body_mode::none;
    state_ = state::done;
  } else if (chunked) {
    mode_ = body_mode::chunked;
    state_ = state::chunk_size;
  } else if (has_length) {
    mode_ = body_mode::length;
    remaining_ = length;
    state_ = length == 0 ? state::done : state::body_length;
  } else {
    mode_ = body_mode::until_close;
    keep_alive_ = false;
    state_ = state::body_until_close;
  }
  return result::need_more;
}

http_response_reader::result http_response_reader::next(std::string_view& in, std::string_view& body) {
  if (!in.empty()) started_ = true;
  for (;;) {
    switch (state_) {
      case state::headers: {
        if (in.empty()) return result::need_more;
        // Search the joined header bytes for the blank line, starting just before the new ones.
        const std::size_t old = head_.size();
        head_.append(in);
        const auto end = head_.find("\r\n\r\n", old >= 3 ? old - 3 : 0);
        if (end == std::string::npos) {
          in = {};
          if (head_.size() > max_header_bytes) return fail("response headers too large");
          return result::need_more;
        }
        if (end + 4 > max_header_bytes) return fail("response headers too large");
        const std::size_t used = end + 4 - old;
        in.remove_prefix(used);
        head_.resize(end + 4);
        if (parse_head() == result::error) return result::error;
        break;
      }
      case state::body_length: {
        if (in.empty()) return result::need_more;
        const std::size_t n = in.size() < remaining_ ? in.size() : static_cast<std::size_t>(remaining_);
        body = in.substr(0, n);
        in.remove_prefix(n);
        remaining_ -= n;
        if (remaining_ == 0) state_ = state::done;
        return result::body;
      }
      case state::body_until_close:
        if (in.empty()) return result::need_more;
        body = in;
        in = {};
        return result::body;
      case state::chunk_size: {
        if (in.empty()) return result::need_more;
        bool too_long = false;
        if (!take_line(in, head_, 1024, too_long)) {
          if (too_long) return fail("chunk size line too long");
          return result::need_more;
        }
        std::string_view line = head_;
        line = line.substr(0, line.find(';'));  // chunk extensions are ignored
        while (!line.empty() && (line.back() == ' ' || line.back() == '\t')) line.remove_suffix(1);
        std::uint64_t size = 0;
        const auto r = std::from_chars(line.data(), line.data() + line.size(), size, 16);
        if (line.empty() || r.ec != std::errc{} || r.ptr != line.data() + line.size()) return fail("bad chunk size");
        head_.clear();
        remaining_ = size;
        state_ = size == 0 ? state::trailers : state::chunk_data;
        break;
      }
      case state::chunk_data: {
        if (in.empty()) return result::need_more;
        const std::size_t n = in.size() < remaining_ ? in.size() : static_cast<std::size_t>(remaining_);
        body = in.substr(0, n);
        in.remove_prefix(n);
        remaining_ -= n;
        if (remaining_ == 0) state_ = state::chunk_data_end;
        return result::body;
      }
      case state::chunk_data_end: {
        // Exactly CR LF (a bare LF is tolerated) ends the chunk's data; the CR may come alone.
        if (in.empty()) return result::need_more;
        if (!cr_seen_ && in.front() == '\r') {
          cr_seen_ = true;
          in.remove_prefix(1);
          if (in.empty()) return result::need_more;
        }
        if (in.front() != '\n') return fail("missing CRLF after chunk data");
        in.remove_prefix(1);
        cr_seen_ = false;
        state_ = state::chunk_size;
        break;
      }
      case state::trailers: {
        if (in.empty()) return result::need_more;
        bool too_long = false;
        if (!take_line(in, head_, max_header_bytes, too_long)) {
          if (too_long) return fail("trailers too large");
          return result::need_more;
        }
        const bool blank = head_.empty();
        head_.clear();
        if (blank) state_ = state::done;
        break;
      }
      case state::done:
        return result::complete;
      case state::failed:
        return result::error;
    }
  }
}

http_response_reader::result http_response_reader::on_eof() {
  if (state_ == state::done) return result::complete;
  if (state_ == state::body_until_close) {
    state_ = state::done;
    return result::complete;
  }
  return fail(state_ == state::headers ? "connection closed before the response headers"
                                       : "connection closed in the middle of the body");
}

}  // namespace gw::bench
