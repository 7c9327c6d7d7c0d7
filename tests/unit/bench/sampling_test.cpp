#include "bench/gateway_bench/sampling.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

namespace gw::bench {
namespace {

TEST(bench_length_distribution, parses_the_three_forms) {
  std::string err;
  auto f = parse_length_distribution("128", err);
  ASSERT_TRUE(f) << err;
  EXPECT_EQ(f->shape, length_distribution::kind::fixed);
  EXPECT_EQ(f->describe(), "128");
  auto u = parse_length_distribution("uniform:64:256", err);
  ASSERT_TRUE(u) << err;
  EXPECT_EQ(u->shape, length_distribution::kind::uniform);
  EXPECT_EQ(u->describe(), "uniform:64:256");
  EXPECT_DOUBLE_EQ(u->mean(), 160);
  auto n = parse_length_distribution("normal:100:20.5", err);
  ASSERT_TRUE(n) << err;
  EXPECT_EQ(n->shape, length_distribution::kind::normal);
  EXPECT_EQ(n->describe(), "normal:100:20.5");
}

TEST(bench_length_distribution, rejects_bad_specs_with_a_reason) {
  const char* bad[] = {"",           "0",          "-3",         "1.5",         "abc",       "uniform:5",
                       "uniform:9:3", "uniform:0:4", "normal:0:1", "normal:10:-1", "zipf:1:2", "128x",
                       "uniform:1.5:4", "99999999999"};
  for (const char* spec : bad) {
    std::string err;
    EXPECT_FALSE(parse_length_distribution(spec, err)) << spec;
    EXPECT_FALSE(err.empty()) << spec;
  }
}

TEST(bench_length_distribution, samples_stay_in_range_and_repeat_with_the_seed) {
  std::string err;
  const auto u = *parse_length_distribution("uniform:10:20", err);
  rng a(42), b(42);
  bool saw_low = false, saw_high = false;
  for (int i = 0; i < 2000; ++i) {
    const auto x = u.sample(a);
    EXPECT_EQ(x, u.sample(b));
    EXPECT_GE(x, 10u);
    EXPECT_LE(x, 20u);
    saw_low |= x == 10;
    saw_high |= x == 20;
  }
  EXPECT_TRUE(saw_low && saw_high);
  const auto f = *parse_length_distribution("77", err);
  EXPECT_EQ(f.sample(a), 77u);
}

TEST(bench_length_distribution, normal_is_clamped_to_one_and_centred) {
  std::string err;
  const auto n = *parse_length_distribution("normal:2:50", err);
  rng r(1);
  for (int i = 0; i < 1000; ++i) EXPECT_GE(n.sample(r), 1u);
  const auto m = *parse_length_distribution("normal:500:10", err);
  double sum = 0;
  for (int i = 0; i < 10000; ++i) sum += m.sample(r);
  EXPECT_NEAR(sum / 10000, 500, 1.0);
}

TEST(bench_arrival_gaps, mean_is_one_over_rate_for_any_burstiness) {
  for (double k : {0.5, 1.0, 4.0}) {
    arrival_gaps g(200.0, k);
    rng r(7);
    double sum = 0, sq = 0;
    const int n = 200000;
    for (int i = 0; i < n; ++i) {
      const double x = g.next_s(r);
      ASSERT_GE(x, 0);
      sum += x;
      sq += x * x;
    }
    const double mean = sum / n;
    const double cv = std::sqrt(sq / n - mean * mean) / mean;
    EXPECT_NEAR(mean, 1.0 / 200, 0.02 / 200) << k;
    EXPECT_NEAR(cv, 1 / std::sqrt(k), 0.03) << k;  // gamma: CV = 1/sqrt(shape)
  }
}

TEST(bench_arrival_gaps, infinite_rate_has_no_gaps) {
  arrival_gaps g(std::numeric_limits<double>::infinity(), 1.0);
  rng r(1);
  EXPECT_EQ(g.next_s(r), 0.0);
}

}  // namespace
}  // namespace gw::bench
