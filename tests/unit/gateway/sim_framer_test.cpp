#include "gateway/sim_framer.hpp"

#include <gtest/gtest.h>
#include <simdjson.h>

#include <memory>
#include <string>
#include <vector>

#include "engine/sim_engine.hpp"

namespace gw {
namespace {

using simdjson::dom::element;

// {"type":"object","properties":{"city":{"type":"string"}},"required":["city"]}
sim_json city_schema() {
  sim_json s = sim_json::object();
  s.add("type", sim_json::of_string("object"));
  s.add("properties", sim_json::object()).add("city", sim_json::object()).add("type", sim_json::of_string("string"));
  s.add("required", sim_json::array()).push(sim_json::of_string("city"));
  return s;
}

response_meta meta(api_kind kind = api_kind::chat, bool include_usage = true) {
  response_meta m;
  m.kind = kind;
  m.id = kind == api_kind::chat ? "chatcmpl-1" : "cmpl-1";
  m.created = 1700000000;
  m.model = "sim";
  m.include_usage = include_usage;
  return m;
}

// Runs the script on an instant sim engine and feeds every output to the framer, as the
// token_stream will: on_output per output, on_end after the sequence's finish.
std::string frame(const sim_features& f, sim_framer& framer, std::uint32_t max_tokens = 100000) {
  auto script = std::make_shared<const sim_script>(plan_script(f));
  sim_timing t;
  t.prefill_latency_s = 0;
  t.time_scale = 0;
  sim_engine e(t);
  generation_params p;
  p.prompt_tokens = 9;
  p.max_tokens = max_tokens;
  p.seed = f.seed;
  p.n = f.n;
  p.script = script;
  e.admit(1, p);
  std::string out;
  std::uint32_t tokens = 0;
  for (int i = 0; i < 100000 && e.has_work(); ++i) {
    for (const auto& o : e.step().outputs) {
      tokens += o.tokens;
      framer.on_output(out, o);
      if (o.finish) framer.on_end(out, *o.finish, 9, tokens);
    }
  }
  return out;
}

std::vector<std::string> events(const std::string& sse) {
  std::vector<std::string> out;
  std::size_t at = 0;
  while (at < sse.size()) {
    const auto end = sse.find("\n\n", at);
    EXPECT_NE(end, std::string::npos);
    const std::string ev = sse.substr(at, end - at);
    EXPECT_EQ(ev.rfind("data: ", 0), 0u) << ev;
    out.push_back(ev.substr(6));
    at = end + 2;
  }
  return out;
}

struct parsed_doc {
  simdjson::dom::parser parser;
  element root;
  explicit parsed_doc(const std::string& json) {
    auto err = parser.parse(json).get(root);
    EXPECT_EQ(err, simdjson::SUCCESS) << json;
  }
};

std::string str(element e) {
  std::string_view s;
  return e.get(s) == simdjson::SUCCESS ? std::string(s) : std::string("<not a string>");
}

sim_features tool_request() {
  sim_features f;
  f.seed = 5;
  f.tools.push_back({"get_weather", city_schema()});
  f.tool_choice = tool_choice_mode::required;
  return f;
}

TEST(sim_framer, streamed_tool_call_fragments_like_openai) {
  const auto f = tool_request();
  const auto plan = plan_script(f);
  std::string args;
  for (const auto& p : plan.choices[0].segments[0].pieces) args += p;
  sim_framer framer(meta(), std::make_shared<const sim_script>(plan), true);
  const auto evs = events(frame(f, framer));
  ASSERT_GE(evs.size(), 5u);
  std::string got_args;
  std::size_t fragments = 0;
  std::string finish;
  for (std::size_t i = 0; i < evs.size(); ++i) {
    parsed_doc d(evs[i]);
    EXPECT_EQ(str(d.root["object"]), "chat.completion.chunk");
    simdjson::dom::array choices = d.root["choices"];
    if (i == evs.size() - 1) {  // the usage chunk
      EXPECT_EQ(choices.size(), 0u);
      EXPECT_EQ(int64_t(d.root["usage"]["completion_tokens"]), static_cast<int64_t>(plan.choices[0].segments[0].pieces.size()));
      continue;
    }
    EXPECT_TRUE(d.root["usage"].is_null());
    ASSERT_EQ(choices.size(), 1u);
    element c = choices.at(0);
    EXPECT_EQ(int64_t(c["index"]), 0);
    if (i == 0) {
      EXPECT_EQ(str(c["delta"]["role"]), "assistant");
      continue;
    }
    if (!c["finish_reason"].is_null()) {
      finish = str(c["finish_reason"]);
      continue;
    }
    element call = c["delta"]["tool_calls"].at(0);
    EXPECT_EQ(int64_t(call["index"]), 0);
    if (fragments++ == 0) {
      EXPECT_EQ(str(call["id"]), plan.choices[0].tool_call->id);
      EXPECT_EQ(str(call["type"]), "function");
      EXPECT_EQ(str(call["function"]["name"]), "get_weather");
      EXPECT_EQ(str(call["function"]["arguments"]), "");
    } else {
      EXPECT_TRUE(call["id"].error() == simdjson::NO_SUCH_FIELD);
      got_args += str(call["function"]["arguments"]);
    }
  }
  EXPECT_EQ(got_args, args);
  EXPECT_EQ(finish, "tool_calls");
  parsed_doc parsed_args(got_args);
  EXPECT_TRUE(parsed_args.root["city"].is_string());
}

TEST(sim_framer, streamed_reasoning_then_content_and_reasoning_tokens) {
  sim_features f;
  f.reasoning = true;
  f.seed = 3;
  const auto plan = plan_script(f);
  sim_framer framer(meta(), std::make_shared<const sim_script>(plan), true);
  const auto evs = events(frame(f, framer));
  std::size_t reasoning_chunks = 0, content_chunks = 0;
  bool content_seen = false;
  for (std::size_t i = 1; i + 1 < evs.size(); ++i) {
    parsed_doc d(evs[i]);
    element delta = d.root["choices"].at(0)["delta"];
    if (delta["reasoning_content"].error() == simdjson::SUCCESS) {
      EXPECT_FALSE(content_seen) << "reasoning after content";
      ++reasoning_chunks;
    } else if (delta["content"].error() == simdjson::SUCCESS) {
      content_seen = true;
      ++content_chunks;
    }
  }
  EXPECT_EQ(reasoning_chunks, plan.choices[0].reasoning_tokens);
  EXPECT_GT(content_chunks, 0u);
  parsed_doc usage(evs.back());
  EXPECT_EQ(int64_t(usage.root["usage"]["completion_tokens_details"]["reasoning_tokens"]),
            static_cast<int64_t>(plan.choices[0].reasoning_tokens));
  EXPECT_EQ(int64_t(usage.root["usage"]["completion_tokens"]),
            static_cast<int64_t>(reasoning_chunks + content_chunks));
}

TEST(sim_framer, whole_chat_body_with_n_logprobs_reasoning_and_a_call) {
  auto f = tool_request();
  f.tool_choice = tool_choice_mode::automatic;
  f.reasoning = true;
  f.logprobs = true;
  f.top_logprobs = 3;
  f.n = 6;
  const auto plan = plan_script(f);
  sim_framer framer(meta(api_kind::chat, false), std::make_shared<const sim_script>(plan), false);
  const std::string body = frame(f, framer);
  parsed_doc d(body);
  EXPECT_EQ(str(d.root["object"]), "chat.completion");
  simdjson::dom::array choices = d.root["choices"];
  ASSERT_EQ(choices.size(), 6u);
  std::int64_t i = 0, reasoning = 0, calls = 0, texts = 0;
  for (element c : choices) {
    EXPECT_EQ(int64_t(c["index"]), i);
    element m = c["message"];
    EXPECT_GT(str(m["reasoning_content"]).size(), 0u);
    reasoning += plan.choices[i].reasoning_tokens;
    if (plan.choices[i].tool_call) {
      ++calls;
      EXPECT_TRUE(m["content"].is_null());
      EXPECT_EQ(str(m["tool_calls"].at(0)["id"]), plan.choices[i].tool_call->id);
      parsed_doc args(str(m["tool_calls"].at(0)["function"]["arguments"]));
      EXPECT_TRUE(args.root["city"].is_string());
      EXPECT_EQ(str(c["finish_reason"]), "tool_calls");
      EXPECT_EQ(simdjson::dom::array(c["logprobs"]["content"]).size(), 0u);
    } else {
      ++texts;
      EXPECT_GT(str(m["content"]).size(), 0u);
      EXPECT_EQ(str(c["finish_reason"]), "stop");
      simdjson::dom::array lps = c["logprobs"]["content"];
      EXPECT_GT(lps.size(), 0u);
      std::string joined;
      for (element lp : lps) {
        joined += str(lp["token"]);
        EXPECT_LE(double(lp["logprob"]), 0);
        EXPECT_EQ(simdjson::dom::array(lp["top_logprobs"]).size(), 3u);
        EXPECT_EQ(str(lp["top_logprobs"].at(0)["token"]), str(lp["token"]));
        EXPECT_EQ(simdjson::dom::array(lp["bytes"]).size(), str(lp["token"]).size());
      }
      EXPECT_EQ(joined, str(m["content"]));
    }
    ++i;
  }
  EXPECT_GT(calls, 0);
  EXPECT_GT(texts, 0);
  EXPECT_EQ(int64_t(d.root["usage"]["completion_tokens_details"]["reasoning_tokens"]), reasoning);
}

TEST(sim_framer, streamed_n_choices_each_with_role_and_finish) {
  sim_features f;
  f.n = 3;
  f.seed = 8;
  sim_framer framer(meta(), std::make_shared<const sim_script>(plan_script(f)), true);
  const auto evs = events(frame(f, framer));
  std::vector<int> roles(3), finishes(3);
  std::vector<std::string> texts(3);
  for (std::size_t k = 0; k + 1 < evs.size(); ++k) {
    parsed_doc d(evs[k]);
    element c = d.root["choices"].at(0);
    const auto i = static_cast<std::size_t>(int64_t(c["index"]));
    ASSERT_LT(i, 3u);
    if (c["delta"]["role"].error() == simdjson::SUCCESS) ++roles[i];
    if (c["delta"]["content"].error() == simdjson::SUCCESS) {
      EXPECT_EQ(finishes[i], 0) << "content after its choice's finish";
      texts[i] += str(c["delta"]["content"]);
    }
    if (!c["finish_reason"].is_null()) ++finishes[i];
  }
  EXPECT_EQ(roles, std::vector<int>({1, 1, 1}));
  EXPECT_EQ(finishes, std::vector<int>({1, 1, 1}));
  EXPECT_NE(texts[0], texts[1]);
  EXPECT_NE(texts[1], texts[2]);
  parsed_doc usage(evs.back());
  EXPECT_TRUE(usage.root["usage"]["completion_tokens_details"].error() == simdjson::NO_SUCH_FIELD);
}

TEST(sim_framer, legacy_logprobs_and_echo) {
  sim_features f;
  f.chat = false;
  f.logprobs = true;
  f.top_logprobs = 2;
  f.n = 2;
  sim_framer whole(meta(api_kind::completion, false), std::make_shared<const sim_script>(plan_script(f)), false, "Say:");
  parsed_doc d(frame(f, whole, 12));
  simdjson::dom::array choices = d.root["choices"];
  ASSERT_EQ(choices.size(), 2u);
  for (element c : choices) {
    const std::string text = str(c["text"]);
    EXPECT_EQ(text.rfind("Say:", 0), 0u);
    EXPECT_EQ(str(c["finish_reason"]), "length");
    element lp = c["logprobs"];
    simdjson::dom::array tokens = lp["tokens"];
    EXPECT_EQ(tokens.size(), 12u);
    EXPECT_EQ(simdjson::dom::array(lp["token_logprobs"]).size(), 12u);
    EXPECT_EQ(simdjson::dom::array(lp["top_logprobs"]).size(), 12u);
    simdjson::dom::array offsets = lp["text_offset"];
    std::size_t k = 0;
    for (element off : offsets) {
      const std::string tok = str(tokens.at(k++));
      EXPECT_EQ(text.substr(static_cast<std::size_t>(int64_t(off)), tok.size()), tok);
    }
  }
  EXPECT_EQ(int64_t(d.root["usage"]["completion_tokens"]), 24);

  sim_framer streamed(meta(api_kind::completion, false), std::make_shared<const sim_script>(plan_script(f)), true, "Say:");
  const auto evs = events(frame(f, streamed, 12));
  parsed_doc first(evs.at(0));
  EXPECT_EQ(str(first.root["object"]), "text_completion");
  EXPECT_EQ(str(first.root["choices"].at(0)["text"]).rfind("Say:", 0), 0u);
  EXPECT_EQ(simdjson::dom::array(first.root["choices"].at(0)["logprobs"]["tokens"]).size(), 1u);
}

TEST(sim_framer, json_schema_answer_streams_as_content) {
  sim_features f;
  f.format = response_format_kind::json_schema;
  f.schema = city_schema();
  sim_framer framer(meta(api_kind::chat, false), std::make_shared<const sim_script>(plan_script(f)), true);
  std::string content;
  for (const auto& ev : events(frame(f, framer))) {
    parsed_doc d(ev);
    element delta = d.root["choices"].at(0)["delta"];
    if (delta["content"].error() == simdjson::SUCCESS) content += str(delta["content"]);
  }
  parsed_doc answer(content);
  EXPECT_TRUE(answer.root["city"].is_string());
}

}  // namespace
}  // namespace gw
