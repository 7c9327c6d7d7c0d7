#include "policy/server_health.hpp"

#include <gtest/gtest.h>

namespace gw {
namespace {

TEST(server_health, starts_healthy_and_ejects_after_consecutive_failures) {
  server_health h({3, 2});
  EXPECT_TRUE(h.healthy());
  EXPECT_FALSE(h.record(false));
  EXPECT_FALSE(h.record(false));
  EXPECT_TRUE(h.healthy());
  EXPECT_TRUE(h.record(false));  // the third in a row
  EXPECT_FALSE(h.healthy());
}

TEST(server_health, a_success_breaks_the_failure_run) {
  server_health h({2, 2});
  h.record(false);
  h.record(true);
  h.record(false);
  EXPECT_TRUE(h.healthy());
  h.record(false);
  EXPECT_FALSE(h.healthy());
}

TEST(server_health, readmits_after_consecutive_successes_only) {
  server_health h({1, 3});
  h.record(false);
  ASSERT_FALSE(h.healthy());
  h.record(true);
  h.record(true);
  h.record(false);  // the run starts again
  h.record(true);
  h.record(true);
  EXPECT_FALSE(h.healthy());
  EXPECT_TRUE(h.record(true));
  EXPECT_TRUE(h.healthy());
}

}  // namespace
}  // namespace gw
