#include "gateway/cors.hpp"

#include <gtest/gtest.h>

namespace gw {
namespace {

std::string value(const header_list& h, const std::string& name) {
  for (const auto& [k, v] : h)
    if (k == name) return v;
  return "<absent>";
}

TEST(cors, nothing_unless_the_origin_is_configured) {
  const cors_config none;
  EXPECT_TRUE(cors_response_headers(none, "https://a.example").empty());
  EXPECT_TRUE(cors_preflight_headers(none, "https://a.example", "authorization").empty());
  cors_config one;
  one.allowed_origins = {"https://a.example"};
  EXPECT_TRUE(cors_response_headers(one, "https://b.example").empty());
  EXPECT_TRUE(cors_response_headers(one, "").empty());
  EXPECT_TRUE(cors_response_headers(one, "https://a.example.evil").empty());
}

TEST(cors, response_exposes_what_a_streaming_client_reads) {
  cors_config c;
  c.allowed_origins = {"https://a.example"};
  const auto h = cors_response_headers(c, "https://a.example");
  EXPECT_EQ(value(h, "Access-Control-Allow-Origin"), "https://a.example");
  EXPECT_NE(value(h, "Access-Control-Expose-Headers").find("x-request-id"), std::string::npos);
  EXPECT_NE(value(h, "Access-Control-Expose-Headers").find("x-ratelimit-reset-tokens"), std::string::npos);
  EXPECT_EQ(value(h, "Vary"), "Origin");
}

TEST(cors, preflight_echoes_well_formed_header_names_only) {
  cors_config c;
  c.allowed_origins = {"*"};
  c.max_age = std::chrono::seconds(77);
  auto h = cors_preflight_headers(c, "https://any.example", "Authorization,content-type , x-stainless-os");
  EXPECT_EQ(value(h, "Access-Control-Allow-Origin"), "https://any.example");
  EXPECT_EQ(value(h, "Access-Control-Allow-Headers"), "Authorization, content-type, x-stainless-os");
  EXPECT_EQ(value(h, "Access-Control-Max-Age"), "77");
  // Something that is not a header name list is not reflected.
  h = cors_preflight_headers(c, "https://any.example", "x-a\r\nSet-Cookie: y");
  EXPECT_EQ(value(h, "Access-Control-Allow-Headers"), "authorization, content-type");
}

}  // namespace
}  // namespace gw
