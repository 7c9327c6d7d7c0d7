#include "engine/attempt_span.hpp"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

namespace gw {
namespace {

struct recording_sink final : span_sink {
  std::vector<span_record> spans;
  void submit(span_record&& s) override { spans.push_back(std::move(s)); }
};

const span_attribute* find(const span_record& s, std::string_view key) {
  for (const auto& a : s.attributes)
    if (a.key == key) return &a;
  return nullptr;
}

class attempt_span_test : public ::testing::Test {
 protected:
  upstream_trace traced(bool sampled) {
    upstream_trace t;
    t.parent = parse_traceparent(sampled ? "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
                                         : "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00");
    t.tracestate = "rojo=1";
    if (sampled) t.sink = &sink_;
    return t;
  }
  attempt_span::facts facts(unsigned retry = 0) {
    return {"/chat/completions", "http://p1/v1/chat/completions", "p1", false, "deepseek-chat", retry};
  }
  // Begins `a` and reads back the traceparent it would send.
  trace_context begin_and_read(attempt_span& a, const upstream_trace& t) {
    a.begin(t, rng_, facts());
    const auto sent = parse_traceparent(a.traceparent(t));
    EXPECT_TRUE(sent) << a.traceparent(t);
    return sent.value_or(trace_context{});
  }
  recording_sink sink_;
  std::mt19937_64 rng_{3};
};

TEST_F(attempt_span_test, tracing_off_passes_the_clients_traceparent_on) {
  upstream_trace t;
  t.traceparent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
  attempt_span a;
  a.begin(t, rng_, facts());
  EXPECT_EQ(a.traceparent(t), t.traceparent);
  EXPECT_FALSE(a.recording());
  a.end_succeeded(200, std::nullopt);
  EXPECT_TRUE(sink_.spans.empty());
}

TEST_F(attempt_span_test, each_attempt_is_a_child_of_the_request_span_and_sends_its_own_id) {
  const auto t = traced(true);
  attempt_span a;
  const trace_context sent = begin_and_read(a, t);
  EXPECT_EQ(sent.trace, t.parent->trace);
  EXPECT_NE(sent.span, t.parent->span);
  EXPECT_TRUE(sent.sampled());
  a.end_succeeded(200, std::pair<std::uint32_t, std::uint32_t>{12, 34});

  ASSERT_EQ(sink_.spans.size(), 1u);
  const span_record& s = sink_.spans[0];
  EXPECT_EQ(s.trace, t.parent->trace);
  EXPECT_EQ(s.parent, t.parent->span);
  EXPECT_EQ(s.id, sent.span);  // the span the upstream heard of is the one recorded
  EXPECT_EQ(s.kind, span_kind::client);
  EXPECT_EQ(s.name, "chat deepseek-chat");
  EXPECT_EQ(s.trace_state, "rojo=1");
  EXPECT_EQ(std::get<std::string>(find(s, "gen_ai.provider.name")->value), "p1");
  EXPECT_EQ(std::get<std::int64_t>(find(s, "http.response.status_code")->value), 200);
  EXPECT_EQ(std::get<std::int64_t>(find(s, "gen_ai.usage.input_tokens")->value), 12);
  EXPECT_EQ(std::get<std::int64_t>(find(s, "gen_ai.usage.output_tokens")->value), 34);
  EXPECT_EQ(std::get<std::int64_t>(find(s, "gateway.retry")->value), 0);
  EXPECT_EQ(find(s, "http.request.resend_count"), nullptr);
  EXPECT_EQ(s.status, span_status::unset);
  EXPECT_LE(s.start_unix_ns, s.end_unix_ns);
}

TEST_F(attempt_span_test, a_retried_failure_is_an_error_span_with_a_retry_event) {
  const auto t = traced(true);
  attempt_span a;
  a.begin(t, rng_, facts(0));
  const std::string first(a.traceparent(t));
  a.retry_wanted(std::chrono::milliseconds(250), true);
  a.end_failed(503, "http_503");
  a.end_failed(503, "http_503");  // ended once only
  a.begin(t, rng_, facts(1));
  EXPECT_NE(a.traceparent(t), first);  // the retry is a span of its own
  a.end_succeeded(200, std::nullopt);

  ASSERT_EQ(sink_.spans.size(), 2u);
  const span_record& failed = sink_.spans[0];
  EXPECT_EQ(failed.status, span_status::error);
  EXPECT_EQ(std::get<std::string>(find(failed, "error.type")->value), "http_503");
  ASSERT_EQ(failed.events.size(), 1u);
  EXPECT_EQ(failed.events[0].name, "retry");
  EXPECT_EQ(std::get<std::int64_t>(failed.events[0].attributes[0].value), 250);
  EXPECT_EQ(std::get<std::int64_t>(find(sink_.spans[1], "http.request.resend_count")->value), 1);
  EXPECT_EQ(sink_.spans[1].parent, sink_.spans[0].parent);
}

TEST_F(attempt_span_test, an_unsampled_trace_still_propagates_ids_but_records_nothing) {
  const auto t = traced(false);
  attempt_span a;
  const trace_context sent = begin_and_read(a, t);
  EXPECT_FALSE(sent.sampled());
  EXPECT_NE(sent.span, t.parent->span);
  EXPECT_FALSE(a.recording());
  a.end_failed(500, "http_500");
  EXPECT_TRUE(sink_.spans.empty());
}

TEST_F(attempt_span_test, a_cancelled_attempt_is_no_error) {
  const auto t = traced(true);
  attempt_span a;
  a.begin(t, rng_, {"/completions", "u", "server-1", true, "m", 0});
  a.end_cancelled(0);
  ASSERT_EQ(sink_.spans.size(), 1u);
  const auto& s = sink_.spans[0];
  EXPECT_EQ(s.status, span_status::unset);
  EXPECT_EQ(s.name, "text_completion m");
  EXPECT_TRUE(std::get<bool>(find(s, "gateway.cancelled")->value));
  EXPECT_EQ(find(s, "gen_ai.provider.name"), nullptr);  // a local server is no provider
  EXPECT_EQ(std::get<std::string>(find(s, "gateway.target")->value), "local:server-1");
  EXPECT_EQ(find(s, "http.response.status_code"), nullptr);
}

}  // namespace
}  // namespace gw
