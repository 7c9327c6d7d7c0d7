#include "bench/gateway_bench/chunk_scan.hpp"

#include <gtest/gtest.h>

namespace gw::bench {
namespace {

TEST(bench_chunk_scan, chat_content_delta) {
  const auto i = scan_chunk(
      R"({"id":"c1","object":"chat.completion.chunk","created":1,"model":"m","choices":[{"index":0,"delta":{"content":" hi"},"logprobs":null,"finish_reason":null}],"usage":null})");
  EXPECT_TRUE(i.content);
  EXPECT_FALSE(i.error);
  EXPECT_FALSE(i.has_usage);
}

TEST(bench_chunk_scan, role_chunk_with_empty_content_is_not_content) {
  const auto i = scan_chunk(R"({"choices":[{"index":0,"delta":{"role":"assistant","content":""},"finish_reason":null}]})");
  EXPECT_FALSE(i.content);
}

TEST(bench_chunk_scan, legacy_text_and_reasoning_count_as_content) {
  EXPECT_TRUE(scan_chunk(R"({"object":"text_completion","choices":[{"index":0,"text":"x","finish_reason":null}]})").content);
  EXPECT_FALSE(scan_chunk(R"({"choices":[{"index":0,"text":"","finish_reason":"length"}]})").content);
  EXPECT_TRUE(scan_chunk(R"({"choices":[{"delta":{"reasoning_content":"think"}}]})").content);
  EXPECT_TRUE(scan_chunk(R"({"choices":[{"delta":{"content":null,"reasoning":"r"}}]})").content);
  EXPECT_FALSE(scan_chunk(R"({"choices":[{"delta":{"content":null}}]})").content);
}

TEST(bench_chunk_scan, usage_chunk) {
  const auto i = scan_chunk(
      R"({"id":"c1","choices":[],"usage":{"prompt_tokens":138,"completion_tokens":16,"total_tokens":154}})");
  EXPECT_TRUE(i.has_usage);
  EXPECT_EQ(i.prompt_tokens, 138u);
  EXPECT_EQ(i.completion_tokens, 16u);
  EXPECT_FALSE(i.content);
}

TEST(bench_chunk_scan, usage_with_details_and_whitespace) {
  const auto i = scan_chunk(R"({ "usage" : { "prompt_tokens" : 5 , "completion_tokens_details": {"completion_tokens": 99},
      "completion_tokens" : 7 } })");
  EXPECT_TRUE(i.has_usage);
  EXPECT_EQ(i.prompt_tokens, 5u);
  EXPECT_EQ(i.completion_tokens, 7u);  // the nested one is ignored
}

TEST(bench_chunk_scan, non_streaming_body) {
  const auto i = scan_chunk(
      R"({"id":"x","object":"chat.completion","choices":[{"index":0,"message":{"role":"assistant","content":"Hello there"},"finish_reason":"length"}],"usage":{"prompt_tokens":3,"completion_tokens":2,"total_tokens":5}})");
  EXPECT_TRUE(i.content);
  EXPECT_TRUE(i.has_usage);
  EXPECT_EQ(i.completion_tokens, 2u);
}

TEST(bench_chunk_scan, error_event) {
  const auto i = scan_chunk(R"({"error":{"message":"engine failed","type":"server_error","code":null}})");
  EXPECT_TRUE(i.error);
  EXPECT_FALSE(i.content);  // "message" is not content, and the error is not inside choices
  EXPECT_FALSE(scan_chunk(R"({"error":null,"choices":[]})").error);
}

TEST(bench_chunk_scan, keys_inside_strings_are_not_keys) {
  // Text that looks like keys, with escaped quotes and backslashes.
  const auto i = scan_chunk(
      R"({"choices":[{"delta":{"content":"\"usage\":{\"completion_tokens\":9}, \"error\":1 \\"}}]})");
  EXPECT_TRUE(i.content);
  EXPECT_FALSE(i.has_usage);
  EXPECT_FALSE(i.error);
  EXPECT_EQ(i.completion_tokens, 0u);
}

TEST(bench_chunk_scan, top_level_fields_only_for_usage_and_error) {
  const auto i = scan_chunk(R"({"choices":[{"delta":{"usage":{"completion_tokens":3}},"error":"x"}]})");
  EXPECT_FALSE(i.has_usage);
  EXPECT_FALSE(i.error);
  EXPECT_FALSE(scan_chunk(R"({"content":"top-level is not a choice"})").content);
}

TEST(bench_chunk_scan, truncated_input_does_not_crash) {
  const std::string full = R"({"choices":[{"delta":{"content":"abc\"d"}}],"usage":{"completion_tokens":12}})";
  for (std::size_t n = 0; n <= full.size(); ++n) (void)scan_chunk(std::string_view(full).substr(0, n));
  EXPECT_EQ(scan_chunk(full).completion_tokens, 12u);
}

TEST(bench_chunk_scan, messages_events) {
  const auto start = scan_message_event(
      R"({"type":"message_start","message":{"id":"msg_1","content":[],"usage":{"input_tokens":12,"cache_read_input_tokens":3,"output_tokens":1}}})");
  EXPECT_FALSE(start.content);
  EXPECT_TRUE(start.has_usage);
  EXPECT_EQ(start.prompt_tokens, 15u);
  EXPECT_EQ(start.completion_tokens, 1u);
  EXPECT_FALSE(scan_message_event(R"({"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}})").content);
  EXPECT_TRUE(scan_message_event(R"({"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Hi"}})").content);
  EXPECT_TRUE(scan_message_event(R"({"type":"content_block_delta","index":0,"delta":{"type":"thinking_delta","thinking":"h"}})").content);
  EXPECT_TRUE(scan_message_event(R"({"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":"{\""}})").content);
  const auto delta = scan_message_event(R"({"type":"message_delta","delta":{"stop_reason":"end_turn"},"usage":{"output_tokens":42}})");
  EXPECT_TRUE(delta.has_usage);
  EXPECT_EQ(delta.completion_tokens, 42u);
  EXPECT_EQ(delta.prompt_tokens, 0u);
  EXPECT_TRUE(scan_message_event(R"({"type":"message_stop"})").end);
  EXPECT_FALSE(scan_message_event(R"({"type":"ping"})").end);
  EXPECT_TRUE(scan_message_event(R"({"type":"error","error":{"type":"overloaded_error","message":"x"}})").error);
  // A message whose text says "message_stop" is not the end.
  EXPECT_FALSE(scan_message_event(R"({"type":"content_block_delta","delta":{"type":"text_delta","text":"message_stop"}})").end);
}

TEST(bench_chunk_scan, a_whole_message) {
  const auto m = scan_message_event(
      R"({"id":"msg_1","type":"message","role":"assistant","content":[{"type":"text","text":"Hello"}],"stop_reason":"end_turn","usage":{"input_tokens":9,"output_tokens":5}})");
  EXPECT_TRUE(m.content);
  EXPECT_FALSE(m.error);
  EXPECT_TRUE(m.has_usage);
  EXPECT_EQ(m.prompt_tokens, 9u);
  EXPECT_EQ(m.completion_tokens, 5u);
}

}  // namespace
}  // namespace gw::bench
