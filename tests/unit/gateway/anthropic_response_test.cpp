#include "gateway/anthropic_response.hpp"

#include <gtest/gtest.h>

#include <string>

namespace gw {
namespace {

TEST(anthropic_response, text_completion_becomes_a_message) {
  const auto m = to_message(
      R"({"id":"chatcmpl-abc","object":"chat.completion","created":1,"model":"m","choices":[{"index":0,)"
      R"("message":{"role":"assistant","content":"Hello"},"finish_reason":"stop"}],)"
      R"("usage":{"prompt_tokens":7,"completion_tokens":2,"total_tokens":9}})",
      {});
  ASSERT_TRUE(m);
  EXPECT_EQ(*m, R"({"id":"msg_abc","type":"message","role":"assistant","model":"m","content":[{"type":"text","text":"Hello"}],)"
                R"("stop_reason":"end_turn","stop_sequence":null,"usage":{"input_tokens":7,"output_tokens":2}})");
}

TEST(anthropic_response, reasoning_and_tool_calls_become_blocks) {
  const auto m = to_message(
      R"({"id":"chatcmpl-1","model":"m","choices":[{"index":0,"message":{"role":"assistant","content":null,)"
      R"("reasoning_content":"Let me think.","tool_calls":[{"id":"call_9","type":"function","function":{"name":"f",)"
      R"("arguments":"{\"a\":1}"}},{"id":"call_10","type":"function","function":{"name":"g","arguments":"not json"}}]},)"
      R"("finish_reason":"tool_calls"}],"usage":{"prompt_tokens":3,"completion_tokens":5}})",
      {});
  ASSERT_TRUE(m);
  EXPECT_EQ(*m, R"({"id":"msg_1","type":"message","role":"assistant","model":"m","content":[)"
                R"({"type":"thinking","thinking":"Let me think.","signature":""},)"
                R"({"type":"tool_use","id":"call_9","name":"f","input":{"a":1}},)"
                R"({"type":"tool_use","id":"call_10","name":"g","input":{}}],)"
                R"("stop_reason":"tool_use","stop_sequence":null,"usage":{"input_tokens":3,"output_tokens":5}})");
}

TEST(anthropic_response, stop_reasons) {
  EXPECT_EQ(to_stop_info("stop", "null", {}).reason, "end_turn");
  EXPECT_EQ(to_stop_info("length", "null", {}).reason, "max_tokens");
  EXPECT_EQ(to_stop_info("tool_calls", "null", {}).reason, "tool_use");
  EXPECT_EQ(to_stop_info("content_filter", "null", {}).reason, "refusal");
  const stop_info s = to_stop_info("stop", R"("END")", {"x", "END"});
  EXPECT_EQ(s.reason, "stop_sequence");
  EXPECT_EQ(s.sequence, std::optional<std::string>("END"));
  EXPECT_EQ(to_stop_info("stop", "151645", {"END"}).reason, "end_turn");  // vLLM: a stop token id
  const auto m = to_message(R"({"id":"x","model":"m","choices":[{"message":{"content":"a"},"finish_reason":"stop","stop_reason":"END"}]})",
                            {"END"});
  ASSERT_TRUE(m);
  EXPECT_NE(m->find(R"("stop_reason":"stop_sequence","stop_sequence":"END")"), std::string::npos) << *m;
}

TEST(anthropic_response, not_a_completion) {
  EXPECT_FALSE(to_message("", {}));
  EXPECT_FALSE(to_message("{}", {}));
  EXPECT_FALSE(to_message(R"({"choices":[]})", {}));
  EXPECT_FALSE(to_message(R"({"choices":[{"text":"legacy"}]})", {}));
}

TEST(anthropic_response, error_types_follow_the_status) {
  EXPECT_STREQ(anthropic_error_type(400), "invalid_request_error");
  EXPECT_STREQ(anthropic_error_type(401), "authentication_error");
  EXPECT_STREQ(anthropic_error_type(403), "permission_error");
  EXPECT_STREQ(anthropic_error_type(404), "not_found_error");
  EXPECT_STREQ(anthropic_error_type(405), "invalid_request_error");
  EXPECT_STREQ(anthropic_error_type(413), "request_too_large");
  EXPECT_STREQ(anthropic_error_type(429), "rate_limit_error");
  EXPECT_STREQ(anthropic_error_type(500), "api_error");
  EXPECT_STREQ(anthropic_error_type(502), "api_error");
  EXPECT_STREQ(anthropic_error_type(503), "overloaded_error");
}

TEST(anthropic_response, openai_envelope_becomes_anthropic) {
  EXPECT_EQ(anthropic_error_from_openai(
                404, R"({"error":{"message":"The model 'x' does not exist.","type":"invalid_request_error","param":"model","code":"model_not_found"}})"),
            R"({"type":"error","error":{"type":"not_found_error","message":"The model 'x' does not exist."}})");
  EXPECT_EQ(anthropic_error_from_openai(502, "<html>bad gateway</html>"),
            R"({"type":"error","error":{"type":"api_error","message":"The request failed."}})");
}

TEST(anthropic_response, stream_error_types_from_openai_codes) {
  EXPECT_EQ(anthropic_stream_error_type(R"({"message":"m","type":"server_error","code":"engine_unavailable"})"),
            "overloaded_error");
  EXPECT_EQ(anthropic_stream_error_type(R"({"message":"m","type":"server_error","code":"upstream_error"})"), "api_error");
  EXPECT_EQ(anthropic_stream_error_type(R"({"message":"m","type":"rate_limit_error","code":"x"})"), "rate_limit_error");
  EXPECT_EQ(anthropic_stream_error_type("not json"), "api_error");
}

TEST(anthropic_response, message_ids) {
  EXPECT_EQ(message_id("chatcmpl-123"), "msg_123");
  EXPECT_EQ(message_id("abc"), "msg_abc");
}

}  // namespace
}  // namespace gw
