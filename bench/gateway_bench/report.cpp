#include "bench/gateway_bench/report.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "backends/json_writer.hpp"

namespace gw::bench {
namespace {

std::string fmt(const char* format, double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, format, v);
  return buf;
}

std::string line(std::string_view label, const std::string& value) {
  std::string s(label);
  if (s.size() < 40) s.append(40 - s.size(), ' ');
  return s + value + "\n";
}

std::string load_description(const bench_options& o) {
  if (!o.open_loop()) return "closed loop, concurrency " + std::to_string(o.concurrency);
  std::string s = std::isinf(*o.rate) ? "open loop, all at once" : "open loop, " + fmt("%g", *o.rate) + " req/s";
  if (!std::isinf(*o.rate)) s += o.burstiness == 1.0 ? " Poisson" : ", gamma burstiness " + fmt("%g", o.burstiness);
  return s + ", max in flight " + std::to_string(o.max_inflight);
}

std::string stat_row(std::string_view name, const summary& s) {
  char buf[192];
  if (s.count == 0) {
    std::snprintf(buf, sizeof buf, "%-6s %9s  (no samples)\n", std::string(name).c_str(), "0");
  } else {
    std::snprintf(buf, sizeof buf, "%-6s %9zu %9.2f %9.2f %9.2f %9.2f %9.2f %9.2f\n", std::string(name).c_str(),
                  s.count, s.mean, s.p50, s.p90, s.p95, s.p99, s.max);
  }
  return buf;
}

// JSON helpers: ms and rates rounded to 3 decimals (microseconds), enough for any reader.
void num(std::string& o, double v) { json::append_double(o, std::round(v * 1000.0) / 1000.0); }

void key(std::string& o, std::string_view k) {
  if (o.back() != '{') o += ',';
  json::append_string(o, k);
  o += ':';
}

void stats_object(std::string& o, std::string_view name, const summary& s) {
  key(o, name);
  o += "{\"count\":";
  json::append_uint(o, s.count);
  const std::pair<const char*, double> fields[] = {{"mean", s.mean}, {"stddev", s.stddev}, {"min", s.min},
                                                   {"p50", s.p50},   {"p90", s.p90},       {"p95", s.p95},
                                                   {"p99", s.p99},   {"max", s.max}};
  for (const auto& [k, v] : fields) {
    o += ",\"";
    o += k;
    o += "\":";
    if (s.count == 0) o += "null";
    else num(o, v);
  }
  o += '}';
}

void opt_num(std::string& o, std::string_view k, const std::optional<double>& v) {
  key(o, k);
  if (!v) o += "null";
  else if (std::isinf(*v)) json::append_string(o, "inf");
  else num(o, *v);
}

}  // namespace

std::string human_report(const bench_options& o, const run_facts& f) {
  const run_summary& s = f.summary;
  std::string out;
  out += "gateway-bench: " + load_description(o) + ", " + (o.stream ? "streaming " : "non-streaming ") +
         std::string(to_string(o.endpoint)) + ", model " + o.model + "\n";
  out += std::string("  -> ") + (o.tls ? "https://" : "http://") + o.host + ":" + std::to_string(o.port) + o.path + "\n";
  out += "============ Serving Benchmark Result ============\n";
  out += line("Measured window (s):", fmt("%.2f", s.window_s));
  out += line("Wall time, warm-up and drain incl. (s):", fmt("%.2f", f.wall_s));
  out += line("Requests measured:", std::to_string(s.measured));
  out += line("Successful requests:", std::to_string(s.succeeded));
  out += line("Failed requests:", std::to_string(s.failed));
  if (s.warmup_requests) out += line("Warm-up requests (not counted):", std::to_string(s.warmup_requests));
  for (std::size_t k = 1; k < error_kind_count; ++k) {
    if (s.errors[k] == 0) continue;
    std::string v = std::to_string(s.errors[k]);
    if (!f.first_error[k].empty()) v += "   e.g. " + f.first_error[k].substr(0, 160);
    out += line("  " + std::string(to_string(static_cast<error_kind>(k))) + ":", v);
  }
  for (const auto& [status, n] : s.errors_by_status)
    out += line("  HTTP " + std::to_string(status) + ":", std::to_string(n));
  if (s.usage_missing)
    out += line("Without usage (content chunks counted):", std::to_string(s.usage_missing));
  out += line("Total input tokens:", std::to_string(s.input_tokens));
  out += line("Total generated tokens:", std::to_string(s.output_tokens));
  out += line("Request throughput (req/s):", fmt("%.2f", s.request_throughput));
  out += line("Output token throughput (tok/s):", fmt("%.2f", s.output_throughput));
  out += line("Total token throughput (tok/s):", fmt("%.2f", s.total_token_throughput));
  if (s.goodput) out += line("Goodput (req/s meeting the SLOs):", fmt("%.2f", *s.goodput));
  if (o.open_loop()) out += line("Latest issue behind schedule (ms):", fmt("%.3f", f.max_issue_lag_ms));
  out += line("Connections opened (peak):", std::to_string(f.connections));
  if (o.idle_connections || o.idle_phase_s > 0) {
    out += line("Idle connections held:", std::to_string(o.idle_connections));
    if (o.idle_phase_s > 0) out += line("Idle phase before the load (s):", fmt("%g", o.idle_phase_s));
    if (o.idle_ramp_s > 0) out += line("Held connections opened over (s):", fmt("%g", o.idle_ramp_s));
    std::string lost = std::to_string(f.idle_failed) + " / " + std::to_string(f.idle_closed);
    if (!f.idle_error.empty()) lost += "   e.g. " + f.idle_error.substr(0, 160);
    out += line("  request failed / closed by server:", lost);
  }
  out += "---------------------------------------------------------------------\n";
  out += "(ms)       count      mean       p50       p90       p95       p99       max\n";
  out += stat_row("TTFT", s.ttft_ms);
  out += stat_row("TPOT", s.tpot_ms);
  out += stat_row("ITL", s.itl_ms);
  out += stat_row("E2E", s.e2e_ms);
  out += "(tokens)\n";
  out += stat_row("input", s.input_tokens_per_request);
  out += stat_row("output", s.output_tokens_per_request);
  out += "=====================================================================\n";
  return out;
}

std::string config_json(const bench_options& o, std::uint64_t dataset_entries) {
  std::string j;
  j += '{';
  key(j, "url");
  json::append_string(j, o.url);
  key(j, "path");
  json::append_string(j, o.path);
  key(j, "endpoint");
  json::append_string(j, to_string(o.endpoint));
  key(j, "model");
  json::append_string(j, o.model);
  key(j, "stream");
  j += o.stream ? "true" : "false";
  key(j, "mode");
  json::append_string(j, o.open_loop() ? "open" : "closed");
  key(j, "concurrency");
  if (o.open_loop()) j += "null";
  else json::append_uint(j, o.concurrency);
  opt_num(j, "rate", o.rate);
  key(j, "burstiness");
  num(j, o.burstiness);
  key(j, "max_inflight");
  json::append_uint(j, o.max_inflight);
  key(j, "warmup_s");
  num(j, o.warmup_s);
  opt_num(j, "duration_s", o.duration_s);
  key(j, "requests");
  if (o.requests) json::append_uint(j, *o.requests);
  else j += "null";
  key(j, "drain_timeout_s");
  num(j, o.drain_timeout_s);
  key(j, "request_timeout_s");
  num(j, o.request_timeout_s);
  key(j, "threads");
  json::append_uint(j, o.threads);
  key(j, "prompt_tokens");
  json::append_string(j, o.dataset.empty() ? o.prompt_tokens.describe() : "dataset");
  key(j, "output_tokens");
  json::append_string(j, o.dataset.empty() || o.output_tokens_given ? o.output_tokens.describe() : "dataset");
  key(j, "dataset");
  if (o.dataset.empty()) j += "null";
  else json::append_string(j, o.dataset);
  key(j, "dataset_entries");
  json::append_uint(j, dataset_entries);
  key(j, "seed");
  json::append_uint(j, o.seed);
  key(j, "ignore_eos");
  j += o.ignore_eos ? "true" : "false";
  opt_num(j, "slo_ttft_ms", o.slo_ttft_ms);
  opt_num(j, "slo_tpot_ms", o.slo_tpot_ms);
  opt_num(j, "slo_e2e_ms", o.slo_e2e_ms);
  key(j, "idle_connections");
  json::append_uint(j, o.idle_connections);
  key(j, "idle_phase_s");
  num(j, o.idle_phase_s);
  key(j, "idle_ramp_s");
  num(j, o.idle_ramp_s);
  j += '}';
  return j;
}

std::string json_report(const bench_options& o, const run_facts& f, const std::optional<point_load>& load) {
  const run_summary& s = f.summary;
  std::string j = "{";
  key(j, "tool");
  json::append_string(j, "gateway-bench");
  key(j, "kind");
  json::append_string(j, "run");
  key(j, "config");
  j += config_json(o, f.dataset_entries);
  if (load) {
    key(j, "load");
    j += '{';
    key(j, "variable");
    json::append_string(j, to_string(load->variable));
    key(j, "value");
    num(j, load->value);
    j += '}';
  }

  key(j, "window_s");
  num(j, s.window_s);
  key(j, "wall_s");
  num(j, f.wall_s);
  key(j, "requests");
  j += '{';
  const std::pair<const char*, std::uint64_t> counts[] = {{"measured", s.measured},
                                                         {"completed", s.succeeded},
                                                         {"failed", s.failed},
                                                         {"warmup", s.warmup_requests},
                                                         {"usage_missing", s.usage_missing},
                                                         {"good", s.good_requests}};
  for (const auto& [k, v] : counts) {
    key(j, k);
    json::append_uint(j, v);
  }
  j += '}';
  key(j, "errors");
  j += '{';
  key(j, "total");
  json::append_uint(j, s.failed);
  for (std::size_t k = 1; k < error_kind_count; ++k) {
    key(j, to_string(static_cast<error_kind>(k)));
    json::append_uint(j, s.errors[k]);
  }
  key(j, "by_status");
  j += '{';
  for (const auto& [status, n] : s.errors_by_status) {
    key(j, std::to_string(status));
    json::append_uint(j, n);
  }
  j += '}';
  key(j, "examples");
  j += '{';
  for (std::size_t k = 1; k < error_kind_count; ++k) {
    if (s.errors[k] == 0 || f.first_error[k].empty()) continue;
    key(j, to_string(static_cast<error_kind>(k)));
    json::append_string(j, f.first_error[k].substr(0, 300));
  }
  j += "}}";
  key(j, "tokens");
  j += '{';
  key(j, "input");
  json::append_uint(j, s.input_tokens);
  key(j, "output");
  json::append_uint(j, s.output_tokens);
  j += '}';
  key(j, "throughput");
  j += '{';
  key(j, "requests_per_s");
  num(j, s.request_throughput);
  key(j, "output_tokens_per_s");
  num(j, s.output_throughput);
  key(j, "total_tokens_per_s");
  num(j, s.total_token_throughput);
  opt_num(j, "goodput_requests_per_s", s.goodput);
  j += '}';
  stats_object(j, "ttft_ms", s.ttft_ms);
  stats_object(j, "tpot_ms", s.tpot_ms);
  stats_object(j, "itl_ms", s.itl_ms);
  stats_object(j, "e2e_ms", s.e2e_ms);
  stats_object(j, "input_tokens_per_request", s.input_tokens_per_request);
  stats_object(j, "output_tokens_per_request", s.output_tokens_per_request);
  key(j, "max_issue_lag_ms");
  num(j, f.max_issue_lag_ms);
  key(j, "connections");
  json::append_uint(j, f.connections);
  key(j, "idle");
  j += '{';
  key(j, "request_failed");
  json::append_uint(j, f.idle_failed);
  key(j, "closed_by_server");
  json::append_uint(j, f.idle_closed);
  key(j, "example");
  if (f.idle_error.empty()) j += "null";
  else json::append_string(j, f.idle_error.substr(0, 300));
  j += '}';
  key(j, "ttft_cdf");
  j += '[';
  for (const auto& [ms, fraction] : s.ttft_cdf) {
    if (j.back() != '[') j += ',';
    j += '[';
    num(j, ms);
    j += ',';
    num(j, fraction);
    j += ']';
  }
  j += ']';
  key(j, "timeline");
  j += '[';
  for (const auto& t : f.timeline) {
    if (j.back() != '[') j += ',';
    j += '{';
    key(j, "t_s");
    num(j, t.t_s);
    key(j, "in_flight");
    json::append_uint(j, static_cast<std::uint64_t>(std::max<std::int64_t>(t.in_flight, 0)));
    const std::pair<const char*, std::uint64_t> counts[] = {
        {"done", t.done}, {"errors", t.errors}, {"output_tokens", t.output_tokens}};
    for (const auto& [k, v] : counts) {
      key(j, k);
      json::append_uint(j, v);
    }
    key(j, "requests_per_s");
    num(j, t.requests_per_s);
    key(j, "tokens_per_s");
    num(j, t.tokens_per_s);
    j += '}';
  }
  j += "]}\n";
  return j;
}

}  // namespace gw::bench
