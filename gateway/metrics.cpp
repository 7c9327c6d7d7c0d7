#include "gateway/metrics.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <string_view>
#include <utility>

namespace gw {

histogram::histogram(std::vector<double> upper_bounds)
    : bounds_(std::move(upper_bounds)), counts_(bounds_.size() + 1, 0) {
  // lower_bound in observe() relies on ascending bounds; sort rather than trust every caller.
  std::sort(bounds_.begin(), bounds_.end());
}

void histogram::observe(double v) {
  // Prometheus buckets are "le": a value equal to a bound belongs to that bound's bucket, which is
  // exactly the first bound >= v. Past the last bound (or NaN) the index lands on the +Inf slot.
  const auto it = std::lower_bound(bounds_.begin(), bounds_.end(), v);
  ++counts_[static_cast<std::size_t>(it - bounds_.begin())];
  ++count_;
  sum_ += v;
}

void histogram_family::observe(std::string_view model, std::string_view route, double v) {
  auto it = series_.find(std::pair<std::string_view, std::string_view>(model, route));
  if (it == series_.end())
    it = series_.emplace(std::pair<std::string, std::string>(model, route), histogram(bounds_)).first;
  it->second.observe(v);
}

metrics::metrics() = default;

namespace {

template <class Map, class B>
void bump(Map& m, std::string_view a, const B& b) {
  const std::pair<std::string_view, B> key(a, b);
  auto it = m.find(key);
  if (it == m.end()) it = m.emplace(typename Map::key_type(a, b), 0).first;
  ++it->second;
}

}  // namespace

void metrics::count_request(std::string_view endpoint, unsigned status) { bump(requests_, endpoint, status); }

void metrics::count_route(const std::string& target, const std::string& reason) {
  bump(routes_, target, std::string_view(reason));
}

void metrics::count_upstream_error(const std::string& provider, const std::string& kind) {
  bump(upstream_errors_, provider, std::string_view(kind));
}

void metrics::count_upstream_retry(const std::string& provider, const std::string& outcome) {
  bump(upstream_retries_, provider, std::string_view(outcome));
}

void metrics::count_request_error(std::string_view endpoint, std::string_view code) {
  bump(request_errors_, endpoint, code);
}

void metrics::count_rate_limited(const std::string& key, const std::string& limit) {
  bump(rate_limited_, key, std::string_view(limit));
}

void metrics::count_continuation(std::string_view model, std::string_view from_kind, std::string_view to_kind,
                                 std::string_view outcome) {
  ++continuations_[{std::string(model), std::string(from_kind), std::string(to_kind), std::string(outcome)}];
}

void metrics::count_refused(const std::string& reason) { bump(refused_, reason, std::string_view()); }

void metrics::count_shared_state_error(std::string_view kind) { bump(shared_state_errors_, kind, std::string_view()); }
void metrics::count_shared_state_transition(std::string_view to) {
  bump(shared_state_transitions_, to, std::string_view());
}
void metrics::count_shared_state_fallback(std::string_view limit, std::string_view action) {
  bump(shared_state_fallbacks_, limit, action);
}

void metrics::add_cost(spend_labels l, double usd) {
  cost_[{std::string(l.key), std::string(l.model), std::string(l.provider)}] += usd;
}
void metrics::add_estimated_cost(spend_labels l, double usd) {
  estimated_cost_[{std::string(l.key), std::string(l.model), std::string(l.provider)}] += usd;
}

void metrics::count_tokens(std::uint64_t prompt, std::uint64_t completion) {
  prompt_tokens_ += prompt;
  completion_tokens_ += completion;
}

std::vector<double> metrics::latency_bounds() {
  return {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60};
}

std::vector<double> metrics::gap_bounds() {
  return {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.02, 0.03, 0.05, 0.075, 0.1, 0.25, 0.5, 1, 2.5};
}

std::vector<double> metrics::duration_bounds() {
  return {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600};
}

std::vector<double> metrics::batch_bounds() {
  return {1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024};
}

namespace {

// Shortest round-trip form, so 0.001 prints as "0.001" and 1 as "1" rather than printf's
// "0.001000" / "1.000000". Plain shortest would pick "5e-04" for 0.0005, so ordinary magnitudes
// use fixed notation (as Go's client does) to keep `le` values stable and readable; the spec
// spells the non-finite values "+Inf", "-Inf" and "NaN".
void append_number(std::string& out, double v) {
  if (std::isnan(v)) {
    out += "NaN";
    return;
  }
  if (std::isinf(v)) {
    out += v > 0 ? "+Inf" : "-Inf";
    return;
  }
  char buf[64];  // fixed < 1e21 needs at most ~24 characters
  const double mag = std::fabs(v);
  const bool fixed = mag == 0 || (mag >= 1e-4 && mag < 1e21);
  const auto res = fixed ? std::to_chars(buf, buf + sizeof buf, v, std::chars_format::fixed)
                         : std::to_chars(buf, buf + sizeof buf, v);
  out.append(buf, res.ptr);
}

void append_number(std::string& out, std::uint64_t v) {
  char buf[24];
  const auto res = std::to_chars(buf, buf + sizeof buf, v);
  out.append(buf, res.ptr);
}

// Label values may carry anything a client put in a path; the text format only allows these three
// escapes, and an unescaped quote or newline would corrupt the whole scrape.
void append_label_value(std::string& out, std::string_view v) {
  for (const char c : v) {
    switch (c) {
      case '\\': out += "\\\\"; break;
      case '"': out += "\\\""; break;
      case '\n': out += "\\n"; break;
      default: out += c;
    }
  }
}

void append_header(std::string& out, std::string_view name, std::string_view help,
                   std::string_view type) {
  out.append("# HELP ").append(name).append(" ").append(help).append("\n");
  out.append("# TYPE ").append(name).append(" ").append(type).append("\n");
}

// One histogram's samples; `labels` is empty or `a="x",b="y",` (each followed by a comma).
void append_histogram_samples(std::string& out, std::string_view name, std::string_view labels,
                              const histogram& h) {
  // Stored counts are per bucket; the format wants each bucket to include all below it.
  std::uint64_t cumulative = 0;
  const auto& bounds = h.bounds();
  const auto& counts = h.bucket_counts();
  for (std::size_t i = 0; i <= bounds.size(); ++i) {
    cumulative += counts[i];
    out.append(name).append("_bucket{").append(labels).append("le=\"");
    if (i < bounds.size()) {
      append_number(out, bounds[i]);
    } else {
      out += "+Inf";
    }
    out += "\"} ";
    append_number(out, cumulative);
    out += '\n';
  }
  std::string_view plain = labels;
  if (!plain.empty()) plain.remove_suffix(1);  // the trailing comma
  out.append(name).append("_sum");
  if (!plain.empty()) out.append("{").append(plain).append("}");
  out += ' ';
  append_number(out, h.sum());
  out += '\n';
  out.append(name).append("_count");
  if (!plain.empty()) out.append("{").append(plain).append("}");
  out += ' ';
  append_number(out, h.count());
  out += '\n';
}

void append_histogram(std::string& out, std::string_view name, std::string_view help,
                      const histogram& h) {
  append_header(out, name, help, "histogram");
  append_histogram_samples(out, name, {}, h);
}

// A family with no observation yet shows nothing but its HELP and TYPE: an empty series with
// made-up labels would be a lie about which models served.
void append_histogram_family(std::string& out, std::string_view name, std::string_view help,
                             const histogram_family& f) {
  append_header(out, name, help, "histogram");
  std::string labels;
  for (const auto& [key, h] : f.series()) {
    labels = "model=\"";
    append_label_value(labels, key.first);
    labels += "\",route=\"";
    append_label_value(labels, key.second);
    labels += "\",";
    append_histogram_samples(out, name, labels, h);
  }
}

void append_gauge(std::string& out, std::string_view name, std::string_view help,
                  const std::function<double()>& read) {
  append_header(out, name, help, "gauge");
  out.append(name).append(" ");
  // No owner registered yet (e.g. no local engine configured): report an idle value, not a gap.
  append_number(out, read ? read() : 0.0);
  out += '\n';
}

template <class Map>
void append_pairs(std::string& out, std::string_view name, std::string_view help, std::string_view l1,
                  std::string_view l2, const Map& values) {
  append_header(out, name, help, "counter");
  for (const auto& [key, n] : values) {
    out.append(name).append("{").append(l1).append("=\"");
    append_label_value(out, key.first);
    out.append("\",").append(l2).append("=\"");
    append_label_value(out, key.second);
    out += "\"} ";
    append_number(out, n);
    out += '\n';
  }
}

// Spend per key, model and provider (a counter in USD).
void append_costs(std::string& out, std::string_view name, std::string_view help,
                  const std::map<std::tuple<std::string, std::string, std::string>, double>& values) {
  append_header(out, name, help, "counter");
  for (const auto& [labels, usd] : values) {
    out.append(name).append("{key=\"");
    append_label_value(out, std::get<0>(labels));
    out += "\",model=\"";
    append_label_value(out, std::get<1>(labels));
    out += "\",provider=\"";
    append_label_value(out, std::get<2>(labels));
    out += "\"} ";
    append_number(out, usd);
    out += '\n';
  }
}

// Continued streams, by model, the kinds of route left and taken, and outcome.
void append_continuations(
    std::string& out, const std::map<std::tuple<std::string, std::string, std::string, std::string>, std::uint64_t>& v) {
  append_header(out, "gateway_continuations_total",
                "Streams continued on another target after a local target failed mid-answer, by outcome.", "counter");
  for (const auto& [labels, n] : v) {
    const auto& [model, from, to, outcome] = labels;
    out += "gateway_continuations_total{model=\"";
    append_label_value(out, model);
    out += "\",from_kind=\"";
    append_label_value(out, from);
    out += "\",to_kind=\"";
    append_label_value(out, to);
    out += "\",outcome=\"";
    append_label_value(out, outcome);
    out += "\"} ";
    append_number(out, n);
    out += '\n';
  }
}

// A counter family with one label (the second half of each key is empty).
template <class Map>
void append_single(std::string& out, const char* name, const char* help, const char* label, const Map& values) {
  append_header(out, name, help, "counter");
  for (const auto& [key, n] : values) {
    out.append(name).append("{").append(label).append("=\"");
    append_label_value(out, key.first);
    out += "\"} ";
    append_number(out, n);
    out += '\n';
  }
}

}  // namespace

std::string metrics::render() const {
  std::string out;
  out.reserve(8192);

  append_header(out, "gateway_requests_total", "Requests served, by endpoint and HTTP status.",
                "counter");
  for (const auto& [key, n] : requests_) {
    out += "gateway_requests_total{endpoint=\"";
    append_label_value(out, key.first);
    out += "\",status=\"";
    append_number(out, static_cast<std::uint64_t>(key.second));
    out += "\"} ";
    append_number(out, n);
    out += '\n';
  }

  // Both kinds are always emitted so rate() queries have a series from the first scrape.
  append_header(out, "gateway_tokens_total", "Tokens processed, by kind.", "counter");
  out += "gateway_tokens_total{kind=\"prompt\"} ";
  append_number(out, prompt_tokens_);
  out += "\ngateway_tokens_total{kind=\"completion\"} ";
  append_number(out, completion_tokens_);
  out += '\n';

  append_histogram_family(out, "gateway_time_to_first_token_seconds",
                          "Time from request receipt to the first generated token, by model and route kind.",
                          time_to_first_token);
  append_histogram_family(out, "gateway_inter_token_latency_seconds",
                          "Time between consecutive streamed events of one response, by model and route kind.",
                          inter_token_latency);
  append_histogram_family(out, "gateway_request_duration_seconds",
                          "Time from request receipt to the end of the response, by model and route kind.",
                          request_duration);
  append_histogram(out, "gateway_queue_wait_seconds",
                   "Time a request waited in a batcher queue before admission.", queue_wait);
  append_histogram(out, "gateway_batch_size", "Sequences in each engine step.", batch_size);

  append_pairs(out, "gateway_route_decisions_total", "Route plans, by first target and reason.", "target",
               "reason", routes_);
  append_pairs(out, "gateway_upstream_errors_total", "Failed upstream attempts, by provider and kind.", "provider",
               "kind", upstream_errors_);
  append_pairs(out, "gateway_upstream_retries_total",
               "Retries of failed upstream attempts, by provider and outcome (sent, or budget_exhausted).",
               "provider", "outcome", upstream_retries_);
  append_pairs(out, "gateway_request_errors_total",
               "Failed requests by endpoint and error code, streams that failed after their 200 included.",
               "endpoint", "code", request_errors_);
  append_pairs(out, "gateway_rate_limited_total", "Requests refused by a key's rate limit, by key and limit.", "key",
               "limit", rate_limited_);
  append_single(out, "gateway_refused_total",
                "Connections and streams given up on, by reason (max_connections, slow_reader).", "reason", refused_);
  if (shared_state_up >= 0) {
    append_header(out, "gateway_shared_state_up", "1 while the shared state (Redis) answers in time, else 0.", "gauge");
    out += "gateway_shared_state_up ";
    append_number(out, shared_state_up);
    out += '\n';
    append_single(out, "gateway_shared_state_errors_total", "Shared-state commands that failed, by kind.", "kind",
                  shared_state_errors_);
    append_single(out, "gateway_shared_state_transitions_total", "Shared state going up or down.", "to",
                  shared_state_transitions_);
    append_pairs(out, "gateway_shared_state_fallbacks_total",
                 "Admissions decided without the shared state, by limit and action (local or refused).", "limit",
                 "action", shared_state_fallbacks_);
  }
  append_costs(out, "gateway_cost_usd_total",
               "Spend from reported usage and configured prices, by key, model and provider (\"local\" for local engines).", cost_);
  append_costs(out, "gateway_cost_estimated_usd_total",
               "Remote spend estimated from the gateway's token counts, for requests served without reported usage.",
               estimated_cost_);
  append_continuations(out, continuations_);
  append_header(out, "gateway_circuit_state", "Circuit breaker per target: 0 closed, 1 open, 2 half-open.", "gauge");
  if (circuit_states) {
    for (const auto& [target, v] : circuit_states()) {
      out += "gateway_circuit_state{target=\"";
      append_label_value(out, target);
      out += "\"} ";
      append_number(out, v);
      out += '\n';
    }
  }

  if (key_budgets) {
    const auto budgets = key_budgets();
    append_header(out, "gateway_key_spend_usd", "USD a key spent in its current budget period.", "gauge");
    for (const auto& [key, spent, budget] : budgets) {
      out += "gateway_key_spend_usd{key=\"";
      append_label_value(out, key);
      out += "\"} ";
      append_number(out, spent);
      out += '\n';
    }
    append_header(out, "gateway_key_budget_usd", "A key's budget per period, in USD.", "gauge");
    for (const auto& [key, spent, budget] : budgets) {
      out += "gateway_key_budget_usd{key=\"";
      append_label_value(out, key);
      out += "\"} ";
      append_number(out, budget);
      out += '\n';
    }
  }

  append_gauge(out, "gateway_queue_depth", "Requests waiting in batcher queues.", queue_depth);
  append_gauge(out, "gateway_active_sequences", "Sequences currently being generated.",
               active_sequences);
  append_gauge(out, "gateway_open_connections", "Client connections open now.", open_connections);
  if (trace_spans) {
    const trace_span_counts t = trace_spans();
    append_header(out, "gateway_trace_spans_exported_total", "Spans the OTLP collector accepted.", "counter");
    out += "gateway_trace_spans_exported_total ";
    append_number(out, t.exported);
    out += '\n';
    append_header(out, "gateway_trace_spans_dropped_total",
                  "Spans dropped, by reason (queue_full: the export queue was full; export_failed: the collector "
                  "refused or could not be reached).",
                  "counter");
    out += "gateway_trace_spans_dropped_total{reason=\"queue_full\"} ";
    append_number(out, t.dropped_queue_full);
    out += "\ngateway_trace_spans_dropped_total{reason=\"export_failed\"} ";
    append_number(out, t.dropped_export_failed);
    out += '\n';
  }
  return out;
}

}  // namespace gw
