#include "backends/messages_relay.hpp"

#include <gtest/gtest.h>

#include "backends/sse_parser.hpp"

namespace gw {
namespace {

// An event as the relay writes it.
std::string ev(std::string_view name, std::string_view data) {
  std::string out;
  append_sse_event(out, name, data);
  return out;
}

TEST(messages_relay, message_start_gets_the_public_model_and_opens_usage) {
  messages_relay r("public");
  std::string out;
  chunk_facts f;
  const std::string data =
      R"({"type":"message_start","message":{"id":"msg_1","type":"message","role":"assistant","model":"claude-x",)"
      R"("content":[],"stop_reason":null,"usage":{"input_tokens":10,"cache_read_input_tokens":5,"output_tokens":1}}})";
  ASSERT_TRUE(r.relay_event(out, "message_start", data, f));
  EXPECT_EQ(out, ev("message_start",
                    R"({"type":"message_start","message":{"id":"msg_1","type":"message","role":"assistant","model":"public",)"
                    R"("content":[],"stop_reason":null,"usage":{"input_tokens":10,"cache_read_input_tokens":5,"output_tokens":1}}})"));
  EXPECT_FALSE(f.output);
  EXPECT_FALSE(f.finish);
  ASSERT_TRUE(f.usage);
  EXPECT_EQ(f.usage->prompt, 15u);  // cache reads are prompt tokens too
  EXPECT_EQ(f.usage->completion, 1u);
}

TEST(messages_relay, a_stream_reads_output_stop_usage_and_end) {
  messages_relay r("public");
  std::string out;
  chunk_facts f;
  ASSERT_TRUE(r.relay_event(out, "message_start",
                            R"({"type":"message_start","message":{"model":"m","usage":{"input_tokens":7,"output_tokens":1}}})", f));
  const std::string block = R"({"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}})";
  ASSERT_TRUE(r.relay_event(out, "content_block_start", block, f));
  EXPECT_FALSE(f.output);
  const std::string delta = R"({"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Hi"}})";
  out.clear();
  ASSERT_TRUE(r.relay_event(out, "content_block_delta", delta, f));
  EXPECT_EQ(out, ev("content_block_delta", delta));  // as written
  EXPECT_TRUE(f.output);
  ASSERT_TRUE(r.relay_event(out, "ping", R"({"type": "ping"})", f));
  EXPECT_FALSE(f.output);
  EXPECT_TRUE(f.shown);
  ASSERT_TRUE(r.relay_event(out, "message_delta",
                            R"({"type":"message_delta","delta":{"stop_reason":"max_tokens","stop_sequence":null},"usage":{"output_tokens":12}})",
                            f));
  EXPECT_TRUE(f.output);
  ASSERT_TRUE(f.finish);
  EXPECT_EQ(*f.finish, finish_reason::length);
  ASSERT_TRUE(f.usage);
  EXPECT_EQ(f.usage->prompt, 7u);  // message_start's, kept
  EXPECT_EQ(f.usage->completion, 12u);
  EXPECT_FALSE(f.end);
  ASSERT_TRUE(r.relay_event(out, "message_stop", R"({"type":"message_stop"})", f));
  EXPECT_TRUE(f.end);
  EXPECT_TRUE(out.ends_with("event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n"));
}

TEST(messages_relay, errors_and_broken_events) {
  messages_relay r("public");
  std::string out;
  chunk_facts f;
  ASSERT_TRUE(r.relay_event(out, "error", R"({"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}})", f));
  EXPECT_TRUE(f.error);
  EXPECT_TRUE(out.empty());
  EXPECT_FALSE(r.relay_event(out, "content_block_delta", "not json", f));
  // An unnamed event is named by its type; a data spread over lines stays valid SSE.
  ASSERT_TRUE(r.relay_event(out, "", "{\"type\":\"ping\",\n\"x\":1}", f));
  EXPECT_EQ(out, "event: ping\ndata: {\"type\":\"ping\",\ndata: \"x\":1}\n\n");
}

// Found by anthropic_fuzz: with several `type` members, an escaped one decoded and then replaced
// by another left the event's name pointing at freed memory. The last one counts.
TEST(messages_relay, duplicate_types_take_the_last) {
  messages_relay r("public");
  std::string out;
  chunk_facts f;
  ASSERT_TRUE(r.relay_event(out, "", R"({"type":"p\u0069ng","type":7})", f));
  EXPECT_TRUE(out.starts_with("event: message\n")) << out;  // the last is no string: no name from it
  out.clear();
  ASSERT_TRUE(r.relay_event(out, "", R"({"type":7,"type":"message_st\u006fp"})", f));
  EXPECT_TRUE(f.end);
  EXPECT_TRUE(out.starts_with("event: message_stop\n")) << out;
}

TEST(messages_relay, a_whole_message) {
  messages_relay r("public");
  std::string out;
  chunk_facts f;
  const std::string message =
      R"({"id":"msg_2","type":"message","role":"assistant","model":"claude-x","content":[{"type":"tool_use","id":"t","name":"w","input":{}}],)"
      R"("stop_reason":"tool_use","stop_sequence":null,"usage":{"input_tokens":20,"output_tokens":8}})";
  ASSERT_TRUE(r.relay_message(out, message, f));
  std::string expected = message;
  expected.replace(expected.find("claude-x"), 8, "public");
  EXPECT_EQ(out, expected);
  EXPECT_TRUE(f.output);
  ASSERT_TRUE(f.finish);
  EXPECT_EQ(*f.finish, finish_reason::stop);
  ASSERT_TRUE(f.usage);
  EXPECT_EQ(f.usage->prompt, 20u);
  EXPECT_EQ(f.usage->completion, 8u);
  out.clear();
  ASSERT_TRUE(r.relay_message(out, R"({"type":"error","error":{"type":"api_error","message":"x"}})", f));
  EXPECT_TRUE(f.error);
  EXPECT_FALSE(r.relay_message(out, "[1]", f));
}

}  // namespace
}  // namespace gw
