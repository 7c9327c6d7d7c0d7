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
//
// The timer is re-armed lazily: a deadline later than the one the timer waits for only updates
// a time, and the timer, firing early, waits again for what is due then. A session arms three
// deadlines per request (idle, headers, body); re-arming each moved Asio's earliest timer and
// cost a timerfd_settime syscall per arm at low concurrency.
class read_deadline {
 public:
  explicit read_deadline(boost::asio::ip::tcp::socket& s)
      : timer_(s.get_executor()), state_(std::make_shared<state>(state{&s})) {}
  ~read_deadline() { timer_.cancel(); }

  // Cancels the socket's pending read once `d` has passed, unless disarmed first.
  void arm(std::chrono::steady_clock::duration d);
  void disarm() { state_->active = false; }
  bool fired() const { return state_->fired; }

 private:
  struct state {
    boost::asio::ip::tcp::socket* socket;
    std::chrono::steady_clock::time_point due{};  // the armed deadline
    bool active = false;                          // armed and not disarmed
    bool fired = false;
    bool waiting = false;                         // the timer has a wait pending
    std::chrono::steady_clock::time_point wakes{};  // when that wait ends
  };
  void wait_until(std::chrono::steady_clock::time_point t);

  boost::asio::steady_timer timer_;
  std::shared_ptr<state> state_;
};

}  // namespace gw
