#pragma once
// The batcher of one engine pool: a bounded priority queue in front of N engine workers, doing
// continuous batching. At every step boundary of an engine it drops that engine's cancelled
// sequences, expires queued requests past their deadline, and admits waiting sequences in
// priority order while the batch fits max_batch_size and the token budget (admission.hpp).
//
// Thread-safety: every member runs on the reactor thread; engines run on their workers' threads
// and hand back their steps' results in batches (engine_worker.hpp). The reactor's step boundary
// is such a hand-over: admissions and cancellations decided there reach a paced engine at its
// next step, an unpaced one within engine_worker::max_run_ahead + 1 steps.

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <deque>
#include <functional>
#include <memory>
#include <unordered_map>
#include <variant>
#include <vector>

#include "engine/admission.hpp"
#include "engine/local_pool.hpp"
#include "engine/embedding_result.hpp"
#include "engine/engine_worker.hpp"
#include "engine/event_rate.hpp"
#include "engine/permit.hpp"
#include "engine/request_queue.hpp"
#include "engine/token_stream.hpp"

namespace gw {

struct batcher_config {
  batch_limits limits;
  std::size_t max_queued = 1024;
  std::size_t max_embedding_inputs = 2048;  // texts embedded in one engine step
  std::chrono::milliseconds max_queue_wait{30000};
};

// Optional observers, called on the reactor thread (metrics wiring lives in gateway/).
struct batcher_observer {
  std::function<void(double seconds)> queue_wait;  // per admitted sequence
  std::function<void(std::size_t)> step_batch;     // per engine step that decoded
};

class batcher {
 public:
  using clock = std::chrono::steady_clock;

  batcher(boost::asio::any_io_executor reactor, batcher_config cfg,
          std::vector<std::unique_ptr<engine>> engines, batcher_observer obs = {});
  ~batcher();

  // Queues a sequence at `priority` (higher first). On success the stream receives its token
  // events; on refusal (queue full) nothing was queued. params.prompt_tokens + n * max_tokens
  // must fit the token budget (callers check it against the model's length and budget first).
  std::variant<std::shared_ptr<token_stream>, submit_refusal> submit(generation_params params,
                                                                      int priority);

  // Queues texts to embed; they join the next step of an engine (all waiting embedding jobs go
  // into each step, up to max_embedding_inputs texts), so requests that arrive together are
  // computed together. Refused like generations when max_queued requests are waiting.
  std::variant<std::shared_ptr<embedding_result>, submit_refusal> submit_embedding(std::vector<std::string> inputs,
                                                                                 std::uint32_t dimensions);

  std::size_t queue_depth() const { return queue_.size() + embed_queue_.size(); }
  // How long a request queued now would wait before admission (the route planner's overflow
  // test): the queue ahead of it drains at the recent completion rate; before any sequence has
  // completed, queue depth x recent step time stands in.
  double estimated_wait_s() const;
  std::size_t active_sequences() const;
  const batcher_config& config() const { return cfg_; }

  // Stops admitting; fails every queued and running sequence with shutting_down.
  void shut_down();

 private:
  struct waiting {
    sequence_id id;
    generation_params params;
    std::shared_ptr<token_stream> stream;
    std::uint64_t tokens;
  };
  struct running {
    std::shared_ptr<token_stream> stream;
    permit capacity;
  };
  struct worker_state {
    std::unique_ptr<engine_worker> worker;
    engine_capacity capacity;
    std::unordered_map<sequence_id, running> sequences;
    std::unordered_map<sequence_id, std::shared_ptr<embedding_result>> embedding;  // in the step
    // The engine has sequences or embedding jobs: it steps on its own and results will come.
    bool stepping() const { return !sequences.empty() || !embedding.empty(); }
    clock::time_point last_step{};
  };

  void schedule(worker_state& w);
  void on_steps(worker_state& w, std::vector<step_result>& rs);
  void on_step(worker_state& w, step_result& r);
  void expire_queue(clock::time_point now);
  void arm_expiry();
  unsigned retry_after() const;

  boost::asio::any_io_executor reactor_;
  batcher_config cfg_;
  batcher_observer obs_;
  request_queue<waiting> queue_;
  struct waiting_embedding {
    embedding_job job;
    std::shared_ptr<embedding_result> result;
  };
  std::deque<waiting_embedding> embed_queue_;
  std::vector<std::unique_ptr<worker_state>> workers_;
  boost::asio::steady_timer expiry_;
  sequence_id next_id_ = 1;
  bool shut_down_ = false;
  event_rate completions_;  // sequences finished per second
  double step_s_ = 0;  // moving average of the time between two steps of one engine
};

}  // namespace gw
