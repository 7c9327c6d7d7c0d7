#pragma once
// The gateway's shared state on the reactor thread: configuration, metrics, the validator and
// one engine pool per model. Sessions reach everything through it. Reactor thread only.

#include <boost/asio/any_io_executor.hpp>
#include <cstdint>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "backends/upstream_client.hpp"
#include "engine/engine_pool.hpp"
#include "gateway/config.hpp"
#include "gateway/metrics.hpp"
#include "gateway/openai_json.hpp"
#include "backends/remote_call.hpp"
#include "gateway/request_validator.hpp"

namespace gw {

struct model_target {
  const model_config* config;  // null: no such model
  local_pool* pool;            // null: no local engines (remote only)
  std::vector<provider_state*> remotes;  // the providers of config->remote, in order
};

class gateway {
 public:
  gateway(boost::asio::any_io_executor reactor, gateway_config cfg);
  ~gateway();

  const gateway_config& config() const { return cfg_; }
  metrics& stats() { return metrics_; }
  request_validator& validator() { return validator_; }

  // nullptr members if no model has this id.
  model_target find_model(std::string_view id);
  std::vector<model_entry> model_list() const;

  bool ready() const { return !draining_; }
  bool draining() const { return draining_; }
  // Stop taking new generations; queued and running ones fail with shutting_down.
  void drain();

  std::uint64_t entropy() { return rng_(); }
  std::mt19937_64& rng() { return rng_; }
  upstream_client& upstreams() { return upstreams_; }
  boost::asio::any_io_executor executor() const { return reactor_; }
  const std::vector<std::unique_ptr<provider_state>>& providers() const { return providers_; }
  // A fresh id: `prefix` + 24 hex digits.
  std::string new_id(std::string_view prefix);

 private:
  boost::asio::any_io_executor reactor_;
  gateway_config cfg_;
  metrics metrics_;
  upstream_client upstreams_;
  std::vector<std::unique_ptr<provider_state>> providers_;
  request_validator validator_;
  std::map<std::string, std::unique_ptr<local_pool>, std::less<>> pools_;
  std::int64_t started_at_;
  std::mt19937_64 rng_;
  bool draining_ = false;
};

}  // namespace gw
