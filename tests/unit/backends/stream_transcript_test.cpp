#include "backends/stream_transcript.hpp"

#include <gtest/gtest.h>

namespace gw {
namespace {

TEST(stream_transcript, collects_the_text_id_and_created_as_the_client_saw_them) {
  stream_transcript t;
  t.feed("data: {\"id\":\"c-1\",\"created\":17,\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"\"}}]}\n\n");
  t.feed("data: {\"id\":\"c-1\",\"created\":17,\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hi \\\"x\\\"\\n\"}}]}\n\n"
         ": keep-alive\n\ndata:{\"id\":\"c-2\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"\\u00e9\"},\"logprobs\":null}]}\r\n\r\n");
  EXPECT_EQ(t.text(), "Hi \"x\"\n\xc3\xa9");
  EXPECT_EQ(t.id(), "\"c-1\"");
  EXPECT_EQ(t.created(), "17");
  EXPECT_TRUE(t.role_sent());
  EXPECT_EQ(t.refusal(), nullptr);
}

TEST(stream_transcript, legacy_text) {
  stream_transcript t;
  t.feed("data: {\"id\":\"cmpl-1\",\"object\":\"text_completion\",\"choices\":[{\"index\":0,\"text\":\"Once\",\"finish_reason\":null}]}\n\n");
  t.feed("data: {\"id\":\"cmpl-1\",\"choices\":[{\"index\":0,\"text\":\" upon\",\"finish_reason\":null}]}\n\n");
  EXPECT_EQ(t.text(), "Once upon");
  EXPECT_EQ(t.refusal(), nullptr);
}

TEST(stream_transcript, what_makes_a_continuation_incorrect) {
  const auto after = [](const char* delta_or_choice) {
    stream_transcript t;
    t.feed("data: {\"id\":\"c\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"a\"}}]}\n\n");
    t.feed(delta_or_choice);
    return t.refusal();
  };
  EXPECT_STREQ(after("data: {\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":0,\"function\":{\"arguments\":\"{\\\"a\"}}]}}]}\n\n"),
               "tool_calls");
  EXPECT_STREQ(after("data: {\"choices\":[{\"index\":0,\"delta\":{\"reasoning_content\":\"hmm\"}}]}\n\n"), "reasoning");
  EXPECT_STREQ(after("data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"b\"},\"logprobs\":{\"content\":[]}}]}\n\n"),
               "logprobs");
  EXPECT_STREQ(after("data: {\"choices\":[{\"index\":1,\"delta\":{\"content\":\"b\"}}]}\n\n"), "n");
  EXPECT_STREQ(after("data: {\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}\n\n"), "finished");
  EXPECT_STREQ(after("data: {\"choices\":[\n\n"), "unreadable_stream");
  // Reasoning that gave way to content: the content can go on.
  EXPECT_EQ(after("data: {\"choices\":[{\"index\":0,\"delta\":{\"reasoning_content\":\"hmm\"}}]}\n\n"
                  "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"b\",\"reasoning_content\":null}}]}\n\n"),
            nullptr);
}

}  // namespace
}  // namespace gw
