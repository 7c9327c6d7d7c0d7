#pragma once
// What one request measured (request_record), and the run's figures computed from all of them
// (analyze): counts, error kinds, throughputs over the measured window, goodput under SLOs and
// the latency statistics, with vLLM benchmark_serving's definitions:
//   TTFT  request start -> first chunk with non-empty text
//   TPOT  (E2E - TTFT) / (output tokens - 1), for requests with more than one output token
//   ITL   gaps between consecutive content chunks, pooled over requests
//   E2E   request start -> response complete
// Pure: no I/O.

#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "bench/gateway_bench/statistics.hpp"

namespace gw::bench {

enum class error_kind : std::uint8_t {
  none,
  connect,        // TCP connect failed or timed out
  http_4xx,
  http_5xx,
  http_other,     // 1xx/3xx final status
  timeout,        // --request-timeout-s, or still running when the drain timeout ended the run
  broken_stream,  // the response ended early: no [DONE], a reset, a truncated body
  sse_error,      // an {"error": ...} event (or an error object in a 200 body)
  protocol,       // a malformed HTTP response
  dropped,        // open loop: not started, --max-inflight requests were in flight
};
inline constexpr std::size_t error_kind_count = 10;
std::string_view to_string(error_kind k);

// Times are nanoseconds since the run's start (steady_clock).
struct request_record {
  std::int64_t start_ns = 0;
  std::int64_t end_ns = 0;
  std::int64_t ttft_ns = -1;  // -1: no content chunk; a non-streaming response sets E2E
  std::uint32_t prompt_tokens = 0;  // usage, else the client's estimate
  std::uint32_t output_tokens = 0;  // usage, else content chunks (usage_missing)
  std::uint32_t max_tokens = 0;
  std::uint16_t http_status = 0;
  error_kind error = error_kind::none;
  bool usage_missing = false;
};

struct analysis_params {
  std::int64_t warmup_end_ns = 0;  // requests that started before are not measured
  bool stream = true;              // false: TTFT is E2E, and there is no TPOT
  std::optional<double> slo_ttft_ms, slo_tpot_ms, slo_e2e_ms;
};

struct run_summary {
  std::uint64_t warmup_requests = 0;  // started in warm-up (not measured)
  std::uint64_t measured = 0;         // started after warm-up, including failed and dropped
  std::uint64_t succeeded = 0;
  std::uint64_t failed = 0;
  std::array<std::uint64_t, error_kind_count> errors{};  // by kind; [none] unused
  std::map<int, std::uint64_t> errors_by_status;         // HTTP status of http_* errors
  std::uint64_t usage_missing = 0;
  std::uint64_t input_tokens = 0;   // of succeeded requests
  std::uint64_t output_tokens = 0;
  double window_s = 0;  // end of warm-up -> last measured completion
  double request_throughput = 0;
  double output_throughput = 0;
  double total_token_throughput = 0;
  std::optional<double> goodput;  // requests/s meeting every SLO given
  std::uint64_t good_requests = 0;
  summary ttft_ms, tpot_ms, itl_ms, e2e_ms;
  // The TTFT distribution as [ms, fraction of TTFTs <= ms] pairs, ascending: every sample when
  // there are at most 101, else the 0th, 1st, ..., 100th percentiles.
  std::vector<std::pair<double, double>> ttft_cdf;
  summary output_tokens_per_request, input_tokens_per_request;
};

// Computes the figures; sorts `itl_ms` (the pooled gaps of measured, succeeded requests).
run_summary analyze(const std::vector<request_record>& records, std::vector<float>& itl_ms,
                    const analysis_params& p);

}  // namespace gw::bench
