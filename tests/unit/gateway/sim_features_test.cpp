#include "gateway/sim_features.hpp"

#include <gtest/gtest.h>

#include <string>
#include <variant>

#include "backends/json_scan.hpp"
#include "tests/unit/engine/json_check.hpp"

namespace gw {
namespace {

// The features of a whole body, scanned as the request validator scans it.
std::variant<sim_features, api_error> read_body(const std::string& body, api_kind kind, bool reasoning_model) {
  const auto scan = json::scan_object(body);
  if (!scan) {
    ADD_FAILURE() << "not a JSON object: " << body;
    return sim_features{};
  }
  return read_sim_features(*scan, kind, reasoning_model);
}

sim_features features(const std::string& body, api_kind kind = api_kind::chat, bool reasoning_model = false) {
  auto r = read_body(body, kind, reasoning_model);
  if (auto* e = std::get_if<api_error>(&r)) {
    ADD_FAILURE() << "refused: " << e->message;
    return {};
  }
  return std::get<sim_features>(r);
}

api_error refusal(const std::string& body, api_kind kind = api_kind::chat) {
  auto r = read_body(body, kind, false);
  if (auto* e = std::get_if<api_error>(&r)) return *e;
  ADD_FAILURE() << "accepted: " << body;
  return {};
}

const std::string user = R"("model":"m","messages":[{"role":"user","content":"hi"}])";

TEST(sim_features, a_plain_request_has_the_defaults) {
  const auto f = features("{" + user + R"(,"temperature":0})");
  EXPECT_TRUE(f.chat);
  EXPECT_FALSE(f.reasoning);
  EXPECT_TRUE(f.tools.empty());
  EXPECT_EQ(f.format, response_format_kind::text);
  EXPECT_FALSE(f.logprobs);
  EXPECT_EQ(f.n, 1u);
  EXPECT_FALSE(needs_script(f));
  EXPECT_FALSE(features(R"({"model":"m","prompt":"x"})", api_kind::completion).chat);
}

TEST(sim_features, reasoning_follows_the_model_unless_turned_off) {
  EXPECT_TRUE(features("{" + user + "}", api_kind::chat, true).reasoning);
  EXPECT_FALSE(features("{" + user + R"(,"chat_template_kwargs":{"enable_thinking":false}})", api_kind::chat, true).reasoning);
  EXPECT_FALSE(features("{" + user + R"(,"chat_template_kwargs":{"thinking":false}})", api_kind::chat, true).reasoning);
  EXPECT_TRUE(features("{" + user + R"(,"chat_template_kwargs":{"enable_thinking":true}})", api_kind::chat, true).reasoning);
  EXPECT_TRUE(features("{" + user + R"(,"chat_template_kwargs":"odd"})", api_kind::chat, true).reasoning);
  EXPECT_FALSE(features(R"({"model":"m","prompt":"x"})", api_kind::completion, true).reasoning);
}

TEST(sim_features, tools_with_their_schemas) {
  const auto f = features("{" + user + R"(,"tools":[
      {"type":"function","function":{"name":"get_weather","parameters":{"type":"object","properties":{"t":{"type":"number","minimum":-40.5,"maximum":60}},"required":["t"]}}},
      {"type":"custom","custom":{"name":"skipped"}},
      {"type":"function","function":{"name":"no_params"}},
      {"type":"function","function":{"name":"odd_params","parameters":"x"}}]})");
  ASSERT_EQ(f.tools.size(), 3u);
  EXPECT_EQ(f.tools[0].name, "get_weather");
  ASSERT_TRUE(f.tools[0].parameters);
  EXPECT_EQ(test::to_json(*f.tools[0].parameters),
            R"({"type":"object","properties":{"t":{"type":"number","minimum":-40.5,"maximum":60}},"required":["t"]})");
  EXPECT_EQ(f.tools[1].name, "no_params");
  EXPECT_FALSE(f.tools[1].parameters);
  EXPECT_FALSE(f.tools[2].parameters);
  EXPECT_EQ(f.tool_choice, tool_choice_mode::automatic);
  EXPECT_FALSE(f.last_message_is_tool);
  EXPECT_TRUE(needs_script(f));
}

TEST(sim_features, tool_choice_forms) {
  const std::string tools = R"(,"tools":[{"type":"function","function":{"name":"a"}},{"type":"function","function":{"name":"b"}}])";
  EXPECT_EQ(features("{" + user + tools + R"(,"tool_choice":"none"})").tool_choice, tool_choice_mode::none);
  EXPECT_EQ(features("{" + user + tools + R"(,"tool_choice":"auto"})").tool_choice, tool_choice_mode::automatic);
  EXPECT_EQ(features("{" + user + tools + R"(,"tool_choice":"required"})").tool_choice, tool_choice_mode::required);
  const auto named = features("{" + user + tools + R"(,"tool_choice":{"type":"function","function":{"name":"b"}}})");
  EXPECT_EQ(named.tool_choice, tool_choice_mode::named);
  EXPECT_EQ(named.tool_choice_name, "b");
  EXPECT_EQ(features("{" + user + R"(,"tool_choice":"none"})").tool_choice, tool_choice_mode::none);
}

TEST(sim_features, the_last_message_role) {
  const auto f = features(R"({"model":"m","tools":[{"type":"function","function":{"name":"a"}}],"messages":[
      {"role":"user","content":"weather?"},
      {"role":"assistant","content":null,"tool_calls":[{"id":"call_1","type":"function","function":{"name":"a","arguments":"{}"}}]},
      {"role":"tool","tool_call_id":"call_1","content":"sunny"}]})");
  EXPECT_TRUE(f.last_message_is_tool);
}

TEST(sim_features, response_formats) {
  EXPECT_EQ(features("{" + user + R"(,"response_format":{"type":"text"}})").format, response_format_kind::text);
  EXPECT_EQ(features("{" + user + R"(,"response_format":{"type":"json_object"}})").format, response_format_kind::json_object);
  const auto f = features("{" + user + R"(,"response_format":{"type":"json_schema","json_schema":{"name":"x","strict":true,"schema":{"type":"object","properties":{"a":{"enum":[1,2.5,"three",null,true]}}}}}})");
  EXPECT_EQ(f.format, response_format_kind::json_schema);
  ASSERT_TRUE(f.schema);
  EXPECT_EQ(test::to_json(*f.schema), R"({"type":"object","properties":{"a":{"enum":[1,2.5,"three",null,true]}}})");
  const auto no_schema = features("{" + user + R"(,"response_format":{"type":"json_schema","json_schema":{"name":"x"}}})");
  EXPECT_EQ(no_schema.format, response_format_kind::json_schema);
  EXPECT_FALSE(no_schema.schema);
  // Legacy completions take response_format too (vLLM does).
  EXPECT_EQ(features(R"({"model":"m","prompt":"x","response_format":{"type":"json_object"}})", api_kind::completion).format,
            response_format_kind::json_object);
}

TEST(sim_features, logprobs_and_n) {
  auto f = features("{" + user + R"(,"logprobs":true,"top_logprobs":5,"n":3})");
  EXPECT_TRUE(f.logprobs);
  EXPECT_EQ(f.top_logprobs, 5u);
  EXPECT_EQ(f.n, 3u);
  f = features("{" + user + R"(,"top_logprobs":5})");
  EXPECT_FALSE(f.logprobs);
  EXPECT_EQ(f.top_logprobs, 0u);
  f = features(R"({"model":"m","prompt":"x","logprobs":2,"n":2})", api_kind::completion);
  EXPECT_TRUE(f.logprobs);
  EXPECT_EQ(f.top_logprobs, 2u);
  EXPECT_EQ(f.n, 2u);
  f = features(R"({"model":"m","prompt":"x","logprobs":0})", api_kind::completion);
  EXPECT_TRUE(f.logprobs);
  EXPECT_EQ(f.top_logprobs, 0u);
}

TEST(sim_features, what_is_refused) {
  const struct {
    std::string body;
    std::string param;
    api_kind kind = api_kind::chat;
  } cases[] = {
      {"{" + user + R"(,"n":0})", "n"},
      {"{" + user + R"(,"n":129})", "n"},
      {"{" + user + R"(,"n":2.0})", "n"},
      {"{" + user + R"(,"n":"2"})", "n"},
      {"{" + user + R"(,"tools":{}})", "tools"},
      {"{" + user + R"(,"tools":[1]})", "tools[0]"},
      {"{" + user + R"(,"tools":[{"type":"function"}]})", "tools[0].function"},
      {"{" + user + R"(,"tools":[{"type":"function","function":{"name":""}}]})", "tools[0].function.name"},
      {"{" + user + R"(,"tools":[{"type":"function","function":{"name":"a"}}],"tool_choice":"sometimes"})", "tool_choice"},
      {"{" + user + R"(,"tools":[{"type":"function","function":{"name":"a"}}],"tool_choice":{"type":"function","function":{"name":"b"}}})", "tool_choice"},
      {"{" + user + R"(,"tools":[{"type":"function","function":{"name":"a"}}],"tool_choice":{"type":"function"}})", "tool_choice.function.name"},
      {"{" + user + R"(,"tool_choice":"required"})", "tool_choice"},
      {"{" + user + R"(,"response_format":"json"})", "response_format"},
      {"{" + user + R"(,"response_format":{"type":"yaml"}})", "response_format.type"},
      {"{" + user + R"(,"response_format":{"type":"json_schema"}})", "response_format.json_schema"},
      {"{" + user + R"(,"logprobs":true,"top_logprobs":21})", "top_logprobs"},
      {R"({"model":"m","prompt":"x","logprobs":true})", "logprobs", api_kind::completion},
      {R"({"model":"m","prompt":"x","logprobs":-1})", "logprobs", api_kind::completion},
      {"{" + user + R"(,"tools":[{"type":"function","function":{"name":"a","parameters":{"maximum":1e400}}}]})", "tools"},
      {"{" + user + R"(,"response_format":{"type":"json_schema","json_schema":{"schema":{"const":123456789012345678901234567890}}}})", "response_format"},
  };
  for (const auto& c : cases) {
    const api_error e = refusal(c.body, c.kind);
    EXPECT_EQ(e.param, c.param) << c.body;
    EXPECT_EQ(e.code, api_errc::invalid_field) << c.body;
    EXPECT_NE(e.message.find(c.param), std::string::npos) << e.message;
  }
}

TEST(sim_features, a_key_named_in_text_only_changes_nothing) {
  const auto f = features(R"({"model":"m","messages":[{"role":"user","content":"say \"tools\" and \"n\""}]})");
  EXPECT_TRUE(f.tools.empty());
  EXPECT_EQ(f.n, 1u);
}

}  // namespace
}  // namespace gw
