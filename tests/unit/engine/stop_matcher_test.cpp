#include "engine/stop_matcher.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace gw {
namespace {

// Feeds `pieces` in order; returns everything emitted (flushing at the end unless stopped).
struct run_result {
  std::string text;
  bool stopped = false;
  std::size_t pieces_consumed = 0;
};
run_result run(stop_matcher& m, const std::vector<std::string>& pieces) {
  run_result r;
  for (const auto& p : pieces) {
    ++r.pieces_consumed;
    auto f = m.feed(p);
    r.text += f.emit;
    if (f.stopped) {
      r.stopped = true;
      return r;
    }
  }
  r.text += m.flush();
  return r;
}

TEST(stop_matcher, no_stops_passes_everything_through_at_once) {
  stop_matcher m({});
  for (const char* piece : {"Hello", " wor", "ld", "\n\n", ""}) {
    auto f = m.feed(piece);
    EXPECT_EQ(f.emit, piece);
    EXPECT_FALSE(f.stopped);
  }
  EXPECT_EQ(m.flush(), "");
}

TEST(stop_matcher, empty_stop_strings_are_ignored) {
  stop_matcher m({"", ""});
  auto f = m.feed("abc");
  EXPECT_EQ(f.emit, "abc");
  EXPECT_FALSE(f.stopped);
}

TEST(stop_matcher, stop_within_one_feed_cuts_before_it) {
  stop_matcher m({"END"});
  auto f = m.feed("the END of it");
  EXPECT_TRUE(f.stopped);
  EXPECT_EQ(f.emit, "the ");
}

TEST(stop_matcher, stop_at_very_start_emits_nothing) {
  stop_matcher m({"\n"});
  auto f = m.feed("\nrest");
  EXPECT_TRUE(f.stopped);
  EXPECT_EQ(f.emit, "");
}

TEST(stop_matcher, stop_split_across_feeds_is_never_partly_emitted) {
  stop_matcher m({"STOP"});
  auto a = m.feed("go ST");
  EXPECT_FALSE(a.stopped);
  EXPECT_EQ(a.emit, "go ");  // "ST" could begin the stop: held back
  auto b = m.feed("O");
  EXPECT_FALSE(b.stopped);
  EXPECT_EQ(b.emit, "");
  auto c = m.feed("P and more");
  EXPECT_TRUE(c.stopped);
  EXPECT_EQ(c.emit, "");
}

TEST(stop_matcher, stop_split_one_byte_per_feed) {
  const std::string text = "abc<|end|>def";
  stop_matcher m({"<|end|>"});
  std::vector<std::string> pieces;
  for (char ch : text) pieces.emplace_back(1, ch);
  auto r = run(m, pieces);
  EXPECT_TRUE(r.stopped);
  EXPECT_EQ(r.text, "abc");
  EXPECT_EQ(r.pieces_consumed, 10u);  // stops on the stop's last byte
}

TEST(stop_matcher, false_start_is_released_once_it_cannot_match) {
  stop_matcher m({"STOP"});
  auto a = m.feed("a STO");
  EXPECT_EQ(a.emit, "a ");
  auto b = m.feed("RM");  // "STORM": not a stop, and no suffix of it starts one
  EXPECT_FALSE(b.stopped);
  EXPECT_EQ(b.emit, "STORM");
}

TEST(stop_matcher, false_start_that_overlaps_a_real_start) {
  // "aaa" is no stop, but its suffix "aa" may still begin "aab", so only one byte goes out.
  stop_matcher m({"aab"});
  auto a = m.feed("xaa");
  EXPECT_EQ(a.emit, "x");
  auto b = m.feed("a");  // "aaa": keep "aa"
  EXPECT_EQ(b.emit, "a");
  auto c = m.feed("b");  // "aab" found
  EXPECT_TRUE(c.stopped);
  EXPECT_EQ(c.emit, "");
}

TEST(stop_matcher, earliest_of_several_stops_wins) {
  struct row {
    std::vector<std::string> stops;
    std::string text;
    std::string expected;
  };
  const row rows[] = {
      {{"world", "lo"}, "hello world", "hel"},
      {{"lo", "world"}, "hello world", "hel"},  // list order does not matter
      {{"xyz", "o w"}, "hello world", "hell"},
      {{"d", "hello"}, "hello world", ""},
      {{"zzz", "qqq"}, "hello world", "hello world"},
  };
  for (const auto& r : rows) {
    stop_matcher m(r.stops);
    auto f = m.feed(r.text);
    const std::string all = f.emit + (f.stopped ? "" : m.flush());
    EXPECT_EQ(all, r.expected) << r.text;
    EXPECT_EQ(f.stopped, r.expected != r.text) << r.text;
  }
}

TEST(stop_matcher, earliest_of_several_stops_across_feeds) {
  stop_matcher m({"C D", "B"});
  auto r = run(m, {"A ", "B", " C D"});
  EXPECT_TRUE(r.stopped);
  EXPECT_EQ(r.text, "A ");
}

TEST(stop_matcher, holds_the_longest_possible_prefix_of_any_stop) {
  stop_matcher m({"xyz", "yzw!"});
  auto a = m.feed("abxyz");
  EXPECT_TRUE(a.stopped);
  EXPECT_EQ(a.emit, "ab");

  stop_matcher n({"xy!", "yzw!"});
  auto b = n.feed("abyzw");  // "yzw" may begin "yzw!"
  EXPECT_FALSE(b.stopped);
  EXPECT_EQ(b.emit, "ab");
  auto c = n.feed("?");
  EXPECT_EQ(c.emit, "yzw?");
}

TEST(stop_matcher, flush_releases_held_back_prefix) {
  stop_matcher m({"</s>"});
  auto f = m.feed("done </");
  EXPECT_EQ(f.emit, "done ");
  EXPECT_FALSE(f.stopped);
  EXPECT_EQ(m.flush(), "</");
  EXPECT_EQ(m.flush(), "");  // released once
}

TEST(stop_matcher, flush_after_stop_is_empty) {
  stop_matcher m({"!"});
  auto f = m.feed("hi! there");
  EXPECT_TRUE(f.stopped);
  EXPECT_EQ(m.flush(), "");
}

TEST(stop_matcher, reassembled_output_equals_text_before_stop_for_every_split) {
  const std::string text = "one two <stop> three";
  const std::string stop = "<stop>";
  const std::string expected = text.substr(0, text.find(stop));
  for (std::size_t cut1 = 0; cut1 <= text.size(); ++cut1) {
    for (std::size_t cut2 = cut1; cut2 <= text.size(); ++cut2) {
      stop_matcher m({stop});
      auto r = run(m, {text.substr(0, cut1), text.substr(cut1, cut2 - cut1), text.substr(cut2)});
      ASSERT_TRUE(r.stopped) << cut1 << "," << cut2;
      ASSERT_EQ(r.text, expected) << cut1 << "," << cut2;
    }
  }
}

}  // namespace
}  // namespace gw
