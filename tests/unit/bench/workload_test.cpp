#include "bench/gateway_bench/workload.hpp"

#include <gtest/gtest.h>

#include <simdjson.h>

#include <cstdio>
#include <fstream>

#include "engine/tokenizer.hpp"

namespace gw::bench {
namespace {

bench_options options(std::vector<std::string_view> args) {
  args.insert(args.begin(), {"--model", "m"});
  auto r = parse_options(args);
  EXPECT_TRUE(r.error.empty()) << r.error;
  return r.options;
}

simdjson::dom::element parse(simdjson::dom::parser& p, const std::string& body) {
  simdjson::dom::element el;
  EXPECT_EQ(p.parse(body).get(el), simdjson::SUCCESS) << body;
  return el;
}

TEST(bench_workload, generated_prompt_is_one_gateway_token_per_word) {
  rng r(3);
  std::string s;
  append_generated_prompt(s, 500, r);
  EXPECT_EQ(count_words(s), 500u);
  EXPECT_EQ(count_tokens(s), 500u);
  std::string t;
  append_generated_prompt(t, 0, r);
  EXPECT_TRUE(t.empty());
}

TEST(bench_workload, streaming_chat_body) {
  workload w(options({"--prompt-tokens", "20", "--output-tokens", "7"}), nullptr, 0, 1);
  request_spec req;
  w.next(req);
  simdjson::dom::parser p;
  const auto el = parse(p, req.body);
  EXPECT_EQ(std::string_view(el["model"]), "m");
  EXPECT_EQ(int64_t(el["max_tokens"]), 7);
  EXPECT_TRUE(bool(el["stream"]));
  EXPECT_TRUE(bool(el["stream_options"]["include_usage"]));
  EXPECT_EQ(std::string_view(el["messages"].at(0)["role"]), "user");
  EXPECT_EQ(count_words(std::string_view(el["messages"].at(0)["content"])), 20u);
  EXPECT_EQ(req.prompt_tokens, 20u);
  EXPECT_EQ(req.max_tokens, 7u);
  EXPECT_EQ(el["ignore_eos"].error(), simdjson::NO_SUCH_FIELD);
}

TEST(bench_workload, non_streaming_completions_body_with_ignore_eos) {
  workload w(options({"--endpoint", "completions", "--no-stream", "--ignore-eos", "--prompt-tokens", "5"}), nullptr,
             0, 1);
  request_spec req;
  w.next(req);
  simdjson::dom::parser p;
  const auto el = parse(p, req.body);
  EXPECT_EQ(count_words(std::string_view(el["prompt"])), 5u);
  EXPECT_FALSE(bool(el["stream"]));
  EXPECT_EQ(el["stream_options"].error(), simdjson::NO_SUCH_FIELD);
  EXPECT_TRUE(bool(el["ignore_eos"]));
  EXPECT_EQ(int64_t(el["max_tokens"]), 128);
}

TEST(bench_workload, seed_reproduces_the_sequence_and_shards_differ) {
  const auto o = options({"--prompt-tokens", "uniform:10:50", "--output-tokens", "uniform:1:100", "--seed", "5"});
  workload a(o, nullptr, 0, 2), b(o, nullptr, 0, 2), c(o, nullptr, 1, 2);
  request_spec ra, rb, rc;
  bool differs = false;
  for (int i = 0; i < 50; ++i) {
    a.next(ra);
    b.next(rb);
    c.next(rc);
    EXPECT_EQ(ra.body, rb.body);
    differs |= ra.body != rc.body;
  }
  EXPECT_TRUE(differs);
}

TEST(bench_workload, dataset_prompts_are_escaped_and_reply_lengths_used) {
  auto data = std::make_shared<std::vector<dataset_entry>>();
  data->push_back({"say \"hi\"\n\\ now", 3, 12});
  data->push_back({"plain prompt", 2, 0});  // no reply length: the --output-tokens default
  workload w(options({}), data, 0, 1);
  request_spec req;
  simdjson::dom::parser p;
  std::set<std::string> prompts;
  for (int i = 0; i < 4; ++i) {
    w.next(req);
    const auto el = parse(p, req.body);
    const std::string prompt(std::string_view(el["messages"].at(0)["content"]));
    prompts.insert(prompt);
    if (prompt == "say \"hi\"\n\\ now") {
      EXPECT_EQ(req.max_tokens, 12u);
      EXPECT_EQ(req.prompt_tokens, 3u);
    } else {
      EXPECT_EQ(prompt, "plain prompt");
      EXPECT_EQ(req.max_tokens, 128u);
    }
  }
  EXPECT_EQ(prompts.size(), 2u);  // a permutation, cycled
  workload fixed(options({"--output-tokens", "9"}), data, 0, 1);
  fixed.next(req);
  EXPECT_EQ(req.max_tokens, 9u);
}

TEST(bench_dataset, prompt_lines_and_sharegpt_conversations) {
  std::string err;
  auto a = parse_dataset_record(R"({"prompt":"one two three","output_tokens":40})", err);
  ASSERT_TRUE(a) << err;
  EXPECT_EQ(a->prompt, "one two three");
  EXPECT_EQ(a->prompt_words, 3u);
  EXPECT_EQ(a->output_tokens, 40u);
  auto b = parse_dataset_record(
      R"({"id":"x","conversations":[{"from":"system","value":"s"},{"from":"human","value":"hello there"},{"from":"gpt","value":"a b c d e"},{"from":"human","value":"more"}]})",
      err);
  ASSERT_TRUE(b) << err;
  EXPECT_EQ(b->prompt, "hello there");
  EXPECT_EQ(b->output_tokens, 5u);
  EXPECT_FALSE(parse_dataset_record(R"({"conversations":[{"from":"gpt","value":"x"}]})", err));
  EXPECT_FALSE(parse_dataset_record(R"({"text":"x"})", err));
  EXPECT_FALSE(parse_dataset_record(R"({"prompt":"   "})", err));
  EXPECT_FALSE(parse_dataset_record("not json", err));
  EXPECT_FALSE(err.empty());
}

TEST(bench_dataset, load_jsonl_and_array_files) {
  const std::string dir = ::testing::TempDir();
  const std::string jsonl = dir + "/bench_ds.jsonl", arr = dir + "/bench_ds.json", bad = dir + "/bench_bad.jsonl";
  std::ofstream(jsonl) << "{\"prompt\":\"a b\"}\n\n{\"conversations\":[{\"from\":\"human\",\"value\":\"q\"},"
                          "{\"from\":\"gpt\",\"value\":\"r s t\"}]}\n";
  std::ofstream(arr) << " [{\"prompt\":\"x\"}, {\"conversations\":[]}, {\"prompt\":\"y z\"}]";
  std::ofstream(bad) << "{\"prompt\":\"ok\"}\n{\"prompt\":\n";
  std::string err;
  auto a = load_dataset(jsonl, err);
  ASSERT_TRUE(a) << err;
  ASSERT_EQ(a->size(), 2u);
  EXPECT_EQ((*a)[1].output_tokens, 3u);
  auto b = load_dataset(arr, err);
  ASSERT_TRUE(b) << err;
  EXPECT_EQ(b->size(), 2u);  // the element without a human turn is skipped
  EXPECT_FALSE(load_dataset(bad, err));
  EXPECT_NE(err.find(":2:"), std::string::npos) << err;  // names the line
  EXPECT_FALSE(load_dataset(dir + "/does-not-exist.jsonl", err));
  std::remove(jsonl.c_str());
  std::remove(arr.c_str());
  std::remove(bad.c_str());
}

TEST(bench_workload, messages_and_embeddings_bodies) {
  workload m(options({"--endpoint", "messages", "--prompt-tokens", "6", "--output-tokens", "9"}), nullptr, 0, 1);
  request_spec req;
  m.next(req);
  simdjson::dom::parser p;
  auto el = parse(p, req.body);
  EXPECT_EQ(int64_t(el["max_tokens"]), 9);
  EXPECT_TRUE(bool(el["stream"]));
  EXPECT_EQ(el["stream_options"].error(), simdjson::NO_SUCH_FIELD);  // not a Messages field
  EXPECT_EQ(count_words(std::string_view(el["messages"].at(0)["content"])), 6u);

  workload e(options({"--endpoint", "embeddings", "--prompt-tokens", "4"}), nullptr, 0, 1);
  e.next(req);
  simdjson::dom::parser p2;
  el = parse(p2, req.body);
  EXPECT_EQ(count_words(std::string_view(el["input"])), 4u);
  EXPECT_EQ(el["max_tokens"].error(), simdjson::NO_SUCH_FIELD);
  EXPECT_EQ(el["stream"].error(), simdjson::NO_SUCH_FIELD);
  EXPECT_EQ(req.max_tokens, 0u);
}

}  // namespace
}  // namespace gw::bench
