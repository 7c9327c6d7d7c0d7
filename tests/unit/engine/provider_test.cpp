#include "engine/provider.hpp"

#include <gtest/gtest.h>

namespace gw {
namespace {

TEST(provider, messages_headers_take_the_configured_then_the_clients_then_the_default) {
  provider_config p;
  p.api = provider_api::anthropic;
  EXPECT_EQ(messages_headers(p, "", ""), std::vector<std::string>{"anthropic-version: 2023-06-01"});
  EXPECT_EQ(messages_headers(p, "2024-01-01", "tools-2024,files"),
            (std::vector<std::string>{"anthropic-version: 2024-01-01", "anthropic-beta: tools-2024,files"}));
  // The operator's headers win, and provider_request sends them: none is repeated.
  p.headers = {{"Anthropic-Version", "2023-06-01"}, {"anthropic-beta", "x"}};
  EXPECT_TRUE(messages_headers(p, "2024-01-01", "y").empty());
}

TEST(provider, request_carries_the_key_header_and_configured_headers) {
  provider_state st{provider_config{}, "x-api-key: k", circuit_breaker(breaker_config{})};
  st.config.base_url = "https://api.example.test/v1";
  st.config.headers = {{"anthropic-version", "2023-06-01"}};
  const auto r = provider_request(st, "/messages", "{}", "req-1", {}, true);
  EXPECT_EQ(r.url, "https://api.example.test/v1/messages");
  const auto has = [&](std::string_view h) { return std::find(r.headers.begin(), r.headers.end(), h) != r.headers.end(); };
  EXPECT_TRUE(has("x-api-key: k"));
  EXPECT_TRUE(has("anthropic-version: 2023-06-01"));
  EXPECT_TRUE(has("Accept: text/event-stream"));
  EXPECT_TRUE(has("X-Request-Id: req-1"));
}

}  // namespace
}  // namespace gw
