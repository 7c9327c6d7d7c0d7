#include "gateway/gateway.hpp"

#include <spdlog/spdlog.h>
#include <string>

namespace gw {

namespace {

// The batchers report queue waits and batch sizes straight into the histograms.
batcher_observer observer_of(metrics& m) {
  batcher_observer obs;
  obs.queue_wait = [&m](double s) { m.queue_wait.observe(s); };
  obs.step_batch = [&m](std::size_t n) { m.batch_size.observe(static_cast<double>(n)); };
  return obs;
}

}  // namespace

gateway::gateway(boost::asio::any_io_executor reactor, gateway_config cfg)
    : cfg_(std::move(cfg)),
      upstreams_(reactor),
      tracer_(reactor, cfg_.tracing, upstreams_),
      models_(reactor, cfg_.models, cfg_.providers, upstreams_, observer_of(metrics_)),
      limits_(reactor, cfg_.auth, cfg_.state, metrics_),
      drain_(reactor),
      context_{reactor, cfg_, metrics_, validator_, models_, limits_, drain_, ids_, upstreams_, tracer_} {
  metrics_.queue_depth = [this] { return models_.queued(); };
  metrics_.active_sequences = [this] { return models_.active(); };
  metrics_.circuit_states = [this] { return models_.circuit_states(); };
  metrics_.open_connections = [this] { return static_cast<double>(drain_.open_connections()); };
  metrics_.key_budgets = [this] {
    std::vector<std::tuple<std::string, double, double>> out;
    for (auto& b : limits_.budgets()) out.emplace_back(std::move(b.key), b.spent, b.budget);
    return out;
  };
  if (const auto* e = tracer_.exporter())
    metrics_.trace_spans = [e] {
      return metrics::trace_span_counts{e->exported(), e->dropped_queue_full(), e->dropped_export_failed()};
    };
}

gateway::~gateway() = default;

void gateway::end_streams() {
  models_.shut_down_pools();
  drain_.end_streams();
}

void gateway::reload(const gateway_config& next) {
  cfg_.auth = next.auth;
  limits_.reload(cfg_.auth);
  cfg_.cors = next.cors;
  cfg_.restricted = next.restricted;
  cfg_.log = next.log;
  spdlog::set_level(spdlog::level::from_str(cfg_.log.level));
  const std::string host = cfg_.server.host;  // the socket is bound: listen changes need a restart
  const auto port = cfg_.server.port;
  cfg_.server = next.server;
  cfg_.server.host = host;
  cfg_.server.port = port;
  // Same models in the same order (checked by the caller): only routing settings move.
  for (std::size_t i = 0; i < cfg_.models.size() && i < next.models.size(); ++i)
    cfg_.models[i].routing = next.models[i].routing;
}

}  // namespace gw
