#include "gateway/openai_json.hpp"

#include <gtest/gtest.h>
#include <simdjson.h>

#include <string>
#include <string_view>

namespace gw {
namespace {

response_meta chat_meta(bool usage = false) {
  return {api_kind::chat, "chatcmpl-abc", 1700000000, "m\"1", usage};
}

// Every chunk must be valid JSON; parse it back to check the shape, not the bytes.
simdjson::dom::element parse(simdjson::dom::parser& p, const std::string& s) {
  auto r = p.parse(s);
  EXPECT_EQ(r.error(), simdjson::SUCCESS) << s;
  return r.value();
}

// The JSON of the one SSE event `write` appends, its framing checked.
template <typename Write>
std::string event_json(Write write) {
  std::string event;
  write(event);
  constexpr std::string_view start = "data: ", end = "\n\n";
  EXPECT_TRUE(event.starts_with(start) && event.ends_with(end)) << event;
  if (event.size() < start.size() + end.size()) return event;
  return event.substr(start.size(), event.size() - start.size() - end.size());
}

std::string role_chunk(const response_meta& m) {
  return event_json([&](std::string& o) { append_role_event(o, m); });
}
std::string content_chunk(const response_meta& m, std::string_view text) {
  return event_json([&](std::string& o) { append_content_event(o, m, text); });
}
std::string finish_chunk(const response_meta& m, finish_reason r) {
  return event_json([&](std::string& o) { append_finish_event(o, m, r); });
}
std::string usage_chunk(const response_meta& m, usage_counts u) {
  return event_json([&](std::string& o) { append_usage_event(o, m, u); });
}

TEST(openai_json, role_chunk_carries_assistant_role_and_no_finish) {
  simdjson::dom::parser p;
  auto j = parse(p, role_chunk(chat_meta()));
  EXPECT_EQ(std::string_view(j["object"]), "chat.completion.chunk");
  EXPECT_EQ(std::string_view(j["id"]), "chatcmpl-abc");
  EXPECT_EQ(std::string_view(j["model"]), "m\"1");
  EXPECT_EQ(int64_t(j["created"]), 1700000000);
  auto c = j["choices"].at(0);
  EXPECT_EQ(std::string_view(c["delta"]["role"]), "assistant");
  EXPECT_TRUE(c["finish_reason"].is_null());
  EXPECT_TRUE(j["usage"].error() == simdjson::NO_SUCH_FIELD);
}

TEST(openai_json, content_chunk_escapes_text) {
  simdjson::dom::parser p;
  auto j = parse(p, content_chunk(chat_meta(), "a \"q\"\n\tb\x01"));
  EXPECT_EQ(std::string_view(j["choices"].at(0)["delta"]["content"]), "a \"q\"\n\tb\x01");
}

TEST(openai_json, include_usage_puts_null_usage_on_every_choice_chunk) {
  simdjson::dom::parser p;
  auto j = parse(p, content_chunk(chat_meta(true), "x"));
  EXPECT_TRUE(j["usage"].is_null());
  auto f = parse(p, finish_chunk(chat_meta(true), finish_reason::length));
  EXPECT_EQ(std::string_view(f["choices"].at(0)["finish_reason"]), "length");
  EXPECT_EQ(f["choices"].at(0)["delta"].get_object().size(), 0u);
}

TEST(openai_json, usage_chunk_has_empty_choices) {
  simdjson::dom::parser p;
  auto j = parse(p, usage_chunk(chat_meta(true), {7, 5}));
  EXPECT_EQ(j["choices"].get_array().size(), 0u);
  EXPECT_EQ(uint64_t(j["usage"]["prompt_tokens"]), 7u);
  EXPECT_EQ(uint64_t(j["usage"]["completion_tokens"]), 5u);
  EXPECT_EQ(uint64_t(j["usage"]["total_tokens"]), 12u);
}

TEST(openai_json, chat_completion_body) {
  simdjson::dom::parser p;
  auto j = parse(p, completion_body(chat_meta(), "hello", finish_reason::stop, {3, 1}));
  EXPECT_EQ(std::string_view(j["object"]), "chat.completion");
  auto c = j["choices"].at(0);
  EXPECT_EQ(std::string_view(c["message"]["role"]), "assistant");
  EXPECT_EQ(std::string_view(c["message"]["content"]), "hello");
  EXPECT_EQ(std::string_view(c["finish_reason"]), "stop");
  EXPECT_EQ(uint64_t(j["usage"]["total_tokens"]), 4u);
}

TEST(openai_json, legacy_completion_shapes) {
  simdjson::dom::parser p;
  response_meta m{api_kind::completion, "cmpl-1", 1, "m", false};
  auto chunk = parse(p, content_chunk(m, "tok"));
  EXPECT_EQ(std::string_view(chunk["object"]), "text_completion");
  EXPECT_EQ(std::string_view(chunk["choices"].at(0)["text"]), "tok");
  auto body = parse(p, completion_body(m, "all", finish_reason::length, {1, 2}));
  EXPECT_EQ(std::string_view(body["choices"].at(0)["text"]), "all");
  EXPECT_EQ(std::string_view(body["choices"].at(0)["finish_reason"]), "length");
}

TEST(openai_json, sse_event_framing) {
  std::string out;
  append_sse_event(out, "{}");
  EXPECT_EQ(out, "data: {}\n\n");
  EXPECT_EQ(sse_done, "data: [DONE]\n\n");
}

TEST(openai_json, models_list) {
  simdjson::dom::parser p;
  auto j = parse(p, models_body({{"a", 5}, {"b", 6}}));
  EXPECT_EQ(std::string_view(j["object"]), "list");
  EXPECT_EQ(j["data"].get_array().size(), 2u);
  EXPECT_EQ(std::string_view(j["data"].at(1)["id"]), "b");
  auto one = parse(p, model_body({"a", 5}));
  EXPECT_EQ(std::string_view(one["object"]), "model");
}

// A stream writes its chunks' opening once (meta.opening); every chunk must be byte for byte the
// one written without it, for chat and legacy completions, with and without usage.
TEST(openai_json, chunks_with_the_opening_written_once_are_the_same) {
  for (const auto kind : {api_kind::chat, api_kind::completion}) {
    for (const bool usage : {false, true}) {
      response_meta plain{kind, "chatcmpl-\"x\"", 1700000000, "m\\1", usage};
      response_meta once = plain;
      once.opening = chunk_opening(once);
      auto events = [](const response_meta& m) {
        std::string out;
        append_role_event(out, m);
        append_content_event(out, m, "tok \"en\"");
        append_finish_event(out, m, finish_reason::length);
        append_usage_event(out, m, {3, 4});
        return out;
      };
      EXPECT_EQ(events(once), events(plain));
    }
  }
}

}  // namespace
}  // namespace gw
