#include "backends/redis_client.hpp"

#include <hiredis/async.h>
#include <hiredis/hiredis.h>

#include <boost/asio/post.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>

#include <algorithm>

namespace gw {

namespace asio = boost::asio;

// hiredis' event-library hooks, on Asio: hiredis says when it wants to read or write, and a
// readiness wait on the socket calls it back. hiredis owns (and closes) the descriptor; Asio only
// borrows it, and gives it back in cleanup(), which hiredis calls before it frees the context.
struct redis_client::socket_watch : std::enable_shared_from_this<socket_watch> {
  socket_watch(asio::any_io_executor ex, redisAsyncContext* c) : sd(ex, c->c.fd), ac(c) {}

  asio::posix::stream_descriptor sd;
  redisAsyncContext* ac;  // null once hiredis cleaned up
  bool want_read = false, want_write = false;
  bool reading = false, writing = false;

  void arm_read() {
    if (reading || !ac || !want_read) return;
    reading = true;
    sd.async_wait(asio::posix::stream_descriptor::wait_read, [self = shared_from_this()](boost::system::error_code ec) {
      self->reading = false;
      if (ec || !self->ac || !self->want_read) return;
      redisAsyncHandleRead(self->ac);  // may free the context (and run cleanup())
      self->arm_read();
    });
  }
  void arm_write() {
    if (writing || !ac || !want_write) return;
    writing = true;
    sd.async_wait(asio::posix::stream_descriptor::wait_write, [self = shared_from_this()](boost::system::error_code ec) {
      self->writing = false;
      if (ec || !self->ac || !self->want_write) return;
      redisAsyncHandleWrite(self->ac);  // completes a connect, or flushes the output buffer
      self->arm_write();
    });
  }

  static socket_watch& of(void* p) { return *static_cast<socket_watch*>(p); }
  static void add_read(void* p) { of(p).want_read = true, of(p).arm_read(); }
  static void del_read(void* p) { of(p).want_read = false; }
  static void add_write(void* p) { of(p).want_write = true, of(p).arm_write(); }
  static void del_write(void* p) { of(p).want_write = false; }
  static void cleanup(void* p) {
    auto& w = of(p);
    w.ac = nullptr;
    w.want_read = w.want_write = false;
    boost::system::error_code ignored;
    w.sd.cancel(ignored);
    (void)w.sd.release();  // hiredis closes the descriptor itself
  }
};

// One command in flight: answered once, by the reply, the deadline or the connection's loss.
struct redis_client::pending {
  explicit pending(asio::any_io_executor ex, reply_handler h) : timer(ex), done(std::move(h)) {}
  asio::steady_timer timer;
  reply_handler done;
  bool answered = false;

  void answer(redis_outcome o, redis_reply r) {
    if (answered) return;
    answered = true;
    timer.cancel();
    auto h = std::move(done);
    h(o, std::move(r));
  }
};

namespace {

redis_reply convert(const redisReply* r) {
  redis_reply out;
  switch (r->type) {
    case REDIS_REPLY_INTEGER:
      out.kind = redis_reply::type::integer;
      out.integer = r->integer;
      break;
    case REDIS_REPLY_STRING:
    case REDIS_REPLY_STATUS:
    case REDIS_REPLY_ERROR:
      out.kind = r->type == REDIS_REPLY_STRING   ? redis_reply::type::string
                 : r->type == REDIS_REPLY_STATUS ? redis_reply::type::status
                                                 : redis_reply::type::error;
      out.str.assign(r->str, r->len);
      break;
    case REDIS_REPLY_ARRAY:
      out.kind = redis_reply::type::array;
      out.elements.reserve(r->elements);
      for (std::size_t i = 0; i < r->elements; ++i) out.elements.push_back(convert(r->element[i]));
      break;
    default:
      break;
  }
  return out;
}

redis_client* owner(const redisAsyncContext* ac) { return static_cast<redis_client*>(ac->data); }

// Queues one command, each argument a bulk string (binary-safe: no format string).
int send_argv(redisAsyncContext* ac, redisCallbackFn* fn, void* priv, const std::vector<std::string>& args) {
  std::vector<const char*> argv;
  std::vector<std::size_t> lens;
  argv.reserve(args.size());
  lens.reserve(args.size());
  for (const auto& a : args) argv.push_back(a.data()), lens.push_back(a.size());
  return redisAsyncCommandArgv(ac, fn, priv, static_cast<int>(argv.size()), argv.data(), lens.data());
}

}  // namespace

redis_client::redis_client(asio::any_io_executor ex, redis_endpoint ep, redis_client_options opts)
    : ex_(std::move(ex)),
      ep_(std::move(ep)),
      opts_(opts),
      resolver_(ex_),
      reconnect_timer_(ex_),
      delay_(opts_.reconnect_delay) {}

redis_client::~redis_client() {
  *alive_ = false;
  stop();
}

bool redis_client::connected() const { return ready_; }

void redis_client::start() {
  if (!stopped_) return;
  stopped_ = false;
  connect();
}

void redis_client::stop() {
  stopped_ = true;
  reconnect_timer_.cancel();
  resolver_.cancel();
  ready_ = false;
  if (auto* ac = std::exchange(ac_, nullptr)) {
    ac->data = nullptr;   // its callbacks find no owner from here on
    redisAsyncFree(ac);   // answers the pending commands with "disconnected"
  }
}

void redis_client::connect() {
  boost::system::error_code literal;
  if (!ep_.unix_path.empty() || (asio::ip::make_address(ep_.host, literal), !literal)) return connect_to(ep_.host);
  resolver_.async_resolve(ep_.host, std::to_string(ep_.port),
                          [this, alive = alive_](boost::system::error_code ec, asio::ip::tcp::resolver::results_type r) {
                            if (!*alive || stopped_ || ec == asio::error::operation_aborted) return;
                            if (ec || r.empty()) {
                              if (on_error) on_error("cannot resolve " + ep_.host + ": " + ec.message());
                              if (on_state) on_state(false);
                              return schedule_reconnect();
                            }
                            connect_to(r.begin()->endpoint().address().to_string());
                          });
}

void redis_client::connect_to(const std::string& address) {
  redisAsyncContext* ac = ep_.unix_path.empty() ? redisAsyncConnect(address.c_str(), ep_.port)
                                                : redisAsyncConnectUnix(ep_.unix_path.c_str());
  if (!ac || ac->err) {
    if (on_error) on_error(std::string("cannot connect: ") + (ac ? ac->errstr : "out of memory"));
    if (ac) redisAsyncFree(ac);
    if (on_state) on_state(false);
    schedule_reconnect();
    return;
  }
  ac_ = ac;
  ac->data = this;
  watch_ = std::make_shared<socket_watch>(ex_, ac);
  ac->ev.data = watch_.get();
  ac->ev.addRead = &socket_watch::add_read;
  ac->ev.delRead = &socket_watch::del_read;
  ac->ev.addWrite = &socket_watch::add_write;
  ac->ev.delWrite = &socket_watch::del_write;
  ac->ev.cleanup = &socket_watch::cleanup;
  redisAsyncSetConnectCallback(ac, [](const redisAsyncContext* c, int status) {
    if (auto* self = owner(c)) self->on_connected(status);
  });
  redisAsyncSetDisconnectCallback(ac, [](const redisAsyncContext* c, int) {
    if (auto* self = owner(c)) self->on_disconnected();
  });
  // A non-blocking connect completes when the socket turns writable.
  socket_watch::add_write(watch_.get());

  // Queued now, sent once connected; the connection is ready when PING answers after them.
  auto send = [this](const std::vector<std::string>& args, redisCallbackFn* fn) { send_argv(ac_, fn, nullptr, args); };
  auto check = [](redisAsyncContext* c, void* r, void*) {
    const auto* reply = static_cast<redisReply*>(r);
    auto* self = owner(c);
    if (!self || !reply) return;
    if (reply->type == REDIS_REPLY_ERROR) {
      // A wrong password or database: refuse the connection (and retry later) rather than
      // answer every script with the same error.
      if (self->on_error) self->on_error(std::string(reply->str, reply->len));
      redisAsyncDisconnect(c);
      return;
    }
    if (reply->type == REDIS_REPLY_STATUS && std::string_view(reply->str, reply->len) == "PONG") {
      self->ready_ = true;
      self->delay_ = self->opts_.reconnect_delay;
      if (self->on_state) self->on_state(true);
    }
  };
  if (!ep_.password.empty()) {
    if (ep_.user.empty()) send({"AUTH", ep_.password}, check);
    else send({"AUTH", ep_.user, ep_.password}, check);
  }
  if (ep_.db != 0) send({"SELECT", std::to_string(ep_.db)}, check);
  send({"PING"}, check);
}

void redis_client::on_connected(int status) {
  if (status != REDIS_OK) on_disconnected();  // hiredis frees the context after this returns
}

void redis_client::on_disconnected() {
  // hiredis frees the context when this returns.
  ac_ = nullptr;
  const bool was_ready = std::exchange(ready_, false);
  if (on_state && (was_ready || !stopped_)) on_state(false);
  if (!stopped_) schedule_reconnect();
}

void redis_client::schedule_reconnect() {
  reconnect_timer_.expires_after(delay_);
  delay_ = std::min(delay_ * 2, opts_.max_reconnect_delay);
  reconnect_timer_.async_wait([this, alive = alive_](boost::system::error_code ec) {
    if (ec || !*alive || stopped_) return;
    connect();
  });
}

void redis_client::post_failure(reply_handler done, redis_outcome o) {
  asio::post(ex_, [done = std::move(done), o]() mutable { done(o, {}); });
}

void redis_client::reply_trampoline(redisAsyncContext*, void* reply, void* privdata) {
  std::unique_ptr<std::shared_ptr<pending>> p(static_cast<std::shared_ptr<pending>*>(privdata));
  if (!reply) {
    // hiredis is freeing the context, possibly inside stop() or the owner's destructor: the
    // owner hears of it from the reactor, not from within.
    auto sp = *p;
    asio::post(sp->timer.get_executor(), [sp] { sp->answer(redis_outcome::disconnected, {}); });
  } else (*p)->answer(redis_outcome::ok, convert(static_cast<redisReply*>(reply)));
}

void redis_client::command(const std::vector<std::string>& args, reply_handler done) {
  if (!ready_ || !ac_) return post_failure(std::move(done), redis_outcome::disconnected);
  auto p = std::make_shared<pending>(ex_, std::move(done));
  auto* priv = new std::shared_ptr<pending>(p);
  if (send_argv(ac_, &reply_trampoline, priv, args) != REDIS_OK) {
    delete priv;
    return post_failure(std::move(p->done), redis_outcome::disconnected);
  }
  p->timer.expires_after(opts_.timeout);
  p->timer.async_wait([w = std::weak_ptr<pending>(p)](boost::system::error_code ec) {
    if (ec) return;
    if (auto p = w.lock()) p->answer(redis_outcome::timeout, {});
  });
}

}  // namespace gw
