// The `tracing:` block: where spans go and how many are kept (gateway/tracer).
#include "gateway/config_reader.hpp"

namespace gw::config_detail {

tracing_config read_tracing(const reader& r, const YAML::Node& n) {
  r.expect_map(n, "tracing", {"otlp_endpoint", "service_name", "sample_ratio", "batch_timeout_ms",
                              "max_batch_spans", "max_queue_spans", "export_timeout_ms", "headers", "ca_file"});
  tracing_config t;
  if (!n["otlp_endpoint"]) r.fail(n, "tracing.otlp_endpoint", "is required (the collector, e.g. http://127.0.0.1:4318)");
  t.otlp_endpoint = r.scalar<std::string>(n["otlp_endpoint"], "tracing.otlp_endpoint", "a URL");
  if (!t.otlp_endpoint.starts_with("http://") && !t.otlp_endpoint.starts_with("https://"))
    r.fail(n["otlp_endpoint"], "tracing.otlp_endpoint", "must start with http:// or https://");
  // The base URL, as OTEL_EXPORTER_OTLP_ENDPOINT: the signal's path is appended to it.
  while (t.otlp_endpoint.ends_with('/')) t.otlp_endpoint.pop_back();
  if (t.otlp_endpoint.ends_with("/v1/traces"))
    r.fail(n["otlp_endpoint"], "tracing.otlp_endpoint", "is the collector's base URL; /v1/traces is appended");
  if (n["service_name"]) {
    t.service_name = r.scalar<std::string>(n["service_name"], "tracing.service_name", "a string");
    if (t.service_name.empty() || t.service_name.size() > 256)
      r.fail(n["service_name"], "tracing.service_name", "must be 1 to 256 characters");
  }
  if (n["sample_ratio"]) t.sample_ratio = r.number(n["sample_ratio"], "tracing.sample_ratio", 0, 1);
  if (n["batch_timeout_ms"]) t.batch_timeout = r.millis(n["batch_timeout_ms"], "tracing.batch_timeout_ms", 1, 600000);
  if (n["max_batch_spans"]) t.max_batch_spans = r.integer(n["max_batch_spans"], "tracing.max_batch_spans", 1, 65536);
  if (n["max_queue_spans"])
    t.max_queue_spans = r.integer(n["max_queue_spans"], "tracing.max_queue_spans", 1, 1u << 24);
  if (t.max_batch_spans > t.max_queue_spans)
    r.fail(n["max_batch_spans"] ? n["max_batch_spans"] : n, "tracing.max_batch_spans",
           "exceeds tracing.max_queue_spans (" + std::to_string(t.max_queue_spans) + ")");
  if (n["export_timeout_ms"])
    t.export_timeout = r.millis(n["export_timeout_ms"], "tracing.export_timeout_ms", 1, 600000);
  if (const auto h = n["headers"]) t.headers = read_headers(r, h, "tracing.headers");
  if (n["ca_file"]) t.ca_file = r.scalar<std::string>(n["ca_file"], "tracing.ca_file", "a path");
  return t;
}

}  // namespace gw::config_detail
