#include "gateway/api_error.hpp"

#include <gtest/gtest.h>

#include <string>

namespace gw {
namespace {

struct class_case {
  api_errc code;
  unsigned status;
  std::string type;
  std::string openai_code;
};

TEST(api_error, classify_table) {
  const class_case cases[] = {
      {api_errc::invalid_json, 400, "invalid_request_error", "invalid_json"},
      {api_errc::invalid_field, 400, "invalid_request_error", "invalid_value"},
      {api_errc::unsupported_field, 400, "invalid_request_error", "unsupported_value"},
      {api_errc::context_length_exceeded, 400, "invalid_request_error", "context_length_exceeded"},
      {api_errc::model_not_found, 404, "invalid_request_error", "model_not_found"},
      {api_errc::route_not_found, 404, "invalid_request_error", "unknown_url"},
      {api_errc::method_not_allowed, 405, "invalid_request_error", "method_not_allowed"},
      {api_errc::body_too_large, 413, "invalid_request_error", "request_too_large"},
      {api_errc::header_too_large, 431, "invalid_request_error", "header_too_large"},
      {api_errc::queue_full, 429, "rate_limit_error", "queue_full"},
      {api_errc::queue_timeout, 503, "server_error", "queue_timeout"},
      {api_errc::not_ready, 503, "server_error", "not_ready"},
      {api_errc::draining, 503, "server_error", "draining"},
      {api_errc::engine_failed, 503, "server_error", "engine_unavailable"},
      {api_errc::internal, 500, "server_error", "internal_error"},
  };
  for (const auto& c : cases) {
    const api_error_class cls = classify(c.code);
    EXPECT_EQ(cls.status, c.status) << c.openai_code;
    EXPECT_EQ(std::string(cls.type), c.type) << c.openai_code;
    EXPECT_EQ(std::string(cls.code), c.openai_code);
  }
}

TEST(api_error, envelope_with_param) {
  const api_error e{api_errc::invalid_field, "'temperature' must be a number between 0 and 2",
                    "temperature"};
  EXPECT_EQ(error_envelope(e),
            R"({"error":{"message":"'temperature' must be a number between 0 and 2",)"
            R"("type":"invalid_request_error","param":"temperature","code":"invalid_value"}})");
}

TEST(api_error, envelope_without_param_has_null) {
  const api_error e{api_errc::queue_full, "The server is busy", {}, 2};
  EXPECT_EQ(error_envelope(e),
            R"({"error":{"message":"The server is busy","type":"rate_limit_error",)"
            R"("param":null,"code":"queue_full"}})");
}

TEST(api_error, envelope_escapes_message_and_param) {
  const api_error e{api_errc::invalid_field, "bad \"x\"\n", "a\\b"};
  EXPECT_EQ(error_envelope(e),
            R"({"error":{"message":"bad \"x\"\n","type":"invalid_request_error",)"
            R"("param":"a\\b","code":"invalid_value"}})");
}

}  // namespace
}  // namespace gw
