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
// Between requests, wait_for_request() waits for the next one, on the same pending read: one
// read is queued on the socket at a time, and it serves both. The reads are reactor reads
// (backends/reactor_read.hpp), which know when they drained the socket, so arming one costs no
// system call: a keep-alive request costs one recv on the client's socket and no epoll_ctl.
// One wait kept on the socket rather than a coroutine racing each request (route || watch):
// a parallel group costs two spawned threads and cancellation slots per request.
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

  // Returns once bytes the client sent are in the buffer: at once if some came since the last
  // call, else when the next arrive (the read is tried at once when the socket may hold some, a
  // new connection's first request). An error is the connection's end, or the read deadline
  // cancelling the read.
  //
  // The buffer takes space only once bytes are there: a keep-alive connection idle between
  // requests, or quiet during a stream, holds no read buffer (nginx frees an idle connection's
  // buffer the same way). The reactor read copies the bytes from one scratch buffer into the
  // connection's, which so gets exactly their size: taking a 4 KiB block for each request made
  // glibc's malloc consolidate its free lists each time.
  boost::asio::awaitable<boost::system::error_code> wait_for_request();

  // The most one read appends to the buffer: the buffer must have this much room left.
  static constexpr std::size_t read_size = 16384;

  struct state;

 private:
  std::shared_ptr<state> st_;
};

}  // namespace gw
