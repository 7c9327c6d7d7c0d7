#include "backends/http1_request.hpp"

#include <gtest/gtest.h>

namespace gw {
namespace {

TEST(plain_http_url, splits_simple_urls) {
  auto u = parse_plain_http_url("http://127.0.0.1:8000/v1/chat/completions");
  ASSERT_TRUE(u);
  EXPECT_EQ(u->host, "127.0.0.1");
  EXPECT_EQ(u->port, "8000");
  EXPECT_EQ(u->host_header, "127.0.0.1:8000");
  EXPECT_EQ(u->target, "/v1/chat/completions");

  u = parse_plain_http_url("HTTP://vllm.internal/v1/models?x=1#frag");
  ASSERT_TRUE(u);
  EXPECT_EQ(u->host, "vllm.internal");
  EXPECT_EQ(u->port, "80");
  EXPECT_EQ(u->host_header, "vllm.internal");
  EXPECT_EQ(u->target, "/v1/models?x=1");

  u = parse_plain_http_url("http://[::1]:9000");
  ASSERT_TRUE(u);
  EXPECT_EQ(u->host, "::1");
  EXPECT_EQ(u->port, "9000");
  EXPECT_EQ(u->host_header, "[::1]:9000");
  EXPECT_EQ(u->target, "/");

  u = parse_plain_http_url("http://h?q");
  ASSERT_TRUE(u);
  EXPECT_EQ(u->target, "/?q");
}

TEST(plain_http_url, leaves_everything_else_to_libcurl) {
  for (const char* url : {"https://api.deepseek.com/v1", "http://", "http:///x", "http://user:pw@host/x",
                          "http://host:/x", "http://host:0/x", "http://host:65536/x", "http://host:8a/x",
                          "http://[::1/x", "http://[::1]x/", "http://ho st/x", "http://host/a b", "ftp://host/",
                          "http://host/\x01"}) {
    EXPECT_FALSE(parse_plain_http_url(url)) << url;
  }
}

TEST(http1_request, head_of_a_post_and_a_get) {
  const auto where = parse_plain_http_url("http://[::1]:8000/v1/completions");
  ASSERT_TRUE(where);
  upstream_request post;
  post.body = "{}";
  post.headers = {"Content-Type: application/json", "Authorization: Bearer k"};
  EXPECT_EQ(http1_request_head(*where, post),
            "POST /v1/completions HTTP/1.1\r\nHost: [::1]:8000\r\nContent-Type: application/json\r\n"
            "Authorization: Bearer k\r\nContent-Length: 2\r\n\r\n");
  upstream_request get;
  get.post = false;
  EXPECT_EQ(http1_request_head(*where, get), "GET /v1/completions HTTP/1.1\r\nHost: [::1]:8000\r\n\r\n");
}

}  // namespace
}  // namespace gw
