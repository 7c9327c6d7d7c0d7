#include "gateway/tracer.hpp"

namespace gw {
namespace {

// GenAI semantic conventions' operation names, by the gateway's API endpoint.
std::string_view operation_of(std::string_view endpoint) {
  if (endpoint == "/v1/chat/completions") return "chat";
  if (endpoint == "/v1/completions") return "text_completion";
  if (endpoint == "/v1/embeddings") return "embeddings";
  return {};
}

}  // namespace

tracer::tracer(boost::asio::any_io_executor reactor, const std::optional<tracing_config>& cfg, upstream_client& client)
    : cfg_(cfg) {
  if (cfg_) exporter_ = std::make_unique<trace_exporter>(reactor, *cfg_, otlp_http_transport(client, *cfg_));
}

tracer::tracer(boost::asio::any_io_executor reactor, const tracing_config& cfg, otlp_transport transport)
    : cfg_(cfg), exporter_(std::make_unique<trace_exporter>(reactor, cfg, std::move(transport))) {}

void tracer::start(incoming_request& req, std::string_view traceparent, std::string_view tracestate, id_source& ids) {
  const auto client = traceparent.empty() ? std::nullopt : parse_traceparent(traceparent);
  if (client) {
    req.traceparent.assign(traceparent);
    // A tracestate means nothing without the traceparent it goes with (the spec drops it then).
    if (valid_tracestate(tracestate)) req.tracestate.assign(tracestate);
  }
  // Probes and /metrics make no spans: a scrape every few seconds would bury the traces.
  if (!exporter_ || !req.path.starts_with("/v1/")) return;
  auto span = std::make_unique<request_span>();
  if (client) {
    span->context.trace = client->trace;
    span->context.flags = client->flags & 1;
    span->parent = client->span;
  } else {
    span->context.trace = new_trace_id(ids.rng());
    span->context.flags = sampled_by_ratio(span->context.trace, cfg_->sample_ratio) ? 1 : 0;
  }
  span->context.span = new_span_id(ids.rng());
  span->tracestate = req.tracestate;
  span->recorded = span->context.sampled();
  if (span->recorded) span->start_unix_ns = unix_now_ns();
  req.span = std::move(span);
}

upstream_trace tracer::upstream_for(const incoming_request& req) {
  upstream_trace t;
  t.tracestate = req.tracestate;
  if (!req.span) {
    t.traceparent = req.traceparent;
    return t;
  }
  t.parent = req.span->context;
  if (req.span->recorded) t.sink = exporter_.get();
  return t;
}

void tracer::finish(incoming_request& req, const exchange_record& rec) {
  const std::unique_ptr<request_span> span = std::move(req.span);
  if (!span || !span->recorded) return;
  span_record r;
  r.trace = span->context.trace;
  r.id = span->context.span;
  r.parent = span->parent;
  r.trace_state = std::move(span->tracestate);
  r.kind = span_kind::server;
  r.start_unix_ns = span->start_unix_ns;
  r.end_unix_ns = unix_now_ns();
  // HTTP server spans are named "{method} {route}"; the route is the endpoint label, never the
  // raw target a client wrote.
  const std::string_view endpoint = rec.endpoint.empty() ? std::string_view("other") : rec.endpoint;
  r.name.append(req.method).append(" ").append(endpoint);
  auto& a = r.attributes;
  a.reserve(12 + span->attributes.size());
  a.push_back({"http.request.method", req.method});
  a.push_back({"http.route", std::string(endpoint)});
  a.push_back({"http.response.status_code", static_cast<std::int64_t>(rec.status)});
  a.push_back({"gateway.request_id", req.request_id});
  if (const auto op = operation_of(endpoint); !op.empty()) a.push_back({"gen_ai.operation.name", std::string(op)});
  if (!rec.model.empty()) a.push_back({"gen_ai.request.model", rec.model});
  if (!rec.route.empty()) a.push_back({"gateway.route", rec.route});
  if (!rec.route_kind.empty()) a.push_back({"gateway.route_kind", std::string(rec.route_kind)});
  if (!rec.key_name.empty()) a.push_back({"gateway.key", rec.key_name});
  if (rec.prompt_tokens || rec.completion_tokens) {
    a.push_back({"gen_ai.usage.input_tokens", static_cast<std::int64_t>(rec.prompt_tokens)});
    a.push_back({"gen_ai.usage.output_tokens", static_cast<std::int64_t>(rec.completion_tokens)});
  }
  for (auto& extra : span->attributes) a.push_back(std::move(extra));
  r.events = std::move(span->events);
  if (!rec.error.empty()) a.push_back({"error.type", rec.error});
  // A server span is in error for the server's failures (5xx, or a stream that ended in an error
  // event after its 200), not for a client's 4xx.
  if (rec.status >= 500 || (rec.status < 400 && !rec.error.empty())) {
    r.status = span_status::error;
    r.status_message = rec.error;
  }
  exporter_->submit(std::move(r));
}

}  // namespace gw
