#include "gateway/config.hpp"

#include <gtest/gtest.h>

namespace gw {
namespace {

gateway_config ok(const std::string& yaml) {
  auto r = load_config_text(yaml, "t.yaml");
  if (auto* e = std::get_if<config_error>(&r)) ADD_FAILURE() << e->message;
  return std::get<gateway_config>(r);
}

std::string err(const std::string& yaml) {
  auto r = load_config_text(yaml, "t.yaml");
  EXPECT_TRUE(std::holds_alternative<config_error>(r)) << yaml;
  return std::holds_alternative<config_error>(r) ? std::get<config_error>(r).message : "";
}

TEST(config, defaults_and_preset) {
  auto c = ok("models:\n  - id: m\n    preset: deepseek-r1-w8a8-2node\n");
  EXPECT_EQ(c.server.host, "127.0.0.1");
  EXPECT_EQ(c.server.port, 8080);
  EXPECT_EQ(c.server.max_body_bytes, 16u << 20);
  ASSERT_EQ(c.models.size(), 1u);
  EXPECT_DOUBLE_EQ(c.models[0].pool.sim.decode_base_s, 0.015);
  // The token budget defaults to the engine's KV capacity.
  EXPECT_EQ(c.models[0].pool.batching.limits.token_budget, c.models[0].pool.sim.kv_token_capacity);
}

TEST(config, overrides) {
  auto c = ok(
      "server: {listen: '0.0.0.0:9000', max_body_bytes: 2048}\n"
      "models:\n"
      "  - id: m\n"
      "    preset: minimax-int4-2x910b\n"
      "    sim: {time_scale: 0, decode_base_ms: 10}\n"
      "    replicas: 2\n"
      "    batching: {max_batch_size: 4, max_queued: 0, max_queue_wait_ms: 100}\n");
  EXPECT_EQ(c.server.host, "0.0.0.0");
  EXPECT_EQ(c.server.port, 9000);
  EXPECT_EQ(c.server.max_body_bytes, 2048u);
  EXPECT_DOUBLE_EQ(c.models[0].pool.sim.time_scale, 0);
  EXPECT_DOUBLE_EQ(c.models[0].pool.sim.decode_base_s, 0.010);
  EXPECT_EQ(c.models[0].pool.replicas, 2u);
  EXPECT_EQ(c.models[0].pool.batching.limits.max_batch_size, 4u);
  EXPECT_EQ(c.models[0].pool.batching.max_queue_wait, std::chrono::milliseconds(100));
}

TEST(config, errors_name_key_and_line) {
  const struct {
    const char* yaml;
    const char* expect;
  } cases[] = {
      {"models:\n  - id: m\n    replicas: two\n", "t.yaml:3: models[0].replicas: must be an integer"},
      {"models:\n  - id: m\n    colour: red\n", "t.yaml:3: models[0].colour: unknown key"},
      {"models:\n  - id: m\n    preset: nope\n", "t.yaml:3: models[0].preset: unknown preset"},
      {"models:\n  - id: m\n    engine: gpu\n", "models[0].engine: unknown engine kind"},
      {"server:\n  listen: nowhere\nmodels: [{id: m}]\n", "t.yaml:2: server.listen: must be HOST:PORT"},
      {"log: {level: loud}\nmodels: [{id: m}]\n", "log.level: must be one of"},
      {"models: []\n", "models: must be a non-empty list"},
      {"models:\n  - id: m\n  - id: m\n", "t.yaml:3: models[1].id: duplicate model id"},
      {"models:\n  - preset: x\n", "models[0].id: is required"},
      {"models:\n  - id: m\n    sim: {time_scale: -1}\n", "models[0].sim.time_scale: must be between"},
      {"models:\n  - id: m\n    max_model_len: 999999999\n", "max_model_len"},
      {"", "the file is empty"},
      {"models: [\n", "t.yaml:"},
  };
  for (const auto& c : cases) {
    const std::string m = err(c.yaml);
    EXPECT_NE(m.find(c.expect), std::string::npos) << "got: " << m << "\nwant: " << c.expect;
  }
}

TEST(config, parse_listen) {
  std::string h;
  std::uint16_t p = 0;
  EXPECT_TRUE(parse_listen("127.0.0.1:0", h, p));
  EXPECT_EQ(p, 0);
  EXPECT_TRUE(parse_listen("[::1]:8080", h, p));
  EXPECT_EQ(h, "::1");
  EXPECT_EQ(p, 8080);
  EXPECT_FALSE(parse_listen("host", h, p));
  EXPECT_FALSE(parse_listen("host:70000", h, p));
  EXPECT_FALSE(parse_listen(":80", h, p));
  EXPECT_FALSE(parse_listen("h:8x", h, p));
}

TEST(config, default_file_is_valid) {
  auto r = load_config_file(std::string(GATEWAY_SOURCE_DIR) + "/conf/gateway.yaml");
  if (auto* e = std::get_if<config_error>(&r)) FAIL() << e->message;
  EXPECT_GE(std::get<gateway_config>(r).models.size(), 1u);
}

}  // namespace
}  // namespace gw
