#include "engine/engine_worker.hpp"

#include <gtest/gtest.h>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <vector>

namespace gw {
namespace {

using namespace std::chrono_literals;

// What the engine did, counted on the worker thread; the test thread reads it or waits for it.
class engine_counts {
 public:
  std::size_t steps() const {
    std::lock_guard l(m_);
    return steps_;
  }
  std::size_t cancels() const {
    std::lock_guard l(m_);
    return cancels_;
  }
  // Waits until `done(steps, cancels)` holds, for at most five seconds; false if it never did.
  template <class Pred>
  bool wait(Pred done) const {
    std::unique_lock l(m_);
    return changed_.wait_for(l, 5s, [&] { return done(steps_, cancels_); });
  }

  std::size_t count_step() {
    std::lock_guard l(m_);
    changed_.notify_all();
    return ++steps_;
  }
  void count_cancel() {
    std::lock_guard l(m_);
    ++cancels_;
    changed_.notify_all();
  }

 private:
  mutable std::mutex m_;
  mutable std::condition_variable changed_;
  std::size_t steps_ = 0;
  std::size_t cancels_ = 0;
};

// One sequence at a time; every step yields one output whose text is the step's number, so the
// order of hand-over is visible. Counts steps and cancellations where the test thread sees them.
class counting_engine final : public engine {
 public:
  explicit counting_engine(engine_counts& counts, std::chrono::nanoseconds pace = {})
      : counts_(counts), pace_(pace) {}
  void admit(sequence_id id, generation_params p) override { seqs_.push_back({id, p.max_tokens}); }
  void cancel(sequence_id id) override {
    std::erase_if(seqs_, [&](const seq& s) { return s.id == id; });
    counts_.count_cancel();
  }
  bool has_work() const override { return !seqs_.empty(); }
  embedding_output embed(const embedding_job& job) override { return {job.id, {}, 0}; }
  step_result step() override {
    step_result r;
    const auto n = counts_.count_step();
    r.batch_size = seqs_.size();
    r.pace = pace_;
    for (auto& s : seqs_) {
      sequence_output o;
      o.id = s.id;
      o.text = std::to_string(n);
      o.tokens = 1;
      if (--s.left == 0) o.finish = finish_reason::length;
      r.outputs.push_back(std::move(o));
    }
    std::erase_if(seqs_, [](const seq& s) { return s.left == 0; });
    return r;
  }

 private:
  struct seq {
    sequence_id id;
    std::uint32_t left;
  };
  engine_counts& counts_;
  std::chrono::nanoseconds pace_;
  std::vector<seq> seqs_;
};

step_command admit(sequence_id id, std::uint32_t tokens) {
  step_command c;
  generation_params p;
  p.max_tokens = tokens;
  c.admit.emplace_back(id, std::move(p));
  return c;
}

struct engine_worker_test : ::testing::Test {
  boost::asio::io_context ioc;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work{ioc.get_executor()};
  engine_counts counts;
  std::vector<std::string> texts;  // every output, in hand-over order
  std::size_t handovers = 0;
  std::vector<std::chrono::steady_clock::time_point> ended;

  engine_worker::results_handler collect() {
    return [this](std::vector<step_result>& rs) {
      ++handovers;
      for (auto& r : rs) {
        ended.push_back(r.ended);
        for (auto& o : r.outputs) texts.push_back(o.text);
      }
    };
  }
  template <class Pred>
  bool drive(Pred done) {
    const auto deadline = std::chrono::steady_clock::now() + 5s;
    while (!done() && std::chrono::steady_clock::now() < deadline) ioc.run_one_for(10ms);
    return done();
  }
};

TEST_F(engine_worker_test, hands_every_step_over_in_order) {
  engine_worker w(std::make_unique<counting_engine>(counts), ioc.get_executor(), collect());
  w.submit(admit(1, 200));
  ASSERT_TRUE(drive([&] { return texts.size() == 200; }));
  for (std::size_t i = 0; i < texts.size(); ++i) EXPECT_EQ(texts[i], std::to_string(i + 1));
  EXPECT_EQ(counts.steps(), 200u);  // no step without a sequence
  EXPECT_TRUE(std::is_sorted(ended.begin(), ended.end()));
}

TEST_F(engine_worker_test, runs_at_most_max_run_ahead_steps_past_a_reactor_that_does_not_run) {
  std::size_t steps_at_handover = 0;
  engine_worker w(std::make_unique<counting_engine>(counts), ioc.get_executor(), [&](std::vector<step_result>& rs) {
    steps_at_handover = counts.steps();
    collect()(rs);
  });
  w.submit(admit(1, 1'000'000));
  // Nothing runs the reactor: the thread must stop at the bound, not run on.
  ASSERT_TRUE(counts.wait([](std::size_t steps, std::size_t) { return steps >= engine_worker::max_run_ahead; }));
  // When the reactor first runs, the thread has begun exactly max_run_ahead steps: a thread
  // that ignored the bound would be far past it (an unpaced engine steps in microseconds).
  ioc.run_one_for(1s);
  EXPECT_EQ(handovers, 1u);
  EXPECT_EQ(steps_at_handover, engine_worker::max_run_ahead);
  // One hand-over takes every result published by then: a step's result is published before
  // the next step begins, so all but the last step's (maybe still on its way) are in.
  EXPECT_GE(texts.size(), engine_worker::max_run_ahead - 1);
  EXPECT_LE(texts.size(), engine_worker::max_run_ahead);
  // The hand-over lets the thread go on.
  ASSERT_TRUE(drive([&] { return counts.steps() > 2 * engine_worker::max_run_ahead; }));
}

TEST_F(engine_worker_test, a_command_queued_in_a_handover_reaches_the_next_step) {
  engine_worker* self = nullptr;
  bool cancelled = false;
  std::size_t seen_at_cancel = 0;
  engine_worker w(std::make_unique<counting_engine>(counts), ioc.get_executor(), [&](std::vector<step_result>& rs) {
    for (auto& r : rs)
      for (auto& o : r.outputs) texts.push_back(o.text);
    if (!cancelled && texts.size() >= 5) {
      cancelled = true;
      seen_at_cancel = texts.size();
      step_command c;
      c.cancel.push_back(1);
      self->submit(std::move(c));
    }
  });
  self = &w;
  w.submit(admit(1, 1'000'000));
  ASSERT_TRUE(drive([&] { return cancelled; }));
  // The engine goes idle: the cancellation arrived within the bound; with no sequence left the
  // thread steps no more, so every step it ran is handed over and the count stays.
  ASSERT_TRUE(counts.wait([](std::size_t, std::size_t cancels) { return cancels == 1; }));
  const std::size_t steps = counts.steps();
  ASSERT_TRUE(drive([&] { return texts.size() == steps; }));
  EXPECT_EQ(counts.steps(), steps);
  EXPECT_LE(steps, seen_at_cancel + engine_worker::max_run_ahead + 1);
}

TEST_F(engine_worker_test, a_paced_engine_waits_for_the_reactor_between_steps) {
  engine_worker* self = nullptr;
  engine_worker w(std::make_unique<counting_engine>(counts, 1ms), ioc.get_executor(), [&](std::vector<step_result>& rs) {
    EXPECT_EQ(rs.size(), 1u);  // one result per hand-over: the thread never ran ahead
    for (auto& r : rs)
      for (auto& o : r.outputs) texts.push_back(o.text);
    if (texts.size() == 3) {
      step_command c;
      c.cancel.push_back(1);
      self->submit(std::move(c));
    }
  });
  self = &w;
  w.submit(admit(1, 1'000'000));
  ASSERT_TRUE(drive([&] { return texts.size() >= 3; }));
  ASSERT_TRUE(counts.wait([](std::size_t, std::size_t cancels) { return cancels == 1; }));
  // The cancellation decided on step 3's result came before step 4: there was no step 4.
  EXPECT_EQ(counts.steps(), 3u);
  EXPECT_EQ(texts.size(), 3u);
}

TEST_F(engine_worker_test, paced_steps_keep_their_rhythm) {
  engine_worker w(std::make_unique<counting_engine>(counts, 2ms), ioc.get_executor(), collect());
  w.submit(admit(1, 10));
  ASSERT_TRUE(drive([&] { return texts.size() == 10; }));
  // Each step ends at its deadline, at least one pace after the previous one, however early the
  // reactor took the results.
  ASSERT_EQ(ended.size(), 10u);
  for (std::size_t i = 1; i < ended.size(); ++i) EXPECT_GE(ended[i] - ended[i - 1], 2ms);
}

TEST_F(engine_worker_test, destruction_stops_a_thread_that_runs_ahead) {
  {
    engine_worker w(std::make_unique<counting_engine>(counts), ioc.get_executor(), collect());
    w.submit(admit(1, 1'000'000));
    // A result is posted before the next step begins: by step 3 a hand-over waits in the queue.
    ASSERT_TRUE(counts.wait([](std::size_t steps, std::size_t) { return steps >= 3; }));
  }
  // The posted hand-over runs after the worker is gone and must not touch it.
  EXPECT_GE(ioc.poll(), 1u);
  EXPECT_EQ(handovers, 0u);
  EXPECT_TRUE(texts.empty());
}

}  // namespace
}  // namespace gw
