#include "gateway/anthropic_sink.hpp"

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>

#include <string>

#include "gateway/sse_keepalive.hpp"

namespace gw {
namespace {

// What the client would have received.
class recording_sink final : public response_sink {
 public:
  unsigned status = 0;
  std::string content_type, body, events;
  header_list headers;
  bool ended = false;

  boost::asio::awaitable<bool> send(unsigned s, std::string_view ct, std::string b, const header_list& extra) override {
    status = s;
    content_type = ct;
    body = std::move(b);
    headers = extra;
    co_return true;
  }
  boost::asio::awaitable<bool> start_events(const header_list& extra) override {
    status = 200;
    headers = extra;
    co_return true;
  }
  boost::asio::awaitable<bool> send_events(std::string_view sse) override {
    events += sse;
    co_return true;
  }
  boost::asio::awaitable<bool> end_events() override {
    ended = true;
    co_return true;
  }
  bool started() const override { return status != 0; }
  void drop() override {}
};

template <class F>
void run(F f) {
  boost::asio::io_context io;
  boost::asio::co_spawn(io, f(), boost::asio::detached);
  io.run();
}

TEST(anthropic_sink, errors_become_anthropic_envelopes_with_their_headers) {
  recording_sink client;
  anthropic_sink front(client);
  // Arguments built outside the coroutine lambdas: GCC 12 rejects a string literal passed to a
  // coroutine's std::string parameter there ("array used as initializer").
  const std::string error =
      R"({"error":{"message":"Slow down.","type":"requests","param":null,"code":"rate_limit_exceeded"}})";
  const header_list headers{{"Retry-After", "3"}, {"x-ratelimit-remaining-requests", "0"}};
  const std::string json = "application/json";
  run([&]() -> boost::asio::awaitable<void> { co_await front.send(429, json, error, headers); });
  EXPECT_EQ(client.status, 429u);
  EXPECT_EQ(client.body, R"({"type":"error","error":{"type":"rate_limit_error","message":"Slow down."}})");
  ASSERT_EQ(client.headers.size(), 2u);
  EXPECT_EQ(client.headers[0].first, "Retry-After");
}

TEST(anthropic_sink, other_answers_pass_until_a_completion_is_expected) {
  recording_sink client;
  anthropic_sink front(client);
  const std::string completion =
      R"({"id":"chatcmpl-1","model":"m","choices":[{"message":{"content":"hi"},"finish_reason":"stop"}],"usage":{"prompt_tokens":1,"completion_tokens":1}})";
  const std::string json = "application/json", garbage = "not a completion";
  const header_list none;
  run([&]() -> boost::asio::awaitable<void> { co_await front.send(200, json, completion, none); });
  EXPECT_EQ(client.body, completion);
  front.expect_completion({}, 0);
  run([&]() -> boost::asio::awaitable<void> { co_await front.send(200, json, completion, none); });
  EXPECT_EQ(client.body, R"({"id":"msg_1","type":"message","role":"assistant","model":"m","content":[{"type":"text","text":"hi"}],)"
                         R"("stop_reason":"end_turn","stop_sequence":null,"usage":{"input_tokens":1,"output_tokens":1}})");
  run([&]() -> boost::asio::awaitable<void> { co_await front.send(200, json, garbage, none); });
  EXPECT_EQ(client.status, 502u);
}

TEST(anthropic_sink, streams_keepalives_and_split_chunks) {
  recording_sink client;
  anthropic_sink front(client);
  front.expect_completion({}, 5);
  const std::string chunk =
      R"(data: {"id":"chatcmpl-2","model":"m","choices":[{"index":0,"delta":{"content":"ab"},"finish_reason":null}]})"
      "\n\n";
  const std::string head = chunk.substr(0, 20), tail = chunk.substr(20), done = "data: [DONE]\n\n",
                    moved = ": gateway-continued from=local:m to=remote:p reason=upstream_failed\n\n";
  const header_list none;
  run([&]() -> boost::asio::awaitable<void> {
    co_await front.start_events(none);
    co_await front.send_events(sse_keepalive_comment);
    co_await front.send_events(head);  // an event split anywhere
    co_await front.send_events(tail);
    co_await front.send_events(moved);
    co_await front.send_events(done);
    co_await front.end_events();
  });
  EXPECT_TRUE(client.events.starts_with("event: ping\n")) << client.events;
  EXPECT_NE(client.events.find("event: message_start\n"), std::string::npos);
  EXPECT_NE(client.events.find(R"("delta":{"type":"text_delta","text":"ab"})"), std::string::npos);
  EXPECT_NE(client.events.find("\n\n: gateway-continued from=local:m to=remote:p reason=upstream_failed\n\nevent: "),
            std::string::npos)
      << client.events;
  EXPECT_TRUE(client.events.ends_with("event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n")) << client.events;
  EXPECT_TRUE(client.ended);
}

// A Messages-native provider's answer passes as it is; the gateway's own additions (its keep-alive,
// the [DONE] closing its streams, an error event after the 200) still become Anthropic's.
TEST(anthropic_sink, native_answers_pass_as_written) {
  recording_sink client;
  anthropic_sink front(client);
  front.expect_completion({}, 5);
  front.answer_is_native();
  const std::string message =
      R"({"id":"msg_9","type":"message","role":"assistant","model":"m","content":[{"type":"text","text":"hi"}],)"
      R"("stop_reason":"end_turn","stop_sequence":null,"usage":{"input_tokens":3,"output_tokens":1}})";
  const std::string json = "application/json";
  const header_list none;
  run([&]() -> boost::asio::awaitable<void> { co_await front.send(200, json, message, none); });
  EXPECT_EQ(client.body, message);

  const std::string events =
      "event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"id\":\"msg_9\"}}\n\n"
      "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,"
      "\"delta\":{\"type\":\"text_delta\",\"text\":\"hi\"}}\n\n";
  const std::string done = "data: [DONE]\n\n",
                    error = "data: {\"error\":{\"message\":\"The provider failed.\",\"type\":\"server_error\"}}\n\n";
  run([&]() -> boost::asio::awaitable<void> {
    co_await front.start_events(none);
    co_await front.send_events(sse_keepalive_comment);
    co_await front.send_events(events);
    co_await front.send_events(done);
    co_await front.send_events(error);
    co_await front.end_events();
  });
  EXPECT_EQ(client.events, "event: ping\ndata: {\"type\":\"ping\"}\n\n" + events +
                               "event: error\ndata: {\"type\":\"error\",\"error\":{\"type\":\"api_error\","
                               "\"message\":\"The provider failed.\"}}\n\n");
}

}  // namespace
}  // namespace gw
