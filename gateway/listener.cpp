#include "gateway/listener.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <spdlog/spdlog.h>

#include "gateway/config.hpp"
#include "gateway/drain_state.hpp"
#include "gateway/http_session.hpp"
#include "gateway/metrics.hpp"

namespace gw {

boost::asio::awaitable<void> accept_loop(boost::asio::ip::tcp::acceptor& acceptor, request_context& cx) {
  namespace asio = boost::asio;
  for (;;) {
    auto [ec, socket] = co_await acceptor.async_accept(asio::as_tuple(asio::use_awaitable));
    if (ec == asio::error::operation_aborted || !acceptor.is_open()) co_return;
    if (ec) {
      // Out of descriptors or similar: back off briefly instead of spinning, then go on.
      spdlog::warn("accept failed: {}", ec.message());
      asio::steady_timer t(acceptor.get_executor(), std::chrono::milliseconds(50));
      co_await t.async_wait(asio::as_tuple(asio::use_awaitable));
      continue;
    }
    if (cx.drain.open_connections() >= cx.config.server.max_connections) {
      cx.stats.count_refused_connection();
      asio::co_spawn(acceptor.get_executor(), refuse_connection(std::move(socket), cx), asio::detached);
      continue;
    }
    spawn_session(std::move(socket), cx, [](std::exception_ptr e) {
      if (!e) return;
      try {
        std::rethrow_exception(e);
      } catch (const std::exception& ex) {
        spdlog::error("session ended by an exception: {}", ex.what());
      }
    });
  }
}

}  // namespace gw
