#include "engine/engine_pool.hpp"

namespace gw {
namespace {

std::vector<std::unique_ptr<engine>> make_engines(const engine_pool_config& cfg) {
  // Config validation admits only known kinds; "sim" is the only in-process kind.
  std::vector<std::unique_ptr<engine>> engines;
  for (std::size_t i = 0; i < cfg.replicas; ++i) engines.push_back(std::make_unique<sim_engine>(cfg.sim));
  return engines;
}

}  // namespace

engine_pool::engine_pool(boost::asio::any_io_executor reactor, const engine_pool_config& cfg,
                         batcher_observer obs)
    : cfg_(cfg), batcher_(std::move(reactor), cfg.batching, make_engines(cfg), std::move(obs)) {}

}  // namespace gw
