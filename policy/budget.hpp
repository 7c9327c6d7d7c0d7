#pragma once
// Per-key spending budgets: a key may spend `usd` per calendar day or month (UTC), counted from
// the usage the engines reported and the configured prices. Pure: the caller passes the time.

#include <chrono>
#include <string>

namespace gw {

enum class budget_period { day, month };

struct budget_config {
  double usd = 0;  // 0: no budget
  budget_period period = budget_period::month;
};

// The period a moment falls in: its name ("2026-12-07" or "2026-12", part of the shared-state
// key, so that a new period starts from zero without anyone resetting it) and when it ends.
struct budget_window {
  std::string id;
  std::chrono::system_clock::time_point ends;
};
budget_window window_of(budget_period p, std::chrono::system_clock::time_point now);

const char* to_string(budget_period p);

// "2026-12-08T00:00:00Z"
std::string format_utc(std::chrono::system_clock::time_point t);

// Whether a key that has spent `spent` this period may start another request. A request that
// starts under the budget may end over it (its cost is known only at the end): budgets bound
// spend to the budget plus what the requests in flight at that moment cost.
inline bool budget_allows(const budget_config& b, double spent) { return b.usd <= 0 || spent < b.usd; }

}  // namespace gw
