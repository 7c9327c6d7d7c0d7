#include "policy/retry_schedule.hpp"

#include <algorithm>
#include <cmath>

namespace gw {

namespace {

// base*2^(retry-1), capped, by doubling so a large retry number cannot overflow the shift.
std::chrono::milliseconds backoff(const retry_config& config, unsigned retry) {
  using std::chrono::milliseconds;
  const milliseconds cap = std::max(config.cap, milliseconds{0});
  milliseconds b = std::clamp(config.base, milliseconds{0}, cap);
  for (unsigned i = 1; i < retry && b < cap; ++i) b = b > cap / 2 ? cap : b * 2;
  return b;
}

}  // namespace

std::optional<std::chrono::milliseconds> retry_delay(const retry_config& config, unsigned retry,
                                                     std::optional<std::chrono::milliseconds> retry_after,
                                                     double random01) {
  using std::chrono::milliseconds;
  if (retry == 0 || retry > config.max_retries) return std::nullopt;
  // Waiting longer than the upstream asks would hold the client past any useful point.
  if (retry_after && *retry_after > config.max_retry_after) return std::nullopt;
  // NaN fails every comparison; treat it as 0 rather than let it reach the cast.
  const double r = random01 >= 0 ? std::min(random01, 1.0) : 0.0;
  const auto jittered = milliseconds{static_cast<milliseconds::rep>(
      std::floor(r * static_cast<double>(backoff(config, retry).count())))};
  // The upstream's own estimate wins over ours: retrying earlier would just be refused again.
  return std::max(jittered, std::max(retry_after.value_or(milliseconds{0}), milliseconds{0}));
}

}  // namespace gw
