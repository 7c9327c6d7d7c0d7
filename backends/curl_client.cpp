#include "backends/curl_client.hpp"

#include <curl/curl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <boost/asio/post.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <mutex>
#include <unordered_map>
#include <unordered_set>

#include "backends/curl_outcome.hpp"

// CURLOPT_PREREQFUNCTION came with curl 7.80. Overridable, so that the fallback can be built
// and tested on a newer curl too.
#ifndef GATEWAY_CURL_HAS_PREREQ
#define GATEWAY_CURL_HAS_PREREQ (LIBCURL_VERSION_NUM >= 0x075000)
#endif

namespace gw {
namespace asio = boost::asio;

// One watched descriptor. curl owns the descriptor: it is never closed here, only released.
struct watched_socket {
  explicit watched_socket(asio::any_io_executor ex, curl_socket_t fd) : desc(ex, fd), fd(fd) {}
  asio::posix::stream_descriptor desc;
  curl_socket_t fd;
  int wanted = 0;  // CURL_POLL_IN / OUT / INOUT
  bool read_armed = false;
  bool write_armed = false;
  bool removed = false;
  bool out_registered = false;  // the reactor has EPOLLOUT on it (a write wait was ever armed)
  unsigned generation = 0;      // bumped on re-registration: older waits' handlers do nothing
};

struct transfer_state final : upstream_transfer {
  transfer_state(curl_client_impl* o, asio::any_io_executor ex) : owner(o), deadline(ex) {}
  void abort() override;

  curl_client_impl* owner;  // null once the client is gone
  CURL* easy = nullptr;
  curl_slist* headers = nullptr;
  upstream_request req;  // keeps the body alive: curl does not copy POSTFIELDS
  upstream_handlers handlers;
  asio::steady_timer deadline;  // first byte, then idle between chunks
  upstream_errc timed_out = upstream_errc::none;
  upstream_result result;
  bool status_sent = false;
  bool got_body = false;
  bool aborted = false;
  unsigned sends = 0;           // requests curl was about to send in this transfer
  bool resend_refused = false;  // curl wanted to send a POST a second time (on_prereq)
  char errbuf[CURL_ERROR_SIZE] = {};
};

class curl_client_impl {
 public:
  explicit curl_client_impl(asio::any_io_executor ex) : ex(ex), timer(ex) {
    static std::once_flag curl_initialised;
    std::call_once(curl_initialised, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
    multi = curl_multi_init();
    curl_multi_setopt(multi, CURLMOPT_SOCKETFUNCTION, &curl_client_impl::on_socket);
    curl_multi_setopt(multi, CURLMOPT_SOCKETDATA, this);
    curl_multi_setopt(multi, CURLMOPT_TIMERFUNCTION, &curl_client_impl::on_timer);
    curl_multi_setopt(multi, CURLMOPT_TIMERDATA, this);
    curl_multi_setopt(multi, CURLMOPT_PIPELINING, CURLPIPE_MULTIPLEX);
    // curl's default cache holds 4 idle connections per easy handle it has seen added at once,
    // so under a burst it closes connections it will need a moment later (seen as one new
    // connection per ten requests at 64 concurrent). Keep up to a server-sized pool instead.
    curl_multi_setopt(multi, CURLMOPT_MAXCONNECTS, 4096L);
  }

  // Easies first, then the multi, then the descriptors (released, never closed: curl closed them).
  // A transfer still open here (a provider that never answered when the process stopped) has
  // handlers holding its caller's state, which holds the transfer: release them so that the
  // cycle is freed, after the map is cleared because a handler's state may call abort().
  ~curl_client_impl() {
    destroying = true;
    std::vector<upstream_handlers> orphaned;
    for (auto& [easy, t] : transfers) {
      t->owner = nullptr;
      t->deadline.cancel();
      curl_multi_remove_handle(multi, easy);
      cleanup_easy(*t);
      orphaned.push_back(std::exchange(t->handlers, {}));
    }
    transfers.clear();
    orphaned.clear();
    for (CURL* e : idle_easies) curl_easy_cleanup(e);
    idle_easies.clear();
    curl_multi_cleanup(multi);
    for (auto& [fd, s] : sockets) release(*s);
    sockets.clear();
    timer.cancel();
  }

  // A finished handle is reset and kept for the next transfer: creating one allocates curl's
  // buffers anew each time.
  void recycle_easy(transfer_state& t) {
    if (idle_easies.size() < max_idle_easies) {
      curl_easy_reset(t.easy);
      idle_easies.push_back(t.easy);
      t.easy = nullptr;
    }
    cleanup_easy(t);
  }

  static void cleanup_easy(transfer_state& t) {
    if (t.easy) curl_easy_cleanup(t.easy);
    t.easy = nullptr;
    curl_slist_free_all(t.headers);
    t.headers = nullptr;
  }

  static void release(watched_socket& s) {
    boost::system::error_code ec;
    s.removed = true;
    s.desc.cancel(ec);
    s.desc.release();
  }

  // --- curl -> reactor -------------------------------------------------------------------
  // Called by curl inside curl_multi_socket_action: only bookkeeping and arming waits here.
  static int on_socket(CURL*, curl_socket_t fd, int what, void* userp, void*) {
    auto* self = static_cast<curl_client_impl*>(userp);
    if (what == CURL_POLL_REMOVE) {
      if (auto it = self->sockets.find(fd); it != self->sockets.end()) {
        // A connection curl keeps for reuse stays registered with the reactor until curl
        // closes it (on_close_socket): re-registering it for every request cost an ioctl and
        // two epoll_ctl calls each time. A wait still pending on it is harmless.
        if (self->connections.count(fd)) {
          it->second->wanted = 0;
        } else {
          release(*it->second);
          self->sockets.erase(it);
        }
      }
      return 0;
    }
    if (self->destroying) return 0;
    auto& s = self->sockets[fd];
    if (!s) s = std::make_shared<watched_socket>(self->ex, fd);
    s->wanted = what;
    if (!(what & CURL_POLL_OUT) && s->out_registered) self->drop_out_interest(*s);
    self->arm(s);
    return 0;
  }

  // Asio keeps EPOLLOUT on a descriptor once it waited for writability, so every re-arm for
  // reading woke the reactor once more for nothing (a turn per request on a reused connection).
  // curl writes-waits only to connect: after that, the descriptor is registered afresh, once.
  void drop_out_interest(watched_socket& s) {
    ++s.generation;
    s.read_armed = s.write_armed = false;
    s.out_registered = false;
    s.desc.release();  // cancels waits still pending; their handlers see an old generation
    boost::system::error_code ec;
    s.desc.assign(s.fd, ec);
  }

  // Sockets curl opens for connections (not its internal ones), so their registration can
  // outlive one transfer; on_close_socket ends it before the descriptor number can be reused.
  static curl_socket_t on_open_socket(void* userp, curlsocktype, curl_sockaddr* a) {
    auto* self = static_cast<curl_client_impl*>(userp);
    const curl_socket_t fd = ::socket(a->family, a->socktype | SOCK_CLOEXEC, a->protocol);
    if (fd != CURL_SOCKET_BAD) self->connections.insert(fd);
    return fd;
  }
  static int on_close_socket(void* userp, curl_socket_t fd) {
    auto* self = static_cast<curl_client_impl*>(userp);
    self->connections.erase(fd);
    if (auto it = self->sockets.find(fd); it != self->sockets.end()) {
      release(*it->second);
      self->sockets.erase(it);
    }
    return ::close(fd);
  }

  // timeout -1 cancels the timer; 0 is posted (curl must not be called from its own callback);
  // > 0 re-arms the one timer.
  static int on_timer(CURLM*, long timeout_ms, void* userp) {
    auto* self = static_cast<curl_client_impl*>(userp);
    if (self->destroying) return 0;
    if (timeout_ms < 0) {
      self->timer.cancel();
    } else if (timeout_ms == 0) {
      self->timer.cancel();
      asio::post(self->ex, [self, alive = self->alive] {
        if (*alive) self->action(CURL_SOCKET_TIMEOUT, 0);
      });
    } else {
      self->timer.expires_after(std::chrono::milliseconds(timeout_ms));
      self->timer.async_wait([self](boost::system::error_code ec) {
        if (!ec) self->action(CURL_SOCKET_TIMEOUT, 0);
      });
    }
    return 0;
  }

  void arm(const std::shared_ptr<watched_socket>& s) {
    if (s->wanted & CURL_POLL_IN) arm_one(s, s->read_armed, asio::posix::stream_descriptor::wait_read, CURL_CSELECT_IN);
    if (s->wanted & CURL_POLL_OUT) s->out_registered = true;
    if (s->wanted & CURL_POLL_OUT) arm_one(s, s->write_armed, asio::posix::stream_descriptor::wait_write, CURL_CSELECT_OUT);
  }

  // One wait per direction at a time: `armed` is that direction's flag in `s`.
  void arm_one(const std::shared_ptr<watched_socket>& s, bool& armed, asio::posix::stream_descriptor::wait_type what,
               int select) {
    if (armed) return;
    armed = true;
    s->desc.async_wait(what, [this, w = std::weak_ptr(s), &armed, select, generation = s->generation](
                                 boost::system::error_code ec) {
      auto s = w.lock();
      if (!s || s->generation != generation) return;  // `armed` is gone, or belongs to a newer wait
      armed = false;
      if (ec || s->removed) return;
      ready(s, select);
    });
  }

  // Asio's epoll reactor is edge-triggered, and curl may leave bytes unread. No re-check is
  // needed for that: every async_wait re-arms the descriptor with EPOLL_CTL_MOD, and the kernel
  // re-polls a modified descriptor, so one still ready is reported at once.
  void ready(const std::shared_ptr<watched_socket>& s, int select) {
    action(s->fd, select);
    if (!s->removed) arm(s);
  }

  void action(curl_socket_t fd, int select) {
    int running = 0;
    ++in_curl;
    curl_multi_socket_action(multi, fd, select, &running);
    --in_curl;
    drain_done();
  }

  // Hands a prepared transfer to curl. curl refuses curl_multi_add_handle from inside its own
  // callbacks, and a body handler may start a transfer (a pool admitting the next request when
  // a stream ends): then the add waits for the reactor's next turn.
  void add(const std::shared_ptr<transfer_state>& t) {
    if (in_curl > 0) {
      asio::post(ex, [this, t, alive = alive] {
        if (*alive && !t->aborted) add(t);
      });
      return;
    }
    if (curl_multi_add_handle(multi, t->easy) == CURLM_OK) return;  // curl arms its timer
    asio::post(ex, [this, t, alive = alive] {
      if (!*alive) return;
      auto it = transfers.find(t->easy);
      if (it != transfers.end()) finish(it->second, CURLE_FAILED_INIT);
    });
  }

  void drain_done() {
    int left = 0;
    while (CURLMsg* m = curl_multi_info_read(multi, &left)) {
      if (m->msg != CURLMSG_DONE) continue;
      auto it = transfers.find(m->easy_handle);
      if (it == transfers.end()) continue;
      finish(it->second, m->data.result);
    }
  }

  // Ends a transfer that curl reported done, or that our own deadline or abort() stopped.
  void finish(std::shared_ptr<transfer_state> t, CURLcode code) {
    CURL* easy = t->easy;
    t->deadline.cancel();
    upstream_result r = std::move(t->result);
    curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &r.status);
    r.error = classify_curl(code, easy, t->timed_out);
    if (r.error != upstream_errc::none) r.detail = t->errbuf[0] ? t->errbuf : curl_easy_strerror(code);
    if (t->resend_refused) r.detail = "the connection closed before a response; the request is not resent by curl";
    curl_multi_remove_handle(multi, easy);
    recycle_easy(*t);
    transfers.erase(easy);
    t->owner = nullptr;
    // The handlers hold the caller's state, which holds this transfer: they go with the
    // transfer's end (aborted or not), or that pair would keep each other alive.
    const upstream_handlers h = std::exchange(t->handlers, {});
    if (!t->aborted && h.on_done) h.on_done(r);
  }

  // --- per-transfer callbacks (inside curl) -------------------------------------------
  static std::size_t on_header(char* data, std::size_t size, std::size_t n, void* userp) {
    auto* t = static_cast<transfer_state*>(userp);
    const std::string_view line(data, size * n);
    constexpr std::string_view retry = "retry-after:";
    if (line.size() > retry.size() && strncasecmp(line.data(), retry.data(), retry.size()) == 0)
      t->result.retry_after = parse_retry_after(line.substr(retry.size()), std::time(nullptr));
    if (line == "\r\n" || line == "\n") {  // end of a header block; 1xx blocks are skipped
      long status = 0;
      curl_easy_getinfo(t->easy, CURLINFO_RESPONSE_CODE, &status);
      if (status >= 200 && !t->status_sent) {
        t->status_sent = true;
        if (!t->aborted && t->handlers.on_status) t->handlers.on_status(status);
      }
    }
    return size * n;
  }

  static std::size_t on_write(char* data, std::size_t size, std::size_t n, void* userp) {
    auto* t = static_cast<transfer_state*>(userp);
    if (t->aborted) return 0;  // makes curl end the transfer (CURLE_WRITE_ERROR)
    if (!t->got_body) t->got_body = true;
    if (t->owner) t->owner->arm_deadline(*t, t->req.timeouts.idle, upstream_errc::timeout_idle);
    if (t->handlers.on_body) t->handlers.on_body(std::string_view(data, size * n));
    return t->aborted ? 0 : size * n;
  }

#if GATEWAY_CURL_HAS_PREREQ
  // Runs before every request curl sends, its own resends included. curl sends a request again
  // by itself when a reused connection dies before any response byte (up to five times, each on
  // another pooled connection): the upstream would see one POST many times, beyond the
  // gateway's max_retries and retry budget. A POST goes out once per transfer; a second send
  // fails the transfer (transfer_failed), and the gateway's retry schedule decides what follows.
  // Other methods keep curl's resend, which is safe for them.
  static int on_prereq(void* userp, char*, char*, int, int) {
    auto* t = static_cast<transfer_state*>(userp);
    if (++t->sends > 1 && t->req.post) {
      t->resend_refused = true;
      return CURL_PREREQFUNC_ABORT;
    }
    return CURL_PREREQFUNC_OK;
  }
#endif

  void arm_deadline(transfer_state& t, std::chrono::milliseconds after, upstream_errc why) {
    t.deadline.expires_after(after);
    t.deadline.async_wait([this, easy = t.easy, why, alive = alive](boost::system::error_code ec) {
      if (ec || !*alive) return;
      auto it = transfers.find(easy);
      if (it == transfers.end()) return;
      it->second->timed_out = why;
      finish(it->second, CURLE_OPERATION_TIMEDOUT);
    });
  }

  std::shared_ptr<upstream_transfer> start(upstream_request req, upstream_handlers h) {
    auto t = std::make_shared<transfer_state>(this, ex);
    t->req = std::move(req);
    t->handlers = std::move(h);
    CURL* e = nullptr;
    if (!idle_easies.empty()) {
      e = idle_easies.back();
      idle_easies.pop_back();
    } else {
      e = curl_easy_init();
    }
    t->easy = e;
    curl_easy_setopt(e, CURLOPT_URL, t->req.url.c_str());
    curl_easy_setopt(e, CURLOPT_PRIVATE, t.get());
    curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(e, CURLOPT_OPENSOCKETFUNCTION, &curl_client_impl::on_open_socket);
    curl_easy_setopt(e, CURLOPT_OPENSOCKETDATA, this);
    curl_easy_setopt(e, CURLOPT_CLOSESOCKETFUNCTION, &curl_client_impl::on_close_socket);
    curl_easy_setopt(e, CURLOPT_CLOSESOCKETDATA, this);
    curl_easy_setopt(e, CURLOPT_ERRORBUFFER, t->errbuf);
    curl_easy_setopt(e, CURLOPT_HTTP_VERSION, CURL_HTTP_VERSION_2TLS);
    curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, 1L);  // always: there is no switch to turn it off
    curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, 2L);
    if (!t->req.ca_file.empty()) curl_easy_setopt(e, CURLOPT_CAINFO, t->req.ca_file.c_str());
    curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(e, CURLOPT_TCP_KEEPALIVE, 1L);
    curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(t->req.timeouts.connect.count()));
    curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, static_cast<long>(t->req.timeouts.total.count()));
    curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, &curl_client_impl::on_header);
    curl_easy_setopt(e, CURLOPT_HEADERDATA, t.get());
    curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, &curl_client_impl::on_write);
    curl_easy_setopt(e, CURLOPT_WRITEDATA, t.get());
    if (t->req.post) {
      curl_easy_setopt(e, CURLOPT_POSTFIELDS, t->req.body.data());
      curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(t->req.body.size()));
    }
#if GATEWAY_CURL_HAS_PREREQ
    curl_easy_setopt(e, CURLOPT_PREREQFUNCTION, &curl_client_impl::on_prereq);
    curl_easy_setopt(e, CURLOPT_PREREQDATA, t.get());
#else
    // Without the pre-request callback a resend cannot be refused, only avoided: curl resends a
    // request the upstream may have read only on a reused connection, so a POST takes a new one
    // (a TCP and TLS handshake each). (An HTTP/2 stream the server refused unprocessed is still
    // resent: that one reached nothing.)
    if (t->req.post) curl_easy_setopt(e, CURLOPT_FRESH_CONNECT, 1L);
#endif
    // curl would send "Expect: 100-continue" for large bodies and wait a second for it.
    t->headers = curl_slist_append(t->headers, "Expect:");
    for (const auto& h : t->req.headers) t->headers = curl_slist_append(t->headers, h.c_str());
    curl_easy_setopt(e, CURLOPT_HTTPHEADER, t->headers);
    transfers.emplace(e, t);
    arm_deadline(*t, t->req.timeouts.first_byte, upstream_errc::timeout_first_byte);
    add(t);
    return t;
  }

  asio::any_io_executor ex;
  asio::steady_timer timer;
  CURLM* multi = nullptr;
  std::unordered_map<curl_socket_t, std::shared_ptr<watched_socket>> sockets;
  std::unordered_map<CURL*, std::shared_ptr<transfer_state>> transfers;
  std::shared_ptr<bool> alive = std::make_shared<bool>(true);
  bool destroying = false;
  int in_curl = 0;  // depth of curl_multi_socket_action calls: curl's callbacks may be running
  static constexpr std::size_t max_idle_easies = 1024;
  std::vector<CURL*> idle_easies;
  std::unordered_set<curl_socket_t> connections;  // opened by on_open_socket, not yet closed
};

void transfer_state::abort() {
  if (aborted) return;
  aborted = true;
  if (!owner) return;
  // Possibly called from inside a handler that curl is running: remove the easy handle from
  // the reactor's next turn, never from within curl's call stack.
  asio::post(deadline.get_executor(), [o = owner, easy = easy, alive = owner->alive] {
    if (!*alive) return;
    auto it = o->transfers.find(easy);
    if (it != o->transfers.end()) o->finish(it->second, CURLE_ABORTED_BY_CALLBACK);
  });
}

curl_client::curl_client(asio::any_io_executor reactor) : impl_(std::make_unique<curl_client_impl>(reactor)) {}

curl_client::~curl_client() { *impl_->alive = false; }

std::shared_ptr<upstream_transfer> curl_client::start(upstream_request req, upstream_handlers handlers) {
  return impl_->start(std::move(req), std::move(handlers));
}

std::size_t curl_client::active_transfers() const { return impl_->transfers.size(); }

}  // namespace gw
