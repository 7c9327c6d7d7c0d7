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
  EXPECT_EQ(c.server.lingering_time, std::chrono::seconds(30));  // nginx's defaults
  EXPECT_EQ(c.server.lingering_timeout, std::chrono::seconds(5));
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

TEST(config, reasoning_comes_from_the_preset_or_sim_reasoning) {
  EXPECT_TRUE(ok("models:\n  - id: m\n    preset: deepseek-r1-w8a8-2node\n").models[0].pool.reasoning);
  EXPECT_FALSE(ok("models:\n  - id: m\n    preset: minimax-int4-2x910b\n").models[0].pool.reasoning);
  EXPECT_FALSE(ok("models:\n  - id: m\n").models[0].pool.reasoning);
  EXPECT_FALSE(ok("models:\n  - id: m\n    preset: deepseek-r1-w8a8-2node\n    sim: {reasoning: false}\n")
                   .models[0].pool.reasoning);
  EXPECT_TRUE(ok("models:\n  - id: m\n    preset: qwen2.5-72b-2xh100\n    sim: {reasoning: true}\n").models[0].pool.reasoning);
  EXPECT_NE(err("models:\n  - id: m\n    sim: {reasoning: maybe}\n").find("models[0].sim.reasoning: must be true or false"),
            std::string::npos);
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
      {"server:\n  lingering_time_s: -1\nmodels: [{id: m}]\n", "t.yaml:2: server.lingering_time_s: must be an integer"},
      {"server:\n  lingering_timeout_s: 0\nmodels: [{id: m}]\n", "t.yaml:2: server.lingering_timeout_s: must be an integer between 1"},
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
  auto a = parse_listen("127.0.0.1:0");
  ASSERT_TRUE(a);
  EXPECT_EQ(a->host, "127.0.0.1");
  EXPECT_EQ(a->port, 0);
  a = parse_listen("[::1]:8080");
  ASSERT_TRUE(a);
  EXPECT_EQ(a->host, "::1");
  EXPECT_EQ(a->port, 8080);
  EXPECT_FALSE(parse_listen("host"));
  EXPECT_FALSE(parse_listen("host:70000"));
  EXPECT_FALSE(parse_listen(":80"));
  EXPECT_FALSE(parse_listen("h:8x"));
  EXPECT_FALSE(parse_listen("[]:80"));
}

TEST(config, providers_remote_targets_and_routing) {
  auto c = ok(
      "restricted: {header: X-Secret, value: yes}\n"
      "providers:\n"
      "  - name: p1\n"
      "    base_url: https://example.test/v1/\n"
      "    api_key_env: P1_KEY\n"
      "    headers: {X-A: b}\n"
      "    timeouts: {first_byte_ms: 100}\n"
      "    retries: {max_retries: 0}\n"
      "    breaker: {consecutive_failures: 2, open_ms: 50}\n"
      "models:\n"
      "  - id: m\n"
      "    remote: [{provider: p1, model: up}]\n"
      "    routing: {long_prompt_tokens: 100, ttft_target_ms: 1500, fallback: false}\n"
      "  - id: r\n"
      "    engine: none\n"
      "    remote: [{provider: p1}]\n");
  EXPECT_EQ(c.restricted.header, "X-Secret");
  ASSERT_EQ(c.providers.size(), 1u);
  EXPECT_EQ(c.providers[0].base_url, "https://example.test/v1");  // trailing slash dropped
  EXPECT_EQ(c.providers[0].headers.size(), 1u);
  EXPECT_EQ(c.providers[0].timeouts.first_byte, std::chrono::milliseconds(100));
  EXPECT_EQ(c.providers[0].retries.max_retries, 0u);
  EXPECT_EQ(c.providers[0].breaker.consecutive_failures, 2u);
  EXPECT_EQ(c.models[0].remote[0].model, "up");
  EXPECT_EQ(c.models[0].routing.long_prompt_tokens, 100u);
  EXPECT_DOUBLE_EQ(c.models[0].routing.ttft_target_s, 1.5);
  EXPECT_FALSE(c.models[0].routing.fallback);
  EXPECT_EQ(c.models[0].routing.remotes, 1u);
  EXPECT_TRUE(c.models[0].routing.has_local);
  EXPECT_FALSE(c.models[1].local);
  EXPECT_FALSE(c.models[1].routing.has_local);
  EXPECT_EQ(c.models[1].remote[0].model, "r");  // defaults to the public id
}

TEST(config, routing_errors) {
  const struct {
    const char* yaml;
    const char* expect;
  } cases[] = {
      {"providers: [{name: p, base_url: 'http://x/v1'}]\nmodels: [{id: m}]\n", "providers[0].base_url: must start with https://"},
      {"providers: [{base_url: 'https://x'}]\nmodels: [{id: m}]\n", "providers[0].name: is required"},
      {"providers: [{name: p, base_url: 'https://x'}, {name: p, base_url: 'https://y'}]\nmodels: [{id: m}]\n",
       "providers[1].name: duplicate provider"},
      {"models:\n  - id: m\n    remote: [{provider: nope}]\n", "t.yaml:3: models[0].remote[0].provider: no provider named 'nope'"},
      {"models: [{id: m, engine: none}]\n", "needs remote targets"},
      {"models: [{id: m, routing: {overflow: maybe}}]\n", "models[0].routing.overflow: must be true or false"},
      {"providers: [{name: p, base_url: 'https://x', retries: {max_retries: 99}}]\nmodels: [{id: m}]\n",
       "providers[0].retries.max_retries: must be an integer between 0 and 10"},
  };
  for (const auto& c : cases) {
    const std::string m = err(c.yaml);
    EXPECT_NE(m.find(c.expect), std::string::npos) << "got: " << m << "\nwant: " << c.expect;
  }
}

TEST(config, providers_may_use_plain_http_on_loopback_only) {
  const auto c = ok("providers: [{name: side, base_url: 'http://127.0.0.1:9000/v1'}]\nmodels: [{id: m}]\n");
  EXPECT_EQ(c.providers.at(0).base_url, "http://127.0.0.1:9000/v1");
  for (const char* url : {"http://10.0.0.1:9000/v1", "http://127.0.0.1.evil.com:80/v1", "http://localhost.evil:1/v1"}) {
    const auto m = err(std::string("providers: [{name: p, base_url: '") + url + "'}]\nmodels: [{id: m}]\n");
    EXPECT_NE(m.find("must start with https://"), std::string::npos) << url << ": " << m;
  }
}

TEST(config, openai_engine_servers) {
  const auto c = ok(R"(
models:
  - id: minimax-m2.6
    engine: openai
    openai:
      model: /models/MiniMax-M2.6
      servers:
        - http://10.0.0.5:8000/v1/
        - {name: card1, url: "https://10.0.0.6:8000/v1"}
      api_key_env: LOCAL_KEY
      headers: {X-Cluster: a}
      timeouts: {first_byte_ms: 1000}
      max_in_flight: 32
      health: {path: /healthz, interval_ms: 500, timeout_ms: 100, unhealthy_after: 3, healthy_after: 4}
      affinity: {prefix_chars: 512, load_factor: 1.5}
      embedding_delay_ms: 7
    max_model_len: 200000
    batching: {max_queued: 10, max_queue_wait_ms: 100, max_embedding_inputs: 16}
)");
  const auto& m = c.models.at(0);
  EXPECT_TRUE(m.local);
  EXPECT_EQ(m.pool.kind, "openai");
  const auto& s = m.pool.servers;
  ASSERT_EQ(s.servers.size(), 2u);
  EXPECT_EQ(s.servers[0].name, "server-0");
  EXPECT_EQ(s.servers[0].base_url, "http://10.0.0.5:8000/v1");  // trailing slash dropped
  EXPECT_EQ(s.servers[1].name, "card1");
  EXPECT_EQ(s.model, "/models/MiniMax-M2.6");
  EXPECT_EQ(s.api_key_env, "LOCAL_KEY");
  ASSERT_EQ(s.headers.size(), 1u);
  EXPECT_EQ(s.timeouts.first_byte, std::chrono::milliseconds(1000));
  EXPECT_EQ(s.max_in_flight, 32u);
  EXPECT_EQ(s.health_path, "/healthz");
  EXPECT_EQ(s.health_interval, std::chrono::milliseconds(500));
  EXPECT_EQ(s.health.unhealthy_after, 3u);
  EXPECT_EQ(s.health.healthy_after, 4u);
  EXPECT_EQ(s.affinity_prefix_chars, 512u);
  EXPECT_DOUBLE_EQ(s.load_factor, 1.5);
  EXPECT_EQ(s.embedding_delay, std::chrono::milliseconds(7));
  EXPECT_EQ(m.pool.batching.max_embedding_inputs, 16u);
  EXPECT_EQ(m.max_model_len, 200000u);  // not bounded by a sim token budget
}

TEST(config, openai_engine_errors) {
  const struct {
    const char* yaml;
    const char* expect;
  } cases[] = {
      {"models: [{id: m, engine: openai}]\n", "models[0].openai: is required with engine: openai"},
      {"models: [{id: m, engine: openai, openai: {servers: []}}]\n", "models[0].openai.servers: must list at least one"},
      {"models: [{id: m, engine: openai, openai: {servers: [ftp://x]}}]\n",
       "models[0].openai.servers[0]: must start with http:// or https://"},
      {"models: [{id: m, engine: openai, openai: {servers: [{name: a, url: 'http://x'}, {name: a, url: 'http://y'}]}}]\n",
       "models[0].openai.servers[1].name: repeats the name 'a'"},
      {"models: [{id: m, engine: openai, preset: deepseek-r1-w8a8-2node, openai: {servers: [http://x]}}]\n",
       "models[0].preset: applies to sim engines only"},
      {"models: [{id: m, engine: openai, openai: {servers: [http://x]}, batching: {max_batch_size: 4}}]\n",
       "models[0].batching.max_batch_size: applies to sim engines only"},
      {"models: [{id: m, openai: {servers: [http://x]}}]\n", "models[0].openai: applies to engine: openai only"},
      {"models: [{id: m, engine: openai, openai: {servers: [http://x], affinity: {load_factor: 0.5}}}]\n",
       "models[0].openai.affinity.load_factor: must be between 1 and 100"},
      {"models: [{id: m, engine: openai, openai: {servers: [http://x], health: {path: health}}}]\n",
       "models[0].openai.health.path: must start with /"},
      {"models: [{id: m, engine: gpu}]\n", "unknown engine kind (known: sim, openai, none)"},
  };
  for (const auto& c : cases) {
    const std::string m = err(c.yaml);
    EXPECT_NE(m.find(c.expect), std::string::npos) << "got: " << m << "\nwant: " << c.expect;
  }
}

TEST(config, hybrid_example_is_valid) {
  auto r = load_config_file(std::string(GATEWAY_SOURCE_DIR) + "/conf/hybrid.yaml");
  if (auto* e = std::get_if<config_error>(&r)) FAIL() << e->message;
  EXPECT_GE(std::get<gateway_config>(r).providers.size(), 4u);
}

TEST(config, default_file_is_valid) {
  auto r = load_config_file(std::string(GATEWAY_SOURCE_DIR) + "/conf/gateway.yaml");
  if (auto* e = std::get_if<config_error>(&r)) FAIL() << e->message;
  EXPECT_GE(std::get<gateway_config>(r).models.size(), 1u);
}

TEST(config, auth_keys_cors_and_server_limits) {
  const std::string digest(64, 'a');
  auto c = ok(
      "server: {max_connections: 50, header_timeout_s: 3, sse_keepalive_s: 0, drain_timeout_s: 5,\n"
      "         max_header_count: 20, max_target_bytes: 512, max_stream_buffer_bytes: 8192,\n"
      "         lingering_time_s: 60, lingering_timeout_s: 2}\n"
      "auth:\n"
      "  keys:\n"
      "    - {name: web, sha256: " + digest + ", models: [m], priority: -5, restricted: true,\n"
      "       requests_per_minute: 60, tokens_per_minute: 1000}\n"
      "cors: {allowed_origins: ['https://a.example/'], max_age_s: 30}\n"
      "models:\n  - id: m\n");
  EXPECT_EQ(c.server.max_connections, 50u);
  EXPECT_EQ(c.server.header_timeout, std::chrono::seconds(3));
  EXPECT_EQ(c.server.sse_keepalive, std::chrono::seconds(0));
  EXPECT_EQ(c.server.drain_timeout, std::chrono::seconds(5));
  EXPECT_EQ(c.server.lingering_time, std::chrono::seconds(60));
  EXPECT_EQ(c.server.lingering_timeout, std::chrono::seconds(2));
  ASSERT_EQ(c.auth.keys.size(), 1u);
  const auto& k = c.auth.keys[0];
  EXPECT_EQ(k.name, "web");
  EXPECT_EQ(k.sha256[0], 0xaa);
  EXPECT_EQ(k.models, std::vector<std::string>{"m"});
  EXPECT_EQ(k.priority, -5);
  EXPECT_TRUE(k.restricted);
  EXPECT_EQ(k.limits.requests_per_minute, 60u);
  EXPECT_EQ(k.limits.tokens_per_minute, 1000u);
  EXPECT_EQ(c.cors.allowed_origins, std::vector<std::string>{"https://a.example"});
  EXPECT_EQ(c.cors.max_age, std::chrono::seconds(30));
}

TEST(config, auth_errors_name_the_key) {
  const std::string models = "models:\n  - id: m\n";
  const std::string d(64, 'b');
  EXPECT_NE(err("auth: {keys: [{name: a, sha256: xyz}]}\n" + models).find("auth.keys[0].sha256"), std::string::npos);
  EXPECT_NE(err("auth: {keys: [{sha256: " + d + "}]}\n" + models).find("auth.keys[0].name"), std::string::npos);
  EXPECT_NE(err("auth: {keys: [{name: a, key: sk-plain}]}\n" + models).find("unknown key"), std::string::npos);
  EXPECT_NE(err("auth: {keys: [{name: a, sha256: " + d + "}, {name: b, sha256: " + d + "}]}\n" + models)
                .find("same key"),
            std::string::npos);
  EXPECT_NE(err("auth: {keys: [{name: a, sha256: " + d + ", models: [nope]}]}\n" + models).find("'nope'"),
            std::string::npos);
  EXPECT_NE(err("cors: {allowed_origins: ['https://a.example/path']}\n" + models).find("cors.allowed_origins[0]"),
            std::string::npos);
}

TEST(config, restart_fingerprint_ignores_only_reloadable_parts) {
  const std::string base = "models:\n  - id: m\n    routing: {long_prompt_tokens: 100}\n";
  const std::string fp = restart_fingerprint(base);
  ASSERT_FALSE(fp.empty());
  EXPECT_EQ(restart_fingerprint("server: {max_connections: 5}\nauth: {keys: []}\ncors: {}\n" + base), fp);
  EXPECT_EQ(restart_fingerprint("models:\n  - id: m\n    routing: {long_prompt_tokens: 999}\n"), fp);
  EXPECT_NE(restart_fingerprint("models:\n  - id: m2\n"), fp);
  EXPECT_NE(restart_fingerprint("models:\n  - id: m\n    replicas: 2\n    routing: {long_prompt_tokens: 100}\n"), fp);
}

}  // namespace
}  // namespace gw
