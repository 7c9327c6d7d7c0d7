#include "gateway/response_head.hpp"

#include <gtest/gtest.h>

namespace gw {
namespace {

TEST(response_head, status_line_fields_and_length) {
  response_head h(200, 11);
  h.set("Server", "inference-gateway");
  h.set("Content-Type", "application/json");
  EXPECT_EQ(h.render(body_framing::length, true, 42),
            "HTTP/1.1 200 OK\r\nServer: inference-gateway\r\nContent-Type: application/json\r\n"
            "Content-Length: 42\r\n\r\n");
}

TEST(response_head, a_later_field_replaces_one_of_the_same_name_whatever_its_case) {
  response_head h(429, 11);
  h.set("Retry-After", "1");
  h.set("x-request-id", "a");
  h.set("retry-after", "7");
  EXPECT_EQ(h.render(body_framing::length, true, 0),
            "HTTP/1.1 429 Too Many Requests\r\nx-request-id: a\r\nretry-after: 7\r\nContent-Length: 0\r\n\r\n");
}

TEST(response_head, set_all_applies_a_header_list_in_order) {
  const std::vector<std::pair<std::string, std::string>> fields{{"A", "1"}, {"B", "2"}, {"a", "3"}};
  response_head h(200, 11);
  h.set_all(fields);
  EXPECT_EQ(h.render(body_framing::length, true, 1), "HTTP/1.1 200 OK\r\nB: 2\r\na: 3\r\nContent-Length: 1\r\n\r\n");
}

TEST(response_head, no_content_has_no_length) {
  EXPECT_EQ(response_head(204, 11).render(body_framing::length, true, 0), "HTTP/1.1 204 No Content\r\n\r\n");
}

TEST(response_head, connection_follows_the_version_and_keep_alive) {
  EXPECT_EQ(response_head(200, 11).render(body_framing::length, false, 0),
            "HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
  EXPECT_EQ(response_head(200, 10).render(body_framing::length, true, 0),
            "HTTP/1.0 200 OK\r\nContent-Length: 0\r\nConnection: keep-alive\r\n\r\n");
  EXPECT_EQ(response_head(200, 10).render(body_framing::length, false, 0),
            "HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n");
}

TEST(response_head, event_streams_are_chunked_on_1_1_and_close_delimited_on_1_0) {
  EXPECT_EQ(response_head(200, 11).render(body_framing::chunked, true),
            "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n");
  EXPECT_EQ(response_head(200, 11).render(body_framing::chunked, false),
            "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n");
  EXPECT_EQ(response_head(200, 10).render(body_framing::close, true), "HTTP/1.0 200 OK\r\nConnection: close\r\n\r\n");
}

TEST(response_head, any_other_version_is_answered_as_1_1) {
  EXPECT_EQ(response_head(503, 9).render(body_framing::length, true, 2),
            "HTTP/1.1 503 Service Unavailable\r\nContent-Length: 2\r\n\r\n");
}

}  // namespace
}  // namespace gw
