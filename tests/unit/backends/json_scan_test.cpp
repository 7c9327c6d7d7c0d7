#include "backends/json_scan.hpp"

#include <gtest/gtest.h>

#include <string>

namespace gw::json {
namespace {

TEST(json_scan, members_with_their_raw_values_in_order) {
  const std::string text = R"( {"model" : "m", "n":12345678901234567890123, "x":{"a":[1,-2.5E-10,1e400]},"s":"\u00e9\n\"" } )";
  auto s = scan_object(text);
  ASSERT_TRUE(s);
  ASSERT_EQ(s->members.size(), 4u);
  EXPECT_EQ(s->members[0].key, "model");
  EXPECT_EQ(s->members[0].value, "\"m\"");
  EXPECT_EQ(s->members[1].value, "12345678901234567890123");
  EXPECT_EQ(s->members[2].value, R"({"a":[1,-2.5E-10,1e400]})");
  EXPECT_EQ(s->members[3].value, R"("\u00e9\n\"")");
  EXPECT_EQ(text[s->open], '{');
  EXPECT_EQ(text[s->close], '}');
  EXPECT_EQ(text.substr(s->members[0].begin, 7), "\"model\"");
  EXPECT_EQ(text[s->members[3].end - 1], '"');
}

TEST(json_scan, refuses_what_is_not_one_json_object) {
  for (const char* bad :
       {"", "[]", "1", "\"s\"", "{", "{}}", "{} {}", R"({"a":})", R"({"a" 1})", R"({"a":1,})", R"({a:1})",
        R"({"a":01})", R"({"a":1.})", R"({"a":.5})", R"({"a":1e})", R"({"a":-})", R"({"a":tru})", R"({"a":nul})",
        R"({"a":"\x"})", R"({"a":"\u12g4"})", "{\"a\":\"\x01\"}", "{\"a\":\"\xff\"}", R"({"a":[1,]})", R"({"a":[1 2]})",
        R"({"a":"unterminated})", R"({"a":NaN})", R"({"a":Infinity})", R"({"a":+1})"}) {
    EXPECT_FALSE(scan_object(bad)) << bad;
  }
  for (const char* good : {"{}", " {} ", R"({"a":[]})", R"({"a":{}})", R"({"a":-0.0e+5})", R"({"":null})",
                           R"({"a":true,"b":false})", "{\"\xc3\xa9\":\"\xf0\x9f\x98\x80\"}"}) {
    EXPECT_TRUE(scan_object(good)) << good;
  }
}

// A number too big for the DOM sends a body to the byte scanner; it must judge strings as the DOM
// does, so a bad surrogate is refused whether or not the body also holds such a number.
TEST(json_scan, surrogates_are_judged_as_the_dom_judges_them) {
  for (const char* bad : {R"("\udddd")", R"("\ud800")", R"("\ud800x")", R"("\ud800\u0041")", R"("\udc00\ud800")",
                          R"("\ud800\ud800")"}) {
    EXPECT_FALSE(scan_object(std::string(R"({"n":123465273148901827069,"s":)") + bad + "}")) << bad;
    EXPECT_FALSE(scan_object(std::string(R"({"s":)") + bad + "}")) << bad;
  }
  EXPECT_TRUE(scan_object(R"({"n":123465273148901827069,"s":"\ud83d\ude00 \uD83D\uDE00"})"));
  EXPECT_TRUE(scan_object(R"({"s":"\ud83d\ude00"})"));
}

TEST(json_scan, depth_is_bounded) {
  std::string deep = R"({"a":)" + std::string(10, '[') + std::string(10, ']') + "}";
  EXPECT_TRUE(scan_object(deep, 11));
  EXPECT_FALSE(scan_object(deep, 10));
}

TEST(json_scan, keys_compare_decoded_and_duplicates_are_kept) {
  auto s = scan_object(R"({"mod\u0065l":"a","model":"b"})");
  ASSERT_TRUE(s);
  ASSERT_EQ(s->members.size(), 2u);
  EXPECT_TRUE(key_is(s->members[0], "model"));
  EXPECT_TRUE(key_is(s->members[1], "model"));
  EXPECT_FALSE(key_is(s->members[1], "mode"));
}

// Relayed chunks are only located: any bytes must end, refused or located, never loop.
TEST(json_scan, locating_ends_on_any_structure) {
  for (const char* odd : {R"({"a":[}]})", R"({"a":[1,}]})", R"({"a":})", R"({"a":]})", R"({"a":"x)", "{\"a\":\"\\",
                          R"({"a":{"b":[}}]})", "{", "{\"", R"({"a" 1})", R"({"a":1 2})"}) {
    EXPECT_FALSE(locate_object(odd)) << odd;
  }
  EXPECT_TRUE(elements_of("[}]").empty());
  EXPECT_TRUE(members_of(R"({"a":]})").members.empty());
  auto ok = locate_object(R"({"a":[1,{"b":"]"}],"c":"\u12"})");  // escapes are not judged
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->members.size(), 2u);
}

// Located strings are not checked: decoding them must not trust their escapes.
TEST(json_scan, decoding_unchecked_strings_is_safe) {
  auto s = locate_object(R"({"\uZZZZ":1,"a\u00":2,"\ud800\u":3})");
  ASSERT_TRUE(s);
  ASSERT_EQ(s->members.size(), 3u);
  EXPECT_FALSE(key_is(s->members[0], "x"));
  EXPECT_FALSE(key_is(s->members[1], "a"));
  EXPECT_FALSE(key_is(s->members[2], "y"));
  EXPECT_EQ(string_value(R"("\u12")"), "\\u12");
  EXPECT_EQ(string_value(R"("a\")"), "a\\");
}

TEST(json_scan, nested_members_elements_and_strings) {
  auto inner = members_of(R"({"x" : 1 , "y":[2]})");
  ASSERT_EQ(inner.members.size(), 2u);
  EXPECT_EQ(inner.members[1].value, "[2]");
  EXPECT_TRUE(members_of("null").members.empty());
  auto items = elements_of(R"([ {"a":1}, "b" ,3])");
  ASSERT_EQ(items.size(), 3u);
  EXPECT_EQ(items[0], R"({"a":1})");
  EXPECT_EQ(items[2], "3");
  EXPECT_EQ(string_value(R"("a\"\u00e9\ud83d\ude00")"), "a\"\xc3\xa9\xf0\x9f\x98\x80");
  EXPECT_FALSE(string_value("12"));
}

}  // namespace
}  // namespace gw::json
