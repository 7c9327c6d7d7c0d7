// sim_pool across threads: every replica runs its sim engine on its own thread, paces each step
// in wall time and posts the step's result to the reactor. These tests run that hand-off with
// real (short) waits, so that ThreadSanitizer (.ci/sanitizers.sh) sees the worker threads, the
// pacing wait and its interruption, and the posts arriving while the reactor submits and cancels.
#include "engine/sim_pool.hpp"

#include <gtest/gtest.h>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <chrono>
#include <memory>
#include <string>
#include <variant>
#include <vector>

namespace gw {
namespace {

using namespace std::chrono_literals;

// The default timing model at 1/100 of real time: steps of about 0.15 ms, first tokens after
// about 0.5 ms, so a test waits for real without waiting long.
sim_timing fast_timing(double time_scale = 0.01) {
  sim_timing t;
  t.time_scale = time_scale;
  t.embedding_dimensions = 8;
  return t;
}

batcher_config batching(std::size_t max_batch_size) {
  batcher_config c;
  c.limits.max_batch_size = max_batch_size;
  c.max_queue_wait = 10s;
  return c;
}

generation_params params(std::string prompt, std::uint32_t max_tokens) {
  generation_params p;
  p.prompt = std::move(prompt);
  p.prompt_tokens = 4;
  p.max_tokens = max_tokens;
  p.ignore_eos = true;  // every sequence runs its full length, so the counts below are exact
  return p;
}

class sim_pool_test : public ::testing::Test {
 protected:
  std::shared_ptr<token_stream> submit(sim_pool& pool, std::string prompt, std::uint32_t max_tokens) {
    local_request r;
    r.params = params(std::move(prompt), max_tokens);
    auto v = pool.submit(std::move(r), 0);
    auto* s = std::get_if<std::shared_ptr<token_stream>>(&v);
    EXPECT_TRUE(s) << "submit refused";
    return s ? *s : nullptr;
  }

  // Runs the reactor until `done()` holds, for at most `limit`; false if it never did.
  template <class Pred>
  bool drive(Pred done, std::chrono::milliseconds limit = 10s) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (!done()) {
      if (std::chrono::steady_clock::now() >= deadline) return false;
      ioc_.run_one_for(10ms);
    }
    return true;
  }

  // Member order matters: pools (and their timers) are destroyed before the io_context.
  boost::asio::io_context ioc_;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work_{ioc_.get_executor()};
};

TEST_F(sim_pool_test, streams_and_embeddings_on_every_replica_complete) {
  sim_pool pool(ioc_.get_executor(), fast_timing(), 2, batching(4), {});
  std::vector<std::shared_ptr<token_stream>> streams;
  for (int i = 0; i < 6; ++i) streams.push_back(submit(pool, "prompt " + std::to_string(i), 20));
  auto v = pool.submit_embedding({"a", "bb"}, 0);
  auto* embedded = std::get_if<std::shared_ptr<embedding_result>>(&v);
  ASSERT_TRUE(embedded);
  auto ended = [&] {
    for (const auto& s : streams)
      if (!s->ended()) return false;
    return (*embedded)->done();
  };
  ASSERT_TRUE(drive(ended));
  for (const auto& s : streams) {
    const stream_delta d = s->take();
    EXPECT_FALSE(d.error);
    EXPECT_EQ(d.finish, finish_reason::length);
    EXPECT_EQ(s->completion_tokens(), 20u);
  }
  ASSERT_TRUE((*embedded)->output());
  EXPECT_EQ((*embedded)->output()->vectors.size(), 2u);
  EXPECT_TRUE(drive([&] { return pool.load().active == 0; }));
}

TEST_F(sim_pool_test, a_cancelled_stream_frees_its_slot_for_the_next) {
  sim_pool pool(ioc_.get_executor(), fast_timing(), 1, batching(1), {});
  auto endless = submit(pool, "endless", 200'000);
  auto next = submit(pool, "next", 5);  // queued: the only slot is taken
  ASSERT_TRUE(drive([&] { return endless->completion_tokens() >= 3; }));
  EXPECT_EQ(next->completion_tokens(), 0u);
  endless->cancel();
  ASSERT_TRUE(drive([&] { return next->ended(); }));
  EXPECT_EQ(next->completion_tokens(), 5u);
}

// Destroying the pool while its engines wait out a step must stop them at once, and results
// they posted before that must be dropped when the reactor runs them later.
TEST_F(sim_pool_test, destruction_interrupts_paced_steps) {
  // Real time, with decode steps of a minute: once the first tokens (the prefill's, 50 ms) are
  // in, every worker is inside a pacing wait that only an interruption ends early.
  sim_timing slow = fast_timing(1.0);
  slow.decode_base_s = 60;
  auto pool = std::make_unique<sim_pool>(ioc_.get_executor(), slow, 2, batching(8), batcher_observer{});
  std::vector<std::shared_ptr<token_stream>> streams;
  for (int i = 0; i < 4; ++i) streams.push_back(submit(*pool, "slow " + std::to_string(i), 50'000));
  ASSERT_TRUE(drive([&] { return streams[0]->completion_tokens() > 0; }));
  pool->shut_down();
  for (const auto& s : streams) EXPECT_TRUE(s->ended());
  const auto before = std::chrono::steady_clock::now();
  pool.reset();  // joins the engine threads
  // The bound is a tenth of the step being waited out: only a wait left to run its course, not
  // a slow machine, comes near it.
  EXPECT_LT(std::chrono::steady_clock::now() - before, 6s);
  ioc_.poll();  // whatever the workers posted before they stopped
}

}  // namespace
}  // namespace gw
