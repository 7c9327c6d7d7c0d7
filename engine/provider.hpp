#pragma once
// A remote OpenAI-compatible provider (DeepSeek, MiniMax, Zhipu GLM, OpenAI, ...) as configured:
// where it is, how to authenticate (the key comes from an environment variable, never from the
// file), what it costs, and how patient and persistent to be with it.

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "backends/continuation_body.hpp"
#include "backends/forward_body.hpp"
#include "backends/upstream_client.hpp"
#include "policy/circuit_breaker.hpp"
#include "policy/retry_budget.hpp"
#include "policy/retry_schedule.hpp"

namespace gw {

struct provider_config {
  std::string name;
  std::string base_url;     // up to and including the version, e.g. https://api.deepseek.com/v1
  std::string api_key_env;  // environment variable holding the key; empty: no Authorization
  std::vector<std::pair<std::string, std::string>> headers;  // extra request headers
  std::string ca_file;      // CA bundle to verify it with; empty: the system's
  upstream_timeouts timeouts;
  double price_input_per_million = 0;   // USD per million prompt tokens
  double price_output_per_million = 0;  // USD per million completion tokens
  retry_config retries;
  retry_budget_config retry_budget;  // caps retries across requests (a storm of failures)
  breaker_config breaker;
  // Top-level request fields this provider knows by another name (documented rewrites, applied
  // by forward_body); none by default.
  std::vector<field_rename> rename_fields;
  // How it takes a prefill, to continue a stream a local target left half-written
  // (backends/continuation_body); none: it does not continue streams.
  prefill_mode continuation = prefill_mode::none;
};

// One remote target of a model: the provider and the model name it knows the model by.
struct remote_target {
  std::string provider;
  std::string model;
};

// A provider as the running gateway holds it: config, the resolved Authorization header (kept
// out of logs), its breaker, and counters.
struct provider_state {
  provider_config config;
  std::string auth_header;  // "Authorization: Bearer ..." or empty
  circuit_breaker breaker;
  bool enabled = true;      // false when its key variable is unset: never routed to
  // Built from config by default, so that brace-initialising the members above sets it up too.
  retry_budget budget{config.retry_budget};
};

// The W3C trace headers a request carries upstream (engine/upstream_trace), empty when none.
struct trace_headers {
  std::string_view traceparent;
  std::string_view tracestate;
};

// The one way a request to a provider, or to an `openai` pool's server, is made: a POST of `body`
// to base_url + `path` ("/chat/completions", "/embeddings"...) with the provider's timeouts, CA
// bundle, Authorization and configured headers, tagged with the gateway's request id and the
// trace context when there are any. `event_stream`: the body asks for SSE.
upstream_request provider_request(const provider_state& p, std::string_view path, std::string body,
                                  std::string_view request_id, const trace_headers& trace, bool event_stream);

}  // namespace gw
