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

// The API a provider speaks. OpenAI's takes chat, legacy completions and embeddings; Anthropic's
// Messages API takes /v1/messages requests only, whose bodies it receives as the client sent
// them (README, "Messages-native providers"), so other requests are never routed to it.
enum class provider_api { openai, anthropic };

// Anthropic's API version header, sent to a Messages-native provider when neither its `headers`
// nor the client name one.
inline constexpr std::string_view default_anthropic_version = "2023-06-01";

struct provider_config {
  std::string name;
  provider_api api = provider_api::openai;
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
  std::string auth_header;  // "Authorization: Bearer ...", "x-api-key: ..." (Messages-native) or empty
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
// The headers a Messages-native provider receives besides provider_request's ("Name: value"):
// anthropic-version (the provider's configured one, else the client's, else
// default_anthropic_version) and the client's anthropic-beta unless the provider's headers set
// one. A configured header is sent by provider_request, so it is not repeated here.
std::vector<std::string> messages_headers(const provider_config& p, std::string_view client_version,
                                          std::string_view client_beta);

upstream_request provider_request(const provider_state& p, std::string_view path, std::string body,
                                  std::string_view request_id, const trace_headers& trace, bool event_stream);

}  // namespace gw
