#include "gateway/generation_request.hpp"

#include <gtest/gtest.h>

#include "engine/sim_script.hpp"

namespace gw {
namespace {

model_config model(std::uint32_t len = 1000, std::uint32_t def = 100) {
  model_config m;
  m.id = "m";
  m.max_model_len = len;
  m.default_max_tokens = def;
  return m;
}

chat_request chat(std::string content) {
  chat_request r;
  r.model = "m";
  r.messages.push_back({message_role::user, std::move(content), ""});
  return r;
}

TEST(generation_request, renders_prompt_and_counts_tokens) {
  auto r = chat("hello there");
  r.messages.insert(r.messages.begin(), {message_role::system, "be brief", ""});
  EXPECT_EQ(render_chat_prompt(r.messages), "<|system|>\nbe brief\n<|user|>\nhello there\n<|assistant|>\n");
  auto g = std::get<generation_params>(make_generation(r, model(), 1));
  EXPECT_GT(g.prompt_tokens, 3u);
  EXPECT_EQ(g.max_tokens, 100u);  // the model's default
}

TEST(generation_request, default_max_tokens_is_capped_by_the_context_left) {
  auto g = std::get<generation_params>(make_generation(chat("x"), model(20, 1000), 1));
  EXPECT_EQ(g.prompt_tokens + g.max_tokens, 20u);
}

TEST(generation_request, too_long_requests_are_400) {
  auto r = chat(std::string(8000, 'a'));
  auto e = std::get<api_error>(make_generation(r, model(1000), 1));
  EXPECT_EQ(e.code, api_errc::context_length_exceeded);
  auto r2 = chat("hi");
  r2.sampling.max_tokens = 5000;
  auto e2 = std::get<api_error>(make_generation(r2, model(1000), 1));
  EXPECT_EQ(e2.code, api_errc::context_length_exceeded);
  EXPECT_EQ(e2.param, "max_tokens");
}

TEST(generation_request, seeds) {
  auto a = chat("same");
  a.sampling.seed = 42;
  const auto s1 = std::get<generation_params>(make_generation(a, model(), 1)).seed;
  const auto s2 = std::get<generation_params>(make_generation(a, model(), 2)).seed;
  EXPECT_EQ(s1, s2);  // a seed wins over entropy
  a.sampling.seed = 43;
  EXPECT_NE(std::get<generation_params>(make_generation(a, model(), 1)).seed, s1);
  auto greedy = chat("same");
  greedy.sampling.temperature = 0;
  EXPECT_EQ(std::get<generation_params>(make_generation(greedy, model(), 1)).seed,
            std::get<generation_params>(make_generation(greedy, model(), 2)).seed);
  auto sampled = chat("same");
  EXPECT_NE(std::get<generation_params>(make_generation(sampled, model(), 1)).seed,
            std::get<generation_params>(make_generation(sampled, model(), 2)).seed);
}

TEST(generation_request, legacy_prompt_and_stop) {
  completion_request r;
  r.model = "m";
  r.prompt = "once upon";
  r.sampling.stop = {"\n"};
  r.sampling.max_tokens = 7;
  auto g = std::get<generation_params>(make_generation(r, model(), 1));
  EXPECT_EQ(g.prompt, "once upon");
  EXPECT_EQ(g.max_tokens, 7u);
  EXPECT_EQ(g.stop, std::vector<std::string>{"\n"});
}

std::optional<api_error> plan_sim(std::string_view body, api_kind kind, const model_config& m, generation_params& g) {
  return gw::plan_sim(*json::scan_object(body), kind, m, g);
}

TEST(generation_request, plan_sim_plans_only_what_needs_a_script) {
  auto m = model();
  m.pool.reasoning = false;
  auto g = std::get<generation_params>(make_generation(chat("hi"), m, 1));
  const std::string plain = R"({"model":"m","messages":[{"role":"user","content":"hi"}]})";
  EXPECT_FALSE(plan_sim(plain, api_kind::chat, m, g));
  EXPECT_FALSE(g.script);
  EXPECT_EQ(g.n, 1u);

  m.pool.reasoning = true;
  EXPECT_FALSE(plan_sim(plain, api_kind::chat, m, g));
  ASSERT_TRUE(g.script);
  EXPECT_EQ(g.script->choices.size(), 1u);
  EXPECT_EQ(g.script->choices[0].seed, g.seed);
  EXPECT_GT(g.script->choices[0].reasoning_tokens, 0u);

  auto g2 = std::get<generation_params>(make_generation(chat("hi"), m, 1));
  EXPECT_FALSE(plan_sim(R"({"model":"m","n":3,"messages":[]})", api_kind::chat, m, g2));
  EXPECT_EQ(g2.n, 3u);
  ASSERT_TRUE(g2.script);
  EXPECT_EQ(g2.script->choices.size(), 3u);
}

TEST(generation_request, plan_sim_refuses_what_the_engine_cannot_run) {
  auto m = model(1000, 100);
  m.pool.batching.limits.token_budget = 1000;
  auto g = std::get<generation_params>(make_generation(chat("hi"), m, 1));
  auto e = plan_sim(R"({"n":20})", api_kind::chat, m, g);  // 20 x 100 tokens > 1000
  ASSERT_TRUE(e);
  EXPECT_EQ(e->code, api_errc::context_length_exceeded);
  EXPECT_EQ(e->param, "n");
  e = plan_sim(R"({"n":0})", api_kind::chat, m, g);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->param, "n");
}

}  // namespace
}  // namespace gw

namespace gw {
namespace {

TEST(affinity_key, is_the_conversation_opening_so_later_turns_share_it) {
  chat_request turn1;
  turn1.messages = {{message_role::system, "You are terse.", ""}, {message_role::user, "Tell me about KV caches.", ""}};
  chat_request turn2 = turn1;
  turn2.messages.push_back({message_role::assistant, "They hold attention keys and values.", ""});
  turn2.messages.push_back({message_role::user, "And prefix caching?", ""});
  EXPECT_EQ(affinity_key(turn1, 1024), "<|system|>\nYou are terse.\n<|user|>\nTell me about KV caches.\n");
  EXPECT_EQ(affinity_key(turn1, 1024), affinity_key(turn2, 1024));
  chat_request other = turn1;
  other.messages[1].content = "Something else";
  EXPECT_NE(affinity_key(other, 1024), affinity_key(turn1, 1024));
}

TEST(affinity_key, is_cut_at_max_chars_so_a_long_system_prompt_is_shared) {
  chat_request a, b;
  const std::string system(2000, 's');
  a.messages = {{message_role::system, system, ""}, {message_role::user, "a", ""}};
  b.messages = {{message_role::system, system, ""}, {message_role::user, "b", ""}};
  EXPECT_EQ(affinity_key(a, 100).size(), 100u);
  EXPECT_EQ(affinity_key(a, 100), affinity_key(b, 100));
  completion_request c;
  c.prompt = "0123456789";
  EXPECT_EQ(affinity_key(c, 4), "0123");
}

}  // namespace
}  // namespace gw
