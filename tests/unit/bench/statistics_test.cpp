#include "bench/gateway_bench/statistics.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <vector>

namespace gw::bench {
namespace {

TEST(bench_statistics, empty_has_zero_count) {
  std::vector<double> v;
  const summary s = summarize(std::span<double>(v));
  EXPECT_EQ(s.count, 0u);
  EXPECT_EQ(s.p99, 0);
}

TEST(bench_statistics, single_sample_is_every_percentile) {
  std::vector<double> v{7.5};
  const summary s = summarize(std::span<double>(v));
  EXPECT_EQ(s.count, 1u);
  EXPECT_DOUBLE_EQ(s.mean, 7.5);
  EXPECT_DOUBLE_EQ(s.p50, 7.5);
  EXPECT_DOUBLE_EQ(s.p99, 7.5);
  EXPECT_DOUBLE_EQ(s.max, 7.5);
  EXPECT_DOUBLE_EQ(s.stddev, 0);
}

// numpy.percentile([1..10], p) with the default linear interpolation.
TEST(bench_statistics, percentiles_match_numpy_linear) {
  std::vector<double> v{10, 9, 8, 7, 6, 5, 4, 3, 2, 1};
  const summary s = summarize(std::span<double>(v));
  EXPECT_DOUBLE_EQ(s.p50, 5.5);
  EXPECT_DOUBLE_EQ(s.p90, 9.1);
  EXPECT_DOUBLE_EQ(s.p95, 9.55);
  EXPECT_NEAR(s.p99, 9.91, 1e-12);
  EXPECT_DOUBLE_EQ(s.min, 1);
  EXPECT_DOUBLE_EQ(s.max, 10);
  EXPECT_DOUBLE_EQ(s.mean, 5.5);
  EXPECT_NEAR(s.stddev, 2.8722813232690143, 1e-12);  // population
  EXPECT_TRUE(std::is_sorted(v.begin(), v.end()));
}

TEST(bench_statistics, float_samples_summarize_in_double) {
  std::vector<float> v(1000);
  for (std::size_t i = 0; i < v.size(); ++i) v[i] = static_cast<float>(v.size() - i);  // 1000..1
  const summary s = summarize(std::span<float>(v));
  EXPECT_EQ(s.count, 1000u);
  EXPECT_DOUBLE_EQ(s.mean, 500.5);
  EXPECT_DOUBLE_EQ(s.p50, 500.5);
  EXPECT_NEAR(s.p99, 990.01, 1e-9);
  EXPECT_DOUBLE_EQ(s.max, 1000);
}

TEST(bench_statistics, percentile_sorted_clamps) {
  const std::vector<double> v{1, 2, 3};
  EXPECT_DOUBLE_EQ(percentile_sorted(v, -5), 1);
  EXPECT_DOUBLE_EQ(percentile_sorted(v, 0), 1);
  EXPECT_DOUBLE_EQ(percentile_sorted(v, 100), 3);
  EXPECT_DOUBLE_EQ(percentile_sorted(v, 250), 3);
  EXPECT_DOUBLE_EQ(percentile_sorted(std::span<const double>(), 50), 0);
}

}  // namespace
}  // namespace gw::bench
