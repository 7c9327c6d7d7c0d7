#include "gateway/client_watch.hpp"

#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <cstring>
#include <optional>

#include "backends/reactor_read.hpp"

namespace gw {

namespace asio = boost::asio;
using asio::ip::tcp;
using boost::system::error_code;

namespace {

// What the pending read hands to wait_for_request's coroutine. Not a bare error_code: Asio's
// awaitable turns a completion whose first argument is an error_code into an exception.
struct read_outcome {
  error_code ec;
};
using waiter = asio::async_result<asio::use_awaitable_t<>, void(read_outcome)>::handler_type;

}  // namespace

struct client_watch::state final : read_target {
  state(tcp::socket& s, boost::beast::flat_buffer& b, std::size_t c, asio::cancellation_signal& g)
      : socket(&s), buffer(&b), cap(c), on_gone(&g), reader(s.get_executor()) {}

  // Inside the reactor: the bytes of the pending read.
  void append(std::string_view bytes) override {
    if (!alive) return;  // the session is gone with its buffer (its socket is closed, too)
    auto room = buffer->prepare(bytes.size());
    std::memcpy(room.data(), bytes.data(), bytes.size());
    buffer->commit(bytes.size());
  }

  tcp::socket* socket;
  boost::beast::flat_buffer* buffer;
  std::size_t cap;
  asio::cancellation_signal* on_gone;
  reactor_reader reader;
  bool alive = true;  // the client_watch exists: the pointers above are valid
  bool watching = false;
  bool pending = false;  // a read is queued on the socket
  bool gone = false;
  bool arrived = false;  // the read completed while nobody watched or waited: bytes in the buffer
  error_code ended;      // ... or the connection ended then
  // wait_for_request's coroutine, resumed by the pending read. Kept here, not in the read: the
  // read is queued before anyone waits on it (it is the watch's).
  std::optional<waiter> waiting;
};

namespace {

void arm(const std::shared_ptr<client_watch::state>& st);

void on_watched_read(const std::shared_ptr<client_watch::state>& st, const error_code& ec) {
  client_watch::state& s = *st;
  if (ec) {  // EOF or reset: the client is gone, and so is its request
    s.gone = true;
    s.watching = false;
    s.on_gone->emit(asio::cancellation_type::terminal);
    return;
  }
  // Bytes of a pipelined request stay in the buffer. Up to the cap, keep reading, to notice the
  // client leaving; a full buffer stops reading until this request is answered.
  if (s.buffer->size() < s.cap) arm(st);
}

// The pending read's handler. If the io_context is destroyed with the read pending, the read is
// destroyed uncalled: the waiting coroutine (which owns the session, which owns the state) must
// then be destroyed too, or the state and it would keep each other alive.
struct read_done {
  std::shared_ptr<client_watch::state> st;

  explicit read_done(std::shared_ptr<client_watch::state> s) : st(std::move(s)) {}
  read_done(read_done&&) = default;
  ~read_done() {  // `st` is null once moved from or called
    if (!st || !st->waiting) return;
    std::optional<waiter> dropped(std::move(st->waiting));  // destroyed last: it may own `st`'s owner
    st->waiting.reset();
  }

  void operator()(error_code ec) {
    const auto keep = std::move(st);
    client_watch::state& s = *keep;
    s.pending = false;
    if (s.waiting) {
      waiter w = std::move(*s.waiting);
      s.waiting.reset();
      std::move(w)(read_outcome{ec});
      return;
    }
    if (!s.alive || ec == asio::error::operation_aborted) return;  // closed or cancelled
    if (s.watching) return on_watched_read(keep, ec);
    if (ec) s.ended = ec;
    else s.arrived = true;
  }
};

void arm(const std::shared_ptr<client_watch::state>& st) {
  st->pending = true;
  st->reader.async_read(*st->socket, *st, client_watch::read_size, read_done(st));
}

}  // namespace

client_watch::client_watch(tcp::socket& socket, boost::beast::flat_buffer& buffer, std::size_t cap,
                           asio::cancellation_signal& on_gone)
    : st_(std::make_shared<state>(socket, buffer, cap, on_gone)) {}

// A read still queued completes after the session is gone; it must find nothing to touch.
client_watch::~client_watch() { st_->alive = false; }

void client_watch::watch() {
  state& s = *st_;
  s.watching = true;
  s.arrived = false;  // those bytes are in the buffer: the session parses them after this request
  if (s.ended) {
    // The client left after its request came: report it as a watched read would, from the reactor.
    asio::post(s.socket->get_executor(), [st = st_, ec = std::exchange(s.ended, {})] {
      if (st->alive && st->watching) on_watched_read(st, ec);
    });
    return;
  }
  if (!s.pending && s.buffer->size() < s.cap) arm(st_);
}

void client_watch::unwatch() { st_->watching = false; }

bool client_watch::client_gone() const { return st_->gone; }

asio::awaitable<error_code> client_watch::wait_for_request() {
  state& s = *st_;
  if (s.ended) co_return std::exchange(s.ended, {});
  if (std::exchange(s.arrived, false)) co_return error_code{};
  if (s.buffer->size() == 0) s.buffer->shrink_to_fit();
  if (!s.pending) arm(st_);
  const read_outcome r = co_await asio::async_initiate<const asio::use_awaitable_t<>&, void(read_outcome)>(
      [&s](waiter w) { s.waiting.emplace(std::move(w)); }, asio::use_awaitable);
  co_return r.ec;
}

}  // namespace gw
