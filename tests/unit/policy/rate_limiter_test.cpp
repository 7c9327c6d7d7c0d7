#include "policy/rate_limiter.hpp"

#include <gtest/gtest.h>

namespace gw {
namespace {

using namespace std::chrono_literals;
using clock = token_bucket::clock;
const clock::time_point t0{};

TEST(token_bucket, starts_full_and_refills_evenly_over_a_minute) {
  token_bucket b(60, t0);
  EXPECT_EQ(b.remaining(t0), 60u);
  for (int i = 0; i < 60; ++i) EXPECT_TRUE(b.try_take(1, t0));
  EXPECT_FALSE(b.try_take(1, t0));
  EXPECT_EQ(b.time_until(1, t0), 1000ms);
  EXPECT_FALSE(b.try_take(1, t0 + 999ms));
  EXPECT_TRUE(b.try_take(1, t0 + 1s));
  EXPECT_EQ(b.remaining(t0 + 1h), 60u);  // never above capacity
}

TEST(token_bucket, cost_over_capacity_passes_only_when_full_and_leaves_debt) {
  token_bucket b(100, t0);
  EXPECT_TRUE(b.try_take(250, t0));
  EXPECT_EQ(b.remaining(t0), 0u);
  // 150 of debt plus 100 to be full again: 250 units at 100/min.
  EXPECT_EQ(b.time_until_full(t0), 150000ms);
  EXPECT_FALSE(b.try_take(250, t0 + 149s));
  EXPECT_TRUE(b.try_take(250, t0 + 150s));
}

TEST(token_bucket, adjust_refunds_and_charges_without_check) {
  token_bucket b(1000, t0);
  ASSERT_TRUE(b.try_take(500, t0));
  b.adjust(-200, t0);  // used less than estimated
  EXPECT_EQ(b.remaining(t0), 700u);
  b.adjust(900, t0);   // used far more
  EXPECT_EQ(b.remaining(t0), 0u);
  b.adjust(-5000, t0);  // a refund never overfills
  EXPECT_EQ(b.remaining(t0), 1000u);
}

TEST(rate_limiter, refuses_on_requests_then_on_tokens_and_says_which_and_when) {
  rate_limiter l({.requests_per_minute = 2, .tokens_per_minute = 1000}, t0);
  EXPECT_TRUE(l.admit(100, t0).allowed);
  const rate_status ok = l.admit(100, t0);
  EXPECT_TRUE(ok.allowed);
  EXPECT_EQ(ok.remaining_requests, 0u);
  EXPECT_EQ(ok.remaining_tokens, 800u);
  const rate_status no = l.admit(100, t0);
  EXPECT_FALSE(no.allowed);
  EXPECT_FALSE(no.tokens_exceeded);
  EXPECT_EQ(no.retry_after, 30000ms);  // one request per 30 s at 2/min

  rate_limiter t({.requests_per_minute = 0, .tokens_per_minute = 600}, t0);
  EXPECT_TRUE(t.admit(500, t0).allowed);
  const rate_status tno = t.admit(200, t0);
  EXPECT_FALSE(tno.allowed);
  EXPECT_TRUE(tno.tokens_exceeded);
  EXPECT_FALSE(tno.has_requests);
  EXPECT_EQ(tno.retry_after, 10000ms);  // 100 more tokens at 10/s
}

TEST(rate_limiter, refusal_takes_nothing) {
  rate_limiter l({.requests_per_minute = 10, .tokens_per_minute = 100}, t0);
  ASSERT_TRUE(l.admit(100, t0).allowed);
  for (int i = 0; i < 5; ++i) EXPECT_FALSE(l.admit(50, t0).allowed);
  EXPECT_EQ(l.admit(0, t0).remaining_requests, 8u);  // 1 + this one, not the 5 refused
}

TEST(rate_limiter, settle_charges_the_difference_to_real_usage) {
  rate_limiter l({.requests_per_minute = 0, .tokens_per_minute = 6000}, t0);
  ASSERT_TRUE(l.admit(1000, t0).allowed);
  l.settle(1000, 6000, t0);  // the completion used 5,000 more: the bucket is empty
  const rate_status s = l.admit(1000, t0);
  EXPECT_FALSE(s.allowed);
  EXPECT_EQ(s.retry_after, 10000ms);  // 1,000 tokens at 100/s
}

TEST(rate_limiter, unlimited_key_always_passes_and_reports_nothing) {
  rate_limiter l({}, t0);
  for (int i = 0; i < 1000; ++i) {
    const rate_status s = l.admit(100000, t0);
    ASSERT_TRUE(s.allowed);
    EXPECT_FALSE(s.has_requests || s.has_tokens);
  }
}

TEST(rate_limiter, reconfigure_keeps_the_level_clamped) {
  rate_limiter l({.requests_per_minute = 10, .tokens_per_minute = 0}, t0);
  for (int i = 0; i < 8; ++i) ASSERT_TRUE(l.admit(0, t0).allowed);
  l.reconfigure({.requests_per_minute = 100, .tokens_per_minute = 50}, t0);
  const rate_status s = l.admit(10, t0);
  EXPECT_TRUE(s.allowed);
  EXPECT_EQ(s.remaining_requests, 1u);  // 2 left before, not reset to 100
  EXPECT_EQ(s.remaining_tokens, 40u);   // the new token limit starts full
  ASSERT_TRUE(l.admit(0, t0).allowed);  // the last one
  l.reconfigure({.requests_per_minute = 1, .tokens_per_minute = 50}, t0);
  EXPECT_FALSE(l.admit(0, t0).allowed);
}

TEST(rate_limiter, formats_reset_like_openai) {
  EXPECT_EQ(format_reset(0ms), "0ms");
  EXPECT_EQ(format_reset(250ms), "250ms");
  EXPECT_EQ(format_reset(1000ms), "1s");
  EXPECT_EQ(format_reset(1001ms), "2s");
  EXPECT_EQ(format_reset(360000ms), "6m0s");
  EXPECT_EQ(format_reset(61500ms), "1m2s");
}

}  // namespace
}  // namespace gw
