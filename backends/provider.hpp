#pragma once
// A remote OpenAI-compatible provider (DeepSeek, MiniMax, Zhipu GLM, OpenAI, ...) as configured:
// where it is, how to authenticate (the key comes from an environment variable, never from the
// file), what it costs, and how patient and persistent to be with it.

#include <string>
#include <utility>
#include <vector>

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
};

// One remote target of a model: the provider and the model name it knows the model by.
struct remote_target {
  std::string provider;
  std::string model;
};

}  // namespace gw
