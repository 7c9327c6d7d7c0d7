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

// The fields are read in one pass (simdjson On-Demand); the answer must not depend on their order
// or on values of the wrong type, as it did not with the DOM lookups before.
TEST(openai_chunk, field_order_types_and_first_occurrences) {
  auto c = parse_upstream_chunk(
      R"({"choices":[{"finish_reason":"length","text":"t","message":{"content":"m"},"delta":{"content":"d"}},)"
      R"({"delta":{"content":"second choice"}}],"id":"x"})");
  ASSERT_TRUE(c);
  EXPECT_EQ(c->text, "d");  // delta, then message, then text, whatever their order
  EXPECT_EQ(*c->finish, finish_reason::length);
  auto m = parse_upstream_chunk(R"({"choices":[{"text":"t","message":{"role":"assistant","content":"m"}}]})");
  ASSERT_TRUE(m);
  EXPECT_EQ(m->text, "m");
  auto first = parse_upstream_chunk(R"({"choices":[{"delta":{"content":"a","content":"b"}}],"choices":[]})");
  ASSERT_TRUE(first);
  EXPECT_EQ(first->text, "a");  // the first occurrence of a key
  auto nulls = parse_upstream_chunk(
      R"({"choices":[{"delta":{"content":null},"finish_reason":null}],"usage":null,"error":null})");
  ASSERT_TRUE(nulls);
  EXPECT_EQ(nulls->text, "");
  EXPECT_FALSE(nulls->finish);
  EXPECT_FALSE(nulls->usage);
  EXPECT_FALSE(nulls->error);
  auto odd = parse_upstream_chunk(R"({"choices":{"a":1},"usage":{"prompt_tokens":"x","completion_tokens":3}})");
  ASSERT_TRUE(odd);  // choices not an array: ignored; a usage count of the wrong type counts 0
  ASSERT_TRUE(odd->usage);
  EXPECT_EQ(odd->usage->prompt, 0u);
  EXPECT_EQ(odd->usage->completion, 3u);
  auto err = parse_upstream_chunk(R"({"choices":[{"delta":{"content":"x"}}],"error":{"code":1}})");
  ASSERT_TRUE(err && err->error);  // an error event wins, even after choices
  EXPECT_EQ(*err->error, "upstream error");
  EXPECT_TRUE(err->text.empty());
  auto escaped = parse_upstream_chunk(R"({"ch\u006fices":[{"delta":{"content":"\u00e9\n"}}]})");
  ASSERT_TRUE(escaped);
  EXPECT_EQ(escaped->text, "\xc3\xa9\n");  // keys and values are unescaped
}

TEST(openai_chunk, malformed_json_is_refused) {
  for (const char* bad : {R"({"choices":[{"delta":{"content":"x"}})", R"({"choices":[{"delta":)", "{", "",
                          R"({"choices":[{"delta":{"content":"x}}]})", R"({"choices" [1]})"})
    EXPECT_FALSE(parse_upstream_chunk(bad)) << bad;
}

}  // namespace
}  // namespace gw
