#include "gateway/model_directory.hpp"

#include <chrono>
#include <cstdlib>
#include <spdlog/spdlog.h>

namespace gw {

model_directory::model_directory(boost::asio::any_io_executor reactor, const std::vector<model_config>& models,
                                 const std::vector<provider_config>& providers, upstream_client& upstreams,
                                 const batcher_observer& obs)
    : created_at_(std::chrono::duration_cast<std::chrono::seconds>(
                      std::chrono::system_clock::now().time_since_epoch())
                      .count()) {
  for (const auto& p : providers) {
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
        // Anthropic's API takes its key in x-api-key, as its SDKs send it.
        st->auth_header = p.api == provider_api::anthropic ? std::string("x-api-key: ") + key
                                                            : std::string("Authorization: Bearer ") + key;
      }
    }
    providers_.push_back(std::move(st));
  }
  for (const auto& m : models)
    if (m.local) pools_.emplace(m.id, make_local_pool(reactor, m.id, m.pool, upstreams, obs));
  for (const auto& m : models) {
    model_target t{&m, nullptr, {}};
    if (auto it = pools_.find(m.id); it != pools_.end()) t.pool = it->second.get();
    for (const auto& r : m.remote)
      for (const auto& p : providers_)
        if (p->config.name == r.provider) t.remotes.push_back(p.get());
    targets_.push_back(std::move(t));
  }
}

model_directory::~model_directory() = default;

const model_target& model_directory::find(std::string_view id) const {
  static const model_target none{nullptr, nullptr, {}};
  for (const auto& t : targets_)
    if (t.config->id == id) return t;
  return none;
}

std::vector<model_entry> model_directory::list() const {
  std::vector<model_entry> out;
  for (const auto& t : targets_) out.push_back({t.config->id, created_at_});
  return out;
}

double model_directory::queued() const {
  double n = 0;
  for (const auto& [id, p] : pools_) n += static_cast<double>(p->load().queued);
  return n;
}

double model_directory::active() const {
  double n = 0;
  for (const auto& [id, p] : pools_) n += static_cast<double>(p->load().active);
  return n;
}

std::vector<std::pair<std::string, double>> model_directory::circuit_states() const {
  std::vector<std::pair<std::string, double>> out;
  const auto now = std::chrono::steady_clock::now();
  for (const auto& p : providers_)
    out.emplace_back("remote:" + p->config.name, static_cast<double>(p->breaker.state(now)));
  // Local servers: healthy reads as closed, ejected as open.
  for (const auto& [id, p] : pools_)
    for (const auto& h : p->health())
      out.emplace_back("local:" + h.name, static_cast<double>(h.healthy ? breaker_state::closed : breaker_state::open));
  return out;
}

void model_directory::shut_down_pools() {
  for (auto& [id, p] : pools_) p->shut_down();
}

}  // namespace gw
