#include "policy/retry_budget.hpp"

#include <algorithm>

namespace gw {

retry_budget::retry_budget(retry_budget_config config)
    : config_(config),
      slice_len_(std::max<std::chrono::nanoseconds>(
          std::chrono::duration_cast<std::chrono::nanoseconds>(config.window) / static_cast<long>(slices),
          std::chrono::nanoseconds{1})) {
  config_.ratio = std::max(config_.ratio, 0.0);
  config_.min_retries_per_s = std::max(config_.min_retries_per_s, 0.0);
}

std::int64_t retry_budget::index_of(time_point now) const {
  const auto since = now.time_since_epoch();
  const std::int64_t i = since.count() < 0 ? 0 : static_cast<std::int64_t>(since / slice_len_);
  // A caller's clock that steps back would otherwise resurrect counts already forgotten.
  return std::max(i, latest_);
}

retry_budget::slice& retry_budget::current(time_point now) {
  latest_ = index_of(now);
  slice& s = ring_[static_cast<std::size_t>(latest_ % static_cast<std::int64_t>(slices))];
  if (s.index != latest_) s = slice{latest_, 0, 0};
  return s;
}

void retry_budget::record_request(time_point now) { ++current(now).requests; }

double retry_budget::available(time_point now) const {
  const std::int64_t i = index_of(now);
  std::uint64_t requests = 0, retries = 0;
  for (const slice& s : ring_) {
    if (s.index < 0 || s.index > i || i - s.index >= static_cast<std::int64_t>(slices)) continue;
    requests += s.requests;
    retries += s.retries;
  }
  const double window_s = std::chrono::duration<double>(config_.window).count();
  return config_.ratio * static_cast<double>(requests) + config_.min_retries_per_s * window_s -
         static_cast<double>(retries);
}

bool retry_budget::try_retry(time_point now) {
  latest_ = index_of(now);  // a refused ask still moves the window on
  // The epsilon keeps 0.2 x 5 requests worth exactly one retry despite rounding.
  if (available(now) < 1 - 1e-9) return false;
  ++current(now).retries;
  return true;
}

}  // namespace gw
