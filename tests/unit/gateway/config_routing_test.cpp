// The routing parts of the config file that config_test.cpp does not cover: a provider's
// retry_budget and rename_fields.
#include "gateway/config.hpp"

#include <gtest/gtest.h>

namespace gw {
namespace {

std::variant<gateway_config, config_error> load(const std::string& provider_extra) {
  return load_config_text("providers:\n"
                          "  - name: p\n"
                          "    base_url: https://example.test/v1\n" +
                              provider_extra + "models: [{id: m, engine: none, remote: [{provider: p}]}]\n",
                          "t.yaml");
}

TEST(config_routing, retry_budget_defaults) {
  const auto r = load("");
  ASSERT_TRUE(std::holds_alternative<gateway_config>(r)) << std::get<config_error>(r).message;
  const auto& b = std::get<gateway_config>(r).providers.at(0).retry_budget;
  EXPECT_DOUBLE_EQ(b.ratio, 0.2);
  EXPECT_DOUBLE_EQ(b.min_retries_per_s, 3);
  EXPECT_EQ(b.window, std::chrono::milliseconds(10000));
}

TEST(config_routing, retry_budget_keys) {
  const auto r = load("    retry_budget: {ratio: 0.5, min_retries_per_s: 0.25, window_ms: 2000}\n");
  ASSERT_TRUE(std::holds_alternative<gateway_config>(r)) << std::get<config_error>(r).message;
  const auto& b = std::get<gateway_config>(r).providers.at(0).retry_budget;
  EXPECT_DOUBLE_EQ(b.ratio, 0.5);
  EXPECT_DOUBLE_EQ(b.min_retries_per_s, 0.25);
  EXPECT_EQ(b.window, std::chrono::milliseconds(2000));
}

TEST(config_routing, retry_budget_errors_name_key_and_line) {
  const struct {
    const char* yaml;
    const char* expect;
  } cases[] = {
      {"    retry_budget: {ratio: -0.1}\n", "t.yaml:4: providers[0].retry_budget.ratio: must be between 0 and 100"},
      {"    retry_budget: {ratio: lots}\n", "t.yaml:4: providers[0].retry_budget.ratio: must be a number"},
      {"    retry_budget: {min_retries_per_s: -1}\n",
       "t.yaml:4: providers[0].retry_budget.min_retries_per_s: must be between 0 and 100000"},
      {"    retry_budget: {window_ms: 10}\n",
       "t.yaml:4: providers[0].retry_budget.window_ms: must be an integer between 100 and 3600000"},
      {"    retry_budget:\n      ratio: 0.1\n      percent: 20\n", "t.yaml:6: providers[0].retry_budget.percent: unknown key"},
      {"    retry_budget: 0.2\n", "t.yaml:4: providers[0].retry_budget: must be a mapping"},
  };
  for (const auto& c : cases) {
    const auto r = load(c.yaml);
    ASSERT_TRUE(std::holds_alternative<config_error>(r)) << c.yaml;
    const auto& m = std::get<config_error>(r).message;
    EXPECT_NE(m.find(c.expect), std::string::npos) << "got: " << m << "\nwant: " << c.expect;
  }
}

TEST(config_routing, rename_fields) {
  const auto none = load("");
  ASSERT_TRUE(std::holds_alternative<gateway_config>(none)) << std::get<config_error>(none).message;
  EXPECT_TRUE(std::get<gateway_config>(none).providers.at(0).rename_fields.empty());  // the default: no edits
  const auto r = load("    rename_fields: {max_completion_tokens: max_tokens}\n");
  ASSERT_TRUE(std::holds_alternative<gateway_config>(r)) << std::get<config_error>(r).message;
  const auto& f = std::get<gateway_config>(r).providers.at(0).rename_fields;
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].from, "max_completion_tokens");
  EXPECT_EQ(f[0].to, "max_tokens");
  for (const char* bad : {"    rename_fields: [max_tokens]\n", "    rename_fields: {model: m}\n",
                          "    rename_fields: {a: 'b\"c'}\n", "    rename_fields: {a: ''}\n"}) {
    const auto e = load(bad);
    ASSERT_TRUE(std::holds_alternative<config_error>(e)) << bad;
    EXPECT_NE(std::get<config_error>(e).message.find("providers[0].rename_fields"), std::string::npos)
        << std::get<config_error>(e).message;
  }
}

TEST(config_routing, continuation_keys) {
  const auto none = load("");
  ASSERT_TRUE(std::holds_alternative<gateway_config>(none)) << std::get<config_error>(none).message;
  EXPECT_EQ(std::get<gateway_config>(none).providers.at(0).continuation, prefill_mode::none);
  EXPECT_FALSE(std::get<gateway_config>(none).models.at(0).routing.continue_on_failure);
  const auto r = load_config_text(
      "providers: [{name: p, base_url: https://example.test/v1, continuation: prefix}]\n"
      "models:\n"
      "  - id: m\n"
      "    engine: openai\n"
      "    openai: {servers: [\"http://127.0.0.1:9/v1\"], continuation: continue_final_message}\n"
      "    remote: [{provider: p}]\n"
      "    routing: {continue_on_failure: true}\n",
      "t.yaml");
  ASSERT_TRUE(std::holds_alternative<gateway_config>(r)) << std::get<config_error>(r).message;
  const auto& c = std::get<gateway_config>(r);
  EXPECT_EQ(c.providers.at(0).continuation, prefill_mode::prefix);
  EXPECT_EQ(c.models.at(0).pool.servers.continuation, prefill_mode::continue_final_message);
  EXPECT_TRUE(c.models.at(0).routing.continue_on_failure);
  const auto bad = load("    continuation: yes_please\n");
  ASSERT_TRUE(std::holds_alternative<config_error>(bad));
  EXPECT_NE(std::get<config_error>(bad).message.find(
                "t.yaml:4: providers[0].continuation: must be none, continue_final_message or prefix"),
            std::string::npos)
      << std::get<config_error>(bad).message;
}

TEST(config_routing, provider_api) {
  const auto none = load("");
  ASSERT_TRUE(std::holds_alternative<gateway_config>(none)) << std::get<config_error>(none).message;
  EXPECT_EQ(std::get<gateway_config>(none).providers.at(0).api, provider_api::openai);
  const auto r = load("    api: anthropic\n");
  ASSERT_TRUE(std::holds_alternative<gateway_config>(r)) << std::get<config_error>(r).message;
  EXPECT_EQ(std::get<gateway_config>(r).providers.at(0).api, provider_api::anthropic);
  const std::pair<const char*, const char*> bad[] = {
      {"    api: gemini\n", "t.yaml:4: providers[0].api: must be openai or anthropic"},
      {"    api: anthropic\n    continuation: prefix\n", "providers[0].continuation: must be none for a provider with api: anthropic"},
      {"    api: anthropic\n    rename_fields: {a: b}\n", "providers[0].rename_fields: applies to OpenAI bodies only"},
  };
  for (const auto& [text, message] : bad) {
    const auto e = load(text);
    ASSERT_TRUE(std::holds_alternative<config_error>(e)) << text;
    EXPECT_NE(std::get<config_error>(e).message.find(message), std::string::npos) << std::get<config_error>(e).message;
  }
}

}  // namespace
}  // namespace gw
