#pragma once
// Runs one engine on its own thread, the way vLLM's engine core runs its busy loop: the reactor
// queues commands (admissions, cancellations, embedding jobs decided by the batcher) and the
// thread applies whatever has arrived at each step boundary, runs the step, waits out the step's
// pace, and publishes the result. Unpaced steps do not wait for the reactor in between: a
// lock-step hand-off (reactor -> thread -> reactor at every step) costs two thread wake-ups per
// step, far more than a step of the instant engine (time_scale 0). After a paced step the thread
// does wait for the reactor to have seen the result, so what the batcher decides on it joins the
// next step.
//
// Results are handed over in order. One posted handler takes every result published since the
// last one ran, so the reactor is woken at most once per batch of steps, never once per token.
// The thread runs at most max_run_ahead steps ahead of the reactor: a stalled reactor stops it
// instead of letting results pile up (an unpaced engine could otherwise outrun it forever).
//
// Thread-safety: submit() and the constructor and destructor run on the reactor thread; the
// results handler runs there too. Destruction stops the thread at once (a pacing wait is
// interrupted); results not yet handed over are discarded.

#include <boost/asio/any_io_executor.hpp>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <utility>
#include <vector>

#include "engine/engine.hpp"

namespace gw {

struct step_command {
  std::vector<std::pair<sequence_id, generation_params>> admit;
  std::vector<sequence_id> cancel;
  std::vector<embedding_job> embed;

  bool empty() const { return admit.empty() && cancel.empty() && embed.empty(); }
};

class engine_worker {
 public:
  // The results of one or more consecutive steps, oldest first.
  using results_handler = std::function<void(std::vector<step_result>&)>;
  // Unpaced steps whose results the reactor has not processed yet, at most. A command therefore
  // reaches an unpaced engine within max_run_ahead + 1 steps of the handler that queued it, and
  // a paced engine at its next step.
  static constexpr std::size_t max_run_ahead = 32;

  engine_worker(std::unique_ptr<engine> e, boost::asio::any_io_executor reactor, results_handler on_results);
  ~engine_worker();
  engine_worker(const engine_worker&) = delete;
  engine_worker& operator=(const engine_worker&) = delete;

  // Queues `cmd` for the engine's next step boundary, waking the thread if it is idle.
  void submit(step_command cmd);

 private:
  void run();
  void hand_over();  // on the reactor

  std::unique_ptr<engine> engine_;
  boost::asio::any_io_executor reactor_;
  results_handler on_results_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::vector<step_command> inbox_;   // guarded by mutex_
  std::vector<step_result> outbox_;   // guarded by mutex_
  std::size_t unprocessed_ = 0;       // results published, not yet through on_results_; guarded
  bool handover_posted_ = false;      // guarded by mutex_
  bool stopping_ = false;             // guarded by mutex_
  // Read by a posted hand-over, which may run after this object is gone; reactor thread only.
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
  std::thread thread_;  // last: starts after every member it uses exists
};

}  // namespace gw
