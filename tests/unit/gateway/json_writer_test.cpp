#include "gateway/json_writer.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <limits>
#include <string>

namespace gw::json {
namespace {

struct string_case {
  std::string input;
  std::string expected;
};

TEST(JsonWriterTest, AppendStringEscapesWhatJsonRequires) {
  const string_case cases[] = {
      {"", R"("")"},
      {"plain", R"("plain")"},
      {"say \"hi\"", R"("say \"hi\"")"},
      {"back\\slash", R"("back\\slash")"},
      {"a\nb\rc\td", R"("a\nb\rc\td")"},
      {"\b\f", R"("\b\f")"},
      {std::string("\x01\x1f", 2), R"("\u0001\u001f")"},
      {std::string("nul\0byte", 8), R"("nul\u0000byte")"},
      {"/slash", R"("/slash")"},                      // '/' needs no escape
      {"\x7f", "\"\x7f\""},                           // DEL is legal raw in JSON
      {"h\xC3\xA9llo \xE2\x82\xAC \xF0\x9F\x98\x80",  // UTF-8 passes through unchanged
       "\"h\xC3\xA9llo \xE2\x82\xAC \xF0\x9F\x98\x80\""},
      {"\xE2\x80\xA8", "\"\xE2\x80\xA8\""},  // U+2028 is valid JSON unescaped
  };
  for (const auto& c : cases) {
    std::string out;
    append_string(out, c.input);
    EXPECT_EQ(out, c.expected) << "input: " << c.input;
  }
}

TEST(JsonWriterTest, AppendStringAppendsToExistingText) {
  std::string out = "{\"k\":";
  append_string(out, "v");
  EXPECT_EQ(out, R"({"k":"v")");
}

TEST(JsonWriterTest, AppendUint) {
  const std::pair<std::uint64_t, std::string> cases[] = {
      {0, "0"},
      {7, "7"},
      {1234567890, "1234567890"},
      {std::numeric_limits<std::uint64_t>::max(), "18446744073709551615"},
  };
  for (const auto& [v, expected] : cases) {
    std::string out;
    append_uint(out, v);
    EXPECT_EQ(out, expected);
  }
}

TEST(JsonWriterTest, AppendDoubleIsShortestRoundTrip) {
  const std::pair<double, std::string> cases[] = {
      {0.0, "0"},
      {1.0, "1"},
      {0.1, "0.1"},
      {-2.5, "-2.5"},
      {0.7, "0.7"},
      {1e21, "1e+21"},
      {std::numeric_limits<double>::quiet_NaN(), "0"},
      {std::numeric_limits<double>::infinity(), "0"},
      {-std::numeric_limits<double>::infinity(), "0"},
  };
  for (const auto& [v, expected] : cases) {
    std::string out;
    append_double(out, v);
    EXPECT_EQ(out, expected) << v;
  }
}

TEST(JsonWriterTest, AppendDoubleRoundTripsExtremes) {
  for (double v : {std::numeric_limits<double>::max(), std::numeric_limits<double>::min(),
                   std::numeric_limits<double>::denorm_min(), 1.0 / 3.0, -123456.789e-200}) {
    std::string out;
    append_double(out, v);
    EXPECT_EQ(std::strtod(out.c_str(), nullptr), v) << out;
  }
}

}  // namespace
}  // namespace gw::json
