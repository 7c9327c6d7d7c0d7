#include "engine/batcher.hpp"

#include <algorithm>
#include <cmath>
#include <boost/asio/post.hpp>

#include "policy/retry_after.hpp"

namespace gw {

batcher::batcher(boost::asio::any_io_executor reactor, batcher_config cfg,
                 std::vector<std::unique_ptr<engine>> engines, batcher_observer obs)
    : reactor_(reactor), cfg_(cfg), obs_(std::move(obs)), queue_(cfg.max_queued), expiry_(reactor) {
  for (auto& e : engines) {
    auto w = std::make_unique<worker_state>();
    w->worker = std::make_unique<engine_worker>(std::move(e), reactor_, [this, ws = w.get()](std::vector<step_result>& rs) {
      on_steps(*ws, rs);
    });
    workers_.push_back(std::move(w));
  }
}

// The workers go first: their threads are joined, and a hand-over already posted finds its
// worker gone and does nothing.
batcher::~batcher() { workers_.clear(); }

std::size_t batcher::active_sequences() const {
  std::size_t n = 0;
  for (const auto& w : workers_) n += w->capacity.running;
  return n;
}

std::variant<std::shared_ptr<token_stream>, submit_refusal> batcher::submit(
    generation_params params, int priority) {
  if (shut_down_) return submit_refusal{engine_errc::shutting_down, 1};
  auto stream = std::make_shared<token_stream>(reactor_, params.prompt_tokens);
  // The n choices share the prompt's KV cache and each grows its own (vLLM's prefix sharing).
  const std::uint64_t tokens = std::uint64_t{params.prompt_tokens} + std::uint64_t{params.n} * params.max_tokens;
  const auto deadline = clock::now() + cfg_.max_queue_wait;
  waiting entry{next_id_++, std::move(params), stream, tokens};
  if (!queue_.push(priority, deadline, std::move(entry)))
    return submit_refusal{engine_errc::queue_full, retry_after()};

  // An idle engine starts at once; busy ones pick the sequence up at their next step boundary.
  for (auto& w : workers_) {
    if (!w->stepping()) {
      schedule(*w);
      break;
    }
  }
  arm_expiry();
  return stream;
}

std::variant<std::shared_ptr<embedding_result>, submit_refusal> batcher::submit_embedding(
    std::vector<std::string> inputs, std::uint32_t dimensions) {
  if (shut_down_) return submit_refusal{engine_errc::shutting_down, 1};
  if (queue_depth() >= cfg_.max_queued) return submit_refusal{engine_errc::queue_full, retry_after()};
  auto result = std::make_shared<embedding_result>(reactor_);
  embed_queue_.push_back({embedding_job{next_id_++, std::move(inputs), dimensions}, result});
  for (auto& w : workers_) {
    if (!w->stepping()) {
      schedule(*w);
      break;
    }
  }
  return result;
}

void batcher::schedule(worker_state& w) {
  step_command cmd;
  // Cancelled sequences leave at this boundary; their permits return with the map entries.
  for (auto it = w.sequences.begin(); it != w.sequences.end();) {
    if (it->second.stream->cancelled()) {
      cmd.cancel.push_back(it->first);
      it = w.sequences.erase(it);
    } else {
      ++it;
    }
  }
  const auto now = clock::now();
  expire_queue(now);
  queue_.remove_if([](const waiting& e) { return e.stream->cancelled(); });

  // Admission: the pure decision over the queue's head, then move the admitted ones.
  std::vector<std::uint64_t> head;
  const std::size_t room = cfg_.limits.max_batch_size - std::min(cfg_.limits.max_batch_size, w.capacity.running);
  queue_.for_each([&](const waiting& e) {
    head.push_back(e.tokens);
    return head.size() < room;
  });
  const std::size_t n = admit_count(head, {w.capacity.running, w.capacity.held_tokens}, cfg_.limits);
  for (std::size_t i = 0; i < n; ++i) {
    waiting e = queue_.pop_front();
    e.stream->mark_admitted(now);
    if (obs_.queue_wait)
      obs_.queue_wait(std::chrono::duration<double>(now - e.stream->created_at()).count());
    w.sequences.emplace(e.id, running{e.stream, permit(w.capacity, e.tokens)});
    cmd.admit.emplace_back(e.id, std::move(e.params));
  }

  // Every waiting embedding job joins this step, up to the per-step input cap; a single job
  // larger than the cap runs alone rather than never.
  for (std::size_t inputs = 0; !embed_queue_.empty();) {
    auto& next = embed_queue_.front();
    if (inputs > 0 && inputs + next.job.inputs.size() > cfg_.max_embedding_inputs) break;
    inputs += next.job.inputs.size();
    w.embedding.emplace(next.job.id, std::move(next.result));
    cmd.embed.push_back(std::move(next.job));
    embed_queue_.pop_front();
  }

  if (!w.stepping()) w.last_step = {};  // idle time is not step time
  if (!cmd.empty()) w.worker->submit(std::move(cmd));
}

void batcher::on_steps(worker_state& w, std::vector<step_result>& rs) {
  for (auto& r : rs) on_step(w, r);
  if (!shut_down_) schedule(w);  // the step boundary as the reactor sees it
}

void batcher::on_step(worker_state& w, step_result& r) {
  if (r.batch_size > 0 && obs_.step_batch) obs_.step_batch(r.batch_size);
  if (r.batch_size > 0) {
    if (w.last_step != clock::time_point{}) {
      const double dt = std::chrono::duration<double>(r.ended - w.last_step).count();
      step_s_ = step_s_ == 0 ? dt : 0.9 * step_s_ + 0.1 * dt;
    }
    w.last_step = r.ended;
  }
  std::size_t finished = 0;
  for (auto& out : r.outputs) {
    auto it = w.sequences.find(out.id);
    if (it == w.sequences.end()) continue;  // cancelled while this step ran
    it->second.stream->push(out);
    if (out.finish) {
      w.sequences.erase(it);
      ++finished;
    }
  }
  for (auto& e : r.embeddings) {
    auto it = w.embedding.find(e.id);
    if (it == w.embedding.end()) continue;
    it->second->complete(std::move(e));
    w.embedding.erase(it);
  }
  for (auto id : r.failed) {
    auto it = w.sequences.find(id);
    if (it == w.sequences.end()) continue;
    it->second.stream->fail(engine_errc::engine_failed);
    w.sequences.erase(it);
  }
  if (finished > 0) completions_.add(finished, clock::now());
}

void batcher::expire_queue(clock::time_point now) {
  while (auto e = queue_.pop_expired(now)) e->stream->fail(engine_errc::queue_timeout, retry_after());
}

void batcher::arm_expiry() {
  auto next = queue_.next_deadline();
  if (!next) return;
  if (expiry_.expiry() == *next) return;
  expiry_.expires_at(*next);
  expiry_.async_wait([this](boost::system::error_code ec) {
    if (ec) return;  // re-armed or shut down
    expire_queue(clock::now());
    arm_expiry();
  });
}

unsigned batcher::retry_after() const {
  return retry_after_seconds(queue_.size(), completions_.per_second(clock::now()));
}

double batcher::estimated_wait_s() const {
  const auto depth = static_cast<double>(queue_.size());
  const double rate = completions_.per_second(clock::now());
  return rate > 0 ? depth / rate : depth * step_s_;
}

void batcher::shut_down() {
  shut_down_ = true;
  expiry_.cancel();
  while (!queue_.empty()) queue_.pop_front().stream->fail(engine_errc::shutting_down);
  for (auto& e : embed_queue_) e.result->fail(engine_errc::shutting_down);
  embed_queue_.clear();
  for (auto& w : workers_) {
    step_command stop;  // the engine would otherwise run its sequences to their end
    for (auto& [id, r] : w->sequences) {
      r.stream->fail(engine_errc::shutting_down);
      stop.cancel.push_back(id);
    }
    w->sequences.clear();
    if (!stop.empty()) w->worker->submit(std::move(stop));
    for (auto& [id, r] : w->embedding) r->fail(engine_errc::shutting_down);
    w->embedding.clear();
  }
}

}  // namespace gw
