#pragma once
// The local engines of one model (its replicas) behind their batcher. The pool builds its
// engines from config; the batcher owns them from then on.

#include <boost/asio/any_io_executor.hpp>
#include <memory>
#include <string>

#include "engine/batcher.hpp"
#include "engine/sim_engine.hpp"

namespace gw {

struct engine_pool_config {
  std::string kind = "sim";  // engine kind; "sim" is built in
  std::string preset;        // the sim preset the timing came from (for /v1/models and logs)
  sim_timing sim;
  std::size_t replicas = 1;
  batcher_config batching;
};

class engine_pool {
 public:
  engine_pool(boost::asio::any_io_executor reactor, const engine_pool_config& cfg,
              batcher_observer obs);

  batcher& scheduler() { return batcher_; }
  const batcher& scheduler() const { return batcher_; }
  const engine_pool_config& config() const { return cfg_; }

 private:
  engine_pool_config cfg_;
  batcher batcher_;
};

}  // namespace gw
