#include "policy/rate_limiter.hpp"

#include <algorithm>
#include <cmath>

namespace gw {

token_bucket::token_bucket(std::uint64_t per_minute, clock::time_point now)
    : capacity_(per_minute),
      level_(static_cast<double>(per_minute)),
      per_second_(static_cast<double>(per_minute) / 60.0),
      last_(now) {}

void token_bucket::refill(clock::time_point now) {
  if (now <= last_) return;  // time never runs backwards for a bucket
  const double dt = std::chrono::duration<double>(now - last_).count();
  level_ = std::min(static_cast<double>(capacity_), level_ + dt * per_second_);
  last_ = now;
}

bool token_bucket::try_take(double cost, clock::time_point now) {
  refill(now);
  const double need = std::min(cost, static_cast<double>(capacity_));
  if (level_ < need) return false;
  level_ -= cost;
  return true;
}

void token_bucket::adjust(double delta, clock::time_point now) {
  refill(now);
  level_ = std::min(static_cast<double>(capacity_), level_ - delta);
}

void token_bucket::set_limit(std::uint64_t per_minute, clock::time_point now) {
  refill(now);
  capacity_ = per_minute;
  per_second_ = static_cast<double>(per_minute) / 60.0;
  level_ = std::min(level_, static_cast<double>(capacity_));
}

std::uint64_t token_bucket::remaining(clock::time_point now) {
  refill(now);
  return level_ <= 0 ? 0 : static_cast<std::uint64_t>(std::floor(level_));
}

std::chrono::milliseconds token_bucket::time_until(double want, clock::time_point now) {
  refill(now);
  want = std::min(want, static_cast<double>(capacity_));
  if (level_ >= want || per_second_ <= 0) return std::chrono::milliseconds(0);
  return std::chrono::milliseconds(static_cast<std::int64_t>(std::ceil((want - level_) / per_second_ * 1000.0)));
}

rate_limiter::rate_limiter(const rate_limits& l, clock::time_point now)
    : limits_(l), requests_(l.requests_per_minute, now), tokens_(l.tokens_per_minute, now) {}

rate_status rate_limiter::status(clock::time_point now) {
  rate_status s;
  if (limits_.requests_per_minute) {
    s.has_requests = true;
    s.limit_requests = requests_.limit();
    s.remaining_requests = requests_.remaining(now);
    s.reset_requests = requests_.time_until_full(now);
  }
  if (limits_.tokens_per_minute) {
    s.has_tokens = true;
    s.limit_tokens = tokens_.limit();
    s.remaining_tokens = tokens_.remaining(now);
    s.reset_tokens = tokens_.time_until_full(now);
  }
  return s;
}

rate_status rate_limiter::admit(std::uint32_t estimated_tokens, clock::time_point now) {
  const bool req_ok = !limits_.requests_per_minute || requests_.time_until(1, now).count() == 0;
  const bool tok_ok = !limits_.tokens_per_minute || tokens_.time_until(estimated_tokens, now).count() == 0;
  if (!req_ok || !tok_ok) {
    rate_status s = status(now);
    s.allowed = false;
    s.tokens_exceeded = req_ok;
    std::chrono::milliseconds wait{0};
    if (!req_ok) wait = std::max(wait, requests_.time_until(1, now));
    if (!tok_ok) wait = std::max(wait, tokens_.time_until(estimated_tokens, now));
    s.retry_after = wait;
    return s;
  }
  // Both checks passed at the same instant, so both takes succeed.
  if (limits_.requests_per_minute) requests_.try_take(1, now);
  if (limits_.tokens_per_minute) tokens_.try_take(estimated_tokens, now);
  return status(now);
}

void rate_limiter::settle(std::uint32_t estimated_tokens, std::uint32_t actual_tokens, clock::time_point now) {
  if (!limits_.tokens_per_minute) return;
  tokens_.adjust(static_cast<double>(actual_tokens) - static_cast<double>(estimated_tokens), now);
}

void rate_limiter::reconfigure(const rate_limits& l, clock::time_point now) {
  // A limit switched on starts full; one that changes keeps its level.
  if (l.requests_per_minute && !limits_.requests_per_minute) requests_ = token_bucket(l.requests_per_minute, now);
  else requests_.set_limit(l.requests_per_minute, now);
  if (l.tokens_per_minute && !limits_.tokens_per_minute) tokens_ = token_bucket(l.tokens_per_minute, now);
  else tokens_.set_limit(l.tokens_per_minute, now);
  limits_ = l;
}

std::string format_reset(std::chrono::milliseconds d) {
  const auto ms = d.count();
  if (ms < 1000) return std::to_string(ms) + "ms";
  const auto total_s = (ms + 999) / 1000;  // round up: never tell a client to come back early
  if (total_s < 60) return std::to_string(total_s) + "s";
  return std::to_string(total_s / 60) + "m" + std::to_string(total_s % 60) + "s";
}

}  // namespace gw
