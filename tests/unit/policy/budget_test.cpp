#include "policy/budget.hpp"

#include <gtest/gtest.h>

namespace gw {
namespace {

using namespace std::chrono;

system_clock::time_point at(int y, unsigned m, unsigned d, int h = 0, int min = 0) {
  return sys_days(year(y) / month(m) / day(d)) + hours(h) + minutes(min);
}

TEST(budget, day_windows_are_utc_days) {
  const auto w = window_of(budget_period::day, at(2026, 12, 7, 23, 59));
  EXPECT_EQ(w.id, "2026-12-07");
  EXPECT_EQ(w.ends, at(2026, 12, 8));
  EXPECT_EQ(window_of(budget_period::day, at(2026, 12, 8)).id, "2026-12-08");
}

TEST(budget, month_windows_end_on_the_first) {
  auto w = window_of(budget_period::month, at(2026, 12, 31, 12));
  EXPECT_EQ(w.id, "2026-12");
  EXPECT_EQ(w.ends, at(2027, 1, 1));
  w = window_of(budget_period::month, at(2028, 2, 29));
  EXPECT_EQ(w.id, "2028-02");
  EXPECT_EQ(w.ends, at(2028, 3, 1));
}

TEST(budget, format_utc) { EXPECT_EQ(format_utc(at(2026, 1, 2, 3, 4) + seconds(5)), "2026-01-02T03:04:05Z"); }

TEST(budget, allows_until_spent) {
  const budget_config b{10, budget_period::day};
  EXPECT_TRUE(budget_allows(b, 9.99));
  EXPECT_FALSE(budget_allows(b, 10));
  EXPECT_TRUE(budget_allows(budget_config{}, 1e9));  // no budget
}

}  // namespace
}  // namespace gw
