#include "gateway/request_validator.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace gw {
namespace {

// A valid embeddings body with `input` swapped in and `extra` members appended.
std::string embedding_body(const std::string& extra = "", const std::string& input = R"("hi")") {
  std::string body = R"({"model":"m","input":)" + input;
  if (!extra.empty()) body += "," + extra;
  return body + "}";
}

// A JSON array of `n` copies of `item`.
std::string repeated(std::size_t n, const std::string& item) {
  std::string out = "[";
  for (std::size_t i = 0; i < n; ++i) out += (i == 0 ? "" : ",") + item;
  return out + "]";
}

std::string string_array(std::size_t n) { return repeated(n, R"("x")"); }
std::string int_array(std::size_t n) { return repeated(n, "1"); }

const embedding_request& expect_ok(const validated<embedding_request>& v, const std::string& body) {
  static const embedding_request empty{};
  if (const auto* err = std::get_if<api_error>(&v)) {
    ADD_FAILURE() << body.substr(0, 200) << " -> unexpected error: " << err->message
                  << " (param " << err->param << ")";
    return empty;
  }
  return std::get<embedding_request>(v);
}

struct bad_case {
  std::string body;
  api_errc code;
  std::string param;  // expected `param`; also must open the message when non-empty
};

void expect_error(const validated<embedding_request>& v, const bad_case& c) {
  const auto* err = std::get_if<api_error>(&v);
  ASSERT_NE(err, nullptr) << "accepted: " << c.body.substr(0, 200);
  EXPECT_EQ(err->code, c.code) << c.body.substr(0, 200) << " -> " << err->message;
  EXPECT_EQ(err->param, c.param) << c.body.substr(0, 200) << " -> " << err->message;
  EXPECT_FALSE(err->message.empty());
  if (!c.param.empty()) {
    EXPECT_EQ(err->message.rfind("'" + c.param + "' ", 0), 0u) << err->message;
  }
  if (c.code == api_errc::invalid_json) {
    EXPECT_EQ(err->message.rfind("We could not parse the JSON body of your request: ", 0), 0u)
        << err->message;
  }
}

constexpr auto json = api_errc::invalid_json;
constexpr auto invalid = api_errc::invalid_field;
constexpr auto unsupported = api_errc::unsupported_field;

struct good_case {
  std::string body;
  std::vector<std::string> inputs;
  std::optional<std::uint32_t> dimensions;
  bool base64;
  std::string user;
};

TEST(embedding_validator, good_bodies) {
  const std::vector<good_case> cases = {
      {embedding_body(), {"hi"}, {}, false, ""},
      {embedding_body("", R"(["a"])"), {"a"}, {}, false, ""},
      {embedding_body("", R"(["a","b","a"])"), {"a", "b", "a"}, {}, false, ""},
      {embedding_body("", R"(" ")"), {" "}, {}, false, ""},
      {embedding_body("", R"("h\u00e9 \ud83d\ude00\n")"), {"h\xC3\xA9 \xF0\x9F\x98\x80\n"}, {},
       false, ""},
      {embedding_body("", "\"raw \xE2\x82\xAC\""), {"raw \xE2\x82\xAC"}, {}, false, ""},
      {embedding_body(R"("dimensions":1)"), {"hi"}, 1u, false, ""},
      {embedding_body(R"("dimensions":256)"), {"hi"}, 256u, false, ""},
      {embedding_body(R"("dimensions":65536)"), {"hi"}, 65536u, false, ""},
      {embedding_body(R"("encoding_format":"float")"), {"hi"}, {}, false, ""},
      {embedding_body(R"("encoding_format":"base64")"), {"hi"}, {}, true, ""},
      {embedding_body(R"("user":"u")"), {"hi"}, {}, false, "u"},
      {embedding_body(R"("user":"")"), {"hi"}, {}, false, ""},
      // null reads as absent
      {embedding_body(R"("dimensions":null,"encoding_format":null,"user":null)"), {"hi"}, {},
       false, ""},
      // unknown fields are ignored, whatever their shape
      {embedding_body(R"("future":{"a":[1,2]},"stream":"x","n":5,"metadata":null)"), {"hi"}, {},
       false, ""},
      // member order does not matter
      {R"({"user":"u","encoding_format":"base64","dimensions":8,"input":["q"],"model":"m"})",
       {"q"},
       8u,
       true,
       "u"},
  };
  request_validator v;
  for (const auto& c : cases) {
    const auto result = v.embedding(c.body);
    const embedding_request& req = expect_ok(result, c.body);
    EXPECT_EQ(req.model, "m") << c.body;
    EXPECT_EQ(req.inputs, c.inputs) << c.body;
    EXPECT_EQ(req.dimensions, c.dimensions) << c.body;
    EXPECT_EQ(req.base64, c.base64) << c.body;
  }
}

// OpenAI's token-id forms: forwarded to upstreams as sent; the sim embeds the ids' text.
TEST(embedding_validator, token_arrays_are_inputs) {
  request_validator v;
  const auto one = v.embedding(embedding_body("", "[1,2,3]"));
  const embedding_request& a = expect_ok(one, "one");
  EXPECT_TRUE(a.token_input);
  EXPECT_EQ(a.inputs, std::vector<std::string>{"1 2 3"});
  EXPECT_EQ(a.input_tokens, 3u);
  const auto two = v.embedding(embedding_body("", "[[1,2],[3]]"));
  const embedding_request& b = expect_ok(two, "two");
  EXPECT_EQ(b.inputs, (std::vector<std::string>{"1 2", "3"}));
  EXPECT_EQ(b.input_tokens, 3u);
  EXPECT_EQ(expect_ok(v.embedding(embedding_body("", int_array(5000))), "long").input_tokens, 5000u);
}

TEST(embedding_validator, bad_bodies_name_the_field) {
  const std::vector<bad_case> cases = {
      // not a JSON object
      {"", json, ""},
      {"{", json, ""},
      {"[]", json, ""},
      {R"("hi")", json, ""},
      {"{\"model\":\"m\",\"input\":\"\xff\"}", json, ""},
      {std::string(10000, '['), json, ""},
      // model
      {R"({"input":"hi"})", invalid, "model"},
      {R"({"model":null,"input":"hi"})", invalid, "model"},
      {R"({"model":"","input":"hi"})", invalid, "model"},
      {R"({"model":5,"input":"hi"})", invalid, "model"},
      {R"({"model":5})", invalid, "model"},  // model is checked before input
      // input: missing or the wrong shape
      {R"({"model":"m"})", invalid, "input"},
      {embedding_body("", "null"), invalid, "input"},
      {embedding_body("", R"("")"), invalid, "input"},
      {embedding_body("", "5"), invalid, "input"},
      {embedding_body("", "true"), invalid, "input"},
      {embedding_body("", "{}"), invalid, "input"},
      {embedding_body("", R"({"text":"hi"})"), invalid, "input"},
      {embedding_body("", "[]"), invalid, "input"},
      // input: bad items
      {embedding_body("", R"([""])"), invalid, "input[0]"},
      {embedding_body("", R"(["a",""])"), invalid, "input[1]"},
      {embedding_body("", R"(["a",null])"), invalid, "input[1]"},
      {embedding_body("", R"(["a",1])"), invalid, "input[1]"},
      {embedding_body("", R"(["a",["b"]])"), invalid, "input[1]"},
      {embedding_body("", R"(["a","b",{}])"), invalid, "input[2]"},
      {embedding_body("", "[null]"), invalid, "input[0]"},
      {embedding_body("", "[true]"), invalid, "input[0]"},
      {embedding_body("", "[1.5]"), invalid, "input[0]"},
      {embedding_body("", "[{}]"), invalid, "input[0]"},
      // input: token ids that are not
      {embedding_body("", "[0,-1]"), invalid, "input[1]"},
      {embedding_body("", "[1,\"a\"]"), invalid, "input[1]"},
      {embedding_body("", "[[1,2],[3.5]]"), invalid, "input[1][0]"},
      {embedding_body("", "[[]]"), invalid, "input[0]"},
      {embedding_body("", R"([["a"]])"), invalid, "input[0][0]"},
      // input: too many strings
      {embedding_body("", string_array(2049)), invalid, "input"},
      // dimensions
      {embedding_body(R"("dimensions":0)"), invalid, "dimensions"},
      {embedding_body(R"("dimensions":-1)"), invalid, "dimensions"},
      {embedding_body(R"("dimensions":65537)"), invalid, "dimensions"},
      {embedding_body(R"("dimensions":4294967297)"), invalid, "dimensions"},
      {embedding_body(R"("dimensions":18446744073709551615)"), invalid, "dimensions"},
      {embedding_body(R"("dimensions":1.5)"), invalid, "dimensions"},
      {embedding_body(R"("dimensions":256.0)"), invalid, "dimensions"},
      {embedding_body(R"("dimensions":1e3)"), invalid, "dimensions"},
      {embedding_body(R"("dimensions":"256")"), invalid, "dimensions"},
      {embedding_body(R"("dimensions":true)"), invalid, "dimensions"},
      {embedding_body(R"("dimensions":[256])"), invalid, "dimensions"},
      // encoding_format
      {embedding_body(R"("encoding_format":"")"), invalid, "encoding_format"},
      {embedding_body(R"("encoding_format":"FLOAT")"), invalid, "encoding_format"},
      {embedding_body(R"("encoding_format":"int8")"), invalid, "encoding_format"},
      {embedding_body(R"("encoding_format":5)"), invalid, "encoding_format"},
      {embedding_body(R"("encoding_format":true)"), invalid, "encoding_format"},
      {embedding_body(R"("encoding_format":["float"])"), invalid, "encoding_format"},
      // user
      // fields are checked in order: model, input, dimensions, encoding_format, user
      {embedding_body(R"("dimensions":0,"user":5)", R"("")"), invalid, "input"},
      {embedding_body(R"("user":5,"encoding_format":"x","dimensions":0)"), invalid, "dimensions"},
      {embedding_body(R"("user":5,"encoding_format":"x")"), invalid, "encoding_format"},
  };
  request_validator v;
  for (const auto& c : cases) expect_error(v.embedding(c.body), c);
}

TEST(embedding_validator, messages_are_sentences) {
  request_validator v;
  const auto message = [&v](const std::string& body) {
    const auto result = v.embedding(body);
    return std::holds_alternative<api_error>(result) ? std::get<api_error>(result).message
                                                     : std::string("(accepted)");
  };
  EXPECT_EQ(message(embedding_body("", R"(["a",""])")), "'input[1]' must be a non-empty string");
  EXPECT_EQ(message(embedding_body(R"("dimensions":0)")),
            "'dimensions' must be an integer between 1 and 65536");
  EXPECT_EQ(message(embedding_body(R"("encoding_format":"int8")")),
            "'encoding_format' must be 'float' or 'base64'");
  EXPECT_EQ(message(embedding_body("", string_array(2049))),
            "'input' must hold at most 2048 strings");
}

TEST(embedding_validator, input_count_limit) {
  {
    request_validator v;  // OpenAI's 2048
    const std::string body = embedding_body("", string_array(2048));
    EXPECT_EQ(expect_ok(v.embedding(body), "2048 strings").inputs.size(), 2048u);
  }
  request_validator v(validation_limits{.max_embedding_inputs = 2});
  EXPECT_EQ(expect_ok(v.embedding(embedding_body("", R"(["a","b"])")), "two").inputs.size(), 2u);
  expect_error(v.embedding(embedding_body("", R"(["a","b","c"])")), {"three", invalid, "input"});
  // A long token array is one input, not too many items.
  EXPECT_EQ(expect_ok(v.embedding(embedding_body("", "[1,2,3]")), "tokens").inputs.size(), 1u);
}

TEST(embedding_validator, depth_limit_applies) {
  request_validator v(validation_limits{.max_depth = 2});
  expect_ok(v.embedding(embedding_body("", R"(["a"])")), "depth 2");
  expect_error(v.embedding(embedding_body("", "[[1]]")), {"depth 3", json, ""});
}

TEST(embedding_validator, validator_is_shared_with_other_routes) {
  request_validator v;
  const std::string big(1 << 20, 'x');
  EXPECT_EQ(expect_ok(v.embedding(embedding_body("", "\"" + big + "\"")), "big").inputs.at(0),
            big);
  EXPECT_TRUE(std::holds_alternative<chat_request>(
      v.chat(R"({"model":"m","messages":[{"role":"user","content":"hi"}]})")));
  expect_error(v.embedding("{\"model\":\"\xff\"}"), {"bad utf-8", json, ""});
  EXPECT_EQ(expect_ok(v.embedding(embedding_body()), "after").inputs,
            std::vector<std::string>{"hi"});
}

}  // namespace
}  // namespace gw
