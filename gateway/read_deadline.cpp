#include "gateway/read_deadline.hpp"

namespace gw {

void read_deadline::arm(std::chrono::steady_clock::duration d) {
  state_->due = std::chrono::steady_clock::now() + d;
  state_->active = true;
  state_->fired = false;
  if (!state_->waiting || state_->due < state_->wakes) wait_until(state_->due);
}

void read_deadline::wait_until(std::chrono::steady_clock::time_point t) {
  state_->waiting = true;
  state_->wakes = t;
  timer_.expires_at(t);  // cancels a wait still pending: its handler sees operation_aborted
  timer_.async_wait([this, w = std::weak_ptr<state>(state_)](boost::system::error_code ec) {
    auto st = w.lock();
    if (ec || !st) return;  // superseded, or the session is gone (then `this` is too)
    st->waiting = false;
    if (!st->active) return;
    if (std::chrono::steady_clock::now() < st->due) {  // armed again since: wait for that
      wait_until(st->due);
      return;
    }
    st->fired = true;
    st->active = false;
    boost::system::error_code ignored;
    st->socket->cancel(ignored);
  });
}

}  // namespace gw
