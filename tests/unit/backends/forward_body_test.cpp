#include "backends/forward_body.hpp"

#include <gtest/gtest.h>

#include <string>

namespace gw {
namespace {

std::string forward(const std::string& body, std::string_view model, bool stream,
                    const std::vector<field_rename>* renames = nullptr) {
  auto scan = json::scan_object(body);
  EXPECT_TRUE(scan) << body;
  forward_edits e;
  e.model = model;
  e.include_usage = stream;
  e.renames = renames;
  return forward_body(body, *scan, e);
}

TEST(forward_body, only_the_model_changes_and_every_other_byte_is_kept) {
  const std::string body =
      R"({"model":"public","messages":[{"role":"user","content":[{"type":"image_url","image_url":{"url":"data:x"}}]}],)"
      R"( "tools":[{"type":"function","function":{"name":"f","parameters":{"type":"object"}}}], "top_k":40,)"
      R"("logit_bias":{"123":-100},"big":123456789012345678901234567890,"e":1e400,"s":"\u00e9\n\"\\\/",)"
      R"("max_completion_tokens":5})";
  std::string want = body;
  want.replace(want.find("\"public\""), 8, "\"upstream/name\"");
  EXPECT_EQ(forward(body, "upstream/name", false), want);
}

TEST(forward_body, nothing_is_injected_into_a_plain_request) {
  EXPECT_EQ(forward(R"({"model":"a","prompt":"p"})", "b", false), R"({"model":"b","prompt":"p"})");
}

TEST(forward_body, a_stream_gets_include_usage_and_keeps_the_clients_options) {
  EXPECT_EQ(forward(R"({"model":"a","stream":true})", "b", true),
            R"({"model":"b","stream":true,"stream_options":{"include_usage":true}})");
  EXPECT_EQ(forward(R"({"model":"a","stream":true,"stream_options":{"continuous_usage_stats":true}})", "b", true),
            R"({"model":"b","stream":true,"stream_options":{"continuous_usage_stats":true,"include_usage":true}})");
  EXPECT_EQ(forward(R"({"stream_options":{"include_usage":false,"x":1},"model":"a","stream":true})", "b", true),
            R"({"stream_options":{"include_usage":true,"x":1},"model":"b","stream":true})");
  EXPECT_EQ(forward(R"({"model":"a","stream":true,"stream_options":null})", "b", true),
            R"({"model":"b","stream":true,"stream_options":{"include_usage":true}})");
  EXPECT_EQ(forward(R"({"model":"a","stream":true,"stream_options":{}})", "b", true),
            R"({"model":"b","stream":true,"stream_options":{"include_usage":true}})");
}

TEST(forward_body, every_model_member_and_escaped_names_are_replaced) {
  EXPECT_EQ(forward(R"({"model":"a","mod\u0065l":"c"})", "b\"q", false), R"({"model":"b\"q","mod\u0065l":"b\"q"})");
}

TEST(forward_body, whitespace_around_members_is_kept) {
  EXPECT_EQ(forward("{ \"model\" : \"a\" ,\n \"x\" : 1 }", "b", true),
            "{ \"model\" : \"b\" ,\n \"x\" : 1,\"stream_options\":{\"include_usage\":true}}");
}

TEST(forward_body, a_providers_renames) {
  const std::vector<field_rename> renames{{"max_completion_tokens", "max_tokens"}};
  EXPECT_EQ(forward(R"({"model":"a","max_completion_tokens":5,"n":2})", "b", false, &renames),
            R"({"model":"b","max_tokens":5,"n":2})");
  // The client's own member of the new name wins; the old one is left out.
  EXPECT_EQ(forward(R"({"max_completion_tokens":5,"model":"a","max_tokens":7})", "b", false, &renames),
            R"({"model":"b","max_tokens":7})");
  EXPECT_EQ(forward(R"({"model":"a","max_tokens":7,"max_completion_tokens":5})", "b", false, &renames),
            R"({"model":"b","max_tokens":7})");
  EXPECT_EQ(forward(R"({"model":"a"})", "b", false, &renames), R"({"model":"b"})");
}

}  // namespace
}  // namespace gw
