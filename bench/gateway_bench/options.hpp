#pragma once
// gateway-bench's command line: every option, its default, and validation into one
// bench_options value. Pure (no I/O); main() prints help_text() and the errors.

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "bench/gateway_bench/sampling.hpp"
#include "bench/gateway_bench/sweep.hpp"

namespace gw::bench {

// The API called: OpenAI's chat, legacy completions or embeddings (never streamed), or
// Anthropic's Messages API (/v1/messages).
enum class api_endpoint { chat, completions, embeddings, messages };
std::string_view to_string(api_endpoint e);

struct bench_options {
  // Target.
  std::string url = "http://127.0.0.1:8080";
  std::string host = "127.0.0.1";  // from url
  std::uint16_t port = 8080;       // from url
  std::string path;                // request path: url's path + /v1/chat/completions, or --path
  api_endpoint endpoint = api_endpoint::chat;
  std::string model;
  bool stream = true;
  bool ignore_eos = false;  // adds "ignore_eos": true (vLLM, SGLang); not OpenAI
  std::string api_key;
  std::vector<std::pair<std::string, std::string>> headers;
  // TLS, for https:// URLs: the server's certificate and host name are verified against
  // `cacert` (a PEM bundle) or the system's default CAs, unless `insecure` (test clusters).
  bool tls = false;  // from url
  std::string cacert;
  bool insecure = false;

  // Load. Closed loop unless rate is set.
  std::uint32_t concurrency = 1;
  std::optional<double> rate;  // requests/s, may be +infinity
  double burstiness = 1.0;
  std::uint32_t max_inflight = 10000;
  double warmup_s = 0;
  std::optional<double> duration_s;     // measured part, after warm-up
  std::optional<std::uint64_t> requests;  // measured requests, after warm-up
  double drain_timeout_s = 30;
  double request_timeout_s = 0;  // 0: none (the drain timeout still bounds the run)
  double connect_timeout_s = 10;
  unsigned threads = 1;
  // Held connections (a soak): idle_connections more connections each send one request of one
  // token at the start, then stay open and silent until the run ends. For idle_phase_s first,
  // the closed-loop workers' connections do the same, and the load (warm-up, duration) starts
  // after it. Their starts are spread evenly over idle_ramp_s.
  std::uint32_t idle_connections = 0;
  double idle_phase_s = 0;
  double idle_ramp_s = 0;

  // Workload.
  length_distribution prompt_tokens{length_distribution::kind::fixed, 128, 0};
  length_distribution output_tokens{length_distribution::kind::fixed, 128, 0};
  bool output_tokens_given = false;
  std::string dataset;
  std::uint64_t seed = 0;

  // SLOs for goodput (milliseconds).
  std::optional<double> slo_ttft_ms;
  std::optional<double> slo_tpot_ms;
  std::optional<double> slo_e2e_ms;

  // A sweep of load points (sweep.hpp); variable none: one run.
  sweep_spec sweep;

  // Output.
  std::string json_path;
  std::string html_path;  // the --json document as one self-contained page (html_report.hpp)
  std::string samples_path;       // JSON lines of the live counters (progress.hpp)
  double sample_interval_s = 1;
  bool progress = true;  // only ever shown when stderr is a terminal

  bool open_loop() const { return rate.has_value(); }
  bool has_slo() const { return slo_ttft_ms || slo_tpot_ms || slo_e2e_ms; }
};

struct parse_result {
  bench_options options;
  bool help = false;
  bool version = false;
  std::string error;  // non-empty: bad command line
};

// Parses argv[1..]: "--key value" or "--key=value"; flags take no value.
parse_result parse_options(std::span<const std::string_view> args);

// The --help text: every option with its default.
std::string help_text();

// Splits http(s)://HOST[:PORT][/PREFIX] (IPv6 as [::1]; the port defaults to 80, or 443 with
// `tls` set for https).
bool parse_http_url(std::string_view url, std::string& host, std::uint16_t& port, std::string& prefix, bool& tls,
                    std::string& error);

}  // namespace gw::bench
