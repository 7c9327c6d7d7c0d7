#include "gateway/access_log.hpp"

#include <spdlog/spdlog.h>

#include <chrono>

namespace gw {

void log_exchange(metrics& m, const log_config& log, const incoming_request& req, const exchange_record& rec) {
  const double duration =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - req.received_at).count();
  const std::string_view endpoint = rec.endpoint.empty() ? "other" : rec.endpoint;
  m.count_request(endpoint, rec.status);
  if (!rec.error.empty()) m.count_request_error(endpoint, rec.error);
  // The model label only once a configured model's target took the request: before that the
  // name is the client's, and a label set must stay bounded.
  const std::string_view model = rec.route_kind.empty() ? std::string_view() : std::string_view(rec.model);
  const std::string_view route = rec.route_kind.empty() ? std::string_view("none") : rec.route_kind;
  m.request_duration.observe(model, route, duration);
  if (rec.ttft_s >= 0) m.time_to_first_token.observe(model, route, rec.ttft_s);
  if (rec.prompt_tokens || rec.completion_tokens) m.count_tokens(rec.prompt_tokens, rec.completion_tokens);
  if (!log.access_log) return;
  // With tracing on, the line names the trace it belongs to (the client's or one the gateway began).
  std::string trace;
  if (req.span) trace = to_hex(req.span->context.trace);
  spdlog::info(
      "access request_id={} method={} path={} model={} route={} status={} prompt_tokens={} "
      "completion_tokens={} ttft_ms={:.1f} duration_ms={:.1f}{}{}{}{}{}{}{}{}{}",
      req.request_id, req.method, req.path, rec.model.empty() ? "-" : rec.model,
      rec.route.empty() ? "-" : rec.route, rec.status, rec.prompt_tokens, rec.completion_tokens,
      rec.ttft_s >= 0 ? rec.ttft_s * 1000 : -1.0, duration * 1000, rec.error.empty() ? "" : " error=",
      rec.error, req.traceparent.empty() ? "" : " traceparent=", req.traceparent, trace.empty() ? "" : " trace_id=", trace,
      rec.key_name.empty() ? "" : " key=", rec.key_name, rec.continued ? " continued=1" : "");
}

void log_failure(const incoming_request& req, std::string_view what) {
  spdlog::error("internal error request_id={} path={}: {}", req.request_id, req.path, what);
}

}  // namespace gw
