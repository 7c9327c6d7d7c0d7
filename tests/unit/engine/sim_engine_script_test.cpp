// The simulated engine following a sim_script: n choices decoding together, reasoning and fixed
// text segments, truncation at max_tokens, and the order of outputs the batcher relies on.
#include "engine/sim_engine.hpp"

#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "engine/sim_script.hpp"
#include "tests/unit/engine/json_check.hpp"

namespace gw {
namespace {

sim_timing instant_timing() {
  sim_timing t;
  t.prefill_latency_s = 0;
  t.time_scale = 0;
  return t;
}

generation_params params(std::uint64_t seed, std::uint32_t max_tokens, std::shared_ptr<const sim_script> script = {}) {
  generation_params p;
  p.prompt = "prompt";
  p.prompt_tokens = 8;
  p.max_tokens = max_tokens;
  p.seed = seed;
  p.n = script ? static_cast<std::uint32_t>(script->choices.size()) : 1;
  p.script = std::move(script);
  return p;
}

std::shared_ptr<const sim_script> plan(sim_features f) { return std::make_shared<const sim_script>(plan_script(f)); }

struct choice_transcript {
  std::string text;
  std::map<output_channel, std::string> by_channel;
  std::vector<output_channel> channels;  // per output
  std::uint32_t tokens = 0;
  std::optional<finish_reason> finish;
  std::size_t outputs_after_finish = 0;
};

struct run_result {
  std::map<std::uint32_t, choice_transcript> choices;
  std::size_t sequence_finishes = 0;
  std::optional<finish_reason> sequence_finish;
  bool finish_was_last = true;  // nothing came for the sequence after its finish
  std::vector<std::size_t> batch_sizes;
};

// Steps one sequence (id 1) to its end, checking the output order contract on the way.
run_result run(sim_engine& e) {
  run_result r;
  for (int step = 0; step < 100000 && e.has_work(); ++step) {
    const auto s = e.step();
    r.batch_sizes.push_back(s.batch_size);
    std::optional<std::uint32_t> last_choice;
    for (const auto& o : s.outputs) {
      if (r.sequence_finishes > 0) r.finish_was_last = false;
      EXPECT_TRUE(!last_choice || o.choice > *last_choice) << "outputs of a step in choice order";
      last_choice = o.choice;
      auto& c = r.choices[o.choice];
      if (c.finish) ++c.outputs_after_finish;
      c.text += o.text;
      c.by_channel[o.channel] += o.text;
      c.channels.push_back(o.channel);
      c.tokens += o.tokens;
      if (o.choice_finish) c.finish = o.choice_finish;
      if (o.finish) {
        ++r.sequence_finishes;
        r.sequence_finish = o.finish;
        EXPECT_EQ(o.finish, o.choice_finish);
      }
    }
  }
  return r;
}

std::string plain_text(std::uint64_t seed, std::uint32_t max_tokens = 100000) {
  sim_engine e(instant_timing());
  e.admit(1, params(seed, max_tokens));
  return run(e).choices[0].text;
}

TEST(sim_engine_script, n_choices_decode_together_and_end_on_their_own) {
  sim_features f;
  f.n = 3;
  f.seed = 77;
  sim_engine e(instant_timing());
  e.admit(1, params(77, 100000, plan(f)));
  const auto r = run(e);
  ASSERT_EQ(r.choices.size(), 3u);
  EXPECT_EQ(r.sequence_finishes, 1u);
  EXPECT_TRUE(r.finish_was_last);
  std::set<std::string> texts;
  std::uint32_t longest = 0;
  for (std::uint32_t i = 0; i < 3; ++i) {
    const auto& c = r.choices.at(i);
    EXPECT_EQ(c.finish, finish_reason::stop);
    EXPECT_EQ(c.outputs_after_finish, 0u);
    EXPECT_EQ(c.tokens, sim_text(choice_seed(77, i)).natural_length());
    texts.insert(c.text);
    longest = std::max(longest, c.tokens);
  }
  EXPECT_EQ(texts.size(), 3u);
  EXPECT_EQ(r.choices.at(0).text, plain_text(77));  // choice 0 is what n = 1 says
  // The first step decodes all three choices (as three sequences of the batch).
  ASSERT_GE(r.batch_sizes.size(), 2u);
  EXPECT_EQ(r.batch_sizes[1], 3u);
  EXPECT_EQ(r.batch_sizes.back(), 1u);  // the longest choice decodes alone at the end
}

TEST(sim_engine_script, decode_time_counts_every_running_choice) {
  sim_timing t = instant_timing();
  t.decode_base_s = 0.125;
  t.decode_per_sequence_s = 0.0625;
  t.time_scale = 1;
  sim_features f;
  f.n = 4;
  sim_engine e(t);
  e.admit(1, params(5, 1000, plan(f)));
  e.step();  // the prefill's step: first tokens
  const auto s = e.step();
  EXPECT_EQ(s.batch_size, 4u);
  EXPECT_EQ(s.pace, std::chrono::nanoseconds(static_cast<std::int64_t>((0.125 + 4 * 0.0625) * 1e9)));
}

TEST(sim_engine_script, each_choice_stops_at_max_tokens) {
  sim_features f;
  f.n = 2;
  sim_engine e(instant_timing());
  e.admit(1, params(9, 5, plan(f)));
  const auto r = run(e);
  for (std::uint32_t i = 0; i < 2; ++i) {
    EXPECT_EQ(r.choices.at(i).tokens, 5u);
    EXPECT_EQ(r.choices.at(i).finish, finish_reason::length);
  }
  EXPECT_EQ(r.sequence_finish, finish_reason::length);
  EXPECT_EQ(r.sequence_finishes, 1u);
}

sim_features tool_request(std::uint64_t seed) {
  sim_features f;
  f.seed = seed;
  f.tools.push_back({"lookup", test::parse_json(R"({"type":"object","properties":{"query":{"type":"string"},"limit":{"type":"integer","minimum":1,"maximum":10}},"required":["query","limit"]})")});
  f.tool_choice = tool_choice_mode::required;
  return f;
}

TEST(sim_engine_script, a_tool_call_is_its_arguments_exactly_then_tool_calls) {
  const auto script = plan(tool_request(3));
  std::string expected;
  for (const auto& p : script->choices[0].segments[0].pieces) expected += p;
  auto p = params(3, 100000, script);
  p.ignore_eos = true;  // fixed text ends when it is complete, whatever ignore_eos says
  sim_engine e(instant_timing());
  e.admit(1, p);
  const auto r = run(e);
  const auto& c = r.choices.at(0);
  EXPECT_EQ(c.text, expected);
  EXPECT_EQ(c.by_channel.at(output_channel::tool_arguments), expected);
  EXPECT_EQ(c.tokens, script->choices[0].segments[0].pieces.size());
  EXPECT_EQ(c.finish, finish_reason::tool_calls);
  EXPECT_EQ(r.sequence_finish, finish_reason::tool_calls);
  EXPECT_TRUE(test::parse_json(c.text).has_value());
}

TEST(sim_engine_script, max_tokens_cuts_a_fixed_answer_with_length) {
  const auto script = plan(tool_request(3));
  const auto& pieces = script->choices[0].segments[0].pieces;
  ASSERT_GT(pieces.size(), 4u);
  sim_engine e(instant_timing());
  e.admit(1, params(3, 4, script));
  const auto r = run(e);
  const auto& c = r.choices.at(0);
  EXPECT_EQ(c.tokens, 4u);
  EXPECT_EQ(c.finish, finish_reason::length);
  EXPECT_EQ(c.text, pieces[0] + pieces[1] + pieces[2] + pieces[3]);
}

TEST(sim_engine_script, reasoning_then_the_same_answer_as_without_it) {
  sim_features f;
  f.reasoning = true;
  f.seed = 41;
  const auto script = plan(f);
  const std::uint32_t reasoning = script->choices[0].reasoning_tokens;
  sim_engine e(instant_timing());
  e.admit(1, params(41, 100000, script));
  const auto r = run(e);
  const auto& c = r.choices.at(0);
  ASSERT_GT(c.channels.size(), reasoning);
  for (std::uint32_t i = 0; i < c.channels.size(); ++i)
    EXPECT_EQ(c.channels[i], i < reasoning ? output_channel::reasoning : output_channel::content) << i;
  std::string thinking;
  for (const auto& p : script->choices[0].segments[0].pieces) thinking += p;
  EXPECT_EQ(c.by_channel.at(output_channel::reasoning), thinking);
  EXPECT_EQ(c.by_channel.at(output_channel::content), plain_text(41));
  EXPECT_EQ(c.tokens, reasoning + sim_text(41).natural_length());
  EXPECT_EQ(c.finish, finish_reason::stop);
}

TEST(sim_engine_script, max_tokens_inside_reasoning_ends_with_length_and_no_answer) {
  sim_features f;
  f.reasoning = true;
  sim_engine e(instant_timing());
  e.admit(1, params(0, 10, plan(f)));
  const auto r = run(e);
  EXPECT_EQ(r.choices.at(0).tokens, 10u);
  EXPECT_EQ(r.choices.at(0).finish, finish_reason::length);
  EXPECT_FALSE(r.choices.at(0).by_channel.count(output_channel::content));
}

TEST(sim_engine_script, stop_strings_apply_to_the_answer_not_the_reasoning) {
  sim_features f;
  f.reasoning = true;
  f.seed = 41;
  const auto script = plan(f);
  std::string thinking;
  for (const auto& p : script->choices[0].segments[0].pieces) thinking += p;
  const std::string answer = plain_text(41);
  const std::string stop = answer.substr(answer.size() / 2, 5);
  auto p = params(41, 100000, script);
  p.stop = {stop, thinking.substr(3, 8)};  // the second one occurs only in the reasoning
  if (answer.find(p.stop[1]) != std::string::npos) GTEST_SKIP() << "the seed's texts overlap";
  sim_engine e(instant_timing());
  e.admit(1, p);
  const auto r = run(e);
  EXPECT_EQ(r.choices.at(0).by_channel.at(output_channel::reasoning), thinking);
  EXPECT_EQ(r.choices.at(0).by_channel.at(output_channel::content), answer.substr(0, answer.find(stop)));
  EXPECT_EQ(r.choices.at(0).finish, finish_reason::stop);
}

TEST(sim_engine_script, choices_with_different_plans_end_in_their_own_ways) {
  auto f = tool_request(11);
  f.tool_choice = tool_choice_mode::automatic;
  f.n = 8;
  const auto script = plan(f);
  sim_engine e(instant_timing());
  e.admit(1, params(11, 100000, script));
  const auto r = run(e);
  std::set<finish_reason> finishes;
  for (std::uint32_t i = 0; i < 8; ++i) {
    EXPECT_EQ(r.choices.at(i).finish, script->choices[i].finish) << i;
    finishes.insert(*r.choices.at(i).finish);
  }
  EXPECT_EQ(finishes.size(), 2u) << "8 draws of 3-in-4 gave only one kind";
  EXPECT_EQ(r.sequence_finishes, 1u);
  EXPECT_TRUE(r.finish_was_last);
}

TEST(sim_engine_script, cancelling_drops_every_choice) {
  sim_features f;
  f.n = 3;
  sim_engine e(instant_timing());
  e.admit(1, params(2, 1000, plan(f)));
  e.step();
  e.step();
  e.cancel(1);
  EXPECT_FALSE(e.has_work());
  EXPECT_TRUE(e.step().outputs.empty());
}

}  // namespace
}  // namespace gw
