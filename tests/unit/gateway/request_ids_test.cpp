#include "gateway/request_ids.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <random>
#include <string>
#include <vector>

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

// The digit-at-a-time definition the SWAR version replaced.
std::string hex_reference(std::uint64_t v) {
  static constexpr char hex[] = "0123456789abcdef";
  std::string s;
  for (int i = 0; i < 16; ++i, v >>= 4) s += hex[v & 15];
  return s;
}

TEST(request_ids, hex_digits_match_the_digit_at_a_time_definition) {
  std::vector<std::uint64_t> values = {0, 1, 9, 10, 15, 16, 0x0123456789abcdefULL, 0xfedcba9876543210ULL,
                                       0x9999999999999999ULL, 0xaaaaaaaaaaaaaaaaULL, UINT64_MAX};
  std::mt19937_64 rng(42);
  for (int i = 0; i < 10000; ++i) values.push_back(rng());
  for (const std::uint64_t v : values) {
    char out[16];
    hex_digits_low_first(v, out);
    ASSERT_EQ(std::string(out, 16), hex_reference(v)) << std::hex << v;
  }
}

}  // namespace
}  // namespace gw
