#include "gateway/sse_keepalive.hpp"

namespace gw {

boost::asio::awaitable<bool> send_keepalive(response_sink& sink, const header_list& headers) {
  // No co_await inside && or ||: GCC 12 lays out the frame of a coroutine with
  // `!started() && !co_await start_events()` wrongly, and its parameters are garbage when it runs.
  if (!sink.started()) {
    const bool started = co_await sink.start_events(headers);
    if (!started) co_return false;
  }
  const bool sent = co_await sink.send_events(sse_keepalive_comment);
  co_return sent;
}

}  // namespace gw
