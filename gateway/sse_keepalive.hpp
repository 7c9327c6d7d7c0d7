#pragma once
// SSE keep-alive comments for a stream that is silent for long (a request waiting in a queue or
// in a long prefill): nginx cuts an upstream silent for 60 s by default, and load balancers do
// the same, so a comment line goes out every server.sse_keepalive_s. Clients ignore comments.

#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <string_view>

#include "gateway/http_exchange.hpp"

namespace gw {

inline constexpr std::string_view sse_keepalive_comment = ": keep-alive\n\n";

// Starts the event stream (200 with `headers`) if nothing has started it yet, then sends a
// keep-alive comment. False when a write failed: the client is gone. The dispatcher calls it
// every sse_keepalive_s while a streamed request waits for its first token
// (dispatch_request::on_idle).
boost::asio::awaitable<bool> send_keepalive(response_sink& sink, const header_list& headers);

}  // namespace gw
