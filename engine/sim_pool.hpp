#pragma once
// The in-process engines of one model (its replicas) behind their continuous batcher. The pool
// builds its engines from config; the batcher owns them from then on.

#include <boost/asio/any_io_executor.hpp>
#include <memory>

#include "engine/batcher.hpp"
#include "engine/local_pool.hpp"
#include "engine/sim_engine.hpp"

namespace gw {

class sim_pool final : public local_pool {
 public:
  sim_pool(boost::asio::any_io_executor reactor, const sim_timing& timing, std::size_t replicas,
           const batcher_config& batching, batcher_observer obs);

  outcome<token_stream> submit(local_request r, int priority) override {
    auto out = batcher_.submit(std::move(r.params), priority);
    if (auto* s = std::get_if<std::shared_ptr<token_stream>>(&out)) (*s)->set_framer(std::move(r.framer));
    return out;
  }
  outcome<embedding_result> submit_embedding(std::vector<std::string> inputs, std::uint32_t dimensions,
                                             std::optional<embedding_forward> = {}) override {
    return batcher_.submit_embedding(std::move(inputs), dimensions);
  }
  pool_load load() const override;
  void shut_down() override { batcher_.shut_down(); }

 private:
  batcher batcher_;
};

}  // namespace gw
