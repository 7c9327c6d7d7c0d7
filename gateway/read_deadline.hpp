#pragma once
// The session's read deadlines (gateway/http_session.cpp).

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <memory>

namespace gw {

// A read deadline that leaves the connection open when it passes, so that the client can still
// be told 408 (a Beast tcp_stream deadline closes the socket). Its expiry cancels the socket's
// pending read. The timer's handler holds only a weak reference: it may run after the session
// frame that armed it has ended.
class read_deadline {
 public:
  explicit read_deadline(boost::asio::ip::tcp::socket& s)
      : timer_(s.get_executor()), state_(std::make_shared<state>(state{&s})) {}
  ~read_deadline() { timer_.cancel(); }

  // Cancels the socket's pending read once `d` has passed, unless disarmed first.
  void arm(std::chrono::steady_clock::duration d);
  void disarm() { timer_.cancel(); }
  bool fired() const { return state_->fired; }

 private:
  struct state {
    boost::asio::ip::tcp::socket* socket;
    bool fired = false;
  };
  boost::asio::steady_timer timer_;
  std::shared_ptr<state> state_;
};

}  // namespace gw
