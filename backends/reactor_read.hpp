#pragma once
// A socket read that appends what it got to a target and tells the caller when it is done; two
// implementations behind one interface, chosen at build time (GATEWAY_REACTOR_READ):
//
// Portable (the default wherever the shortcut is not proven): Asio's public API only. It waits
// for readability (`async_wait`) and then reads what is there without blocking. Works with any
// Boost from 1.81, any reactor (epoll, io_uring, kqueue).
//
// Reactor shortcut (Boost 1.81's epoll reactor only): the reactor itself performs the read when
// the socket turns readable, and learns from it when the socket was drained, so that arming the
// next read costs no system call. Asio registers each socket with epoll once, edge-triggered,
// and remembers per socket whether an edge arrived since a read last drained it. But it learns
// "drained" only from a read that returned 0 bytes, so every later wait for readability is armed
// at a price: `async_wait` re-arms the descriptor with epoll_ctl(EPOLL_CTL_MOD), and
// `async_read_some` first tries a recv that finds nothing (each about 1.3 us on a VM with the
// PTI mitigation; README, "Reactor reads"). This read counts a short read (fewer bytes than it
// asked for) as draining the socket, as nginx does (`ngx_unix_recv` clears `ready` on a short
// read): the next read is then queued without touching the kernel, and the next edge finds it.
//
// Why a short read is a drained socket: TCP's recvmsg stops before the asked size when the
// receive queue is empty, or at the peer's FIN. Bytes (or a FIN) that arrive after it are a new
// edge, which epoll reports and which marks the socket readable again before any queued read is
// performed. A FIN that came with the bytes read gets no edge of its own: so each socket is also
// registered for EPOLLRDHUP, and a short read whose readiness events include it (or a hang-up or
// error) is not counted as draining; the next read then tries at once and finds the end, as
// nginx does with `pending_eof`.
//
// The shortcut is built on Asio's reactor internals (`boost::asio::detail`), which change between
// releases. GATEWAY_REACTOR_READ=1 asks for it (and fails to compile where it does not fit),
// =0 for the portable read; undefined (CMake's AUTO) takes the shortcut exactly where it was
// written and tested: Boost 1.81, epoll reactor.

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/version.hpp>
#include <cstddef>
#include <string_view>
#include <utility>

#if BOOST_VERSION == 108100 && defined(BOOST_ASIO_HAS_EPOLL) && !defined(BOOST_ASIO_HAS_IO_URING_AS_DEFAULT)
#define GATEWAY_REACTOR_READ_FITS 1
#else
#define GATEWAY_REACTOR_READ_FITS 0
#endif
#ifndef GATEWAY_REACTOR_READ
#define GATEWAY_REACTOR_READ GATEWAY_REACTOR_READ_FITS
#endif
#if GATEWAY_REACTOR_READ && !GATEWAY_REACTOR_READ_FITS
#error "GATEWAY_REACTOR_READ=1 needs Asio's epoll reactor of Boost 1.81: configure with -DGATEWAY_REACTOR_READ=OFF"
#endif

#if GATEWAY_REACTOR_READ
#include <boost/asio/detail/reactor_op.hpp>
#include <boost/asio/recycling_allocator.hpp>

namespace boost::asio::detail {
class epoll_reactor;
}
#endif

namespace gw {

// Where a read puts its bytes. The shortcut calls it inside the reactor, with the socket's lock
// held: it may only store them, never start an operation on the socket or run application code.
class read_target {
 public:
  virtual void append(std::string_view bytes) = 0;

 protected:
  ~read_target() = default;
};

// Starts reads on the sockets of one io_context.
class reactor_reader {
 public:
  explicit reactor_reader(const boost::asio::any_io_executor& ex);

  // Reads at most `max` bytes from `socket` once it has any (at once if it may have some),
  // appends them to `target`, then calls `handler(ec)` as a completion of the io_context: no
  // error with bytes appended; eof when the peer closed; operation_aborted when the socket was
  // cancelled or closed. `target` must outlive the read. Only closing or cancelling the socket
  // cancels it (no per-operation cancellation slot). An io_context that is destroyed with the
  // read pending destroys `handler` uncalled, as Asio does with its own operations.
  template <typename Handler>
  void async_read(boost::asio::ip::tcp::socket& socket, read_target& target, std::size_t max, Handler handler);

  // Whether this build reads through the reactor shortcut (for logs and tests).
  static constexpr bool shortcut = GATEWAY_REACTOR_READ != 0;

 private:
#if GATEWAY_REACTOR_READ
  // Stores the socket's registration with the reactor in `registration` (the read's perform
  // step reads its readiness events), then starts `op`.
  void start(boost::asio::ip::tcp::socket& socket, boost::asio::detail::reactor_op* op, void*& registration);

  boost::asio::detail::epoll_reactor* reactor_;
#endif
};

namespace reactor_read_detail {

#if GATEWAY_REACTOR_READ
using boost::asio::detail::reactor_op;

// One recv into `target`: the reactor's perform step (see reactor_read.cpp).
reactor_op::status read_once(int fd, void* registration, read_target& target, std::size_t max,
                             boost::system::error_code& ec, std::size_t& bytes);

template <typename Handler>
class op final : public reactor_op {
 public:
  using allocator = boost::asio::recycling_allocator<op>;

  friend class gw::reactor_reader;

  op(int fd, read_target& target, std::size_t max, Handler&& handler)
      : reactor_op(boost::system::error_code(), &op::do_perform, &op::do_complete),
        fd_(fd),
        target_(target),
        max_(max),
        handler_(std::move(handler)) {}

 private:
  static status do_perform(reactor_op* base) {
    op* o = static_cast<op*>(base);
    return read_once(o->fd_, o->registration_, o->target_, o->max_, o->ec_, o->bytes_transferred_);
  }

  // `owner` is null when the io_context discards the operation at shutdown: free it uncalled.
  // Otherwise the memory goes back before the upcall, as in Asio's own operations, so that the
  // handler can start the next read into the same recycled block.
  static void do_complete(void* owner, boost::asio::detail::operation* base, const boost::system::error_code&,
                          std::size_t) {
    op* o = static_cast<op*>(base);
    Handler handler(std::move(o->handler_));
    const boost::system::error_code ec = o->ec_;
    o->~op();
    allocator().deallocate(o, 1);
    if (owner) handler(ec);
  }

  int fd_;
  void* registration_ = nullptr;  // the socket's epoll_reactor::descriptor_state
  read_target& target_;
  std::size_t max_;
  Handler handler_;
};
#else
// One non-blocking read of at most `max` bytes into `target` (through a per-thread scratch
// buffer, so that the target holds only the bytes). would_block when nothing was there.
void read_now(boost::asio::ip::tcp::socket& socket, read_target& target, std::size_t max,
              boost::system::error_code& ec);

// Waits for readability, then reads; a wake-up that finds nothing (another reader took it, or
// a spurious event) waits again.
template <typename Handler>
void wait_then_read(boost::asio::ip::tcp::socket& socket, read_target& target, std::size_t max, Handler handler) {
  socket.async_wait(boost::asio::ip::tcp::socket::wait_read,
                    [&socket, &target, max, handler = std::move(handler)](boost::system::error_code ec) mutable {
                      if (!ec) read_now(socket, target, max, ec);
                      if (ec == boost::asio::error::would_block)
                        return wait_then_read(socket, target, max, std::move(handler));
                      handler(ec);
                    });
}
#endif

}  // namespace reactor_read_detail

template <typename Handler>
void reactor_reader::async_read(boost::asio::ip::tcp::socket& socket, read_target& target, std::size_t max,
                                Handler handler) {
#if GATEWAY_REACTOR_READ
  using op = reactor_read_detail::op<Handler>;
  typename op::allocator alloc;
  op* o = alloc.allocate(1);
  new (o) op(socket.native_handle(), target, max, std::move(handler));
  start(socket, o, o->registration_);
#else
  // A read that may find bytes already there tries at once: most reads follow a write that the
  // peer answers, and the bytes are often in by the time the read is started.
  boost::system::error_code ec;
  reactor_read_detail::read_now(socket, target, max, ec);
  if (ec == boost::asio::error::would_block) return reactor_read_detail::wait_then_read(socket, target, max, std::move(handler));
  boost::asio::post(socket.get_executor(), [handler = std::move(handler), ec]() mutable { handler(ec); });
#endif
}

}  // namespace gw
