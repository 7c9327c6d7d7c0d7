#include "policy/circuit_breaker.hpp"

#include <algorithm>

namespace gw {

const char* to_string(breaker_state s) {
  switch (s) {
    case breaker_state::closed: return "closed";
    case breaker_state::open: return "open";
    case breaker_state::half_open: return "half-open";
  }
  return "unknown";
}

circuit_breaker::circuit_breaker(breaker_config config)
    : config_(config), window_(config.rate_window, false) {
  config_.half_open_probes = std::max(config_.half_open_probes, 1u);
}

breaker_state circuit_breaker::state(time_point now) const {
  if (state_ == breaker_state::open && now - opened_at_ >= config_.open_for) return breaker_state::half_open;
  return state_;
}

void circuit_breaker::advance(time_point now) {
  if (state_ == breaker_state::open && state(now) == breaker_state::half_open) {
    state_ = breaker_state::half_open;
    probes_ = 0;
  }
}

bool circuit_breaker::allow(time_point now) {
  advance(now);
  switch (state_) {
    case breaker_state::closed: return true;
    case breaker_state::open: return false;
    case breaker_state::half_open:
      if (probes_ >= config_.half_open_probes) return false;
      ++probes_;
      return true;
  }
  return false;
}

void circuit_breaker::record_success(time_point now) {
  advance(now);
  switch (state_) {
    case breaker_state::closed:
      run_ = 0;
      push_outcome(false);
      // The success that fills the window can still leave the rate at the threshold.
      if (rate_tripped()) open(now);
      return;
    // Outcomes are not tied to the probe that caused them; any success shows the target answers.
    case breaker_state::half_open: close(); return;
    // A request sent before the breaker opened: its outcome says nothing about the wait.
    case breaker_state::open: return;
  }
}

void circuit_breaker::record_failure(time_point now) {
  advance(now);
  switch (state_) {
    case breaker_state::closed:
      ++run_;
      push_outcome(true);
      if ((config_.consecutive_failures > 0 && run_ >= config_.consecutive_failures) || rate_tripped())
        open(now);
      return;
    case breaker_state::half_open: open(now); return;
    case breaker_state::open: return;
  }
}

void circuit_breaker::record_cancelled(time_point now) {
  advance(now);
  if (state_ == breaker_state::half_open && probes_ > 0) --probes_;
}

void circuit_breaker::open(time_point now) {
  state_ = breaker_state::open;
  opened_at_ = now;
  probes_ = 0;
}

// A recovered target starts with a clean history: old failures must not reopen it at once.
void circuit_breaker::close() {
  state_ = breaker_state::closed;
  run_ = 0;
  std::fill(window_.begin(), window_.end(), false);
  next_ = samples_ = window_failures_ = 0;
  probes_ = 0;
}

void circuit_breaker::push_outcome(bool failed) {
  if (window_.empty()) return;
  if (samples_ == window_.size()) {
    if (window_[next_]) --window_failures_;
  } else {
    ++samples_;
  }
  window_[next_] = failed;
  if (failed) ++window_failures_;
  next_ = (next_ + 1) % window_.size();
}

// Only a full window counts, so a handful of early failures cannot trip it; and a window without
// a failure never does, even with a failure_rate of 0.
bool circuit_breaker::rate_tripped() const {
  if (window_.empty() || samples_ < window_.size() || window_failures_ == 0) return false;
  return static_cast<double>(window_failures_) >= config_.failure_rate * static_cast<double>(samples_);
}

}  // namespace gw
