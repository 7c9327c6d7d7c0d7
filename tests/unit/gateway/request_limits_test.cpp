#include "gateway/request_limits.hpp"

#include <gtest/gtest.h>

namespace gw {
namespace {

namespace http = boost::beast::http;

http::request_header<> head(unsigned version = 11) {
  http::request_header<> h;
  h.method(http::verb::post);
  h.target("/v1/chat/completions");
  h.version(version);
  h.set(http::field::host, "x");
  return h;
}

std::optional<api_errc> check(const http::request_header<>& h) {
  const server_config limits;
  auto e = check_request_head(h, limits);
  return e ? std::optional<api_errc>(e->code) : std::nullopt;
}

TEST(RequestLimits, PlainRequestsPass) {
  auto h = head();
  h.set(http::field::content_length, "10");
  EXPECT_EQ(check(h), std::nullopt);
  auto c = head();
  c.set(http::field::transfer_encoding, " Chunked ");
  EXPECT_EQ(check(c), std::nullopt);
}

TEST(RequestLimits, AmbiguousFramingIsRefused) {
  const std::vector<std::vector<std::pair<http::field, std::string>>> cases = {
      {{http::field::transfer_encoding, "gzip, chunked"}},
      {{http::field::transfer_encoding, "identity"}},
      {{http::field::transfer_encoding, "chunked"}, {http::field::transfer_encoding, "chunked"}},
      {{http::field::transfer_encoding, "chunked"}, {http::field::content_length, "4"}},
      {{http::field::content_length, "4"}, {http::field::content_length, "4"}},
  };
  for (const auto& fields : cases) {
    auto h = head();
    for (const auto& [f, v] : fields) h.insert(f, v);
    EXPECT_EQ(check(h), api_errc::bad_framing) << fields.front().second;
  }
  auto old = head(10);
  old.set(http::field::transfer_encoding, "chunked");
  EXPECT_EQ(check(old), api_errc::bad_framing);
}

TEST(RequestLimits, TargetLengthAndFieldCount) {
  server_config limits;
  limits.max_target_bytes = 300;
  limits.max_header_count = 10;
  auto h = head();
  h.target("/v1/models?" + std::string(289, 'a'));  // exactly 300
  EXPECT_FALSE(check_request_head(h, limits));
  h.target("/v1/models?" + std::string(290, 'a'));
  EXPECT_EQ(check_request_head(h, limits)->code, api_errc::uri_too_long);
  auto many = head();
  for (int i = 0; i < 9; ++i) many.insert("X-N" + std::to_string(i), "1");  // 10 with Host
  EXPECT_FALSE(check_request_head(many, limits));
  many.insert("X-Last", "1");
  EXPECT_EQ(check_request_head(many, limits)->code, api_errc::header_too_large);
  EXPECT_EQ(classify(api_errc::header_too_large).status, 431u);
}

}  // namespace
}  // namespace gw
