#include "gateway/client_watch.hpp"

#include "tests/unit/backends/loopback_pair.hpp"

#include <gtest/gtest.h>
#include <poll.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/write.hpp>
#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>

namespace gw {
namespace {

namespace asio = boost::asio;
using asio::ip::tcp;
using boost::system::error_code;

std::string text(const boost::beast::flat_buffer& b) {
  return std::string(static_cast<const char*>(b.data().data()), b.size());
}

// Waits (at most five seconds, without running the reactor) until `s` holds `bytes` unread bytes
// and the peer's FIN behind them.
bool bytes_and_fin_arrived(tcp::socket& s, std::size_t bytes) {
  pollfd p{s.native_handle(), POLLIN | POLLRDHUP, 0};
  const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  for (;;) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(until - std::chrono::steady_clock::now());
    if (left.count() <= 0) return false;
    p.revents = 0;
    if (::poll(&p, 1, static_cast<int>(left.count())) < 0) return false;
    error_code ec;
    if ((p.revents & POLLRDHUP) && s.available(ec) == bytes && !ec) return true;
  }
}

// A client connection as a session holds it: socket, buffer, cancellation signal, watch. The
// client is the pair's peer.
struct connection : test::loopback_pair {
  tcp::socket& client = peer;
  boost::beast::flat_buffer buffer{1 << 20};
  asio::cancellation_signal on_gone;
  std::optional<asio::cancellation_type> emitted;
  std::optional<client_watch> watch;

  explicit connection(std::size_t cap = 4096) {
    on_gone.slot().assign([this](asio::cancellation_type t) { emitted = t; });
    watch.emplace(ours, buffer, cap, on_gone);
  }

  // wait_for_request() in a coroutine, run to its end.
  std::optional<error_code> wait_for_request() {
    std::optional<error_code> out;
    asio::co_spawn(ioc, [&]() -> asio::awaitable<void> { out = co_await watch->wait_for_request(); }, asio::detached);
    run_until([&] { return out.has_value(); });
    return out;
  }
};

TEST(client_watch, wait_for_request_returns_once_the_bytes_are_in_the_buffer) {
  connection c;
  std::optional<error_code> out;
  asio::co_spawn(c.ioc, [&]() -> asio::awaitable<void> { out = co_await c.watch->wait_for_request(); }, asio::detached);
  c.run_for(std::chrono::milliseconds(20));
  EXPECT_FALSE(out.has_value());
  asio::write(c.client, asio::buffer(std::string("GET / HTTP/1.1\r\n\r\n")));
  ASSERT_TRUE(c.run_until([&] { return out.has_value(); }));
  EXPECT_EQ(*out, error_code{});
  EXPECT_EQ(text(c.buffer), "GET / HTTP/1.1\r\n\r\n");
}

// A request being served: a pipelined next request is kept, and the watch goes on; the client
// then leaving cancels the request (terminal cancellation on the session's signal).
TEST(client_watch, while_watched_it_keeps_pipelined_bytes_and_reports_the_client_leaving) {
  connection c;
  c.watch->watch();
  asio::write(c.client, asio::buffer(std::string("next")));
  ASSERT_TRUE(c.run_until([&] { return c.buffer.size() == 4; }));
  EXPECT_FALSE(c.emitted.has_value());
  EXPECT_FALSE(c.watch->client_gone());
  c.client.close();
  ASSERT_TRUE(c.run_until([&] { return c.emitted.has_value(); }));
  EXPECT_EQ(*c.emitted, asio::cancellation_type::terminal);
  EXPECT_TRUE(c.watch->client_gone());
  EXPECT_EQ(text(c.buffer), "next");
}

TEST(client_watch, a_full_buffer_stops_the_watch_from_reading) {
  connection c(8);
  c.watch->watch();
  asio::write(c.client, asio::buffer(std::string(8, 'x')));
  ASSERT_TRUE(c.run_until([&] { return c.buffer.size() == 8; }));
  asio::write(c.client, asio::buffer(std::string(8, 'y')));
  c.run_for(std::chrono::milliseconds(30));
  EXPECT_EQ(c.buffer.size(), 8u);
  c.watch->unwatch();
  c.buffer.consume(8);
  EXPECT_EQ(c.wait_for_request(), error_code{});
  EXPECT_EQ(text(c.buffer), std::string(8, 'y'));
}

TEST(client_watch, a_close_while_unwatched_is_the_next_wait_for_requests_answer) {
  connection c;
  c.watch->watch();
  c.watch->unwatch();  // a request answered: the watch's read stays pending
  c.client.close();
  c.run_for(std::chrono::milliseconds(20));
  EXPECT_FALSE(c.emitted.has_value());
  EXPECT_EQ(c.wait_for_request(), asio::error::eof);
}

// The client sent its request and closed at once: the close is noticed when the request is
// then watched, as if the watch's read had seen it.
TEST(client_watch, a_close_before_the_watch_starts_is_reported_by_it) {
  connection c;
  asio::write(c.client, asio::buffer(std::string("req")));
  c.client.close();
  EXPECT_EQ(c.wait_for_request(), error_code{});
  c.run_for(std::chrono::milliseconds(20));  // the read that follows sees the close
  c.watch->watch();
  ASSERT_TRUE(c.run_until([&] { return c.emitted.has_value(); }));
  EXPECT_TRUE(c.watch->client_gone());
}

// The request and the client's FIN reach the socket together (a client that half-closes after
// its request, or leaves at once) while the read waits: the watch must still see the close.
TEST(client_watch, a_close_that_came_with_the_request_is_reported_by_the_watch) {
  connection c;
  std::optional<error_code> out;
  asio::co_spawn(c.ioc, [&]() -> asio::awaitable<void> { out = co_await c.watch->wait_for_request(); }, asio::detached);
  c.ioc.poll();  // the coroutine starts and waits on its read
  asio::write(c.client, asio::buffer(std::string("req")));
  c.client.shutdown(tcp::socket::shutdown_send);
  ASSERT_TRUE(bytes_and_fin_arrived(c.ours, 3));  // both in before the reactor looks
  ASSERT_TRUE(c.run_until([&] { return out.has_value(); }));
  EXPECT_EQ(*out, error_code{});
  c.watch->watch();
  ASSERT_TRUE(c.run_until([&] { return c.emitted.has_value(); }));
  EXPECT_TRUE(c.watch->client_gone());
}

// The waiting coroutine owns the session (here: the watch), and the watch's state holds the
// coroutine until its read completes. An io_context destroyed meanwhile must still free both.
TEST(client_watch, an_io_context_destroyed_while_a_request_is_awaited_frees_the_session) {
  auto token = std::make_shared<int>(0);
  std::weak_ptr<int> alive = token;
  {
    asio::io_context ioc;
    tcp::acceptor acceptor(ioc, tcp::endpoint(asio::ip::address_v4::loopback(), 0));
    tcp::socket client(ioc);
    client.connect(acceptor.local_endpoint());
    tcp::socket ours = acceptor.accept();
    asio::co_spawn(
        ioc,
        [](tcp::socket s, std::shared_ptr<int> held) -> asio::awaitable<void> {
          boost::beast::flat_buffer buffer;
          asio::cancellation_signal on_gone;
          client_watch watch(s, buffer, 4096, on_gone);
          co_await watch.wait_for_request();
          held.reset();
        }(std::move(ours), std::move(token)),
        asio::detached);
    ioc.run_for(std::chrono::milliseconds(20));
    EXPECT_FALSE(alive.expired());
  }
  EXPECT_TRUE(alive.expired());
}

}  // namespace
}  // namespace gw
