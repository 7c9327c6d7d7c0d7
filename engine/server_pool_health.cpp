// server_pool: the periodic health probe of each server and the ejection / re-admission that
// follows from probes and request outcomes.
#include <spdlog/spdlog.h>

#include "engine/server_pool.hpp"

namespace gw {

void server_pool::schedule_probes(std::chrono::milliseconds after) {
  probe_timer_.expires_after(after);
  probe_timer_.async_wait([this](boost::system::error_code ec) {
    if (ec || shut_down_) return;  // shut down or destroyed
    for (std::size_t m = 0; m < members_.size(); ++m) probe(m);
    schedule_probes(cfg_.health_interval);
  });
}

void server_pool::probe(std::size_t m) {
  auto& mem = *members_[m];
  if (mem.probe) return;  // the previous probe is still out (its timeout will judge it)
  upstream_request req;
  req.url = mem.probe_url;
  req.post = false;
  req.ca_file = cfg_.ca_file;
  req.timeouts = {cfg_.health_timeout, cfg_.health_timeout, cfg_.health_timeout, cfg_.health_timeout};
  if (!mem.endpoint.auth_header.empty()) req.headers.push_back(mem.endpoint.auth_header);
  for (const auto& [k, v] : cfg_.headers) req.headers.push_back(k + ": " + v);
  upstream_handlers h;
  h.on_body = [](std::string_view) {};
  h.on_done = [this, m, alive = std::weak_ptr(alive_)](const upstream_result& r) {
    if (!alive.lock()) return;
    members_[m]->probe.reset();
    const bool ok = r.error == upstream_errc::none && r.status == 200;
    const std::string why = ok ? "probe answered 200"
                               : r.error != upstream_errc::none ? std::string("probe failed: ") + to_string(r.error)
                                                                : "probe answered " + std::to_string(r.status);
    record_health(m, ok, why.c_str());
  };
  mem.probe = client_.start(std::move(req), std::move(h));
}

void server_pool::record_health(std::size_t m, bool ok, const char* why) {
  auto& mem = *members_[m];
  if (!mem.health.record(ok)) return;
  if (mem.health.healthy()) {
    spdlog::info("model '{}': server {} ({}) re-admitted: {}", model_id_, mem.endpoint.config.name,
                 mem.endpoint.config.base_url, why);
    pump();
    return;
  }
  spdlog::warn("model '{}': server {} ({}) ejected: {}", model_id_, mem.endpoint.config.name,
               mem.endpoint.config.base_url, why);
  // With no server left, waiting work fails now so the dispatcher can try the next target
  // (or answer 503) instead of letting it sit out its queue deadline.
  if (!any_healthy()) fail_queued(engine_errc::engine_failed);
}

}  // namespace gw
