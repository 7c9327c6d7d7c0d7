#include "gateway/gateway.hpp"

#include <algorithm>

#include <boost/asio/post.hpp>
#include <chrono>
#include <spdlog/spdlog.h>
#include <cstdlib>
#include <stdexcept>

#include "gateway/request_ids.hpp"

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
  for (const auto& m : cfg_.models) {
    model_target t{&m, nullptr, {}};
    if (auto it = pools_.find(m.id); it != pools_.end()) t.pool = it->second.get();
    for (const auto& r : m.remote)
      for (const auto& p : providers_)
        if (p->config.name == r.provider) t.remotes.push_back(p.get());
    targets_.push_back(std::move(t));
  }
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
  keys_ = std::make_shared<const key_table>(cfg_.auth.keys);
  const auto now = std::chrono::steady_clock::now();
  for (const auto& k : cfg_.auth.keys) limiters_.emplace(k.name, rate_limiter(k.limits, now));
  metrics_.open_connections = [this] { return static_cast<double>(*open_connections_); };
  metrics_.active_sequences = [this] {
    double n = 0;
    for (const auto& [id, p] : pools_) n += static_cast<double>(p->load().active);
    return n;
  };
}

gateway::~gateway() = default;

const model_target& gateway::find_model(std::string_view id) const {
  static const model_target none{nullptr, nullptr, {}};
  for (const auto& t : targets_)
    if (t.config->id == id) return t;
  return none;
}

std::vector<model_entry> gateway::model_list() const {
  std::vector<model_entry> out;
  for (const auto& m : cfg_.models) out.push_back({m.id, started_at_});
  return out;
}

void gateway::begin_drain(std::function<void()> idle) {
  draining_ = true;
  on_idle_ = std::move(idle);
  if (open_exchanges_ == 0 && on_idle_) boost::asio::post(reactor_, std::exchange(on_idle_, nullptr));
}

void gateway::exchange_finished() {
  --open_exchanges_;
  if (draining_ && open_exchanges_ == 0 && on_idle_) boost::asio::post(reactor_, std::exchange(on_idle_, nullptr));
}

void gateway::end_streams() {
  draining_ = true;
  for (auto& [id, p] : pools_) p->shut_down();
  // Copied: failing a stream wakes its session, which unregisters it while we iterate.
  // A stream may be registered twice (dispatch, then the answer): each is failed once.
  std::vector<token_stream*> open;
  for (const auto& r : open_streams_) open.push_back(r.stream());
  std::sort(open.begin(), open.end());
  open.erase(std::unique(open.begin(), open.end()), open.end());
  for (auto* s : open) s->fail(engine_errc::shutting_down, 1);
}

rate_status gateway::admit(const api_key_config& key, std::uint32_t estimated_tokens) {
  auto it = limiters_.find(key.name);
  if (it == limiters_.end()) return {};  // a key dropped by a reload while its request ran
  return it->second.admit(estimated_tokens, std::chrono::steady_clock::now());
}

void gateway::settle(const api_key_config& key, std::uint32_t estimated_tokens, std::uint32_t actual_tokens) {
  if (auto it = limiters_.find(key.name); it != limiters_.end())
    it->second.settle(estimated_tokens, actual_tokens, std::chrono::steady_clock::now());
}

void gateway::reload(const gateway_config& next) {
  const auto now = std::chrono::steady_clock::now();
  cfg_.auth = next.auth;
  keys_ = std::make_shared<const key_table>(cfg_.auth.keys);
  std::map<std::string, rate_limiter, std::less<>> limiters;
  for (const auto& k : cfg_.auth.keys) {
    auto it = limiters_.find(k.name);
    if (it == limiters_.end()) {
      limiters.emplace(k.name, rate_limiter(k.limits, now));
    } else {
      it->second.reconfigure(k.limits, now);
      limiters.emplace(k.name, std::move(it->second));
    }
  }
  limiters_ = std::move(limiters);
  cfg_.cors = next.cors;
  cfg_.restricted = next.restricted;
  cfg_.log = next.log;
  spdlog::set_level(spdlog::level::from_str(cfg_.log.level));
  const std::string host = cfg_.server.host;  // the socket is bound: listen changes need a restart
  const auto port = cfg_.server.port;
  cfg_.server = next.server;
  cfg_.server.host = host;
  cfg_.server.port = port;
  // Same models in the same order (checked by the caller): only routing settings move.
  for (std::size_t i = 0; i < cfg_.models.size() && i < next.models.size(); ++i)
    cfg_.models[i].routing = next.models[i].routing;
}

std::string gateway::new_id(std::string_view prefix) {
  char digits[32];  // filled first and appended once; 96 random bits are used
  hex_digits_low_first(rng_(), digits);
  hex_digits_low_first(rng_(), digits + 16);
  std::string id;
  id.reserve(prefix.size() + 24);
  id.append(prefix).append(digits, 24);
  return id;
}

}  // namespace gw
