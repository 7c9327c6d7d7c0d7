#include "bench/gateway_bench/metrics.hpp"

#include <algorithm>

namespace gw::bench {

std::string_view to_string(error_kind k) {
  switch (k) {
    case error_kind::none: return "none";
    case error_kind::connect: return "connect";
    case error_kind::http_4xx: return "http_4xx";
    case error_kind::http_5xx: return "http_5xx";
    case error_kind::http_other: return "http_other";
    case error_kind::timeout: return "timeout";
    case error_kind::broken_stream: return "broken_stream";
    case error_kind::sse_error: return "sse_error";
    case error_kind::protocol: return "protocol";
    case error_kind::dropped: return "dropped";
  }
  return "unknown";
}

run_summary analyze(const std::vector<request_record>& records, std::vector<float>& itl_ms,
                    const analysis_params& p) {
  run_summary s;
  std::vector<double> ttft, tpot, e2e, out_len, in_len;
  std::int64_t last_end = p.warmup_end_ns;
  for (const auto& r : records) {
    if (r.start_ns < p.warmup_end_ns) {
      ++s.warmup_requests;
      continue;
    }
    ++s.measured;
    last_end = std::max(last_end, r.end_ns);
    if (r.error != error_kind::none) {
      ++s.failed;
      ++s.errors[static_cast<std::size_t>(r.error)];
      if (r.http_status != 0 && (r.error == error_kind::http_4xx || r.error == error_kind::http_5xx ||
                                 r.error == error_kind::http_other))
        ++s.errors_by_status[r.http_status];
      continue;
    }
    ++s.succeeded;
    if (r.usage_missing) ++s.usage_missing;
    s.input_tokens += r.prompt_tokens;
    s.output_tokens += r.output_tokens;
    const double e2e_ms = static_cast<double>(r.end_ns - r.start_ns) / 1e6;
    const bool has_ttft = r.ttft_ns >= 0;
    const double ttft_ms = static_cast<double>(r.ttft_ns) / 1e6;
    e2e.push_back(e2e_ms);
    if (has_ttft) ttft.push_back(ttft_ms);
    out_len.push_back(r.output_tokens);
    in_len.push_back(r.prompt_tokens);
    std::optional<double> tpot_ms;
    if (p.stream && r.output_tokens > 1 && has_ttft) {
      tpot_ms = (e2e_ms - ttft_ms) / static_cast<double>(r.output_tokens - 1);
      tpot.push_back(*tpot_ms);
    }
    // A request with one token has no TPOT: it meets a TPOT SLO (as in vLLM, which counts 0).
    const bool good = (!p.slo_ttft_ms || (has_ttft && ttft_ms <= *p.slo_ttft_ms)) &&
                      (!p.slo_tpot_ms || !tpot_ms || *tpot_ms <= *p.slo_tpot_ms) &&
                      (!p.slo_e2e_ms || e2e_ms <= *p.slo_e2e_ms);
    if (good) ++s.good_requests;
  }
  s.window_s = static_cast<double>(last_end - p.warmup_end_ns) / 1e9;
  if (s.window_s > 0) {
    s.request_throughput = static_cast<double>(s.succeeded) / s.window_s;
    s.output_throughput = static_cast<double>(s.output_tokens) / s.window_s;
    s.total_token_throughput = static_cast<double>(s.input_tokens + s.output_tokens) / s.window_s;
  }
  if (p.slo_ttft_ms || p.slo_tpot_ms || p.slo_e2e_ms)
    s.goodput = s.window_s > 0 ? static_cast<double>(s.good_requests) / s.window_s : 0.0;
  s.ttft_ms = summarize(std::span<double>(ttft));  // sorts
  if (ttft.size() <= 101) {
    for (std::size_t i = 0; i < ttft.size(); ++i)
      s.ttft_cdf.emplace_back(ttft[i], static_cast<double>(i + 1) / static_cast<double>(ttft.size()));
  } else {
    for (int q = 0; q <= 100; ++q) s.ttft_cdf.emplace_back(percentile_sorted(std::span<const double>(ttft), q), q / 100.0);
  }
  s.tpot_ms = summarize(std::span<double>(tpot));
  s.itl_ms = summarize(std::span<float>(itl_ms));
  s.e2e_ms = summarize(std::span<double>(e2e));
  s.output_tokens_per_request = summarize(std::span<double>(out_len));
  s.input_tokens_per_request = summarize(std::span<double>(in_len));
  return s;
}

}  // namespace gw::bench
