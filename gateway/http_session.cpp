#include "gateway/http_session.hpp"

#include <algorithm>
#include <array>
#include <chrono>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/string.hpp>
#include <boost/beast/core/tcp_stream.hpp>

#include "gateway/access_log.hpp"
#include "gateway/client_watch.hpp"
#include "gateway/config.hpp"
#include "gateway/cors.hpp"
#include "gateway/drain_state.hpp"
#include "gateway/error_reply.hpp"
#include "gateway/metrics.hpp"
#include "gateway/read_deadline.hpp"
#include "gateway/request_ids.hpp"
#include "gateway/request_limits.hpp"
#include "gateway/request_parser.hpp"
#include "gateway/router.hpp"
#include "gateway/socket_sink.hpp"
#include "gateway/tracer.hpp"

namespace gw {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
using asio::ip::tcp;
constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

// Counts the connection as open for server.max_connections while the session lives (which may
// be past the gateway's own life: gateway::connection_counter).
struct connection_count {
  explicit connection_count(const drain_state& d) : n(d.connection_counter()) { ++*n; }
  ~connection_count() { --*n; }
  std::shared_ptr<std::size_t> n;
};

// Sends an error before the request was parsed, then closes so that the client reads it:
// shut down our side, read and discard what the client still sends, then close (a lingering
// close, as nginx's). Closing with unread input would reset the connection, and the reset can
// destroy the response before the client reads it: a client still sending a large body would
// see EPIPE instead of its 413. The draining is bounded by `linger` in all (server.lingering_time)
// and by server.lingering_timeout between two reads, never by bytes: a hostile client holds
// the connection no longer than that. Neither holds up a drain, which waits for exchanges only.
// `head` is what was parsed of the request (possibly nothing), for the access log.
asio::awaitable<void> refuse_and_close(beast::tcp_stream& stream, request_context& cx, const api_error& e,
                                       const request_head& head, std::chrono::seconds linger) {
  incoming_request req;
  req.received_at = std::chrono::steady_clock::now();
  req.method = head.method;
  req.path = head.target.substr(0, head.target.find('?'));
  req.request_id = request_id_from(head.x_request_id, cx.ids);
  exchange_record rec;
  rec.endpoint = endpoint_label(req.path);
  socket_sink sink(stream, head.version == 10 ? 10 : 11, false, cx.config.server.write_timeout);
  if (e.code == api_errc::too_many_connections) sink.set_common({{"Retry-After", "1"}});
  const header_list headers{{"x-request-id", req.request_id}};
  co_await send_error(sink, rec, e, headers);
  log_exchange(cx.stats, cx.config.log, req, rec);
  boost::system::error_code ec;
  stream.socket().shutdown(tcp::socket::shutdown_send, ec);
  // What is drained is thrown away, so every lingering close shares one buffer (the reactor is
  // one thread) instead of holding it in each refused connection's frame.
  static std::array<char, 64 * 1024> discarded;
  const auto wait_max = cx.config.server.lingering_timeout;
  const auto end = std::chrono::steady_clock::now() + linger;
  for (auto now = std::chrono::steady_clock::now(); now < end; now = std::chrono::steady_clock::now()) {
    stream.expires_at(std::min(end, now + wait_max));
    auto [read_ec, n] = co_await stream.async_read_some(asio::buffer(discarded), use_tuple);
    if (read_ec) break;  // the client closed (EOF), reset, or stayed silent too long
  }
  stream.close();
}

struct request_in {
  incoming_request req;
  bool keep_alive = false;
};

// The parsed request as the rest of the gateway sees it. Not part of read_request()'s coroutine,
// so that the request is not kept in its frame.
void take_request(request_parser& parser, request_context& cx, std::optional<request_in>& out) {
  request_head& h = parser.head();
  incoming_request& req = out.emplace().req;
  out->keep_alive = h.keep_alive;
  req.received_at = std::chrono::steady_clock::now();
  req.method = std::move(h.method);
  if (const auto q = h.target.find('?'); q != std::string::npos) h.target.resize(q);
  req.path = std::move(h.target);
  req.version = h.version;
  req.request_id = request_id_from(h.x_request_id, cx.ids);
  req.priority = std::move(h.x_priority);
  req.restricted = beast::iequals(h.restricted, cx.config.restricted.value);
  cx.tracing.start(req, h.traceparent, h.tracestate, cx.ids);
  req.authorization = std::move(h.authorization);
  req.x_api_key = std::move(h.x_api_key);
  req.anthropic_version = std::move(h.anthropic_version);
  req.anthropic_beta = std::move(h.anthropic_beta);
  req.origin = std::move(h.origin);
  req.cors_request_method = std::move(h.cors_request_method);
  req.cors_request_headers = std::move(h.cors_request_headers);
  req.body = parser.take_body();
}

// How reading part of a request ended.
enum class read_end { complete, closed, overflow, failed };

// Feeds the buffered bytes to the parser, reading more from the client while it needs them,
// until the head (head_only) or the whole request is in. The reads are the client watch's
// reactor reads. (Beast's async_read ran two composed operations per request, and posted their
// completion when the bytes were already buffered.)
asio::awaitable<void> read_part(request_parser& parser, beast::flat_buffer& buffer, client_watch& watch,
                                bool head_only, read_end& out) {
  for (;;) {
    const auto bytes = buffer.data();
    std::size_t used = 0;
    const auto st = parser.feed(std::string_view(static_cast<const char*>(bytes.data()), bytes.size()), used);
    buffer.consume(used);
    if (st == request_parser::state::failed) {
      out = read_end::failed;
      co_return;
    }
    if (st == request_parser::state::done || (head_only && st == request_parser::state::head_done)) {
      out = read_end::complete;
      co_return;
    }
    if (st == request_parser::state::head_done) continue;
    // A chunk header or trailer that never ends must not grow the buffer without bound.
    if (buffer.max_size() - buffer.size() < client_watch::read_size) {
      out = read_end::overflow;
      co_return;
    }
    const auto ec = co_await watch.wait_for_request();
    if (ec) {
      out = read_end::closed;
      co_return;
    }
  }
}

// Reads one request off the connection into `out`, which stays empty when the connection ends:
// the client left or stayed silent, or the request was refused (answered, then closed, here). A
// coroutine of its own so that the refusals are not kept in the session's frame while a stream
// is served (the session frame was 2.2 KB).
asio::awaitable<void> read_request(beast::tcp_stream& stream, beast::flat_buffer& buffer, read_deadline& deadline,
                                   client_watch& watch, request_parser& parser, request_context& cx,
                                   std::optional<request_in>& out) {
  const server_config& cfg = cx.config.server;
  if (buffer.size() == 0) {
    // Idle between requests: silence past idle_timeout closes quietly (no 408, as nginx).
    deadline.arm(cfg.idle_timeout);
    const auto ec = co_await watch.wait_for_request();
    deadline.disarm();
    if (ec) co_return;
  } else {
    // A pipelined request is parsed from the buffer with nothing to wait for: yield first, so
    // that a client pipelining without pause cannot keep the reactor from other connections.
    co_await asio::post(stream.get_executor(), asio::use_awaitable);
  }
  parser.reset({static_cast<std::uint32_t>(cfg.max_header_bytes), cfg.max_body_bytes, &cx.config.restricted.header});

  // Errors are named locals, never braced temporaries inside co_await: GCC 12 destroys such
  // temporaries twice across the suspension.
  std::optional<api_error> refusal;
  auto too_large = [&] {
    return api_error{api_errc::body_too_large,
                     "The request body exceeds the limit of " + std::to_string(cfg.max_body_bytes) + " bytes."};
  };
  auto timed_out = [&](const char* part) {
    return api_error{api_errc::request_timeout, std::string("The request ") + part + " did not arrive in time."};
  };
  using failure = request_parser::failure;

  // From the first byte, the head has header_timeout to arrive: a slowloris client trickling
  // header bytes holds a connection no longer than that. A closed connection ends quietly.
  read_end end = read_end::closed;
  deadline.arm(cfg.header_timeout);
  co_await read_part(parser, buffer, watch, true, end);
  deadline.disarm();
  if (deadline.fired()) {
    refusal = timed_out("headers");
  } else if (end == read_end::closed) {
    co_return;
  } else if (end == read_end::failed && parser.why() == failure::body_limit) {  // Content-Length over the limit
    refusal = too_large();
  } else if (end == read_end::overflow || (end == read_end::failed && parser.why() == failure::header_limit)) {
    refusal = api_error{api_errc::header_too_large, "The request headers exceed the limit of " +
                                                        std::to_string(cfg.max_header_bytes) + " bytes."};
  } else if (end == read_end::failed) {
    refusal = api_error{api_errc::invalid_json, "The request is not valid HTTP/1.1."};
  } else {
    refusal = check_request_head(parser.framing(), cfg);
  }
  if (refusal) {
    co_await refuse_and_close(stream, cx, *refusal, parser.head(), cfg.lingering_time);
    co_return;
  }
  if (parser.head().expect_continue) {
    static constexpr std::string_view continue_head = "HTTP/1.1 100 Continue\r\n\r\n";
    stream.expires_after(cfg.write_timeout);
    auto [cec, cn] = co_await asio::async_write(stream, asio::buffer(continue_head.data(), continue_head.size()),
                                                use_tuple);
    stream.expires_never();
    if (cec) co_return;
  }
  deadline.arm(cfg.read_timeout);
  co_await read_part(parser, buffer, watch, false, end);
  deadline.disarm();
  if (deadline.fired()) {
    refusal = timed_out("body");
  } else if (end == read_end::closed) {
    co_return;
  } else if (end == read_end::failed && parser.why() == failure::body_limit) {
    refusal = too_large();
  } else if (end == read_end::overflow || (end == read_end::failed && parser.why() == failure::chunk_extension)) {
    refusal = api_error{api_errc::bad_framing, "The request's chunk extensions or trailers are too large."};
  } else if (end == read_end::failed) {
    refusal = api_error{api_errc::bad_framing, "The request body is not valid HTTP/1.1 framing."};
  } else {
    refusal = check_field_count(parser.framing(), cfg);  // trailers joined the fields
  }
  if (refusal) {
    co_await refuse_and_close(stream, cx, *refusal, parser.head(), cfg.lingering_time);
    co_return;
  }

  if (buffer.size() == 0) buffer.shrink_to_fit();  // nothing pipelined: no buffer while serving
  take_request(parser, cx, out);
}

// `on_gone` is the cancellation signal bound to this coroutine's spawn: the client watch emits
// it when the client leaves during a request, which cancels the request where it waits.
asio::awaitable<void> run_session(tcp::socket socket, request_context& cx, asio::cancellation_signal& on_gone) {
  connection_count counted(cx.drain);
  const server_config& cfg = cx.config.server;
  boost::system::error_code opt_ec;
  socket.set_option(tcp::no_delay(true), opt_ec);  // fails only on a connection already reset
  socket.non_blocking(true, opt_ec);               // the client watch's reads must not block
  beast::tcp_stream stream(std::move(socket));
  // Capped: a request head, a chunk header or trailers can never grow memory past this.
  beast::flat_buffer buffer(cfg.max_header_bytes + 65536);
  read_deadline deadline(stream.socket());
  client_watch watch(stream.socket(), buffer, cfg.max_header_bytes, on_gone);
  request_parser parser;

  for (;;) {
    if (cx.drain.draining()) break;  // a draining gateway keeps no idle connection
    std::optional<request_in> next;
    co_await read_request(stream, buffer, deadline, watch, parser, cx, next);
    if (!next) break;
    incoming_request& req = next->req;
    socket_sink sink(stream, req.version, next->keep_alive, cfg.write_timeout);
    if (!req.origin.empty()) sink.set_common(cors_response_headers(cx.config.cors, req.origin));
    if (cx.drain.draining()) sink.close_after();
    exchange_record rec;
    bool crashed = false;
    cx.drain.exchange_started();
    // A generation can take minutes: a client that leaves meanwhile cancels it.
    if (is_generation_route(req)) watch.watch();
    try {
      co_await route_request(cx, req, sink, rec);
    } catch (const std::exception& e) {
      // Cancellation because the client left may surface as an exception; that is no failure.
      // Anything else is a bug, not input: answer 500 if nothing was sent yet, log it once, keep
      // serving others.
      if (!watch.client_gone()) {
        log_failure(req, e.what());
        crashed = true;
      }
    }
    watch.unwatch();
    const bool client_gone = watch.client_gone();
    if (crashed) {
      const api_error e{api_errc::internal, "The gateway hit an internal error."};
      const header_list no_headers;
      if (!sink.started())
        co_await send_error(sink, rec, e, no_headers);
      else
        sink.drop();  // a response cut short cannot be finished: the connection closes
      rec.status = 500;
    }
    if (client_gone) rec.status = 499;  // nginx's code for "client closed the request"
    log_exchange(cx.stats, cx.config.log, req, rec);
    cx.tracing.finish(req, rec);
    cx.drain.exchange_finished();
    if (client_gone || !sink.reusable()) break;
  }
  boost::system::error_code ec;
  stream.socket().shutdown(tcp::socket::shutdown_send, ec);
  stream.close();
}

}  // namespace

void spawn_session(tcp::socket socket, request_context& cx, std::function<void(std::exception_ptr)> done) {
  // The signal outlives the coroutine: the completion handler owns it.
  auto on_gone = std::make_shared<asio::cancellation_signal>();
  auto& signal = *on_gone;
  const auto ex = socket.get_executor();
  asio::co_spawn(ex, run_session(std::move(socket), cx, signal),
                 asio::bind_cancellation_slot(signal.slot(), [on_gone, done = std::move(done)](std::exception_ptr e) {
                   done(std::move(e));
                 }));
}

asio::awaitable<void> refuse_connection(tcp::socket socket, request_context& cx) {
  beast::tcp_stream stream(std::move(socket));
  const request_head nothing_read;
  const api_error e{api_errc::too_many_connections,
                    "The gateway has reached its connection limit. Please retry shortly."};
  // Not counted against max_connections, so its lingering stays short: a flood of connections
  // over the limit must not hold descriptors for lingering_time each.
  const auto& cfg = cx.config.server;
  co_await refuse_and_close(stream, cx, e, nothing_read, std::min(cfg.lingering_time, cfg.lingering_timeout));
}

}  // namespace gw
