// `state:` (where limits live), per-key budgets and local prices.
#include <gtest/gtest.h>

#include "gateway/config.hpp"

namespace gw {
namespace {

const std::string models = "models:\n  - id: m\n";
const std::string digest(64, 'c');

gateway_config ok(const std::string& yaml) {
  auto r = load_config_text(yaml, "t.yaml");
  if (auto* e = std::get_if<config_error>(&r)) ADD_FAILURE() << e->message;
  return std::holds_alternative<gateway_config>(r) ? std::get<gateway_config>(r) : gateway_config{};
}

std::string err(const std::string& yaml) {
  auto r = load_config_text(yaml, "t.yaml");
  EXPECT_TRUE(std::holds_alternative<config_error>(r)) << yaml;
  return std::holds_alternative<config_error>(r) ? std::get<config_error>(r).message : "";
}

TEST(config_state, absent_means_in_process) {
  const auto c = ok(models);
  EXPECT_FALSE(c.state.enabled);
}

TEST(config_state, redis_with_every_option) {
  const auto c = ok(
      "state:\n  redis:\n    url: redis://:s%40cret@10.0.0.5:6380/2\n    key_prefix: 'gw1:'\n    timeout_ms: 20\n"
      "    on_unavailable: {rate_limits: closed, budgets: open}\n" + models);
  ASSERT_TRUE(c.state.enabled);
  EXPECT_EQ(c.state.endpoint.host, "10.0.0.5");
  EXPECT_EQ(c.state.endpoint.port, 6380);
  EXPECT_EQ(c.state.endpoint.password, "s@cret");
  EXPECT_EQ(c.state.endpoint.db, 2u);
  EXPECT_EQ(c.state.key_prefix, "gw1:");
  EXPECT_EQ(c.state.timeout, std::chrono::milliseconds(20));
  EXPECT_FALSE(c.state.rate_limits_fail_open);
  EXPECT_TRUE(c.state.budgets_fail_open);
}

TEST(config_state, errors_name_the_key) {
  EXPECT_NE(err("state: {redis: {}}\n" + models).find("state.redis.url"), std::string::npos);
  EXPECT_NE(err("state: {redis: {url: 'http://x'}}\n" + models).find("redis:// or unix://"), std::string::npos);
  EXPECT_NE(err("state: {redis: {url: 'redis://x', timeout_ms: 0}}\n" + models).find("state.redis.timeout_ms"),
            std::string::npos);
  EXPECT_NE(err("state: {redis: {url: 'redis://x', on_unavailable: {budgets: maybe}}}\n" + models)
                .find("must be open or closed"),
            std::string::npos);
  EXPECT_NE(err("state: {memcached: {}}\n" + models).find("unknown key"), std::string::npos);
}

TEST(config_state, key_budgets) {
  const auto c = ok("auth:\n  keys:\n    - {name: a, sha256: " + digest + ", budget: {usd: 25.5, period: day}}\n" +
                    "    - {name: b, sha256: " + std::string(64, 'd') + ", budget: {usd: 100}}\n" + models);
  ASSERT_EQ(c.auth.keys.size(), 2u);
  EXPECT_DOUBLE_EQ(c.auth.keys[0].budget.usd, 25.5);
  EXPECT_EQ(c.auth.keys[0].budget.period, budget_period::day);
  EXPECT_EQ(c.auth.keys[1].budget.period, budget_period::month);  // the default
  EXPECT_NE(err("auth: {keys: [{name: a, sha256: " + digest + ", budget: {period: day}}]}\n" + models)
                .find("auth.keys[0].budget.usd"),
            std::string::npos);
  EXPECT_NE(err("auth: {keys: [{name: a, sha256: " + digest + ", budget: {usd: 1, period: week}}]}\n" + models)
                .find("day or month"),
            std::string::npos);
}

TEST(config_state, local_price_needs_a_local_engine) {
  const auto c = ok("models:\n  - id: m\n    price: {input_per_million: 0.5, output_per_million: 2}\n");
  EXPECT_DOUBLE_EQ(c.models[0].price_input_per_million, 0.5);
  EXPECT_DOUBLE_EQ(c.models[0].price_output_per_million, 2);
  EXPECT_NE(err("providers: [{name: p, base_url: 'https://api.example/v1'}]\n"
                "models:\n  - id: m\n    engine: none\n    remote: [{provider: p}]\n    price: {input_per_million: 1}\n")
                .find("models[0].price"),
            std::string::npos);
}

TEST(config_state, a_reload_cannot_move_the_state) {
  EXPECT_NE(restart_fingerprint("state: {redis: {url: 'redis://a'}}\n" + models),
            restart_fingerprint("state: {redis: {url: 'redis://b'}}\n" + models));
}

}  // namespace
}  // namespace gw
