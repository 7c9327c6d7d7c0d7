#include "engine/sim_script.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <set>
#include <string>

#include "engine/sim_logprobs.hpp"
#include "engine/sim_schema.hpp"
#include "tests/unit/engine/json_check.hpp"

namespace gw {
namespace {

sim_json schema(std::string_view text) {
  auto s = test::parse_json(text);
  EXPECT_TRUE(s.has_value()) << "bad test schema: " << text;
  return s ? *s : sim_json{};
}

// Every schema, under many seeds, yields valid JSON that the schema accepts.
TEST(sim_schema, instances_satisfy_their_schemas) {
  const char* schemas[] = {
      R"({})",
      R"(true)",
      R"({"type":"object","properties":{"location":{"type":"string"},"unit":{"type":"string","enum":["celsius","fahrenheit"]}},"required":["location"]})",
      R"({"type":"object","properties":{"a":{"type":"integer","minimum":3,"maximum":5},"b":{"type":"number","exclusiveMinimum":0,"exclusiveMaximum":1},"c":{"type":"boolean"},"d":{"type":"null"}},"required":["a","b","c","d"],"additionalProperties":false})",
      R"({"type":"object","properties":{"tags":{"type":"array","items":{"type":"string","maxLength":5},"minItems":3,"maxItems":4}}})",
      R"({"type":"object","properties":{"people":{"type":"array","items":{"type":"object","properties":{"name":{"type":"string"},"age":{"type":"integer","minimum":0,"maximum":130},"emails":{"type":"array","items":{"type":"string","format":"email"}}},"required":["name","age"]}}},"required":["people"]})",
      R"({"type":"object","properties":{"kind":{"const":"circle"},"r":{"type":"number","multipleOf":0.5,"minimum":1,"maximum":3}},"required":["kind","r"]})",
      R"({"anyOf":[{"type":"string","minLength":30},{"type":"null"}]})",
      R"({"type":"object","properties":{"v":{"oneOf":[{"type":"integer","multipleOf":7,"minimum":10},{"type":"string"}]}},"required":["v"]})",
      R"({"allOf":[{"type":"object","properties":{"x":{"type":"integer"}},"required":["x"]},{"properties":{"y":{"type":"string"}},"required":["y"]}]})",
      R"({"$defs":{"point":{"type":"object","properties":{"x":{"type":"number"},"y":{"type":"number"}},"required":["x","y"]}},"type":"object","properties":{"from":{"$ref":"#/$defs/point"},"to":{"$ref":"#/$defs/point"}},"required":["from","to"]})",
      R"({"definitions":{"n":{"type":"integer","exclusiveMinimum":-3,"exclusiveMaximum":-1}},"type":"array","items":{"$ref":"#/definitions/n"},"minItems":2})",
      R"({"type":["string","null"],"minLength":2,"maxLength":2})",
      R"({"type":"array","prefixItems":[{"type":"integer"},{"type":"boolean"},{"enum":[1,"two",null]}],"minItems":3})",
      R"({"type":"array","items":{"enum":["a","b","c"]},"uniqueItems":true,"minItems":3,"maxItems":3})",
      R"({"type":"object","minProperties":3,"additionalProperties":{"type":"integer"}})",
      R"({"type":"integer","minimum":5,"exclusiveMinimum":true,"maximum":6})",
      R"({"type":"number","maximum":-1000})",
      R"({"type":"integer","multipleOf":5,"minimum":1,"maximum":9})",
      R"({"type":"string","enum":["\u00e9t\u00e9","hiver"]})",
      R"({"properties":{"nested":{"properties":{"deeper":{"items":{"type":"integer"}}},"required":["deeper"]}},"required":["nested"]})",
      R"({"type":"object","properties":{"q":{"type":"string","minLength":3,"maxLength":3}},"required":["q"]})",
  };
  for (const char* text : schemas) {
    const sim_json s = schema(text);
    for (std::uint64_t seed = 0; seed < 40; ++seed) {
      const std::string instance = schema_instance(s, seed);
      const auto parsed = test::parse_json(instance);
      ASSERT_TRUE(parsed.has_value()) << text << " seed " << seed << " gave invalid JSON: " << instance;
      EXPECT_EQ(test::violation(*parsed, s, s), "") << text << " seed " << seed << ": " << instance;
    }
  }
}

TEST(sim_schema, recursive_refs_end) {
  const sim_json s = schema(
      R"({"$defs":{"node":{"type":"object","properties":{"value":{"type":"integer"},"next":{"$ref":"#/$defs/node"}},"required":["value","next"]}},"$ref":"#/$defs/node"})");
  const std::string instance = schema_instance(s, 3);
  EXPECT_TRUE(test::parse_json(instance).has_value()) << instance;
}

TEST(sim_schema, schemas_built_to_blow_up_stay_small) {
  const char* schemas[] = {
      R"({"properties":{"a":{"$ref":"#"},"b":{"$ref":"#"},"c":{"$ref":"#"},"d":{"$ref":"#"},"e":{"$ref":"#"},"f":{"$ref":"#"}}})",
      R"({"type":"array","minItems":1000000,"items":{"type":"array","minItems":1000000,"items":{"type":"string","minLength":100000000}}})",
      R"({"type":"object","minProperties":100000000})",
      R"({"type":"integer","minimum":1e300,"multipleOf":1e-300})",
      R"({"type":"number","minimum":-1e308,"maximum":1e308,"multipleOf":3e-320})",
  };
  for (const char* text : schemas) {
    const std::string instance = schema_instance(schema(text), 1);
    EXPECT_LT(instance.size(), 1u << 20) << text;
    EXPECT_TRUE(test::parse_json(instance).has_value()) << text;
  }
}

TEST(sim_schema, string_formats_look_like_their_format) {
  auto gen = [](const char* format) {
    const auto v = test::parse_json(schema_instance(schema(std::string(R"({"type":"string","format":")") + format + "\"}"), 9));
    return v ? v->text : std::string();
  };
  EXPECT_EQ(gen("date-time").size(), 20u);
  EXPECT_EQ(gen("date-time")[10], 'T');
  EXPECT_EQ(gen("date").size(), 10u);
  EXPECT_NE(gen("email").find('@'), std::string::npos);
  EXPECT_EQ(gen("uri").rfind("https://", 0), 0u);
  EXPECT_EQ(gen("uuid").size(), 36u);
  EXPECT_EQ(gen("uuid")[14], '4');
}

TEST(sim_schema, deterministic_per_seed_and_varied_across_seeds) {
  const sim_json s = schema(R"({"type":"object","properties":{"city":{"type":"string"},"days":{"type":"integer","minimum":1,"maximum":14}},"required":["city","days"]})");
  std::set<std::string> seen;
  for (std::uint64_t seed = 0; seed < 20; ++seed) {
    EXPECT_EQ(schema_instance(s, seed), schema_instance(s, seed));
    seen.insert(schema_instance(s, seed));
  }
  EXPECT_GT(seen.size(), 10u);
}

TEST(sim_schema, default_object_is_a_small_object) {
  for (std::uint64_t seed = 0; seed < 10; ++seed) {
    const auto v = test::parse_json(default_json_object(seed));
    ASSERT_TRUE(v && v->is(sim_json::kind::object));
    ASSERT_TRUE(v->find("answer") && v->find("answer")->is(sim_json::kind::string));
    ASSERT_TRUE(v->find("confidence"));
    EXPECT_GE(v->find("confidence")->number(), 0);
    EXPECT_LE(v->find("confidence")->number(), 1);
  }
}

TEST(sim_script, token_pieces_join_back_and_stay_small) {
  for (std::string_view text : {std::string_view(R"({"location": "San Francisco, CA", "unit":"celsius"})"),
                                std::string_view("été à Zürich — 42.5  done\n"), std::string_view("")}) {
    std::string joined;
    for (const auto& p : token_pieces(text)) {
      EXPECT_FALSE(p.empty());
      std::size_t code_points = 0;
      for (unsigned char c : p) code_points += (c & 0xc0) != 0x80;
      EXPECT_LE(code_points, 4u) << p;
      EXPECT_NE(static_cast<unsigned char>(p[0]) & 0xc0, 0x80u) << "a piece starts inside a UTF-8 sequence";
      joined += p;
    }
    EXPECT_EQ(joined, text);
  }
  EXPECT_EQ(token_pieces(" word"), std::vector<std::string>({" wor", "d"}));
}

sim_features chat_with_tools() {
  sim_features f;
  f.tools.push_back({"get_weather", schema(R"({"type":"object","properties":{"city":{"type":"string"}},"required":["city"]})")});
  f.tools.push_back({"get_time", std::nullopt});
  return f;
}

std::string joined(const script_segment& s) {
  std::string out;
  for (const auto& p : s.pieces) out += p;
  return out;
}

TEST(sim_script, plain_requests_need_no_script) {
  sim_features f;
  EXPECT_FALSE(needs_script(f));
  f.chat = false;
  f.reasoning = true;  // legacy completions do not reason
  EXPECT_FALSE(needs_script(f));
  auto tools = chat_with_tools();
  tools.tool_choice = tool_choice_mode::none;
  EXPECT_FALSE(needs_script(tools));
  for (auto change : {+[](sim_features& x) { x.n = 2; }, +[](sim_features& x) { x.logprobs = true; },
                      +[](sim_features& x) { x.format = response_format_kind::json_object; },
                      +[](sim_features& x) { x.reasoning = true; }}) {
    sim_features g;
    change(g);
    EXPECT_TRUE(needs_script(g));
  }
}

TEST(sim_script, reasoning_comes_first_and_ends_a_sentence) {
  sim_features f;
  f.reasoning = true;
  for (std::uint64_t seed = 0; seed < 30; ++seed) {
    f.seed = seed;
    const auto s = plan_script(f);
    ASSERT_EQ(s.choices.size(), 1u);
    const auto& c = s.choices[0];
    ASSERT_EQ(c.segments.size(), 2u);
    EXPECT_EQ(c.segments[0].channel, output_channel::reasoning);
    EXPECT_EQ(c.reasoning_tokens, c.segments[0].pieces.size());
    EXPECT_GE(c.reasoning_tokens, 24u);
    EXPECT_LE(c.reasoning_tokens, 400u);
    EXPECT_EQ(c.segments[0].pieces.back()[0], '.');
    EXPECT_TRUE(c.segments[1].open);
    EXPECT_EQ(c.segments[1].channel, output_channel::content);
    EXPECT_EQ(c.finish, finish_reason::stop);
  }
  f.reasoning = false;
  const auto plain = plan_script(f);
  EXPECT_EQ(plain.choices[0].segments.size(), 1u);
  EXPECT_EQ(plain.choices[0].reasoning_tokens, 0u);
}

TEST(sim_script, required_and_named_always_call) {
  auto f = chat_with_tools();
  for (std::uint64_t seed = 0; seed < 30; ++seed) {
    f.seed = seed;
    f.tool_choice = tool_choice_mode::required;
    f.last_message_is_tool = seed % 2;
    auto s = plan_script(f);
    ASSERT_TRUE(s.choices[0].tool_call);
    EXPECT_EQ(s.choices[0].finish, finish_reason::tool_calls);
    const auto& seg = s.choices[0].segments.back();
    EXPECT_EQ(seg.channel, output_channel::tool_arguments);
    const auto args = test::parse_json(joined(seg));
    ASSERT_TRUE(args && args->is(sim_json::kind::object)) << joined(seg);
    if (s.choices[0].tool_call->name == "get_weather") {
      EXPECT_EQ(test::violation(*args, *f.tools[0].parameters, *f.tools[0].parameters), "");
    } else {
      EXPECT_EQ(joined(seg), "{}");  // no parameters: no arguments
    }

    f.tool_choice = tool_choice_mode::named;
    f.tool_choice_name = "get_time";
    s = plan_script(f);
    ASSERT_TRUE(s.choices[0].tool_call);
    EXPECT_EQ(s.choices[0].tool_call->name, "get_time");
    const auto& id = s.choices[0].tool_call->id;
    EXPECT_EQ(id.size(), 29u);
    EXPECT_EQ(id.rfind("call_", 0), 0u);
  }
}

TEST(sim_script, auto_calls_by_the_draw_and_answers_tool_results_in_text) {
  auto f = chat_with_tools();
  std::size_t calls = 0;
  std::set<std::string> names;
  for (std::uint64_t seed = 0; seed < 200; ++seed) {
    f.seed = seed;
    f.last_message_is_tool = false;
    const auto s = plan_script(f);
    EXPECT_EQ(plan_script(f).choices[0].tool_call.has_value(), s.choices[0].tool_call.has_value());
    if (s.choices[0].tool_call) {
      ++calls;
      names.insert(s.choices[0].tool_call->name);
    } else {
      EXPECT_TRUE(s.choices[0].segments.back().open);
    }
    f.last_message_is_tool = true;
    EXPECT_FALSE(plan_script(f).choices[0].tool_call);
    f.tool_choice = tool_choice_mode::none;
    f.last_message_is_tool = false;
    EXPECT_FALSE(plan_script(f).choices[0].tool_call);
    f.tool_choice = tool_choice_mode::automatic;
  }
  EXPECT_GT(calls, 120u);  // 3 in 4
  EXPECT_LT(calls, 180u);
  EXPECT_EQ(names.size(), 2u);
}

TEST(sim_script, legacy_completions_never_call_tools) {
  auto f = chat_with_tools();
  f.chat = false;
  f.tool_choice = tool_choice_mode::required;
  EXPECT_FALSE(plan_script(f).choices[0].tool_call);
}

TEST(sim_script, reasoning_precedes_a_tool_call) {
  auto f = chat_with_tools();
  f.reasoning = true;
  f.tool_choice = tool_choice_mode::required;
  const auto s = plan_script(f);
  ASSERT_EQ(s.choices[0].segments.size(), 2u);
  EXPECT_EQ(s.choices[0].segments[0].channel, output_channel::reasoning);
  EXPECT_EQ(s.choices[0].segments[1].channel, output_channel::tool_arguments);
}

TEST(sim_script, json_answers_follow_the_format) {
  sim_features f;
  f.format = response_format_kind::json_schema;
  f.schema = schema(R"({"type":"object","properties":{"title":{"type":"string"},"year":{"type":"integer","minimum":1900,"maximum":2030}},"required":["title","year"],"additionalProperties":false})");
  for (std::uint64_t seed = 0; seed < 20; ++seed) {
    f.seed = seed;
    const auto s = plan_script(f);
    const auto& seg = s.choices[0].segments.back();
    EXPECT_FALSE(seg.open);
    EXPECT_EQ(seg.channel, output_channel::content);
    const auto v = test::parse_json(joined(seg));
    ASSERT_TRUE(v) << joined(seg);
    EXPECT_EQ(test::violation(*v, *f.schema, *f.schema), "");
  }
  f.format = response_format_kind::json_object;
  f.schema.reset();
  const auto v = test::parse_json(joined(plan_script(f).choices[0].segments.back()));
  ASSERT_TRUE(v && v->is(sim_json::kind::object));
}

TEST(sim_script, choices_differ_and_choice_zero_is_the_plain_seed) {
  sim_features f;
  f.n = 4;
  f.seed = 1234;
  const auto s = plan_script(f);
  ASSERT_EQ(s.choices.size(), 4u);
  EXPECT_EQ(s.choices[0].seed, 1234u);
  std::set<std::uint64_t> seeds;
  for (const auto& c : s.choices) seeds.insert(c.seed);
  EXPECT_EQ(seeds.size(), 4u);
  for (std::uint32_t i = 0; i < 4; ++i) EXPECT_EQ(s.choices[i].seed, choice_seed(1234, i));

  // Each choice draws its own tool decision and arguments.
  auto t = chat_with_tools();
  t.tool_choice = tool_choice_mode::required;
  t.n = 8;
  std::set<std::string> args, ids;
  for (const auto& c : plan_script(t).choices) {
    args.insert(c.tool_call->name + joined(c.segments.back()));
    ids.insert(c.tool_call->id);
  }
  EXPECT_GT(args.size(), 1u);
  EXPECT_EQ(ids.size(), 8u);
}

TEST(sim_logprobs, chosen_first_sorted_descending_and_deterministic) {
  for (std::uint32_t pos = 0; pos < 50; ++pos) {
    for (std::uint32_t k : {0u, 1u, 5u, 20u}) {
      const auto lp = synth_logprobs(99, pos, " the", k);
      EXPECT_LE(lp.logprob, 0);
      ASSERT_EQ(lp.top.size(), k);
      double mass = 0;
      std::set<std::string> tokens;
      for (std::size_t i = 0; i < lp.top.size(); ++i) {
        EXPECT_LE(lp.top[i].logprob, 0);
        if (i > 0) {
          EXPECT_LT(lp.top[i].logprob, lp.top[i - 1].logprob);
        }
        mass += std::exp(lp.top[i].logprob);
        tokens.insert(lp.top[i].token);
      }
      EXPECT_LT(mass, 1.0);
      EXPECT_EQ(tokens.size(), k);
      if (k > 0) {
        EXPECT_EQ(lp.top[0].token, " the");
        EXPECT_EQ(lp.top[0].logprob, lp.logprob);
      }
      const auto again = synth_logprobs(99, pos, " the", k);
      EXPECT_EQ(again.logprob, lp.logprob);
    }
  }
  EXPECT_NE(synth_logprobs(1, 0, "x", 0).logprob, synth_logprobs(2, 0, "x", 0).logprob);
  EXPECT_EQ(synth_logprobs(1, 0, "x", 99).top.size(), max_top_logprobs);
}

}  // namespace
}  // namespace gw
