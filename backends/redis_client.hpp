#pragma once
// A Redis connection driven by the gateway's reactor: hiredis (libhiredis, async API) formats
// commands and parses replies; Asio waits on its socket (posix::stream_descriptor::async_wait),
// so no call ever blocks the reactor thread. One connection, pipelined: hiredis answers commands
// in the order they were sent, which is all the shared limits need (a Lua script per request).
//
// Every command has a deadline (`timeout`): the caller hears "timeout" then, and the late reply
// is read and dropped when it comes. A lost connection answers every pending command with
// "disconnected" and is reconnected after `reconnect_delay` (doubling up to
// `max_reconnect_delay`). A host name is resolved by Asio (off the reactor thread), each connect
// again, since a Service's address may move. `on_state(true)` runs when a connection is ready (AUTH and SELECT
// answered), `on_state(false)` when it is lost or a connect fails; the owner decides what
// "healthy" means (the shared limits also count timeouts). Reactor thread only.
//
// hiredis writes with write(2), not send(MSG_NOSIGNAL): the process must ignore SIGPIPE (main()
// does), or a write to a Redis that just died ends it.

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "backends/redis_url.hpp"

struct redisAsyncContext;

namespace gw {

struct redis_reply {
  enum class type { nil, integer, string, status, error, array } kind = type::nil;
  std::int64_t integer = 0;
  std::string str;  // string, status and error replies
  std::vector<redis_reply> elements;
};

enum class redis_outcome { ok, timeout, disconnected };

struct redis_client_options {
  std::chrono::milliseconds timeout{50};
  std::chrono::milliseconds reconnect_delay{100};
  std::chrono::milliseconds max_reconnect_delay{5000};
};

class redis_client {
 public:
  using reply_handler = std::function<void(redis_outcome, redis_reply)>;

  redis_client(boost::asio::any_io_executor ex, redis_endpoint ep, redis_client_options opts);
  ~redis_client();
  redis_client(const redis_client&) = delete;
  redis_client& operator=(const redis_client&) = delete;

  // Connects (and keeps reconnecting) until stop() or destruction.
  void start();
  void stop();
  bool connected() const;
  std::function<void(bool)> on_state;
  // Why a connect failed or AUTH/SELECT was refused (for the owner's log).
  std::function<void(const std::string&)> on_error;

  // Sends one command (each argument one bulk string). `done` runs exactly once on the reactor,
  // never from inside this call: with the reply (a Redis error reply is `ok` with kind error),
  // on timeout, or when the connection is down or lost.
  void command(const std::vector<std::string>& args, reply_handler done);

 private:
  struct socket_watch;
  struct pending;
  void connect();
  void connect_to(const std::string& address);
  void schedule_reconnect();
  void on_connected(int status);
  void on_disconnected();
  static void reply_trampoline(redisAsyncContext* ac, void* reply, void* privdata);
  void post_failure(reply_handler done, redis_outcome o);

  boost::asio::any_io_executor ex_;
  redis_endpoint ep_;
  redis_client_options opts_;
  redisAsyncContext* ac_ = nullptr;
  bool ready_ = false;    // connected and AUTH/SELECT sent
  bool stopped_ = true;
  std::shared_ptr<socket_watch> watch_;
  boost::asio::ip::tcp::resolver resolver_;  // hiredis would resolve a name on the reactor thread
  boost::asio::steady_timer reconnect_timer_;
  std::chrono::milliseconds delay_;
  // Checked by callbacks hiredis may run while this object is being destroyed.
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace gw
