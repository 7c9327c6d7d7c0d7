#include "gateway/request_limits.hpp"

#include <gtest/gtest.h>

namespace gw {
namespace {

request_framing head(unsigned version = 11) {
  request_framing h;
  h.version = version;
  h.target_bytes = std::string_view("/v1/chat/completions").size();
  h.field_count = 1;  // Host
  return h;
}

std::optional<api_errc> check(const request_framing& h) {
  const server_config limits;
  auto e = check_request_head(h, limits);
  return e ? std::optional<api_errc>(e->code) : std::nullopt;
}

request_framing with_te(request_framing h, std::string te, unsigned count = 1) {
  h.transfer_encoding = std::move(te);
  h.transfer_encoding_count = count;
  h.field_count += count;
  return h;
}

TEST(request_limits, plain_requests_pass) {
  auto h = head();
  h.content_length_count = 1;
  EXPECT_EQ(check(h), std::nullopt);
  EXPECT_EQ(check(with_te(head(), " Chunked ")), std::nullopt);
}

TEST(request_limits, ambiguous_framing_is_refused) {
  EXPECT_EQ(check(with_te(head(), "gzip, chunked")), api_errc::bad_framing);
  EXPECT_EQ(check(with_te(head(), "identity")), api_errc::bad_framing);
  EXPECT_EQ(check(with_te(head(), "chunked", 2)), api_errc::bad_framing);
  auto both = with_te(head(), "chunked");
  both.content_length_count = 1;
  EXPECT_EQ(check(both), api_errc::bad_framing);
  auto two_lengths = head();
  two_lengths.content_length_count = 2;
  EXPECT_EQ(check(two_lengths), api_errc::bad_framing);
  EXPECT_EQ(check(with_te(head(10), "chunked")), api_errc::bad_framing);
}

TEST(request_limits, target_length_and_field_count) {
  server_config limits;
  limits.max_target_bytes = 300;
  limits.max_header_count = 10;
  auto h = head();
  h.target_bytes = 300;
  EXPECT_FALSE(check_request_head(h, limits));
  h.target_bytes = 301;
  EXPECT_EQ(check_request_head(h, limits)->code, api_errc::uri_too_long);
  auto many = head();
  many.field_count = 10;
  EXPECT_FALSE(check_request_head(many, limits));
  many.field_count = 11;
  EXPECT_EQ(check_request_head(many, limits)->code, api_errc::header_too_large);
  EXPECT_EQ(check_field_count(many, limits)->code, api_errc::header_too_large);
  EXPECT_EQ(classify(api_errc::header_too_large).status, 431u);
}

}  // namespace
}  // namespace gw
