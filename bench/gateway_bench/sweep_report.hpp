#pragma once
// A sweep's results: the JSON document ("kind": "sweep", the base configuration with its
// "sweep", every point's run document, the max-rate search's answer) and the table that ends
// the human report, one row per point. Pure formatting.

#include <optional>
#include <string>
#include <vector>

#include "bench/gateway_bench/report.hpp"

namespace gw::bench {

struct sweep_row {
  double value = 0;     // the point's rate or concurrency
  run_summary summary;  // its figures
};

// The max-rate search's answer (sweep.hpp max_rate_search).
struct max_rate_answer {
  std::optional<double> rate;           // the highest rate that met the target, if any
  std::optional<double> fraction;       // its goodput fraction
  std::optional<double> first_failing;  // the lowest rate that did not
};

// The goodput fraction of a point: requests meeting every SLO over requests measured.
double goodput_fraction(const run_summary& s);

// `point_docs`: each point's json_report, in the order run; `values`: their loads (the config's
// "sweep"."values": what was run, which a search or a ^C decides).
std::string sweep_json_report(const bench_options& base, std::uint64_t dataset_entries,
                              const std::vector<std::string>& point_docs, const std::vector<double>& values,
                              const std::optional<max_rate_answer>& max_rate);
std::string sweep_table(const bench_options& base, const std::vector<sweep_row>& rows,
                        const std::optional<max_rate_answer>& max_rate);

}  // namespace gw::bench
