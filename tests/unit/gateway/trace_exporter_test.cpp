#include "gateway/trace_exporter.hpp"

#include <gtest/gtest.h>
#include <simdjson.h>

#include <boost/asio/io_context.hpp>
#include <functional>
#include <string>
#include <vector>

namespace gw {
namespace {

// A collector the test answers by hand: each export waits in `pending` until accept() or fail().
struct fake_collector {
  struct export_call {
    std::string body;
    std::function<void(bool)> done;
  };
  std::vector<export_call> pending;
  std::vector<std::size_t> batch_sizes;

  otlp_transport transport() {
    return [this](std::string body, std::function<void(bool)> done) {
      simdjson::dom::parser p;
      simdjson::dom::element doc;
      EXPECT_EQ(p.parse(body).get(doc), simdjson::SUCCESS);
      batch_sizes.push_back(simdjson::dom::array(doc["resourceSpans"].at(0)["scopeSpans"].at(0)["spans"]).size());
      pending.push_back({std::move(body), std::move(done)});
    };
  }
  void answer(bool accepted) {
    ASSERT_FALSE(pending.empty());
    auto call = std::move(pending.front());
    pending.erase(pending.begin());
    call.done(accepted);
  }
};

span_record span_named(int i) {
  span_record s;
  s.trace[0] = 1;
  s.id[0] = static_cast<std::uint8_t>(i + 1);
  s.name = "span " + std::to_string(i);
  return s;
}

class trace_exporter_test : public ::testing::Test {
 protected:
  // An exporter to the fake collector whose batch timer never fires within a test.
  trace_exporter& untimed(std::size_t batch, std::size_t queue = 2048) {
    cfg_.max_batch_spans = batch;
    cfg_.max_queue_spans = queue;
    cfg_.batch_timeout = std::chrono::hours(1);
    exporter_ = std::make_unique<trace_exporter>(ioc_.get_executor(), cfg_, collector_.transport());
    return *exporter_;
  }
  boost::asio::io_context ioc_;
  tracing_config cfg_;
  fake_collector collector_;
  std::unique_ptr<trace_exporter> exporter_;  // destroyed first: its transport refers to the collector
};

TEST_F(trace_exporter_test, a_full_batch_leaves_at_once_without_the_timer) {
  auto& e = untimed(3);
  for (int i = 0; i < 2; ++i) e.submit(span_named(i));
  EXPECT_TRUE(collector_.pending.empty());
  e.submit(span_named(2));
  ASSERT_EQ(collector_.batch_sizes, std::vector<std::size_t>{3});
  collector_.answer(true);
  EXPECT_EQ(e.exported(), 3u);
  EXPECT_EQ(e.queued(), 0u);
}

TEST_F(trace_exporter_test, a_partial_batch_leaves_when_the_timer_fires) {
  cfg_.max_batch_spans = 100;
  cfg_.batch_timeout = std::chrono::milliseconds(1);
  trace_exporter e(ioc_.get_executor(), cfg_, collector_.transport());
  e.submit(span_named(0));
  e.submit(span_named(1));
  ioc_.run_one();  // the batch timer
  ASSERT_EQ(collector_.batch_sizes, std::vector<std::size_t>{2});
  collector_.answer(true);
  EXPECT_EQ(e.exported(), 2u);
}

TEST_F(trace_exporter_test, one_export_in_flight_and_what_waited_follows_it) {
  auto& e = untimed(2, 10);
  for (int i = 0; i < 5; ++i) e.submit(span_named(i));
  ASSERT_EQ(collector_.pending.size(), 1u);  // the first batch; the other three wait
  EXPECT_EQ(e.queued(), 3u);
  collector_.answer(true);                   // its end sends the next full batch
  ASSERT_EQ(collector_.pending.size(), 1u);
  collector_.answer(true);
  EXPECT_EQ(collector_.batch_sizes, (std::vector<std::size_t>{2, 2}));
  EXPECT_EQ(e.queued(), 1u);  // a partial batch now waits for the timer
  EXPECT_EQ(e.exported(), 4u);
}

TEST_F(trace_exporter_test, a_full_queue_drops_and_counts) {
  auto& e = untimed(2, 3);
  for (int i = 0; i < 2; ++i) e.submit(span_named(i));  // in flight, out of the queue
  for (int i = 2; i < 7; ++i) e.submit(span_named(i));  // three fit, two do not
  EXPECT_EQ(e.queued(), 3u);
  EXPECT_EQ(e.dropped_queue_full(), 2u);
}

TEST_F(trace_exporter_test, a_failed_export_drops_its_batch_and_the_next_goes_on) {
  auto& e = untimed(2);
  for (int i = 0; i < 4; ++i) e.submit(span_named(i));
  collector_.answer(false);  // the collector is down
  EXPECT_EQ(e.dropped_export_failed(), 2u);
  EXPECT_EQ(e.exported(), 0u);
  ASSERT_EQ(collector_.pending.size(), 1u);  // never retried: the next batch is the other spans
  collector_.answer(true);
  EXPECT_EQ(e.exported(), 2u);
  EXPECT_EQ(e.dropped_export_failed(), 2u);
}

TEST_F(trace_exporter_test, an_answer_after_the_exporter_is_gone_is_ignored) {
  cfg_.max_batch_spans = 1;
  {
    trace_exporter e(ioc_.get_executor(), cfg_, collector_.transport());
    e.submit(span_named(0));
  }
  collector_.answer(true);  // must not touch the destroyed exporter
  SUCCEED();
}

}  // namespace
}  // namespace gw
