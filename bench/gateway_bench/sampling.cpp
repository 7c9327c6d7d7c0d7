#include "bench/gateway_bench/sampling.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <limits>

namespace gw::bench {
namespace {

bool parse_number(std::string_view s, double& out) {
  if (s.empty()) return false;
  const auto res = std::from_chars(s.data(), s.data() + s.size(), out);
  return res.ec == std::errc{} && res.ptr == s.data() + s.size() && std::isfinite(out);
}

std::string format_number(double v) {
  char buf[32];
  const auto res = std::to_chars(buf, buf + sizeof buf, v);
  return std::string(buf, res.ptr);
}

constexpr double max_length = 10'000'000;  // tokens; guards against typos like 1e12

}  // namespace

std::uint32_t length_distribution::sample(rng& r) const {
  double v = a;
  switch (shape) {
    case kind::fixed:
      break;
    case kind::uniform: {
      std::uniform_int_distribution<std::uint32_t> d(static_cast<std::uint32_t>(a), static_cast<std::uint32_t>(b));
      return d(r);
    }
    case kind::normal: {
      std::normal_distribution<double> d(a, b);
      v = std::round(d(r));
      break;
    }
  }
  return static_cast<std::uint32_t>(std::clamp(v, 1.0, max_length));
}

double length_distribution::mean() const { return shape == kind::uniform ? (a + b) / 2 : a; }

std::string length_distribution::describe() const {
  switch (shape) {
    case kind::fixed: return format_number(a);
    case kind::uniform: return "uniform:" + format_number(a) + ":" + format_number(b);
    case kind::normal: return "normal:" + format_number(a) + ":" + format_number(b);
  }
  return {};
}

std::optional<length_distribution> parse_length_distribution(std::string_view spec, std::string& error) {
  length_distribution d;
  const auto colon = spec.find(':');
  const auto is_whole = [](double v) { return v == std::floor(v); };
  if (colon == std::string_view::npos) {
    if (!parse_number(spec, d.a) || !is_whole(d.a) || d.a < 1 || d.a > max_length) {
      error = "'" + std::string(spec) + "' is not a whole number of tokens between 1 and 10000000";
      return std::nullopt;
    }
    return d;
  }
  const std::string_view name = spec.substr(0, colon);
  const std::string_view rest = spec.substr(colon + 1);
  const auto colon2 = rest.find(':');
  if (colon2 == std::string_view::npos || !parse_number(rest.substr(0, colon2), d.a) ||
      !parse_number(rest.substr(colon2 + 1), d.b)) {
    error = "'" + std::string(spec) + "': expected NUMBER, uniform:LOW:HIGH or normal:MEAN:STDDEV";
    return std::nullopt;
  }
  if (name == "uniform") {
    d.shape = length_distribution::kind::uniform;
    if (!is_whole(d.a) || !is_whole(d.b) || d.a < 1 || d.b < d.a || d.b > max_length) {
      error = "'" + std::string(spec) + "': uniform needs whole numbers 1 <= LOW <= HIGH <= 10000000";
      return std::nullopt;
    }
    return d;
  }
  if (name == "normal") {
    d.shape = length_distribution::kind::normal;
    if (d.a < 1 || d.a > max_length || d.b < 0) {
      error = "'" + std::string(spec) + "': normal needs 1 <= MEAN <= 10000000 and STDDEV >= 0";
      return std::nullopt;
    }
    return d;
  }
  error = "'" + std::string(spec) + "': unknown distribution '" + std::string(name) +
          "' (expected NUMBER, uniform:LOW:HIGH or normal:MEAN:STDDEV)";
  return std::nullopt;
}

arrival_gaps::arrival_gaps(double rate, double burstiness)
    : unlimited_(!std::isfinite(rate)),
      // Gamma with shape k and scale 1/(k * rate) has mean 1/rate; its coefficient of variation
      // is 1/sqrt(k).
      gamma_(burstiness, unlimited_ ? 1.0 : 1.0 / (burstiness * rate)) {}

double arrival_gaps::next_s(rng& r) { return unlimited_ ? 0.0 : gamma_(r); }

}  // namespace gw::bench
