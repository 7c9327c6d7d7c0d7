#include "engine/engine_worker.hpp"

#include <boost/asio/post.hpp>
#include <chrono>

namespace gw {

engine_worker::engine_worker(std::unique_ptr<engine> e, boost::asio::any_io_executor reactor,
                             results_handler on_results)
    : engine_(std::move(e)), reactor_(std::move(reactor)), on_results_(std::move(on_results)),
      thread_([this] { run(); }) {}

engine_worker::~engine_worker() {
  *alive_ = false;
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_one();
  thread_.join();
}

void engine_worker::submit(step_command cmd) {
  {
    std::lock_guard lock(mutex_);
    inbox_.push_back(std::move(cmd));
  }
  wake_.notify_one();  // no system call unless the thread waits
}

void engine_worker::hand_over() {
  std::vector<step_result> results;
  {
    std::lock_guard lock(mutex_);
    results.swap(outbox_);
    handover_posted_ = false;
  }
  on_results_(results);  // may submit(): the thread, woken below, finds the command at once
  {
    std::lock_guard lock(mutex_);
    unprocessed_ -= results.size();
  }
  wake_.notify_one();
}

void engine_worker::run() {
  using clock = std::chrono::steady_clock;
  // Steps are paced against the previous step's deadline, not against "now", so the time the
  // thread spends publishing does not stretch the modeled step time.
  clock::time_point deadline = clock::now();
  std::vector<step_command> commands;
  bool busy = false;  // the engine has sequences: step without waiting for a command
  // After a paced step the thread waits until the reactor has seen its result, as a lock-step
  // loop would: the admissions and cancellations decided on it then join the very next step,
  // and the wait costs nothing against the step's own length. Unpaced steps run ahead.
  std::size_t ahead = max_run_ahead;
  std::unique_lock lock(mutex_);
  for (;;) {
    wake_.wait(lock, [&] { return stopping_ || ((busy || !inbox_.empty()) && unprocessed_ < ahead); });
    if (stopping_) return;
    commands.swap(inbox_);
    lock.unlock();

    std::vector<embedding_output> embedded;
    for (auto& cmd : commands) {
      for (auto id : cmd.cancel) engine_->cancel(id);
      for (auto& [id, params] : cmd.admit) engine_->admit(id, std::move(params));
      for (const auto& job : cmd.embed) embedded.push_back(engine_->embed(job));
    }
    commands.clear();
    if (!engine_->has_work() && embedded.empty()) {  // only cancellations: nothing to step
      busy = false;
      lock.lock();
      continue;
    }
    step_result result = engine_->step();
    result.embeddings = std::move(embedded);
    busy = engine_->has_work();
    ahead = result.pace.count() > 0 ? 1 : max_run_ahead;

    // Small lags (a late wake-up, a reactor that fell behind) are absorbed by the next step;
    // after an idle period or a long stall the rhythm restarts from now instead of bursting to
    // catch up.
    const auto now = clock::now();
    if (deadline + result.pace < now) deadline = now;
    deadline += result.pace;
    lock.lock();
    if (result.pace.count() > 0 && wake_.wait_until(lock, deadline, [this] { return stopping_; })) return;
    if (stopping_) return;
    result.ended = result.pace.count() > 0 ? deadline : now;
    outbox_.push_back(std::move(result));
    ++unprocessed_;
    if (std::exchange(handover_posted_, true)) continue;  // the hand-over already queued takes it
    lock.unlock();
    boost::asio::post(reactor_, [this, alive = alive_] {
      if (*alive) hand_over();
    });
    lock.lock();
  }
}

}  // namespace gw
