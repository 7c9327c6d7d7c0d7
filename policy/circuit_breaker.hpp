#pragma once
// A circuit breaker for one target (a local pool or a remote provider): after enough failures it
// stops sending requests there for a while, then lets a few probes through to test recovery.
// Pure state machine: the caller passes the time in and records every outcome of a request it
// was allowed to send. Not thread-safe: one breaker belongs to the reactor thread.

#include <chrono>
#include <cstddef>
#include <vector>

namespace gw {

struct breaker_config {
  unsigned consecutive_failures = 5;  // open after this many failures in a row; 0 = off
  double failure_rate = 0.5;          // open when failures / outcomes in the window reach this
  unsigned rate_window = 20;  // last outcomes the rate looks at, and the minimum it needs; 0 = off
  std::chrono::milliseconds open_for{10000};
  unsigned half_open_probes = 1;  // probes in flight at once while half-open; 0 counts as 1
};

enum class breaker_state { closed, open, half_open };
const char* to_string(breaker_state s);

class circuit_breaker {
 public:
  using time_point = std::chrono::steady_clock::time_point;

  explicit circuit_breaker(breaker_config config = {});

  // May a request go to this target now? Open turns half-open once open_for has elapsed; a true
  // answer while half-open takes a probe slot, which the next recorded outcome gives back.
  bool allow(time_point now);
  // The target answered well. Closed: breaks the failure run (the rate may still open it).
  // Half-open: closes and resets counts.
  void record_success(time_point now);
  // The target failed. Closed: may open it. Half-open: reopens it for another open_for.
  void record_failure(time_point now);
  // The request ended without a verdict on the target (the client went away): frees a half-open
  // probe slot, counts nothing. Without it a lost probe would keep the breaker half-open forever.
  void record_cancelled(time_point now);
  // The state `allow(now)` would act on; open reads as half-open once open_for has elapsed.
  breaker_state state(time_point now) const;

 private:
  void open(time_point now);
  void close();
  // Moves an expired open state to half-open; every public entry point calls it first.
  void advance(time_point now);
  void push_outcome(bool failed);
  bool rate_tripped() const;

  breaker_config config_;
  breaker_state state_ = breaker_state::closed;
  time_point opened_at_{};
  unsigned run_ = 0;                 // consecutive failures while closed
  std::vector<bool> window_;         // ring of the last rate_window outcomes, true = failure
  std::size_t next_ = 0;             // ring slot the next outcome overwrites
  std::size_t samples_ = 0;          // outcomes in the ring, up to its size
  std::size_t window_failures_ = 0;  // failures among them
  unsigned probes_ = 0;              // probes in flight while half-open
};

}  // namespace gw
