#include "engine/engine_worker.hpp"

#include <boost/asio/post.hpp>
#include <chrono>

namespace gw {

engine_worker::engine_worker(std::unique_ptr<engine> e, boost::asio::any_io_executor reactor)
    : engine_(std::move(e)), reactor_(std::move(reactor)), thread_([this] { run(); }) {}

engine_worker::~engine_worker() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_one();
  thread_.join();
}

void engine_worker::run_step(step_command cmd, result_handler on_result) {
  {
    std::lock_guard lock(mutex_);
    pending_.emplace(std::move(cmd), std::move(on_result));
  }
  wake_.notify_one();
}

void engine_worker::run() {
  using clock = std::chrono::steady_clock;
  // Steps are paced against the previous step's deadline, not against "now", so the reactor's
  // round trip between steps does not stretch the modeled step time.
  clock::time_point deadline = clock::now();
  std::unique_lock lock(mutex_);
  for (;;) {
    wake_.wait(lock, [this] { return stopping_ || pending_.has_value(); });
    if (stopping_) return;
    auto [cmd, on_result] = std::move(*pending_);
    pending_.reset();
    lock.unlock();

    for (auto id : cmd.cancel) engine_->cancel(id);
    for (auto& [id, params] : cmd.admit) engine_->admit(id, std::move(params));
    std::vector<embedding_output> embedded;
    for (const auto& job : cmd.embed) embedded.push_back(engine_->embed(job));
    step_result result = engine_->step();
    result.embeddings = std::move(embedded);

    // Small lags (the hand-off, a late wake-up) are absorbed by the next step; after an idle
    // period or a long stall the rhythm restarts from now instead of bursting to catch up.
    const auto now = clock::now();
    if (deadline + result.pace < now) deadline = now;
    deadline += result.pace;
    lock.lock();
    if (result.pace.count() > 0 && wake_.wait_until(lock, deadline, [this] { return stopping_; }))
      return;
    if (stopping_) return;
    lock.unlock();
    boost::asio::post(reactor_, [cb = std::move(on_result), r = std::move(result)]() mutable {
      cb(std::move(r));
    });
    lock.lock();
  }
}

}  // namespace gw
