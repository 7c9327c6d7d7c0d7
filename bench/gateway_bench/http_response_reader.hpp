#pragma once
// An incremental HTTP/1.1 response parser for the client side of one keep-alive connection:
// status line and headers, then the body framed by Content-Length, chunked encoding or the
// connection's close. Bytes may arrive split anywhere. Body bytes are handed out as views into
// the caller's input (no copy); only the header block and chunk-size lines are buffered.
// Pure: no I/O, not thread-safe, one reader per connection, reset() before each response.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace gw::bench {

class http_response_reader {
 public:
  enum class result {
    need_more,  // `in` is used up; feed the next bytes
    body,       // `body` holds the next body bytes (a view into `in`)
    complete,   // the response ended; `in` holds what follows it
    error,      // malformed; see error()
  };

  void reset();

  // Consumes from the front of `in` up to the next event.
  result next(std::string_view& in, std::string_view& body);

  // The peer closed the connection: complete when the body runs to the close, else error.
  result on_eof();

  bool headers_done() const { return state_ > state::headers; }
  bool started() const { return started_; }  // any byte of this response seen
  int status() const { return status_; }
  bool keep_alive() const { return keep_alive_; }
  bool chunked() const { return mode_ == body_mode::chunked; }
  std::string_view error() const { return error_; }

  static constexpr std::size_t max_header_bytes = 64 * 1024;

 private:
  enum class state { headers, body_length, body_until_close, chunk_size, chunk_data, chunk_data_end, trailers, done, failed };
  enum class body_mode { none, length, chunked, until_close };

  result fail(const char* why);
  result parse_head();  // head_ holds status line + headers + blank line

  state state_ = state::headers;
  body_mode mode_ = body_mode::none;
  std::string head_;  // header bytes (and later one chunk-size or trailer line)
  std::uint64_t remaining_ = 0;
  int status_ = 0;
  bool keep_alive_ = true;
  bool started_ = false;
  bool cr_seen_ = false;  // chunk_data_end: the CR arrived, the LF not yet
  const char* error_ = "";
};

}  // namespace gw::bench
