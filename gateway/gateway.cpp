#include "gateway/gateway.hpp"

#include <chrono>

namespace gw {

gateway::gateway(boost::asio::any_io_executor reactor, gateway_config cfg)
    : cfg_(std::move(cfg)),
      started_at_(std::chrono::duration_cast<std::chrono::seconds>(
                      std::chrono::system_clock::now().time_since_epoch())
                      .count()),
      rng_(std::random_device{}()) {
  batcher_observer obs;
  obs.queue_wait = [this](double s) { metrics_.queue_wait.observe(s); };
  obs.step_batch = [this](std::size_t n) { metrics_.batch_size.observe(static_cast<double>(n)); };
  for (const auto& m : cfg_.models) pools_.emplace(m.id, std::make_unique<engine_pool>(reactor, m.pool, obs));
  metrics_.queue_depth = [this] {
    double n = 0;
    for (const auto& [id, p] : pools_) n += static_cast<double>(p->scheduler().queue_depth());
    return n;
  };
  metrics_.active_sequences = [this] {
    double n = 0;
    for (const auto& [id, p] : pools_) n += static_cast<double>(p->scheduler().active_sequences());
    return n;
  };
}

gateway::~gateway() = default;

model_target gateway::find_model(std::string_view id) {
  auto it = pools_.find(id);
  if (it == pools_.end()) return {nullptr, nullptr};
  for (const auto& m : cfg_.models)
    if (m.id == id) return {&m, it->second.get()};
  return {nullptr, nullptr};
}

std::vector<model_entry> gateway::model_list() const {
  std::vector<model_entry> out;
  for (const auto& m : cfg_.models) out.push_back({m.id, started_at_});
  return out;
}

void gateway::drain() {
  draining_ = true;
  for (auto& [id, p] : pools_) p->scheduler().shut_down();
}

std::string gateway::new_id(std::string_view prefix) {
  static constexpr char hex[] = "0123456789abcdef";
  std::string id(prefix);
  std::uint64_t a = rng_(), b = rng_();
  for (int i = 0; i < 16; ++i, a >>= 4) id += hex[a & 15];
  for (int i = 0; i < 8; ++i, b >>= 4) id += hex[b & 15];
  return id;
}

}  // namespace gw
