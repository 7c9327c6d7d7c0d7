#include "gateway/client_watch.hpp"

#include <array>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <cstring>

namespace gw {

namespace asio = boost::asio;
using asio::ip::tcp;

struct client_watch::state {
  tcp::socket* socket;
  boost::beast::flat_buffer* buffer;
  std::size_t cap;
  asio::cancellation_signal* on_gone;
  bool alive = true;     // the client_watch exists: the pointers above are valid
  bool watching = false;
  bool pending = false;  // a wait is queued on the socket
  bool gone = false;
  bool readable = false;  // the wait completed while nobody watched: try a read first
};

namespace {

bool would_block(const boost::system::error_code& ec) {
  return ec == asio::error::would_block || ec == asio::error::try_again;
}

// Reads what the socket has into the scratch buffer, then appends exactly that to `buffer`.
// The reactor is one thread; the scratch is per thread so that gateways in test threads do not
// share it.
boost::system::error_code read_into(tcp::socket& socket, boost::beast::flat_buffer& buffer) {
  thread_local std::array<char, client_watch::read_size> scratch;
  boost::system::error_code ec;
  const std::size_t n = socket.read_some(asio::buffer(scratch), ec);
  if (!ec) {
    auto room = buffer.prepare(n);
    std::memcpy(room.data(), scratch.data(), n);
    buffer.commit(n);
  }
  return ec;
}

void arm(const std::shared_ptr<client_watch::state>& st);

void on_readable(const std::shared_ptr<client_watch::state>& st, boost::system::error_code ec) {
  client_watch::state& s = *st;
  s.pending = false;
  if (!s.alive || ec) return;  // the session ended, or the socket was cancelled or closed
  if (!s.watching) {
    s.readable = true;  // the next request's bytes (or the close): wait_for_request reads them
    return;
  }
  while (s.buffer->size() < s.cap) {
    const auto rec = read_into(*s.socket, *s.buffer);
    if (would_block(rec)) {
      arm(st);
      return;
    }
    if (rec) {  // EOF or reset: the client is gone, and so is its request
      s.gone = true;
      s.watching = false;
      s.on_gone->emit(asio::cancellation_type::terminal);
      return;
    }
  }
  // A full buffer of pipelined requests: stop reading until this request is answered.
}

void arm(const std::shared_ptr<client_watch::state>& st) {
  st->pending = true;
  st->socket->async_wait(tcp::socket::wait_read,
                         [st](boost::system::error_code ec) { on_readable(st, ec); });
}

}  // namespace

client_watch::client_watch(tcp::socket& socket, boost::beast::flat_buffer& buffer, std::size_t cap,
                           asio::cancellation_signal& on_gone)
    : st_(std::make_shared<state>(state{&socket, &buffer, cap, &on_gone})) {}

// A wait still queued completes after the session is gone; it must find nothing to touch.
client_watch::~client_watch() { st_->alive = false; }

void client_watch::watch() {
  st_->watching = true;
  st_->readable = false;
  if (!st_->pending && st_->buffer->size() < st_->cap) arm(st_);
}

void client_watch::unwatch() { st_->watching = false; }

bool client_watch::client_gone() const { return st_->gone; }

asio::awaitable<boost::system::error_code> client_watch::wait_for_request(bool try_first) {
  state& s = *st_;
  for (bool wait = !(try_first || std::exchange(s.readable, false));; wait = true) {
    if (wait) {
      if (s.buffer->size() == 0) s.buffer->shrink_to_fit();
      auto [ec] = co_await s.socket->async_wait(tcp::socket::wait_read, asio::as_tuple(asio::use_awaitable));
      if (ec) co_return ec;
    }
    const auto ec = read_into(*s.socket, *s.buffer);
    if (!would_block(ec)) co_return ec;
  }
}

}  // namespace gw
