#include "gateway/config.hpp"

#include <gtest/gtest.h>

namespace gw {
namespace {

std::variant<gateway_config, config_error> load(const std::string& tracing) {
  return load_config_text("models: [{id: m}]\n" + tracing, "t.yaml");
}

TEST(config_tracing, absent_means_off) {
  auto r = load("");
  ASSERT_TRUE(std::holds_alternative<gateway_config>(r));
  EXPECT_FALSE(std::get<gateway_config>(r).tracing);
}

TEST(config_tracing, defaults_and_every_key) {
  auto d = load("tracing: {otlp_endpoint: \"http://127.0.0.1:4318/\"}\n");
  ASSERT_TRUE(std::holds_alternative<gateway_config>(d)) << std::get<config_error>(d).message;
  const tracing_config& t = *std::get<gateway_config>(d).tracing;
  EXPECT_EQ(t.otlp_endpoint, "http://127.0.0.1:4318");  // the trailing slash goes
  EXPECT_EQ(t.service_name, "inference-gateway");
  EXPECT_EQ(t.sample_ratio, 1.0);
  EXPECT_EQ(t.batch_timeout, std::chrono::milliseconds(5000));
  EXPECT_EQ(t.max_batch_spans, 512u);
  EXPECT_EQ(t.max_queue_spans, 2048u);

  auto all = load(
      "tracing:\n  otlp_endpoint: https://otel.example:4318\n  service_name: gw-eu\n  sample_ratio: 0.1\n"
      "  batch_timeout_ms: 200\n  max_batch_spans: 64\n  max_queue_spans: 1000\n  export_timeout_ms: 3000\n"
      "  headers: {x-tenant: t1}\n  ca_file: /etc/ca.pem\n");
  ASSERT_TRUE(std::holds_alternative<gateway_config>(all)) << std::get<config_error>(all).message;
  const tracing_config& a = *std::get<gateway_config>(all).tracing;
  EXPECT_EQ(a.service_name, "gw-eu");
  EXPECT_DOUBLE_EQ(a.sample_ratio, 0.1);
  EXPECT_EQ(a.batch_timeout, std::chrono::milliseconds(200));
  EXPECT_EQ(a.max_batch_spans, 64u);
  EXPECT_EQ(a.max_queue_spans, 1000u);
  EXPECT_EQ(a.export_timeout, std::chrono::milliseconds(3000));
  ASSERT_EQ(a.headers.size(), 1u);
  EXPECT_EQ(a.headers[0].first, "x-tenant");
  EXPECT_EQ(a.ca_file, "/etc/ca.pem");
}

TEST(config_tracing, errors_name_the_key) {
  const struct {
    const char* yaml;
    const char* expect;
  } cases[] = {
      {"tracing: {}\n", "tracing.otlp_endpoint: is required"},
      {"tracing: {otlp_endpoint: 127.0.0.1:4318}\n", "tracing.otlp_endpoint: must start with http"},
      {"tracing: {otlp_endpoint: \"http://c:4318/v1/traces\"}\n", "/v1/traces is appended"},
      {"tracing: {otlp_endpoint: \"http://c\", sample_ratio: 2}\n", "tracing.sample_ratio: must be between 0 and 1"},
      {"tracing: {otlp_endpoint: \"http://c\", max_batch_spans: 100, max_queue_spans: 10}\n",
       "tracing.max_batch_spans: exceeds tracing.max_queue_spans"},
      {"tracing: {otlp_endpoint: \"http://c\", batch_timeout_ms: 0}\n", "tracing.batch_timeout_ms: must be an integer"},
      {"tracing: {otlp_endpoint: \"http://c\", colour: red}\n", "tracing.colour: unknown key"},
      {"tracing: {otlp_endpoint: \"http://c\", headers: {\"bad name\": x}}\n", "is not a valid header"},
  };
  for (const auto& c : cases) {
    auto r = load(c.yaml);
    ASSERT_TRUE(std::holds_alternative<config_error>(r)) << c.yaml;
    const std::string m = std::get<config_error>(r).message;
    EXPECT_NE(m.find(c.expect), std::string::npos) << "got: " << m << "\nwant: " << c.expect;
  }
}

TEST(config_tracing, a_reload_cannot_change_it) {
  const std::string base = "models: [{id: m}]\n";
  EXPECT_NE(restart_fingerprint(base), restart_fingerprint(base + "tracing: {otlp_endpoint: \"http://c\"}\n"));
}

}  // namespace
}  // namespace gw
