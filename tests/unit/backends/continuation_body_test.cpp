#include "backends/continuation_body.hpp"

#include <gtest/gtest.h>

#include <string>

namespace gw {
namespace {

std::optional<std::string> build(const std::string& body, prefill_mode mode, std::string_view partial,
                                 std::uint32_t done = 0, bool chat = true, const char** why = nullptr) {
  continuation_input in;
  in.chat = chat;
  in.mode = mode;
  in.partial = partial;
  in.tokens_done = done;
  return continuation_body(body, in, why);
}

TEST(continuation_body, continue_final_message_appends_the_partial_answer_and_the_flags) {
  EXPECT_EQ(build(R"({"model":"m","messages":[{"role":"user","content":"hi"}],"stream":true})",
                  prefill_mode::continue_final_message, "Hello \"you\"\n"),
            R"({"model":"m","messages":[{"role":"user","content":"hi"},{"role":"assistant","content":"Hello \"you\"\n"}],)"
            R"("stream":true,"continue_final_message":true,"add_generation_prompt":false})");
}

TEST(continuation_body, the_clients_own_flags_give_way_to_the_gateways) {
  EXPECT_EQ(build(R"({"messages":[{"role":"user","content":"hi"}],"add_generation_prompt":true,"continue_final_message":false})",
                  prefill_mode::continue_final_message, "He"),
            R"({"messages":[{"role":"user","content":"hi"},{"role":"assistant","content":"He"}],)"
            R"("continue_final_message":true,"add_generation_prompt":false})");
}

TEST(continuation_body, prefix_marks_the_last_assistant_message) {
  EXPECT_EQ(build(R"({"messages":[ {"role":"user","content":"hi"} ],"max_tokens":100})", prefill_mode::prefix, "Hel", 3),
            R"({"messages":[ {"role":"user","content":"hi"} ,{"role":"assistant","content":"Hel","prefix":true}],"max_tokens":97})");
}

TEST(continuation_body, max_tokens_shrink_by_what_was_generated_and_a_spent_limit_refuses) {
  EXPECT_EQ(build(R"({"messages":[{"role":"user","content":"q"}],"max_completion_tokens":10,"max_tokens":null})",
                  prefill_mode::prefix, "a", 4),
            R"({"messages":[{"role":"user","content":"q"},{"role":"assistant","content":"a","prefix":true}],)"
            R"("max_completion_tokens":6,"max_tokens":null})");
  const char* why = nullptr;
  EXPECT_FALSE(build(R"({"messages":[{"role":"user","content":"q"}],"max_tokens":4})", prefill_mode::prefix, "a", 4, true, &why));
  EXPECT_STREQ(why, "max_tokens_reached");
}

TEST(continuation_body, legacy_completions_append_to_a_string_prompt) {
  EXPECT_EQ(build(R"({"model":"m","prompt":"Once upon","max_tokens":8})", prefill_mode::continue_final_message, " a time", 2,
                  false),
            R"({"model":"m","prompt":"Once upon a time","max_tokens":6})");
  const char* why = nullptr;
  EXPECT_FALSE(build(R"({"model":"m","prompt":["a","b"]})", prefill_mode::prefix, "x", 1, false, &why));
  EXPECT_STREQ(why, "prompt_not_a_string");
}

TEST(continuation_body, a_target_without_prefill_support_is_refused) {
  const char* why = nullptr;
  EXPECT_FALSE(build(R"({"messages":[{"role":"user","content":"q"}]})", prefill_mode::none, "a", 1, true, &why));
  EXPECT_STREQ(why, "no_prefill_support");
  EXPECT_FALSE(build(R"({"messages":[]})", prefill_mode::prefix, "a", 1, true, &why));
  EXPECT_FALSE(build(R"({"model":"m"})", prefill_mode::prefix, "a", 1, true, &why));
}

TEST(continuation_body, modes_by_name) {
  EXPECT_EQ(prefill_mode_from("prefix"), prefill_mode::prefix);
  EXPECT_EQ(prefill_mode_from("continue_final_message"), prefill_mode::continue_final_message);
  EXPECT_EQ(prefill_mode_from("none"), prefill_mode::none);
  EXPECT_FALSE(prefill_mode_from("yes"));
}

const char* refusal(const std::string& body, bool chat = true) {
  auto scan = json::scan_object(body);
  EXPECT_TRUE(scan) << body;
  return request_refuses_continuation(*scan, chat);
}

TEST(continuation_body, requests_that_cannot_be_continued) {
  EXPECT_EQ(refusal(R"({"messages":[],"n":1,"logprobs":false})"), nullptr);
  EXPECT_STREQ(refusal(R"({"messages":[],"n":2})"), "n");
  EXPECT_STREQ(refusal(R"({"messages":[],"logprobs":true})"), "logprobs");
  EXPECT_STREQ(refusal(R"({"prompt":"p","logprobs":2})", false), "logprobs");
  EXPECT_EQ(refusal(R"({"prompt":"p","logprobs":null,"echo":false,"suffix":null})", false), nullptr);
  EXPECT_STREQ(refusal(R"({"prompt":"p","echo":true})", false), "echo");
  EXPECT_STREQ(refusal(R"({"prompt":"p","suffix":"end"})", false), "suffix");
  EXPECT_STREQ(refusal(R"({"prompt":"p","best_of":3})", false), "n");
}

}  // namespace
}  // namespace gw
