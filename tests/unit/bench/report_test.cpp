#include "bench/gateway_bench/report.hpp"

#include <gtest/gtest.h>

#include <simdjson.h>

#include <cstdio>
#include <string>

#include "bench/gateway_bench/progress.hpp"

namespace gw::bench {
namespace {

run_facts sample_facts() {
  run_facts f;
  auto& s = f.summary;
  s.measured = 12;
  s.succeeded = 10;
  s.failed = 2;
  s.errors[static_cast<std::size_t>(error_kind::http_5xx)] = 1;
  s.errors[static_cast<std::size_t>(error_kind::timeout)] = 1;
  s.errors_by_status[503] = 1;
  s.output_tokens = 160;
  s.input_tokens = 1280;
  s.window_s = 2;
  s.request_throughput = 5;
  s.output_throughput = 80;
  s.total_token_throughput = 720;
  s.ttft_ms = {10, 12.3456, 1, 10, 12, 14, 15, 16, 17};
  s.e2e_ms = {10, 100, 5, 90, 95, 110, 120, 130, 140};
  f.first_error[static_cast<std::size_t>(error_kind::http_5xx)] = "HTTP 503: {\"error\":\"busy\"}";
  f.wall_s = 2.5;
  f.connections = 4;
  return f;
}

TEST(bench_report, json_is_valid_and_has_named_keys) {
  parse_result r = parse_options(std::vector<std::string_view>{"--model", "m\"q", "--concurrency", "4",
                                                               "--output-tokens", "16", "--slo-ttft-ms", "50"});
  ASSERT_TRUE(r.error.empty()) << r.error;
  const std::string j = json_report(r.options, sample_facts());
  simdjson::dom::parser p;
  simdjson::dom::element el;
  ASSERT_EQ(p.parse(j).get(el), simdjson::SUCCESS) << j;
  EXPECT_EQ(std::string_view(el["config"]["model"]), "m\"q");
  EXPECT_EQ(std::string_view(el["config"]["mode"]), "closed");
  EXPECT_EQ(int64_t(el["config"]["concurrency"]), 4);
  EXPECT_EQ(std::string_view(el["config"]["output_tokens"]), "16");
  EXPECT_EQ(double(el["config"]["slo_ttft_ms"]), 50);
  EXPECT_TRUE(el["config"]["rate"].is_null());
  EXPECT_EQ(int64_t(el["requests"]["completed"]), 10);
  EXPECT_EQ(int64_t(el["errors"]["total"]), 2);
  EXPECT_EQ(int64_t(el["errors"]["http_5xx"]), 1);
  EXPECT_EQ(int64_t(el["errors"]["timeout"]), 1);
  EXPECT_EQ(int64_t(el["errors"]["dropped"]), 0);
  EXPECT_EQ(int64_t(el["errors"]["by_status"]["503"]), 1);
  EXPECT_EQ(std::string_view(el["errors"]["examples"]["http_5xx"]), "HTTP 503: {\"error\":\"busy\"}");
  EXPECT_EQ(double(el["throughput"]["output_tokens_per_s"]), 80);
  EXPECT_TRUE(el["throughput"]["goodput_requests_per_s"].is_null());
  EXPECT_EQ(double(el["ttft_ms"]["mean"]), 12.346);  // rounded to microseconds
  EXPECT_EQ(int64_t(el["ttft_ms"]["count"]), 10);
  EXPECT_TRUE(el["tpot_ms"]["p50"].is_null());  // no samples
  EXPECT_EQ(double(el["e2e_ms"]["p99"]), 130);
  EXPECT_EQ(int64_t(el["connections"]), 4);
}

TEST(bench_report, open_loop_rate_inf_is_a_string) {
  parse_result r = parse_options(std::vector<std::string_view>{"--model", "m", "--rate", "inf", "--requests", "3"});
  ASSERT_TRUE(r.error.empty()) << r.error;
  const std::string j = json_report(r.options, run_facts{});
  simdjson::dom::parser p;
  simdjson::dom::element el;
  ASSERT_EQ(p.parse(j).get(el), simdjson::SUCCESS) << j;
  EXPECT_EQ(std::string_view(el["config"]["rate"]), "inf");
  EXPECT_EQ(std::string_view(el["config"]["mode"]), "open");
}

TEST(bench_report, human_summary_names_errors_and_statistics) {
  parse_result r = parse_options(std::vector<std::string_view>{"--model", "m", "--rate", "20"});
  const std::string h = human_report(r.options, sample_facts());
  EXPECT_NE(h.find("open loop, 20 req/s Poisson"), std::string::npos) << h;
  EXPECT_NE(h.find("http_5xx:"), std::string::npos) << h;
  EXPECT_NE(h.find("HTTP 503:"), std::string::npos) << h;
  EXPECT_NE(h.find("TTFT"), std::string::npos);
  EXPECT_NE(h.find("(no samples)"), std::string::npos);  // TPOT
  EXPECT_NE(h.find("Output token throughput (tok/s):"), std::string::npos);
}

TEST(bench_report, held_connections_in_both_reports) {
  parse_result r = parse_options(std::vector<std::string_view>{"--model", "m", "--concurrency", "2",
                                                               "--idle-connections", "3", "--idle-phase-s", "4"});
  ASSERT_TRUE(r.error.empty()) << r.error;
  run_facts f = sample_facts();
  f.idle_closed = 1;
  f.idle_error = "the server closed an idle connection: End of file";
  const std::string j = json_report(r.options, f);
  simdjson::dom::parser p;
  simdjson::dom::element el;
  ASSERT_EQ(p.parse(j).get(el), simdjson::SUCCESS) << j;
  EXPECT_EQ(int64_t(el["config"]["idle_connections"]), 3);
  EXPECT_EQ(double(el["config"]["idle_phase_s"]), 4);
  EXPECT_EQ(int64_t(el["idle"]["request_failed"]), 0);
  EXPECT_EQ(int64_t(el["idle"]["closed_by_server"]), 1);
  EXPECT_EQ(std::string_view(el["idle"]["example"]), f.idle_error);
  const std::string h = human_report(r.options, f);
  EXPECT_NE(h.find("Idle connections held:"), std::string::npos) << h;
  EXPECT_NE(h.find("0 / 1   e.g. the server closed"), std::string::npos) << h;
  // Without held connections: no lines about them, and an empty idle object.
  EXPECT_EQ(human_report(parse_options(std::vector<std::string_view>{"--model", "m"}).options, f)
                .find("Idle connections"), std::string::npos);
}

TEST(bench_report, sample_lines_are_json_with_every_error_kind) {
  progress_counters c;
  c.connections = 10;
  c.idle_held = 4;
  c.inflight = 6;
  c.chunks = 123;
  c.errors_by_kind[static_cast<std::size_t>(error_kind::timeout)] = 2;
  c.idle_closed = 1;
  std::FILE* out = std::tmpfile();
  ASSERT_NE(out, nullptr);
  sample_writer w(c, out, 1'000'000'000);
  w.tick(0);               // the first tick writes
  w.tick(500'000'000);     // within the interval: nothing
  w.tick(1'500'000'000);   // the next
  std::rewind(out);
  char buf[2048];
  std::string first, second;
  ASSERT_NE(std::fgets(buf, sizeof buf, out), nullptr);
  first = buf;
  ASSERT_NE(std::fgets(buf, sizeof buf, out), nullptr);
  second = buf;
  EXPECT_EQ(std::fgets(buf, sizeof buf, out), nullptr);
  std::fclose(out);
  simdjson::dom::parser p;
  simdjson::dom::element el;
  ASSERT_EQ(p.parse(second).get(el), simdjson::SUCCESS) << second;
  EXPECT_EQ(double(el["t_s"]), 1.5);
  EXPECT_EQ(int64_t(el["connections"]), 10);
  EXPECT_EQ(int64_t(el["idle"]), 4);
  EXPECT_EQ(int64_t(el["in_flight"]), 6);
  EXPECT_EQ(int64_t(el["chunks"]), 123);
  EXPECT_EQ(int64_t(el["errors"]["timeout"]), 2);
  EXPECT_EQ(int64_t(el["errors"]["dropped"]), 0);
  EXPECT_EQ(int64_t(el["idle_closed"]), 1);
  EXPECT_EQ(int64_t(el["idle_failed"]), 0);
}

}  // namespace
}  // namespace gw::bench
