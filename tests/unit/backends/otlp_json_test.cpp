#include "backends/otlp_json.hpp"

#include <gtest/gtest.h>
#include <simdjson.h>

#include <string>
#include <vector>

namespace gw {
namespace {

span_record sample_span() {
  span_record s;
  s.trace = parse_traceparent("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01").value().trace;
  s.id = {1, 2, 3, 4, 5, 6, 7, 8};
  s.parent = {0xa, 0xb, 0xc, 0xd, 0xe, 0xf, 0x10, 0x11};
  s.trace_state = "rojo=1";
  s.name = "chat \"deepseek\"";
  s.kind = span_kind::client;
  s.start_unix_ns = 1700000000123456789;
  s.end_unix_ns = 1700000000223456789;
  s.attributes = {{"gen_ai.request.model", std::string("deepseek-chat")},
                  {"http.response.status_code", std::int64_t{503}},
                  {"gateway.queue_wait_ms", 1.5},
                  {"gateway.cancelled", true}};
  s.events = {{"retry", 1700000000200000000, {{"gateway.retry.delay_ms", std::int64_t{250}}}}};
  s.status = span_status::error;
  s.status_message = "http_503";
  return s;
}

TEST(otlp_json, encodes_the_otlp_json_mapping) {
  span_record root;
  root.trace = sample_span().trace;
  root.id = {9, 9, 9, 9, 9, 9, 9, 9};
  root.name = "POST /v1/chat/completions";
  root.kind = span_kind::server;
  const std::string body = encode_otlp_json("gw-test", {sample_span(), root});

  simdjson::dom::parser p;
  simdjson::dom::element doc;
  ASSERT_EQ(p.parse(body).get(doc), simdjson::SUCCESS) << body;
  auto rs = doc["resourceSpans"].at(0);
  auto res_attr = rs["resource"]["attributes"].at(0);
  EXPECT_EQ(std::string_view(res_attr["key"]), "service.name");
  EXPECT_EQ(std::string_view(res_attr["value"]["stringValue"]), "gw-test");
  auto spans = rs["scopeSpans"].at(0)["spans"];
  ASSERT_EQ(simdjson::dom::array(spans).size(), 2u);

  auto s = spans.at(0);
  EXPECT_EQ(std::string_view(s["traceId"]), "4bf92f3577b34da6a3ce929d0e0e4736");  // hex, not base64
  EXPECT_EQ(std::string_view(s["spanId"]), "0102030405060708");
  EXPECT_EQ(std::string_view(s["parentSpanId"]), "0a0b0c0d0e0f1011");
  EXPECT_EQ(std::string_view(s["traceState"]), "rojo=1");
  EXPECT_EQ(std::string_view(s["name"]), "chat \"deepseek\"");
  EXPECT_EQ(int64_t(s["kind"]), 3);
  EXPECT_EQ(std::string_view(s["startTimeUnixNano"]), "1700000000123456789");  // a string: 64-bit
  EXPECT_EQ(std::string_view(s["endTimeUnixNano"]), "1700000000223456789");
  auto attrs = s["attributes"];
  EXPECT_EQ(std::string_view(attrs.at(0)["value"]["stringValue"]), "deepseek-chat");
  EXPECT_EQ(std::string_view(attrs.at(1)["value"]["intValue"]), "503");
  EXPECT_EQ(double(attrs.at(2)["value"]["doubleValue"]), 1.5);
  EXPECT_EQ(bool(attrs.at(3)["value"]["boolValue"]), true);
  auto ev = s["events"].at(0);
  EXPECT_EQ(std::string_view(ev["name"]), "retry");
  EXPECT_EQ(std::string_view(ev["timeUnixNano"]), "1700000000200000000");
  EXPECT_EQ(std::string_view(ev["attributes"].at(0)["value"]["intValue"]), "250");
  EXPECT_EQ(int64_t(s["status"]["code"]), 2);
  EXPECT_EQ(std::string_view(s["status"]["message"]), "http_503");

  // A root span has no parentSpanId, no traceState, no events; unset status has no message.
  auto r = spans.at(1);
  EXPECT_EQ(r["parentSpanId"].error(), simdjson::NO_SUCH_FIELD);
  EXPECT_EQ(r["traceState"].error(), simdjson::NO_SUCH_FIELD);
  EXPECT_EQ(r["events"].error(), simdjson::NO_SUCH_FIELD);
  EXPECT_EQ(int64_t(r["kind"]), 2);
  EXPECT_EQ(int64_t(r["status"]["code"]), 0);
  EXPECT_EQ(r["status"]["message"].error(), simdjson::NO_SUCH_FIELD);
}

TEST(otlp_json, an_empty_batch_is_still_a_valid_request) {
  simdjson::dom::parser p;
  simdjson::dom::element doc;
  ASSERT_EQ(p.parse(encode_otlp_json("x", {})).get(doc), simdjson::SUCCESS);
  EXPECT_EQ(simdjson::dom::array(doc["resourceSpans"].at(0)["scopeSpans"].at(0)["spans"]).size(), 0u);
}

}  // namespace
}  // namespace gw
