#pragma once
// Rate limits and budgets kept in Redis, so that every replica of the gateway sees one bucket per
// key. One Lua script per admission and one per settlement: Redis runs each atomically, so two
// replicas admitting the same key at once cannot both take its last request. Time is Redis'
// own (TIME inside the script), so replicas' clocks need not agree.
//
// Redis is "up" while the connection is ready and its last command answered in time. A timeout
// or a lost connection makes it "down" (logged once, counted): admissions then get no answer
// from here (the caller falls back, key_limits.hpp), and a PING every probe interval (or the
// reconnect) brings it back. Spend that could not be written is kept here and written when Redis
// is back, so a Redis outage loses no money. Reactor thread only.

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>

#include "backends/redis_client.hpp"
#include "gateway/config.hpp"
#include "policy/budget.hpp"

namespace gw {

class metrics;

// What the admission script decided.
struct shared_verdict {
  enum class outcome { admitted, requests, tokens, budget } verdict = outcome::admitted;
  std::uint64_t remaining_requests = 0, remaining_tokens = 0;
  std::chrono::milliseconds retry_after{0}, reset_requests{0}, reset_tokens{0};
  double spent_usd = 0;  // this period's spend before this request
};

class shared_limits {
 public:
  shared_limits(boost::asio::any_io_executor ex, const shared_state_config& cfg, metrics& stats);
  ~shared_limits();

  bool up() const { return up_; }
  // `done` runs on the reactor, never inside this call: with the verdict, or nullopt when Redis
  // did not answer within the timeout.
  void admit(const api_key_config& key, std::uint32_t estimated_tokens, const budget_window& w,
             std::function<void(std::optional<shared_verdict>)> done);
  // Corrects the token bucket by `token_delta` (actual - estimated) and adds `usd` to the
  // period's spend; on_spend_total hears the new total. When Redis cannot take it, the spend waits
  // here for the next connection (the token correction is dropped and counted).
  void settle(const api_key_config& key, std::int64_t token_delta, double usd, const budget_window& w);
  // Spend not yet written to Redis for a key's period.
  double unsynced(const std::string& key, const std::string& window) const;
  // A key's period total as Redis reported it after spend was written (a settlement, or the
  // spend kept during an outage): (key name, window id, total).
  std::function<void(const std::string&, const std::string&, double)> on_spend_total;

 private:
  std::string key_of(const std::string& key, const char* what) const;
  void eval(int which, std::vector<std::string> args, redis_client::reply_handler done);
  void became(bool up, const char* why);
  void on_failure(redis_outcome o);
  void probe();
  void flush_unsynced();

  shared_state_config cfg_;
  metrics& stats_;
  redis_client client_;
  bool up_ = false;
  bool announced_ = false;  // whether the first state (up or down) was logged
  boost::asio::steady_timer probe_timer_;
  bool probing_ = false;
  std::string last_error_;
  // Spend Redis could not take yet, by (key name, window id); `ends` sets the key's TTL.
  struct kept_spend {
    double usd = 0;
    std::chrono::system_clock::time_point ends;
  };
  std::map<std::pair<std::string, std::string>, kept_spend> unsynced_;
  void keep_spend(const std::string& key, const budget_window& w, double usd);
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace gw
