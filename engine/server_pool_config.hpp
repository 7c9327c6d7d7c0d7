#pragma once
// Configuration of an `openai` engine pool: local inference servers (vLLM, vLLM-Ascend, MindIE,
// llama.cpp server, SGLang, Ollama) reached over HTTP with the OpenAI API.

#include <chrono>
#include <cstddef>
#include <string>
#include <utility>
#include <vector>

#include "backends/continuation_body.hpp"
#include "backends/upstream_client.hpp"
#include "policy/server_health.hpp"

namespace gw {

struct server_endpoint {
  std::string name;      // in logs and metrics; defaults to "server-<n>"
  std::string base_url;  // up to and including the API version: http://10.0.0.5:8000/v1
};

struct server_pool_config {
  std::vector<server_endpoint> servers;
  std::string model;        // the name the servers serve the model under; empty: the public id
  std::string api_key_env;  // variable holding the servers' key (vLLM --api-key); empty: none
  std::vector<std::pair<std::string, std::string>> headers;  // extra request headers
  std::string ca_file;      // CA bundle for https:// servers; empty: the system's
  upstream_timeouts timeouts;
  std::size_t max_in_flight = 64;  // requests one server serves at once (the semaphore)
  // Health probe: GET <scheme://host:port><health_path>, 200 is healthy.
  std::string health_path = "/health";
  std::chrono::milliseconds health_interval{5000};
  std::chrono::milliseconds health_timeout{2000};
  health_config health;
  // Prefix affinity: requests whose first `affinity_prefix_chars` characters of conversation
  // (through its first user turn) agree go to the same server, unless it carries more than
  // load_factor x the average load.
  std::size_t affinity_prefix_chars = 1024;
  double load_factor = 1.25;
  // Embedding requests arriving within this delay of the first waiting one are sent together.
  std::chrono::milliseconds embedding_delay{5};
  // How the servers take a prefill, to continue a stream another server left half-written
  // (backends/continuation_body); none: they do not continue streams.
  prefill_mode continuation = prefill_mode::none;
};

}  // namespace gw
