#include "gateway/trace_exporter.hpp"

#include <spdlog/spdlog.h>

#include "backends/otlp_json.hpp"

namespace gw {

otlp_transport otlp_http_transport(upstream_client& client, const tracing_config& cfg) {
  const std::string url = cfg.otlp_endpoint + "/v1/traces";
  std::vector<std::string> headers{"Content-Type: application/json"};
  for (const auto& [k, v] : cfg.headers) headers.push_back(k + ": " + v);
  const upstream_timeouts timeouts{cfg.export_timeout, cfg.export_timeout, cfg.export_timeout, cfg.export_timeout};
  return [&client, url, headers, timeouts, ca = cfg.ca_file](std::string body, std::function<void(bool)> done) {
    upstream_request req;
    req.url = url;
    req.body = std::move(body);
    req.headers = headers;
    req.timeouts = timeouts;
    req.ca_file = ca;
    struct answer {
      long status = 0;
      std::function<void(bool)> done;
    };
    auto a = std::make_shared<answer>(answer{0, std::move(done)});
    upstream_handlers h;
    h.owner = a;
    h.on_status = [p = a.get()](long status) { p->status = status; };
    h.on_body = [](std::string_view) {};  // the collector's partial_success is not acted on
    h.on_done = [p = a.get()](const upstream_result& r) {
      p->done(r.error == upstream_errc::none && p->status >= 200 && p->status < 300);
    };
    client.start(std::move(req), std::move(h));
  };
}

trace_exporter::trace_exporter(boost::asio::any_io_executor reactor, const tracing_config& cfg,
                               otlp_transport transport)
    : service_name_(cfg.service_name),
      max_batch_(cfg.max_batch_spans),
      max_queue_(cfg.max_queue_spans),
      batch_timeout_(cfg.batch_timeout),
      transport_(std::move(transport)),
      timer_(reactor) {}

trace_exporter::~trace_exporter() {
  *alive_ = false;
  if (!queue_.empty()) spdlog::info("traces: {} spans not exported at shutdown", queue_.size());
}

void trace_exporter::submit(span_record&& span) {
  if (queue_.size() >= max_queue_) {
    ++dropped_full_;
    return;
  }
  queue_.push_back(std::move(span));
  if (in_flight_) return;  // the export's end looks at the queue again
  if (queue_.size() >= max_batch_) export_batch();
  else arm_timer();
}

void trace_exporter::arm_timer() {
  if (timer_armed_) return;
  timer_armed_ = true;
  timer_.expires_after(batch_timeout_);
  timer_.async_wait([this, alive = std::weak_ptr(alive_)](boost::system::error_code ec) {
    if (ec || !alive.lock()) return;
    timer_armed_ = false;
    if (!in_flight_ && !queue_.empty()) export_batch();
  });
}

void trace_exporter::export_batch() {
  timer_.cancel();
  timer_armed_ = false;
  const std::size_t n = std::min(max_batch_, queue_.size());
  std::vector<span_record> batch;
  batch.reserve(n);
  for (std::size_t i = 0; i < n; ++i) {
    batch.push_back(std::move(queue_.front()));
    queue_.pop_front();
  }
  in_flight_ = true;
  transport_(encode_otlp_json(service_name_, batch), [this, n, alive = std::weak_ptr(alive_)](bool accepted) {
    if (alive.lock()) exported(n, accepted);
  });
}

void trace_exporter::exported(std::size_t n, bool accepted) {
  in_flight_ = false;
  if (accepted) exported_ += n;
  else dropped_failed_ += n;
  if (accepted == failing_) {
    failing_ = !accepted;
    if (failing_) spdlog::warn("traces: an export to the collector failed; its spans are dropped until one succeeds");
    else spdlog::info("traces: exports to the collector succeed again");
  }
  if (queue_.size() >= max_batch_) export_batch();
  else if (!queue_.empty()) arm_timer();
}

}  // namespace gw
