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

// Every `every`, starts the event stream (200 with `headers`) if nothing has started it yet,
// then sends a keep-alive comment; stops once `done` is set (checked after each write) or when
// cancelled between writes. Completes early only when a write fails: the client is gone.
// A write in progress is never cancelled: half a chunk would corrupt the stream.
boost::asio::awaitable<void> keep_alive_until_done(response_sink& sink, std::chrono::seconds every,
                                                   const header_list& headers, const bool& done);

}  // namespace gw
