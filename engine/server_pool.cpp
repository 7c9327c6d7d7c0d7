#include "engine/server_pool.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cstdlib>

#include "policy/retry_after.hpp"

namespace gw {
namespace {

// "http://10.0.0.5:8000/v1" -> "http://10.0.0.5:8000": health endpoints (vLLM's /health,
// llama.cpp's /health) live at the server's root, not under the API version.
std::string origin_of(const std::string& url) {
  const auto scheme = url.find("://");
  const auto path = url.find('/', scheme == std::string::npos ? 0 : scheme + 3);
  return path == std::string::npos ? url : url.substr(0, path);
}

// The servers' health decides where requests go; a breaker on top would eject on its own terms.
breaker_config breaker_off() {
  breaker_config b;
  b.consecutive_failures = 0;
  b.rate_window = 0;
  return b;
}

}  // namespace

server_pool::server_pool(boost::asio::any_io_executor reactor, std::string model_id, const server_pool_config& cfg,
                         const batcher_config& batching, upstream_client& client, batcher_observer obs)
    : reactor_(reactor),
      model_id_(std::move(model_id)),
      server_model_(cfg.model.empty() ? model_id_ : cfg.model),
      cfg_(cfg),
      batching_(batching),
      client_(client),
      obs_(std::move(obs)),
      ring_([&] {
        std::vector<std::string> names;
        for (const auto& s : cfg.servers) names.push_back(s.name);
        return names;
      }()),
      queue_(batching.max_queued),
      expiry_(reactor),
      probe_timer_(reactor),
      embed_timer_(reactor) {
  std::string auth;
  if (!cfg.api_key_env.empty()) {
    const char* key = std::getenv(cfg.api_key_env.c_str());
    if (key && *key) auth = std::string("Authorization: Bearer ") + key;
    else spdlog::warn("model '{}': environment variable {} (api_key_env) is not set; its servers get no key",
                      model_id_, cfg.api_key_env);
  }
  for (const auto& s : cfg.servers) {
    auto m = std::make_unique<member>(member{provider_state{{}, auth, circuit_breaker(breaker_off())},
                                             server_health(cfg.health), origin_of(s.base_url) + cfg.health_path});
    auto& p = m->endpoint.config;
    p.name = s.name;
    p.base_url = s.base_url;
    p.headers = cfg.headers;
    p.ca_file = cfg.ca_file;
    p.timeouts = cfg.timeouts;
    p.retries.max_retries = 0;  // a failed server is the pool's to route around, not to retry
    members_.push_back(std::move(m));
  }
  schedule_probes(std::chrono::milliseconds(0));
}

server_pool::~server_pool() {
  *alive_ = false;
  for (auto& m : members_)
    if (m->probe) m->probe->abort();
}

local_pool::outcome<token_stream> server_pool::submit(local_request r, int priority) {
  if (shut_down_) return submit_refusal{engine_errc::shutting_down, 1};
  if (!any_healthy()) return submit_refusal{engine_errc::engine_failed, 1};
  auto stream = std::make_shared<token_stream>(reactor_, r.params.prompt_tokens);
  token_stream* key = stream.get();
  const std::uint64_t key_hash = affinity_hash(r.affinity_key);
  waiting w{std::move(r), key_hash, stream, clock::now()};
  if (!queue_.push(priority, w.queued_at + batching_.max_queue_wait, std::move(w)))
    return submit_refusal{engine_errc::queue_full, retry_after()};
  // A client that leaves while its request waits frees the queue slot at once.
  stream->on_cancel([this, key, alive = std::weak_ptr(alive_)] {
    if (alive.lock()) queue_.remove_if([key](const waiting& e) { return e.stream.get() == key; });
  });
  pump();
  arm_expiry();
  return stream;
}

std::vector<affinity_member> server_pool::members_view() const {
  std::vector<affinity_member> v;
  v.reserve(members_.size());
  for (const auto& m : members_) v.push_back({m->health.healthy(), m->in_flight, cfg_.max_in_flight});
  return v;
}

bool server_pool::any_healthy() const {
  return std::any_of(members_.begin(), members_.end(), [](const auto& m) { return m->health.healthy(); });
}

void server_pool::pump() {
  if (shut_down_) return;
  const auto now = clock::now();
  while (true) {
    auto view = members_view();
    // Embeddings first once their delay is over: they are short and were coalesced to go
    // together; generations keep their priority order among themselves.
    if (embeddings_ready(now)) {
      auto m = pick_least_loaded(view);
      if (!m) return;
      flush_embeddings(*m);
      continue;
    }
    if (queue_.empty()) return;
    auto& head = queue_.front();
    if (!head.req.avoid_server.empty()) {
      // A continuation goes to any server but the one that failed it; with none other healthy
      // it fails (its stream then ends with the error event).
      bool other = false;
      for (std::size_t i = 0; i < view.size(); ++i) {
        if (members_[i]->endpoint.config.name == head.req.avoid_server) view[i].eligible = false;
        other = other || view[i].eligible;
      }
      if (!other) {
        queue_.pop_front().stream->fail(engine_errc::engine_failed, 1);
        continue;
      }
    }
    auto m = pick_member(ring_, head.affinity, view, cfg_.load_factor);
    if (!m) return;  // every healthy server is full: the head waits for a slot
    start(queue_.pop_front(), *m);
  }
}

void server_pool::start(waiting w, std::size_t m) {
  auto& mem = *members_[m];
  ++mem.in_flight;
  const auto started = clock::now();
  w.stream->mark_admitted(started);
  if (obs_.queue_wait) obs_.queue_wait(std::chrono::duration<double>(started - w.queued_at).count());
  running_[w.stream.get()] = w.stream;
  remote_call_options o;
  o.url_path = w.req.upstream_path;
  o.stream = w.req.stream;
  o.body = w.req.upstream_body(server_model_);
  o.public_model = w.req.public_model;
  o.client_usage = w.req.client_usage;
  o.prompt_tokens_estimate = w.req.params.prompt_tokens;
  o.request_id = w.req.request_id;
  o.trace = std::move(w.req.trace);
  o.upstream_model = server_model_;
  o.out = w.stream;
  o.local_server = true;
  o.continues = std::move(w.req.continues);
  w.stream->set_server(mem.endpoint.config.name);
  o.on_finish = [this, m, started, key = w.stream.get(), alive = std::weak_ptr(alive_)](call_outcome out) {
    if (!alive.lock()) return;
    running_.erase(key);
    finished(m, out, started);
  };
  start_remote_call(reactor_, client_, mem.endpoint, std::move(o), rng_);
}

void server_pool::finished(std::size_t m, call_outcome o, clock::time_point started) {
  auto& mem = *members_[m];
  --mem.in_flight;
  const auto now = clock::now();
  completions_.add(1, now);
  const double d = std::chrono::duration<double>(now - started).count();
  call_s_ = call_s_ == 0 ? d : 0.9 * call_s_ + 0.1 * d;
  // A cancelled call says nothing about the server; a refused one (4xx) is the request's fault.
  if (o == call_outcome::succeeded || o == call_outcome::rejected) record_health(m, true, "answered");
  else if (o == call_outcome::failed) record_health(m, false, "a request failed");
  pump();
}

void server_pool::arm_expiry() {
  auto next = queue_.next_deadline();
  if (!next || expiry_.expiry() == *next) return;
  expiry_.expires_at(*next);
  expiry_.async_wait([this](boost::system::error_code ec) {
    if (ec) return;  // re-armed, shut down or destroyed
    expire();
    arm_expiry();
  });
}

void server_pool::expire() {
  while (auto e = queue_.pop_expired(clock::now())) e->stream->fail(engine_errc::queue_timeout, retry_after());
}

void server_pool::fail_queued(engine_errc e) {
  while (!queue_.empty()) queue_.pop_front().stream->fail(e, 1);
  for (auto& w : embed_queue_) w.result->fail(e, 1);
  embed_queue_.clear();
}

unsigned server_pool::retry_after() const {
  return retry_after_seconds(queue_.size() + embed_queue_.size(), completions_.per_second(clock::now()));
}

pool_load server_pool::load() const {
  pool_load l;
  l.available = any_healthy() && !shut_down_;
  l.queued = queue_.size() + embed_queue_.size();
  l.queue_full = l.queued >= batching_.max_queued;
  for (const auto& m : members_) l.active += m->in_flight;
  // The queue drains at the recent completion rate; before any call has completed, assume each
  // slot frees after one average call.
  const double rate = completions_.per_second(clock::now());
  std::size_t slots = 0;
  for (const auto& m : members_) slots += m->health.healthy() ? cfg_.max_in_flight : 0;
  l.estimated_wait_s = rate > 0 ? static_cast<double>(queue_.size()) / rate
                                : (slots ? static_cast<double>(queue_.size()) * call_s_ / static_cast<double>(slots) : 0);
  return l;
}

std::vector<engine_health> server_pool::health() const {
  std::vector<engine_health> v;
  for (const auto& m : members_) v.push_back({model_id_ + "/" + m->endpoint.config.name, m->health.healthy()});
  return v;
}

void server_pool::shut_down() {
  shut_down_ = true;
  expiry_.cancel();
  probe_timer_.cancel();
  embed_timer_.cancel();
  fail_queued(engine_errc::shutting_down);
  // Failing the streams ends their consumers, whose leases then cancel (abort) the transfers.
  auto running = std::move(running_);
  for (auto& [k, w] : running)
    if (auto s = w.lock()) s->fail(engine_errc::shutting_down, 1);
}

}  // namespace gw
