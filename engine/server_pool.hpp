#pragma once
// An `openai` engine pool: local inference servers that batch internally (vLLM, vLLM-Ascend,
// MindIE, SGLang, llama.cpp server, Ollama), reached over HTTP through the reactor's upstream
// client. Here the batcher's role is an admission controller:
//   - a bounded priority queue with a deadline (max_queued, max_queue_wait), like the batcher's;
//   - at most max_in_flight requests per server (the semaphore), a slot returned however the
//     call ends (answered, failed, client gone);
//   - the server chosen by prefix affinity with bounded load (policy/prefix_affinity);
//   - health: a periodic probe per server plus the outcome of every request; a server is
//     ejected after consecutive failures and re-admitted after consecutive good probes
//     (policy/server_health). With every server ejected the pool is unavailable, so the route
//     plan sends work remote (local-down) or refuses restricted work;
//   - embeddings: single requests waiting within embedding_delay are sent as one upstream call
//     with an input array (up to max_embedding_inputs) and the vectors split back.
// Reactor thread only.

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <deque>
#include <memory>
#include <random>
#include <unordered_map>

#include "engine/remote_call.hpp"
#include "engine/batcher.hpp"
#include "engine/event_rate.hpp"
#include "engine/local_pool.hpp"
#include "engine/request_queue.hpp"
#include "engine/server_pool_config.hpp"
#include "policy/prefix_affinity.hpp"

namespace gw {

class server_pool final : public local_pool {
 public:
  server_pool(boost::asio::any_io_executor reactor, std::string model_id, const server_pool_config& cfg,
              const batcher_config& batching, upstream_client& client, batcher_observer obs);
  ~server_pool() override;

  outcome<token_stream> submit(local_request r, int priority) override;
  outcome<embedding_result> submit_embedding(std::vector<std::string> inputs, std::uint32_t dimensions,
                                             std::optional<embedding_forward> forward = {}) override;
  pool_load load() const override;
  std::vector<engine_health> health() const override;
  void shut_down() override;

 private:
  using clock = std::chrono::steady_clock;
  struct member {
    provider_state endpoint;  // URL, headers, timeouts; its breaker is off (health does that)
    server_health health;
    std::string probe_url;
    std::size_t in_flight = 0;
    std::shared_ptr<upstream_transfer> probe;
  };
  struct waiting {
    local_request req;
    std::uint64_t affinity = 0;  // affinity_hash(req.affinity_key), hashed once
    std::shared_ptr<token_stream> stream;
    clock::time_point queued_at;
  };
  struct waiting_embedding {
    std::vector<std::string> inputs;
    std::uint32_t dimensions = 0;
    std::shared_ptr<embedding_result> result;
    clock::time_point queued_at;
    std::optional<embedding_forward> forward;  // sent alone, as the client wrote it
  };

  // Admission: starts waiting work while a server has room.
  void pump();
  void start(waiting w, std::size_t m);
  void finished(std::size_t m, call_outcome o, clock::time_point started);
  void arm_expiry();
  void expire();
  std::vector<affinity_member> members_view() const;
  bool any_healthy() const;
  void fail_queued(engine_errc e);
  unsigned retry_after() const;

  // Health (server_pool_health.cpp).
  void schedule_probes(std::chrono::milliseconds after);
  void probe(std::size_t m);
  void record_health(std::size_t m, bool ok, const char* why);

  // Embeddings (server_pool_embeddings.cpp).
  bool embeddings_ready(clock::time_point now) const;
  void arm_embed_timer(clock::time_point at);
  void flush_embeddings(std::size_t m);
  void forward_embedding(std::size_t m, waiting_embedding job);

  boost::asio::any_io_executor reactor_;
  std::string model_id_;
  std::string server_model_;
  server_pool_config cfg_;
  batcher_config batching_;
  upstream_client& client_;
  batcher_observer obs_;
  std::vector<std::unique_ptr<member>> members_;
  hash_ring ring_;
  request_queue<waiting> queue_;
  std::deque<waiting_embedding> embed_queue_;
  std::unordered_map<token_stream*, std::weak_ptr<token_stream>> running_;
  boost::asio::steady_timer expiry_;
  boost::asio::steady_timer probe_timer_;
  boost::asio::steady_timer embed_timer_;
  std::mt19937_64 rng_{std::random_device{}()};
  event_rate completions_;
  double call_s_ = 0;  // moving average of a call's duration
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
  bool shut_down_ = false;
};

}  // namespace gw
