#include "bench/gateway_bench/sweep_report.hpp"

#include <cmath>
#include <cstdio>

#include "backends/json_writer.hpp"

namespace gw::bench {
namespace {

// As report.cpp writes numbers: rounded to 3 decimals.
void num(std::string& o, double v) { json::append_double(o, std::round(v * 1000.0) / 1000.0); }

void opt_num(std::string& o, const std::optional<double>& v) {
  if (v) num(o, *v);
  else o += "null";
}

}  // namespace

double goodput_fraction(const run_summary& s) {
  return s.measured ? static_cast<double>(s.good_requests) / static_cast<double>(s.measured) : 0.0;
}

std::string sweep_json_report(const bench_options& base, std::uint64_t dataset_entries,
                              const std::vector<std::string>& point_docs, const std::vector<double>& values,
                              const std::optional<max_rate_answer>& max_rate) {
  const sweep_spec& sw = base.sweep;
  std::string config = config_json(base, dataset_entries);
  config.pop_back();  // its closing brace: "sweep" goes in
  config += R"(,"sweep":{"variable":)";
  json::append_string(config, to_string(sw.variable));
  config += R"(,"mode":)";
  json::append_string(config, sw.max_rate ? "max_rate" : "list");
  config += R"(,"values":[)";
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (i) config += ',';
    num(config, values[i]);
  }
  config += ']';
  if (sw.max_rate) {
    config += R"(,"low":)";
    num(config, sw.low);
    config += R"(,"high":)";
    num(config, sw.high);
    config += R"(,"goodput_target":)";
    num(config, sw.goodput_target);
    config += R"(,"max_rate_steps":)";
    json::append_uint(config, sw.max_rate_steps);
  }
  config += "}}";

  std::string j = R"({"tool":"gateway-bench","kind":"sweep","config":)";
  j += config;
  j += R"(,"points":[)";
  for (std::size_t i = 0; i < point_docs.size(); ++i) {
    if (i) j += ',';
    std::string_view d = point_docs[i];
    while (!d.empty() && d.back() == '\n') d.remove_suffix(1);
    j += d;
  }
  j += R"(],"max_rate":)";
  if (!max_rate) {
    j += "null";
  } else {
    j += R"({"rate":)";
    opt_num(j, max_rate->rate);
    j += R"(,"goodput_fraction":)";
    opt_num(j, max_rate->fraction);
    j += R"(,"target":)";
    num(j, sw.goodput_target);
    j += R"(,"first_failing_rate":)";
    opt_num(j, max_rate->first_failing);
    j += '}';
  }
  j += "}\n";
  return j;
}

std::string sweep_table(const bench_options& base, const std::vector<sweep_row>& rows,
                        const std::optional<max_rate_answer>& max_rate) {
  const bool rate = base.sweep.variable == sweep_variable::rate;
  std::string out = "============ Sweep (" + std::string(rate ? "rate, req/s" : "concurrency") +
                    ", in the order run) ============\n";
  out += "   load     req/s   out tok/s  TTFT p50  TTFT p99  TPOT p50  TPOT p99   E2E p99   good %   errors\n";
  char buf[192];
  for (const auto& r : rows) {
    const run_summary& s = r.summary;
    std::snprintf(buf, sizeof buf, "%7.2f %9.2f %11.1f %9.2f %9.2f %9.2f %9.2f %9.2f %8.1f %8llu\n", r.value,
                  s.request_throughput, s.output_throughput, s.ttft_ms.p50, s.ttft_ms.p99, s.tpot_ms.p50, s.tpot_ms.p99,
                  s.e2e_ms.p99, 100.0 * goodput_fraction(s), static_cast<unsigned long long>(s.failed));
    out += buf;
  }
  out += "(latencies in ms; good % = requests meeting every --slo-* given / requests measured)\n";
  if (max_rate) {
    if (max_rate->rate) {
      std::snprintf(buf, sizeof buf, "Highest rate meeting %.0f%% goodput: %.2f req/s (%.1f%%)", 100 * base.sweep.goodput_target,
                    *max_rate->rate, 100.0 * max_rate->fraction.value_or(0));
      out += buf;
      if (max_rate->first_failing) {
        std::snprintf(buf, sizeof buf, "; %.2f req/s did not", *max_rate->first_failing);
        out += buf;
      } else {
        out += "; the search's upper bound, so possibly more";
      }
      out += "\n";
    } else {
      std::snprintf(buf, sizeof buf, "No rate met %.0f%% goodput, not even the lowest (%.2f req/s)\n",
                    100 * base.sweep.goodput_target, base.sweep.low);
      out += buf;
    }
  }
  out += "=====================================================================\n";
  return out;
}

}  // namespace gw::bench
