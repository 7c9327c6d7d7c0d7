#pragma once
// One request to a remote provider, seen by the consumer as a token_stream like a local
// sequence. Inside: the upstream's SSE is parsed into token events; failures before the first
// token are retried on the same provider with backoff (honouring Retry-After) while the retry
// schedule allows; the breaker hears every attempt's outcome; usage comes from the upstream's
// final chunk; a stream cut without [DONE] fails, never passes for a finished answer.
// A consumer that cancels aborts the transfer at once. Reactor thread only.

#include <boost/asio/any_io_executor.hpp>
#include <functional>
#include <memory>
#include <random>
#include <string>

#include "backends/provider.hpp"
#include "backends/upstream_client.hpp"
#include "engine/token_stream.hpp"

namespace gw {

// A provider as the running gateway holds it: config, the resolved Authorization header (kept
// out of logs), its breaker, and counters.
struct provider_state {
  provider_config config;
  std::string auth_header;  // "Authorization: Bearer ..." or empty
  circuit_breaker breaker;
  bool enabled = true;      // false when its key variable is unset: never routed to
};

struct remote_call_options {
  std::string url_path;  // "/chat/completions" or "/completions"
  std::string body;      // from upstream_body()
  std::uint32_t prompt_tokens_estimate = 0;
  std::string request_id;  // sent as X-Request-Id
  std::string traceparent;  // W3C trace context passed on, if the client sent one
  std::function<void(const std::string& kind)> on_error;  // each failed attempt, for metrics
};

std::shared_ptr<token_stream> start_remote_call(boost::asio::any_io_executor ex, upstream_client& client,
                                                provider_state& provider, remote_call_options opts,
                                                std::mt19937_64& rng);

}  // namespace gw
