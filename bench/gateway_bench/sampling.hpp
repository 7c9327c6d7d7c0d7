#pragma once
// The random parts of a workload: token-length distributions ("128", "uniform:64:256",
// "normal:mean:stddev") and open-loop inter-arrival gaps (gamma with shape k and mean 1/rate,
// as vLLM's benchmark_serving draws them; k = 1 is a Poisson process, k < 1 is burstier).
// Pure: everything draws from a caller-owned engine, so a seed reproduces a run (with the same
// standard library: std distributions are implementation-defined).

#include <cstdint>
#include <optional>
#include <random>
#include <string>
#include <string_view>

namespace gw::bench {

using rng = std::mt19937_64;

struct length_distribution {
  enum class kind { fixed, uniform, normal };
  kind shape = kind::fixed;
  double a = 128;  // fixed value, uniform low, normal mean
  double b = 0;    // uniform high (inclusive), normal standard deviation

  // Draws a length >= 1 (normal samples are rounded and clamped).
  std::uint32_t sample(rng& r) const;
  // The mean of what sample() returns, ignoring the clamp.
  double mean() const;
  // The spec it was parsed from, normalized: "128", "uniform:64:256", "normal:100:20".
  std::string describe() const;
};

// Parses a length spec; on failure returns nullopt and sets `error` to why.
std::optional<length_distribution> parse_length_distribution(std::string_view spec, std::string& error);

// Open-loop arrival gaps for `rate` requests per second (infinity: every gap is 0).
class arrival_gaps {
 public:
  arrival_gaps(double rate, double burstiness);
  double next_s(rng& r);

 private:
  bool unlimited_;
  std::gamma_distribution<double> gamma_;
};

}  // namespace gw::bench
