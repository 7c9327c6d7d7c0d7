#include "bench/gateway_bench/sse_scanner.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace gw::bench {
namespace {

struct event {
  std::string data;
  bool error;
  bool operator==(const event&) const = default;
};

std::vector<event> scan(sse_scanner& s, const std::vector<std::string>& pieces) {
  std::vector<event> out;
  for (const auto& p : pieces) {
    std::string_view in = p, data;
    while (s.next(in, data)) out.push_back({std::string(data), s.error_event()});
    EXPECT_TRUE(in.empty());
  }
  return out;
}

const std::string stream =
    "data: {\"a\":1}\n\n"
    ": keep-alive comment\n\n"
    "data:{\"b\":2}\r\n\r\n"
    "event: error\ndata: {\"error\":{}}\n\n"
    "id: 7\nretry: 10\ndata: line1\ndata: line2\n\n"
    "data: [DONE]\n\n";

const std::vector<event> expected = {{"{\"a\":1}", false},
                                     {"{\"b\":2}", false},
                                     {"{\"error\":{}}", true},
                                     {"line1\nline2", false},
                                     {"[DONE]", false}};

TEST(bench_sse_scanner, whole_input) {
  sse_scanner s;
  EXPECT_EQ(scan(s, {stream}), expected);
}

TEST(bench_sse_scanner, every_split_point_and_single_bytes) {
  for (std::size_t cut = 0; cut <= stream.size(); ++cut) {
    sse_scanner s;
    EXPECT_EQ(scan(s, {stream.substr(0, cut), stream.substr(cut)}), expected) << "cut " << cut;
  }
  std::vector<std::string> bytes;
  for (char c : stream) bytes.emplace_back(1, c);
  sse_scanner s;
  EXPECT_EQ(scan(s, bytes), expected);
}

TEST(bench_sse_scanner, whole_events_are_views_into_the_input) {
  sse_scanner s;
  const std::string in_text = "data: abc\n\n";
  std::string_view in = in_text, data;
  ASSERT_TRUE(s.next(in, data));
  EXPECT_EQ(data, "abc");
  EXPECT_GE(data.data(), in_text.data());
  EXPECT_LT(data.data(), in_text.data() + in_text.size());
}

TEST(bench_sse_scanner, an_unfinished_event_survives_its_input) {
  sse_scanner s;
  std::string first = "data: hello\n";
  std::string_view in = first, data;
  EXPECT_FALSE(s.next(in, data));
  first.assign(first.size(), 'X');  // the caller reuses its buffer
  const std::string second = "\n";
  in = second;
  ASSERT_TRUE(s.next(in, data));
  EXPECT_EQ(data, "hello");
}

TEST(bench_sse_scanner, blank_lines_without_data_dispatch_nothing) {
  sse_scanner s;
  EXPECT_TRUE(scan(s, {"\n\n\r\n: c\n\nevent: error\n\n"}).empty());
  // The event type does not leak into the next event.
  EXPECT_EQ(scan(s, {"data: x\n\n"}), (std::vector<event>{{"x", false}}));
}

TEST(bench_sse_scanner, reset_drops_partial_state) {
  sse_scanner s;
  scan(s, {"data: partial"});
  s.reset();
  EXPECT_EQ(scan(s, {"data: y\n\n"}), (std::vector<event>{{"y", false}}));
}

}  // namespace
}  // namespace gw::bench
