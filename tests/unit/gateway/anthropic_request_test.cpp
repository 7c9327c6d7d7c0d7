#include "gateway/anthropic_request.hpp"

#include <gtest/gtest.h>
#include <simdjson.h>

#include <string>

namespace gw {
namespace {

messages_translation ok(std::string_view body, bool count_only = false) {
  auto r = to_chat_request(body, count_only);
  if (auto* e = std::get_if<api_error>(&r)) {
    ADD_FAILURE() << e->message;
    return {};
  }
  auto t = std::get<messages_translation>(std::move(r));
  simdjson::dom::parser p;
  EXPECT_EQ(p.parse(t.chat_body).error(), simdjson::SUCCESS) << t.chat_body;
  return t;
}

api_error refused(std::string_view body) {
  auto r = to_chat_request(body);
  if (!std::holds_alternative<api_error>(r)) {
    ADD_FAILURE() << "accepted: " << std::get<messages_translation>(r).chat_body;
    return {};
  }
  return std::get<api_error>(r);
}

TEST(anthropic_request, minimal_text_conversation) {
  const auto t = ok(R"({"model":"m","max_tokens":16,"messages":[{"role":"user","content":"hi"}]})");
  EXPECT_EQ(t.model, "m");
  EXPECT_FALSE(t.stream);
  EXPECT_EQ(t.chat_body, R"({"model":"m","max_tokens":16,"messages":[{"role":"user","content":"hi"}]})");
}

TEST(anthropic_request, system_string_and_blocks) {
  EXPECT_EQ(ok(R"({"model":"m","max_tokens":1,"system":"be brief","messages":[{"role":"user","content":"x"}]})").chat_body,
            R"({"model":"m","max_tokens":1,"messages":[{"role":"system","content":"be brief"},{"role":"user","content":"x"}]})");
  EXPECT_EQ(ok(R"({"model":"m","max_tokens":1,"system":[{"type":"text","text":"a"},{"type":"text","text":"b","cache_control":{"type":"ephemeral"}}],"messages":[{"role":"user","content":"x"}]})").chat_body,
            R"({"model":"m","max_tokens":1,"messages":[{"role":"system","content":"a\n\nb"},{"role":"user","content":"x"}]})");
}

TEST(anthropic_request, text_and_image_blocks) {
  const auto t = ok(R"({"model":"m","max_tokens":1,"messages":[{"role":"user","content":[
    {"type":"text","text":"what is this?"},
    {"type":"image","source":{"type":"base64","media_type":"image/png","data":"iVBOR"}},
    {"type":"image","source":{"type":"url","url":"https://x.test/a.jpg"}}]}]})");
  EXPECT_EQ(t.chat_body,
            R"({"model":"m","max_tokens":1,"messages":[{"role":"user","content":[{"type":"text","text":"what is this?"},)"
            R"({"type":"image_url","image_url":{"url":"data:image/png;base64,iVBOR"}},)"
            R"({"type":"image_url","image_url":{"url":"https://x.test/a.jpg"}}]}]})");
}

TEST(anthropic_request, tools_and_tool_choice) {
  const std::string head = R"({"model":"m","max_tokens":1,"messages":[{"role":"user","content":"x"}],)"
                           R"("tools":[{"name":"get_weather","description":"Weather","input_schema":{"type":"object","properties":{"city":{"type":"string"}}}}])";
  const std::string tools = R"(,"tools":[{"type":"function","function":{"name":"get_weather","description":"Weather",)"
                            R"("parameters":{"type":"object","properties":{"city":{"type":"string"}}}}}])";
  const std::string base = R"({"model":"m","max_tokens":1,"messages":[{"role":"user","content":"x"}])";
  EXPECT_EQ(ok(head + "}").chat_body, base + tools + "}");
  EXPECT_EQ(ok(head + R"(,"tool_choice":{"type":"auto"}})").chat_body, base + tools + R"(,"tool_choice":"auto"})");
  EXPECT_EQ(ok(head + R"(,"tool_choice":{"type":"any"}})").chat_body, base + tools + R"(,"tool_choice":"required"})");
  EXPECT_EQ(ok(head + R"(,"tool_choice":{"type":"none"}})").chat_body, base + tools + R"(,"tool_choice":"none"})");
  EXPECT_EQ(ok(head + R"(,"tool_choice":{"type":"tool","name":"get_weather","disable_parallel_tool_use":true}})").chat_body,
            base + tools +
                R"(,"tool_choice":{"type":"function","function":{"name":"get_weather"}},"parallel_tool_calls":false})");
  EXPECT_EQ(refused(head + R"(,"tool_choice":{"type":"sometimes"}})").param, "tool_choice.type");
  EXPECT_EQ(refused(R"({"model":"m","max_tokens":1,"messages":[{"role":"user","content":"x"}],"tools":[{"type":"web_search_20250305","name":"web_search"}]})").code,
            api_errc::unsupported_field);
}

TEST(anthropic_request, tool_round_trip_in_order) {
  const auto t = ok(R"({"model":"m","max_tokens":1,"messages":[
    {"role":"user","content":"weather in Paris?"},
    {"role":"assistant","content":[{"type":"thinking","thinking":"hmm","signature":"s"},{"type":"text","text":"Checking."},
      {"type":"tool_use","id":"call_1","name":"get_weather","input":{"city":"Paris"}}]},
    {"role":"user","content":[{"type":"tool_result","tool_use_id":"call_1","content":"18C"},{"type":"text","text":"and?"}]},
    {"role":"assistant","content":[{"type":"tool_use","id":"call_2","name":"f","input":{}}]},
    {"role":"user","content":[{"type":"tool_result","tool_use_id":"call_2","content":[{"type":"text","text":"a"},{"type":"text","text":"b"}],"is_error":true}]}]})");
  EXPECT_EQ(t.chat_body,
            R"({"model":"m","max_tokens":1,"messages":[{"role":"user","content":"weather in Paris?"},)"
            R"({"role":"assistant","content":"Checking.","tool_calls":[{"id":"call_1","type":"function","function":{"name":"get_weather","arguments":"{\"city\":\"Paris\"}"}}]},)"
            R"({"role":"tool","tool_call_id":"call_1","content":"18C"},)"
            R"({"role":"user","content":[{"type":"text","text":"and?"}]},)"
            R"({"role":"assistant","content":null,"tool_calls":[{"id":"call_2","type":"function","function":{"name":"f","arguments":"{}"}}]},)"
            R"({"role":"tool","tool_call_id":"call_2","content":"a\n\nb"}]})");
}

TEST(anthropic_request, sampling_stop_user_and_stream) {
  const auto t = ok(R"({"model":"m","max_tokens":8,"messages":[{"role":"user","content":"x"}],"temperature":0.5,"top_p":0.9,"top_k":40,)"
                    R"("stop_sequences":["END","\n\n"],"metadata":{"user_id":"u-1"},"stream":true})");
  EXPECT_TRUE(t.stream);
  EXPECT_EQ(t.stop_sequences, (std::vector<std::string>{"END", "\n\n"}));
  EXPECT_EQ(t.chat_body, R"({"model":"m","max_tokens":8,"messages":[{"role":"user","content":"x"}],"temperature":0.5,"top_p":0.9,"top_k":40,)"
                         R"("stop":["END","\n\n"],"user":"u-1","stream":true,"stream_options":{"include_usage":true}})");
}

TEST(anthropic_request, thinking_switches_the_chat_template) {
  const std::string base = R"({"model":"m","max_tokens":2048,"messages":[{"role":"user","content":"x"}])";
  EXPECT_EQ(ok(base + R"(,"thinking":{"type":"enabled","budget_tokens":1024}})").chat_body,
            base + R"(,"chat_template_kwargs":{"enable_thinking":true}})");
  EXPECT_EQ(ok(base + R"(,"thinking":{"type":"disabled"}})").chat_body,
            base + R"(,"chat_template_kwargs":{"enable_thinking":false}})");
  EXPECT_EQ(refused(base + R"(,"thinking":{"type":"maybe"}})").param, "thinking.type");
}

TEST(anthropic_request, max_tokens_is_required_except_for_counting) {
  const std::string body = R"({"model":"m","messages":[{"role":"user","content":"x"}]})";
  const api_error e = refused(body);
  EXPECT_EQ(e.code, api_errc::invalid_field);
  EXPECT_EQ(e.param, "max_tokens");
  EXPECT_EQ(ok(body, true).chat_body, R"({"model":"m","messages":[{"role":"user","content":"x"}]})");
  EXPECT_EQ(refused(R"({"model":"m","max_tokens":0,"messages":[{"role":"user","content":"x"}]})").param, "max_tokens");
  EXPECT_EQ(refused(R"({"model":"m","max_tokens":"5","messages":[{"role":"user","content":"x"}]})").param, "max_tokens");
}

TEST(anthropic_request, malformed_input_is_refused_never_crashes) {
  EXPECT_EQ(refused("").code, api_errc::invalid_json);
  EXPECT_EQ(refused("[1]").code, api_errc::invalid_json);
  EXPECT_EQ(refused("{\"model\":").code, api_errc::invalid_json);
  EXPECT_EQ(refused(R"({"max_tokens":1,"messages":[]})").param, "model");
  EXPECT_EQ(refused(R"({"model":"m","max_tokens":1,"messages":[]})").param, "messages");
  EXPECT_EQ(refused(R"({"model":"m","max_tokens":1,"messages":{}})").param, "messages");
  EXPECT_EQ(refused(R"({"model":"m","max_tokens":1,"messages":[1]})").param, "messages[0]");
  EXPECT_EQ(refused(R"({"model":"m","max_tokens":1,"messages":[{"role":"system","content":"x"}]})").param,
            "messages[0].role");
  EXPECT_EQ(refused(R"({"model":"m","max_tokens":1,"messages":[{"role":"user"}]})").param, "messages[0].content");
  EXPECT_EQ(refused(R"({"model":"m","max_tokens":1,"messages":[{"role":"user","content":[{"type":"document"}]}]})").code,
            api_errc::unsupported_field);
  EXPECT_EQ(refused(R"({"model":"m","max_tokens":1,"messages":[{"role":"user","content":[{"type":"image","source":{"type":"file"}}]}]})").param,
            "messages[0].content[0].source.type");
  EXPECT_EQ(refused(R"({"model":"m","max_tokens":1,"messages":[{"role":"user","content":[{"text":"x"}]}]})").param,
            "messages[0].content[0].type");
  EXPECT_EQ(refused(R"({"model":"m","max_tokens":1,"messages":[{"role":"assistant","content":[{"type":"tool_use","id":"a","name":"f","input":"x"}]}]})").param,
            "messages[0].content[0].input");
  EXPECT_EQ(refused(R"({"model":"m","max_tokens":1,"system":5,"messages":[{"role":"user","content":"x"}]})").param, "system");
  EXPECT_EQ(refused(R"({"model":"m","max_tokens":1,"stream":"yes","messages":[{"role":"user","content":"x"}]})").param,
            "stream");
  EXPECT_EQ(refused(R"({"model":"m","max_tokens":1,"temperature":"hot","messages":[{"role":"user","content":"x"}]})").param,
            "temperature");
}

}  // namespace
}  // namespace gw

namespace gw {
namespace {

// Every cut of a full request, and every byte flipped: an answer each time, never a crash.
TEST(anthropic_request, every_prefix_and_corruption_is_answered) {
  const std::string body =
      R"({"model":"m","max_tokens":9,"system":[{"type":"text","text":"s"}],"messages":[{"role":"user","content":[)"
      R"({"type":"text","text":"q"},{"type":"image","source":{"type":"url","url":"u"}}]},{"role":"assistant","content":[)"
      R"({"type":"tool_use","id":"c","name":"f","input":{"a":[1]}}]},{"role":"user","content":[{"type":"tool_result",)"
      R"("tool_use_id":"c","content":"r"}]}],"tools":[{"name":"f","input_schema":{}}],"tool_choice":{"type":"any"},)"
      R"("thinking":{"type":"enabled","budget_tokens":5},"stream":true})";
  ASSERT_TRUE(std::holds_alternative<messages_translation>(to_chat_request(body)));
  for (std::size_t n = 0; n < body.size(); ++n) {
    EXPECT_TRUE(std::holds_alternative<api_error>(to_chat_request(body.substr(0, n)))) << n;
    for (char c : {'"', '{', ']', '\0', '\xff'}) {
      std::string bad = body;
      bad[n] = c;
      auto r = to_chat_request(bad);
      if (auto* t = std::get_if<messages_translation>(&r)) {
        simdjson::dom::parser p;
        EXPECT_EQ(p.parse(t->chat_body).error(), simdjson::SUCCESS) << bad;
      }
    }
  }
}

}  // namespace
}  // namespace gw
