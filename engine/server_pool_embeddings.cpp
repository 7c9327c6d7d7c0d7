// server_pool: coalescing embedding requests. Plain requests (model, input strings,
// encoding_format, dimensions) that wait within embedding_delay of the first one (and ask for the
// same dimensions) go to a server as one call with an input array, up to max_embedding_inputs
// texts; the reply is split back by input position. A request that waited alone, or carries
// more, goes as its client sent it and its answer is relayed.
#include <spdlog/spdlog.h>

#include <algorithm>

#include "backends/chunk_relay.hpp"
#include "backends/embeddings_wire.hpp"
#include "engine/server_pool.hpp"
#include "engine/tokenizer.hpp"

namespace gw {
namespace {

constexpr std::size_t max_reply_bytes = 256u << 20;

template <class Queue>
std::size_t waiting_inputs(const Queue& q) {
  std::size_t n = 0;
  for (const auto& w : q) n += w.inputs.size();
  return n;
}

}  // namespace

local_pool::outcome<embedding_result> server_pool::submit_embedding(std::vector<std::string> inputs,
                                                                    std::uint32_t dimensions,
                                                                    std::optional<embedding_forward> forward) {
  if (shut_down_) return submit_refusal{engine_errc::shutting_down, 1};
  if (!any_healthy()) return submit_refusal{engine_errc::engine_failed, 1};
  if (queue_.size() + embed_queue_.size() >= batching_.max_queued)
    return submit_refusal{engine_errc::queue_full, retry_after()};
  auto result = std::make_shared<embedding_result>(reactor_);
  const auto now = clock::now();
  embed_queue_.push_back({std::move(inputs), dimensions, result, now, std::move(forward)});
  if (embeddings_ready(now)) {
    pump();
  } else if (embed_queue_.size() == 1) {
    arm_embed_timer(now + cfg_.embedding_delay);
  }
  return result;
}

// The waiting batch's delay is over at `at`: admission runs then (a later arming replaces it).
void server_pool::arm_embed_timer(clock::time_point at) {
  embed_timer_.expires_at(at);
  embed_timer_.async_wait([this](boost::system::error_code ec) {
    if (!ec) pump();
  });
}

bool server_pool::embeddings_ready(clock::time_point now) const {
  if (embed_queue_.empty()) return false;
  return now >= embed_queue_.front().queued_at + cfg_.embedding_delay ||
         waiting_inputs(embed_queue_) >= batching_.max_embedding_inputs;
}

void server_pool::flush_embeddings(std::size_t m) {
  const auto alone = [](const waiting_embedding& j) { return j.forward && !j.forward->coalescable; };
  if (alone(embed_queue_.front())) {
    waiting_embedding job = std::move(embed_queue_.front());
    embed_queue_.pop_front();
    if (!embed_queue_.empty()) {
      embed_queue_.front().queued_at = std::max(embed_queue_.front().queued_at, clock::now());
      arm_embed_timer(embed_queue_.front().queued_at + cfg_.embedding_delay);
    }
    forward_embedding(m, std::move(job));
    return;
  }
  // The batch: the oldest job and those after it that ask for the same dimensions, while the
  // texts fit max_embedding_inputs (a single larger job goes alone).
  std::vector<waiting_embedding> batch;
  std::vector<std::string> inputs;
  const std::uint32_t dims = embed_queue_.front().dimensions;
  for (auto it = embed_queue_.begin(); it != embed_queue_.end();) {
    if (it->dimensions != dims || alone(*it)) {
      ++it;
      continue;
    }
    if (!batch.empty() && inputs.size() + it->inputs.size() > batching_.max_embedding_inputs) break;
    inputs.insert(inputs.end(), it->inputs.begin(), it->inputs.end());
    batch.push_back(std::move(*it));
    it = embed_queue_.erase(it);
  }
  // What is left waits for its own delay, from now.
  if (!embed_queue_.empty()) {
    embed_queue_.front().queued_at = std::max(embed_queue_.front().queued_at, clock::now());
    arm_embed_timer(embed_queue_.front().queued_at + cfg_.embedding_delay);
  }
  // Nothing to coalesce it with: the request goes as its client sent it.
  if (batch.size() == 1 && batch.front().forward) {
    forward_embedding(m, std::move(batch.front()));
    return;
  }

  auto& mem = *members_[m];
  ++mem.in_flight;
  const auto started = clock::now();
  for (const auto& j : batch)
    if (obs_.queue_wait) obs_.queue_wait(std::chrono::duration<double>(started - j.queued_at).count());

  upstream_request req = provider_request(mem.endpoint, "/embeddings",
                                          embeddings_request_body(inputs, server_model_, dims, false), {}, {}, false);

  struct call {
    std::vector<waiting_embedding> batch;
    std::size_t inputs = 0;
    std::string body;
  };
  auto c = std::make_shared<call>(call{std::move(batch), inputs.size(), {}});
  upstream_handlers h;
  h.on_body = [c](std::string_view b) {
    if (c->body.size() < max_reply_bytes) c->body.append(b);
  };
  h.on_done = [this, c, m, started, alive = std::weak_ptr(alive_)](const upstream_result& r) {
    std::optional<embeddings_reply> reply;
    if (r.error == upstream_errc::none && r.status == 200) reply = parse_embeddings_reply(c->body, c->inputs);
    if (!reply) {
      spdlog::warn("embeddings call to a local server failed: {} status {} ({} bytes)", to_string(r.error), r.status,
                   c->body.size());
      const bool rejected = r.error == upstream_errc::none && r.status >= 400 && r.status < 500 && r.status != 429;
      for (auto& j : c->batch) j.result->fail(rejected ? engine_errc::upstream_rejected : engine_errc::engine_failed, 1);
      if (alive.lock()) finished(m, rejected ? call_outcome::rejected : call_outcome::failed, started);
      return;
    }
    // Each request gets its own slice; the upstream's token count is shared out in proportion
    // to each request's estimated tokens.
    std::vector<std::uint32_t> estimate;
    double total_estimate = 0;
    for (const auto& j : c->batch) {
      std::uint32_t t = 0;
      for (const auto& in : j.inputs) t += std::max<std::uint32_t>(1, count_tokens(in));
      estimate.push_back(t);
      total_estimate += t;
    }
    std::size_t next = 0;
    for (std::size_t i = 0; i < c->batch.size(); ++i) {
      auto& j = c->batch[i];
      embedding_output out;
      for (std::size_t k = 0; k < j.inputs.size(); ++k) out.vectors.push_back(std::move(reply->vectors[next++]));
      out.tokens = reply->prompt_tokens > 0 && total_estimate > 0
                       ? static_cast<std::uint32_t>(reply->prompt_tokens * (estimate[i] / total_estimate) + 0.5)
                       : estimate[i];
      j.result->complete(std::move(out));
    }
    if (alive.lock()) finished(m, call_outcome::succeeded, started);
  };
  client_.start(std::move(req), std::move(h));
}

// One request as its client sent it (but for the model), and the server's answer relayed.
void server_pool::forward_embedding(std::size_t m, waiting_embedding job) {
  auto& mem = *members_[m];
  ++mem.in_flight;
  const auto started = clock::now();
  if (obs_.queue_wait) obs_.queue_wait(std::chrono::duration<double>(started - job.queued_at).count());
  upstream_request req = provider_request(mem.endpoint, "/embeddings", job.forward->body(server_model_), {}, {}, false);
  struct call {
    waiting_embedding job;
    std::string body;
  };
  auto c = std::make_shared<call>(call{std::move(job), {}});
  upstream_handlers h;
  h.on_body = [c](std::string_view b) {
    if (c->body.size() < max_reply_bytes) c->body.append(b);
  };
  h.on_done = [this, c, m, started, alive = std::weak_ptr(alive_)](const upstream_result& r) {
    embedding_output out;
    chunk_facts facts;
    const bool ok = r.error == upstream_errc::none && r.status == 200 &&
                    chunk_relay(c->job.forward->public_model, true).relay(out.body, c->body, facts);
    if (!ok) {
      spdlog::warn("embeddings call to a local server failed: {} status {} ({} bytes)", to_string(r.error), r.status,
                   c->body.size());
      const bool rejected = r.error == upstream_errc::none && r.status >= 400 && r.status < 500 && r.status != 429;
      c->job.result->fail(rejected ? engine_errc::upstream_rejected : engine_errc::engine_failed, 1);
      if (alive.lock()) finished(m, rejected ? call_outcome::rejected : call_outcome::failed, started);
      return;
    }
    if (facts.usage) out.tokens = facts.usage->prompt;
    else
      for (const auto& in : c->job.inputs) out.tokens += std::max<std::uint32_t>(1, count_tokens(in));
    c->job.result->complete(std::move(out));
    if (alive.lock()) finished(m, call_outcome::succeeded, started);
  };
  client_.start(std::move(req), std::move(h));
}

}  // namespace gw
