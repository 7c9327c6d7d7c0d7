#pragma once
// The gateway's shared state on the reactor thread: configuration, metrics, the validator and
// one engine pool per model. Sessions reach everything through it. Reactor thread only.

#include <boost/asio/any_io_executor.hpp>
#include <boost/intrusive/list.hpp>
#include <cstdint>
#include <map>
#include <memory>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "backends/upstream_client.hpp"
#include "engine/engine_pool.hpp"
#include "gateway/client_auth.hpp"
#include "gateway/config.hpp"
#include "gateway/metrics.hpp"
#include "gateway/openai_json.hpp"
#include "engine/remote_call.hpp"
#include "gateway/request_validator.hpp"

namespace gw {

struct model_target {
  const model_config* config;  // null: no such model
  local_pool* pool;            // null: no local engines (remote only)
  std::vector<provider_state*> remotes;  // the providers of config->remote, in order
};

class gateway;

// Keeps a stream registered for gateway::end_streams() while it lives (it unlinks itself).
class stream_registration
    : public boost::intrusive::list_base_hook<boost::intrusive::link_mode<boost::intrusive::auto_unlink>> {
 public:
  stream_registration(gateway& g, token_stream& s);
  stream_registration(const stream_registration&) = delete;
  stream_registration& operator=(const stream_registration&) = delete;
  token_stream* stream() const { return s_; }

 private:
  token_stream* s_;
};

class gateway {
 public:
  gateway(boost::asio::any_io_executor reactor, gateway_config cfg);
  ~gateway();

  const gateway_config& config() const { return cfg_; }
  metrics& stats() { return metrics_; }
  request_validator& validator() { return validator_; }

  // nullptr members if no model has this id.
  // The model's entry; config null when there is no such model. Built once: models, pools and
  // providers do not change while the gateway runs (a reload keeps them).
  const model_target& find_model(std::string_view id) const;
  std::vector<model_entry> model_list() const;

  bool ready() const { return !draining_; }
  bool draining() const { return draining_; }
  // Drain, first half: take no new requests (503 draining, /readyz 503) and let open ones go
  // on. `idle` runs once, on the reactor, when no request is open any more.
  void begin_drain(std::function<void()> idle);
  // Drain, second half: queued requests fail with 503, open streams end with an error event.
  void end_streams();

  // Client connections and requests being served (server.max_connections, drain). A session
  // counts itself through the shared counter, not the gateway: a session still closing when the
  // reactor stops (a lingering close after a refusal) is destroyed with the io_context, after
  // the gateway.
  std::shared_ptr<std::size_t> connection_counter() const { return open_connections_; }
  std::size_t open_connections() const { return *open_connections_; }
  void exchange_started() { ++open_exchanges_; }
  void exchange_finished();
  // A stream past dispatch registers here so that end_streams() can end it.

  // Client keys and their rate limits (auth: in the config). Keys are null when auth is off.
  const key_table& keys() const { return *keys_; }
  rate_status admit(const api_key_config& key, std::uint32_t estimated_tokens);
  void settle(const api_key_config& key, std::uint32_t estimated_tokens, std::uint32_t actual_tokens);

  // SIGHUP: applies the reloadable parts of `next` (keys, limits, CORS, restricted marker,
  // server limits, log settings, each model's routing) in one step on the reactor thread, so a
  // request sees the old or the new policy, never a mix. The caller has checked that
  // everything else is unchanged (restart_fingerprint, config.hpp).
  void reload(const gateway_config& next);

  std::uint64_t entropy() { return rng_(); }
  std::mt19937_64& rng() { return rng_; }
  upstream_client& upstreams() { return upstreams_; }
  boost::asio::any_io_executor executor() const { return reactor_; }
  const std::vector<std::unique_ptr<provider_state>>& providers() const { return providers_; }
  // A fresh id: `prefix` + 24 hex digits.
  std::string new_id(std::string_view prefix);

 private:
  friend class stream_registration;
  boost::asio::any_io_executor reactor_;
  gateway_config cfg_;
  metrics metrics_;
  upstream_client upstreams_;
  std::vector<model_target> targets_;  // one per configured model, in order
  std::vector<std::unique_ptr<provider_state>> providers_;
  request_validator validator_;
  std::map<std::string, std::unique_ptr<local_pool>, std::less<>> pools_;
  std::int64_t started_at_;
  std::mt19937_64 rng_;
  std::shared_ptr<const key_table> keys_;
  std::map<std::string, rate_limiter, std::less<>> limiters_;  // by key name; kept across reloads
  std::shared_ptr<std::size_t> open_connections_ = std::make_shared<std::size_t>(0);
  std::size_t open_exchanges_ = 0;
  // Linked through the registrations themselves (they live in coroutine frames): a std::set
  // took an allocation per registration, two per request.
  boost::intrusive::list<stream_registration, boost::intrusive::constant_time_size<false>> open_streams_;
  std::function<void()> on_idle_;
  bool draining_ = false;
};

inline stream_registration::stream_registration(gateway& g, token_stream& s) : s_(&s) {
  g.open_streams_.push_back(*this);
}

}  // namespace gw
