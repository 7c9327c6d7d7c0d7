#pragma once
// A retry budget for one provider (Finagle's RetryBudget, Envoy's retry_budget): retries may add
// at most `ratio` of the recent requests, plus a small floor so that a quiet provider can still be
// retried. A per-request retry limit alone lets a storm of failures multiply the load on a provider
// that is already failing by 1 + max_retries; the budget caps that factor near 1 + ratio.
//
// Pure state machine: the caller passes the time in. Counts live in a sliding window of
// `slices` time slices, so old traffic stops counting without a timer. Not thread-safe: one budget
// belongs to the reactor thread.

#include <array>
#include <chrono>
#include <cstdint>

namespace gw {

struct retry_budget_config {
  double ratio = 0.2;              // retries allowed per request sent, over the window
  double min_retries_per_s = 3;    // floor: min_retries_per_s x window retries are always allowed
  std::chrono::milliseconds window{10000};
};

class retry_budget {
 public:
  using time_point = std::chrono::steady_clock::time_point;
  static constexpr std::size_t slices = 10;

  explicit retry_budget(retry_budget_config config = {});

  // A first attempt of a request went out: it earns `ratio` retries for the next window.
  void record_request(time_point now);
  // May one retry go out now? True spends it: the caller must then send the retry.
  bool try_retry(time_point now);
  // Retries still allowed now (may be fractional); for tests and diagnostics.
  double available(time_point now) const;

 private:
  struct slice {
    std::int64_t index = -1;  // which slice of time it counts; -1: never used
    std::uint64_t requests = 0;
    std::uint64_t retries = 0;
  };
  std::int64_t index_of(time_point now) const;
  slice& current(time_point now);

  retry_budget_config config_;
  std::chrono::nanoseconds slice_len_;
  std::array<slice, slices> ring_{};
  std::int64_t latest_ = 0;  // the newest slice index seen: time never moves the window back
};

}  // namespace gw
