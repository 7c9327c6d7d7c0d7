#include "backends/curl_outcome.hpp"

#include <gtest/gtest.h>

#include <optional>
#include <string>

namespace gw {
namespace {

using std::chrono::seconds;

TEST(parse_retry_after, table) {
  // 2015-10-21 07:28:00 UTC, the RFC's own example date.
  constexpr std::time_t now = 1445412480;
  const struct {
    std::string value;
    std::optional<seconds> expected;
  } cases[] = {
      {"1", seconds{1}},
      {" 120\r\n", seconds{120}},
      {"\t0", seconds{0}},
      {"86400", seconds{86400}},
      {"86401", seconds{86400}},                     // capped at a day
      {"99999999999999999999999", seconds{86400}},   // out of range: capped, not dropped
      {"Wed, 21 Oct 2015 07:28:02 GMT", seconds{2}},  // IMF-fixdate
      {"Wed, 21 Oct 2015 07:30:00 GMT\r\n", seconds{120}},
      {"Wednesday, 21-Oct-15 07:28:05 GMT", seconds{5}},  // obsolete RFC 850 form
      {"Wed Oct 21 07:28:10 2015", seconds{10}},          // asctime form
      {"Wed, 21 Oct 2015 07:00:00 GMT", seconds{0}},      // in the past: now
      {"Thu, 22 Oct 2015 07:28:00 GMT", seconds{86400}},
      {"Sat, 21 Oct 2017 07:28:00 GMT", seconds{86400}},  // far future: capped
      {"", std::nullopt},
      {"\r\n", std::nullopt},
      {"-5", std::nullopt},
      {"1.5", std::nullopt},
      {"12abc", std::nullopt},
      {"soon", std::nullopt},
  };
  for (const auto& c : cases) {
    const auto got = parse_retry_after(c.value, now);
    ASSERT_EQ(got.has_value(), c.expected.has_value()) << '"' << c.value << '"';
    if (got) EXPECT_EQ(got->count(), c.expected->count()) << '"' << c.value << '"';
  }
}

}  // namespace
}  // namespace gw
