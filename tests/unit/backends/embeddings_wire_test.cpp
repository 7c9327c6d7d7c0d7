#include "backends/embeddings_wire.hpp"

#include <gtest/gtest.h>

namespace gw {
namespace {

TEST(embeddings_wire, request_body_lists_inputs_and_options) {
  EXPECT_EQ(embeddings_request_body({"a", "b\"c"}, "m/x", 0, false),
            R"({"model":"m/x","input":["a","b\"c"],"encoding_format":"float"})");
  EXPECT_EQ(embeddings_request_body({"a"}, "m", 8, true),
            R"({"model":"m","input":["a"],"dimensions":8,"encoding_format":"base64"})");
}

TEST(embeddings_wire, reply_is_ordered_by_index) {
  const auto r = parse_embeddings_reply(
      R"({"object":"list","data":[{"object":"embedding","index":1,"embedding":[0.5,-1]},
          {"object":"embedding","index":0,"embedding":[1,0.25]}],"model":"m","usage":{"prompt_tokens":7,"total_tokens":7}})",
      2);
  ASSERT_TRUE(r);
  ASSERT_EQ(r->vectors.size(), 2u);
  EXPECT_EQ(r->vectors[0], (std::vector<float>{1.0f, 0.25f}));  // integers read as numbers too
  EXPECT_EQ(r->vectors[1], (std::vector<float>{0.5f, -1.0f}));
  EXPECT_EQ(r->prompt_tokens, 7u);
}

TEST(embeddings_wire, reply_that_does_not_match_the_request_is_refused) {
  EXPECT_FALSE(parse_embeddings_reply(R"({"data":[{"index":0,"embedding":[1]}]})", 2));                         // too few
  EXPECT_FALSE(parse_embeddings_reply(R"({"data":[{"index":0,"embedding":[1]},{"index":0,"embedding":[1]}]})", 2));  // repeated
  EXPECT_FALSE(parse_embeddings_reply(R"({"data":[{"index":5,"embedding":[1]}]})", 1));                         // out of range
  EXPECT_FALSE(parse_embeddings_reply(R"({"data":[{"index":0,"embedding":"AAAA"}]})", 1));                      // base64
  EXPECT_FALSE(parse_embeddings_reply(R"({"error":{"message":"x"}})", 1));
  EXPECT_FALSE(parse_embeddings_reply("not json", 1));
  const auto no_usage = parse_embeddings_reply(R"({"data":[{"index":0,"embedding":[1]}]})", 1);
  ASSERT_TRUE(no_usage);
  EXPECT_EQ(no_usage->prompt_tokens, 0u);
}

// The usage a provider reports is what its embeddings cost, whatever the vectors' encoding.
TEST(embeddings_wire, usage_is_read_from_any_reply) {
  EXPECT_EQ(embeddings_usage(R"({"data":[{"index":0,"embedding":"AAAA"}],"usage":{"prompt_tokens":7,"total_tokens":7}})"), 7u);
  EXPECT_EQ(embeddings_usage(R"({"data":[{"index":0,"embedding":[1]}],"usage":{"prompt_tokens":0}})"), 0u);
  EXPECT_FALSE(embeddings_usage(R"({"data":[{"index":0,"embedding":[1]}]})"));
  EXPECT_FALSE(embeddings_usage(R"({"usage":{"prompt_tokens":-1}})"));
  EXPECT_FALSE(embeddings_usage("not json"));
}

}  // namespace
}  // namespace gw
