#include "backends/chunk_relay.hpp"

#include <gtest/gtest.h>

#include <string>

namespace gw {
namespace {

struct relayed {
  bool ok = false;
  std::string out;
  chunk_facts facts;
};

relayed relay(chunk_relay& r, std::string_view json) {
  relayed x;
  x.ok = r.relay(x.out, json, x.facts);
  return x;
}

TEST(chunk_relay, only_the_model_changes_in_a_chunk_with_every_field) {
  chunk_relay r("public", true);
  const std::string chunk =
      R"({"id":"c1","object":"chat.completion.chunk","created":1,"model":"up/m","system_fingerprint":"fp","service_tier":"default",)"
      R"("choices":[{"index":0,"delta":{"reasoning_content":"think","tool_calls":[{"index":0,"id":"call_1","type":"function",)"
      R"("function":{"name":"f","arguments":"{\"a\":1e400}"}}]},"logprobs":{"content":[]},"finish_reason":null},)"
      R"({"index":1,"delta":{"refusal":"no"},"finish_reason":"content_filter"}],"usage":null,"vendor":12345678901234567890123})";
  auto x = relay(r, chunk);
  ASSERT_TRUE(x.ok);
  std::string want = chunk;
  want.replace(want.find("\"up/m\""), 6, "\"public\"");
  EXPECT_EQ(x.out, want);
  EXPECT_TRUE(x.facts.shown);
  EXPECT_TRUE(x.facts.output);
  EXPECT_EQ(x.facts.finish, finish_reason::stop);
}

TEST(chunk_relay, one_id_per_stream) {
  chunk_relay r("p", true);
  EXPECT_EQ(relay(r, R"({"id":"a","model":"m","choices":[]})").out, R"({"id":"a","model":"p","choices":[]})");
  EXPECT_EQ(relay(r, R"({"id":"b","model":"m","choices":[]})").out, R"({"id":"a","model":"p","choices":[]})");
}

TEST(chunk_relay, usage_the_client_did_not_ask_for_is_accounted_but_not_shown) {
  chunk_relay r("p", false);
  auto content = relay(r, R"({"model":"m","choices":[{"index":0,"delta":{"content":"x"},"finish_reason":null}],"usage":null})");
  EXPECT_EQ(content.out, R"({"model":"p","choices":[{"index":0,"delta":{"content":"x"},"finish_reason":null}]})");
  auto usage = relay(r, R"({"model":"m","choices":[],"usage":{"prompt_tokens":11,"completion_tokens":7,"total_tokens":18,)"
                        R"("completion_tokens_details":{"reasoning_tokens":3}}})");
  EXPECT_TRUE(usage.ok);
  EXPECT_FALSE(usage.facts.shown);
  EXPECT_EQ(usage.out, "");
  ASSERT_TRUE(usage.facts.usage);
  EXPECT_EQ(usage.facts.usage->prompt, 11u);
  EXPECT_EQ(usage.facts.usage->completion, 7u);

  chunk_relay asked("p", true);
  auto shown = relay(asked, R"({"model":"m","choices":[],"usage":{"prompt_tokens":1,"completion_tokens":2}})");
  EXPECT_TRUE(shown.facts.shown);
  EXPECT_EQ(shown.out, R"({"model":"p","choices":[],"usage":{"prompt_tokens":1,"completion_tokens":2}})");
}

TEST(chunk_relay, what_counts_as_output) {
  chunk_relay r("p", true);
  EXPECT_FALSE(relay(r, R"({"choices":[{"index":0,"delta":{"role":"assistant","content":""},"finish_reason":null}]})").facts.output);
  EXPECT_FALSE(relay(r, R"({"choices":[{"index":0,"delta":{"content":null}}]})").facts.output);
  EXPECT_TRUE(relay(r, R"({"choices":[{"index":0,"delta":{"content":"a"}}]})").facts.output);
  EXPECT_TRUE(relay(r, R"({"choices":[{"index":0,"delta":{"reasoning":"r"}}]})").facts.output);
  EXPECT_TRUE(relay(r, R"({"choices":[{"index":0,"text":"t","finish_reason":null}]})").facts.output);
  EXPECT_FALSE(relay(r, R"({"choices":[{"index":0,"text":""}]})").facts.output);
  auto len = relay(r, R"({"choices":[{"index":0,"delta":{},"finish_reason":"length"}]})");
  EXPECT_TRUE(len.facts.output);
  EXPECT_EQ(len.facts.finish, finish_reason::length);
  auto whole = relay(r, R"({"id":"x","object":"chat.completion","model":"m","choices":[{"index":0,"message":{"role":"assistant",)"
                        R"("content":null,"tool_calls":[]},"finish_reason":"tool_calls"}],"usage":{"prompt_tokens":3,"completion_tokens":4}})");
  EXPECT_TRUE(whole.facts.output);
  EXPECT_EQ(whole.facts.finish, finish_reason::stop);
  ASSERT_TRUE(whole.facts.usage);
  EXPECT_EQ(whole.facts.usage->completion, 4u);
}

// An embeddings answer: its usage is what it costs, whatever the vectors' encoding.
TEST(chunk_relay, an_embeddings_answer_keeps_its_vectors_and_reports_usage) {
  chunk_relay r("public", true);
  auto x = relay(r, R"({"object":"list","data":[{"object":"embedding","index":0,"embedding":"AAAA"}],"model":"up",)"
                    R"("usage":{"prompt_tokens":7,"total_tokens":7}})");
  EXPECT_EQ(x.out, R"({"object":"list","data":[{"object":"embedding","index":0,"embedding":"AAAA"}],"model":"public",)"
                   R"("usage":{"prompt_tokens":7,"total_tokens":7}})");
  ASSERT_TRUE(x.facts.usage);
  EXPECT_EQ(x.facts.usage->prompt, 7u);
  EXPECT_FALSE(relay(r, R"({"data":[],"usage":{"prompt_tokens":-1}})").facts.usage);
}

// Chunks alike but for their text are relayed from the kept shape, to the same bytes a scan
// gives; a text with escapes, or other bytes around it, is scanned.
TEST(chunk_relay, alike_chunks_are_relayed_from_their_shape) {
  const auto chunk = [](std::string_view text, std::string_view finish = "null") {
    return std::string(R"({"id":"c1","object":"chat.completion.chunk","created":1,"model":"up","choices":[{"index":0,)"
                       R"("delta":{"content":")") +
           std::string(text) + R"("},"logprobs":null,"finish_reason":)" + std::string(finish) + R"(}],"usage":null})";
  };
  chunk_relay shaped("public", false);
  std::size_t scans = 0;
  for (std::string_view text : {"Hello", " world", "", R"( caf\u00e9)", R"( \"q\")", " plain", R"(\u00e9)", " again"}) {
    chunk_relay fresh("public", false);  // scans every chunk
    const auto want = relay(fresh, chunk(text));
    const auto before = shaped.reused();
    const auto got = relay(shaped, chunk(text));
    scans += shaped.reused() == before;
    EXPECT_EQ(got.out, want.out) << text;
    EXPECT_EQ(got.facts.output, want.facts.output) << text;
    EXPECT_EQ(got.out.find("\"up\""), std::string::npos);
    EXPECT_EQ(got.out.find("usage"), std::string::npos);
  }
  EXPECT_EQ(shaped.reused(), 4u);  // all but the first and the three with escapes
  EXPECT_EQ(scans, 4u);
  const auto last = relay(shaped, chunk("", R"("stop")"));
  EXPECT_EQ(last.facts.finish, finish_reason::stop);
  EXPECT_EQ(shaped.reused(), 4u);
}

TEST(chunk_relay, errors_and_garbage) {
  chunk_relay r("p", true);
  auto e = relay(r, R"({"error":{"message":"overloaded"}})");
  EXPECT_TRUE(e.ok);
  EXPECT_TRUE(e.facts.error);
  EXPECT_FALSE(e.facts.shown);
  EXPECT_TRUE(relay(r, R"({"error":null,"choices":[]})").ok);
  EXPECT_FALSE(relay(r, R"({"error":null,"choices":[]})").facts.error);
  for (const char* bad : {"not json", "[1,2]", "", R"({"choices":[)", R"({"model":"m"} x)"}) EXPECT_FALSE(relay(r, bad).ok) << bad;
}

}  // namespace
}  // namespace gw

namespace gw {
namespace {

TEST(chunk_relay, a_continuation_keeps_the_clients_id_and_created_and_sends_no_second_role) {
  chunk_relay r("pub", true);
  r.continue_stream({"\"first-id\"", "100", 5});
  auto role = relay(r, R"({"id":"p-9","created":200,"model":"x","choices":[{"index":0,"delta":{"role":"assistant","content":""}}]})");
  ASSERT_TRUE(role.ok);
  EXPECT_FALSE(role.facts.shown);
  EXPECT_EQ(role.out, "");
  auto text = relay(r, R"({"id":"p-9","created":200,"model":"x","choices":[{"index":0,"delta":{"content":"lo"}}]})");
  EXPECT_EQ(text.out, R"({"id":"first-id","created":100,"model":"pub","choices":[{"index":0,"delta":{"content":"lo"}}]})");
  // The kept shape carries the edits too.
  auto again = relay(r, R"({"id":"p-9","created":200,"model":"x","choices":[{"index":0,"delta":{"content":" you"}}]})");
  EXPECT_EQ(again.out, R"({"id":"first-id","created":100,"model":"pub","choices":[{"index":0,"delta":{"content":" you"}}]})");
}

TEST(chunk_relay, a_continuations_usage_counts_the_whole_answer) {
  chunk_relay r("pub", true);
  r.continue_stream({"\"c\"", "1", 5});
  auto u = relay(r, R"({"id":"p","choices":[],"usage":{"prompt_tokens":25,"completion_tokens":7,"total_tokens":32,"x":{"y":1}}})");
  ASSERT_TRUE(u.ok);
  EXPECT_EQ(u.out, R"({"id":"c","choices":[],"usage":{"prompt_tokens":20,"completion_tokens":12,"total_tokens":32,"x":{"y":1}}})");
  ASSERT_TRUE(u.facts.usage);
  EXPECT_EQ(u.facts.usage->prompt, 25u);  // what the target reported, for its cost
  EXPECT_EQ(u.facts.usage->completion, 7u);
}

}  // namespace
}  // namespace gw
