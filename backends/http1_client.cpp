#include "backends/http1_client.hpp"

#include <sys/socket.h>

#include <array>
#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>
#include <cerrno>
#include <cstring>
#include <ctime>
#include <unordered_map>
#include <vector>

#include "backends/curl_outcome.hpp"  // parse_retry_after
#include "backends/http1_connection.hpp"

namespace gw {
namespace {
// Idle connections kept per upstream address; a burst above it closes the surplus as it ends.
constexpr std::size_t max_idle_per_origin = 1024;
// The most one read takes. Reactor reads (backends/reactor_read.hpp) read into one scratch
// buffer and append only what came to the connection's `pending`.
constexpr std::size_t read_size = 64 * 1024;
// Past this, a connection going back to its pool gives back the room its reads took (a large
// answer), so that a pooled or streaming connection holds only about one read's bytes.
constexpr std::size_t pending_kept = 4096;
}  // namespace

class http1_client_impl {
 public:
  explicit http1_client_impl(asio::any_io_executor ex) : ex(ex), resolver(ex), reader(ex) {}

  // Transfers still open hold their caller's state in their handlers, which holds them: those
  // are released after the map is cleared, because releasing one may call abort().
  ~http1_client_impl() {
    *alive = false;
    std::vector<upstream_handlers> orphaned;
    for (auto& [p, t] : transfers) {
      t->owner = nullptr;
      t->timer.cancel();
      if (t->conn) t->conn->close(), t->conn->transfer.reset(), t->conn.reset();
      orphaned.push_back(std::exchange(t->handlers, {}));
    }
    transfers.clear();
    orphaned.clear();
    for (auto& [origin, pool] : idle)
      for (auto& c : pool) c->close();
    resolver.cancel();
  }

  std::shared_ptr<upstream_transfer> start(std::shared_ptr<const plain_http_url> where, upstream_request req,
                                           upstream_handlers h) {
    auto t = std::make_shared<h1_transfer>(this, ex);
    t->where = std::move(where);
    t->req = std::move(req);
    t->handlers = std::move(h);
    const auto now = clock_type::now();
    t->connect_due = now + t->req.timeouts.connect;
    t->first_byte_due = now + t->req.timeouts.first_byte;
    t->total_due = now + t->req.timeouts.total;
    t->head = http1_request_head(*t->where, t->req);
    transfers.emplace(t.get(), t);
    arm(t);
    attach(t);
    return t;
  }

  std::size_t idle_count() const {
    std::size_t n = 0;
    for (const auto& [origin, pool] : idle) n += pool.size();
    return n;
  }

  // --- connections -------------------------------------------------------------------------
  void attach(const std::shared_ptr<h1_transfer>& t) {
    auto it = idle.find(t->where->origin);
    while (it != idle.end() && !it->second.empty()) {
      auto c = std::move(it->second.back());
      it->second.pop_back();
      if (c->closed) continue;
      c->reused = true;
      send(t, std::move(c));
      return;
    }
    connect(t);
  }

  void connect(const std::shared_ptr<h1_transfer>& t) {
    t->connecting = true;
    t->connect_due = clock_type::now() + t->req.timeouts.connect;
    tighten(t);
    error_code ec;
    const auto address = asio::ip::make_address(t->where->host, ec);
    if (!ec) {
      connect_to(t, {tcp::endpoint(address, static_cast<unsigned short>(std::stoul(t->where->port)))}, 0);
      return;
    }
    resolver.async_resolve(t->where->host, t->where->port,
                           [this, t, alive = alive](error_code ec, tcp::resolver::results_type found) {
                             if (!*alive || !t->owner) return;
                             if (ec) return end(t, fail(upstream_errc::connect_failed, "resolving " + t->where->host + ": " + ec.message()));
                             connect_to(t, std::vector<tcp::endpoint>(found.begin(), found.end()), 0);
                           });
  }

  // Tries the addresses in order. A loopback connect completes inside connect(2), so it costs
  // no wait; one that is in progress waits for writability and is then registered with the
  // reactor afresh, without the EPOLLOUT interest Asio would otherwise keep on it (a spurious
  // wake-up at every later wait for reading).
  void connect_to(const std::shared_ptr<h1_transfer>& t, std::vector<tcp::endpoint> eps, std::size_t i) {
    if (i >= eps.size()) return end(t, fail(upstream_errc::connect_failed, "no address to connect to"));
    auto c = std::make_shared<h1_connection>(ex, t->where->origin);
    error_code ec;
    c->sock.open(eps[i].protocol(), ec);
    if (!ec) c->sock.non_blocking(true, ec);
    if (ec) return end(t, fail(upstream_errc::connect_failed, "socket: " + ec.message()));
    c->sock.set_option(tcp::no_delay(true), ec);
    c->sock.set_option(asio::socket_base::keep_alive(true), ec);
    t->conn = c;
    if (::connect(c->sock.native_handle(), eps[i].data(), static_cast<socklen_t>(eps[i].size())) == 0) return connected(t, c);
    if (errno != EINPROGRESS) return next_address(t, c, std::move(eps), i, errno);
    c->sock.async_wait(tcp::socket::wait_write, [this, t, c, eps = std::move(eps), i, alive = alive](error_code ec) mutable {
      if (!*alive || !t->owner || t->conn != c) return;
      int err = 0;
      socklen_t len = sizeof err;
      if (ec || ::getsockopt(c->sock.native_handle(), SOL_SOCKET, SO_ERROR, &err, &len) != 0 || err != 0)
        return next_address(t, c, std::move(eps), i, err ? err : ec.value());
      const auto protocol = eps[i].protocol();
      const int fd = c->sock.release(ec);
      if (!ec) c->sock.assign(protocol, fd, ec);
      if (!ec) c->sock.non_blocking(true, ec);
      if (ec) return next_address(t, c, std::move(eps), i, ec.value());
      connected(t, c);
    });
  }

  void next_address(const std::shared_ptr<h1_transfer>& t, const std::shared_ptr<h1_connection>& c,
                    std::vector<tcp::endpoint> eps, std::size_t i, int err) {
    c->close();
    t->conn.reset();
    if (i + 1 < eps.size()) return connect_to(t, std::move(eps), i + 1);
    end(t, fail(upstream_errc::connect_failed, "connecting to " + t->where->host_header + ": " + std::strerror(err)));
  }

  void connected(const std::shared_ptr<h1_transfer>& t, std::shared_ptr<h1_connection> c) {
    t->connecting = false;
    send(t, std::move(c));
  }

  // Head and body go out in one gathered write; the response is read by the connection's wait.
  // The write is tried at once (the socket is non-blocking): a request nearly always fits the
  // send buffer, and a write operation that completes at once still posts its completion, a
  // round of the scheduler per request. Only what does not fit goes through the reactor.
  void send(const std::shared_ptr<h1_transfer>& t, std::shared_ptr<h1_connection> c) {
    c->transfer = t;
    c->response.reset();
    c->pending.clear();
    t->conn = c;
    t->got_bytes = false;
    t->request_out = false;
    std::array<asio::const_buffer, 2> bufs{asio::buffer(t->head), asio::buffer(t->req.body)};
    error_code wec;
    std::size_t sent = c->sock.write_some(bufs, wec);
    if (wec == asio::error::would_block || wec == asio::error::try_again) wec = {}, sent = 0;
    if (wec) {  // reported as the write operation did, from the reactor, not inside start()
      asio::post(ex, [this, t, c, why = "sending the request: " + wec.message(), alive = alive]() mutable {
        if (*alive) broken(t, c, std::move(why));
      });
      return;
    }
    t->request_out = true;  // some of it was written, or the rest is being written
    if (sent == t->head.size() + t->req.body.size()) return wait(c);
    for (auto& b : bufs) {
      const std::size_t k = std::min(sent, b.size());
      b += k;
      sent -= k;
    }
    c->writing = true;
    asio::async_write(c->sock, bufs, [this, t, c, alive = alive](error_code ec, std::size_t) {
      c->writing = false;
      if (!*alive || !ec || !t->owner || t->conn != c) return;
      broken(t, c, "sending the request: " + ec.message());
    });
    wait(c);
  }

  void wait(const std::shared_ptr<h1_connection>& c) {
    if (c->waiting || c->closed) return;
    c->waiting = true;
    // The connection is the read's target and the handler holds it: its `pending` outlives the
    // read even if the client goes first.
    reader.async_read(c->sock, *c, read_size, [this, c, alive = alive](error_code ec) {
      c->waiting = false;
      if (!*alive || c->closed) return;
      if (!c->transfer) return drop_idle(c);  // pooled: the server closed it, or spoke out of turn
      auto t = c->transfer;  // a copy: ending the transfer resets the connection's
      if (ec == asio::error::eof) return closed_by_server(t, c);
      if (ec) return broken(t, c, ec.message());
      readable(std::move(t), c);
    });
  }

  // The read appended bytes to `pending`: parse them, with what an earlier read left.
  void readable(std::shared_ptr<h1_transfer> t, const std::shared_ptr<h1_connection>& c) {
    t->got_bytes = true;
    const std::string_view bytes(c->pending);
    std::size_t used = 0;
    ++t->in_parser;
    const auto state = c->response.feed(bytes, *t, used);
    --t->in_parser;
    if (t->aborted) return end(t, {});  // the consumer left inside a handler
    switch (state) {
      case http1_response::state::more:
        c->pending.erase(0, used);
        return wait(c);
      case http1_response::state::done:
        return complete(t, c->response.keep_alive() && used == bytes.size());
      case http1_response::state::failed:
      case http1_response::state::stopped:
        return end(t, fail(upstream_errc::transfer_failed, "malformed response: " + c->response.error()));
    }
  }

  void closed_by_server(const std::shared_ptr<h1_transfer>& t, const std::shared_ptr<h1_connection>& c) {
    if (!t->got_bytes) return broken(t, c, "the connection closed before a response");
    ++t->in_parser;
    const auto state = c->response.feed_eof(*t);
    --t->in_parser;
    if (t->aborted) return end(t, {});  // the consumer left inside a handler
    if (state == http1_response::state::done) return complete(t, false);
    end(t, fail(upstream_errc::transfer_failed, c->response.error()));
  }

  // The connection broke. A reused one that broke before any response byte was most likely
  // closed by the server as the request went out: that request is sent once more on a new one,
  // unless it is a POST that was written. The server may have read it and acted on it, and a
  // POST sent again would reach it beyond the gateway's retries and retry budget; its failure
  // goes to the caller instead, whose retry schedule decides.
  void broken(const std::shared_ptr<h1_transfer>& t, const std::shared_ptr<h1_connection>& c, std::string why) {
    if (!t->owner || t->conn != c) return;
    if (c->reused && !t->got_bytes && !t->resent && (!t->req.post || !t->request_out)) {
      t->resent = true;
      c->transfer.reset();
      c->close();
      t->conn.reset();
      return connect(t);
    }
    end(t, fail(upstream_errc::transfer_failed, std::move(why)));
  }

  void drop_idle(const std::shared_ptr<h1_connection>& c) {
    c->close();
    auto it = idle.find(c->origin);
    if (it == idle.end()) return;
    auto& pool = it->second;
    for (auto p = pool.begin(); p != pool.end(); ++p)
      if (*p == c) {
        pool.erase(p);
        break;
      }
  }

  // --- ending -------------------------------------------------------------------------------
  static upstream_result fail(upstream_errc why, std::string detail) {
    return upstream_result{why, 0, std::nullopt, std::move(detail)};
  }

  void complete(const std::shared_ptr<h1_transfer>& t, bool reusable) {
    auto c = std::move(t->conn);
    c->transfer.reset();
    auto& pool = idle[c->origin];
    if (reusable && !c->writing && pool.size() < max_idle_per_origin) {
      if (c->pending.capacity() > pending_kept) std::string().swap(c->pending);
      pool.push_back(c);
      wait(c);
    } else {
      c->close();
    }
    end(t, {});
  }

  // Ends the transfer once: the connection, if it still has one, was mid-response and is closed.
  // The handlers go with it, since they hold the caller's state, which holds the transfer.
  void end(std::shared_ptr<h1_transfer> t, upstream_result r) {  // by value: it may be the map's
    if (!t->owner) return;
    t->owner = nullptr;
    t->timer.cancel();
    if (t->conn) {
      t->conn->transfer.reset();
      t->conn->close();
      t->conn.reset();
    }
    transfers.erase(t.get());
    r.status = t->result.status;
    r.retry_after = t->result.retry_after;
    const upstream_handlers h = std::exchange(t->handlers, {});
    if (!t->aborted && h.on_done) h.on_done(r);
  }

  // --- deadlines: one timer per transfer, moved only when a deadline comes closer ------------
  static clock_type::time_point due(const h1_transfer& t) {
    auto d = t.total_due;
    if (t.connecting) d = std::min(d, t.connect_due);
    d = std::min(d, t.got_body ? t.last_body + t.req.timeouts.idle : t.first_byte_due);
    return d;
  }

  // A deadline that came closer than the one the timer waits for (a connect begins; the first
  // body byte switches to the idle deadline) moves the timer; a later one waits for it to fire.
  void tighten(const std::shared_ptr<h1_transfer>& t) {
    if (due(*t) < t->timer.expiry()) arm(t);
  }

  void arm(const std::shared_ptr<h1_transfer>& t) {
    t->timer.expires_at(due(*t));
    t->timer.async_wait([this, w = std::weak_ptr(t), alive = alive](error_code ec) {
      auto t = w.lock();
      if (ec || !*alive || !t || !t->owner) return;
      const auto now = clock_type::now();
      if (due(*t) > now) return arm(t);  // connected, or a chunk came since: a later deadline holds
      upstream_errc why = upstream_errc::timeout_total;
      if (t->connecting) why = upstream_errc::timeout_connect;
      else if (!t->got_body && now >= t->first_byte_due) why = upstream_errc::timeout_first_byte;
      else if (t->got_body && now >= t->last_body + t->req.timeouts.idle) why = upstream_errc::timeout_idle;
      end(t, fail(why, std::string(to_string(why))));
    });
  }

  asio::any_io_executor ex;
  tcp::resolver resolver;
  reactor_reader reader;
  std::unordered_map<h1_transfer*, std::shared_ptr<h1_transfer>> transfers;
  std::unordered_map<std::string, std::vector<std::shared_ptr<h1_connection>>> idle;
  std::shared_ptr<bool> alive = std::make_shared<bool>(true);
};

void h1_transfer::on_head(int status, std::string_view retry_after) {
  result.status = status;
  if (!retry_after.empty()) result.retry_after = parse_retry_after(retry_after, std::time(nullptr));
  if (handlers.on_status) handlers.on_status(status);
}

bool h1_transfer::on_body(std::string_view bytes) {
  if (aborted) return false;
  last_body = clock_type::now();
  if (!got_body) {
    got_body = true;
    if (owner) owner->tighten(owner->transfers.at(this));
  }
  if (handlers.on_body) handlers.on_body(bytes);
  return !aborted;
}

void h1_transfer::abort() {
  if (aborted) return;
  aborted = true;
  if (!owner || in_parser > 0) return;  // inside the parser: the read loop ends it on return
  owner->end(owner->transfers.at(this), {});
}

http1_client::http1_client(asio::any_io_executor reactor) : impl_(std::make_unique<http1_client_impl>(reactor)) {}
http1_client::~http1_client() = default;

std::shared_ptr<upstream_transfer> http1_client::start(std::shared_ptr<const plain_http_url> where,
                                                       upstream_request req, upstream_handlers handlers) {
  return impl_->start(std::move(where), std::move(req), std::move(handlers));
}

std::size_t http1_client::active_transfers() const { return impl_->transfers.size(); }
std::size_t http1_client::idle_connections() const { return impl_->idle_count(); }

}  // namespace gw
