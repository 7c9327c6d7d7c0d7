// Admission and settlement of a key's limits and budget, in process and with the shared state
// unreachable (the fallbacks). Sharing itself, against a real Redis, is in
// tests/integration/shared_state_test.sh.
#include "gateway/key_limits.hpp"

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>

#include "gateway/metrics.hpp"

namespace gw {
namespace {

api_key_config key(std::string name, std::uint64_t rpm, double budget_usd) {
  api_key_config k;
  k.name = std::move(name);
  k.sha256[0] = static_cast<unsigned char>(k.name[0]);
  k.limits.requests_per_minute = rpm;
  k.budget.usd = budget_usd;
  k.budget.period = budget_period::day;
  return k;
}

struct fixture {
  boost::asio::io_context io;
  metrics stats;
  auth_config auth;
  shared_state_config state;
};

TEST(key_limits, a_key_without_limits_is_admitted_without_state) {
  fixture f;
  f.auth.keys = {key("free", 0, 0)};
  key_limits l(f.io.get_executor(), f.auth, f.state, f.stats);
  for (int i = 0; i < 1000; ++i) ASSERT_TRUE(l.admit_now(f.auth.keys[0], 10)->admitted());
}

TEST(key_limits, in_process_budget_refuses_once_spent_and_names_the_reset) {
  fixture f;
  f.auth.keys = {key("b", 0, 1.0)};
  key_limits l(f.io.get_executor(), f.auth, f.state, f.stats);
  const auto& k = f.auth.keys[0];
  auto a = l.admit_now(k, 5);
  ASSERT_TRUE(a && a->admitted());
  EXPECT_FALSE(a->shared);
  l.settle(k, key_usage{5, 50, 0.6, false});
  EXPECT_TRUE(l.admit_now(k, 5)->admitted());  // 0.6 < 1.0: a request that starts under may end over
  l.settle(k, key_usage{5, 50, 0.6, false});
  a = l.admit_now(k, 5);
  EXPECT_TRUE(a->over_budget);
  EXPECT_FALSE(a->admitted());
  EXPECT_DOUBLE_EQ(a->spent_usd, 1.2);
  EXPECT_EQ(a->budget_resets, window_of(budget_period::day, std::chrono::system_clock::now()).ends);
  const auto views = l.budgets();
  ASSERT_EQ(views.size(), 1u);
  EXPECT_DOUBLE_EQ(views[0].spent, 1.2);
  EXPECT_DOUBLE_EQ(views[0].budget, 1.0);
}

TEST(key_limits, a_reload_keeps_spend_and_a_raised_budget_admits_again) {
  fixture f;
  f.auth.keys = {key("b", 0, 1.0)};
  key_limits l(f.io.get_executor(), f.auth, f.state, f.stats);
  l.settle(f.auth.keys[0], key_usage{0, 0, 1.5, false});
  EXPECT_TRUE(l.admit_now(f.auth.keys[0], 1)->over_budget);
  auth_config next;
  next.keys = {key("b", 0, 2.0)};
  l.reload(next);
  auto a = l.admit_now(next.keys[0], 1);
  EXPECT_TRUE(a->admitted());
  EXPECT_DOUBLE_EQ(a->spent_usd, 1.5);
}

TEST(key_limits, rate_limits_refuse_in_process) {
  fixture f;
  f.auth.keys = {key("r", 2, 0)};
  key_limits l(f.io.get_executor(), f.auth, f.state, f.stats);
  EXPECT_TRUE(l.admit_now(f.auth.keys[0], 1)->admitted());
  EXPECT_TRUE(l.admit_now(f.auth.keys[0], 1)->admitted());
  const auto a = l.admit_now(f.auth.keys[0], 1);
  EXPECT_FALSE(a->rate.allowed);
  EXPECT_GT(a->rate.retry_after.count(), 0);
}

// A Redis that is not there: nothing waits for it, and each limit does what it was set to do.
shared_state_config unreachable(bool rate_open, bool budget_open) {
  shared_state_config s;
  s.enabled = true;
  s.url = "unix:///nonexistent/redis.sock";
  s.endpoint.unix_path = "/nonexistent/redis.sock";
  s.rate_limits_fail_open = rate_open;
  s.budgets_fail_open = budget_open;
  return s;
}

TEST(key_limits, redis_down_fails_open_to_local_buckets_at_once) {
  fixture f;
  f.auth.keys = {key("r", 1, 0)};
  f.state = unreachable(true, true);
  key_limits l(f.io.get_executor(), f.auth, f.state, f.stats);
  f.io.run_for(std::chrono::milliseconds(10));  // the connect fails
  auto a = l.admit_now(f.auth.keys[0], 1);
  ASSERT_TRUE(a) << "a request must not wait for a Redis that is down";
  EXPECT_TRUE(a->admitted());
  EXPECT_FALSE(a->shared);
  EXPECT_FALSE(l.admit_now(f.auth.keys[0], 1)->rate.allowed);  // the local bucket holds 1 per minute
  const std::string text = f.stats.render();
  EXPECT_NE(text.find("gateway_shared_state_up 0"), std::string::npos);
  EXPECT_NE(text.find("gateway_shared_state_fallbacks_total{limit=\"rate_limits\",action=\"local\"} 2"),
            std::string::npos)
      << text;
}

TEST(key_limits, redis_down_fails_closed_only_for_the_limits_set_so) {
  fixture f;
  f.auth.keys = {key("rate", 10, 0), key("budget", 0, 5)};
  f.state = unreachable(false, true);
  key_limits l(f.io.get_executor(), f.auth, f.state, f.stats);
  f.io.run_for(std::chrono::milliseconds(10));
  EXPECT_TRUE(l.admit_now(f.auth.keys[0], 1)->unavailable);
  EXPECT_TRUE(l.admit_now(f.auth.keys[1], 1)->admitted());
}

TEST(key_limits, spend_made_while_redis_is_down_counts_against_the_local_view) {
  fixture f;
  f.auth.keys = {key("b", 0, 1.0)};
  f.state = unreachable(true, true);
  key_limits l(f.io.get_executor(), f.auth, f.state, f.stats);
  f.io.run_for(std::chrono::milliseconds(10));
  l.settle(f.auth.keys[0], key_usage{0, 0, 1.0, false});
  EXPECT_TRUE(l.admit_now(f.auth.keys[0], 1)->over_budget);
  EXPECT_NE(f.stats.render().find("gateway_shared_state_errors_total{kind=\"settle_deferred\"} 1"), std::string::npos);
}

}  // namespace
}  // namespace gw
