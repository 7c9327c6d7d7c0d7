#include "gateway/client_auth.hpp"

#include <gtest/gtest.h>

#include "gateway/key_policy.hpp"

namespace gw {
namespace {

api_key_config key(const std::string& name, const std::string& secret, std::vector<std::string> models = {}) {
  api_key_config k;
  k.name = name;
  k.sha256 = sha256(secret);
  k.models = std::move(models);
  return k;
}

TEST(client_auth, sha256_matches_known_vectors) {
  EXPECT_EQ(sha256_hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(client_auth, bearer_token_is_case_insensitive_in_the_scheme_only) {
  EXPECT_EQ(bearer_token("Bearer sk-1"), "sk-1");
  EXPECT_EQ(bearer_token("bearer   sk-1  "), "sk-1");
  EXPECT_EQ(bearer_token("BEARER sk-AbC"), "sk-AbC");
  EXPECT_EQ(bearer_token("Basic dXNlcjpwYXNz"), "");
  EXPECT_EQ(bearer_token("Bearer"), "");
  EXPECT_EQ(bearer_token("Bearer "), "");
  EXPECT_EQ(bearer_token(""), "");
}

TEST(client_auth, key_table_finds_only_exact_keys) {
  const key_table t({key("a", "sk-alpha"), key("b", "sk-beta")});
  ASSERT_TRUE(t.enabled());
  ASSERT_TRUE(t.find("sk-alpha"));
  EXPECT_EQ(t.find("sk-alpha")->name, "a");
  EXPECT_EQ(t.find("sk-beta")->name, "b");
  EXPECT_FALSE(t.find("sk-alph"));
  EXPECT_FALSE(t.find("sk-alphaa"));
  EXPECT_FALSE(t.find(""));
  EXPECT_FALSE(key_table({}).enabled());
}

TEST(client_auth, key_outlives_the_table_that_held_it) {
  std::shared_ptr<const api_key_config> held;
  {
    const key_table t({key("a", "sk-alpha")});
    held = t.find("sk-alpha");
  }  // a reload replaced the table while the request ran
  ASSERT_TRUE(held);
  EXPECT_EQ(held->name, "a");
}

TEST(key_policy, model_access_and_priority) {
  incoming_request req;
  EXPECT_FALSE(check_model_access(req, "any"));  // auth off
  EXPECT_EQ(effective_priority(req, 500, true), 500);
  auto k = std::make_shared<api_key_config>(key("a", "s", {"m1"}));
  k->priority = 10;
  req.key = k;
  EXPECT_FALSE(check_model_access(req, "m1"));
  const auto denied = check_model_access(req, "m2");
  ASSERT_TRUE(denied);
  EXPECT_EQ(classify(denied->code).status, 404u);
  EXPECT_EQ(effective_priority(req, 0, false), 10);
  EXPECT_EQ(effective_priority(req, 500, true), 10);  // a header cannot raise a key's class
  EXPECT_EQ(effective_priority(req, -5, true), -5);   // but may lower it
}

TEST(key_policy, rate_headers_and_error) {
  rate_status s;
  s.has_requests = true;
  s.limit_requests = 60;
  s.remaining_requests = 0;
  s.reset_requests = std::chrono::milliseconds(1500);
  s.allowed = false;
  s.retry_after = std::chrono::milliseconds(1001);
  header_list h;
  append_rate_headers(h, s);
  ASSERT_EQ(h.size(), 3u);
  EXPECT_EQ(h[0], (std::pair<std::string, std::string>{"x-ratelimit-limit-requests", "60"}));
  EXPECT_EQ(h[2].second, "2s");
  const api_error e = rate_limit_error(s);
  EXPECT_EQ(e.code, api_errc::rate_limit_requests);
  EXPECT_EQ(e.retry_after_s, 2u);
  EXPECT_STREQ(classify(e.code).type, "requests");
}

}  // namespace
}  // namespace gw
