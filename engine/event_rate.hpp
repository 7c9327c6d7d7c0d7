#pragma once
// Events per second, exponentially weighted over a few seconds: the sum of past events decays
// with time constant horizon_s, so a steady rate R reads R however bursty it is. The pools use
// their completion rate to estimate how long a newly queued request would wait.

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstddef>

namespace gw {

class event_rate {
 public:
  using clock = std::chrono::steady_clock;
  static constexpr double horizon_s = 2.0;

  void add(std::size_t n, clock::time_point now) {
    decay_to(now);
    weight_ += static_cast<double>(n);
  }
  double per_second(clock::time_point now) const {
    const double dt = std::max(0.0, std::chrono::duration<double>(now - last_).count());
    return weight_ * std::exp(-dt / horizon_s) / horizon_s;
  }

 private:
  void decay_to(clock::time_point now) {
    const double dt = std::chrono::duration<double>(now - last_).count();
    if (dt > 0) weight_ *= std::exp(-dt / horizon_s);
    last_ = now;
  }
  double weight_ = 0;
  clock::time_point last_ = clock::now();
};

}  // namespace gw
