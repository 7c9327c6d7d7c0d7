#include "gateway/request_ids.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <random>
#include <string>
#include <vector>

namespace gw {
namespace {

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
