#include "bench/gateway_bench/options.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

namespace gw::bench {
namespace {

parse_result parse(std::vector<std::string_view> args) { return parse_options(args); }

TEST(bench_options, defaults_closed_loop_streaming_chat_for_ten_seconds) {
  const auto r = parse({"--model", "m"});
  ASSERT_TRUE(r.error.empty()) << r.error;
  const auto& o = r.options;
  EXPECT_FALSE(o.open_loop());
  EXPECT_EQ(o.concurrency, 1u);
  EXPECT_TRUE(o.stream);
  EXPECT_EQ(o.host, "127.0.0.1");
  EXPECT_EQ(o.port, 8080);
  EXPECT_EQ(o.path, "/v1/chat/completions");
  ASSERT_TRUE(o.duration_s);
  EXPECT_EQ(*o.duration_s, 10);
  EXPECT_FALSE(o.requests);
  EXPECT_EQ(o.max_inflight, 10000u);
}

TEST(bench_options, every_valued_option_both_spellings) {
  const auto r = parse({"--url=http://h.example:9000/base/", "--endpoint", "completions", "--model=m", "--no-stream",
                        "--api-key", "k", "--header", "X-A: 1", "--header=X-B:two words", "--rate", "25.5",
                        "--burstiness", "0.5", "--max-inflight", "77", "--warmup-s", "1.5", "--duration-s", "3",
                        "--requests", "100", "--drain-timeout-s", "4", "--request-timeout-s", "9",
                        "--connect-timeout-s", "2", "--threads", "2", "--prompt-tokens", "uniform:1:9",
                        "--output-tokens", "normal:30:3", "--seed", "99", "--slo-ttft-ms", "200", "--slo-tpot-ms",
                        "50", "--slo-e2e-ms", "3000", "--json", "o.json", "--ignore-eos", "--no-progress"});
  ASSERT_TRUE(r.error.empty()) << r.error;
  const auto& o = r.options;
  EXPECT_EQ(o.host, "h.example");
  EXPECT_EQ(o.port, 9000);
  EXPECT_EQ(o.path, "/base/v1/completions");
  EXPECT_EQ(o.endpoint, api_endpoint::completions);
  EXPECT_FALSE(o.stream);
  EXPECT_EQ(o.api_key, "k");
  ASSERT_EQ(o.headers.size(), 2u);
  EXPECT_EQ(o.headers[1].first, "X-B");
  EXPECT_EQ(o.headers[1].second, "two words");
  EXPECT_TRUE(o.open_loop());
  EXPECT_DOUBLE_EQ(*o.rate, 25.5);
  EXPECT_DOUBLE_EQ(o.burstiness, 0.5);
  EXPECT_EQ(o.max_inflight, 77u);
  EXPECT_DOUBLE_EQ(o.warmup_s, 1.5);
  EXPECT_DOUBLE_EQ(*o.duration_s, 3);
  EXPECT_EQ(*o.requests, 100u);
  EXPECT_DOUBLE_EQ(o.drain_timeout_s, 4);
  EXPECT_DOUBLE_EQ(o.request_timeout_s, 9);
  EXPECT_DOUBLE_EQ(o.connect_timeout_s, 2);
  EXPECT_EQ(o.threads, 2u);
  EXPECT_EQ(o.prompt_tokens.describe(), "uniform:1:9");
  EXPECT_EQ(o.output_tokens.describe(), "normal:30:3");
  EXPECT_TRUE(o.output_tokens_given);
  EXPECT_EQ(o.seed, 99u);
  EXPECT_DOUBLE_EQ(*o.slo_ttft_ms, 200);
  EXPECT_DOUBLE_EQ(*o.slo_tpot_ms, 50);
  EXPECT_DOUBLE_EQ(*o.slo_e2e_ms, 3000);
  EXPECT_EQ(o.json_path, "o.json");
  EXPECT_TRUE(o.ignore_eos);
  EXPECT_FALSE(o.progress);
}

TEST(bench_options, v1_base_url_is_not_doubled_and_path_overrides) {
  EXPECT_EQ(parse({"--model", "m", "--url", "http://x:1/v1"}).options.path, "/v1/chat/completions");
  EXPECT_EQ(parse({"--model", "m", "--url", "http://x:1", "--path", "/custom"}).options.path, "/custom");
  const auto v6 = parse({"--model", "m", "--url", "http://[::1]:8000"});
  ASSERT_TRUE(v6.error.empty()) << v6.error;
  EXPECT_EQ(v6.options.host, "::1");
  EXPECT_EQ(v6.options.port, 8000);
  EXPECT_EQ(parse({"--model", "m", "--url", "http://x"}).options.port, 80);
}

TEST(bench_options, help_and_version) {
  EXPECT_TRUE(parse({"--help"}).help);
  EXPECT_TRUE(parse({"--model", "m", "-h"}).help);
  EXPECT_TRUE(parse({"--version"}).version);
}

TEST(bench_options, help_lists_every_option) {
  const std::string h = help_text();
  for (const char* name : {"--url", "--path", "--endpoint", "--model", "--stream", "--no-stream", "--ignore-eos",
                           "--api-key", "--header", "--concurrency", "--rate", "--burstiness", "--max-inflight",
                           "--warmup-s", "--duration-s", "--requests", "--drain-timeout-s", "--request-timeout-s",
                           "--connect-timeout-s", "--threads", "--prompt-tokens", "--output-tokens", "--dataset",
                           "--seed", "--slo-ttft-ms", "--slo-tpot-ms", "--slo-e2e-ms", "--json", "--no-progress",
                           "--idle-connections", "--idle-phase-s", "--idle-ramp-s", "--samples", "--sample-interval-s", "--cacert", "--insecure", "--help",
                           "--version"})
    EXPECT_NE(h.find(name), std::string::npos) << name;
}

TEST(bench_options, rejects_bad_command_lines_with_a_message) {
  const std::vector<std::vector<std::string_view>> bad = {
      {},                                                       // no model
      {"--model", "m", "--bogus"},
      {"--model", "m", "--concurrency"},                        // missing value
      {"--model", "m", "--concurrency", "0"},
      {"--model", "m", "--concurrency", "ten"},
      {"--model", "m", "--rate", "5", "--concurrency", "4"},    // open and closed
      {"--model", "m", "--burstiness", "2"},                    // without --rate
      {"--model", "m", "--rate", "0"},
      {"--model", "m", "--rate", "inf"},                        // needs --requests
      {"--model", "m", "--rate", "inf", "--requests", "5", "--duration-s", "2"},
      {"--model", "m", "--url", "https://"},                  // no host
      {"--model", "m", "--url", "https://x:0"},
      {"--model", "m", "--url", "http://x", "--insecure"},    // TLS options need https
      {"--model", "m", "--url", "http://x", "--cacert", "ca.pem"},
      {"--model", "m", "--url", "https://x", "--cacert", "ca.pem", "--insecure"},
      {"--model", "m", "--url", "https://x", "--cacert"},     // missing value
      {"--model", "m", "--url", "https://x", "--cacert="},
      {"--model", "m", "--url", "ftp://x"},
      {"--model", "m", "--url", "http://x:99999"},
      {"--model", "m", "--url", "http://:80"},
      {"--model", "m", "--endpoint", "images"},
      {"--model", "m", "--header", "no colon"},
      {"--model", "m", "--prompt-tokens", "uniform:9:1"},
      {"--model", "m", "--duration-s", "0"},
      {"--model", "m", "--warmup-s", "-1"},
      {"--model", "m", "--threads", "4", "--concurrency", "2"},
      {"--model", "m", "--slo-ttft-ms", "0"},
      {"--model", "m", "--path", "relative"},
      {"--model", "m", "--idle-connections", "-1"},
      {"--model", "m", "--rate", "5", "--idle-phase-s", "3"},  // holds the closed loop's connections
      {"--model", "m", "--sample-interval-s", "0"},
      {"--model", "m", "--idle-phase-s", "3", "--idle-ramp-s", "3"},  // the ramp ends inside the phase
  };
  for (const auto& args : bad) {
    const auto r = parse(args);
    std::string joined;
    for (auto a : args) joined += std::string(a) + " ";
    EXPECT_FALSE(r.error.empty()) << joined;
  }
}

TEST(bench_options, requests_alone_has_no_duration) {
  const auto r = parse({"--model", "m", "--requests", "50"});
  ASSERT_TRUE(r.error.empty()) << r.error;
  EXPECT_FALSE(r.options.duration_s);
  EXPECT_EQ(*r.options.requests, 50u);
  const auto inf = parse({"--model", "m", "--rate", "inf", "--requests", "50"});
  ASSERT_TRUE(inf.error.empty()) << inf.error;
  EXPECT_TRUE(std::isinf(*inf.options.rate));
}

}  // namespace
}  // namespace gw::bench

namespace gw::bench {
namespace {

TEST(bench_options, held_connections_and_samples) {
  const auto r = parse({"--model", "m", "--concurrency", "5", "--idle-connections", "7", "--idle-phase-s=2.5",
                        "--idle-ramp-s", "1", "--samples", "s.jsonl", "--sample-interval-s", "0.5"});
  ASSERT_TRUE(r.error.empty()) << r.error;
  EXPECT_EQ(r.options.idle_connections, 7u);
  EXPECT_DOUBLE_EQ(r.options.idle_phase_s, 2.5);
  EXPECT_DOUBLE_EQ(r.options.idle_ramp_s, 1);
  EXPECT_EQ(r.options.samples_path, "s.jsonl");
  EXPECT_DOUBLE_EQ(r.options.sample_interval_s, 0.5);
  const auto open = parse({"--model", "m", "--rate", "5", "--idle-connections", "3"});  // holders only: fine
  EXPECT_TRUE(open.error.empty()) << open.error;
  const auto d = parse({"--model", "m"});
  EXPECT_EQ(d.options.idle_connections, 0u);
  EXPECT_EQ(d.options.idle_phase_s, 0);
  EXPECT_TRUE(d.options.samples_path.empty());
}

TEST(bench_options, endpoints_and_their_paths) {
  auto r = parse({"--model", "m", "--endpoint", "messages", "--url", "http://h:1/v1"});
  ASSERT_EQ(r.error, "");
  EXPECT_EQ(r.options.path, "/v1/messages");
  EXPECT_TRUE(r.options.stream);
  r = parse({"--model", "m", "--endpoint", "embeddings"});
  ASSERT_EQ(r.error, "");
  EXPECT_EQ(r.options.path, "/v1/embeddings");
  EXPECT_FALSE(r.options.stream);  // never streamed
  EXPECT_NE(parse({"--model", "m", "--endpoint", "embeddings", "--stream"}).error, "");
  EXPECT_NE(parse({"--model", "m", "--endpoint", "images"}).error, "");
}

}  // namespace
}  // namespace gw::bench

namespace gw::bench {
namespace {

TEST(bench_options, https_url_defaults_to_port_443_and_verifies) {
  const auto r = parse({"--model", "m", "--url", "https://api.example.com/base/v1"});
  ASSERT_TRUE(r.error.empty()) << r.error;
  const auto& o = r.options;
  EXPECT_TRUE(o.tls);
  EXPECT_EQ(o.host, "api.example.com");
  EXPECT_EQ(o.port, 443);
  EXPECT_EQ(o.path, "/base/v1/chat/completions");
  EXPECT_FALSE(o.insecure);
  EXPECT_TRUE(o.cacert.empty());  // the system's default CAs
  EXPECT_FALSE(parse({"--model", "m", "--url", "http://x"}).options.tls);
}

TEST(bench_options, https_port_ipv6_cacert_and_insecure) {
  const auto ca = parse({"--model", "m", "--url", "https://[::1]:8443", "--cacert=/tmp/ca.pem"});
  ASSERT_TRUE(ca.error.empty()) << ca.error;
  EXPECT_TRUE(ca.options.tls);
  EXPECT_EQ(ca.options.host, "::1");
  EXPECT_EQ(ca.options.port, 8443);
  EXPECT_EQ(ca.options.cacert, "/tmp/ca.pem");
  EXPECT_FALSE(ca.options.insecure);

  const auto insecure = parse({"--model", "m", "--insecure", "--url", "https://10.0.0.5"});
  ASSERT_TRUE(insecure.error.empty()) << insecure.error;
  EXPECT_TRUE(insecure.options.insecure);
  EXPECT_EQ(insecure.options.port, 443);
}

TEST(bench_options, tls_errors_name_the_option) {
  EXPECT_NE(parse({"--model", "m", "--insecure"}).error.find("--insecure"), std::string::npos);
  EXPECT_NE(parse({"--model", "m", "--cacert", "f"}).error.find("https://"), std::string::npos);
  const auto both = parse({"--model", "m", "--url", "https://x", "--insecure", "--cacert", "f"});
  EXPECT_NE(both.error.find("exclude"), std::string::npos) << both.error;
  EXPECT_NE(parse({"--model", "m", "--url", "ftp://x"}).error.find("https://"), std::string::npos);
}

}  // namespace
}  // namespace gw::bench
