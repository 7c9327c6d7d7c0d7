#include "bench/gateway_bench/options.hpp"

#include <charconv>
#include <cmath>
#include <limits>

namespace gw::bench {
namespace {

bool to_double(std::string_view s, double& out) {
  if (s == "inf" || s == "infinity") {
    out = std::numeric_limits<double>::infinity();
    return true;
  }
  if (s.empty()) return false;
  const auto res = std::from_chars(s.data(), s.data() + s.size(), out);
  return res.ec == std::errc{} && res.ptr == s.data() + s.size() && std::isfinite(out);
}

bool to_uint(std::string_view s, std::uint64_t& out) {
  if (s.empty()) return false;
  const auto res = std::from_chars(s.data(), s.data() + s.size(), out);
  return res.ec == std::errc{} && res.ptr == s.data() + s.size();
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// The options that take a value; everything else is a flag.
constexpr std::string_view valued[] = {
    "--url", "--path", "--endpoint", "--model", "--api-key", "--header", "--concurrency", "--rate",
    "--burstiness", "--max-inflight", "--warmup-s", "--duration-s", "--requests", "--drain-timeout-s",
    "--request-timeout-s", "--connect-timeout-s", "--threads", "--prompt-tokens", "--output-tokens",
    "--dataset", "--seed", "--slo-ttft-ms", "--slo-tpot-ms", "--slo-e2e-ms", "--json", "--idle-connections",
    "--idle-phase-s", "--idle-ramp-s", "--samples", "--sample-interval-s", "--sweep", "--goodput-target",
    "--max-rate-steps", "--html", "--cacert"};

bool takes_value(std::string_view name) {
  for (auto v : valued)
    if (v == name) return true;
  return false;
}

// Applies one option; returns an error message or "".
std::string apply(bench_options& o, std::string_view name, std::string_view v, bool& rate_set,
                  bool& concurrency_set, bool& burstiness_set, std::string& path_override) {
  const std::string quoted = "'" + std::string(v) + "'";
  double d = 0;
  std::uint64_t u = 0;
  const auto seconds = [&](double& out, bool allow_zero) -> std::string {
    if (!to_double(v, d) || !std::isfinite(d) || d < 0 || (!allow_zero && d == 0))
      return std::string(name) + ": " + quoted + (allow_zero ? " is not a number >= 0" : " is not a number > 0");
    out = d;
    return {};
  };
  const auto count = [&](std::uint64_t lo, std::uint64_t hi) -> std::string {
    if (!to_uint(v, u) || u < lo || u > hi)
      return std::string(name) + ": " + quoted + " is not a whole number between " + std::to_string(lo) + " and " +
             std::to_string(hi);
    return {};
  };
  const auto slo = [&](std::optional<double>& out) -> std::string {
    if (!to_double(v, d) || !std::isfinite(d) || d <= 0) return std::string(name) + ": " + quoted + " is not a number > 0";
    out = d;
    return {};
  };
  std::string err;
  if (name == "--url") {
    o.url = std::string(v);
  } else if (name == "--path") {
    if (v.empty() || v.front() != '/') return "--path: " + quoted + " must start with '/'";
    path_override = std::string(v);
  } else if (name == "--endpoint") {
    if (v == "chat") o.endpoint = api_endpoint::chat;
    else if (v == "completions") o.endpoint = api_endpoint::completions;
    else if (v == "embeddings") o.endpoint = api_endpoint::embeddings;
    else if (v == "messages") o.endpoint = api_endpoint::messages;
    else return "--endpoint: " + quoted + " is not chat, completions, embeddings or messages";
  } else if (name == "--model") {
    o.model = std::string(v);
  } else if (name == "--api-key") {
    o.api_key = std::string(v);
  } else if (name == "--header") {
    const auto colon = v.find(':');
    if (colon == std::string_view::npos || trim(v.substr(0, colon)).empty() ||
        v.find_first_of("\r\n") != std::string_view::npos)
      return "--header: " + quoted + " is not 'Name: value'";
    o.headers.emplace_back(std::string(trim(v.substr(0, colon))), std::string(trim(v.substr(colon + 1))));
  } else if (name == "--concurrency") {
    if (!(err = count(1, 1'000'000)).empty()) return err;
    o.concurrency = static_cast<std::uint32_t>(u);
    concurrency_set = true;
  } else if (name == "--rate") {
    if (!to_double(v, d) || d <= 0) return "--rate: " + quoted + " is not a number > 0 (or inf)";
    o.rate = d;
    rate_set = true;
  } else if (name == "--burstiness") {
    if (!to_double(v, d) || !std::isfinite(d) || d <= 0) return "--burstiness: " + quoted + " is not a number > 0";
    o.burstiness = d;
    burstiness_set = true;
  } else if (name == "--max-inflight") {
    if (!(err = count(1, 10'000'000)).empty()) return err;
    o.max_inflight = static_cast<std::uint32_t>(u);
  } else if (name == "--warmup-s") {
    return seconds(o.warmup_s, true);
  } else if (name == "--duration-s") {
    double s = 0;
    if (!(err = seconds(s, false)).empty()) return err;
    o.duration_s = s;
  } else if (name == "--requests") {
    if (!(err = count(1, 1'000'000'000)).empty()) return err;
    o.requests = u;
  } else if (name == "--drain-timeout-s") {
    return seconds(o.drain_timeout_s, true);
  } else if (name == "--request-timeout-s") {
    return seconds(o.request_timeout_s, true);
  } else if (name == "--connect-timeout-s") {
    return seconds(o.connect_timeout_s, false);
  } else if (name == "--threads") {
    if (!(err = count(1, 256)).empty()) return err;
    o.threads = static_cast<unsigned>(u);
  } else if (name == "--prompt-tokens" || name == "--output-tokens") {
    auto dist = parse_length_distribution(v, err);
    if (!dist) return std::string(name) + ": " + err;
    if (name == "--prompt-tokens") {
      o.prompt_tokens = *dist;
    } else {
      o.output_tokens = *dist;
      o.output_tokens_given = true;
    }
  } else if (name == "--dataset") {
    o.dataset = std::string(v);
  } else if (name == "--seed") {
    if (!to_uint(v, u)) return "--seed: " + quoted + " is not a whole number >= 0";
    o.seed = u;
  } else if (name == "--slo-ttft-ms") {
    return slo(o.slo_ttft_ms);
  } else if (name == "--slo-tpot-ms") {
    return slo(o.slo_tpot_ms);
  } else if (name == "--slo-e2e-ms") {
    return slo(o.slo_e2e_ms);
  } else if (name == "--json") {
    o.json_path = std::string(v);
  } else if (name == "--html") {
    o.html_path = std::string(v);
  } else if (name == "--idle-connections") {
    if (!(err = count(0, 1'000'000)).empty()) return err;
    o.idle_connections = static_cast<std::uint32_t>(u);
  } else if (name == "--idle-phase-s") {
    return seconds(o.idle_phase_s, true);
  } else if (name == "--idle-ramp-s") {
    return seconds(o.idle_ramp_s, true);
  } else if (name == "--cacert") {
    if (v.empty()) return "--cacert: needs a file name";
    o.cacert = std::string(v);
  } else if (name == "--samples") {
    o.samples_path = std::string(v);
  } else if (name == "--sample-interval-s") {
    return seconds(o.sample_interval_s, false);
  } else if (name == "--sweep") {
    // Kept apart from the other sweep options, which may come before or after it.
    const double target = o.sweep.goodput_target;
    const unsigned steps = o.sweep.max_rate_steps;
    if (!(err = parse_sweep(v, o.sweep)).empty()) return err;
    o.sweep.goodput_target = target;
    o.sweep.max_rate_steps = steps;
  } else if (name == "--goodput-target") {
    if (!to_double(v, d) || !(d > 0 && d <= 1)) return "--goodput-target: " + quoted + " is not a fraction in (0, 1]";
    o.sweep.goodput_target = d;
  } else if (name == "--max-rate-steps") {
    if (!(err = count(0, 20)).empty()) return err;
    o.sweep.max_rate_steps = static_cast<unsigned>(u);
  } else {
    return "unknown option " + std::string(name);
  }
  return {};
}

}  // namespace

std::string_view to_string(api_endpoint e) {
  switch (e) {
    case api_endpoint::chat: return "chat";
    case api_endpoint::completions: return "completions";
    case api_endpoint::embeddings: return "embeddings";
    case api_endpoint::messages: return "messages";
  }
  return "chat";
}

bool parse_http_url(std::string_view url, std::string& host, std::uint16_t& port, std::string& prefix, bool& tls,
                    std::string& error) {
  tls = url.starts_with("https://");
  if (!tls && !url.starts_with("http://")) {
    error = "'" + std::string(url) + "' is not an http:// or https:// URL";
    return false;
  }
  std::string_view rest = url.substr(tls ? 8 : 7);
  const auto slash = rest.find('/');
  std::string_view authority = rest.substr(0, slash);
  prefix = slash == std::string_view::npos ? std::string() : std::string(rest.substr(slash));
  while (!prefix.empty() && prefix.back() == '/') prefix.pop_back();
  std::string_view port_text;
  if (authority.starts_with('[')) {
    const auto close = authority.find(']');
    if (close == std::string_view::npos) {
      error = "'" + std::string(url) + "': unterminated [IPv6] host";
      return false;
    }
    host = std::string(authority.substr(1, close - 1));
    const std::string_view after = authority.substr(close + 1);
    if (!after.empty() && after.front() != ':') {
      error = "'" + std::string(url) + "': junk after the [IPv6] host";
      return false;
    }
    if (!after.empty()) port_text = after.substr(1);
  } else {
    const auto colon = authority.rfind(':');
    host = std::string(authority.substr(0, colon));
    if (colon != std::string_view::npos) port_text = authority.substr(colon + 1);
  }
  if (host.empty()) {
    error = "'" + std::string(url) + "' has no host";
    return false;
  }
  port = tls ? 443 : 80;
  if (!port_text.empty() || authority.ends_with(':')) {
    std::uint64_t p = 0;
    if (!to_uint(port_text, p) || p == 0 || p > 65535) {
      error = "'" + std::string(url) + "' has a bad port";
      return false;
    }
    port = static_cast<std::uint16_t>(p);
  }
  return true;
}

parse_result parse_options(std::span<const std::string_view> args) {
  parse_result r;
  bench_options& o = r.options;
  bool rate_set = false, concurrency_set = false, burstiness_set = false, stream_set = false;
  std::string path_override;
  for (std::size_t i = 0; i < args.size(); ++i) {
    std::string_view a = args[i];
    if (a == "--help" || a == "-h") {
      r.help = true;
      return r;
    }
    if (a == "--version") {
      r.version = true;
      return r;
    }
    if (a == "--stream") { o.stream = true; stream_set = true; continue; }
    if (a == "--no-stream") { o.stream = false; continue; }
    if (a == "--ignore-eos") { o.ignore_eos = true; continue; }
    if (a == "--no-progress") { o.progress = false; continue; }
    if (a == "--insecure") { o.insecure = true; continue; }
    std::string_view name = a, value;
    bool has_value = false;
    if (const auto eq = a.find('='); a.starts_with("--") && eq != std::string_view::npos) {
      name = a.substr(0, eq);
      value = a.substr(eq + 1);
      has_value = true;
    }
    if (!takes_value(name)) {
      r.error = "unknown option '" + std::string(a) + "' (see --help)";
      return r;
    }
    if (!has_value) {
      if (i + 1 >= args.size()) {
        r.error = std::string(name) + " needs a value";
        return r;
      }
      value = args[++i];
    }
    r.error = apply(o, name, value, rate_set, concurrency_set, burstiness_set, path_override);
    if (!r.error.empty()) return r;
  }

  std::string prefix;
  if (!parse_http_url(o.url, o.host, o.port, prefix, o.tls, r.error)) {
    r.error = "--url: " + r.error;
    return r;
  }
  if (!o.tls && (o.insecure || !o.cacert.empty())) {
    r.error = std::string(o.insecure ? "--insecure" : "--cacert") + " needs an https:// --url";
    return r;
  }
  if (o.insecure && !o.cacert.empty()) {
    r.error = "--insecure (no verification) and --cacert (verify against FILE) exclude each other";
    return r;
  }
  if (!path_override.empty()) {
    o.path = path_override;
  } else {
    // A base URL that already ends in /v1 (as OpenAI SDKs take it) is not doubled.
    if (!prefix.ends_with("/v1")) prefix += "/v1";
    constexpr std::string_view paths[] = {"/chat/completions", "/completions", "/embeddings", "/messages"};
    o.path = prefix + std::string(paths[static_cast<int>(o.endpoint)]);
  }
  // Embeddings answer with one JSON body: there is nothing to stream.
  if (o.endpoint == api_endpoint::embeddings) {
    if (stream_set) {
      r.error = "--endpoint embeddings is never streamed (drop --stream)";
      return r;
    }
    o.stream = false;
  }
  if (o.model.empty()) {
    r.error = "--model is required (the model id the endpoint serves)";
  } else if (rate_set && concurrency_set) {
    r.error = "--rate (open loop) and --concurrency (closed loop) exclude each other; cap an open loop with "
              "--max-inflight";
  } else if (burstiness_set && !rate_set) {
    r.error = "--burstiness needs --rate";
  } else if (o.rate && std::isinf(*o.rate) && !o.requests) {
    r.error = "--rate inf sends everything at once and needs --requests";
  } else if (o.rate && std::isinf(*o.rate) && o.duration_s) {
    r.error = "--rate inf and --duration-s exclude each other";
  } else if (!o.open_loop() && o.threads > o.concurrency) {
    r.error = "--threads must not exceed --concurrency";
  } else if (o.requests && *o.requests < o.threads) {
    r.error = "--requests must be at least --threads";
  } else if (o.sweep.variable != sweep_variable::none && (rate_set || concurrency_set)) {
    r.error = "--sweep sets the rate or concurrency of each point: drop --rate and --concurrency";
  } else if (o.sweep.max_rate && !o.has_slo()) {
    r.error = "--sweep max-rate searches for the highest rate meeting the SLOs: give --slo-ttft-ms, --slo-tpot-ms "
              "or --slo-e2e-ms";
  } else if (o.sweep.variable == sweep_variable::concurrency && o.threads > o.sweep.values.front()) {
    r.error = "--threads must not exceed the sweep's first concurrency";
  } else if (o.open_loop() && o.idle_phase_s > 0) {
    r.error = "--idle-phase-s holds the closed loop's connections and needs --concurrency, not --rate";
  } else if (o.idle_phase_s > 0 && o.idle_ramp_s >= o.idle_phase_s) {
    r.error = "--idle-ramp-s must end before --idle-phase-s";
  }
  if (!r.error.empty()) return r;
  if (!o.duration_s && !o.requests) o.duration_s = 10.0;
  // The options of a sweep's first point, so that what is checked and printed holds for a
  // point (main() sets each point's value).
  if (o.sweep.variable == sweep_variable::rate) o.rate = o.sweep.max_rate ? o.sweep.low : o.sweep.values.front();
  else if (o.sweep.variable == sweep_variable::concurrency)
    o.concurrency = static_cast<std::uint32_t>(o.sweep.values.front());
  return r;
}

std::string help_text() {
  return R"(gateway-bench: load generator for OpenAI-compatible endpoints (HTTP/1.1, http or https)

Usage: gateway-bench --model NAME [options]

Target
  --url URL               base URL, http://HOST[:PORT][/PREFIX] (default http://127.0.0.1:8080)
                          or https://HOST[:PORT][/PREFIX] (port 443 by default); requests go to
                          PREFIX/v1/chat/completions, /completions, /embeddings or /messages
                          (a PREFIX ending in /v1 is not doubled)
  --cacert FILE           https: verify the server's certificate against the CAs in FILE (PEM)
                          instead of the system's default CAs; the host name is always checked
  --insecure              https: no certificate or host name verification (test clusters only;
                          a warning is printed)
                          (a request on a new connection counts its TCP connect and TLS
                          handshake in its TTFT and E2E; --warmup-s leaves them out)
  --path PATH             request path instead of the one derived from --url and --endpoint
  --endpoint E            API to call (default chat): chat, completions, embeddings (never
                          streamed; "input" is the prompt, no output tokens) or messages
                          (Anthropic's /v1/messages: max_tokens, anthropic-version 2023-06-01,
                          --api-key sent as x-api-key; its events are measured as chat chunks)
  --model NAME            model id sent in every request (required)
  --stream | --no-stream  streaming SSE (default) or one JSON response
  --ignore-eos            add "ignore_eos": true (vLLM/SGLang extension) so engines generate
                          exactly max_tokens
  --api-key KEY           send Authorization: Bearer KEY (x-api-key: KEY for messages)
  --header 'NAME: VALUE'  extra request header (repeatable)

Load (closed loop unless --rate is given)
  --concurrency N         closed loop: N requests in flight, one connection each (default 1)
  --rate R                open loop: R requests/s with Poisson arrivals ("inf": all at once,
                          needs --requests)
  --burstiness K          open loop: gamma-distributed gaps with shape K (default 1 = Poisson;
                          K < 1 burstier, K > 1 more regular)
  --max-inflight N        open loop: arrivals beyond N in flight are "dropped" (default 10000)
  --warmup-s S            seconds of load before measuring; requests started in it are not
                          counted (default 0)
  --duration-s S          measured seconds of issuing after warm-up (default 10 when
                          --requests is not given)
  --requests N            measured requests to issue after warm-up; with --duration-s the
                          first limit reached ends issuing
  --drain-timeout-s S     after issuing stops, wait at most S for requests in flight; the
                          rest count as errors of kind "timeout" (default 30)
  --request-timeout-s S   a request running longer is aborted as "timeout" (default 0: none)
  --connect-timeout-s S   TCP connect (and TLS handshake) limit; past it the request fails as
                          "connect" (default 10)
  --threads N             reactor threads, each with its own io_context and a share of the
                          connections and rate (default 1)
  --idle-connections N    N more connections, each sending one request of one token at the
                          start, then held open and silent until the run ends (default 0)
  --idle-phase-s S        closed loop: for the first S seconds the workers' connections are
                          held idle the same way; the load (warm-up, duration) starts after
  --idle-ramp-s S         spread the held connections' starts evenly over S seconds
                          (default 0: all at once)

Workload
  --prompt-tokens D       prompt length in tokens (~1 generated word each): N,
                          uniform:LOW:HIGH or normal:MEAN:STDDEV (default 128)
  --output-tokens D       max_tokens per request, same forms (default 128; with --dataset the
                          reply length from the file unless this is given)
  --dataset FILE          prompts from a JSONL file: {"prompt": "..."} or ShareGPT-style
                          {"conversations": [{"from": "human", "value": ...}, {"from": "gpt",
                          ...}]} per line (a JSON array of such objects works too)
  --seed N                seed for lengths, words, dataset order and arrivals (default 0)

Goodput (requests/s meeting every SLO given)
  --slo-ttft-ms MS        time to first token
  --slo-tpot-ms MS        time per output token after the first
  --slo-e2e-ms MS         end-to-end latency

Sweeps (each point runs in turn with its own --warmup-s and --duration-s/--requests)
  --sweep rate:START:STOP:STEPS   open loop at STEPS rates from START to STOP (req/s), evenly
                          spaced; rate:R1,R2,... lists them
  --sweep concurrency:START:STOP:STEPS   closed loop at each concurrency (rounded); or a list
                          concurrency:C1,C2,...
  --sweep max-rate:LOW:HIGH   find the highest rate whose goodput fraction (requests meeting
                          every --slo-* / requests measured) reaches --goodput-target: LOW,
                          then HIGH, then bisections (needs an --slo-*)
  --goodput-target F      fraction for max-rate (default 0.95)
  --max-rate-steps N      bisections after LOW and HIGH (default 5)

Output
  --json FILE             write the configuration, counts, throughputs and statistics as JSON
  --html FILE             write the same document as one self-contained HTML page with tables
                          and charts (no network needed to view it)
  --samples FILE          write a JSON line of live counters (connections, idle, in flight,
                          chunks, errors by kind) every --sample-interval-s S (default 1)
  --no-progress           no live progress line (it is only shown when stderr is a terminal)
  --help, --version

Exit status: 0 when the run completed and at least one measured request succeeded (request
errors are reported, not fatal); 1 when no measured request succeeded; 2 on a bad command line;
3 when the run could not start (dataset, address resolution) or its JSON or HTML file could not
be written.
)";
}

}  // namespace gw::bench
