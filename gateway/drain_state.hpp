#pragma once
// What a graceful stop needs to know: whether the gateway is draining, how many connections and
// exchanges are open, and which streams are past dispatch (so that the second half of a drain
// can end them). Sessions and handlers report here; main() drives the drain. Reactor thread only.

#include <boost/asio/any_io_executor.hpp>
#include <boost/intrusive/list.hpp>
#include <cstddef>
#include <functional>
#include <memory>

#include "engine/token_stream.hpp"

namespace gw {

class drain_state;

// Keeps a stream registered for drain_state::end_streams() while it lives (it unlinks itself).
class stream_registration
    : public boost::intrusive::list_base_hook<boost::intrusive::link_mode<boost::intrusive::auto_unlink>> {
 public:
  stream_registration(drain_state& d, token_stream& s);
  stream_registration(const stream_registration&) = delete;
  stream_registration& operator=(const stream_registration&) = delete;
  token_stream* stream() const { return s_; }

 private:
  token_stream* s_;
};

class drain_state {
 public:
  explicit drain_state(boost::asio::any_io_executor reactor) : reactor_(std::move(reactor)) {}

  bool draining() const { return draining_; }
  // First half: take no new requests (503 draining, /readyz 503) and let open ones go on.
  // `idle` runs once, on the reactor, when no exchange is open any more.
  void begin_drain(std::function<void()> idle);
  // Second half: every registered stream ends with shutting_down (its client gets an error
  // event or a 503).
  void end_streams();

  // Client connections (server.max_connections). A session counts itself through the shared
  // counter, not through this object: a session still closing when the reactor stops (a
  // lingering close after a refusal) is destroyed with the io_context, after the gateway.
  std::shared_ptr<std::size_t> connection_counter() const { return open_connections_; }
  std::size_t open_connections() const { return *open_connections_; }
  void exchange_started() { ++open_exchanges_; }
  void exchange_finished();

 private:
  friend class stream_registration;
  boost::asio::any_io_executor reactor_;
  std::shared_ptr<std::size_t> open_connections_ = std::make_shared<std::size_t>(0);
  std::size_t open_exchanges_ = 0;
  // Linked through the registrations themselves (they live in coroutine frames): a std::set
  // took an allocation per registration, two per request.
  boost::intrusive::list<stream_registration, boost::intrusive::constant_time_size<false>> open_streams_;
  std::function<void()> on_idle_;
  bool draining_ = false;
};

inline stream_registration::stream_registration(drain_state& d, token_stream& s) : s_(&s) {
  d.open_streams_.push_back(*this);
}

}  // namespace gw
