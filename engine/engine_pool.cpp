#include "engine/engine_pool.hpp"

#include "engine/server_pool.hpp"
#include "engine/sim_pool.hpp"

namespace gw {

std::unique_ptr<local_pool> make_local_pool(boost::asio::any_io_executor reactor, const std::string& model_id,
                                            const engine_pool_config& cfg, upstream_client& client,
                                            batcher_observer obs) {
  // Config validation admits only these two kinds.
  if (cfg.kind == "openai")
    return std::make_unique<server_pool>(reactor, model_id, cfg.servers, cfg.batching, client, std::move(obs));
  return std::make_unique<sim_pool>(reactor, cfg.sim, cfg.replicas, cfg.batching, std::move(obs));
}

}  // namespace gw
