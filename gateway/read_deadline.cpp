#include "gateway/read_deadline.hpp"

namespace gw {

void read_deadline::arm(std::chrono::steady_clock::duration d) {
  state_->fired = false;
  timer_.expires_after(d);
  timer_.async_wait([w = std::weak_ptr<state>(state_)](boost::system::error_code ec) {
    auto st = w.lock();
    if (ec || !st) return;
    st->fired = true;
    boost::system::error_code ignored;
    st->socket->cancel(ignored);
  });
}

}  // namespace gw
