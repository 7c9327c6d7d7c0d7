#include "backends/reactor_read.hpp"

#include <algorithm>
#include <array>
#include <boost/asio/buffer.hpp>
#include <boost/asio/error.hpp>

#if GATEWAY_REACTOR_READ
#include <boost/asio/detail/epoll_reactor.hpp>
#include <boost/asio/execution/context.hpp>
#include <boost/asio/query.hpp>
#include <cerrno>
#include <sys/epoll.h>
#include <sys/socket.h>
#endif

namespace gw {

namespace asio = boost::asio;
using asio::ip::tcp;

#if !GATEWAY_REACTOR_READ

reactor_reader::reactor_reader(const asio::any_io_executor&) {}

namespace reactor_read_detail {

void read_now(tcp::socket& socket, read_target& target, std::size_t max, boost::system::error_code& ec) {
  // The reactor runs completions one at a time on this thread, and the bytes are appended before
  // anything else runs, so one scratch buffer per thread serves every socket.
  thread_local std::array<char, 65536> scratch;
  if (!socket.non_blocking()) socket.non_blocking(true, ec);
  if (ec) return;
  const std::size_t n = socket.read_some(asio::buffer(scratch.data(), std::min(max, scratch.size())), ec);
  if (n > 0) target.append(std::string_view(scratch.data(), n));
}

}  // namespace reactor_read_detail

#else

namespace {

using asio::detail::epoll_reactor;
using descriptor_state = epoll_reactor::descriptor_state;

// The socket's registration with the reactor, which Asio keeps in a protected member: a member
// pointer named through a derived class reaches it without a cast (never instantiated).
struct socket_access : tcp::socket {
  static descriptor_state*& registration(tcp::socket& s) {
    return (s.*(&socket_access::impl_)).get_implementation().reactor_data_;
  }
};

// Three more of Asio's private members: the reactor's epoll descriptor, the events a socket is
// registered for, and the events of the socket's latest readiness (kept in its operation base
// until the next). Explicit instantiations may name private members ([temp.spec.general]); the
// friend functions they define are the only way in.
template <int epoll_reactor::*Fd>
struct epoll_fd_access {
  friend int epoll_fd_of(epoll_reactor& r) { return r.*Fd; }
};
int epoll_fd_of(epoll_reactor& r);
template struct epoll_fd_access<&epoll_reactor::epoll_fd_>;

template <std::uint32_t descriptor_state::*Events>
struct registered_access {
  friend std::uint32_t& registered_events_of(descriptor_state& d) { return d.*Events; }
};
std::uint32_t& registered_events_of(descriptor_state& d);
template struct registered_access<&descriptor_state::registered_events_>;

// descriptor_state derives privately from the operation that holds the events; a C-style cast
// may convert to an inaccessible base.
struct operation_access : asio::detail::scheduler_operation {
  static std::uint32_t readiness_of(descriptor_state* d) {
    auto* op = (asio::detail::scheduler_operation*)d;  // NOLINT: the base is private
    return op->*(&operation_access::task_result_);
  }
};

}  // namespace

reactor_reader::reactor_reader(const asio::any_io_executor& ex)
    : reactor_(&asio::use_service<epoll_reactor>(asio::query(ex, asio::execution::context))) {}

// As a read operation that may be tried at once: the reactor performs it right away only while
// the socket may hold bytes (an edge since the last draining read), and otherwise queues it with
// no system call, the socket being registered for reads from its opening.
//
// Once per socket, its registration also asks for EPOLLRDHUP (the peer's FIN): a short read
// that took the last bytes before a FIN is no drained socket, since no later edge will come for
// the end of the stream, and only the readiness events can tell (nginx's `pending_eof`).
void reactor_reader::start(tcp::socket& socket, asio::detail::reactor_op* op, void*& registration) {
  descriptor_state*& d = socket_access::registration(socket);
  registration = d;
  if (d && registered_events_of(*d) != 0 && (registered_events_of(*d) & EPOLLRDHUP) == 0) {
    epoll_event ev{};
    ev.events = registered_events_of(*d) | EPOLLRDHUP;
    ev.data.ptr = d;
    if (::epoll_ctl(epoll_fd_of(*reactor_), EPOLL_CTL_MOD, socket.native_handle(), &ev) == 0)
      registered_events_of(*d) = ev.events;  // Asio's own re-arms keep it
  }
  reactor_->start_op(epoll_reactor::read_op, socket.native_handle(), d, op, false, true);
}

namespace reactor_read_detail {

reactor_op::status read_once(int fd, void* registration, read_target& target, std::size_t max,
                             boost::system::error_code& ec, std::size_t& bytes) {
  auto* d = static_cast<descriptor_state*>(registration);
  // Read into one scratch buffer per thread and append exactly what came: the target then holds
  // only the bytes, not a block the size of the largest possible read. The reactor performs
  // operations one at a time, so the scratch is never in two reads at once.
  thread_local std::array<char, 65536> scratch;
  const std::size_t want = std::min(max, scratch.size());
  for (;;) {
    const ssize_t n = ::recv(fd, scratch.data(), want, MSG_DONTWAIT);
    if (n > 0) {
      bytes = static_cast<std::size_t>(n);
      target.append(std::string_view(scratch.data(), bytes));
      // Short: drained, unless the peer's FIN came with these bytes (then the next read must be
      // tried, to find the end).
      const bool hung_up = (operation_access::readiness_of(d) & (EPOLLRDHUP | EPOLLHUP | EPOLLERR)) != 0;
      return bytes < want && !hung_up ? reactor_op::done_and_exhausted : reactor_op::done;
    }
    if (n == 0) {
      // Not "exhausted": the end stays readable for good and no edge will come for it again, so
      // a later read (ours, or Asio's own, as the lingering close after a refusal does) must
      // try at once and find it. (Asio's own reads count EOF as exhausted.)
      ec = asio::error::eof;
      return reactor_op::done;
    }
    if (errno == EINTR) continue;
    if (errno == EAGAIN || errno == EWOULDBLOCK) return reactor_op::not_done;
    ec = boost::system::error_code(errno, asio::error::get_system_category());
    return reactor_op::done;
  }
}

}  // namespace reactor_read_detail

#endif  // GATEWAY_REACTOR_READ

}  // namespace gw
