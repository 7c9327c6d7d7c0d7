#include "gateway/router.hpp"

#include <gtest/gtest.h>

namespace gw {
namespace {

TEST(router, endpoint_labels_are_bounded) {
  EXPECT_EQ(endpoint_label("/v1/chat/completions"), "/v1/chat/completions");
  EXPECT_EQ(endpoint_label("/v1/models/abc"), "/v1/models/{id}");
  EXPECT_EQ(endpoint_label("/v1/models/"), "other");
  EXPECT_EQ(endpoint_label("/random/path/123"), "other");
  EXPECT_EQ(endpoint_label("/v1/messages"), "/v1/messages");
  EXPECT_EQ(endpoint_label("/v1/messages/count_tokens"), "/v1/messages/count_tokens");
  EXPECT_EQ(endpoint_label("/v1/messages/other"), "other");
}

TEST(router, generation_routes) {
  incoming_request r;
  r.method = "POST";
  r.path = "/v1/completions";
  EXPECT_TRUE(is_generation_route(r));
  r.method = "GET";
  EXPECT_FALSE(is_generation_route(r));
  r.method = "POST";
  r.path = "/v1/models";
  EXPECT_FALSE(is_generation_route(r));
  r.path = "/v1/messages";  // a client that leaves cancels its generation here too
  EXPECT_TRUE(is_generation_route(r));
}

}  // namespace
}  // namespace gw
