#include "gateway/gateway.hpp"

#include <chrono>
#include <spdlog/spdlog.h>
#include <cstdlib>
#include <stdexcept>

namespace gw {

gateway::gateway(boost::asio::any_io_executor reactor, gateway_config cfg)
    : reactor_(reactor),
      cfg_(std::move(cfg)),
      upstreams_(reactor),
      started_at_(std::chrono::duration_cast<std::chrono::seconds>(
                      std::chrono::system_clock::now().time_since_epoch())
                      .count()),
      rng_(std::random_device{}()) {
  batcher_observer obs;
  obs.queue_wait = [this](double s) { metrics_.queue_wait.observe(s); };
  obs.step_batch = [this](std::size_t n) { metrics_.batch_size.observe(static_cast<double>(n)); };
  for (const auto& p : cfg_.providers) {
    auto st = std::make_unique<provider_state>(provider_state{p, {}, circuit_breaker(p.breaker)});
    if (!p.api_key_env.empty()) {
      const char* key = std::getenv(p.api_key_env.c_str());
      // A provider without its key stays configured but unused, so one config file can list
      // every provider a team might use and each deployment enables those it has keys for.
      if (!key || !*key) {
        spdlog::warn("provider '{}' disabled: environment variable {} (api_key_env) is not set", p.name,
                     p.api_key_env);
        st->enabled = false;
      } else {
        st->auth_header = std::string("Authorization: Bearer ") + key;
      }
    }
    providers_.push_back(std::move(st));
  }
  for (const auto& m : cfg_.models)
    if (m.local) pools_.emplace(m.id, make_local_pool(reactor, m.id, m.pool, upstreams_, obs));
  metrics_.queue_depth = [this] {
    double n = 0;
    for (const auto& [id, p] : pools_) n += static_cast<double>(p->load().queued);
    return n;
  };
  metrics_.circuit_states = [this] {
    std::vector<std::pair<std::string, double>> out;
    const auto now = std::chrono::steady_clock::now();
    for (const auto& p : providers_)
      out.emplace_back("remote:" + p->config.name, static_cast<double>(p->breaker.state(now)));
    // Local servers: healthy reads as closed, ejected as open.
    for (const auto& [id, p] : pools_)
      for (const auto& h : p->health())
        out.emplace_back("local:" + h.name, static_cast<double>(h.healthy ? breaker_state::closed : breaker_state::open));
    return out;
  };
  metrics_.active_sequences = [this] {
    double n = 0;
    for (const auto& [id, p] : pools_) n += static_cast<double>(p->load().active);
    return n;
  };
}

gateway::~gateway() = default;

model_target gateway::find_model(std::string_view id) {
  for (const auto& m : cfg_.models) {
    if (m.id != id) continue;
    model_target t{&m, nullptr, {}};
    if (auto it = pools_.find(id); it != pools_.end()) t.pool = it->second.get();
    for (const auto& r : m.remote)
      for (const auto& p : providers_)
        if (p->config.name == r.provider) t.remotes.push_back(p.get());
    return t;
  }
  return {nullptr, nullptr, {}};
}

std::vector<model_entry> gateway::model_list() const {
  std::vector<model_entry> out;
  for (const auto& m : cfg_.models) out.push_back({m.id, started_at_});
  return out;
}

void gateway::drain() {
  draining_ = true;
  for (auto& [id, p] : pools_) p->shut_down();
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
