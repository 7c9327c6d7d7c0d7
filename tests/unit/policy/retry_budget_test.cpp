#include "policy/retry_budget.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace gw {
namespace {

using std::chrono::milliseconds;
using time_point = retry_budget::time_point;

const time_point t0{};
time_point at(long ms) { return t0 + milliseconds{ms}; }

// `requests` first attempts at `at_ms`, then `retries` retry attempts; `allowed` of them must be
// granted (the first ones: once refused, the rest are refused too at the same instant).
struct step {
  long at_ms;
  unsigned requests;
  unsigned retries;
  unsigned allowed;
};

struct budget_case {
  std::string name;
  retry_budget_config config;
  std::vector<step> steps;
};

// A 1 s window in 100 ms slices keeps the arithmetic readable.
retry_budget_config cfg(double ratio, double min_per_s, long window_ms = 1000) {
  return {.ratio = ratio, .min_retries_per_s = min_per_s, .window = milliseconds{window_ms}};
}

TEST(retry_budget, table) {
  const budget_case cases[] = {
      {"no traffic, no floor: no retry", cfg(0.2, 0), {{0, 0, 1, 0}}},
      {"floor alone: min_retries_per_s x window", cfg(0.2, 3), {{0, 0, 5, 3}}},
      {"floor scales with the window", cfg(0.2, 3, 2000), {{0, 0, 10, 6}}},
      {"fractional floor rounds down", cfg(0, 2.5), {{0, 0, 5, 2}}},
      {"ratio: 10 requests earn 2 retries", cfg(0.2, 0), {{0, 10, 5, 2}}},
      {"ratio exact at 5 requests (no rounding loss)", cfg(0.2, 0), {{0, 5, 2, 1}}},
      {"4 requests earn less than one retry", cfg(0.2, 0), {{0, 4, 1, 0}}},
      {"ratio and floor add up", cfg(0.2, 3), {{0, 10, 10, 5}}},
      {"ratio 1: one retry per request", cfg(1, 0), {{0, 7, 10, 7}}},
      {"ratio 0 and no floor: retries off", cfg(0, 0), {{0, 100, 3, 0}}},
      {"spent retries stay spent within the window", cfg(0.5, 0),
       {{0, 4, 2, 2}, {500, 0, 1, 0}, {900, 2, 2, 1}}},
      {"a storm: 100 requests, each wanting 3 retries, get 20 + floor 2", cfg(0.2, 2),
       {{0, 100, 300, 22}}},
      {"requests expire with their slice", cfg(0.5, 0), {{0, 4, 0, 0}, {1000, 0, 1, 0}}},
      {"the window still holds the oldest slice just before it ends", cfg(0.5, 0), {{0, 4, 0, 0}, {999, 0, 2, 2}}},
      {"retries expire too, and the floor comes back", cfg(0, 2), {{0, 0, 3, 2}, {500, 0, 1, 0}, {1000, 0, 3, 2}}},
      {"a sliding window: traffic spread over slices", cfg(0.5, 0),
       {{0, 2, 0, 0}, {300, 2, 0, 0}, {600, 2, 0, 0}, {900, 0, 4, 3}, {1250, 0, 1, 0}, {1300, 6, 0, 0}, {1350, 0, 2, 1}}},
      {"a long gap forgets everything", cfg(1, 0), {{0, 10, 0, 0}, {60000, 0, 1, 0}, {60000, 1, 2, 1}}},
      {"a clock that steps back does not revive old requests", cfg(1, 0), {{5000, 3, 0, 0}, {7000, 0, 1, 0}, {5000, 0, 1, 0}}},
      {"a tiny window still works", cfg(1, 0, 1), {{0, 2, 3, 2}, {1, 0, 1, 0}}},
      {"negative settings count as zero", cfg(-1, -5), {{0, 10, 1, 0}}},
  };
  for (const auto& c : cases) {
    retry_budget b{c.config};
    for (std::size_t i = 0; i < c.steps.size(); ++i) {
      const step& s = c.steps[i];
      const auto now = at(s.at_ms);
      for (unsigned k = 0; k < s.requests; ++k) b.record_request(now);
      unsigned granted = 0;
      for (unsigned k = 0; k < s.retries; ++k) {
        const bool ok = b.try_retry(now);
        if (ok) ++granted;
        // Once refused, nothing changes at the same instant: every later ask is refused too.
        if (!ok) EXPECT_EQ(granted, s.allowed) << c.name << " step " << i << " retry " << k;
      }
      EXPECT_EQ(granted, s.allowed) << c.name << " step " << i;
    }
  }
}

TEST(retry_budget, available_counts_down_as_retries_are_spent) {
  retry_budget b{cfg(0.2, 1)};  // floor 1 retry per 1 s window
  EXPECT_DOUBLE_EQ(b.available(at(0)), 1.0);
  for (int i = 0; i < 10; ++i) b.record_request(at(0));
  EXPECT_DOUBLE_EQ(b.available(at(0)), 3.0);
  EXPECT_TRUE(b.try_retry(at(10)));
  EXPECT_DOUBLE_EQ(b.available(at(10)), 2.0);
  EXPECT_DOUBLE_EQ(b.available(at(1000)), 1.0);  // the requests and the retry left the window
}

// The invariant a storm test relies on: over any stretch shorter than the window, retries never
// exceed ratio x requests + the floor, however requests and retries interleave.
TEST(retry_budget, retries_bounded_within_one_window) {
  const auto c = cfg(0.2, 3, 10000);
  retry_budget b{c};
  unsigned requests = 0, retries = 0;
  for (long ms = 0; ms < 9000; ms += 7) {
    b.record_request(at(ms));
    ++requests;
    for (int k = 0; k < 3; ++k)
      if (b.try_retry(at(ms))) ++retries;
  }
  EXPECT_LE(retries, static_cast<unsigned>(0.2 * requests + 3 * 10 + 1e-9));
  EXPECT_GE(retries, static_cast<unsigned>(0.2 * requests));  // and the budget is actually usable
}

}  // namespace
}  // namespace gw
