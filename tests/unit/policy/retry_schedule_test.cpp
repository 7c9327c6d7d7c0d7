#include "policy/retry_schedule.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <optional>
#include <string>

namespace gw {
namespace {

using std::chrono::milliseconds;
using ms_opt = std::optional<milliseconds>;

struct delay_case {
  std::string name;
  retry_config config;
  unsigned retry;
  ms_opt retry_after;
  double random01;
  ms_opt expected;
};

const retry_config defaults{};  // 2 retries, 200 ms base, 5 s cap, 10 s max Retry-After
const retry_config many{.max_retries = 10, .base = milliseconds{200}, .cap = milliseconds{5000}};

TEST(retry_delay, table) {
  constexpr double nan = std::numeric_limits<double>::quiet_NaN();
  const delay_case cases[] = {
      // exhausted
      {"retry 0 is not a retry", defaults, 0, {}, 1, {}},
      {"first retry", defaults, 1, {}, 1, milliseconds{200}},
      {"second retry doubles", defaults, 2, {}, 1, milliseconds{400}},
      {"third retry is past max_retries", defaults, 3, {}, 1, {}},
      {"no retries configured", {.max_retries = 0}, 1, {}, 1, {}},
      // exponential, capped
      {"retry 3", many, 3, {}, 1, milliseconds{800}},
      {"retry 5", many, 5, {}, 1, milliseconds{3200}},
      {"retry 6 hits the cap", many, 6, {}, 1, milliseconds{5000}},
      {"retry 10 stays at the cap", many, 10, {}, 1, milliseconds{5000}},
      {"huge retry number does not overflow",
       {.max_retries = std::numeric_limits<unsigned>::max()}, std::numeric_limits<unsigned>::max(), {}, 1,
       milliseconds{5000}},
      {"cap below base", {.base = milliseconds{800}, .cap = milliseconds{300}}, 1, {}, 1, milliseconds{300}},
      {"zero base", {.base = milliseconds{0}}, 2, {}, 1, milliseconds{0}},
      // full jitter
      {"jitter 0", defaults, 2, {}, 0, milliseconds{0}},
      {"jitter half", defaults, 2, {}, 0.5, milliseconds{200}},
      {"jitter rounds down", defaults, 1, {}, 0.9999, milliseconds{199}},
      {"jitter above 1 clamps", defaults, 1, {}, 7, milliseconds{200}},
      {"jitter below 0 clamps", defaults, 1, {}, -1, milliseconds{0}},
      {"NaN jitter is 0", defaults, 1, {}, nan, milliseconds{0}},
      // Retry-After
      {"Retry-After above the jittered delay wins", defaults, 1, milliseconds{3000}, 1, milliseconds{3000}},
      {"Retry-After below the jittered delay", defaults, 2, milliseconds{100}, 1, milliseconds{400}},
      {"Retry-After is a floor under jitter", defaults, 1, milliseconds{150}, 0, milliseconds{150}},
      {"Retry-After may exceed the cap", defaults, 1, milliseconds{8000}, 0.5, milliseconds{8000}},
      {"Retry-After at the limit", defaults, 1, milliseconds{10000}, 0, milliseconds{10000}},
      {"Retry-After over the limit gives up", defaults, 1, milliseconds{10001}, 1, {}},
      {"Retry-After zero", defaults, 1, milliseconds{0}, 0.5, milliseconds{100}},
      {"negative Retry-After counts as none", defaults, 1, milliseconds{-5}, 0, milliseconds{0}},
      {"exhausted even with a small Retry-After", defaults, 3, milliseconds{1}, 1, {}},
  };
  for (const auto& c : cases) {
    const auto got = retry_delay(c.config, c.retry, c.retry_after, c.random01);
    ASSERT_EQ(got.has_value(), c.expected.has_value()) << c.name;
    if (got) EXPECT_EQ(got->count(), c.expected->count()) << c.name;
  }
}

// Full jitter over many draws: the delay follows the draw (never shrinks as it grows) across the
// whole of [0, backoff], within a millisecond of draw x backoff; a Retry-After is a floor under it.
TEST(retry_delay, jitter_spans_the_backoff_and_follows_the_draw) {
  for (unsigned retry = 1; retry <= many.max_retries; ++retry) {
    const long backoff = std::min(200L << (retry - 1), 5000L);
    long previous = -1;
    for (int i = 0; i <= 1000; ++i) {
      const double r = i / 1000.0;
      const auto plain = retry_delay(many, retry, {}, r);
      ASSERT_TRUE(plain);
      EXPECT_GE(plain->count(), previous) << retry << " " << r;
      EXPECT_NEAR(static_cast<double>(plain->count()), r * static_cast<double>(backoff), 1.0) << retry << " " << r;
      previous = plain->count();
      const auto floored = retry_delay(many, retry, milliseconds{1000}, r);
      ASSERT_TRUE(floored);
      EXPECT_EQ(floored->count(), std::max(1000L, plain->count())) << retry << " " << r;
    }
    EXPECT_EQ(retry_delay(many, retry, {}, 0.0)->count(), 0) << retry;
    EXPECT_EQ(previous, backoff) << retry;  // the last draw, 1.0
  }
}

}  // namespace
}  // namespace gw
