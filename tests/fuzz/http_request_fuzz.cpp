// Bytes from a client into a real HTTP session (gateway/http_session.cpp) of a gateway with a
// sim model that never waits and a provider that refuses connections. The session must not
// crash, must not answer 500 (a bug caught at the session boundary), and must end within a
// bounded time once the client has sent everything: a session still open after `deadline` aborts.
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>
#include <fcntl.h>
#include <sys/socket.h>
#include <spdlog/spdlog.h>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "gateway/config.hpp"
#include "gateway/gateway.hpp"
#include "gateway/http_session.hpp"

namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using asio::ip::tcp;
constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);
constexpr auto deadline = std::chrono::seconds(2);
constexpr std::size_t max_header_bytes = 4096;
constexpr std::size_t max_body_bytes = 65536;

// Every wait the gateway may take is far below `deadline`; max_model_len bounds a generation's
// steps, so no input can make the session legitimately slow.
std::string config_yaml(unsigned short dead_port) {
  return R"(
server: {listen: "127.0.0.1:0", max_body_bytes: 65536, max_header_bytes: 4096,
         header_timeout_s: 1, read_timeout_s: 1, idle_timeout_s: 1, write_timeout_s: 1}
log: {level: "off", access_log: false}
providers:
  - name: dead
    base_url: "http://127.0.0.1:)" + std::to_string(dead_port) + R"(/v1"
    api_key_env: HTTP_REQUEST_FUZZ_KEY
    timeouts: {connect_ms: 100, first_byte_ms: 200, idle_ms: 200, total_ms: 400}
    retries: {max_retries: 0}
models:
  - id: sim
    engine: sim
    max_model_len: 512
    default_max_tokens: 16
    sim: {time_scale: 0, embedding_dimensions: 8}
    batching: {max_batch_size: 8, max_queued: 16, max_queue_wait_ms: 300}
    remote: [{provider: dead}]
    routing: {long_prompt_tokens: 200}
  - id: remote
    engine: none
    remote: [{provider: dead, model: upstream-name}]
)";
}

struct harness {
  asio::io_context ioc{1};
  asio::executor_work_guard<asio::io_context::executor_type> work{ioc.get_executor()};
  tcp::acceptor acceptor{ioc, tcp::endpoint(asio::ip::address_v4::loopback(), 0)};
  std::unique_ptr<gw::gateway> gateway;

  harness() {
    spdlog::set_level(spdlog::level::off);
    setenv("HTTP_REQUEST_FUZZ_KEY", "fuzz-key", 1);
    // A port that was just free: the provider's connections are refused at once.
    tcp::acceptor probe(ioc, tcp::endpoint(asio::ip::address_v4::loopback(), 0));
    const auto dead_port = probe.local_endpoint().port();
    probe.close();
    auto loaded = gw::load_config_text(config_yaml(dead_port), "http_request_fuzz");
    if (auto* e = std::get_if<gw::config_error>(&loaded)) {
      std::fprintf(stderr, "http_request_fuzz: bad config: %s\n", e->message.c_str());
      std::abort();
    }
    gateway = std::make_unique<gw::gateway>(ioc.get_executor(), std::get<gw::gateway_config>(std::move(loaded)));
  }

  // A loopback connection to the acceptor. A failure here is the harness's limit (say, local
  // ports used up by other processes), not a finding: it waits and retries, and says what failed
  // if that does not help.
  tcp::socket connect() {
    boost::system::error_code ec;
    for (int attempt = 0; attempt < 50; ++attempt) {
      tcp::socket s(ioc);
      s.connect(acceptor.local_endpoint(), ec);
      if (!ec) return s;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    std::fprintf(stderr, "http_request_fuzz: harness cannot connect over loopback: %s\n", ec.message().c_str());
    std::exit(2);
  }

  // The server end of `client`. Anything on the machine can connect to the acceptor's port (on a
  // shared machine, a test probing ports does); such a stranger would be served instead of the
  // client, which would then wait for a session that never runs. Strangers are dropped.
  tcp::socket accept(const tcp::socket& client) {
    const auto ours = client.local_endpoint();
    for (;;) {
      tcp::socket s = acceptor.accept();
      boost::system::error_code ec;
      const auto peer = s.remote_endpoint(ec);
      if (!ec && peer == ours) return s;
      std::fprintf(stderr, "http_request_fuzz: dropped a connection from %s:%u, not the client's\n",
                   peer.address().to_string().c_str(), static_cast<unsigned>(peer.port()));
    }
  }
};

[[noreturn]] void finding(const char* what) {
  std::fprintf(stderr, "http_request_fuzz: %s\n", what);
  std::abort();
}

// How the client behaves, decided from the input alone so that every run replays the same way.
// An input made only of whole requests is a well-behaved client: it waits for every response
// before closing its side, so each request runs to its end. An input with trailing partial bytes
// is a client that hangs up mid-request: it closes its side at once, and the requests before
// it meet a client that is already gone (cancellation paths).
struct client_plan {
  std::size_t responses = 0;  // final responses to wait for; 0: close the sending side at once
  std::vector<bool> head;     // per request: a HEAD, whose response has no body
};

client_plan plan_for(std::string_view input) {
  client_plan plan;
  auto rest = asio::buffer(input.data(), input.size());
  while (rest.size() > 0) {
    http::request_parser<http::string_body> p;
    p.header_limit(max_header_bytes);
    p.body_limit(max_body_bytes);
    p.eager(true);
    while (!p.is_done()) {
      beast::error_code ec;
      const auto used = p.put(rest, ec);
      if (ec || used == 0) return {};
      rest += used;
    }
    plan.head.push_back(p.get().method() == http::verb::head);
  }
  plan.responses = plan.head.size();
  return plan;
}

void expect_response(std::optional<http::response_parser<http::string_body>>& r, bool head) {
  r.emplace();
  r->body_limit(boost::none);
  r->skip(head);  // a response to HEAD has no body, whatever its Content-Length says
}

// What the client did, for the report when a session outlives its deadline.
struct client_trace {
  std::size_t written = 0;
  bool closed_send = false;
  std::size_t responses = 0;  // final responses parsed
  std::size_t received = 0;   // bytes
};

// Sends `input`, closes the sending side as `plan` says, and reads until the session closes.
asio::awaitable<void> client(tcp::socket& s, std::string_view input, const client_plan& plan, client_trace& trace) {
  auto [wec, wn] = co_await asio::async_write(s, asio::buffer(input.data(), input.size()), use_tuple);
  trace.written = wn;
  boost::system::error_code ignored;
  std::size_t& seen = trace.responses;
  bool& closed_send = trace.closed_send;
  closed_send = plan.responses == 0 || wec;
  if (closed_send) s.shutdown(tcp::socket::shutdown_send, ignored);
  std::optional<http::response_parser<http::string_body>> response;
  if (!closed_send) expect_response(response, plan.head[0]);
  beast::flat_buffer buf;
  for (;;) {
    auto [ec, n] = co_await s.async_read_some(buf.prepare(16384), use_tuple);
    if (ec) {
      // The session closed first (it refused a request, or the request said close): a client
      // then closes too, which ends the session's lingering close at once.
      if (!closed_send) s.shutdown(tcp::socket::shutdown_send, ignored);
      co_return;
    }
    buf.commit(n);
    trace.received += n;
    while (!closed_send && buf.size() > 0) {
      beast::error_code pec;
      const auto used = response->put(buf.data(), pec);
      buf.consume(used);
      if (pec == http::error::need_more) break;
      if (!pec && !response->is_done() && used > 0) continue;
      if (!pec && response->is_done()) {
        const unsigned status = response->get().result_int();
        if (status == 500) finding("the session answered 500 (internal error)");
        if (status / 100 != 1) ++seen;  // 100 Continue: the final response is still to come
        if (seen < plan.responses) {
          expect_response(response, plan.head[seen]);
          continue;
        }
      }
      // Every response is in, or one this client cannot parse: let the session end.
      closed_send = true;
      s.shutdown(tcp::socket::shutdown_send, ignored);
    }
    if (closed_send) buf.consume(buf.size());
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  // Created once and never destroyed: engine threads and the reactor outlive every input.
  static harness* h = new harness;
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const client_plan plan = plan_for(input);

  tcp::socket client_socket = h->connect();
  tcp::socket server_socket = h->accept(client_socket);
  bool session_done = false;
  bool client_done = false;
  client_trace trace;
  gw::spawn_session(std::move(server_socket), h->gateway->context(), [&](std::exception_ptr e) {
    if (e) finding("an exception escaped the session");
    session_done = true;
  });
  asio::co_spawn(h->ioc, client(client_socket, input, plan, trace), [&](std::exception_ptr e) {
    if (e) finding("the test client threw");
    client_done = true;
  });
  const auto until = std::chrono::steady_clock::now() + deadline;
  while (!session_done || !client_done) {
    if (std::chrono::steady_clock::now() >= until) break;
    h->ioc.run_one_until(until);
  }
  if (std::chrono::steady_clock::now() >= until) {
    // Whether the client's descriptor is still its socket: another component closing a number
    // it no longer owns would leave this client waiting for events that never come.
    // And whether the kernel holds something to read that the reactor never reported.
    const int fd = client_socket.native_handle();
    char byte = 0;
    const auto peeked = ::recv(fd, &byte, 1, MSG_PEEK | MSG_DONTWAIT);
    std::fprintf(stderr,
                 "http_request_fuzz: session %s; client %s: wrote %zu of %zu bytes, %s its side, "
                 "read %zu bytes, %zu of %zu responses; fd %d %s, %s\n",
                 session_done ? "ended" : "still open", client_done ? "done" : "still reading", trace.written,
                 input.size(), trace.closed_send ? "closed" : "did not close", trace.received, trace.responses,
                 plan.responses, fd, fcntl(fd, F_GETFD) == -1 ? "is closed" : "is open",
                 peeked > 0 ? "has unread bytes" : peeked == 0 ? "has the peer's EOF unread" : "has nothing to read");
    finding("the session did not end within its deadline");
  }
  // Both sides are done: closing with a reset leaves no TIME_WAIT behind to use up local ports.
  boost::system::error_code ignored;
  client_socket.set_option(asio::socket_base::linger(true, 0), ignored);
  client_socket.close(ignored);
  return 0;
}
