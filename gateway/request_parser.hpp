#pragma once
// Incremental parser of the HTTP/1.1 requests a client sends on one connection
// (gateway/http_session.cpp). Beast's basic_parser does the syntax and framing, under the policy
// of backends/http1_parser.hpp (no obs-fold, bounded chunk extensions and trailers); what is kept
// is only the header fields the gateway reads, straight into strings, and the body. Conflicting
// framing (a length beside chunked, lengths that differ) fails here; request_limits refuses the
// rest of what could smuggle a request. Trailer fields are counted, never merged into the head.
//
// Pure: bytes in, state out, no I/O; the session reads and feeds. One object per connection,
// reset before each request.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "gateway/request_limits.hpp"

namespace gw {

// The header fields the gateway reads, each the first occurrence's value (as Beast's
// fields::operator[] gave it), empty when absent.
struct request_head {
  std::string method;
  std::string target;
  unsigned version = 11;
  bool keep_alive = false;
  std::string x_request_id;
  std::string x_priority;
  std::string restricted;     // the configured restricted-data header
  std::string traceparent;
  std::string tracestate;     // every line's value, joined by commas; cut past 513 bytes
  std::string authorization;
  std::string x_api_key;               // Anthropic's key header (the Messages API's clients)
  std::string anthropic_version;       // at most 64 bytes kept
  std::string anthropic_beta;          // every line's value, joined by commas; at most 1024 bytes
  std::string origin;                  // at most 512 bytes kept
  std::string cors_request_method;     // Access-Control-Request-Method, at most 64
  std::string cors_request_headers;    // Access-Control-Request-Headers, at most 2048
  bool expect_continue = false;        // Expect: 100-continue
};

class request_parser {
 public:
  struct limits {
    std::uint32_t header_bytes = 16 * 1024;
    std::uint64_t body_bytes = 1 << 20;
    // Whose value request_head::restricted keeps; null: none. Read while parsing, so that it
    // points into the live config (a reload may change it between two requests).
    const std::string* restricted_header = nullptr;
  };

  enum class state {
    more,       // everything given was consumed or must be given again with more bytes
    head_done,  // the head is complete; the body follows (feed again)
    done,       // the request is complete; bytes after it were not consumed
    failed,     // see failure()
  };
  enum class failure {
    none,
    header_limit,     // the head, or the trailer section, is larger than limits.header_bytes
    body_limit,       // Content-Length, or the chunks read so far, over limits.body_bytes
    chunk_extension,  // chunk extensions over 4 KiB in total, or a chunk line or trailers that never end
    malformed,        // not HTTP/1.1
  };

  request_parser();
  ~request_parser();
  request_parser(const request_parser&) = delete;
  request_parser& operator=(const request_parser&) = delete;

  // Starts the next request on the connection, under the limits the config has now.
  void reset(const limits& l);

  // Parses as much of `bytes` as it can: stops after the head (head_done), so that the head can
  // be checked and 100-continue sent before the body is read, and at the request's end.
  // `consumed` is how many bytes were used; the rest must be given again, followed by more.
  state feed(std::string_view bytes, std::size_t& consumed);

  bool got_some() const;
  failure why() const { return failure_; }
  const request_head& head() const;
  request_head& head();  // to move the strings out once the request is done
  const request_framing& framing() const;
  std::string take_body();

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
  failure failure_ = failure::none;
};

}  // namespace gw
