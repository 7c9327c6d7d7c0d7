#include "backends/json_writer.hpp"

#include <gtest/gtest.h>

#include <charconv>
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

TEST(json_writer, append_string_escapes_what_json_requires) {
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

TEST(json_writer, append_string_appends_to_existing_text) {
  std::string out = "{\"k\":";
  append_string(out, "v");
  EXPECT_EQ(out, R"({"k":"v")");
}

TEST(json_writer, append_uint) {
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

TEST(json_writer, append_double_is_shortest_round_trip) {
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

TEST(json_writer, append_double_round_trips_extremes) {
  for (double v : {std::numeric_limits<double>::max(), std::numeric_limits<double>::min(),
                   std::numeric_limits<double>::denorm_min(), 1.0 / 3.0, -123456.789e-200}) {
    std::string out;
    append_double(out, v);
    EXPECT_EQ(std::strtod(out.c_str(), nullptr), v) << out;
  }
}

// Values written again come from the recent-values memo: each must still read as its own
// shortest form, including 0 and -0 (equal as doubles, different bits and text).
TEST(json_writer, append_double_repeated_values_keep_their_text) {
  const double values[] = {0.7, 1.0, 0.7, 0.0, -0.0, 0.95, 2.5, 1e-7, 0.7, -0.0, 1.0, 123456.789, 0.0, 0.95};
  for (int round = 0; round < 3; ++round) {
    for (const double v : values) {
      char expected[32];
      const auto end = std::to_chars(expected, expected + sizeof expected, v).ptr;
      std::string out;
      append_double(out, v);
      ASSERT_EQ(out, std::string(expected, end)) << v;
    }
  }
}

// The byte-at-a-time definition the block scan must match.
std::string reference(std::string_view s) {
  std::string out = "\"";
  for (unsigned char c : s) {
    if (c == '"') out += "\\\"";
    else if (c == '\\') out += "\\\\";
    else if (c == '\n') out += "\\n";
    else if (c == '\r') out += "\\r";
    else if (c == '\t') out += "\\t";
    else if (c == '\b') out += "\\b";
    else if (c == '\f') out += "\\f";
    else if (c < 0x20) {
      static constexpr char hex[] = "0123456789abcdef";
      out += "\\u00";
      out += hex[c >> 4];
      out += hex[c & 0xF];
    } else {
      out += static_cast<char>(c);
    }
  }
  return out + "\"";
}

// The 16-bytes-at-a-time scan must find every byte that needs escaping wherever it sits, next to
// any other byte: every byte value at every offset of strings of plain or UTF-8 bytes, at lengths
// around the block size (a full block, the overlapping last block, the byte-at-a-time tail).
TEST(json_writer, append_string_escapes_every_byte_at_every_offset) {
  for (const std::size_t length : {1, 7, 15, 16, 17, 19, 31, 32, 33, 47}) {
    for (const char filler : {'a', '\xC3', '!', '~'}) {
      for (int c = 0; c < 256; ++c) {
        for (std::size_t at = 0; at < length; ++at) {
          std::string s(length, filler);
          s[at] = static_cast<char>(c);
          std::string out;
          append_string(out, s);
          ASSERT_EQ(out, reference(s)) << "byte " << c << " at " << at << " of " << length;
        }
      }
    }
  }
}

// Several escapes in one block, in the overlapping last block and next to each other.
TEST(json_writer, append_string_matches_the_definition_on_random_text) {
  std::srand(7);
  for (int n = 0; n < 20000; ++n) {
    std::string s(static_cast<std::size_t>(std::rand() % 80), 'x');
    for (char& c : s) {
      const int r = std::rand() % 8;
      c = r == 0 ? static_cast<char>(std::rand() % 256) : r == 1 ? '"' : static_cast<char>('a' + std::rand() % 26);
    }
    std::string out = "prefix";
    append_string(out, s);
    ASSERT_EQ(out, "prefix" + reference(s)) << n;
  }
}

}  // namespace
}  // namespace gw::json
