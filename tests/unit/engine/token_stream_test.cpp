#include "engine/token_stream.hpp"

#include <gtest/gtest.h>

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <exception>
#include <memory>
#include <string>
#include <vector>

namespace gw {
namespace {

class token_stream_test : public ::testing::Test {
 protected:
  // Starts a consumer that waits once; `woke` turns true when wait() completes.
  void spawn_wait(token_stream& s, bool& woke) {
    boost::asio::co_spawn(
        ioc_,
        [&s, &woke]() -> boost::asio::awaitable<void> {
          co_await s.wait();
          woke = true;
        },
        [](std::exception_ptr e) {
          if (e) std::rethrow_exception(e);
        });
  }

  boost::asio::io_context ioc_;  // declared first: streams below hold timers on it
};

TEST_F(token_stream_test, starts_empty_and_not_ended) {
  token_stream s(ioc_.get_executor(), 42);
  EXPECT_FALSE(s.has_pending());
  EXPECT_FALSE(s.ended());
  EXPECT_FALSE(s.cancelled());
  EXPECT_EQ(s.prompt_tokens(), 42u);
  EXPECT_EQ(s.completion_tokens(), 0u);
  EXPECT_FALSE(s.first_token_at());
  const auto d = s.take();
  EXPECT_TRUE(d.text.empty());
  EXPECT_EQ(d.tokens, 0u);
  EXPECT_FALSE(d.finish);
  EXPECT_FALSE(d.error);
}

TEST_F(token_stream_test, two_pushes_before_take_coalesce_into_one_delta) {
  token_stream s(ioc_.get_executor(), 0);
  s.push("Hello", 1, std::nullopt);
  s.push(" world", 2, std::nullopt);
  ASSERT_TRUE(s.has_pending());
  const auto d = s.take();
  EXPECT_EQ(d.text, "Hello world");
  EXPECT_EQ(d.tokens, 3u);
  EXPECT_FALSE(d.finish);
  EXPECT_FALSE(d.error);
  EXPECT_FALSE(s.has_pending());  // take() empties it

  s.push("!", 1, finish_reason::stop);
  const auto e = s.take();
  EXPECT_EQ(e.text, "!");
  EXPECT_EQ(e.tokens, 1u);
  EXPECT_EQ(e.finish, finish_reason::stop);
  EXPECT_EQ(s.completion_tokens(), 4u);  // counts across takes
}

TEST_F(token_stream_test, finish_coalesces_with_pending_text) {
  token_stream s(ioc_.get_executor(), 0);
  s.push("a", 1, std::nullopt);
  s.push("b", 1, finish_reason::length);
  EXPECT_TRUE(s.ended());
  const auto d = s.take();
  EXPECT_EQ(d.text, "ab");
  EXPECT_EQ(d.tokens, 2u);
  EXPECT_EQ(d.finish, finish_reason::length);
  EXPECT_TRUE(s.ended());
  EXPECT_FALSE(s.has_pending());
}

TEST_F(token_stream_test, empty_push_is_pending_only_with_a_finish) {
  token_stream s(ioc_.get_executor(), 0);
  s.push("", 0, std::nullopt);  // e.g. text held back by a stop matcher
  EXPECT_FALSE(s.has_pending());
  s.push("", 0, finish_reason::stop);
  EXPECT_TRUE(s.has_pending());
  EXPECT_EQ(s.take().finish, finish_reason::stop);
}

TEST_F(token_stream_test, nothing_is_accepted_after_the_end) {
  token_stream s(ioc_.get_executor(), 0);
  s.push("x", 1, finish_reason::stop);
  s.take();
  s.push("late", 1, std::nullopt);
  s.fail(engine_errc::engine_failed);
  EXPECT_FALSE(s.has_pending());
  EXPECT_EQ(s.completion_tokens(), 1u);
}

TEST_F(token_stream_test, fail_carries_error_and_retry_after) {
  token_stream s(ioc_.get_executor(), 0);
  s.push("partial", 1, std::nullopt);
  s.fail(engine_errc::queue_timeout, 7);
  EXPECT_TRUE(s.ended());
  s.fail(engine_errc::shutting_down);  // the first failure stands
  const auto d = s.take();
  EXPECT_EQ(d.text, "partial");
  ASSERT_TRUE(d.error);
  EXPECT_EQ(*d.error, engine_errc::queue_timeout);
  EXPECT_EQ(d.retry_after_s, 7u);
  EXPECT_FALSE(d.finish);
}

// Counts the stream made itself (the prompt estimate, one per content event) are not usage
// the producer reported: spend is charged only once set_usage ran.
TEST_F(token_stream_test, usage_is_reported_only_through_set_usage) {
  token_stream s(ioc_.get_executor(), 42);
  s.push("a", 1, std::nullopt);
  s.push("", 0, finish_reason::stop);
  EXPECT_FALSE(s.usage_reported());
  EXPECT_EQ(s.prompt_tokens(), 42u);
  EXPECT_EQ(s.completion_tokens(), 1u);
  s.set_usage(123, 8);
  EXPECT_TRUE(s.usage_reported());
  EXPECT_EQ(s.prompt_tokens(), 123u);
  EXPECT_EQ(s.completion_tokens(), 8u);
}

TEST_F(token_stream_test, records_the_first_token_time) {
  token_stream s(ioc_.get_executor(), 0);
  s.push("", 0, std::nullopt);
  EXPECT_FALSE(s.first_token_at());  // no token yet
  s.push("a", 1, std::nullopt);
  ASSERT_TRUE(s.first_token_at());
  const auto first = *s.first_token_at();
  EXPECT_GE(first, s.created_at());
  s.push("b", 1, std::nullopt);
  EXPECT_EQ(*s.first_token_at(), first);
}

TEST_F(token_stream_test, wait_completes_at_once_when_something_is_pending) {
  token_stream s(ioc_.get_executor(), 0);
  s.push("ready", 1, std::nullopt);
  bool woke = false;
  spawn_wait(s, woke);
  ioc_.poll();
  EXPECT_TRUE(woke);
  EXPECT_EQ(s.take().text, "ready");
}

TEST_F(token_stream_test, wait_suspends_until_a_push) {
  token_stream s(ioc_.get_executor(), 0);
  bool woke = false;
  spawn_wait(s, woke);
  ioc_.poll();
  EXPECT_FALSE(woke);
  s.push("", 0, std::nullopt);  // nothing to take: keeps waiting
  ioc_.poll();
  EXPECT_FALSE(woke);
  boost::asio::post(ioc_, [&] { s.push("tok", 1, std::nullopt); });
  ioc_.poll();
  EXPECT_TRUE(woke);
  EXPECT_EQ(s.take().text, "tok");
}

TEST_F(token_stream_test, wait_wakes_on_failure) {
  token_stream s(ioc_.get_executor(), 0);
  bool woke = false;
  spawn_wait(s, woke);
  ioc_.poll();
  ASSERT_FALSE(woke);
  s.fail(engine_errc::shutting_down);
  ioc_.poll();
  EXPECT_TRUE(woke);
  EXPECT_EQ(s.take().error, engine_errc::shutting_down);
}

TEST_F(token_stream_test, cancelled_consumer_stops_waiting) {
  token_stream s(ioc_.get_executor(), 0);
  boost::asio::cancellation_signal stop;
  bool done = false;
  boost::asio::co_spawn(
      ioc_, [&s]() -> boost::asio::awaitable<void> { co_await s.wait(); },
      boost::asio::bind_cancellation_slot(stop.slot(), [&done](std::exception_ptr) { done = true; }));
  ioc_.poll();
  ASSERT_FALSE(done);
  stop.emit(boost::asio::cancellation_type::terminal);
  ioc_.poll();
  EXPECT_TRUE(done);
  EXPECT_FALSE(s.has_pending());
}

TEST_F(token_stream_test, slow_consumer_sees_fewer_larger_deltas) {
  token_stream s(ioc_.get_executor(), 0);
  std::vector<stream_delta> deltas;
  boost::asio::co_spawn(
      ioc_,
      [&]() -> boost::asio::awaitable<void> {
        for (;;) {
          co_await s.wait();
          deltas.push_back(s.take());
          if (deltas.back().finish || deltas.back().error) co_return;
        }
      },
      [](std::exception_ptr e) {
        if (e) std::rethrow_exception(e);
      });
  ioc_.poll();
  // Ten tokens arrive in two bursts; the consumer only runs between bursts.
  for (int i = 0; i < 5; ++i) s.push(std::to_string(i), 1, std::nullopt);
  ioc_.poll();
  for (int i = 5; i < 10; ++i) s.push(std::to_string(i), 1, i == 9 ? std::optional(finish_reason::length) : std::nullopt);
  ioc_.poll();
  ASSERT_EQ(deltas.size(), 2u);
  EXPECT_EQ(deltas[0].text, "01234");
  EXPECT_EQ(deltas[0].tokens, 5u);
  EXPECT_EQ(deltas[1].text, "56789");
  EXPECT_EQ(deltas[1].finish, finish_reason::length);
}

TEST_F(token_stream_test, cancel_marks_the_stream) {
  token_stream s(ioc_.get_executor(), 0);
  s.cancel();
  EXPECT_TRUE(s.cancelled());
  EXPECT_FALSE(s.ended());  // cancelling is the consumer leaving, not the stream ending
}

TEST_F(token_stream_test, lease_cancels_on_destruction_once_moved) {
  auto s = std::make_shared<token_stream>(ioc_.get_executor(), 3);
  {
    stream_lease lease(s);
    EXPECT_EQ(lease->prompt_tokens(), 3u);
    EXPECT_EQ(&*lease, s.get());
    stream_lease moved(std::move(lease));
    EXPECT_FALSE(s->cancelled());
  }
  EXPECT_TRUE(s->cancelled());

  auto t = std::make_shared<token_stream>(ioc_.get_executor(), 0);
  {
    stream_lease a(t);
    {
      stream_lease b(std::make_shared<token_stream>(ioc_.get_executor(), 0));
      b = std::move(a);  // a moved-from lease cancels nothing
    }
    EXPECT_TRUE(t->cancelled());  // b's destruction cancelled t
  }
}

// A lease that is assigned over gives up its stream; that sequence must not keep its engine slot.
TEST_F(token_stream_test, lease_move_assignment_cancels_the_replaced_stream) {
  auto replaced = std::make_shared<token_stream>(ioc_.get_executor(), 0);
  auto kept = std::make_shared<token_stream>(ioc_.get_executor(), 0);
  stream_lease a(kept);
  stream_lease b(replaced);
  b = std::move(a);
  EXPECT_TRUE(replaced->cancelled());
  EXPECT_FALSE(kept->cancelled());
}

// A consumer stuck writing to a slow reader must not make the stream hold text without bound:
// past the limit the stream overflows, stops accepting text and reads as cancelled to the
// producer, which then drops the sequence.
TEST_F(token_stream_test, pending_text_is_bounded_and_overflow_cancels_the_producer) {
  token_stream s(ioc_.get_executor(), 0);
  s.limit_pending(10);
  s.push("12345", 1, std::nullopt);
  s.push("67890", 1, std::nullopt);
  EXPECT_FALSE(s.overflowed());
  s.push("x", 1, std::nullopt);
  EXPECT_TRUE(s.overflowed());
  EXPECT_TRUE(s.cancelled());
  s.push("more", 1, std::nullopt);
  EXPECT_EQ(s.take().text, "1234567890");
  bool woke = false;
  spawn_wait(s, woke);
  ioc_.run();
  EXPECT_TRUE(woke);  // an overflowed stream never leaves its consumer waiting
}

TEST_F(token_stream_test, wait_returns_at_its_deadline_with_nothing_pending) {
  token_stream s(ioc_.get_executor(), 0);
  bool woke = false;
  boost::asio::co_spawn(
      ioc_,
      [&]() -> boost::asio::awaitable<void> {
        co_await s.wait(token_stream::clock::now() + std::chrono::milliseconds(5));
        woke = true;
      },
      [](std::exception_ptr e) {
        if (e) std::rethrow_exception(e);
      });
  ioc_.run();
  EXPECT_TRUE(woke);
  EXPECT_FALSE(s.has_pending());
  EXPECT_FALSE(s.cancelled());
}

}  // namespace
}  // namespace gw
