#include "bench/gateway_bench/sweep.hpp"

#include <gtest/gtest.h>

#include <simdjson.h>

#include "bench/gateway_bench/sweep_report.hpp"

namespace gw::bench {
namespace {

TEST(bench_sweep, ranges_lists_and_errors) {
  sweep_spec s;
  ASSERT_EQ(parse_sweep("rate:2:10:5", s), "");
  EXPECT_EQ(s.variable, sweep_variable::rate);
  EXPECT_EQ(s.values, (std::vector<double>{2, 4, 6, 8, 10}));
  ASSERT_EQ(parse_sweep("rate:0.5,1,2.5", s), "");
  EXPECT_EQ(s.values, (std::vector<double>{0.5, 1, 2.5}));
  ASSERT_EQ(parse_sweep("concurrency:1:4:6", s), "");  // rounded, repeats dropped
  EXPECT_EQ(s.variable, sweep_variable::concurrency);
  EXPECT_EQ(s.values, (std::vector<double>{1, 2, 3, 4}));
  ASSERT_EQ(parse_sweep("rate:3:3:1", s), "");
  EXPECT_EQ(s.values, (std::vector<double>{3}));
  ASSERT_EQ(parse_sweep("max-rate:1:50", s), "");
  EXPECT_TRUE(s.max_rate);
  EXPECT_EQ(s.low, 1);
  EXPECT_EQ(s.high, 50);
  for (const char* bad : {"rate", "rate:", "rate:5:1:3", "rate:1:5:0", "rate:0:5:2", "concurrency:1.5,2", "qps:1:2:2",
                          "max-rate:5:5", "max-rate:1", "rate:1:inf:2", "rate:1,x"})
    EXPECT_NE(parse_sweep(bad, s), "") << bad;
}

TEST(bench_sweep, options_check_a_sweep_against_the_other_load_options) {
  auto r = parse_options(std::vector<std::string_view>{"--model", "m", "--sweep", "rate:1:4:4", "--duration-s", "2"});
  ASSERT_EQ(r.error, "");
  EXPECT_TRUE(r.options.open_loop());  // the first point's options
  EXPECT_EQ(*r.options.rate, 1);
  r = parse_options(std::vector<std::string_view>{"--model", "m", "--sweep", "concurrency:2,8"});
  ASSERT_EQ(r.error, "");
  EXPECT_EQ(r.options.concurrency, 2u);
  EXPECT_NE(parse_options(std::vector<std::string_view>{"--model", "m", "--sweep", "rate:1,2", "--rate", "3"}).error, "");
  EXPECT_NE(parse_options(std::vector<std::string_view>{"--model", "m", "--sweep", "max-rate:1:9"}).error, "");  // no SLO
  r = parse_options(std::vector<std::string_view>{"--model", "m", "--goodput-target", "0.9", "--sweep", "max-rate:1:9",
                                                  "--slo-ttft-ms", "100", "--max-rate-steps", "3"});
  ASSERT_EQ(r.error, "");
  EXPECT_EQ(r.options.sweep.goodput_target, 0.9);  // kept whichever comes first
  EXPECT_EQ(r.options.sweep.max_rate_steps, 3u);
  EXPECT_NE(parse_options(std::vector<std::string_view>{"--model", "m", "--goodput-target", "1.5"}).error, "");
}

// Goodput fraction of a server that meets the target up to 37 req/s.
double fraction_at(double rate) { return rate <= 37 ? 0.99 : 0.5; }

TEST(bench_sweep, max_rate_search_bisects_between_met_and_missed) {
  max_rate_search s(1, 101, 4, 0.95);
  std::vector<double> run;
  while (auto r = s.next()) {
    run.push_back(*r);
    s.record(*r, fraction_at(*r));
  }
  EXPECT_EQ(run, (std::vector<double>{1, 101, 51, 26, 38.5, 32.25}));
  EXPECT_EQ(*s.best(), 32.25);
  EXPECT_EQ(*s.first_failing(), 38.5);
  EXPECT_EQ(*s.best_fraction(), 0.99);
}

TEST(bench_sweep, max_rate_search_ends_at_either_bound) {
  max_rate_search low_fails(10, 20, 5, 0.95);
  low_fails.record(*low_fails.next(), 0.2);
  EXPECT_FALSE(low_fails.next());
  EXPECT_FALSE(low_fails.best());
  max_rate_search high_meets(10, 20, 5, 0.95);
  high_meets.record(*high_meets.next(), 1);
  ASSERT_EQ(*high_meets.next(), 20);
  high_meets.record(20, 0.97);
  EXPECT_FALSE(high_meets.next());
  EXPECT_EQ(*high_meets.best(), 20);
  EXPECT_FALSE(high_meets.first_failing());
}

TEST(bench_sweep, json_document_holds_every_point) {
  auto r = parse_options(std::vector<std::string_view>{"--model", "m", "--sweep", "max-rate:1:9", "--slo-e2e-ms", "9"});
  ASSERT_EQ(r.error, "");
  run_facts f;
  f.summary.measured = 4;
  f.summary.good_requests = 3;
  f.timeline = {{0, 0, 0, 0, 0, 0, 0}, {1, 3, 10, 1, 100, 10, 100}};
  f.summary.ttft_cdf = {{5, 0.5}, {7, 1}};
  const std::vector<std::string> docs{json_report(r.options, f, point_load{sweep_variable::rate, 1}),
                                      json_report(r.options, f, point_load{sweep_variable::rate, 9})};
  const std::string j = sweep_json_report(r.options, 0, docs, {1, 9}, max_rate_answer{1.0, 0.75, 9.0});
  simdjson::dom::parser p;
  simdjson::dom::element el;
  ASSERT_EQ(p.parse(j).get(el), simdjson::SUCCESS) << j;
  EXPECT_EQ(std::string_view(el["kind"]), "sweep");
  EXPECT_EQ(std::string_view(el["config"]["sweep"]["mode"]), "max_rate");
  EXPECT_EQ(simdjson::dom::array(el["config"]["sweep"]["values"]).size(), 2u);
  EXPECT_EQ(simdjson::dom::array(el["points"]).size(), 2u);
  EXPECT_EQ(std::string_view(el["points"].at(1)["kind"]), "run");
  EXPECT_EQ(double(el["points"].at(1)["load"]["value"]), 9);
  EXPECT_EQ(int64_t(el["points"].at(0)["timeline"].at(1)["done"]), 10);
  EXPECT_EQ(double(el["points"].at(0)["timeline"].at(1)["tokens_per_s"]), 100);
  EXPECT_EQ(double(el["points"].at(0)["ttft_cdf"].at(1).at(0)), 7);
  EXPECT_EQ(double(el["max_rate"]["rate"]), 1);
  EXPECT_EQ(double(el["max_rate"]["first_failing_rate"]), 9);
  EXPECT_EQ(goodput_fraction(f.summary), 0.75);
  const std::string table = sweep_table(r.options, {{1, f.summary}, {9, f.summary}}, max_rate_answer{1.0, 0.75, 9.0});
  EXPECT_NE(table.find("Highest rate meeting 95% goodput: 1.00 req/s"), std::string::npos) << table;
}

}  // namespace
}  // namespace gw::bench
