#include "bench/gateway_bench/statistics.hpp"

#include <algorithm>
#include <cmath>

namespace gw::bench {
namespace {

template <class T>
double percentile_of(std::span<const T> sorted, double p) {
  if (sorted.empty()) return 0;
  p = std::clamp(p, 0.0, 100.0);
  // Rank (n - 1) * p / 100, interpolated between its two neighbours (numpy "linear").
  const double rank = static_cast<double>(sorted.size() - 1) * p / 100.0;
  const auto lo = static_cast<std::size_t>(std::floor(rank));
  const std::size_t hi = std::min(lo + 1, sorted.size() - 1);
  const double frac = rank - static_cast<double>(lo);
  return static_cast<double>(sorted[lo]) + (static_cast<double>(sorted[hi]) - static_cast<double>(sorted[lo])) * frac;
}

template <class T>
summary summarize_of(std::span<T> samples) {
  summary s;
  if (samples.empty()) return s;
  std::sort(samples.begin(), samples.end());
  const std::span<const T> sorted(samples.data(), samples.size());
  s.count = samples.size();
  // Two passes in double: float samples summed in float would lose precision past ~10^7 items.
  double sum = 0;
  for (const T v : samples) sum += static_cast<double>(v);
  s.mean = sum / static_cast<double>(s.count);
  double sq = 0;
  for (const T v : samples) {
    const double d = static_cast<double>(v) - s.mean;
    sq += d * d;
  }
  s.stddev = std::sqrt(sq / static_cast<double>(s.count));
  s.min = static_cast<double>(sorted.front());
  s.max = static_cast<double>(sorted.back());
  s.p50 = percentile_of(sorted, 50);
  s.p90 = percentile_of(sorted, 90);
  s.p95 = percentile_of(sorted, 95);
  s.p99 = percentile_of(sorted, 99);
  return s;
}

}  // namespace

double percentile_sorted(std::span<const double> sorted, double p) { return percentile_of(sorted, p); }
double percentile_sorted(std::span<const float> sorted, double p) { return percentile_of(sorted, p); }
summary summarize(std::span<double> samples) { return summarize_of(samples); }
summary summarize(std::span<float> samples) { return summarize_of(samples); }

}  // namespace gw::bench
