#pragma once
// The models the gateway serves and what serves them: one local engine pool per model with
// local engines, and the providers every model's remote targets name. Built once from the
// config: models, pools and providers do not change while the gateway runs (a reload keeps
// them; only each model's routing moves, in the config itself). Reactor thread only.

#include <boost/asio/any_io_executor.hpp>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "backends/upstream_client.hpp"
#include "engine/batcher.hpp"
#include "engine/engine_pool.hpp"
#include "engine/provider.hpp"
#include "gateway/config.hpp"
#include "gateway/openai_json.hpp"

namespace gw {

struct model_target {
  const model_config* config;  // null: no such model
  local_pool* pool;            // null: no local engines (remote only)
  std::vector<provider_state*> remotes;  // the providers of config->remote, in order
};

class model_directory {
 public:
  // `models` and `providers` must outlive the directory (the gateway's config).
  model_directory(boost::asio::any_io_executor reactor, const std::vector<model_config>& models,
                  const std::vector<provider_config>& providers, upstream_client& upstreams,
                  const batcher_observer& obs);
  ~model_directory();

  // The model's entry; config null when there is no such model.
  const model_target& find(std::string_view id) const;
  std::vector<model_entry> list() const;  // for GET /v1/models

  // Sequences queued and running, over every local pool (for metrics).
  double queued() const;
  double active() const;
  // Every provider's breaker and every local server's health, as breaker states (for metrics).
  std::vector<std::pair<std::string, double>> circuit_states() const;
  // Queued sequences fail with shutting_down and no new ones are taken (the drain's end).
  void shut_down_pools();

 private:
  std::vector<model_target> targets_;  // one per configured model, in order
  std::vector<std::unique_ptr<provider_state>> providers_;
  std::map<std::string, std::unique_ptr<local_pool>, std::less<>> pools_;
  std::int64_t created_at_;  // the `created` of every model in /v1/models
};

}  // namespace gw
