#include "gateway/reactor_read.hpp"

#include <array>
#include <boost/asio/detail/epoll_reactor.hpp>
#include <boost/asio/error.hpp>
#include <boost/asio/execution/context.hpp>
#include <boost/asio/query.hpp>
#include <cerrno>
#include <sys/socket.h>

namespace gw {

namespace asio = boost::asio;
using asio::ip::tcp;

namespace {

// The socket's registration with the reactor, which Asio keeps in a protected member: a member
// pointer named through a derived class reaches it without a cast (never instantiated).
struct socket_access : tcp::socket {
  static auto& registration(tcp::socket& s) {
    return (s.*(&socket_access::impl_)).get_implementation().reactor_data_;
  }
};

}  // namespace

reactor_reader::reactor_reader(const asio::any_io_executor& ex)
    : reactor_(&asio::use_service<asio::detail::epoll_reactor>(asio::query(ex, asio::execution::context))) {}

// As a read operation that may be tried at once: the reactor performs it right away only while
// the socket may hold bytes (an edge since the last draining read), and otherwise queues it with
// no system call, the socket being registered for reads from its opening.
void reactor_reader::start(tcp::socket& socket, asio::detail::reactor_op* op) {
  reactor_->start_op(asio::detail::epoll_reactor::read_op, socket.native_handle(),
                     socket_access::registration(socket), op, false, true);
}

namespace reactor_read_detail {

reactor_op::status read_once(int fd, read_target& target, std::size_t max, boost::system::error_code& ec,
                           std::size_t& bytes) {
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
      return bytes < want ? reactor_op::done_and_exhausted : reactor_op::done;
    }
    if (n == 0) {
      ec = asio::error::eof;
      return reactor_op::done_and_exhausted;
    }
    if (errno == EINTR) continue;
    if (errno == EAGAIN || errno == EWOULDBLOCK) return reactor_op::not_done;
    ec = boost::system::error_code(errno, asio::error::get_system_category());
    return reactor_op::done;
  }
}

}  // namespace reactor_read_detail

}  // namespace gw
