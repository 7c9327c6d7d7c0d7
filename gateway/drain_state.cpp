#include "gateway/drain_state.hpp"

#include <algorithm>
#include <boost/asio/post.hpp>
#include <utility>
#include <vector>

namespace gw {

void drain_state::begin_drain(std::function<void()> idle) {
  draining_ = true;
  on_idle_ = std::move(idle);
  if (open_exchanges_ == 0 && on_idle_) boost::asio::post(reactor_, std::exchange(on_idle_, nullptr));
}

void drain_state::exchange_finished() {
  --open_exchanges_;
  if (draining_ && open_exchanges_ == 0 && on_idle_) boost::asio::post(reactor_, std::exchange(on_idle_, nullptr));
}

void drain_state::end_streams() {
  draining_ = true;
  // Copied: failing a stream wakes its session, which unregisters it while we iterate.
  // A stream may be registered twice (dispatch, then the answer): each is failed once.
  std::vector<token_stream*> open;
  for (const auto& r : open_streams_) open.push_back(r.stream());
  std::sort(open.begin(), open.end());
  open.erase(std::unique(open.begin(), open.end()), open.end());
  for (auto* s : open) s->fail(engine_errc::shutting_down, 1);
}

}  // namespace gw
