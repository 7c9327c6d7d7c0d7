#include "gateway/sse_keepalive.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/cancellation_type.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace gw {

boost::asio::awaitable<void> keep_alive_until_done(response_sink& sink, std::chrono::seconds every,
                                                   const header_list& headers, const bool& done) {
  namespace asio = boost::asio;
  asio::steady_timer timer(co_await asio::this_coro::executor);
  for (;;) {
    timer.expires_after(every);
    auto [ec] = co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
    if (ec || done) co_return;  // cancelled: the request got its answer (or its client left)
    co_await asio::this_coro::reset_cancellation_state(asio::disable_cancellation());
    bool ok = sink.started() || co_await sink.start_events(headers);
    if (ok) ok = co_await sink.send_events(sse_keepalive_comment);
    co_await asio::this_coro::reset_cancellation_state();
    // A failed write means the client is gone: completing first cancels the wait for a first
    // token. If the wait finished while we wrote (its cancellation was held off), it completed
    // first, so completing now leaves its result standing.
    if (!ok || done) co_return;
  }
}

}  // namespace gw
