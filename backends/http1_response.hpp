#pragma once
// Incremental parser of the HTTP/1.1 responses an upstream sends on one connection, for the
// plain-http client (backends/http1_client). Beast's basic_parser does the syntax and framing
// (Content-Length, chunked, read until close, none for 1xx, 204 and 304: RFC 9112 §6.3) under the
// policy of backends/http1_parser.hpp; this keeps none of the header fields but Retry-After and
// never buffers the body: it reports the final head (1xx heads are skipped) and the body's bytes
// as they are parsed.
// Pure: bytes in, events out, no I/O. One object per connection, reset before each response.

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

namespace gw {

class http1_response {
 public:
  struct events {
    virtual ~events() = default;
    // The final (non-1xx) status line and header block are in; `retry_after` is the header's
    // raw value, empty if absent.
    virtual void on_head(int status, std::string_view retry_after) = 0;
    // A piece of the body, chunked framing removed. false: stop parsing (the consumer left).
    virtual bool on_body(std::string_view bytes) = 0;
  };

  enum class state {
    more,     // everything given was consumed or kept; feed more bytes
    done,     // the response is complete; bytes after it were not consumed
    failed,   // malformed, or over a limit: the connection cannot be used again
    stopped,  // on_body returned false
  };

  http1_response();
  ~http1_response();
  http1_response(const http1_response&) = delete;
  http1_response& operator=(const http1_response&) = delete;

  // Starts a new response (the next one on a kept-alive connection).
  void reset();

  // Parses as much of `bytes` as it can. `consumed` is how many bytes were used; the rest (a
  // partial status line, header or chunk size) must be given again, followed by more.
  state feed(std::string_view bytes, events& ev, std::size_t& consumed);

  // The connection reached end of stream: completes a body delimited by the close, or fails.
  state feed_eof(events& ev);

  bool got_some() const;     // any byte of this response was parsed
  bool keep_alive() const;   // after done: the connection may carry another request
  const std::string& error() const { return error_; }

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
  std::string error_;
};

}  // namespace gw
