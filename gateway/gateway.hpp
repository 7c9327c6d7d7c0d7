#pragma once
// The running gateway: owns the configuration and the pieces a request uses (request_context.hpp),
// wires the metrics' gauges to them, and applies a SIGHUP reload. main() holds one; sessions and
// handlers see only its context(). Reactor thread only.

#include <boost/asio/any_io_executor.hpp>
#include <functional>

#include "backends/upstream_client.hpp"
#include "gateway/config.hpp"
#include "gateway/drain_state.hpp"
#include "gateway/key_limits.hpp"
#include "gateway/metrics.hpp"
#include "gateway/model_directory.hpp"
#include "gateway/request_context.hpp"
#include "gateway/request_ids.hpp"
#include "gateway/request_validator.hpp"
#include "gateway/tracer.hpp"

namespace gw {

class gateway {
 public:
  gateway(boost::asio::any_io_executor reactor, gateway_config cfg);
  ~gateway();
  gateway(const gateway&) = delete;
  gateway& operator=(const gateway&) = delete;

  request_context& context() { return context_; }
  const gateway_config& config() const { return cfg_; }

  // Drain, first half: take no new requests and let open ones go on; `idle` runs once, on the
  // reactor, when no request is open any more.
  void begin_drain(std::function<void()> idle) { drain_.begin_drain(std::move(idle)); }
  // Drain, second half: queued requests fail with 503, open streams end with an error event.
  void end_streams();

  // SIGHUP: applies the reloadable parts of `next` (keys, limits, CORS, restricted marker,
  // server limits, log settings, each model's routing) in one step on the reactor thread, so a
  // request sees the old or the new policy, never a mix. The caller has checked that
  // everything else is unchanged (restart_fingerprint, config.hpp).
  void reload(const gateway_config& next);

 private:
  gateway_config cfg_;
  metrics metrics_;
  upstream_client upstreams_;
  // After the upstream client (its exporter sends through it) and before the models: the remote
  // calls that hold its span sink go before it.
  tracer tracer_;
  model_directory models_;
  request_validator validator_;
  key_limits limits_;
  drain_state drain_;
  id_source ids_;
  request_context context_;
};

}  // namespace gw
