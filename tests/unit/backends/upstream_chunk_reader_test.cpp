#include "backends/openai_chunk.hpp"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

namespace gw {
namespace {

// What a chunk reads as, for comparing: nullopt, or its fields.
std::string show(const std::optional<upstream_chunk>& c) {
  if (!c) return "refused";
  std::string s = "text=[" + c->text + "]";
  if (c->finish) s += " finish=" + std::to_string(static_cast<int>(*c->finish));
  if (c->usage) s += " usage=" + std::to_string(c->usage->prompt) + "/" + std::to_string(c->usage->completion);
  if (c->error) s += " error=" + *c->error;
  return s;
}

std::string vllm_chunk(const std::string& content_json, const std::string& finish = "null") {
  return R"({"id":"chatcmpl-7","object":"chat.completion.chunk","created":1700000000,"model":"m","choices":[{"index":0,"delta":{"content":)" +
         content_json + R"(},"logprobs":null,"finish_reason":)" + finish + "}]}";
}

TEST(upstream_chunk_reader, a_stream_of_alike_chunks_is_parsed_once) {
  upstream_chunk_reader r;
  const std::vector<std::string> stream = {
      R"({"id":"chatcmpl-7","object":"chat.completion.chunk","created":1700000000,"model":"m","choices":[{"index":0,"delta":{"role":"assistant","content":""},"logprobs":null,"finish_reason":null}]})",
      vllm_chunk(R"("Hello")"), vllm_chunk(R"(" world")"), vllm_chunk("\"\xE4\xBD\xA0\xE5\xA5\xBD\""),  // 你好
      vllm_chunk(R"("")"), vllm_chunk(R"(",")"), vllm_chunk(R"("{\"a\"}")")};
  for (const auto& doc : stream) ASSERT_EQ(show(r.read(doc)), show(parse_upstream_chunk(doc))) << doc;
  // The role chunk has another shape; "Hello" is parsed and kept; the next four reuse it; the
  // text with escapes is parsed.
  EXPECT_EQ(r.reused(), 4u);
  EXPECT_EQ(r.read(vllm_chunk(R"("!")"))->text, "!");
  EXPECT_EQ(r.reused(), 5u);
}

TEST(upstream_chunk_reader, text_that_needs_escapes_or_is_not_utf8_is_parsed) {
  const std::vector<std::string> texts = {
      R"("a\"b")", R"("a\\b")", R"("line\nbreak")", "\"tab\there\"", "\"bad \xFF utf-8\"", "\"cut \xE4\xBD\"",
      "\"ctl \x01\"", R"("a"},"x":{"content":"b")", R"("\u00e9")"};
  for (const auto& t : texts) {
    upstream_chunk_reader r;
    ASSERT_TRUE(r.read(vllm_chunk(R"("kept")")));
    const std::string doc = vllm_chunk(t);
    EXPECT_EQ(show(r.read(doc)), show(parse_upstream_chunk(doc))) << doc;
    EXPECT_EQ(r.reused(), 0u) << doc;
  }
}

TEST(upstream_chunk_reader, other_bytes_around_the_text_are_parsed) {
  upstream_chunk_reader r;
  ASSERT_TRUE(r.read(vllm_chunk(R"("a")")));
  const std::string last = vllm_chunk(R"("b")", R"("length")");  // the finish reason changed
  EXPECT_EQ(show(r.read(last)), show(parse_upstream_chunk(last)));
  const std::string usage = R"({"id":"chatcmpl-7","choices":[],"usage":{"prompt_tokens":3,"completion_tokens":2}})";
  EXPECT_EQ(show(r.read(usage)), show(parse_upstream_chunk(usage)));
  const std::string error = R"({"error":{"message":"overloaded"}})";
  EXPECT_EQ(show(r.read(error)), "text=[] error=overloaded");
  EXPECT_EQ(r.reused(), 0u);
  // The last plain chunk's shape is the one kept: its finish reason comes with the next.
  const std::string again = vllm_chunk(R"("c")", R"("length")");
  EXPECT_EQ(show(r.read(again)), show(parse_upstream_chunk(again)));
  EXPECT_EQ(r.reused(), 1u);
}

TEST(upstream_chunk_reader, spaces_after_the_text_and_legacy_text) {
  upstream_chunk_reader r;
  auto legacy = [](const std::string& t) { return R"({"id":"cmpl-1","choices":[{"text":)" + t + R"(  ,"index":0}]})"; };
  for (const std::string t : {R"("one")", R"("two")", R"("")", R"("a\tb")", R"("three")"})
    ASSERT_EQ(show(r.read(legacy(t))), show(parse_upstream_chunk(legacy(t)))) << t;
  EXPECT_EQ(r.reused(), 3u);  // two, "", three
}

// Chunks from a few shapes with random texts (quotes, backslashes, control and non-ASCII bytes,
// broken UTF-8), one reader over all of them: every answer must be parse_upstream_chunk's.
TEST(upstream_chunk_reader, random_streams_read_as_parsed) {
  std::mt19937 rng(11);
  const char* alphabet[] = {"a", "b", " ", "\"", "\\", "\\n", "\\\"", "\x01", "\xC3\xA9", "\xE4\xBD\xA0", "\xFF", "\xC3", "}", ","};
  auto text = [&] {
    std::string t;
    for (int n = static_cast<int>(rng() % 6); n > 0; --n) t += alphabet[rng() % std::size(alphabet)];
    return t;
  };
  std::size_t reused = 0;
  for (int stream = 0; stream < 300; ++stream) {
    upstream_chunk_reader r;
    for (int i = 0; i < 30; ++i) {
      std::string doc;
      switch (rng() % 4) {
        case 0: doc = vllm_chunk("\"" + text() + "\""); break;
        case 1: doc = vllm_chunk("\"" + text() + "\"", R"("stop")"); break;
        case 2: doc = R"({"choices":[{"text":")" + text() + R"(","finish_reason":null}],"usage":{"prompt_tokens":1,"completion_tokens":)" + std::to_string(i) + "}}"; break;
        default: doc = vllm_chunk("\"plain\""); break;
      }
      ASSERT_EQ(show(r.read(doc)), show(parse_upstream_chunk(doc))) << doc;
    }
    reused += r.reused();
  }
  EXPECT_GT(reused, 1000u);  // the shortcut was taken, not only the parse
}

}  // namespace
}  // namespace gw
