#pragma once
// Runs one engine on its own thread. The reactor hands it a step command (admissions and
// cancellations decided by the batcher); the thread applies it, runs one engine step, waits out
// the step's pace, and posts the whole step's result back to the reactor in one handler.
//
// Thread-safety: run_step() is called on the reactor thread only, and again only after the
// previous command's callback ran (one command in flight). The callback runs on the reactor.
// Destruction stops the thread at once (a pacing wait is interrupted); a result not yet posted
// is discarded.

#include <boost/asio/any_io_executor.hpp>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <utility>
#include <vector>

#include "engine/engine.hpp"

namespace gw {

struct step_command {
  std::vector<std::pair<sequence_id, generation_params>> admit;
  std::vector<sequence_id> cancel;
  std::vector<embedding_job> embed;
};

class engine_worker {
 public:
  using result_handler = std::function<void(step_result)>;

  engine_worker(std::unique_ptr<engine> e, boost::asio::any_io_executor reactor);
  ~engine_worker();
  engine_worker(const engine_worker&) = delete;
  engine_worker& operator=(const engine_worker&) = delete;

  void run_step(step_command cmd, result_handler on_result);

 private:
  void run();

  std::unique_ptr<engine> engine_;
  boost::asio::any_io_executor reactor_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::optional<std::pair<step_command, result_handler>> pending_;  // guarded by mutex_
  bool stopping_ = false;                                           // guarded by mutex_
  std::thread thread_;  // last: starts after every member it uses exists
};

}  // namespace gw
