#include "engine/attempt_span.hpp"

namespace gw {

void attempt_span::begin(const upstream_trace& t, std::mt19937_64& rng, const facts& f) {
  rec_.reset();
  if (!t.parent) return;
  trace_context mine = *t.parent;
  mine.span = new_span_id(rng);
  traceparent_ = format_traceparent(mine);
  if (!t.sink) return;
  sink_ = t.sink;
  span_record& r = rec_.emplace();
  r.trace = mine.trace;
  r.id = mine.span;
  r.parent = t.parent->span;
  r.trace_state = t.tracestate;
  r.kind = span_kind::client;
  r.start_unix_ns = unix_now_ns();
  // GenAI semantic conventions: the operation, then the model it ran on.
  const std::string_view op = f.url_path == "/completions" ? "text_completion" : "chat";
  r.name.reserve(op.size() + 1 + f.model.size());
  r.name.append(op).append(" ").append(f.model);
  r.attributes.reserve(10);
  r.attributes.push_back({"gen_ai.operation.name", std::string(op)});
  r.attributes.push_back({"gen_ai.request.model", std::string(f.model)});
  // A provider's configured name says which API it is; a local server is no provider.
  if (!f.local_server) r.attributes.push_back({"gen_ai.provider.name", std::string(f.target)});
  r.attributes.push_back({"gateway.target", std::string(f.local_server ? "local:" : "remote:").append(f.target)});
  r.attributes.push_back({"http.request.method", std::string("POST")});
  r.attributes.push_back({"url.full", std::string(f.url)});
  r.attributes.push_back({"gateway.retry", static_cast<std::int64_t>(f.retry)});
  if (f.retry > 0) r.attributes.push_back({"http.request.resend_count", static_cast<std::int64_t>(f.retry)});
}

void attempt_span::retry_wanted(std::chrono::milliseconds delay, bool sent) {
  if (!rec_) return;
  rec_->events.push_back({sent ? "retry" : "retry_budget_exhausted", unix_now_ns(),
                          {{"gateway.retry.delay_ms", static_cast<std::int64_t>(delay.count())}}});
}

void attempt_span::end_succeeded(long status, std::optional<std::pair<std::uint32_t, std::uint32_t>> usage) {
  if (!rec_) return;
  if (usage) {
    rec_->attributes.push_back({"gen_ai.usage.input_tokens", static_cast<std::int64_t>(usage->first)});
    rec_->attributes.push_back({"gen_ai.usage.output_tokens", static_cast<std::int64_t>(usage->second)});
  }
  finish(status);
}

void attempt_span::end_failed(long status, std::string_view error_type) {
  if (!rec_) return;
  rec_->status = span_status::error;
  rec_->status_message = std::string(error_type);
  rec_->attributes.push_back({"error.type", std::string(error_type)});
  finish(status);
}

void attempt_span::end_cancelled(long status) {
  if (!rec_) return;
  // The client went away: no verdict on the upstream, so no error status.
  rec_->attributes.push_back({"gateway.cancelled", true});
  finish(status);
}

void attempt_span::finish(long status) {
  if (status > 0) rec_->attributes.push_back({"http.response.status_code", static_cast<std::int64_t>(status)});
  rec_->end_unix_ns = unix_now_ns();
  sink_->submit(std::move(*rec_));
  rec_.reset();
}

}  // namespace gw
