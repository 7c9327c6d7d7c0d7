#pragma once
// The one readiness wait a client connection keeps pending (gateway/http_session.cpp).

#include <boost/asio/awaitable.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <memory>

namespace gw {

// Watches a client connection with a wait for readability that outlives the request it was
// armed for.
//
// While a request is served (watch() .. unwatch()), the client leaving (EOF, reset) emits
// terminal cancellation on the session's signal, which cancels the request where it waits, as
// an upstream call or a place in the local queue. Bytes the client sends meanwhile (a pipelined
// next request) are kept in the buffer, up to `cap`; past that it stops reading.
//
// Between requests, wait_for_request() waits for the next one. The watch's wait is usually still
// pending then, and a second wait queued behind it costs no epoll_ctl: Asio re-registers a
// descriptor only when its queue of read operations was empty. So a keep-alive request costs one
// epoll_ctl on the client socket, not two. The watch replaced a race of two coroutines
// (route || watch) whose parallel group, two spawned threads and cancellation slots cost about a
// sixth of the gateway's CPU per proxied request (bench/README.md).
class client_watch {
 public:
  client_watch(boost::asio::ip::tcp::socket& socket, boost::beast::flat_buffer& buffer, std::size_t cap,
               boost::asio::cancellation_signal& on_gone);
  ~client_watch();
  client_watch(const client_watch&) = delete;
  client_watch& operator=(const client_watch&) = delete;

  void watch();
  void unwatch();
  // The client left while watched.
  bool client_gone() const;

  // Waits until the client sent bytes, then reads what is there into the buffer. `try_first`
  // reads at once before waiting, for bytes likely already there (a new connection's first
  // request). An error is the connection's end, or the read deadline cancelling the wait.
  //
  // The buffer takes space only once bytes are there: a keep-alive connection idle between
  // requests, or quiet during a stream, holds no read buffer (nginx frees an idle connection's
  // buffer the same way). The bytes are read into one scratch buffer shared by all connections
  // and copied into the connection's buffer, which so gets exactly their size: taking a 4 KiB
  // block for each request made glibc's malloc consolidate its free lists each time.
  boost::asio::awaitable<boost::system::error_code> wait_for_request(bool try_first);

  // The most one read appends to the buffer: the buffer must have this much room left.
  static constexpr std::size_t read_size = 16384;

  struct state;

 private:
  std::shared_ptr<state> st_;
};

}  // namespace gw
