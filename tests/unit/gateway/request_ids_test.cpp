#include "gateway/request_ids.hpp"

#include <gtest/gtest.h>

namespace gw {
namespace {

TEST(request_ids, traceparent_passes_only_when_well_formed) {
  const std::string good = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
  EXPECT_EQ(traceparent_from(good), good);
  EXPECT_EQ(traceparent_from(""), "");
  EXPECT_EQ(traceparent_from(good.substr(0, 54)), "");  // one short
  std::string bad_hex = good;
  bad_hex[10] = 'z';
  EXPECT_EQ(traceparent_from(bad_hex), "");
  std::string bad_dash = good;
  bad_dash[35] = '_';
  EXPECT_EQ(traceparent_from(bad_dash), "");
  std::string injected = good;
  injected[20] = '\n';  // a header line break must never reach an upstream request
  EXPECT_EQ(traceparent_from(injected), "");
}

}  // namespace
}  // namespace gw
