#pragma once
// How long to wait before retrying an upstream request that failed before its first byte. Pure:
// the caller passes in the random draw, so the schedule is reproducible in tests.

#include <chrono>
#include <optional>

namespace gw {

struct retry_config {
  unsigned max_retries = 2;
  std::chrono::milliseconds base{200};
  std::chrono::milliseconds cap{5000};
  std::chrono::milliseconds max_retry_after{10000};  // a longer Retry-After gives up instead
};

// Delay before retry number `retry` (1-based), or nullopt when retries are exhausted (or `retry`
// is 0) or the upstream's Retry-After exceeds max_retry_after. Exponential backoff
// base*2^(retry-1) capped at cap, with full jitter (delay = random01 * backoff, random01 clamped
// to [0, 1]), and never less than retry_after when given.
std::optional<std::chrono::milliseconds> retry_delay(const retry_config& config, unsigned retry,
                                                     std::optional<std::chrono::milliseconds> retry_after,
                                                     double random01);

}  // namespace gw
