#include "gateway/anthropic_stream.hpp"

#include <gtest/gtest.h>
#include <simdjson.h>

#include <string>
#include <vector>

namespace gw {
namespace {

struct event {
  std::string type;
  std::string data;
};

// Splits the written events, checking each one's framing and that its data is JSON whose
// `type` is the event's name.
std::vector<event> events_of(const std::string& out) {
  std::vector<event> events;
  simdjson::dom::parser p;
  std::size_t at = 0;
  while (at < out.size()) {
    const auto end = out.find("\n\n", at);
    if (end == std::string::npos) {
      ADD_FAILURE() << "unterminated event: " << out.substr(at);
      break;
    }
    const std::string e = out.substr(at, end - at);
    at = end + 2;
    const auto nl = e.find('\n');
    if (!e.starts_with("event: ") || nl == std::string::npos || e.compare(nl + 1, 6, "data: ") != 0) {
      ADD_FAILURE() << "bad framing: " << e;
      continue;
    }
    event ev{e.substr(7, nl - 7), e.substr(nl + 7)};
    auto doc = p.parse(ev.data);
    EXPECT_EQ(doc.error(), simdjson::SUCCESS) << ev.data;
    if (!doc.error()) {
      std::string_view type;
      EXPECT_EQ(doc.value()["type"].get(type), simdjson::SUCCESS);
      EXPECT_EQ(type, ev.type);
    }
    events.push_back(std::move(ev));
  }
  return events;
}

std::vector<std::string> types_of(const std::vector<event>& events) {
  std::vector<std::string> t;
  for (const auto& e : events) t.push_back(e.type);
  return t;
}

constexpr const char* head = R"({"id":"chatcmpl-7","object":"chat.completion.chunk","created":1,"model":"m","choices":[)";

std::string chunk(const std::string& delta, const std::string& finish = "null") {
  return std::string(head) + R"({"index":0,"delta":)" + delta + R"(,"finish_reason":)" + finish + "}]}";
}
const std::string usage_chunk =
    R"({"id":"chatcmpl-7","object":"chat.completion.chunk","created":1,"model":"m","choices":[],"usage":{"prompt_tokens":11,"completion_tokens":4,"total_tokens":15}})";

// Feeds each chunk's data, then [DONE]; the events written.
std::vector<event> run(anthropic_stream& s, const std::vector<std::string>& chunks) {
  std::string out;
  for (const auto& c : chunks) s.on_data(c, out);
  s.on_done(out);
  return events_of(out);
}

TEST(anthropic_stream, text_stream_follows_anthropics_sequence) {
  anthropic_stream s({}, 9);
  std::string out;
  s.on_data(chunk(R"({"role":"assistant","content":""})"), out);
  s.on_data(chunk(R"({"content":"Hel"})"), out);
  s.on_data(chunk(R"({"content":"lo"})"), out);
  s.on_data(chunk("{}", R"("stop")"), out);
  s.on_data(usage_chunk, out);
  s.on_done(out);
  const auto ev = events_of(out);
  EXPECT_EQ(types_of(ev), (std::vector<std::string>{"message_start", "content_block_start", "content_block_delta",
                                                    "content_block_delta", "content_block_stop", "message_delta",
                                                    "message_stop"}));
  EXPECT_EQ(ev[0].data, R"({"type":"message_start","message":{"id":"msg_7","type":"message","role":"assistant","model":"m",)"
                        R"("content":[],"stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":9,"output_tokens":0}}})");
  EXPECT_EQ(ev[1].data, R"({"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}})");
  EXPECT_EQ(ev[2].data, R"({"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Hel"}})");
  EXPECT_EQ(ev[4].data, R"({"type":"content_block_stop","index":0})");
  EXPECT_EQ(ev[5].data, R"({"type":"message_delta","delta":{"stop_reason":"end_turn","stop_sequence":null},)"
                        R"("usage":{"input_tokens":11,"output_tokens":4}})");
  EXPECT_TRUE(s.finished());
  std::string more;
  s.on_done(more);  // a second [DONE] (an upstream's, relayed) adds nothing
  s.on_data(chunk(R"({"content":"late"})"), more);
  EXPECT_EQ(more, "");
}

TEST(anthropic_stream, thinking_then_text_blocks) {
  anthropic_stream s({}, 0);
  const auto ev = run(s, {chunk(R"({"role":"assistant","reasoning_content":"Think"})"),
                          chunk(R"({"reasoning_content":"ing."})"), chunk(R"({"content":"Answer"})"),
                          chunk("{}", R"("length")")});
  EXPECT_EQ(types_of(ev), (std::vector<std::string>{"message_start", "content_block_start", "content_block_delta",
                                                    "content_block_delta", "content_block_delta", "content_block_stop",
                                                    "content_block_start", "content_block_delta", "content_block_stop",
                                                    "message_delta", "message_stop"}));
  EXPECT_EQ(ev[1].data, R"({"type":"content_block_start","index":0,"content_block":{"type":"thinking","thinking":"","signature":""}})");
  EXPECT_EQ(ev[2].data, R"({"type":"content_block_delta","index":0,"delta":{"type":"thinking_delta","thinking":"Think"}})");
  EXPECT_EQ(ev[4].data, R"({"type":"content_block_delta","index":0,"delta":{"type":"signature_delta","signature":""}})");
  EXPECT_EQ(ev[6].data, R"({"type":"content_block_start","index":1,"content_block":{"type":"text","text":""}})");
  EXPECT_NE(ev[9].data.find(R"("stop_reason":"max_tokens")"), std::string::npos);
}

TEST(anthropic_stream, tool_calls_become_tool_use_blocks_with_input_json_deltas) {
  anthropic_stream s({}, 0);
  const auto ev = run(
      s, {chunk(R"({"role":"assistant","content":"Let me check."})"),
          chunk(R"({"tool_calls":[{"index":0,"id":"call_1","type":"function","function":{"name":"get_weather","arguments":""}}]})"),
          chunk(R"({"tool_calls":[{"index":0,"function":{"arguments":"{\"city\":"}}]})"),
          chunk(R"({"tool_calls":[{"index":0,"function":{"arguments":"\"Paris\"}"}}]})"),
          chunk(R"({"tool_calls":[{"index":1,"id":"call_2","type":"function","function":{"name":"f","arguments":"{}"}}]})"),
          chunk("{}", R"("tool_calls")")});
  EXPECT_EQ(types_of(ev), (std::vector<std::string>{"message_start", "content_block_start", "content_block_delta",
                                                    "content_block_stop", "content_block_start", "content_block_delta",
                                                    "content_block_delta", "content_block_stop", "content_block_start",
                                                    "content_block_delta", "content_block_stop", "message_delta",
                                                    "message_stop"}));
  EXPECT_EQ(ev[4].data, R"({"type":"content_block_start","index":1,"content_block":{"type":"tool_use","id":"call_1","name":"get_weather","input":{}}})");
  EXPECT_EQ(ev[5].data, R"({"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":"{\"city\":"}})");
  EXPECT_EQ(ev[8].data, R"({"type":"content_block_start","index":2,"content_block":{"type":"tool_use","id":"call_2","name":"f","input":{}}})");
  EXPECT_NE(ev[11].data.find(R"("stop_reason":"tool_use")"), std::string::npos);
}

TEST(anthropic_stream, stop_sequence_from_vllm_stop_reason) {
  anthropic_stream s({"END"}, 0);
  std::string out;
  s.on_data(std::string(head) + R"({"index":0,"delta":{"content":"a"},"finish_reason":"stop","stop_reason":"END"}]})", out);
  s.on_done(out);
  EXPECT_NE(out.find(R"("delta":{"stop_reason":"stop_sequence","stop_sequence":"END"})"), std::string::npos) << out;
}

TEST(anthropic_stream, error_after_start_ends_with_an_error_event) {
  anthropic_stream s({}, 0);
  std::string out;
  s.on_data(chunk(R"({"content":"partial"})"), out);
  s.on_data(R"({"error":{"message":"The model's engine failed while serving the request.","type":"server_error","param":null,"code":"engine_unavailable"}})",
            out);
  const auto ev = events_of(out);
  EXPECT_EQ(types_of(ev),
            (std::vector<std::string>{"message_start", "content_block_start", "content_block_delta", "error"}));
  EXPECT_EQ(ev.back().data, R"({"type":"error","error":{"type":"overloaded_error","message":"The model's engine failed while serving the request."}})");
  EXPECT_TRUE(s.finished());
  std::string more;
  s.on_done(more);
  EXPECT_EQ(more, "");
}

TEST(anthropic_stream, error_before_any_chunk_and_garbage) {
  anthropic_stream s({}, 0);
  std::string out;
  s.on_data(R"({"error":{"message":"busy","type":"rate_limit_error","code":"queue_full"}})", out);
  EXPECT_EQ(types_of(events_of(out)), (std::vector<std::string>{"error"}));
  anthropic_stream g({}, 0);
  std::string bad;
  g.on_data("not json {", bad);
  EXPECT_EQ(types_of(events_of(bad)), (std::vector<std::string>{"error"}));
}

TEST(anthropic_stream, empty_stream_still_closes_the_message) {
  anthropic_stream s({}, 3);
  std::string out;
  s.on_done(out);
  EXPECT_EQ(types_of(events_of(out)), (std::vector<std::string>{"message_start", "message_delta", "message_stop"}));
  std::string ping;
  anthropic_stream::ping(ping);
  EXPECT_EQ(ping, "event: ping\ndata: {\"type\":\"ping\"}\n\n");
}

}  // namespace
}  // namespace gw

namespace gw {
namespace {

// Cut or corrupted chunks (an upstream out of protocol): valid events or one error, never a crash.
TEST(anthropic_stream, broken_chunks_are_answered) {
  const std::string good = chunk(R"({"content":"x","tool_calls":[{"index":0,"id":"c","function":{"name":"f","arguments":"{"}}]})",
                                 R"("stop")");
  for (std::size_t n = 0; n < good.size(); ++n) {
    for (char c : {'"', '}', '[', '\\', '\0', '\xff'}) {
      std::string bad = good;
      bad[n] = c;
      anthropic_stream s({}, 0);
      std::string out;
      s.on_data(good.substr(0, n), out);
      s.on_data(bad, out);
      s.on_done(out);
      events_of(out);  // checks every event's framing and JSON
    }
  }
}

}  // namespace
}  // namespace gw
