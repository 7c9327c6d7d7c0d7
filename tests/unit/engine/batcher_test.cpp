#include "engine/batcher.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <chrono>
#include <condition_variable>
#include <exception>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace gw {
namespace {

using namespace std::chrono_literals;

// What the fake engines saw. Written on the workers' threads, read on the test thread.
struct engine_log {
  mutable std::mutex m;
  std::condition_variable stepped;  // notified at each step
  std::vector<std::string> admitted;  // prompts, in admission order
  std::map<sequence_id, std::string> prompt_of;
  std::vector<sequence_id> cancelled;
  std::map<sequence_id, std::size_t> steps_before_cancel;  // engine steps run before cancel(id)
  std::vector<std::size_t> batch_sizes;                   // sequences in each step
  std::uint64_t max_held_tokens = 0;                      // most tokens reserved in one step
  std::size_t steps = 0;
  std::map<std::string, std::size_t> embedded_in_step;  // first input of a job -> step number

  std::vector<std::string> admitted_prompts() const {
    std::lock_guard l(m);
    return admitted;
  }
  bool was_cancelled(const std::string& prompt) const {
    std::lock_guard l(m);
    for (auto id : cancelled)
      if (prompt_of.at(id) == prompt) return true;
    return false;
  }
  std::size_t steps_before_cancel_of(const std::string& prompt) const {
    std::lock_guard l(m);
    for (auto& [id, n] : steps_before_cancel)
      if (prompt_of.at(id) == prompt) return n;
    return SIZE_MAX;
  }
  std::size_t steps_run() const {
    std::lock_guard l(m);
    return steps;
  }
  // Waits until the engines have begun `n` steps in all, for at most five seconds.
  bool wait_for_steps(std::size_t n) {
    std::unique_lock l(m);
    return stepped.wait_for(l, 5s, [&] { return steps >= n; });
  }
  std::size_t max_batch() const {
    std::lock_guard l(m);
    return batch_sizes.empty() ? 0 : *std::max_element(batch_sizes.begin(), batch_sizes.end());
  }
  std::uint64_t max_held() const {
    std::lock_guard l(m);
    return max_held_tokens;
  }
};

// A deterministic engine: every sequence yields one token ("t1 ", "t2 ", ...) per step and
// finishes with `length` after max_tokens of them; a prompt of "fail" fails on its first step.
// Steps never wait (pace 0).
class fake_engine final : public engine {
 public:
  explicit fake_engine(std::shared_ptr<engine_log> log) : log_(std::move(log)) {}

  void admit(sequence_id id, generation_params params) override {
    std::lock_guard l(log_->m);
    log_->admitted.push_back(params.prompt);
    log_->prompt_of[id] = params.prompt;
    seqs_[id] = {0, params.max_tokens, std::uint64_t{params.prompt_tokens} + std::uint64_t{params.n} * params.max_tokens,
                 params.prompt == "fail"};
  }
  void cancel(sequence_id id) override {
    std::lock_guard l(log_->m);
    log_->cancelled.push_back(id);
    log_->steps_before_cancel[id] = log_->steps;
    seqs_.erase(id);
  }
  bool has_work() const override { return !seqs_.empty(); }
  embedding_output embed(const embedding_job& job) override {
    std::lock_guard l(log_->m);
    log_->embedded_in_step[job.inputs.at(0)] = log_->steps;  // embed() precedes that step()
    embedding_output out;
    out.id = job.id;
    for (const auto& text : job.inputs) out.vectors.push_back({static_cast<float>(text.size())});
    out.tokens = static_cast<std::uint32_t>(job.inputs.size());
    return out;
  }

  step_result step() override {
    std::lock_guard l(log_->m);
    ++log_->steps;
    log_->stepped.notify_all();
    log_->batch_sizes.push_back(seqs_.size());
    std::uint64_t held = 0;
    for (auto& [id, s] : seqs_) held += s.reserved;
    log_->max_held_tokens = std::max(log_->max_held_tokens, held);

    step_result r;
    r.batch_size = seqs_.size();
    for (auto it = seqs_.begin(); it != seqs_.end();) {
      auto& s = it->second;
      if (s.fails) {
        r.failed.push_back(it->first);
        it = seqs_.erase(it);
        continue;
      }
      sequence_output o;
      o.id = it->first;
      o.text = "t" + std::to_string(++s.produced) + " ";
      o.tokens = 1;
      if (s.produced >= s.length) o.finish = finish_reason::length;
      r.outputs.push_back(std::move(o));
      it = s.produced >= s.length ? seqs_.erase(it) : std::next(it);
    }
    return r;
  }

 private:
  struct seq {
    std::uint32_t produced;
    std::uint32_t length;
    std::uint64_t reserved;
    bool fails;
  };
  std::shared_ptr<engine_log> log_;
  std::map<sequence_id, seq> seqs_;
};

// Long enough that it cannot finish while a test looks at it; such sequences are cancelled.
constexpr std::uint32_t forever = 100'000'000;

class batcher_test : public ::testing::Test {
 protected:
  void start(batcher_config cfg, std::size_t engines = 1, batcher_observer obs = {}) {
    std::vector<std::unique_ptr<engine>> es;
    for (std::size_t i = 0; i < engines; ++i) es.push_back(std::make_unique<fake_engine>(log_));
    b_ = std::make_unique<batcher>(ioc_.get_executor(), cfg, std::move(es), std::move(obs));
  }

  static batcher_config config(std::size_t max_batch, std::uint64_t budget = 1'000'000'000,
                               std::size_t max_queued = 64,
                               std::chrono::milliseconds max_wait = 60s) {
    batcher_config c;
    c.limits.max_batch_size = max_batch;
    c.limits.token_budget = budget;
    c.max_queued = max_queued;
    c.max_queue_wait = max_wait;
    return c;
  }

  static generation_params params(std::string prompt, std::uint32_t max_tokens,
                                  std::uint32_t prompt_tokens = 0) {
    generation_params p;
    p.prompt = std::move(prompt);
    p.prompt_tokens = prompt_tokens;
    p.max_tokens = max_tokens;
    return p;
  }

  std::shared_ptr<token_stream> submit(std::string prompt, std::uint32_t max_tokens, int priority = 0,
                                       std::uint32_t prompt_tokens = 0) {
    auto v = b_->submit(params(std::move(prompt), max_tokens, prompt_tokens), priority);
    auto* s = std::get_if<std::shared_ptr<token_stream>>(&v);
    EXPECT_TRUE(s) << "submit refused";
    return s ? *s : nullptr;
  }

  // Runs the reactor until `done()` holds, for at most `limit`; false if it never did.
  template <class Pred>
  bool drive(Pred done, std::chrono::milliseconds limit = 5s) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (!done()) {
      if (std::chrono::steady_clock::now() >= deadline) return false;
      ioc_.run_one_for(10ms);
    }
    return true;
  }

  static bool all_ended(const std::vector<std::shared_ptr<token_stream>>& ss) {
    return std::all_of(ss.begin(), ss.end(), [](const auto& s) { return s->ended(); });
  }

  // Member order matters: the batcher (and its timers) go before the io_context.
  boost::asio::io_context ioc_;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work_{ioc_.get_executor()};
  std::shared_ptr<engine_log> log_ = std::make_shared<engine_log>();
  std::unique_ptr<batcher> b_;
};

TEST_F(batcher_test, finish_delivers_every_token_then_ends) {
  start(config(4));
  auto s = submit("p", 5);
  std::vector<stream_delta> deltas;
  bool consumer_done = false;
  boost::asio::co_spawn(
      ioc_,
      [&]() -> boost::asio::awaitable<void> {
        for (;;) {
          co_await s->wait();
          deltas.push_back(s->take());
          if (deltas.back().finish || deltas.back().error) co_return;
        }
      },
      [&](std::exception_ptr e) {
        consumer_done = true;
        if (e) std::rethrow_exception(e);
      });
  ASSERT_TRUE(drive([&] { return consumer_done; }));

  std::string text;
  std::uint32_t tokens = 0;
  for (const auto& d : deltas) {
    text += d.text;
    tokens += d.tokens;
    EXPECT_FALSE(d.error);
  }
  EXPECT_EQ(text, "t1 t2 t3 t4 t5 ");
  EXPECT_EQ(tokens, 5u);
  EXPECT_EQ(deltas.back().finish, finish_reason::length);
  EXPECT_TRUE(s->ended());
  EXPECT_FALSE(s->has_pending());
  EXPECT_EQ(s->completion_tokens(), 5u);
  EXPECT_TRUE(s->first_token_at());
  EXPECT_EQ(b_->active_sequences(), 0u);
  EXPECT_EQ(b_->queue_depth(), 0u);
}

TEST_F(batcher_test, admits_in_priority_order_while_the_engine_is_busy) {
  start(config(1));
  std::vector<std::shared_ptr<token_stream>> ss;
  ss.push_back(submit("busy", 3, 0));  // admitted at once; the rest queue behind it
  ss.push_back(submit("low", 1, 0));
  ss.push_back(submit("high", 1, 5));
  ss.push_back(submit("mid", 1, 1));
  ss.push_back(submit("high-2", 1, 5));
  ss.push_back(submit("low-2", 1, 0));
  EXPECT_EQ(b_->queue_depth(), 5u);
  ASSERT_TRUE(drive([&] { return all_ended(ss); }));
  EXPECT_EQ(log_->admitted_prompts(),
            (std::vector<std::string>{"busy", "high", "high-2", "mid", "low", "low-2"}));
}

TEST_F(batcher_test, never_exceeds_max_batch_size) {
  std::vector<std::size_t> observed;
  batcher_observer obs;
  obs.step_batch = [&](std::size_t n) { observed.push_back(n); };
  start(config(3), 1, obs);
  std::vector<std::shared_ptr<token_stream>> ss;
  for (std::uint32_t i = 0; i < 12; ++i) ss.push_back(submit("s" + std::to_string(i), 1 + i % 5));
  ASSERT_TRUE(drive([&] { return all_ended(ss); }));
  EXPECT_EQ(log_->max_batch(), 3u);  // the limit is reached, never passed
  ASSERT_FALSE(observed.empty());
  EXPECT_LE(*std::max_element(observed.begin(), observed.end()), 3u);
  for (const auto& s : ss) EXPECT_EQ(s->take().finish, finish_reason::length);
  EXPECT_EQ(log_->admitted_prompts().size(), 12u);
  EXPECT_EQ(b_->active_sequences(), 0u);
}

TEST_F(batcher_test, respects_the_token_budget) {
  start(config(16, 100));
  std::vector<std::shared_ptr<token_stream>> ss;
  // 30 prompt + 10 new tokens = 40 reserved each: two fit in 100, a third does not.
  for (int i = 0; i < 6; ++i) ss.push_back(submit("s" + std::to_string(i), 10, 0, 30));
  ASSERT_TRUE(drive([&] { return all_ended(ss); }));
  EXPECT_LE(log_->max_held(), 100u);
  EXPECT_EQ(log_->max_batch(), 2u);
  EXPECT_EQ(b_->active_sequences(), 0u);
}

TEST_F(batcher_test, n_choices_reserve_their_tokens_each) {
  start(config(16, 100));
  std::vector<std::shared_ptr<token_stream>> ss;
  // 30 prompt + 2 choices x 10 new tokens = 50 reserved each: two fit in 100, a third does not.
  for (int i = 0; i < 4; ++i) {
    auto p = params("s" + std::to_string(i), 10, 30);
    p.n = 2;
    auto v = b_->submit(std::move(p), 0);
    ASSERT_TRUE(std::holds_alternative<std::shared_ptr<token_stream>>(v));
    ss.push_back(std::get<std::shared_ptr<token_stream>>(v));
  }
  ASSERT_TRUE(drive([&] { return all_ended(ss); }));
  EXPECT_LE(log_->max_held(), 100u);
  EXPECT_EQ(log_->max_batch(), 2u);
}

TEST_F(batcher_test, a_head_that_does_not_fit_is_not_skipped) {
  start(config(16, 100));
  std::vector<std::shared_ptr<token_stream>> ss;
  ss.push_back(submit("a", 10, 0, 50));  // 60 reserved, admitted at once
  ss.push_back(submit("big", 10, 0, 40));   // 50: waits for "a"
  ss.push_back(submit("small", 10, 0, 0));  // 10 would fit beside "a", but queues behind "big"
  ASSERT_TRUE(drive([&] { return all_ended(ss); }));
  EXPECT_EQ(log_->admitted_prompts(), (std::vector<std::string>{"a", "big", "small"}));
  EXPECT_LE(log_->max_held(), 100u);
}

TEST_F(batcher_test, refuses_with_queue_full_and_a_retry_after) {
  start(config(1, 1'000'000'000, 2));
  auto running = submit("running", forever);
  auto q1 = submit("q1", 1);
  auto q2 = submit("q2", 1);
  EXPECT_EQ(b_->queue_depth(), 2u);
  auto v = b_->submit(params("refused", 1), 100);  // priority does not bypass the bound
  auto* refusal = std::get_if<submit_refusal>(&v);
  ASSERT_TRUE(refusal);
  EXPECT_EQ(refusal->error, engine_errc::queue_full);
  EXPECT_GE(refusal->retry_after_s, 1u);
  EXPECT_LE(refusal->retry_after_s, 60u);
  EXPECT_EQ(b_->queue_depth(), 2u);
  running->cancel();
  ASSERT_TRUE(drive([&] { return q1->ended() && q2->ended(); }));
  for (const auto& p : log_->admitted_prompts()) EXPECT_NE(p, "refused");
}

TEST_F(batcher_test, queued_past_max_queue_wait_fails_with_queue_timeout) {
  start(config(1, 1'000'000'000, 64, 30ms));
  auto running = submit("running", forever);
  auto waiting = submit("waiting", 1);
  ASSERT_TRUE(drive([&] { return waiting->ended(); }));
  const auto d = waiting->take();
  ASSERT_TRUE(d.error);
  EXPECT_EQ(*d.error, engine_errc::queue_timeout);
  EXPECT_GE(d.retry_after_s, 1u);
  EXPECT_EQ(d.tokens, 0u);
  EXPECT_EQ(b_->queue_depth(), 0u);
  EXPECT_FALSE(running->ended());  // admitted sequences have no queue deadline

  running->cancel();
  ASSERT_TRUE(drive([&] { return b_->active_sequences() == 0; }));
  for (const auto& p : log_->admitted_prompts()) EXPECT_NE(p, "waiting");
}

TEST_F(batcher_test, cancel_reaches_the_engine_within_one_step_and_frees_the_permit) {
  start(config(4));
  auto s = submit("victim", forever);
  auto other = submit("other", forever);
  ASSERT_TRUE(drive([&] { return s->completion_tokens() >= 3; }));
  EXPECT_EQ(b_->active_sequences(), 2u);

  // The engine (unpaced) may be as far ahead of the reactor as its worker allows, and finishes
  // the step it is in; then the cancellation is applied.
  const std::size_t steps_at_cancel = log_->steps_run();
  s->cancel();
  ASSERT_TRUE(drive([&] { return log_->was_cancelled("victim"); }));
  EXPECT_LE(log_->steps_before_cancel_of("victim"), steps_at_cancel + engine_worker::max_run_ahead + 1);
  EXPECT_EQ(b_->active_sequences(), 1u);
  EXPECT_FALSE(s->ended());  // a cancelled stream is simply abandoned
  EXPECT_FALSE(log_->was_cancelled("other"));

  // A lease going away cancels too; then the engine goes idle with every permit back.
  { stream_lease lease(std::move(other)); }
  ASSERT_TRUE(drive([&] { return log_->was_cancelled("other"); }));
  EXPECT_EQ(b_->active_sequences(), 0u);
  ioc_.run_for(20ms);
  const std::size_t idle_steps = log_->steps_run();
  ioc_.run_for(20ms);
  EXPECT_EQ(log_->steps_run(), idle_steps) << "an engine without sequences kept stepping";
}

TEST_F(batcher_test, cancelled_while_queued_is_never_admitted) {
  start(config(1));
  auto running = submit("running", 20);
  auto gone = submit("gone", 5);
  auto next = submit("next", 5);
  gone->cancel();
  ASSERT_TRUE(drive([&] { return next->ended(); }));
  EXPECT_EQ(log_->admitted_prompts(), (std::vector<std::string>{"running", "next"}));
  EXPECT_FALSE(gone->ended());
  EXPECT_EQ(b_->queue_depth(), 0u);
  EXPECT_EQ(b_->active_sequences(), 0u);
}

TEST_F(batcher_test, shut_down_fails_queued_and_running_streams) {
  start(config(1));
  auto running = submit("running", forever);
  auto queued = submit("queued", 5);
  ASSERT_TRUE(drive([&] { return running->completion_tokens() >= 1; }));

  b_->shut_down();
  EXPECT_EQ(b_->queue_depth(), 0u);
  EXPECT_EQ(b_->active_sequences(), 0u);
  for (const auto& s : {running, queued}) {
    EXPECT_TRUE(s->ended());
    const auto d = s->take();
    ASSERT_TRUE(d.error);
    EXPECT_EQ(*d.error, engine_errc::shutting_down);
    EXPECT_FALSE(d.finish);
  }
  auto v = b_->submit(params("late", 1), 0);
  auto* refusal = std::get_if<submit_refusal>(&v);
  ASSERT_TRUE(refusal);
  EXPECT_EQ(refusal->error, engine_errc::shutting_down);

  // The step that was in flight lands harmlessly, and nothing more is admitted or stepped.
  ioc_.run_for(20ms);
  EXPECT_FALSE(running->has_pending());
  EXPECT_EQ(log_->admitted_prompts(), (std::vector<std::string>{"running"}));
  const std::size_t steps = log_->steps_run();
  ioc_.run_for(20ms);
  EXPECT_EQ(log_->steps_run(), steps);
}

TEST_F(batcher_test, engine_failure_fails_only_that_stream) {
  start(config(4));
  auto bad = submit("fail", 5);
  auto good = submit("good", 3);
  ASSERT_TRUE(drive([&] { return bad->ended() && good->ended(); }));
  const auto d = bad->take();
  ASSERT_TRUE(d.error);
  EXPECT_EQ(*d.error, engine_errc::engine_failed);
  EXPECT_EQ(good->take().finish, finish_reason::length);
  EXPECT_EQ(b_->active_sequences(), 0u);
}

TEST_F(batcher_test, spreads_work_over_idle_engines) {
  start(config(1), 2);
  auto a = submit("a", forever);
  auto b = submit("b", forever);
  EXPECT_EQ(b_->active_sequences(), 2u);  // each engine took one at once
  EXPECT_EQ(b_->queue_depth(), 0u);
  auto c = submit("c", 1);
  EXPECT_EQ(b_->queue_depth(), 1u);
  a->cancel();
  ASSERT_TRUE(drive([&] { return c->ended(); }));
  EXPECT_EQ(c->take().finish, finish_reason::length);
  b->cancel();
  ASSERT_TRUE(drive([&] { return b_->active_sequences() == 0; }));
}

TEST_F(batcher_test, observer_sees_every_admission) {
  std::size_t queue_waits = 0;
  bool negative_wait = false;
  batcher_observer obs;
  obs.queue_wait = [&](double s) {
    ++queue_waits;
    negative_wait = negative_wait || s < 0;
  };
  start(config(2), 1, obs);
  std::vector<std::shared_ptr<token_stream>> ss;
  for (int i = 0; i < 5; ++i) ss.push_back(submit("s" + std::to_string(i), 2));
  ASSERT_TRUE(drive([&] { return all_ended(ss); }));
  EXPECT_EQ(queue_waits, 5u);
  EXPECT_FALSE(negative_wait);
}

std::shared_ptr<embedding_result> submit_embedding(batcher& b, std::vector<std::string> inputs) {
  auto v = b.submit_embedding(std::move(inputs), 0);
  auto* r = std::get_if<std::shared_ptr<embedding_result>>(&v);
  EXPECT_TRUE(r) << "embedding refused";
  return r ? *r : nullptr;
}

TEST_F(batcher_test, embeddings_that_arrive_during_a_step_share_the_next_one) {
  start(config(4));
  auto first = submit_embedding(*b_, {"a"});  // the idle engine starts a step for it at once
  auto second = submit_embedding(*b_, {"bb", "ccc"});
  auto third = submit_embedding(*b_, {"dddd"});
  ASSERT_TRUE(drive([&] { return first->done() && second->done() && third->done(); }));
  std::map<std::string, std::size_t> step;
  {
    std::lock_guard l(log_->m);
    step = log_->embedded_in_step;
  }
  EXPECT_EQ(step.at("a"), 0u);
  EXPECT_EQ(step.at("bb"), 1u);
  EXPECT_EQ(step.at("dddd"), 1u);  // coalesced with the second job
  // Each request gets its own vectors back, in input order (the fake's vector is {length}).
  ASSERT_TRUE(second->output());
  ASSERT_EQ(second->output()->vectors.size(), 2u);
  EXPECT_EQ(second->output()->vectors[0][0], 2.0f);
  EXPECT_EQ(second->output()->vectors[1][0], 3.0f);
  EXPECT_EQ(third->output()->vectors.at(0).at(0), 4.0f);
}

TEST_F(batcher_test, an_embedding_step_holds_at_most_max_embedding_inputs) {
  auto cfg = config(4);
  cfg.max_embedding_inputs = 2;
  start(cfg);
  auto first = submit_embedding(*b_, {"a"});
  auto second = submit_embedding(*b_, {"bb", "ccc"});
  auto third = submit_embedding(*b_, {"dddd"});
  ASSERT_TRUE(drive([&] { return first->done() && second->done() && third->done(); }));
  std::lock_guard l(log_->m);
  EXPECT_EQ(log_->embedded_in_step.at("bb"), 1u);
  EXPECT_EQ(log_->embedded_in_step.at("dddd"), 2u);  // 2 + 1 inputs would pass the cap
}

TEST_F(batcher_test, embeddings_run_beside_decoding_sequences) {
  start(config(4));
  auto gen = submit("g", forever);
  auto e = submit_embedding(*b_, {"x"});
  ASSERT_TRUE(drive([&] { return e->done(); }));
  ASSERT_TRUE(e->output());
  EXPECT_FALSE(gen->ended());
  gen->cancel();
  ASSERT_TRUE(drive([&] { return b_->active_sequences() == 0; }));
}

TEST_F(batcher_test, shut_down_fails_waiting_embeddings) {
  start(config(4));
  auto gen = submit("g", forever);  // keeps the engine stepping, so the job waits
  auto e = submit_embedding(*b_, {"x"});
  b_->shut_down();
  ASSERT_TRUE(e->done());
  EXPECT_EQ(e->error(), engine_errc::shutting_down);
  auto after = b_->submit_embedding({"y"}, 0);
  ASSERT_TRUE(std::holds_alternative<submit_refusal>(after));
}

// A step result the worker posted just before the batcher was destroyed must be dropped when
// the reactor runs it later, never delivered to freed memory (or to the stream it was for).
TEST(batcher_lifetime, a_result_posted_before_destruction_is_dropped) {
  boost::asio::io_context ioc;
  auto log = std::make_shared<engine_log>();
  std::shared_ptr<token_stream> stream;
  {
    std::vector<std::unique_ptr<engine>> engines;
    engines.push_back(std::make_unique<fake_engine>(log));
    batcher b(ioc.get_executor(), {}, std::move(engines));
    generation_params p;
    p.prompt = "p";
    p.max_tokens = 1000;  // steps on without the reactor, up to the worker's run-ahead bound
    auto submitted = b.submit(p, 0);
    ASSERT_TRUE(std::holds_alternative<std::shared_ptr<token_stream>>(submitted));
    stream = std::get<std::shared_ptr<token_stream>>(submitted);
    // The worker posts a step's result before it starts the next step: once the engine is in
    // its second step, the first result waits in the reactor's queue, which nothing has run.
    ASSERT_TRUE(log->wait_for_steps(2));
  }
  ioc.restart();
  EXPECT_GE(ioc.poll(), 1u);  // the hand-over (and whatever else was queued) ran
  EXPECT_EQ(stream->completion_tokens(), 0u);
  EXPECT_FALSE(stream->has_pending());
}

}  // namespace
}  // namespace gw
