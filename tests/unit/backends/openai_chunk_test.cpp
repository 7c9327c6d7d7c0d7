#include "backends/openai_chunk.hpp"

#include <gtest/gtest.h>

namespace gw {
namespace {

TEST(openai_chunk, chat_delta_finish_and_usage) {
  auto c = parse_upstream_chunk(R"({"id":"x","choices":[{"index":0,"delta":{"content":"hé"},"finish_reason":null}]})");
  ASSERT_TRUE(c);
  EXPECT_EQ(c->text, "hé");
  EXPECT_FALSE(c->finish);
  auto f = parse_upstream_chunk(R"({"choices":[{"index":0,"delta":{},"finish_reason":"length"}]})");
  ASSERT_TRUE(f && f->finish);
  EXPECT_EQ(*f->finish, finish_reason::length);
  auto u = parse_upstream_chunk(R"({"choices":[],"usage":{"prompt_tokens":11,"completion_tokens":7,"total_tokens":18}})");
  ASSERT_TRUE(u && u->usage);
  EXPECT_EQ(u->usage->prompt, 11u);
  EXPECT_EQ(u->usage->completion, 7u);
}

TEST(openai_chunk, legacy_text_and_other_finish_reasons) {
  auto c = parse_upstream_chunk(R"({"choices":[{"text":"abc","finish_reason":"stop"}]})");
  ASSERT_TRUE(c);
  EXPECT_EQ(c->text, "abc");
  EXPECT_EQ(*c->finish, finish_reason::stop);
  auto t = parse_upstream_chunk(R"({"choices":[{"delta":{"tool_calls":[]},"finish_reason":"tool_calls"}]})");
  ASSERT_TRUE(t && t->finish);
  EXPECT_EQ(*t->finish, finish_reason::stop);
}

TEST(openai_chunk, in_stream_error_and_garbage) {
  auto e = parse_upstream_chunk(R"({"error":{"message":"overloaded","type":"server_error"}})");
  ASSERT_TRUE(e && e->error);
  EXPECT_EQ(*e->error, "overloaded");
  EXPECT_FALSE(parse_upstream_chunk("not json"));
  EXPECT_FALSE(parse_upstream_chunk("[1,2]"));
  EXPECT_FALSE(parse_upstream_chunk(R"({"choices":[3]})"));
}

TEST(openai_chunk, error_bodies) {
  EXPECT_EQ(upstream_error_message(R"({"error":{"message":"bad model","code":"x"}})").value_or(""), "bad model");
  EXPECT_EQ(upstream_error_message(R"({"message":"plain"})").value_or(""), "plain");
  EXPECT_FALSE(upstream_error_message("<html>502</html>"));
}

}  // namespace
}  // namespace gw
