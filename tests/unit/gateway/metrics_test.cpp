#include "gateway/metrics.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

namespace gw {
namespace {

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

bool has_line(const std::string& text, const std::string& line) {
  for (const auto& l : lines_of(text)) {
    if (l == line) return true;
  }
  return false;
}

TEST(histogram, places_values_in_first_bucket_with_bound_at_or_above) {
  histogram h({1, 2, 4});
  struct row {
    double value;
    std::size_t bucket;
  };
  // Boundary values belong to the bucket they equal ("le" semantics).
  const row rows[] = {{0, 0}, {-3, 0}, {1, 0}, {1.0001, 1}, {2, 1}, {3, 2}, {4, 2}, {4.5, 3},
                      {1e9, 3}};
  for (const auto& r : rows) {
    histogram one({1, 2, 4});
    one.observe(r.value);
    for (std::size_t i = 0; i < one.bucket_counts().size(); ++i) {
      EXPECT_EQ(one.bucket_counts()[i], i == r.bucket ? 1u : 0u)
          << "value " << r.value << " bucket " << i;
    }
    h.observe(r.value);
  }
  EXPECT_EQ(h.bucket_counts().size(), 4u);
  EXPECT_EQ(h.count(), std::size(rows));
  EXPECT_DOUBLE_EQ(h.sum(), 0 - 3 + 1 + 1.0001 + 2 + 3 + 4 + 4.5 + 1e9);
}

TEST(histogram, value_above_every_bound_goes_to_inf_bucket) {
  histogram h(metrics::latency_bounds());
  h.observe(60);
  h.observe(60.5);
  ASSERT_EQ(h.bucket_counts().size(), h.bounds().size() + 1);
  EXPECT_EQ(h.bucket_counts()[h.bounds().size() - 1], 1u);
  EXPECT_EQ(h.bucket_counts().back(), 1u);
}

TEST(metrics, bound_factories_are_ascending_with_expected_ends) {
  for (const auto& b : {metrics::latency_bounds(), metrics::gap_bounds(),
                        metrics::duration_bounds(), metrics::batch_bounds()}) {
    EXPECT_TRUE(std::is_sorted(b.begin(), b.end()));
  }
  EXPECT_EQ(metrics::latency_bounds().size(), 15u);
  EXPECT_EQ(metrics::gap_bounds().front(), 0.0005);
  EXPECT_EQ(metrics::gap_bounds().back(), 2.5);
  EXPECT_EQ(metrics::duration_bounds().back(), 600);
  EXPECT_EQ(metrics::batch_bounds().back(), 1024);
}

TEST(metrics, renders_cumulative_buckets_sum_and_count) {
  metrics m;
  m.time_to_first_token.observe("m1", "local", 0.001);  // le="0.001"
  m.time_to_first_token.observe("m1", "local", 0.003);  // le="0.005"
  m.time_to_first_token.observe("m1", "local", 0.004);  // le="0.005"
  m.time_to_first_token.observe("m1", "local", 100);    // +Inf only
  const auto text = m.render();

  const std::string b = R"(gateway_time_to_first_token_seconds_bucket{model="m1",route="local",)";
  EXPECT_TRUE(has_line(text, b + R"(le="0.001"} 1)")) << text;
  EXPECT_TRUE(has_line(text, b + R"(le="0.0025"} 1)"));
  EXPECT_TRUE(has_line(text, b + R"(le="0.005"} 3)"));
  EXPECT_TRUE(has_line(text, b + R"(le="1"} 3)"));
  EXPECT_TRUE(has_line(text, b + R"(le="60"} 3)"));
  EXPECT_TRUE(has_line(text, b + R"(le="+Inf"} 4)"));
  EXPECT_TRUE(has_line(text, R"(gateway_time_to_first_token_seconds_sum{model="m1",route="local"} 100.008)"));
  EXPECT_TRUE(has_line(text, R"(gateway_time_to_first_token_seconds_count{model="m1",route="local"} 4)"));

  // Untouched histograms still expose every bucket at zero.
  EXPECT_TRUE(has_line(text, R"(gateway_batch_size_bucket{le="1024"} 0)"));
  EXPECT_TRUE(has_line(text, R"(gateway_batch_size_bucket{le="+Inf"} 0)"));
  EXPECT_TRUE(has_line(text, "gateway_batch_size_sum 0"));
  EXPECT_TRUE(has_line(text, "gateway_batch_size_count 0"));
}

TEST(metrics, bucket_lines_are_in_bound_order_ending_with_inf) {
  metrics m;
  std::vector<std::string> les;
  m.inter_token_latency.observe("m", "remote", 0.01);
  const std::string prefix = "gateway_inter_token_latency_seconds_bucket{model=\"m\",route=\"remote\",le=\"";
  for (const auto& l : lines_of(m.render())) {
    if (l.rfind(prefix, 0) == 0) {
      les.push_back(l.substr(prefix.size(), l.find('"', prefix.size()) - prefix.size()));
    }
  }
  const std::vector<std::string> want = {"0.0005", "0.001", "0.0025", "0.005", "0.01",
                                         "0.02",   "0.03",  "0.05",   "0.075", "0.1",
                                         "0.25",   "0.5",   "1",      "2.5",   "+Inf"};
  EXPECT_EQ(les, want);
}

TEST(metrics, counts_requests_by_endpoint_and_status) {
  metrics m;
  m.count_request("/v1/chat/completions", 200);
  m.count_request("/v1/chat/completions", 200);
  m.count_request("/v1/chat/completions", 429);
  m.count_request("/v1/completions", 200);
  const auto text = m.render();
  EXPECT_TRUE(has_line(
      text, R"(gateway_requests_total{endpoint="/v1/chat/completions",status="200"} 2)"));
  EXPECT_TRUE(has_line(
      text, R"(gateway_requests_total{endpoint="/v1/chat/completions",status="429"} 1)"));
  EXPECT_TRUE(
      has_line(text, R"(gateway_requests_total{endpoint="/v1/completions",status="200"} 1)"));
}

TEST(metrics, escapes_label_values) {
  metrics m;
  m.count_request("a\\b\"c\nd", 404);
  const auto text = m.render();
  EXPECT_TRUE(has_line(text, R"(gateway_requests_total{endpoint="a\\b\"c\nd",status="404"} 1)"))
      << text;
}

TEST(metrics, token_counters_always_present_and_accumulate) {
  metrics m;
  auto text = m.render();
  EXPECT_TRUE(has_line(text, R"(gateway_tokens_total{kind="prompt"} 0)"));
  EXPECT_TRUE(has_line(text, R"(gateway_tokens_total{kind="completion"} 0)"));

  m.count_tokens(10, 3);
  m.count_tokens(5, 0);
  text = m.render();
  EXPECT_TRUE(has_line(text, R"(gateway_tokens_total{kind="prompt"} 15)"));
  EXPECT_TRUE(has_line(text, R"(gateway_tokens_total{kind="completion"} 3)"));
}

TEST(metrics, gauges_read_callbacks_at_render_time) {
  metrics m;
  auto text = m.render();
  EXPECT_TRUE(has_line(text, "gateway_queue_depth 0"));
  EXPECT_TRUE(has_line(text, "gateway_active_sequences 0"));

  double depth = 7;
  m.queue_depth = [&] { return depth; };
  m.active_sequences = [] { return 2.5; };
  text = m.render();
  EXPECT_TRUE(has_line(text, "gateway_queue_depth 7"));
  EXPECT_TRUE(has_line(text, "gateway_active_sequences 2.5"));

  depth = 12;
  EXPECT_TRUE(has_line(m.render(), "gateway_queue_depth 12"));
}

TEST(metrics, formats_numbers_shortest_and_non_finite_per_spec) {
  metrics m;
  double v = 0;
  m.queue_depth = [&] { return v; };
  const std::pair<double, const char*> rows[] = {
      {0.0005, "0.0005"}, {1e-7, "1e-07"},  {1e6, "1000000"},
      {-2.5, "-2.5"},     {0.1 + 0.2, "0.30000000000000004"},
      {1.0 / 0.0, "+Inf"}, {-1.0 / 0.0, "-Inf"}, {std::nan(""), "NaN"},
  };
  for (const auto& [value, want] : rows) {
    v = value;
    EXPECT_TRUE(has_line(m.render(), std::string("gateway_queue_depth ") + want)) << want;
  }
}

// Reported spend and estimated spend are separate series: an estimate never inflates the
// spend a provider's usage accounts for.
TEST(metrics, reported_and_estimated_costs_are_separate_series) {
  metrics m;
  m.add_cost({"web", "m", "p2"}, 0.139);
  m.add_cost({"web", "m", "p2"}, 0.139);
  m.add_estimated_cost({"web", "m", "p2"}, 0.05);
  m.add_estimated_cost({"", "m", "p3"}, 0.01);
  const auto text = m.render();
  EXPECT_TRUE(has_line(text, R"(gateway_cost_usd_total{key="web",model="m",provider="p2"} 0.278)")) << text;
  EXPECT_TRUE(has_line(text, R"(gateway_cost_estimated_usd_total{key="web",model="m",provider="p2"} 0.05)")) << text;
  EXPECT_TRUE(has_line(text, R"(gateway_cost_estimated_usd_total{key="",model="m",provider="p3"} 0.01)")) << text;
  for (const auto& l : lines_of(text)) EXPECT_EQ(l.find(R"(gateway_cost_usd_total{key="",model="m",provider="p3"})"), std::string::npos) << l;
}

// Spend is kept apart per key and per model: one key's or model's spend never shows in another's.
TEST(metrics, spend_is_kept_per_key_model_and_provider) {
  metrics m;
  m.add_cost({"web", "m1", "p"}, 0.5);
  m.add_cost({"batch", "m1", "p"}, 0.25);
  m.add_cost({"web", "m2", "p"}, 0.125);
  const auto text = m.render();
  EXPECT_TRUE(has_line(text, R"(gateway_cost_usd_total{key="web",model="m1",provider="p"} 0.5)")) << text;
  EXPECT_TRUE(has_line(text, R"(gateway_cost_usd_total{key="batch",model="m1",provider="p"} 0.25)")) << text;
  EXPECT_TRUE(has_line(text, R"(gateway_cost_usd_total{key="web",model="m2",provider="p"} 0.125)")) << text;
}

// Latency series per model and route kind, each a whole histogram; nothing observed, no series.
TEST(metrics, latency_histograms_are_kept_per_model_and_route_kind) {
  metrics m;
  EXPECT_EQ(m.render().find("gateway_request_duration_seconds_count"), std::string::npos);
  m.request_duration.observe("m1", "local", 0.2);
  m.request_duration.observe("m1", "remote", 0.3);
  m.request_duration.observe("m1", "remote", 0.4);
  m.request_duration.observe("", "none", 0.001);
  const auto text = m.render();
  EXPECT_TRUE(has_line(text, R"(gateway_request_duration_seconds_count{model="m1",route="local"} 1)")) << text;
  EXPECT_TRUE(has_line(text, R"(gateway_request_duration_seconds_count{model="m1",route="remote"} 2)")) << text;
  EXPECT_TRUE(has_line(text, R"(gateway_request_duration_seconds_count{model="",route="none"} 1)")) << text;
  EXPECT_TRUE(has_line(text, R"(gateway_request_duration_seconds_bucket{model="m1",route="remote",le="+Inf"} 2)"));
}

TEST(metrics, every_family_has_help_and_type) {
  const std::pair<const char*, const char*> families[] = {
      {"gateway_requests_total", "counter"},
      {"gateway_tokens_total", "counter"},
      {"gateway_time_to_first_token_seconds", "histogram"},
      {"gateway_inter_token_latency_seconds", "histogram"},
      {"gateway_request_duration_seconds", "histogram"},
      {"gateway_queue_wait_seconds", "histogram"},
      {"gateway_batch_size", "histogram"},
      {"gateway_queue_depth", "gauge"},
      {"gateway_active_sequences", "gauge"},
      {"gateway_open_connections", "gauge"},
      {"gateway_rate_limited_total", "counter"},
      {"gateway_refused_total", "counter"},
      {"gateway_request_errors_total", "counter"},
      {"gateway_upstream_retries_total", "counter"},
      {"gateway_cost_usd_total", "counter"},
      {"gateway_cost_estimated_usd_total", "counter"},
  };
  metrics m;
  m.count_request("/v1/models", 200);
  m.count_rate_limited("web", "tokens");
  m.count_refused("slow_reader");
  m.count_request_error("/v1/chat/completions", "upstream_error");
  m.count_upstream_retry("p", "budget_exhausted");
  m.add_cost({"k", "m", "p"}, 0.5);
  m.add_estimated_cost({"k", "m", "p"}, 0.25);
  m.time_to_first_token.observe("m", "local", 0.1);
  const auto text = m.render();
  for (const auto& [name, type] : families) {
    const std::string n = name;
    EXPECT_TRUE(has_line(text, "# TYPE " + n + " " + type)) << n;
    bool help = false;
    for (const auto& l : lines_of(text)) {
      if (l.rfind("# HELP " + n + " ", 0) == 0) help = true;
    }
    EXPECT_TRUE(help) << n;
  }
  // Every line is a comment or a sample of one of the families, and the text ends with a newline.
  ASSERT_FALSE(text.empty());
  EXPECT_EQ(text.back(), '\n');
  for (const auto& l : lines_of(text)) {
    if (l.rfind("# ", 0) == 0) continue;
    bool known = false;
    for (const auto& [name, type] : families) {
      if (l.rfind(name, 0) == 0) known = true;
    }
    EXPECT_TRUE(known) << l;
  }
}

}  // namespace
}  // namespace gw

namespace gw {
namespace {

TEST(metrics, shared_state_families_appear_only_when_configured) {
  metrics m;
  EXPECT_EQ(m.render().find("gateway_shared_state"), std::string::npos);
  m.shared_state_up = 1;
  m.count_shared_state_error("timeout");
  m.count_shared_state_error("timeout");
  m.count_shared_state_transition("down");
  m.count_shared_state_fallback("rate_limits", "local");
  const std::string text = m.render();
  EXPECT_NE(text.find("# TYPE gateway_shared_state_up gauge\ngateway_shared_state_up 1\n"), std::string::npos);
  EXPECT_NE(text.find("gateway_shared_state_errors_total{kind=\"timeout\"} 2\n"), std::string::npos);
  EXPECT_NE(text.find("gateway_shared_state_transitions_total{to=\"down\"} 1\n"), std::string::npos);
  EXPECT_NE(text.find("gateway_shared_state_fallbacks_total{limit=\"rate_limits\",action=\"local\"} 1\n"),
            std::string::npos);
}

TEST(metrics, key_budgets_render_spend_and_budget_per_key) {
  metrics m;
  m.key_budgets = [] { return std::vector<std::tuple<std::string, double, double>>{{"web", 1.25, 10}}; };
  const std::string text = m.render();
  EXPECT_NE(text.find("gateway_key_spend_usd{key=\"web\"} 1.25\n"), std::string::npos);
  EXPECT_NE(text.find("gateway_key_budget_usd{key=\"web\"} 10\n"), std::string::npos);
}

}  // namespace
}  // namespace gw
