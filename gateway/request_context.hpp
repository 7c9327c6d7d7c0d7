#pragma once
// What a request may use of the running gateway, handed to each session and from there to the
// handlers: configuration, metrics, the validator, the models, the key limits, the drain state,
// ids, the upstream client and the tracer. Each piece is owned by the gateway (gateway.hpp) and knows
// nothing of it; functions below the handlers take only the pieces they use. Reactor thread only.

#include <boost/asio/any_io_executor.hpp>

namespace gw {

struct gateway_config;
class metrics;
class request_validator;
class model_directory;
class key_limits;
class drain_state;
class id_source;
class upstream_client;
class tracer;

struct request_context {
  boost::asio::any_io_executor executor;  // the reactor
  // The live configuration: a reload changes its reloadable parts between two requests.
  const gateway_config& config;
  metrics& stats;
  request_validator& validator;
  const model_directory& models;
  key_limits& limits;
  drain_state& drain;
  id_source& ids;
  upstream_client& upstreams;
  tracer& tracing;  // spans of requests and their upstream calls (no-op when not configured)
};

}  // namespace gw
