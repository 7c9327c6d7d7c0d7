#pragma once
// A read that the reactor performs when a socket turns readable, and that tells the reactor when
// it drained the socket, so that arming the next read costs no system call.
//
// Why: Asio 1.81 registers each socket with epoll once, edge-triggered, and remembers per socket
// whether an edge arrived since a read last drained it (`try_speculative_`). But it learns
// "drained" only from a read that returned 0 bytes, so every later wait for readability is armed
// at a price: `async_wait` re-arms the descriptor with epoll_ctl(EPOLL_CTL_MOD), and
// `async_read_some` first tries a recv that finds nothing. Each is about 1.3 µs on a VM with the
// PTI mitigation, and a proxied request paid one on the client's socket and one on the upstream
// connection (bench/HISTORY.md). This read counts a short read (fewer bytes than it asked for) as
// draining the socket, as nginx does (`ngx_unix_recv` clears `ready` on a short read): the next
// read is then queued without touching the kernel, and the next edge finds it waiting.
//
// Why a short read is a drained socket: TCP's recvmsg stops before the asked size when the
// receive queue is empty, or at the peer's FIN. Bytes (or a FIN) that arrive after it are a new
// edge, which epoll reports and which marks the socket readable again before any queued read is
// performed. A FIN that came with the bytes read gets no edge of its own: so each socket is also
// registered for EPOLLRDHUP, and a short read whose readiness events include it (or a hang-up or
// error) is not counted as draining; the next read then tries at once and finds the end, as
// nginx does with `pending_eof`.
//
// It is built on Asio's reactor operations (`boost::asio::detail`), which change between
// releases: the build is pinned to Boost 1.81 (Debian 12), and other versions fail to compile
// here rather than misbehave.

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/detail/reactor_op.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/recycling_allocator.hpp>
#include <boost/version.hpp>
#include <cstddef>
#include <string_view>
#include <utility>

#if BOOST_VERSION != 108100 || !defined(BOOST_ASIO_HAS_EPOLL)
#error "gateway/reactor_read.hpp is written against Asio's epoll reactor of Boost 1.81"
#endif

namespace boost::asio::detail {
class epoll_reactor;
}

namespace gw {

// Where a reactor read puts its bytes. Called inside the reactor, with the socket's lock held:
// it may only store them, never start an operation on the socket or run application code.
class read_target {
 public:
  virtual void append(std::string_view bytes) = 0;

 protected:
  ~read_target() = default;
};

// Starts reactor reads on the sockets of one io_context (looked up once: a service lookup costs
// a few hundred instructions).
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

 private:
  // Stores the socket's registration with the reactor in `registration` (the read's perform
  // step reads its readiness events), then starts `op`.
  void start(boost::asio::ip::tcp::socket& socket, boost::asio::detail::reactor_op* op, void*& registration);

  boost::asio::detail::epoll_reactor* reactor_;
};

namespace reactor_read_detail {

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

}  // namespace reactor_read_detail

template <typename Handler>
void reactor_reader::async_read(boost::asio::ip::tcp::socket& socket, read_target& target, std::size_t max,
                                Handler handler) {
  using op = reactor_read_detail::op<Handler>;
  typename op::allocator alloc;
  op* o = alloc.allocate(1);
  new (o) op(socket.native_handle(), target, max, std::move(handler));
  start(socket, o, o->registration_);
}

}  // namespace gw
