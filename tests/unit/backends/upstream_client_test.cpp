// Both upstream transports (the built-in HTTP/1.1 client and libcurl on Asio) against a small
// in-process HTTP/1.1 server on 127.0.0.1, all on one io_context: streaming, many transfers at
// once, abort, timeouts, refused connections, keep-alive reuse and a server closing connections.
#include "backends/upstream_client.hpp"

#include "backends/http1_client.hpp"

#include <gtest/gtest.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/streambuf.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <cctype>
#include <chrono>
#include <functional>
#include <string>

namespace gw {
namespace {

namespace asio = boost::asio;
using asio::ip::tcp;
using namespace std::chrono_literals;
constexpr auto tuple_awaitable = asio::as_tuple(asio::use_awaitable);

// Behaviour by path: /stream (3 chunks, 20 ms apart), /slow (a chunk every 50 ms, forever until
// the client leaves), /stall-body (one chunk then silence), /silent (no answer), /429.
class test_server {
 public:
  explicit test_server(asio::io_context& ioc) : ioc_(ioc), acceptor_(ioc, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0)) {
    asio::co_spawn(ioc_, accept(), asio::detached);
  }
  unsigned short port() const { return acceptor_.local_endpoint().port(); }
  std::string url(const std::string& path) const { return "http://127.0.0.1:" + std::to_string(port()) + path; }
  int closed_by_client = 0;  // /slow connections the client closed
  int accepted = 0;          // connections
  int posts = 0;             // /post-once requests read in full
  void stop() {
    boost::system::error_code ec;
    acceptor_.close(ec);
  }

 private:
  asio::awaitable<void> accept() {
    for (;;) {
      auto [ec, s] = co_await acceptor_.async_accept(tuple_awaitable);
      if (ec) co_return;
      asio::co_spawn(ioc_, serve(std::move(s)), asio::detached);
    }
  }

  asio::awaitable<bool> chunk(tcp::socket& s, const std::string& data) {
    char size[32];
    std::snprintf(size, sizeof size, "%zx\r\n", data.size());
    auto [ec, n] = co_await asio::async_write(s, asio::buffer(std::string(size) + data + "\r\n"), tuple_awaitable);
    co_return !ec;
  }

  asio::awaitable<void> sleep(std::chrono::milliseconds d) {
    asio::steady_timer t(ioc_, d);
    co_await t.async_wait(tuple_awaitable);
  }

  // /ka answers with Content-Length and keeps the connection; /ka-once does that for the
  // connection's first request and closes it, unanswered, at the second; /ka-then-close answers
  // and then closes the connection (without saying so in the response). /post-once is /ka-once
  // for a POST: its body is read in full (and counted) before the answer or the close.
  asio::awaitable<void> serve(tcp::socket s) {
    ++accepted;
    asio::streambuf buf;
    for (int nth = 0;; ++nth) {
      auto [ec, n] = co_await asio::async_read_until(s, buf, "\r\n\r\n", tuple_awaitable);
      if (ec) co_return;
      std::string head(asio::buffers_begin(buf.data()), asio::buffers_begin(buf.data()) + n);
      buf.consume(n);
      const std::string path = head.substr(head.find(' ') + 1, head.find(' ', head.find(' ') + 1) - head.find(' ') - 1);
      if (path == "/post-once") {
        std::string lower = head;
        for (auto& ch : lower) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
        const auto at = lower.find("content-length:");
        const std::size_t length = at == std::string::npos ? 0 : std::stoul(lower.substr(at + 15));
        if (buf.size() < length) {
          auto [bec, bn] = co_await asio::async_read(s, buf, asio::transfer_exactly(length - buf.size()), tuple_awaitable);
          if (bec) co_return;
        }
        buf.consume(length);
        ++posts;
      }
      if ((path == "/ka-once" || path == "/post-once") && nth > 0) co_return;
      if (path != "/ka" && path != "/ka-once" && path != "/ka-then-close" && path != "/post-once") {
        co_await answer(s, path);
        co_return;
      }
      const std::string r = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";
      co_await asio::async_write(s, asio::buffer(r), tuple_awaitable);
      if (path == "/ka-then-close") co_return;
    }
  }

  asio::awaitable<void> answer(tcp::socket& s, const std::string& path) {
    const std::string ok = "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n";
    if (path == "/silent") {
      co_await sleep(5s);
      co_return;
    }
    if (path == "/429") {
      const std::string r = "HTTP/1.1 429 Too Many Requests\r\nRetry-After: 7\r\nContent-Length: 2\r\n\r\n{}";
      co_await asio::async_write(s, asio::buffer(r), tuple_awaitable);
      co_return;
    }
    co_await asio::async_write(s, asio::buffer(ok), tuple_awaitable);
    if (path == "/stream") {
      for (int i = 0; i < 3; ++i) {
        co_await chunk(s, "data: " + std::to_string(i) + "\n\n");
        co_await sleep(20ms);
      }
      co_await asio::async_write(s, asio::buffer(std::string("0\r\n\r\n")), tuple_awaitable);
    } else if (path == "/slow") {
      for (int i = 0; i < 100; ++i) {
        if (!co_await chunk(s, "data: x\n\n")) {
          ++closed_by_client;
          co_return;
        }
        co_await sleep(50ms);
      }
    } else if (path == "/stall-body") {
      co_await chunk(s, "data: first\n\n");
      co_await sleep(5s);
    }
  }

  asio::io_context& ioc_;
  tcp::acceptor acceptor_;
};

struct outcome {
  long status = 0;
  std::string body;
  std::optional<upstream_result> done;
};

upstream_handlers record(outcome& o) {
  upstream_handlers h;
  h.on_status = [&o](long s) { o.status = s; };
  h.on_body = [&o](std::string_view b) { o.body.append(b); };
  h.on_done = [&o](const upstream_result& r) { o.done = r; };
  return h;
}

upstream_request get(const std::string& url) {
  upstream_request r;
  r.url = url;
  r.post = false;
  return r;
}

// Runs the reactor until `pred` holds, for at most 5 s.
bool run_until(asio::io_context& ioc, const std::function<bool()>& pred) {
  const auto end = std::chrono::steady_clock::now() + 5s;
  while (!pred() && std::chrono::steady_clock::now() < end) ioc.run_one_for(10ms);
  return pred();
}

// Every test runs against both transports: true is the built-in HTTP/1.1 client.
class upstream_client_test : public ::testing::TestWithParam<bool> {
 protected:
  upstream_client_options options() const { return {.native_http1 = GetParam()}; }
};

INSTANTIATE_TEST_SUITE_P(transports, upstream_client_test, ::testing::Values(true, false),
                         [](const ::testing::TestParamInfo<bool>& p) { return p.param ? "http1" : "curl"; });

TEST_P(upstream_client_test, streams_a_chunked_body) {
  asio::io_context ioc;
  test_server server(ioc);
  upstream_client client(ioc.get_executor(), options());
  outcome o;
  client.start(get(server.url("/stream")), record(o));
  ASSERT_TRUE(run_until(ioc, [&] { return o.done.has_value(); }));
  EXPECT_EQ(o.status, 200);
  EXPECT_EQ(o.done->error, upstream_errc::none);
  EXPECT_EQ(o.body, "data: 0\n\ndata: 1\n\ndata: 2\n\n");
  EXPECT_EQ(client.active_transfers(), 0u);
}

TEST_P(upstream_client_test, many_transfers_at_once) {
  asio::io_context ioc;
  test_server server(ioc);
  upstream_client client(ioc.get_executor(), options());
  std::vector<outcome> os(40);
  for (auto& o : os) client.start(get(server.url("/stream")), record(o));
  ASSERT_TRUE(run_until(ioc, [&] {
    return std::all_of(os.begin(), os.end(), [](const outcome& o) { return o.done.has_value(); });
  }));
  for (const auto& o : os) {
    EXPECT_EQ(o.done->error, upstream_errc::none);
    EXPECT_EQ(o.body.size(), 27u);
  }
}

TEST_P(upstream_client_test, abort_closes_the_connection_and_silences_handlers) {
  asio::io_context ioc;
  test_server server(ioc);
  upstream_client client(ioc.get_executor(), options());
  outcome o;
  auto t = client.start(get(server.url("/slow")), record(o));
  ASSERT_TRUE(run_until(ioc, [&] { return !o.body.empty(); }));
  t->abort();
  ASSERT_TRUE(run_until(ioc, [&] { return server.closed_by_client == 1; }));
  EXPECT_FALSE(o.done.has_value());
  EXPECT_EQ(client.active_transfers(), 0u);
}

TEST_P(upstream_client_test, abort_from_inside_a_body_handler) {
  asio::io_context ioc;
  test_server server(ioc);
  upstream_client client(ioc.get_executor(), options());
  outcome o;
  std::shared_ptr<upstream_transfer> t;
  auto h = record(o);
  h.on_body = [&](std::string_view b) {
    o.body.append(b);
    t->abort();
  };
  t = client.start(get(server.url("/slow")), std::move(h));
  ASSERT_TRUE(run_until(ioc, [&] { return server.closed_by_client == 1; }));
  EXPECT_EQ(o.body, "data: x\n\n");
  EXPECT_FALSE(o.done.has_value());
}

TEST_P(upstream_client_test, first_byte_and_idle_timeouts) {
  asio::io_context ioc;
  test_server server(ioc);
  upstream_client client(ioc.get_executor(), options());
  outcome silent, stalled;
  auto r1 = get(server.url("/silent"));
  r1.timeouts.first_byte = 100ms;
  client.start(r1, record(silent));
  auto r2 = get(server.url("/stall-body"));
  r2.timeouts.idle = 100ms;
  client.start(r2, record(stalled));
  ASSERT_TRUE(run_until(ioc, [&] { return silent.done && stalled.done; }));
  EXPECT_EQ(silent.done->error, upstream_errc::timeout_first_byte);
  EXPECT_EQ(stalled.done->error, upstream_errc::timeout_idle);
  EXPECT_EQ(stalled.body, "data: first\n\n");
}

TEST_P(upstream_client_test, status_and_retry_after) {
  asio::io_context ioc;
  test_server server(ioc);
  upstream_client client(ioc.get_executor(), options());
  outcome o;
  client.start(get(server.url("/429")), record(o));
  ASSERT_TRUE(run_until(ioc, [&] { return o.done.has_value(); }));
  EXPECT_EQ(o.done->error, upstream_errc::none);
  EXPECT_EQ(o.done->status, 429);
  ASSERT_TRUE(o.done->retry_after);
  EXPECT_EQ(o.done->retry_after->count(), 7);
}

TEST_P(upstream_client_test, refused_connection) {
  asio::io_context ioc;
  unsigned short port;
  {
    tcp::acceptor a(ioc, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
    port = a.local_endpoint().port();
  }  // closed: nothing listens there now
  upstream_client client(ioc.get_executor(), options());
  outcome o;
  client.start(get("http://127.0.0.1:" + std::to_string(port) + "/"), record(o));
  ASSERT_TRUE(run_until(ioc, [&] { return o.done.has_value(); }));
  EXPECT_EQ(o.done->error, upstream_errc::connect_failed);
}

TEST_P(upstream_client_test, destroyed_with_transfers_in_flight) {
  asio::io_context ioc;
  test_server server(ioc);
  outcome o;
  {
    upstream_client client(ioc.get_executor(), options());
    client.start(get(server.url("/slow")), record(o));
    ASSERT_TRUE(run_until(ioc, [&] { return !o.body.empty(); }));
  }
  ASSERT_TRUE(run_until(ioc, [&] { return server.closed_by_client == 1; }));
  EXPECT_FALSE(o.done.has_value());
}

TEST_P(upstream_client_test, keeps_the_connection_alive_between_requests) {
  asio::io_context ioc;
  test_server server(ioc);
  upstream_client client(ioc.get_executor(), options());
  for (int i = 0; i < 5; ++i) {
    outcome o;
    client.start(get(server.url("/ka")), record(o));
    ASSERT_TRUE(run_until(ioc, [&] { return o.done.has_value(); }));
    EXPECT_EQ(o.done->error, upstream_errc::none);
    EXPECT_EQ(o.body, "ok");
  }
  EXPECT_EQ(server.accepted, 1);
}

// The server closes a kept-alive connection as the next request goes out on it: the request is
// sent again on a new connection, and the caller sees one answer.
TEST_P(upstream_client_test, resends_once_when_a_reused_connection_was_closed) {
  asio::io_context ioc;
  test_server server(ioc);
  upstream_client client(ioc.get_executor(), options());
  for (int i = 0; i < 2; ++i) {
    outcome o;
    client.start(get(server.url("/ka-once")), record(o));
    ASSERT_TRUE(run_until(ioc, [&] { return o.done.has_value(); }));
    EXPECT_EQ(o.done->error, upstream_errc::none) << o.done->detail;
    EXPECT_EQ(o.body, "ok");
  }
  EXPECT_EQ(server.accepted, 2);
}

// The server reads a POST on a kept-alive connection, then closes it unanswered. It may have
// acted on it, so neither transport sends it again by itself (libcurl would, up to five times):
// the caller sees a transfer_failed, and its own retries decide. The upstream sees one POST per
// start(), whatever the connection pool holds.
TEST_P(upstream_client_test, a_post_is_not_resent_when_its_reused_connection_dies) {
  asio::io_context ioc;
  test_server server(ioc);
  upstream_client client(ioc.get_executor(), options());
  upstream_request post;
  post.url = server.url("/post-once");
  post.body = R"({"model":"m"})";
  outcome first;
  client.start(post, record(first));
  ASSERT_TRUE(run_until(ioc, [&] { return first.done.has_value(); }));
  EXPECT_EQ(first.done->error, upstream_errc::none) << first.done->detail;
  EXPECT_EQ(first.body, "ok");
  outcome second;
  client.start(post, record(second));
  ASSERT_TRUE(run_until(ioc, [&] { return second.done.has_value(); }));
  EXPECT_EQ(second.done->error, upstream_errc::transfer_failed) << second.done->detail;
  EXPECT_EQ(second.done->status, 0);
  EXPECT_EQ(server.posts, 2);
}

TEST(http1_client, drops_a_pooled_connection_the_server_closed) {
  asio::io_context ioc;
  test_server server(ioc);
  http1_client client(ioc.get_executor());
  const auto parsed = parse_plain_http_url(server.url("/ka-then-close"));
  ASSERT_TRUE(parsed);
  const auto where = std::make_shared<const plain_http_url>(*parsed);
  outcome first;
  client.start(where, get(server.url("/ka-then-close")), record(first));
  ASSERT_TRUE(run_until(ioc, [&] { return first.done.has_value(); }));
  EXPECT_EQ(first.done->error, upstream_errc::none);
  ASSERT_TRUE(run_until(ioc, [&] { return client.idle_connections() == 0; }));
  outcome second;
  client.start(where, get(server.url("/ka")), record(second));
  ASSERT_TRUE(run_until(ioc, [&] { return second.done.has_value(); }));
  EXPECT_EQ(second.done->error, upstream_errc::none);
  EXPECT_EQ(server.accepted, 2);
  EXPECT_EQ(client.idle_connections(), 1u);
}

TEST(http1_client, a_post_carries_its_body_and_headers) {
  asio::io_context ioc;
  tcp::acceptor acceptor(ioc, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
  const auto port = acceptor.local_endpoint().port();
  std::string received;
  asio::co_spawn(ioc, [&]() -> asio::awaitable<void> {
    auto s = co_await acceptor.async_accept(asio::use_awaitable);
    asio::streambuf buf;
    co_await asio::async_read_until(s, buf, "{\"x\":1}", asio::use_awaitable);
    received.assign(asio::buffers_begin(buf.data()), asio::buffers_end(buf.data()));
    const std::string r = "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 201 Created\r\nContent-Length: 0\r\n\r\n";
    co_await asio::async_write(s, asio::buffer(r), asio::use_awaitable);
  }, asio::detached);
  http1_client client(ioc.get_executor());
  upstream_request req;
  req.url = "http://127.0.0.1:" + std::to_string(port) + "/v1/chat/completions?x=1";
  req.body = "{\"x\":1}";
  req.headers = {"Content-Type: application/json", "X-Request-Id: r1"};
  outcome o;
  client.start(std::make_shared<const plain_http_url>(*parse_plain_http_url(req.url)), req, record(o));
  ASSERT_TRUE(run_until(ioc, [&] { return o.done.has_value(); }));
  EXPECT_EQ(o.done->error, upstream_errc::none);
  EXPECT_EQ(o.done->status, 201);
  EXPECT_EQ(o.status, 201);
  EXPECT_EQ(received, "POST /v1/chat/completions?x=1 HTTP/1.1\r\nHost: 127.0.0.1:" + std::to_string(port) +
                          "\r\nContent-Type: application/json\r\nX-Request-Id: r1\r\nContent-Length: 7\r\n\r\n{\"x\":1}");
}

}  // namespace
}  // namespace gw
