#pragma once
// The client keys, their rate limits and their budgets: which keys exist (auth: in the config),
// how much each may still send and spend. Admission happens when a request is accepted,
// settlement when it ends. A reload swaps the key table and keeps each surviving key's state.
//
// Where the state lives: in this process by default; with `state.redis` in Redis, shared by every
// replica (shared_limits.hpp), so that N replicas together admit a key's limit, not N times it.
// While Redis cannot answer, each kind of limit does what the config chose: `open` falls back to
// this process's own buckets and its last view of the key's spend; `closed` refuses with 503.
// Reactor thread only.

#include <boost/asio/any_io_executor.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "gateway/client_auth.hpp"
#include "gateway/config.hpp"
#include "policy/budget.hpp"
#include "policy/rate_limiter.hpp"

namespace gw {

class metrics;
class shared_limits;

// The answer to "may this key start this request".
struct key_admission {
  rate_status rate;             // !rate.allowed: 429 (x-ratelimit-* headers either way)
  bool over_budget = false;     // 429 budget_exceeded
  double spent_usd = 0;         // this period's spend as seen at admission
  std::chrono::system_clock::time_point budget_resets;
  bool unavailable = false;     // a limit set to fail closed could not be checked: 503
  bool shared = false;          // decided by the shared state, so settled there too
  bool admitted() const { return rate.allowed && !over_budget && !unavailable; }
};

// What a request used, charged when it ends.
struct key_usage {
  std::uint32_t estimated_tokens = 0;  // charged at admission
  std::uint32_t actual_tokens = 0;     // prompt + completion
  double usd = 0;                      // from reported usage and prices
  bool shared = false;                 // key_admission::shared
};

class key_limits {
 public:
  key_limits(boost::asio::any_io_executor ex, const auth_config& auth, const shared_state_config& state, metrics& stats);
  ~key_limits();

  // The keys; shared so that a request keeps its key's settings across a reload.
  const key_table& keys() const { return *keys_; }

  // The answer, when it needs no I/O (no shared state; a key with no limits; shared state down).
  std::optional<key_admission> admit_now(const api_key_config& key, std::uint32_t estimated_tokens);
  // Otherwise this: `done` runs on the reactor within the shared state's timeout, never inside.
  void admit_shared(const api_key_config& key, std::uint32_t estimated_tokens, std::function<void(key_admission)> done);
  void settle(const api_key_config& key, const key_usage& used);

  // A key that stays keeps its window and spent budget under its new limits; a new key starts
  // afresh; a dropped key's requests still running settle into nothing.
  void reload(const auth_config& auth);

  // gateway_key_spend_usd / gateway_key_budget_usd: (key, spent this period, budget) for the keys
  // that have a budget.
  struct budget_view {
    std::string key;
    double spent = 0, budget = 0;
  };
  std::vector<budget_view> budgets();

 private:
  struct spend_state {
    std::string window;      // budget_window::id this spend belongs to
    double spent = 0;        // in process: all of it; shared: the last total Redis reported
  };
  key_admission admit_local(const api_key_config& key, std::uint32_t estimated_tokens, bool rate_open, bool budget_open);
  double local_spend(const api_key_config& key, const budget_window& w);
  void charge_local_spend(const api_key_config& key, double usd);

  std::shared_ptr<const key_table> keys_;
  std::vector<api_key_config> configs_;
  shared_state_config state_;
  std::map<std::string, rate_limiter, std::less<>> limiters_;  // by key name
  std::map<std::string, spend_state, std::less<>> spend_;      // by key name
  metrics& stats_;
  std::unique_ptr<shared_limits> shared_;
};

// Whether a key's admission involves any state at all.
inline bool has_limits(const api_key_config& k) {
  return k.limits.requests_per_minute || k.limits.tokens_per_minute || k.budget.usd > 0;
}

}  // namespace gw
