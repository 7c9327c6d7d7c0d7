#include "bench/gateway_bench/sweep.hpp"

#include <charconv>
#include <cmath>

namespace gw::bench {
namespace {

bool to_number(std::string_view s, double& out) {
  if (s.empty()) return false;
  const auto r = std::from_chars(s.data(), s.data() + s.size(), out);
  return r.ec == std::errc{} && r.ptr == s.data() + s.size() && std::isfinite(out);
}

std::vector<std::string_view> split(std::string_view s, char sep) {
  std::vector<std::string_view> out;
  for (;;) {
    const auto at = s.find(sep);
    out.push_back(s.substr(0, at));
    if (at == std::string_view::npos) return out;
    s.remove_prefix(at + 1);
  }
}

}  // namespace

std::string_view to_string(sweep_variable v) {
  switch (v) {
    case sweep_variable::rate: return "rate";
    case sweep_variable::concurrency: return "concurrency";
    case sweep_variable::none: break;
  }
  return "none";
}

std::string parse_sweep(std::string_view spec, sweep_spec& out) {
  const std::string quoted = "--sweep: '" + std::string(spec) + "'";
  const auto colon = spec.find(':');
  const std::string_view what = spec.substr(0, colon);
  const std::string_view rest = colon == std::string_view::npos ? std::string_view{} : spec.substr(colon + 1);
  out = sweep_spec{};
  if (what == "max-rate") {
    const auto parts = split(rest, ':');
    if (parts.size() != 2 || !to_number(parts[0], out.low) || !to_number(parts[1], out.high) || out.low <= 0 ||
        out.high <= out.low)
      return quoted + " is not max-rate:LOW:HIGH with 0 < LOW < HIGH (requests/s)";
    out.variable = sweep_variable::rate;
    out.max_rate = true;
    return {};
  }
  if (what == "rate") out.variable = sweep_variable::rate;
  else if (what == "concurrency") out.variable = sweep_variable::concurrency;
  else return quoted + " is not rate:..., concurrency:... or max-rate:LOW:HIGH";
  const bool whole = out.variable == sweep_variable::concurrency;
  const auto valid = [&](double v) { return v > 0 && (!whole || (v == std::floor(v) && v <= 1'000'000)); };
  const std::string expected = whole ? "whole numbers >= 1" : "numbers > 0";
  const auto parts = split(rest, ':');
  if (parts.size() == 3) {
    double start = 0, stop = 0, steps = 0;
    if (!to_number(parts[0], start) || !to_number(parts[1], stop) || !to_number(parts[2], steps) || !valid(start) ||
        !valid(stop) || steps < 1 || steps > 100 || steps != std::floor(steps) || stop < start)
      return quoted + ": START:STOP:STEPS needs " + expected + ", START <= STOP and 1 <= STEPS <= 100";
    const int n = static_cast<int>(steps);
    for (int i = 0; i < n; ++i) {
      double v = n == 1 ? start : start + (stop - start) * i / (n - 1);
      if (whole) v = std::round(v);
      if (out.values.empty() || out.values.back() != v) out.values.push_back(v);  // rounding may repeat one
    }
    return {};
  }
  for (auto p : split(rest, ',')) {
    double v = 0;
    if (!to_number(p, v) || !valid(v)) return quoted + ": the list needs " + expected;
    out.values.push_back(v);
  }
  if (out.values.size() > 100) return quoted + ": at most 100 points";
  return {};
}

max_rate_search::max_rate_search(double low, double high, unsigned steps, double target)
    : low_(low), high_(high), target_(target), steps_left_(steps) {}

std::optional<double> max_rate_search::next() const {
  if (done_) return std::nullopt;
  if (runs_ == 0) return low_;
  if (runs_ == 1) return high_;
  return (*good_ + *bad_) / 2;
}

void max_rate_search::record(double rate, double goodput_fraction) {
  const bool met = goodput_fraction >= target_;
  ++runs_;
  if (met && (!good_ || rate > *good_)) {
    good_ = rate;
    good_fraction_ = goodput_fraction;
  }
  if (!met && (!bad_ || rate < *bad_)) bad_ = rate;
  if (runs_ == 1 && !met) done_ = true;         // even the lowest rate misses: none meets it
  else if (runs_ == 2 && met) done_ = true;     // the highest meets it: the answer is at least that
  else if (runs_ >= 3 && --steps_left_ == 0) done_ = true;
  else if (runs_ == 2 && steps_left_ == 0) done_ = true;
}

}  // namespace gw::bench
