#pragma once
// Per-key rate limits as token buckets: requests per minute and tokens per minute, the two
// limits OpenAI publishes. Pure: the caller passes the time, so tests need no clock.
//
// Tokens are charged twice. Admission charges an estimate (the prompt's tokens, counted before
// any engine sees it); when the request ends, settle() charges the difference to the real usage
// (prompt + completion tokens). A bucket may go below zero by that difference: the next requests
// wait for the debt to refill, which is how a long completion counts against the minute it ran in.

#include <chrono>
#include <cstdint>
#include <string>

namespace gw {

class token_bucket {
 public:
  using clock = std::chrono::steady_clock;

  // `per_minute` units refill evenly over a minute, up to `per_minute` held.
  token_bucket(std::uint64_t per_minute, clock::time_point now);

  // Takes `cost` if at least min(cost, capacity) is available (so a single request larger than
  // the whole bucket still passes once the bucket is full instead of never), and may leave the
  // bucket negative. Returns false and takes nothing otherwise.
  bool try_take(double cost, clock::time_point now);
  // Charges (or refunds, when negative) without a check.
  void adjust(double delta, clock::time_point now);
  // Keeps the level, clamped to the new capacity (a reload that changes the limit).
  void set_limit(std::uint64_t per_minute, clock::time_point now);

  std::uint64_t limit() const { return capacity_; }
  // Whole units available now (0 when in debt).
  std::uint64_t remaining(clock::time_point now);
  // Time until `want` units are available (0 if they are); `want` is capped at the capacity.
  std::chrono::milliseconds time_until(double want, clock::time_point now);
  // Time until the bucket is full again (OpenAI's x-ratelimit-reset-*).
  std::chrono::milliseconds time_until_full(clock::time_point now) { return time_until(capacity_, now); }

 private:
  void refill(clock::time_point now);

  std::uint64_t capacity_;
  double level_;
  double per_second_;
  clock::time_point last_;
};

struct rate_limits {
  std::uint64_t requests_per_minute = 0;  // 0: unlimited
  std::uint64_t tokens_per_minute = 0;    // 0: unlimited
};

// What a 429 or a successful answer reports (x-ratelimit-* headers).
struct rate_status {
  bool allowed = true;
  bool tokens_exceeded = false;  // which limit refused (false: requests)
  std::chrono::milliseconds retry_after{0};
  bool has_requests = false, has_tokens = false;
  std::uint64_t limit_requests = 0, remaining_requests = 0;
  std::uint64_t limit_tokens = 0, remaining_tokens = 0;
  std::chrono::milliseconds reset_requests{0}, reset_tokens{0};
};

// One key's two buckets.
class rate_limiter {
 public:
  using clock = token_bucket::clock;

  rate_limiter(const rate_limits& l, clock::time_point now);

  // Admits one request of `estimated_tokens` or refuses it; nothing is taken on refusal.
  rate_status admit(std::uint32_t estimated_tokens, clock::time_point now);
  // The request ended having used `actual_tokens` where `estimated_tokens` were charged.
  void settle(std::uint32_t estimated_tokens, std::uint32_t actual_tokens, clock::time_point now);
  // New limits from a reload; levels are kept (clamped), so a reload never resets a client's
  // budget to full.
  void reconfigure(const rate_limits& l, clock::time_point now);

 private:
  rate_status status(clock::time_point now);

  rate_limits limits_;
  token_bucket requests_;
  token_bucket tokens_;
};

// "1s", "6m0s", "250ms": the duration format of OpenAI's x-ratelimit-reset-* headers.
std::string format_reset(std::chrono::milliseconds d);

}  // namespace gw
