#include "policy/circuit_breaker.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace gw {
namespace {

using std::chrono::milliseconds;
using time_point = circuit_breaker::time_point;

const time_point t0{};
time_point at(long ms) { return t0 + milliseconds{ms}; }

constexpr auto C = breaker_state::closed;
constexpr auto O = breaker_state::open;
constexpr auto H = breaker_state::half_open;

enum class op { allow, deny, ok, fail, cancel, look };

// One call at a time, then the state the breaker must report right after it. `allow` and `deny`
// both call allow() and expect true or false.
struct step {
  long at_ms;
  op what;
  breaker_state after;
};

struct sequence_case {
  std::string name;
  breaker_config config;
  std::vector<step> steps;
};

void run(const sequence_case& c) {
  circuit_breaker b{c.config};
  for (std::size_t i = 0; i < c.steps.size(); ++i) {
    const step& s = c.steps[i];
    const auto now = at(s.at_ms);
    switch (s.what) {
      case op::allow: EXPECT_TRUE(b.allow(now)) << c.name << " step " << i; break;
      case op::deny: EXPECT_FALSE(b.allow(now)) << c.name << " step " << i; break;
      case op::ok: b.record_success(now); break;
      case op::fail: b.record_failure(now); break;
      case op::cancel: b.record_cancelled(now); break;
      case op::look: break;
    }
    EXPECT_EQ(b.state(now), s.after) << c.name << " step " << i << ": " << to_string(b.state(now));
  }
}

// Rate rule off, so only the consecutive rule acts.
const breaker_config run_of_3{.consecutive_failures = 3, .rate_window = 0, .open_for = milliseconds{1000}};
// Consecutive rule off: half of the last 4 outcomes.
const breaker_config rate_half_of_4{
    .consecutive_failures = 0, .failure_rate = 0.5, .rate_window = 4, .open_for = milliseconds{1000}};

TEST(circuit_breaker, sequences) {
  using enum op;
  const sequence_case cases[] = {
      {"starts closed and allows", {}, {{0, look, C}, {0, allow, C}, {0, allow, C}}},
      {"opens on the third failure in a row",
       run_of_3,
       {{0, fail, C}, {1, fail, C}, {2, fail, O}, {3, deny, O}}},
      {"a success breaks the run",
       run_of_3,
       {{0, fail, C}, {1, fail, C}, {2, ok, C}, {3, fail, C}, {4, fail, C}, {5, fail, O}}},
      {"stays open until open_for has elapsed",
       run_of_3,
       {{0, fail, C}, {0, fail, C}, {100, fail, O}, {1099, deny, O}, {1099, look, O}, {1100, look, H}}},
      {"half-open lets one probe through",
       run_of_3,
       {{0, fail, C}, {0, fail, C}, {0, fail, O}, {1000, allow, H}, {1000, deny, H}, {1500, deny, H}}},
      {"probe success closes",
       run_of_3,
       {{0, fail, C}, {0, fail, C}, {0, fail, O}, {1000, allow, H}, {1200, ok, C}, {1200, allow, C},
        {1200, allow, C}}},
      {"closing resets the failure run",
       run_of_3,
       {{0, fail, C}, {0, fail, C}, {0, fail, O}, {1000, allow, H}, {1000, ok, C}, {1001, fail, C},
        {1002, fail, C}, {1003, fail, O}}},
      {"probe failure reopens for another open_for",
       run_of_3,
       {{0, fail, C}, {0, fail, C}, {0, fail, O}, {1000, allow, H}, {1300, fail, O}, {2299, deny, O},
        {2300, allow, H}, {2300, deny, H}}},
      {"a cancelled probe frees its slot",
       run_of_3,
       {{0, fail, C}, {0, fail, C}, {0, fail, O}, {1000, allow, H}, {1000, deny, H}, {1001, cancel, H},
        {1002, allow, H}, {1003, ok, C}}},
      {"cancel while closed or open counts nothing",
       run_of_3,
       {{0, fail, C}, {0, fail, C}, {0, cancel, C}, {0, fail, O}, {1, cancel, O}, {1, deny, O}}},
      {"late outcomes while open are ignored",
       run_of_3,
       {{0, fail, C}, {0, fail, C}, {0, fail, O}, {10, ok, O}, {20, fail, O}, {999, deny, O}, {1000, look, H}}},
      {"a late failure does not extend the open period",
       run_of_3,
       {{0, fail, C}, {0, fail, C}, {0, fail, O}, {900, fail, O}, {1000, allow, H}}},
      {"an outcome after open_for without allow() acts as half-open",
       run_of_3,
       {{0, fail, C}, {0, fail, C}, {0, fail, O}, {5000, ok, C}, {5000, allow, C}}},
      {"several probes",
       {.consecutive_failures = 1, .rate_window = 0, .open_for = milliseconds{10}, .half_open_probes = 3},
       {{0, fail, O}, {10, allow, H}, {10, allow, H}, {10, allow, H}, {10, deny, H}, {11, cancel, H},
        {11, allow, H}, {12, deny, H}, {13, fail, O}, {22, deny, O}, {23, allow, H}}},
      {"zero probes counts as one",
       {.consecutive_failures = 1, .rate_window = 0, .open_for = milliseconds{10}, .half_open_probes = 0},
       {{0, fail, O}, {10, allow, H}, {10, deny, H}, {11, ok, C}}},
      {"open_for zero goes half-open at once",
       {.consecutive_failures = 1, .rate_window = 0, .open_for = milliseconds{0}},
       {{0, fail, H}, {0, allow, H}, {0, deny, H}, {0, fail, H}, {0, allow, H}}},
      {"both rules off: never opens",
       {.consecutive_failures = 0, .rate_window = 0},
       {{0, fail, C}, {1, fail, C}, {2, fail, C}, {3, fail, C}, {4, fail, C}, {5, fail, C}, {6, allow, C}}},
      // failure rate
      {"rate needs a full window",
       rate_half_of_4,
       {{0, fail, C}, {1, fail, C}, {2, fail, C}, {3, ok, O}}},
      {"rate counts only once the window is full",
       rate_half_of_4,
       {{0, ok, C}, {1, fail, C}, {2, ok, C}, {3, fail, O}}},
      {"rate under the threshold stays closed",
       rate_half_of_4,
       // the window slides from ok ok ok fail to ok ok ok fail again: never more than 1/4
       {{0, ok, C}, {1, ok, C}, {2, ok, C}, {3, fail, C}, {4, ok, C}, {5, ok, C}, {6, ok, C}, {7, fail, C}}},
      {"old outcomes leave the window",
       rate_half_of_4,
       // window after step 5: ok ok ok fail (1/4); a second failure makes 2/4
       {{0, fail, C}, {1, ok, C}, {2, ok, C}, {3, ok, C}, {4, ok, C}, {5, fail, C}, {6, fail, O}}},
      {"a failure leaving the window lowers the rate",
       rate_half_of_4,
       // fail ok ok ok, then ok pushes the failure out: 0/4, then one failure is 1/4
       {{0, fail, C}, {1, ok, C}, {2, ok, C}, {3, ok, C}, {4, ok, C}, {5, fail, C}, {6, ok, C}, {7, ok, C},
        {8, ok, C}, {9, fail, C}}},
      {"rate window is cleared on close",
       {.consecutive_failures = 0, .failure_rate = 0.5, .rate_window = 4, .open_for = milliseconds{10}},
       {{0, ok, C}, {0, ok, C}, {0, fail, C}, {0, fail, O}, {10, allow, H}, {10, ok, C},
        // without the reset, ok ok fail fail + fail would read 3/4 and reopen
        {11, fail, C}, {12, ok, C}, {13, ok, C}, {14, ok, C}}},
      {"rate 1.0 needs every outcome failed",
       {.consecutive_failures = 0, .failure_rate = 1.0, .rate_window = 3},
       {{0, fail, C}, {1, ok, C}, {2, fail, C}, {3, fail, C}, {4, fail, O}}},
      {"whichever rule trips first",
       {.consecutive_failures = 2, .failure_rate = 0.5, .rate_window = 10},
       {{0, ok, C}, {1, fail, C}, {2, fail, O}}},
  };
  for (const auto& c : cases) run(c);
}

// A breaker in a real loop: it opens, waits, probes, recovers, and a second outage behaves the same.
TEST(circuit_breaker, default_config_recovers_repeatedly) {
  circuit_breaker b;
  long t = 0;
  for (int outage = 0; outage < 3; ++outage) {
    for (int i = 0; i < 5; ++i, ++t) {
      ASSERT_TRUE(b.allow(at(t)));
      b.record_failure(at(t));
    }
    const long opened = t - 1;
    EXPECT_EQ(b.state(at(t)), breaker_state::open);
    EXPECT_FALSE(b.allow(at(opened + 9999)));
    t = opened + 10000;
    ASSERT_TRUE(b.allow(at(t)));
    EXPECT_FALSE(b.allow(at(t)));
    b.record_success(at(t));
    EXPECT_EQ(b.state(at(t)), breaker_state::closed);
  }
}

TEST(circuit_breaker, state_does_not_change_the_breaker) {
  circuit_breaker b{{.consecutive_failures = 1, .open_for = milliseconds{10}}};
  b.record_failure(at(0));
  EXPECT_EQ(b.state(at(50)), breaker_state::half_open);
  EXPECT_EQ(b.state(at(5)), breaker_state::open);  // state() is a reading, not a transition
}

TEST(breaker_state, names) {
  EXPECT_EQ(std::string(to_string(breaker_state::closed)), "closed");
  EXPECT_EQ(std::string(to_string(breaker_state::open)), "open");
  EXPECT_EQ(std::string(to_string(breaker_state::half_open)), "half-open");
}

}  // namespace
}  // namespace gw
