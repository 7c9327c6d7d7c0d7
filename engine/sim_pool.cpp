#include "engine/sim_pool.hpp"

namespace gw {
namespace {

std::vector<std::unique_ptr<engine>> make_engines(const sim_timing& timing, std::size_t replicas) {
  std::vector<std::unique_ptr<engine>> engines;
  for (std::size_t i = 0; i < replicas; ++i) engines.push_back(std::make_unique<sim_engine>(timing));
  return engines;
}

}  // namespace

sim_pool::sim_pool(boost::asio::any_io_executor reactor, const sim_timing& timing, std::size_t replicas,
                   const batcher_config& batching, batcher_observer obs)
    : batcher_(std::move(reactor), batching, make_engines(timing, replicas), std::move(obs)) {}

pool_load sim_pool::load() const {
  pool_load l;
  l.queued = batcher_.queue_depth();
  l.queue_full = l.queued >= batcher_.config().max_queued;
  l.estimated_wait_s = batcher_.estimated_wait_s();
  l.active = batcher_.active_sequences();
  return l;
}

}  // namespace gw
