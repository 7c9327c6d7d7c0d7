#include "backends/sse_parser.hpp"

#include <gtest/gtest.h>

#include <vector>

namespace gw {
namespace {

std::vector<sse_event> parse_in_pieces(std::string_view input, std::size_t piece) {
  sse_parser p;
  std::vector<sse_event> out;
  for (std::size_t i = 0; i < input.size(); i += piece)
    EXPECT_EQ(p.feed(input.substr(i, piece), [&](sse_event&& e) { out.push_back(std::move(e)); }),
              sse_parser::status::ok);
  return out;
}

TEST(sse_parser, split_input_gives_the_same_events_as_whole_input) {
  const std::string input =
      ": heartbeat\r\n\r\n"
      "data: {\"a\":1}\r\n\r\n"
      "event: update\ndata: line1\ndata: line2\nid: 7\n\n"
      "data:no-space\r\r"
      "retry: 100\nunknown: x\ndata: [DONE]\n\n";
  const auto whole = parse_in_pieces(input, input.size());
  ASSERT_EQ(whole.size(), 4u);
  EXPECT_EQ(whole[0].data, "{\"a\":1}");
  EXPECT_EQ(whole[1].event, "update");
  EXPECT_EQ(whole[1].data, "line1\nline2");
  EXPECT_EQ(whole[1].id, "7");
  EXPECT_EQ(whole[2].data, "no-space");
  EXPECT_TRUE(whole[3].done);
  for (std::size_t piece = 1; piece < 9; ++piece) {
    const auto split = parse_in_pieces(input, piece);
    ASSERT_EQ(split.size(), whole.size()) << "piece " << piece;
    for (std::size_t i = 0; i < split.size(); ++i) {
      EXPECT_EQ(split[i].data, whole[i].data);
      EXPECT_EQ(split[i].event, whole[i].event);
      EXPECT_EQ(split[i].done, whole[i].done);
    }
  }
}

TEST(sse_parser, incomplete_event_is_not_dispatched) {
  const auto events = parse_in_pieces("data: partial\n", 3);
  EXPECT_TRUE(events.empty());
}

TEST(sse_parser, oversized_event_is_refused) {
  sse_parser p(16);
  EXPECT_EQ(p.feed("data: 0123456789abcdefghij\n\n", [](sse_event&&) {}), sse_parser::status::too_large);
  EXPECT_EQ(p.feed("data: x\n\n", [](sse_event&&) {}), sse_parser::status::too_large);
}

}  // namespace
}  // namespace gw
