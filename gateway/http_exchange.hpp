#pragma once
// What a route handler sees of one HTTP exchange, free of Beast types: the request's parts it
// needs, a sink to answer through, and the record the access log and metrics are written from.
// Only http_session.cpp knows Beast; handlers stay cheap to compile and easy to test.

#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "gateway/request_span.hpp"

namespace gw {

struct api_key_config;
using header_list = std::vector<std::pair<std::string, std::string>>;

struct incoming_request {
  std::string method;  // "GET", "POST", ...
  std::string path;    // target without the query string
  unsigned version = 11;
  std::string body;
  std::string request_id;  // from X-Request-Id (validated) or generated
  std::string priority;    // raw X-Priority header, empty if absent
  bool restricted = false;  // carries the configured restricted-data header and value
  std::string traceparent; // W3C trace context, if well-formed
  std::string tracestate;  // its companion, if bounded and printable (gateway/tracer)
  std::unique_ptr<request_span> span;  // the gateway's span of the request, with tracing on
  std::string authorization;  // raw Authorization header (never logged)
  std::string x_api_key;      // raw x-api-key header, Anthropic's clients' key (never logged)
  // anthropic-version and anthropic-beta, passed on to Messages-native providers.
  std::string anthropic_version;
  std::string anthropic_beta;
  // A /v1/messages request's body as the client sent it (its `body` became the chat translation):
  // what a Messages-native provider receives. Empty for every other request.
  std::string messages_body;
  std::string origin;         // Origin (browser requests)
  std::string cors_request_method;   // Access-Control-Request-Method (preflight)
  std::string cors_request_headers;  // Access-Control-Request-Headers (preflight)
  std::shared_ptr<const api_key_config> key;  // the caller's key, once authenticated
  std::chrono::steady_clock::time_point received_at;
};

// Answers one request. Every call returns false once the client is gone or a write failed;
// a handler then stops (its caller closes the connection).
class response_sink {
 public:
  virtual ~response_sink() = default;
  virtual boost::asio::awaitable<bool> send(unsigned status, std::string_view content_type,
                                            std::string body, const header_list& extra) = 0;
  // Starts a Server-Sent Events response: 200, text/event-stream, no caching or proxy buffering;
  // chunked on HTTP/1.1, close-delimited on HTTP/1.0.
  virtual boost::asio::awaitable<bool> start_events(const header_list& extra) = 0;
  virtual boost::asio::awaitable<bool> send_events(std::string_view sse) = 0;
  virtual boost::asio::awaitable<bool> end_events() = 0;
  virtual bool started() const = 0;  // a status line was sent
  // The answer that follows was written by an upstream in the client's own protocol (a
  // Messages-native provider answering /v1/messages): a sink that translates answers passes its
  // bodies and events as they are. Called before any of them is sent.
  virtual void answer_is_native() {}
  // Gives up on the client (a reader too slow for the stream): nothing more is written and the
  // connection closes when the handler returns.
  virtual void drop() = 0;
};

// Filled by the handler, read by the session for the access log and metrics.
struct exchange_record {
  std::string_view endpoint;  // route label for metrics ("/v1/chat/completions", "other"): static
  unsigned status = 0;   // 499 when the client went away first
  std::string model;
  std::string route;     // "local:<model>" when an engine served it
  // "local" (in-process engines), "local-server" (an `openai` pool), "remote" (a provider);
  // empty until a target takes the request. Static strings: a metrics label.
  std::string_view route_kind;
  std::uint32_t prompt_tokens = 0;
  std::uint32_t completion_tokens = 0;
  double ttft_s = -1;    // < 0 when no token was produced
  std::string error;     // error code when it failed
  std::string key_name;  // the authenticated key's name, if any
  bool continued = false;  // another target went on with the stream (`route` names each, "a>b")
};

}  // namespace gw
