#include "backends/trace_context.hpp"

#include <gtest/gtest.h>

#include <random>
#include <string>

namespace gw {
namespace {

const std::string good = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

TEST(trace_context, parses_the_spec_example_and_writes_it_back) {
  const auto c = parse_traceparent(good);
  ASSERT_TRUE(c);
  EXPECT_EQ(to_hex(c->trace), "4bf92f3577b34da6a3ce929d0e0e4736");
  EXPECT_EQ(to_hex(c->span), "00f067aa0ba902b7");
  EXPECT_TRUE(c->sampled());
  EXPECT_EQ(format_traceparent(*c), good);
}

TEST(trace_context, flags_other_than_sampled_are_read_but_not_written) {
  auto c = parse_traceparent("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-02");
  ASSERT_TRUE(c);
  EXPECT_EQ(c->flags, 2);
  EXPECT_FALSE(c->sampled());
  EXPECT_EQ(format_traceparent(*c), "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00");
}

TEST(trace_context, refuses_what_the_spec_calls_invalid) {
  const std::string cases[] = {
      "",
      good.substr(0, 54),                                           // one short
      good + "-",                                                   // version 00 has four fields only
      "00-00000000000000000000000000000000-00f067aa0ba902b7-01",   // all-zero trace id
      "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01",   // all-zero span id
      "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01",   // upper case
      "ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",   // version ff
      "0g-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",   // version not hex
      "00-4bf92f3577b34da6a3ce929d0e0e4736_00f067aa0ba902b7-01",   // wrong separator
      "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-0z",   // flags not hex
      "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba\n02b7-01",  // a line break must never pass
      "01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01x",  // a later version's 5th field needs a dash
  };
  for (const auto& c : cases) EXPECT_FALSE(parse_traceparent(c)) << c;
}

TEST(trace_context, a_later_version_is_read_by_its_first_four_fields) {
  const auto c = parse_traceparent("cc-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-what-the-future-adds");
  ASSERT_TRUE(c);
  EXPECT_EQ(to_hex(c->span), "00f067aa0ba902b7");
  EXPECT_TRUE(parse_traceparent("01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"));
}

TEST(trace_context, tracestate_is_kept_when_bounded_and_printable) {
  EXPECT_TRUE(valid_tracestate("rojo=00f067aa0ba902b7,congo=t61rcWkgMzE"));
  EXPECT_TRUE(valid_tracestate(std::string(max_tracestate, 'a')));
  EXPECT_FALSE(valid_tracestate(""));
  EXPECT_FALSE(valid_tracestate(std::string(max_tracestate + 1, 'a')));
  EXPECT_FALSE(valid_tracestate("a=b\r\nx-injected: 1"));
  EXPECT_FALSE(valid_tracestate("a=\xc3\xa9"));
}

TEST(trace_context, fresh_ids_are_never_zero_and_differ) {
  std::mt19937_64 rng(7);
  const auto a = new_trace_id(rng), b = new_trace_id(rng);
  EXPECT_FALSE(is_zero(a));
  EXPECT_NE(a, b);
  EXPECT_FALSE(is_zero(new_span_id(rng)));
}

TEST(trace_context, ratio_sampling_follows_the_ids_low_bytes) {
  trace_id low{}, high{};
  low[15] = 1;  // last 8 bytes: 1
  for (std::size_t i = 8; i < 16; ++i) high[i] = 0xff;
  EXPECT_TRUE(sampled_by_ratio(low, 1.0));
  EXPECT_TRUE(sampled_by_ratio(high, 1.0));
  EXPECT_FALSE(sampled_by_ratio(low, 0.0));
  EXPECT_TRUE(sampled_by_ratio(low, 0.5));
  EXPECT_FALSE(sampled_by_ratio(high, 0.5));
  // Over many random ids, about the ratio is kept.
  std::mt19937_64 rng(11);
  int kept = 0;
  for (int i = 0; i < 10000; ++i) kept += sampled_by_ratio(new_trace_id(rng), 0.25);
  EXPECT_GT(kept, 2200);
  EXPECT_LT(kept, 2800);
}

}  // namespace
}  // namespace gw
