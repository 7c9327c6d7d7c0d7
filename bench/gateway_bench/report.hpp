#pragma once
// The run's results for people (a summary table on stdout) and for tools (a JSON document with
// the configuration, counts, throughputs and every statistic, times in milliseconds).
// Pure formatting: both return strings.

#include <array>
#include <optional>
#include <string>
#include <vector>

#include "bench/gateway_bench/metrics.hpp"
#include "bench/gateway_bench/options.hpp"
#include "bench/gateway_bench/progress.hpp"

namespace gw::bench {

struct run_facts {
  run_summary summary;
  std::array<std::string, error_kind_count> first_error;  // a sample failure per kind
  double wall_s = 0;            // the whole run, warm-up and drain included
  double max_issue_lag_ms = 0;  // open loop
  std::size_t connections = 0;  // opened at most at once, all threads
  std::uint64_t dataset_entries = 0;
  std::uint64_t idle_failed = 0;  // held connections (--idle-connections, --idle-phase-s) whose request failed
  std::uint64_t idle_closed = 0;  // held connections that the server closed
  std::string idle_error;         // the first of either, in words
  std::vector<timeline_sample> timeline;  // the counters every --sample-interval-s
};

// A sweep point's load: what the JSON of the point names in "load".
struct point_load {
  sweep_variable variable = sweep_variable::rate;
  double value = 0;
};

std::string human_report(const bench_options& o, const run_facts& f);
// The run's document ("kind": "run"); a sweep's point carries its `load`.
std::string json_report(const bench_options& o, const run_facts& f, const std::optional<point_load>& load = {});
// The "config" object of a document.
std::string config_json(const bench_options& o, std::uint64_t dataset_entries);

}  // namespace gw::bench
