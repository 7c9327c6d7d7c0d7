#pragma once
// Summary statistics over recorded samples: exact percentiles (every sample is kept), linear
// interpolation between closest ranks as numpy.percentile does by default, so figures compare
// with vLLM's benchmark_serving. Pure functions, no I/O.

#include <cstddef>
#include <span>

namespace gw::bench {

struct summary {
  std::size_t count = 0;  // 0: no samples, every other field is 0
  double mean = 0;
  double stddev = 0;  // population standard deviation
  double min = 0;
  double p50 = 0;
  double p90 = 0;
  double p95 = 0;
  double p99 = 0;
  double max = 0;
};

// The p-th percentile (0..100) of ascending `sorted` samples; 0 when empty.
double percentile_sorted(std::span<const double> sorted, double p);
double percentile_sorted(std::span<const float> sorted, double p);

// Sorts `samples` in place and summarizes them.
summary summarize(std::span<double> samples);
summary summarize(std::span<float> samples);

}  // namespace gw::bench
