#include "engine/sim_engine.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace gw {
namespace {

// Binary fractions throughout, so the modeled clock can be compared exactly.
sim_timing exact_timing() {
  sim_timing t;
  t.prefill_tokens_per_s = 256;   // 64 prompt tokens = 0.25 s of prefill
  t.prefill_latency_s = 0.25;
  t.decode_base_s = 0.125;
  t.decode_per_sequence_s = 0.0625;
  t.time_scale = 0;
  return t;
}

sim_timing instant_timing() {
  sim_timing t;
  t.prefill_latency_s = 0;
  t.time_scale = 0;
  return t;
}

generation_params params(std::uint64_t seed, std::uint32_t max_tokens,
                         std::vector<std::string> stop = {}) {
  generation_params p;
  p.prompt = "prompt";
  p.prompt_tokens = 8;
  p.max_tokens = max_tokens;
  p.seed = seed;
  p.stop = std::move(stop);
  return p;
}

struct transcript {
  std::string text;
  std::uint32_t tokens = 0;
  std::size_t outputs = 0;
  std::optional<finish_reason> finish;
  std::size_t outputs_after_finish = 0;
};

// Steps until the engine is idle (bounded), collecting each sequence's outputs.
std::map<sequence_id, transcript> run_to_end(sim_engine& e, std::size_t max_steps = 10000) {
  std::map<sequence_id, transcript> out;
  for (std::size_t i = 0; i < max_steps && e.has_work(); ++i) {
    for (const auto& o : e.step().outputs) {
      auto& t = out[o.id];
      if (t.finish) ++t.outputs_after_finish;
      t.text += o.text;
      t.tokens += o.tokens;
      ++t.outputs;
      if (o.finish) t.finish = o.finish;
    }
  }
  return out;
}

// The text a seed produces when nothing cuts it short.
transcript natural_text(std::uint64_t seed) {
  sim_engine e(instant_timing());
  e.admit(1, params(seed, 100000));
  return run_to_end(e)[1];
}

TEST(sim_engine, idle_engine_has_no_work_and_steps_to_nothing) {
  sim_engine e(exact_timing());
  EXPECT_FALSE(e.has_work());
  const auto r = e.step();
  EXPECT_TRUE(r.outputs.empty());
  EXPECT_EQ(r.batch_size, 0u);
  EXPECT_EQ(e.clock(), 0.0);
}

TEST(sim_engine, same_seed_same_text) {
  for (std::uint64_t seed : {1ull, 7ull, 12345ull}) {
    sim_engine a(instant_timing());
    sim_engine b(exact_timing());  // timing does not change the text
    a.admit(1, params(seed, 200));
    b.admit(99, params(seed, 200));
    b.admit(100, params(seed + 1, 200));  // nor do batch neighbours
    const auto ta = run_to_end(a)[1];
    const auto tb = run_to_end(b)[99];
    EXPECT_FALSE(ta.text.empty());
    EXPECT_EQ(ta.text, tb.text) << seed;
    EXPECT_EQ(ta.tokens, tb.tokens) << seed;
    EXPECT_EQ(ta.finish, tb.finish) << seed;
  }
}

TEST(sim_engine, different_seeds_differ) {
  EXPECT_NE(natural_text(1).text, natural_text(2).text);
}

TEST(sim_engine, without_limits_ends_at_natural_length_with_stop) {
  for (std::uint64_t seed : {3ull, 4ull, 5ull}) {
    const auto t = natural_text(seed);
    EXPECT_EQ(t.finish, finish_reason::stop);
    EXPECT_EQ(t.tokens, sim_text(seed).natural_length());
    EXPECT_EQ(t.outputs_after_finish, 0u);
  }
}

TEST(sim_engine, max_tokens_finishes_with_length_after_exactly_max_tokens) {
  for (std::uint32_t max_tokens : {1u, 2u, 10u, 23u}) {  // natural lengths are >= 24
    sim_engine e(instant_timing());
    e.admit(1, params(11, max_tokens));
    auto all = run_to_end(e);
    ASSERT_EQ(all.size(), 1u);
    const auto& t = all[1];
    EXPECT_EQ(t.finish, finish_reason::length) << max_tokens;
    EXPECT_EQ(t.tokens, max_tokens);
    EXPECT_EQ(t.outputs, max_tokens);  // one token per step
    EXPECT_EQ(t.outputs_after_finish, 0u);
    EXPECT_FALSE(e.has_work());
    // The text is the natural text's prefix.
    EXPECT_EQ(natural_text(11).text.rfind(t.text, 0), 0u) << t.text;
  }
}

TEST(sim_engine, stop_string_finishes_with_stop_and_excludes_it) {
  const std::uint64_t seed = 21;
  const auto full = natural_text(seed);
  ASSERT_GT(full.text.size(), 40u);
  // Six bytes from the middle of the text: almost surely spans a token boundary.
  const std::string stop = full.text.substr(full.text.size() / 2, 6);
  const std::string expected = full.text.substr(0, full.text.find(stop));

  sim_engine e(instant_timing());
  e.admit(1, params(seed, 100000, {"never appears \x01", stop}));
  const auto t = run_to_end(e)[1];
  EXPECT_EQ(t.finish, finish_reason::stop);
  EXPECT_EQ(t.text, expected);
  EXPECT_EQ(t.text.find(stop), std::string::npos);
  EXPECT_LT(t.tokens, full.tokens);
  EXPECT_EQ(t.outputs_after_finish, 0u);
}

TEST(sim_engine, stop_string_not_in_text_changes_nothing) {
  const auto full = natural_text(8);
  sim_engine e(instant_timing());
  e.admit(1, params(8, 100000, {"\x01\x02"}));
  const auto t = run_to_end(e)[1];
  EXPECT_EQ(t.text, full.text);
  EXPECT_EQ(t.tokens, full.tokens);
}

TEST(sim_engine, cancelled_sequence_produces_no_output_afterwards) {
  sim_engine e(instant_timing());
  e.admit(1, params(1, 1000));
  e.admit(2, params(2, 1000));
  std::set<sequence_id> seen;
  for (int i = 0; i < 3; ++i)
    for (const auto& o : e.step().outputs) seen.insert(o.id);
  ASSERT_TRUE(seen.count(1) && seen.count(2));

  e.cancel(1);
  e.cancel(12345);  // unknown ids are ignored
  EXPECT_TRUE(e.has_work());
  for (int i = 0; i < 20; ++i) {
    const auto r = e.step();
    EXPECT_EQ(r.batch_size, 1u);
    for (const auto& o : r.outputs) EXPECT_NE(o.id, 1u);
  }
  e.cancel(2);
  EXPECT_FALSE(e.has_work());
  EXPECT_TRUE(e.step().outputs.empty());
}

TEST(sim_engine, cancel_during_prefill) {
  sim_engine e(exact_timing());
  auto p = params(1, 10);
  p.prompt_tokens = 64;
  e.admit(1, p);
  e.step();  // still prefilling
  e.cancel(1);
  EXPECT_FALSE(e.has_work());
  for (int i = 0; i < 10; ++i) EXPECT_TRUE(e.step().outputs.empty());
}

TEST(sim_engine, first_token_appears_after_prefill_and_latency) {
  sim_engine e(exact_timing());
  auto p = params(5, 3);
  p.prompt_tokens = 64;  // prefill 0.25 s, then 0.25 s latency: first token at 0.5 s
  e.admit(1, p);

  // Prefill-only steps advance the clock by at most one decode base step, never past readiness.
  const double expected_clock[] = {0.125, 0.25, 0.375};
  for (double c : expected_clock) {
    const auto r = e.step();
    EXPECT_TRUE(r.outputs.empty()) << "at " << e.clock();
    EXPECT_EQ(r.batch_size, 0u);
    EXPECT_EQ(e.clock(), c);
  }
  auto r = e.step();
  EXPECT_EQ(e.clock(), 0.5);
  ASSERT_EQ(r.outputs.size(), 1u);
  EXPECT_EQ(r.outputs[0].tokens, 1u);
  EXPECT_EQ(r.batch_size, 0u);  // the first token comes from the prefill, not a decode step

  // Then one decode step per token: decode_base + per_sequence * 1.
  r = e.step();
  EXPECT_EQ(e.clock(), 0.5 + 0.1875);
  EXPECT_EQ(r.batch_size, 1u);
  ASSERT_EQ(r.outputs.size(), 1u);
  r = e.step();
  EXPECT_EQ(e.clock(), 0.5 + 2 * 0.1875);
  ASSERT_EQ(r.outputs.size(), 1u);
  EXPECT_EQ(r.outputs[0].finish, finish_reason::length);
  EXPECT_FALSE(e.has_work());
}

TEST(sim_engine, decode_step_time_grows_with_batch_size) {
  sim_engine e(exact_timing());
  auto p = params(1, 50);
  p.prompt_tokens = 0;
  for (sequence_id id = 1; id <= 4; ++id) {
    p.seed = id;
    e.admit(id, p);
  }
  // All four become ready together at 0.25 s (latency only); the first step waits up to it.
  double before = e.clock();
  auto r = e.step();
  EXPECT_EQ(e.clock(), 0.125);
  EXPECT_TRUE(r.outputs.empty());
  r = e.step();
  EXPECT_EQ(e.clock(), 0.25);
  EXPECT_EQ(r.outputs.size(), 4u);
  for (int i = 0; i < 5; ++i) {
    before = e.clock();
    r = e.step();
    EXPECT_EQ(r.batch_size, 4u);
    EXPECT_EQ(r.outputs.size(), 4u);
    EXPECT_EQ(e.clock() - before, 0.125 + 4 * 0.0625);
  }
  e.cancel(1);
  e.cancel(2);
  before = e.clock();
  r = e.step();
  EXPECT_EQ(r.batch_size, 2u);
  EXPECT_EQ(e.clock() - before, 0.125 + 2 * 0.0625);
}

TEST(sim_engine, prefills_queue_on_one_lane_while_decoding_continues) {
  sim_engine e(exact_timing());
  auto p = params(1, 100);
  p.prompt_tokens = 0;
  e.admit(1, p);  // ready at 0.25
  while (e.clock() < 0.25) e.step();
  ASSERT_EQ(e.clock(), 0.25);

  // Two 64-token prompts arrive together: prefills end at 0.5 and 0.75, tokens at 0.75 and 1.0.
  p.prompt_tokens = 64;
  p.seed = 2;
  e.admit(2, p);
  p.seed = 3;
  e.admit(3, p);
  std::map<sequence_id, double> first_at;
  for (int i = 0; i < 20; ++i) {
    const auto r = e.step();
    EXPECT_GE(r.batch_size, 1u);  // sequence 1 keeps decoding during the prefills
    for (const auto& o : r.outputs)
      if (!first_at.count(o.id)) first_at[o.id] = e.clock();
  }
  ASSERT_TRUE(first_at.count(2) && first_at.count(3));
  // Tokens appear at the end of the first step that reaches readiness.
  EXPECT_GE(first_at[2], 0.75);
  EXPECT_LT(first_at[2], 0.75 + 0.125 + 3 * 0.0625);
  EXPECT_GE(first_at[3], 1.0);
  EXPECT_LT(first_at[3], 1.0 + 0.125 + 3 * 0.0625);
}

TEST(sim_engine, pace_is_modeled_step_time_times_time_scale) {
  for (double scale : {0.0, 1.0, 2.0}) {
    auto timing = exact_timing();
    timing.time_scale = scale;
    sim_engine e(timing);
    auto p = params(1, 5);
    p.prompt_tokens = 0;
    e.admit(1, p);
    for (int i = 0; i < 10 && e.has_work(); ++i) {
      const double before = e.clock();
      const auto r = e.step();
      const double dt = e.clock() - before;
      EXPECT_EQ(r.pace.count(), static_cast<std::int64_t>(dt * scale * 1e9)) << scale;
      if (scale == 0) EXPECT_EQ(r.pace.count(), 0) << "time_scale 0 must never wait";
    }
  }
}

TEST(sim_engine, time_scale_zero_never_paces_a_large_batch) {
  auto timing = *find_sim_preset("deepseek-r1-w8a8-2node");
  timing.time_scale = 0;
  sim_engine e(timing);
  for (sequence_id id = 1; id <= 64; ++id) e.admit(id, params(id, 30));
  for (int i = 0; i < 200 && e.has_work(); ++i) EXPECT_EQ(e.step().pace.count(), 0);
  EXPECT_FALSE(e.has_work());
  EXPECT_GT(e.clock(), 0.0);  // the modeled clock still advances
}

double dot(const std::vector<float>& a, const std::vector<float>& b) {
  double d = 0;
  for (std::size_t i = 0; i < a.size() && i < b.size(); ++i) d += static_cast<double>(a[i]) * b[i];
  return d;
}

TEST(sim_engine, embeddings_are_deterministic_unit_vectors_of_the_configured_size) {
  auto t = instant_timing();
  t.embedding_dimensions = 64;
  sim_engine e(t), other(t);
  const auto a = e.embed({1, {"hello world", "another text"}, 0});
  const auto b = other.embed({2, {"hello world"}, 0});
  EXPECT_EQ(a.id, 1u);
  ASSERT_EQ(a.vectors.size(), 2u);
  ASSERT_EQ(a.vectors[0].size(), 64u);
  EXPECT_NEAR(dot(a.vectors[0], a.vectors[0]), 1.0, 1e-5);
  EXPECT_EQ(a.vectors[0], b.vectors[0]);                 // same text, same vector, any engine
  EXPECT_LT(std::abs(dot(a.vectors[0], a.vectors[1])), 0.5);  // different texts differ
  EXPECT_GT(a.tokens, b.tokens);
}

TEST(sim_engine, shortened_embeddings_are_the_renormalised_prefix) {
  auto t = instant_timing();
  t.embedding_dimensions = 64;
  sim_engine e(t);
  const auto full = e.embed({1, {"text"}, 0}).vectors.at(0);
  const auto short8 = e.embed({2, {"text"}, 8}).vectors.at(0);
  const auto capped = e.embed({3, {"text"}, 4096}).vectors.at(0);
  ASSERT_EQ(short8.size(), 8u);
  EXPECT_EQ(capped.size(), 64u);
  EXPECT_NEAR(dot(short8, short8), 1.0, 1e-5);
  const double scale = short8[0] / full[0];
  for (std::size_t i = 0; i < 8; ++i) EXPECT_NEAR(short8[i], full[i] * scale, 1e-5);
}

TEST(sim_engine, embedding_cost_is_paid_by_the_next_step) {
  auto t = exact_timing();
  t.time_scale = 1;
  sim_engine e(t);
  std::string text;
  for (int i = 0; i < 64; ++i) text += "word ";  // 64 tokens at 256 tokens/s = 0.25 s
  const auto out = e.embed({1, {text}, 0});
  const auto r = e.step();
  EXPECT_DOUBLE_EQ(e.clock(), out.tokens / 256.0);
  EXPECT_EQ(r.pace, std::chrono::nanoseconds(static_cast<std::int64_t>(out.tokens / 256.0 * 1e9)));
  EXPECT_TRUE(e.step().pace.count() == 0);  // paid once
}

TEST(sim_presets, names_resolve_and_unknown_is_null) {
  const auto names = sim_preset_names();
  EXPECT_EQ(names.size(), 3u);
  for (const auto& n : names) {
    const sim_timing* t = find_sim_preset(n);
    ASSERT_NE(t, nullptr) << n;
    EXPECT_GT(t->prefill_tokens_per_s, 0) << n;
    EXPECT_GT(t->decode_base_s, 0) << n;
    EXPECT_GT(t->kv_token_capacity, 0u) << n;
  }
  EXPECT_NE(find_sim_preset("deepseek-r1-w8a8-2node"), nullptr);
  EXPECT_EQ(find_sim_preset("no-such-preset"), nullptr);
  EXPECT_EQ(find_sim_preset(""), nullptr);
}

}  // namespace
}  // namespace gw
