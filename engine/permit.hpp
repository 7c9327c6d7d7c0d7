#pragma once
// A unit of engine capacity: one batch slot plus the tokens a sequence reserves. Taken when the
// batcher admits a sequence, returned by the destructor, so capacity comes back whichever way
// the sequence ends (finished, cancelled, failed, or the pool torn down). Reactor thread only.

#include <cstdint>
#include <utility>

namespace gw {

struct engine_capacity {
  std::size_t running = 0;
  std::uint64_t held_tokens = 0;
};

class permit {
 public:
  permit() = default;
  permit(engine_capacity& cap, std::uint64_t tokens) : cap_(&cap), tokens_(tokens) {
    ++cap_->running;
    cap_->held_tokens += tokens_;
  }
  permit(permit&& o) noexcept : cap_(std::exchange(o.cap_, nullptr)), tokens_(o.tokens_) {}
  permit& operator=(permit&& o) noexcept {
    if (this != &o) {
      release();
      cap_ = std::exchange(o.cap_, nullptr);
      tokens_ = o.tokens_;
    }
    return *this;
  }
  permit(const permit&) = delete;
  permit& operator=(const permit&) = delete;
  ~permit() { release(); }

 private:
  void release() {
    if (!cap_) return;
    --cap_->running;
    cap_->held_tokens -= tokens_;
    cap_ = nullptr;
  }

  engine_capacity* cap_ = nullptr;
  std::uint64_t tokens_ = 0;
};

}  // namespace gw
