#pragma once
// Sweeps: a run of several load points in turn, each with its own warm-up and measured window
// (the same options but the swept variable), to answer "where does latency break as load
// rises", as GuideLLM's sweep and vLLM's goodput do.
//   --sweep rate:START:STOP:STEPS | rate:R1,R2,...            open loop at each rate
//   --sweep concurrency:START:STOP:STEPS | concurrency:C1,...  closed loop at each concurrency
//   --sweep max-rate:LOW:HIGH   the highest rate whose goodput fraction (requests meeting every
//                               --slo-* over requests measured) reaches --goodput-target: LOW
//                               first, then HIGH, then --max-rate-steps bisections between the
//                               highest rate that met it and the lowest that did not
// Pure: parsing, the points' values and the search; main() runs the points.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace gw::bench {

enum class sweep_variable { none, rate, concurrency };
std::string_view to_string(sweep_variable v);

struct sweep_spec {
  sweep_variable variable = sweep_variable::none;
  bool max_rate = false;        // the search mode (variable is rate)
  std::vector<double> values;   // list mode: the points, in order
  double low = 0, high = 0;     // search mode: its bounds
  double goodput_target = 0.95;
  unsigned max_rate_steps = 5;
};

// Parses --sweep's value into `out`; returns an error message or "".
std::string parse_sweep(std::string_view spec, sweep_spec& out);

// The search of --sweep max-rate.
class max_rate_search {
 public:
  max_rate_search(double low, double high, unsigned steps, double target);

  // The next rate to run, or nullopt when the search is over.
  std::optional<double> next() const;
  // What the rate last returned by next() achieved.
  void record(double rate, double goodput_fraction);

  std::optional<double> best() const { return good_; }           // the highest rate that met the target
  std::optional<double> first_failing() const { return bad_; }   // the lowest that did not
  std::optional<double> best_fraction() const { return good_fraction_; }

 private:
  double low_, high_, target_;
  unsigned steps_left_;
  unsigned runs_ = 0;
  std::optional<double> good_, bad_, good_fraction_;
  bool done_ = false;
};

}  // namespace gw::bench
