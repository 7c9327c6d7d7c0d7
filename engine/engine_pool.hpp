#pragma once
// A model's local pool as configured, and the factory that builds it: `sim` engines behind the
// continuous batcher, or `openai` inference servers behind the admission controller.

#include <boost/asio/any_io_executor.hpp>
#include <memory>
#include <string>

#include "engine/batcher.hpp"
#include "engine/local_pool.hpp"
#include "engine/server_pool_config.hpp"
#include "engine/sim_engine.hpp"

namespace gw {

class upstream_client;

struct engine_pool_config {
  std::string kind = "sim";  // "sim" (built in) or "openai" (local servers over HTTP)
  std::string preset;        // the sim preset the timing came from (for logs)
  sim_timing sim;
  // sim: the model reasons (answers open with reasoning_content); from the preset
  // (sim_preset_reasons), or sim.reasoning.
  bool reasoning = false;
  std::size_t replicas = 1;  // sim engines
  server_pool_config servers;  // openai
  batcher_config batching;
};

std::unique_ptr<local_pool> make_local_pool(boost::asio::any_io_executor reactor, const std::string& model_id,
                                            const engine_pool_config& cfg, upstream_client& client,
                                            batcher_observer obs);

}  // namespace gw
