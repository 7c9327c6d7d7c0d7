#include "policy/retry_after.hpp"

#include <gtest/gtest.h>

#include <limits>

namespace gw {
namespace {

TEST(retry_after_seconds, table) {
  constexpr double inf = std::numeric_limits<double>::infinity();
  constexpr double nan = std::numeric_limits<double>::quiet_NaN();
  struct row {
    std::size_t queued;
    double rate;
    unsigned expected;
  };
  const row rows[] = {
      {0, 0, 1},        // cold pool: no rate yet
      {500, 0, 1},      // still no rate: never "now", never unbounded
      {10, -3, 1},      // nonsense rate treated as none
      {10, nan, 1},
      {0, 5, 1},        // empty queue still says at least one second
      {1, 1000, 1},     // under a second rounds up to one
      {10, 2, 5},       // exact division
      {10, 3, 4},       // 3.33 rounds up
      {11, 2, 6},       // 5.5 rounds up
      {60, 1, 60},      // at the cap
      {61, 1, 60},      // over the cap
      {1000000, 0.5, 60},
      {100, inf, 1},
      {std::numeric_limits<std::size_t>::max(), 1e-9, 60},
  };
  for (const auto& r : rows)
    EXPECT_EQ(retry_after_seconds(r.queued, r.rate), r.expected)
        << r.queued << " queued at " << r.rate << "/s";
}

TEST(retry_after_seconds, never_decreases_as_the_queue_grows) {
  unsigned prev = 0;
  for (std::size_t q = 0; q < 500; ++q) {
    const unsigned s = retry_after_seconds(q, 7.5);
    EXPECT_GE(s, prev) << q;
    EXPECT_GE(s, 1u);
    EXPECT_LE(s, 60u);
    prev = s;
  }
}

}  // namespace
}  // namespace gw
