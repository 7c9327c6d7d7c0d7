#pragma once
// Prometheus metrics for the gateway. Every instrument is touched only on the reactor thread
// (the one io_context thread), so values are plain integers and doubles, with no atomics.
// render() produces the Prometheus text exposition format (version 0.0.4).

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <tuple>
#include <utility>
#include <vector>

namespace gw {

// A cumulative histogram with fixed upper bounds (seconds or counts), like Prometheus'.
class histogram {
 public:
  explicit histogram(std::vector<double> upper_bounds);
  void observe(double v);
  const std::vector<double>& bounds() const { return bounds_; }
  const std::vector<std::uint64_t>& bucket_counts() const { return counts_; }  // non-cumulative
  std::uint64_t count() const { return count_; }
  double sum() const { return sum_; }

 private:
  std::vector<double> bounds_;
  std::vector<std::uint64_t> counts_;  // one per bound, plus one for +Inf
  std::uint64_t count_ = 0;
  double sum_ = 0;
};

// One histogram per model and route kind ("local", "local-server", "remote"; "none" for a
// request that reached no engine, whose model label is then empty). Both label sets are bounded
// by the configuration: callers pass a configured model id, never what a client sent.
class histogram_family {
 public:
  explicit histogram_family(std::vector<double> upper_bounds) : bounds_(std::move(upper_bounds)) {}
  void observe(std::string_view model, std::string_view route, double v);
  const std::vector<double>& bounds() const { return bounds_; }
  // Found by views of the labels: the inter-token family is observed once per streamed event,
  // which must not build two strings each time.
  struct labels_less {
    using is_transparent = void;
    template <class X, class Y>
    bool operator()(const X& x, const Y& y) const {
      return std::pair<std::string_view, std::string_view>(x.first, x.second) <
             std::pair<std::string_view, std::string_view>(y.first, y.second);
    }
  };
  using series_map = std::map<std::pair<std::string, std::string>, histogram, labels_less>;
  // The series, by (model, route), in label order.
  const series_map& series() const { return series_; }

 private:
  std::vector<double> bounds_;
  series_map series_;
};

class metrics {
 public:
  metrics();

  // gateway_requests_total{endpoint, status}
  void count_request(std::string_view endpoint, unsigned status);
  // gateway_tokens_total{kind="prompt"|"completion"}
  void count_tokens(std::uint64_t prompt, std::uint64_t completion);
  // gateway_route_decisions_total{target, reason}
  void count_route(const std::string& target, const std::string& reason);
  // gateway_upstream_errors_total{provider, kind}
  void count_upstream_error(const std::string& provider, const std::string& kind);
  // gateway_upstream_retries_total{provider, outcome="sent"|"budget_exhausted"}: retries the
  // schedule wanted, and whether the provider's retry budget let them go
  void count_upstream_retry(const std::string& provider, const std::string& outcome);
  // gateway_request_errors_total{endpoint, code}: requests that failed, by OpenAI error code,
  // including streams that ended with an error event after their 200
  void count_request_error(std::string_view endpoint, std::string_view code);
  // gateway_rate_limited_total{key, limit="requests"|"tokens"}
  void count_rate_limited(const std::string& key, const std::string& limit);
  // gateway_refused_total{reason}: connections and streams the gateway gave up on
  // (max_connections, slow_reader, unauthenticated)
  void count_refused(const std::string& reason);
  void count_refused_connection() { count_refused("max_connections"); }
  // Who spent what where: the client key's name (empty when auth is off), the model id the client
  // asked for, the provider that served it. All three come from the configuration.
  struct spend_labels {
    std::string_view key, model, provider;
  };
  // gateway_cost_usd_total{key, model, provider}: remote spend from the usage a provider reported
  // and its prices
  void add_cost(spend_labels l, double usd);
  // gateway_cost_estimated_usd_total{key, model, provider}: spend of requests a provider served
  // without reporting usage (a client that left mid-stream), from the gateway's own token counts
  void add_estimated_cost(spend_labels l, double usd);
  // gateway_continuations_total{model, from_kind, to_kind, outcome}: streams continued on another
  // target after their local target failed mid-answer (gateway/continuation); outcome
  // "completed", "failed", or "refused" (to_kind "none") when no target could go on
  void count_continuation(std::string_view model, std::string_view from_kind, std::string_view to_kind,
                          std::string_view outcome);

  // Shared state (state.redis): gateway_shared_state_errors_total{kind="timeout"|"connection"|
  // "reply"|"settle_deferred"}, gateway_shared_state_transitions_total{to="up"|"down"},
  // gateway_shared_state_fallbacks_total{limit="rate_limits"|"budgets", action="local"|"refused"}
  void count_shared_state_error(std::string_view kind);
  void count_shared_state_transition(std::string_view to);
  void count_shared_state_fallback(std::string_view limit, std::string_view action);
  double shared_state_up = -1;  // gateway_shared_state_up; -1: no shared state configured

  // By model and route kind (histogram_family).
  histogram_family time_to_first_token{latency_bounds()};  // gateway_time_to_first_token_seconds
  histogram_family inter_token_latency{gap_bounds()};      // gateway_inter_token_latency_seconds
  histogram_family request_duration{duration_bounds()};    // gateway_request_duration_seconds
  histogram queue_wait{latency_bounds()};             // gateway_queue_wait_seconds
  histogram batch_size{batch_bounds()};               // gateway_batch_size

  // Gauges are read at scrape time from whoever owns the state (the batchers).
  std::function<double()> queue_depth;       // gateway_queue_depth
  std::function<double()> active_sequences;  // gateway_active_sequences
  std::function<double()> open_connections;  // gateway_open_connections
  // gateway_circuit_state{target}: 0 closed, 1 open, 2 half-open
  std::function<std::vector<std::pair<std::string, double>>()> circuit_states;
  // gateway_key_spend_usd{key} and gateway_key_budget_usd{key}: (key, spent this period, budget)
  // for each key with a budget
  std::function<std::vector<std::tuple<std::string, double, double>>()> key_budgets;

  // Spans sent to the OTLP collector (gateway/trace_exporter), read at scrape time; unset (and
  // not rendered) when tracing is off.
  struct trace_span_counts {
    std::uint64_t exported = 0;               // gateway_trace_spans_exported_total
    std::uint64_t dropped_queue_full = 0;     // gateway_trace_spans_dropped_total{reason="queue_full"}
    std::uint64_t dropped_export_failed = 0;  // gateway_trace_spans_dropped_total{reason="export_failed"}
  };
  std::function<trace_span_counts()> trace_spans;

  std::string render() const;

  static std::vector<double> latency_bounds();
  static std::vector<double> gap_bounds();
  static std::vector<double> duration_bounds();
  static std::vector<double> batch_bounds();

 private:
  // Counters by two labels, found by views of them: building a key of two strings for every
  // count took allocations on every request.
  struct label_less {
    using is_transparent = void;
    template <class A1, class B1, class A2, class B2>
    bool operator()(const std::pair<A1, B1>& x, const std::pair<A2, B2>& y) const {
      const std::string_view xa = x.first, ya = y.first;
      if (xa != ya) return xa < ya;
      return x.second < y.second;
    }
  };
  template <class B>
  using label_counts = std::map<std::pair<std::string, B>, std::uint64_t, label_less>;

  label_counts<unsigned> requests_;
  label_counts<std::string> routes_;
  label_counts<std::string> upstream_errors_;
  label_counts<std::string> upstream_retries_;
  label_counts<std::string> request_errors_;
  label_counts<std::string> rate_limited_;
  label_counts<std::string> refused_;
  label_counts<std::string> shared_state_errors_;
  label_counts<std::string> shared_state_transitions_;
  label_counts<std::string> shared_state_fallbacks_;
  using spend_map = std::map<std::tuple<std::string, std::string, std::string>, double>;
  spend_map cost_;
  spend_map estimated_cost_;
  std::map<std::tuple<std::string, std::string, std::string, std::string>, std::uint64_t> continuations_;
  std::uint64_t prompt_tokens_ = 0;
  std::uint64_t completion_tokens_ = 0;
};

}  // namespace gw
