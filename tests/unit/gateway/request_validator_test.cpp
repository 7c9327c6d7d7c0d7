#include "gateway/request_validator.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

namespace gw {
namespace {

constexpr const char* one_user_message = R"([{"role":"user","content":"hi"}])";

// A valid chat body with `extra` members appended and `messages` swapped in.
std::string chat_body(const std::string& extra = "",
                      const std::string& messages = one_user_message) {
  std::string body = R"({"model":"m","messages":)" + messages;
  if (!extra.empty()) body += "," + extra;
  return body + "}";
}

std::string completion_body(const std::string& extra = "") {
  std::string body = R"({"model":"m","prompt":"once upon")";
  if (!extra.empty()) body += "," + extra;
  return body + "}";
}

// `depth` nested non-empty arrays; simdjson does not count an empty innermost container.
std::string nested_arrays(std::size_t depth) {
  return std::string(depth, '[') + "0" + std::string(depth, ']');
}

template <class T>
const T& expect_ok(const validated<T>& v) {
  static const T empty{};
  if (const auto* err = std::get_if<api_error>(&v)) {
    ADD_FAILURE() << "unexpected error: " << err->message << " (param " << err->param << ")";
    return empty;
  }
  return std::get<T>(v);
}

struct bad_case {
  std::string body;
  api_errc code;
  std::string param;  // expected `param`; also must appear in the message when non-empty
};

template <class T>
void expect_error(const validated<T>& v, const bad_case& c) {
  const auto* err = std::get_if<api_error>(&v);
  ASSERT_NE(err, nullptr) << "accepted: " << c.body.substr(0, 200);
  EXPECT_EQ(err->code, c.code) << c.body.substr(0, 200) << " -> " << err->message;
  EXPECT_EQ(err->param, c.param) << c.body.substr(0, 200) << " -> " << err->message;
  EXPECT_FALSE(err->message.empty());
  if (!c.param.empty()) {
    EXPECT_NE(err->message.find(c.param), std::string::npos) << err->message;
  }
  if (c.code == api_errc::invalid_json) {
    EXPECT_EQ(err->message.rfind("We could not parse the JSON body of your request: ", 0), 0u)
        << err->message;
  }
}

constexpr auto json = api_errc::invalid_json;
constexpr auto field = api_errc::invalid_field;
constexpr auto unsupported = api_errc::unsupported_field;

std::vector<bad_case> malformed_bodies() {
  return {
      {"", json, ""},
      {"   \n", json, ""},
      {"{", json, ""},
      {"{} x", json, ""},
      {"{}{}", json, ""},
      {R"({"model":"m",})", json, ""},
      {"[]", json, ""},
      {R"("a string")", json, ""},
      {"null", json, ""},
      {"42", json, ""},
      {"{\"model\":\"\xff\"}", json, ""},              // invalid UTF-8 byte
      {"{\"model\":\"\xC0\xAF\"}", json, ""},          // overlong encoding
      {"{\"model\":\"\xED\xA0\x80\"}", json, ""},      // UTF-8-encoded surrogate
      {"{\"model\":\"\xE2\x82\"}", json, ""},          // truncated sequence
      {"{\"m\xff\":1}", json, ""},                     // invalid UTF-8 in a key
      {"{\"model\":\"\xF4\x90\x80\x80\"}", json, ""},  // above U+10FFFF
      {R"({"model":"\ud800"})", json, ""},             // lone surrogate escape
      {R"({"model":"\x"})", json, ""},                 // bad escape
      {"{\"model\":\"a\x01\"}", json, ""},             // raw control character
      {R"({"model":"m)", json, ""},                    // unclosed string
      {R"({"stream":tru})", json, ""},
      {chat_body(R"("temperature":1e400)"), json, ""},
      {chat_body(R"("max_tokens":99999999999999999999999)"), json, ""},
      {chat_body(R"("seed":-9223372036854775809)"), json, ""},
      {nested_arrays(10000), json, ""},
      {std::string(10000, '['), json, ""},
      {R"({"model":)" + nested_arrays(10000) + "}", json, ""},
      {chat_body(R"("metadata":)" + nested_arrays(64)), json, ""},  // 65 levels with the root
  };
}

TEST(request_validator, malformed_json_is_invalid_json_for_both_routes) {
  request_validator v;
  for (const auto& c : malformed_bodies()) {
    expect_error(v.chat(c.body), c);
    expect_error(v.completion(c.body), c);
  }
}

TEST(request_validator, bad_chat_fields_name_the_field) {
  const std::vector<bad_case> cases = {
      // model
      {R"({"messages":[{"role":"user","content":"hi"}]})", field, "model"},
      {R"({"model":null,"messages":[]})", field, "model"},
      {R"({"model":"","messages":[]})", field, "model"},
      {R"({"model":5,"messages":[]})", field, "model"},
      {R"({"model":true,"messages":[]})", field, "model"},
      {R"({"model":["m"],"messages":[]})", field, "model"},
      // messages
      {R"({"model":"m"})", field, "messages"},
      {R"({"model":"m","messages":null})", field, "messages"},
      {chat_body("", "[]"), field, "messages"},
      {chat_body("", "{}"), field, "messages"},
      {chat_body("", R"("hi")"), field, "messages"},
      {chat_body("", "[1]"), field, "messages[0]"},
      {chat_body("", R"([{"content":"hi"}])"), field, "messages[0].role"},
      {chat_body("", R"([{"role":null,"content":"hi"}])"), field, "messages[0].role"},
      {chat_body("", R"([{"role":"robot","content":"hi"}])"), field, "messages[0].role"},
      {chat_body("", R"([{"role":"User","content":"hi"}])"), field, "messages[0].role"},
      {chat_body("", R"([{"role":5,"content":"hi"}])"), field, "messages[0].role"},
      {chat_body("", R"([{"role":"user"}])"), field, "messages[0].content"},
      {chat_body("", R"([{"role":"system","content":null}])"), field, "messages[0].content"},
      {chat_body("", R"([{"role":"tool","content":null}])"), field, "messages[0].content"},
      {chat_body("", R"([{"role":"user","content":5}])"), field, "messages[0].content"},
      {chat_body("", R"([{"role":"user","content":{}}])"), field, "messages[0].content"},
      {chat_body("", R"([{"role":"user","content":["hi"]}])"), field, "messages[0].content[0]"},
      {chat_body("", R"([{"role":"user","content":[{"text":"x"}]}])"), field,
       "messages[0].content[0].type"},
      {chat_body("", R"([{"role":"user","content":[{"type":"text"}]}])"), field,
       "messages[0].content[0].text"},
      {chat_body("", R"([{"role":"user","content":[{"type":"text","text":5}]}])"), field,
       "messages[0].content[0].text"},
      {chat_body("", R"([{"role":"user","content":[{"type":5}]}])"), field, "messages[0].content[0].type"},
      {chat_body("", R"([{"role":"assistant","content":null,"tool_calls":{}}])"), field, "messages[0].tool_calls"},
      {chat_body(R"("tools":{})"), field, "tools"},
      {chat_body("", R"([{"role":"user","content":"hi","name":5}])"), field, "messages[0].name"},
      {chat_body("", R"([{"role":"user","content":"hi"},{"role":"nobody","content":"x"}])"), field,
       "messages[1].role"},
      // max_tokens and max_completion_tokens
      {chat_body(R"("max_tokens":0)"), field, "max_tokens"},
      {chat_body(R"("max_tokens":-1)"), field, "max_tokens"},
      {chat_body(R"("max_tokens":1.5)"), field, "max_tokens"},
      {chat_body(R"("max_tokens":1e3)"), field, "max_tokens"},
      {chat_body(R"("max_tokens":"10")"), field, "max_tokens"},
      {chat_body(R"("max_tokens":true)"), field, "max_tokens"},
      {chat_body(R"("max_tokens":1048577)"), field, "max_tokens"},
      {chat_body(R"("max_tokens":99999999999)"), field, "max_tokens"},
      {chat_body(R"("max_tokens":18446744073709551615)"), field, "max_tokens"},
      {chat_body(R"("max_completion_tokens":0)"), field, "max_completion_tokens"},
      {chat_body(R"("max_tokens":10,"max_completion_tokens":"x")"), field, "max_completion_tokens"},
      // temperature, top_p
      {chat_body(R"("temperature":-0.1)"), field, "temperature"},
      {chat_body(R"("temperature":2.0001)"), field, "temperature"},
      {chat_body(R"("temperature":3)"), field, "temperature"},
      {chat_body(R"("temperature":"1")"), field, "temperature"},
      {chat_body(R"("temperature":true)"), field, "temperature"},
      {chat_body(R"("temperature":[])"), field, "temperature"},
      {chat_body(R"("top_p":0)"), field, "top_p"},
      {chat_body(R"("top_p":1.01)"), field, "top_p"},
      {chat_body(R"("top_p":-1)"), field, "top_p"},
      {chat_body(R"("top_p":"x")"), field, "top_p"},
      // seed
      {chat_body(R"("seed":1.5)"), field, "seed"},
      {chat_body(R"("seed":"1")"), field, "seed"},
      {chat_body(R"("seed":9223372036854775808)"), field, "seed"},
      // stop
      {chat_body(R"("stop":"")"), field, "stop"},
      {chat_body(R"("stop":[])"), field, "stop"},
      {chat_body(R"("stop":["a","b","c","d","e"])"), field, "stop"},
      {chat_body(R"("stop":5)"), field, "stop"},
      {chat_body(R"("stop":{})"), field, "stop"},
      {chat_body(R"("stop":[1])"), field, "stop[0]"},
      {chat_body(R"("stop":["a",""])"), field, "stop[1]"},
      {chat_body(R"("stop":["a",null])"), field, "stop[1]"},
      // stream, stream_options
      {chat_body(R"("stream":"true")"), field, "stream"},
      {chat_body(R"("stream":1)"), field, "stream"},
      {chat_body(R"("stream_options":{"include_usage":true})"), field, "stream_options"},
      {chat_body(R"("stream":false,"stream_options":{})"), field, "stream_options"},
      {chat_body(R"("stream":true,"stream_options":"x")"), field, "stream_options"},
      {chat_body(R"("stream":true,"stream_options":{"include_usage":"yes"})"), field,
       "stream_options.include_usage"},
      // n
      {chat_body(R"("n":129)"), field, "n"},
      {chat_body(R"("n":0)"), field, "n"},
      {chat_body(R"("n":18446744073709551615)"), field, "n"},
      {chat_body(R"("n":"1")"), field, "n"},
      {chat_body(R"("n":1.0)"), field, "n"},
      // a member the gateway reads, twice: it would read the first, an upstream the last
      {chat_body(R"("max_tokens":10,"max_tokens":1000000)"), field, "max_tokens"},
      {chat_body(R"("stream":false,"stream":true)"), field, "stream"},
      {R"({"model":"m","mod\u0065l":"x","messages":[{"role":"user","content":"hi"}]})", field, "model"},
  };
  request_validator v;
  for (const auto& c : cases) expect_error(v.chat(c.body), c);
}

// What the gateway does not read it does not judge: the upstream does.
TEST(request_validator, fields_the_gateway_does_not_read_are_not_validated) {
  request_validator v;
  for (const char* extra :
       {R"("user":5)", R"("frequency_penalty":3)", R"("presence_penalty":"x")", R"("logit_bias":{"1":1e400})",
        R"("vendor":123456789012345678901234567890)", R"("top_k":-1,"chat_template_kwargs":{"enable_thinking":false})",
        R"("n":128)"}) {
    expect_ok(v.chat(chat_body(extra)));
  }
  const auto media = v.chat(chat_body("", R"([{"role":"user","content":[{"type":"text","text":"a"},)"
                                          R"({"type":"image_url","image_url":{"url":"data:x"}},{"type":"input_audio"},)"
                                          R"({"type":"file","file":{}},{"type":"text","text":"b"}]}])"));
  const chat_request& req = expect_ok(media);
  EXPECT_EQ(req.messages[0].content, "a\nb");
  EXPECT_EQ(req.messages[0].media_parts, 3u);
  EXPECT_EQ(req.extra_prompt_tokens, 3 * media_part_tokens);
}

// A big number the DOM cannot hold inside a member the gateway does not read is forwarded; the
// scan still refuses what is not JSON.
TEST(request_validator, the_scan_refuses_what_is_not_json) {
  request_validator v;
  const auto r = v.chat(chat_body(R"("x":[1,])"));
  ASSERT_TRUE(std::holds_alternative<api_error>(r));
  EXPECT_EQ(std::get<api_error>(r).code, api_errc::invalid_json);
}

TEST(request_validator, tools_count_in_the_prompt_estimate) {
  request_validator v;
  const auto plain_result = v.chat(chat_body());
  const chat_request& plain = expect_ok(plain_result);
  EXPECT_EQ(plain.extra_prompt_tokens, 0u);
  const auto with_tools = v.chat(chat_body(
      R"("tools":[{"type":"function","function":{"name":"get_weather","description":"Weather in a city",)"
      R"("parameters":{"type":"object","properties":{"city":{"type":"string"}},"required":["city"]}}}])",
      R"([{"role":"assistant","content":null,"tool_calls":[{"id":"c1","type":"function",)"
      R"("function":{"name":"get_weather","arguments":"{\"city\":\"Paris\"}"}}]},)"
      R"({"role":"tool","tool_call_id":"c1","content":"sunny"}])"));
  const chat_request& req = expect_ok(with_tools);
  EXPECT_GT(req.extra_prompt_tokens, 20u);
  EXPECT_FALSE(req.messages[0].tool_calls.empty());
}

TEST(request_validator, field_messages_are_sentences) {
  request_validator v;
  const auto result = v.chat(chat_body(R"("temperature":5)"));
  ASSERT_TRUE(std::holds_alternative<api_error>(result));
  EXPECT_EQ(std::get<api_error>(result).message, "'temperature' must be a number between 0 and 2");
}

TEST(request_validator, minimal_chat_gets_defaults) {
  request_validator v;
  const auto result = v.chat(chat_body());
  const chat_request& req = expect_ok(result);
  EXPECT_EQ(req.model, "m");
  ASSERT_EQ(req.messages.size(), 1u);
  EXPECT_EQ(req.messages[0].role, message_role::user);
  EXPECT_EQ(req.messages[0].content, "hi");
  EXPECT_EQ(req.messages[0].name, "");
  EXPECT_FALSE(req.sampling.max_tokens.has_value());
  EXPECT_EQ(req.sampling.temperature, 1.0);
  EXPECT_EQ(req.sampling.top_p, 1.0);
  EXPECT_FALSE(req.sampling.seed.has_value());
  EXPECT_TRUE(req.sampling.stop.empty());
  EXPECT_FALSE(req.stream);
  EXPECT_FALSE(req.include_usage);
  EXPECT_EQ(req.n, 1u);
}

TEST(request_validator, full_chat_is_parsed) {
  request_validator v;
  const auto result = v.chat(chat_body(
      R"("max_tokens":16,"temperature":0.5,"top_p":0.9,"seed":-1,"stop":["a","b"],)"
      R"("stream":true,"stream_options":{"include_usage":true,"future_option":1},"user":"u",)"
      R"("n":1,"frequency_penalty":0.5,"presence_penalty":-2,"logit_bias":{"50256":-100},)"
      R"("tools":[{"type":"function","function":{"name":"f","parameters":{}}}],)"
      R"("response_format":{"type":"text"},"logprobs":false,"metadata":null)",
      R"([{"role":"system","content":"be brief"},{"role":"developer","content":"d"},)"
      R"({"role":"user","content":"q","name":"alice"},)"
      R"({"role":"assistant","content":null,"tool_calls":[{"id":"1"}]},)"
      R"({"role":"tool","content":"result","tool_call_id":"1"},{"role":"assistant"}])"));
  const chat_request& req = expect_ok(result);
  EXPECT_EQ(req.sampling.max_tokens, 16u);
  EXPECT_EQ(req.sampling.temperature, 0.5);
  EXPECT_EQ(req.sampling.top_p, 0.9);
  EXPECT_EQ(req.sampling.seed, std::numeric_limits<std::uint64_t>::max());
  EXPECT_EQ(req.sampling.stop, (std::vector<std::string>{"a", "b"}));
  EXPECT_TRUE(req.stream);
  EXPECT_TRUE(req.include_usage);
  ASSERT_EQ(req.messages.size(), 6u);
  const message_role roles[] = {message_role::system, message_role::developer,
                                message_role::user,   message_role::assistant,
                                message_role::tool,   message_role::assistant};
  for (std::size_t i = 0; i < 6; ++i) EXPECT_EQ(req.messages[i].role, roles[i]) << i;
  EXPECT_EQ(req.messages[2].name, "alice");
  EXPECT_EQ(req.messages[3].content, "");
  EXPECT_EQ(req.messages[4].content, "result");
  EXPECT_EQ(req.messages[5].content, "");
}

TEST(request_validator, null_optional_fields_read_as_absent) {
  request_validator v;
  const auto result = v.chat(chat_body(
      R"("max_tokens":null,"max_completion_tokens":null,"temperature":null,"top_p":null,)"
      R"("seed":null,"stop":null,"stream":null,"stream_options":null,"user":null,"n":null,)"
      R"("frequency_penalty":null,"presence_penalty":null)",
      R"([{"role":"user","content":"hi","name":null}])"));
  const chat_request& req = expect_ok(result);
  EXPECT_FALSE(req.sampling.max_tokens.has_value());
  EXPECT_EQ(req.sampling.temperature, 1.0);
  EXPECT_EQ(req.sampling.top_p, 1.0);
  EXPECT_FALSE(req.sampling.seed.has_value());
  EXPECT_TRUE(req.sampling.stop.empty());
  EXPECT_FALSE(req.stream);
}

struct sampling_case {
  std::string extra;
  std::optional<std::uint32_t> max_tokens;
  double temperature;
  double top_p;
  std::optional<std::uint64_t> seed;
  std::vector<std::string> stop;
};

TEST(request_validator, good_sampling_values) {
  const std::vector<sampling_case> cases = {
      {R"("max_tokens":7)", 7u, 1.0, 1.0, {}, {}},
      {R"("max_completion_tokens":9)", 9u, 1.0, 1.0, {}, {}},
      {R"("max_tokens":7,"max_completion_tokens":9)", 9u, 1.0, 1.0, {}, {}},
      {R"("max_tokens":1048576)", 1048576u, 1.0, 1.0, {}, {}},
      {R"("temperature":0,"top_p":1)", {}, 0.0, 1.0, {}, {}},
      {R"("temperature":2,"top_p":1e-9)", {}, 2.0, 1e-9, {}, {}},
      {R"("seed":0)", {}, 1.0, 1.0, 0u, {}},
      {R"("seed":9223372036854775807)", {}, 1.0, 1.0, 9223372036854775807u, {}},
      {R"("seed":-9223372036854775808)", {}, 1.0, 1.0, 9223372036854775808u, {}},
      {R"("stop":"\n")", {}, 1.0, 1.0, {}, {"\n"}},
      {R"("stop":["a","b","c","d"])", {}, 1.0, 1.0, {}, {"a", "b", "c", "d"}},
  };
  request_validator v;
  for (const auto& c : cases) {
    const auto result = v.chat(chat_body(c.extra));
    const chat_request& req = expect_ok(result);
    EXPECT_EQ(req.sampling.max_tokens, c.max_tokens) << c.extra;
    EXPECT_EQ(req.sampling.temperature, c.temperature) << c.extra;
    EXPECT_EQ(req.sampling.top_p, c.top_p) << c.extra;
    EXPECT_EQ(req.sampling.seed, c.seed) << c.extra;
    EXPECT_EQ(req.sampling.stop, c.stop) << c.extra;
  }
}

TEST(request_validator, content_shapes) {
  const std::pair<std::string, std::string> cases[] = {
      {R"("plain")", "plain"},
      {R"("")", ""},
      {R"([])", ""},
      {R"([{"type":"text","text":"only"}])", "only"},
      {R"([{"type":"text","text":"a"},{"type":"text","text":"b","extra":1}])", "a\nb"},
      {R"("h\u00e9 \ud83d\ude00 \"q\" \\ \n")", "h\xC3\xA9 \xF0\x9F\x98\x80 \"q\" \\ \n"},
      {"\"raw \xE2\x82\xAC\"", "raw \xE2\x82\xAC"},
      {R"("nul\u0000byte")", std::string("nul\0byte", 8)},
  };
  request_validator v;
  for (const auto& [content, expected] : cases) {
    const auto result = v.chat(chat_body("", R"([{"role":"user","content":)" + content + "}]"));
    const chat_request& req = expect_ok(result);
    ASSERT_EQ(req.messages.size(), 1u) << content;
    EXPECT_EQ(req.messages[0].content, expected) << content;
  }
}

TEST(request_validator, limits_are_configurable) {
  request_validator v(
      validation_limits{.max_depth = 4, .max_messages = 2, .max_tokens_limit = 100});
  expect_ok(v.chat(chat_body(R"("max_tokens":100)")));
  expect_error(v.chat(chat_body(R"("max_tokens":101)")), {"", field, "max_tokens"});
  const std::string two = R"([{"role":"user","content":"a"},{"role":"user","content":"b"}])";
  const std::string three = two.substr(0, two.size() - 1) + R"(,{"role":"user","content":"c"}])";
  expect_ok(v.chat(chat_body("", two)));
  expect_error(v.chat(chat_body("", three)), {"", field, "messages"});
  // Root object, messages array, message object, content array: 4 levels.
  expect_ok(v.chat(chat_body("", R"([{"role":"user","content":[]}])")));
  expect_error(v.chat(chat_body("", R"([{"role":"user","content":[{"type":"text","text":"x"}]}])")),
               {"", json, ""});
}

TEST(request_validator, depth_limit_is_inclusive) {
  request_validator v;  // max_depth 64: the root object plus 63 nested arrays is fine
  expect_ok(v.chat(chat_body(R"("metadata":)" + nested_arrays(63))));
}

TEST(request_validator, validator_is_reusable_across_bodies) {
  request_validator v;
  expect_error(v.chat(nested_arrays(10000)), {"", json, ""});
  const std::string big(1 << 20, 'x');
  const auto result = v.chat(chat_body("", R"([{"role":"user","content":")" + big + "\"}]"));
  EXPECT_EQ(expect_ok(result).messages.at(0).content.size(), big.size());
  expect_error(v.chat("{\"model\":\"\xff\"}"), {"", json, ""});
  EXPECT_EQ(expect_ok(v.chat(chat_body())).messages.at(0).content, "hi");
}

TEST(request_validator, good_completions) {
  request_validator v;
  {
    const auto result = v.completion(completion_body());
    const completion_request& req = expect_ok(result);
    EXPECT_EQ(req.model, "m");
    EXPECT_EQ(req.prompt, "once upon");
    EXPECT_FALSE(req.echo);
    EXPECT_FALSE(req.stream);
  }
  {
    const auto result =
        v.completion(R"({"model":"m","prompt":["single"],"echo":true,"stream":true,)"
                     R"("stream_options":{"include_usage":true},"max_tokens":5,"temperature":0,)"
                     R"("stop":"END","user":"u","n":1,"suffix":null,"best_of":1,"logprobs":null})");
    const completion_request& req = expect_ok(result);
    EXPECT_EQ(req.prompt, "single");
    EXPECT_TRUE(req.echo);
    EXPECT_TRUE(req.stream);
    EXPECT_TRUE(req.include_usage);
    EXPECT_EQ(req.sampling.max_tokens, 5u);
    EXPECT_EQ(req.sampling.temperature, 0.0);
    EXPECT_EQ(req.sampling.stop, std::vector<std::string>{"END"});
  }
  EXPECT_EQ(expect_ok(v.completion(R"({"model":"m","prompt":""})")).prompt, "");
}

TEST(request_validator, bad_completion_fields_name_the_field) {
  const std::vector<bad_case> cases = {
      {R"({"prompt":"x"})", field, "model"},
      {R"({"model":"m"})", field, "prompt"},
      {R"({"model":"m","prompt":null})", field, "prompt"},
      {R"({"model":"m","prompt":5})", field, "prompt"},
      {R"({"model":"m","prompt":{}})", field, "prompt"},
      {R"({"model":"m","prompt":[]})", field, "prompt"},
      {R"({"model":"m","prompt":["a","b"]})", unsupported, "prompt"},
      {R"({"model":"m","prompt":[1,2,3]})", unsupported, "prompt"},
      {R"({"model":"m","prompt":[[1,2]]})", unsupported, "prompt"},
      {completion_body(R"("echo":"yes")"), field, "echo"},
      {completion_body(R"("n":0)"), field, "n"},
      {completion_body(R"("stream":true,"stream":false)"), field, "stream"},
      {completion_body(R"("stream_options":{"include_usage":true})"), field, "stream_options"},
      {completion_body(R"("max_tokens":0)"), field, "max_tokens"},
      {completion_body(R"("top_p":0)"), field, "top_p"},
      {completion_body(R"("stop":[""])"), field, "stop[0]"},
  };
  request_validator v;
  for (const auto& c : cases) expect_error(v.completion(c.body), c);
}

TEST(request_validator, role_names) {
  EXPECT_STREQ(to_string(message_role::system), "system");
  EXPECT_STREQ(to_string(message_role::developer), "developer");
  EXPECT_STREQ(to_string(message_role::user), "user");
  EXPECT_STREQ(to_string(message_role::assistant), "assistant");
  EXPECT_STREQ(to_string(message_role::tool), "tool");
}

}  // namespace
}  // namespace gw
