#include "engine/engine_worker.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <chrono>
#include <thread>
#include <vector>

namespace gw {
namespace {

using namespace std::chrono_literals;

// One sequence at a time; every step yields one output whose text is the step's number, so the
// order of hand-over is visible. Counts steps where the test thread can read them.
class counting_engine final : public engine {
 public:
  explicit counting_engine(std::atomic<std::size_t>& steps, std::chrono::nanoseconds pace = {})
      : steps_(steps), pace_(pace) {}
  void admit(sequence_id id, generation_params p) override { seqs_.push_back({id, p.max_tokens}); }
  void cancel(sequence_id id) override { std::erase_if(seqs_, [&](const seq& s) { return s.id == id; }); }
  bool has_work() const override { return !seqs_.empty(); }
  embedding_output embed(const embedding_job& job) override { return {job.id, {}, 0}; }
  step_result step() override {
    step_result r;
    const auto n = ++steps_;
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
  std::atomic<std::size_t>& steps_;
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
  std::atomic<std::size_t> steps{0};
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
  engine_worker w(std::make_unique<counting_engine>(steps), ioc.get_executor(), collect());
  w.submit(admit(1, 200));
  ASSERT_TRUE(drive([&] { return texts.size() == 200; }));
  for (std::size_t i = 0; i < texts.size(); ++i) EXPECT_EQ(texts[i], std::to_string(i + 1));
  EXPECT_EQ(steps.load(), 200u);  // no step without a sequence
  EXPECT_TRUE(std::is_sorted(ended.begin(), ended.end()));
}

TEST_F(engine_worker_test, runs_at_most_max_run_ahead_steps_past_a_reactor_that_does_not_run) {
  engine_worker w(std::make_unique<counting_engine>(steps), ioc.get_executor(), collect());
  w.submit(admit(1, 1'000'000));
  // Nothing runs the reactor: the thread must stop at the bound, not run on.
  const auto deadline = std::chrono::steady_clock::now() + 5s;
  while (steps.load() < engine_worker::max_run_ahead && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(1ms);
  std::this_thread::sleep_for(50ms);
  EXPECT_EQ(steps.load(), engine_worker::max_run_ahead);
  // One hand-over takes them all, in one handler, and lets the thread go on.
  ioc.run_one_for(1s);
  EXPECT_EQ(handovers, 1u);
  EXPECT_EQ(texts.size(), engine_worker::max_run_ahead);
  ASSERT_TRUE(drive([&] { return steps.load() > 2 * engine_worker::max_run_ahead; }));
}

TEST_F(engine_worker_test, a_command_queued_in_a_handover_reaches_the_next_step) {
  engine_worker* self = nullptr;
  bool cancelled = false;
  std::size_t seen_at_cancel = 0;
  engine_worker w(std::make_unique<counting_engine>(steps), ioc.get_executor(), [&](std::vector<step_result>& rs) {
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
  // The engine goes idle: the cancellation arrived within the bound, then no more steps.
  std::size_t before = 0;
  for (int i = 0; i < 50 && before != steps.load(); ++i) {
    before = steps.load();
    ioc.run_for(10ms);
  }
  EXPECT_EQ(steps.load(), before);
  EXPECT_LE(steps.load(), seen_at_cancel + engine_worker::max_run_ahead + 1);
}

TEST_F(engine_worker_test, a_paced_engine_waits_for_the_reactor_between_steps) {
  engine_worker* self = nullptr;
  engine_worker w(std::make_unique<counting_engine>(steps, 1ms), ioc.get_executor(), [&](std::vector<step_result>& rs) {
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
  ioc.run_for(30ms);
  // The cancellation decided on step 3's result came before step 4: there was no step 4.
  EXPECT_EQ(steps.load(), 3u);
  EXPECT_EQ(texts.size(), 3u);
}

TEST_F(engine_worker_test, paced_steps_keep_their_rhythm) {
  engine_worker w(std::make_unique<counting_engine>(steps, 2ms), ioc.get_executor(), collect());
  w.submit(admit(1, 10));
  ASSERT_TRUE(drive([&] { return texts.size() == 10; }));
  // Each step ends at its deadline, at least one pace after the previous one, however early the
  // reactor took the results.
  ASSERT_EQ(ended.size(), 10u);
  for (std::size_t i = 1; i < ended.size(); ++i) EXPECT_GE(ended[i] - ended[i - 1], 2ms);
}

TEST_F(engine_worker_test, destruction_stops_a_thread_that_runs_ahead) {
  {
    engine_worker w(std::make_unique<counting_engine>(steps), ioc.get_executor(), collect());
    w.submit(admit(1, 1'000'000));
    while (steps.load() < 3) std::this_thread::sleep_for(1ms);
  }
  // The posted hand-over runs after the worker is gone and must not touch it.
  ioc.run_for(20ms);
  EXPECT_EQ(handovers, 0u);
}

}  // namespace
}  // namespace gw
