#include "bench/gateway_bench/metrics.hpp"

#include <gtest/gtest.h>

namespace gw::bench {
namespace {

constexpr std::int64_t ms = 1'000'000;

request_record ok(std::int64_t start_ms, std::int64_t ttft_ms, std::int64_t e2e_ms, std::uint32_t out,
                  std::uint32_t in = 10) {
  request_record r;
  r.start_ns = start_ms * ms;
  r.ttft_ns = ttft_ms * ms;
  r.end_ns = (start_ms + e2e_ms) * ms;
  r.output_tokens = out;
  r.prompt_tokens = in;
  r.http_status = 200;
  return r;
}

request_record failed(std::int64_t start_ms, error_kind k, std::uint16_t status = 0) {
  request_record r;
  r.start_ns = start_ms * ms;
  r.end_ns = (start_ms + 1) * ms;
  r.error = k;
  r.http_status = status;
  return r;
}

TEST(bench_metrics, vllm_definitions) {
  // Window: from the end of warm-up (1000 ms) to the last measured completion (3000 ms).
  const std::vector<request_record> records = {
      ok(500, 50, 400, 10),    // warm-up: not counted
      ok(1000, 100, 1000, 11),  // TPOT (1000-100)/10 = 90
      ok(1500, 200, 1500, 31),  // TPOT (1500-200)/30 = 43.33, ends at 3000
      ok(1200, 300, 300, 1),    // one token: no TPOT
      failed(1300, error_kind::http_5xx, 503),
      failed(1400, error_kind::http_4xx, 429),
      failed(1450, error_kind::http_4xx, 429),
      failed(1600, error_kind::broken_stream),
  };
  std::vector<float> itl = {5.0f, 15.0f, 10.0f};
  analysis_params p;
  p.warmup_end_ns = 1000 * ms;
  const run_summary s = analyze(records, itl, p);
  EXPECT_EQ(s.warmup_requests, 1u);
  EXPECT_EQ(s.measured, 7u);
  EXPECT_EQ(s.succeeded, 3u);
  EXPECT_EQ(s.failed, 4u);
  EXPECT_EQ(s.errors[static_cast<std::size_t>(error_kind::http_4xx)], 2u);
  EXPECT_EQ(s.errors[static_cast<std::size_t>(error_kind::http_5xx)], 1u);
  EXPECT_EQ(s.errors[static_cast<std::size_t>(error_kind::broken_stream)], 1u);
  EXPECT_EQ(s.errors_by_status.at(429), 2u);
  EXPECT_EQ(s.errors_by_status.at(503), 1u);
  EXPECT_DOUBLE_EQ(s.window_s, 2.0);
  EXPECT_EQ(s.output_tokens, 43u);
  EXPECT_EQ(s.input_tokens, 30u);
  EXPECT_DOUBLE_EQ(s.request_throughput, 1.5);
  EXPECT_DOUBLE_EQ(s.output_throughput, 21.5);
  EXPECT_DOUBLE_EQ(s.total_token_throughput, 36.5);
  EXPECT_EQ(s.ttft_ms.count, 3u);
  EXPECT_DOUBLE_EQ(s.ttft_ms.mean, 200);
  EXPECT_EQ(s.tpot_ms.count, 2u);
  EXPECT_DOUBLE_EQ(s.tpot_ms.max, 90);
  EXPECT_NEAR(s.tpot_ms.min, 1300.0 / 30, 1e-9);
  EXPECT_EQ(s.e2e_ms.count, 3u);
  EXPECT_DOUBLE_EQ(s.e2e_ms.max, 1500);
  EXPECT_EQ(s.itl_ms.count, 3u);
  EXPECT_DOUBLE_EQ(s.itl_ms.p50, 10);
  EXPECT_FALSE(s.goodput);
  EXPECT_DOUBLE_EQ(s.output_tokens_per_request.max, 31);
}

TEST(bench_metrics, goodput_counts_requests_meeting_every_slo) {
  const std::vector<request_record> records = {
      ok(0, 100, 1000, 11),  // TTFT 100, TPOT 90, E2E 1000
      ok(0, 300, 800, 11),   // TTFT 300: misses the TTFT SLO
      ok(0, 100, 2000, 11),  // TPOT 190: misses the TPOT SLO
      ok(0, 150, 150, 1),    // one token: TPOT does not apply
  };
  std::vector<float> itl;
  analysis_params p;
  p.slo_ttft_ms = 200;
  p.slo_tpot_ms = 100;
  const run_summary s = analyze(records, itl, p);
  EXPECT_EQ(s.good_requests, 2u);
  ASSERT_TRUE(s.goodput);
  EXPECT_DOUBLE_EQ(*s.goodput, 1.0);  // 2 requests over the 2 s window
  p.slo_e2e_ms = 500;
  EXPECT_EQ(analyze(records, itl, p).good_requests, 1u);
}

TEST(bench_metrics, non_streaming_has_no_tpot) {
  request_record r = ok(0, 40, 40, 16);  // TTFT == E2E
  std::vector<float> itl;
  analysis_params p;
  p.stream = false;
  const run_summary s = analyze({r}, itl, p);
  EXPECT_EQ(s.ttft_ms.count, 1u);
  EXPECT_EQ(s.tpot_ms.count, 0u);
  // Streamed, every token in one read: TPOT is 0, as vLLM computes it.
  const run_summary t = analyze({r}, itl, {});
  EXPECT_EQ(t.tpot_ms.count, 1u);
  EXPECT_EQ(t.tpot_ms.max, 0);
}

TEST(bench_metrics, all_failed_and_empty_runs) {
  std::vector<float> itl;
  const run_summary s = analyze({failed(0, error_kind::connect), failed(5, error_kind::dropped)}, itl, {});
  EXPECT_EQ(s.succeeded, 0u);
  EXPECT_EQ(s.failed, 2u);
  EXPECT_EQ(s.errors[static_cast<std::size_t>(error_kind::connect)], 1u);
  EXPECT_EQ(s.errors[static_cast<std::size_t>(error_kind::dropped)], 1u);
  EXPECT_TRUE(s.errors_by_status.empty());
  EXPECT_EQ(s.request_throughput, 0);
  const run_summary e = analyze({}, itl, {});
  EXPECT_EQ(e.measured, 0u);
  EXPECT_EQ(e.window_s, 0);
  EXPECT_EQ(e.request_throughput, 0);
}

TEST(bench_metrics, error_kinds_have_names) {
  for (std::size_t k = 0; k < error_kind_count; ++k)
    EXPECT_NE(to_string(static_cast<error_kind>(k)), "unknown") << k;
  EXPECT_EQ(to_string(error_kind::sse_error), "sse_error");
}

}  // namespace
}  // namespace gw::bench
