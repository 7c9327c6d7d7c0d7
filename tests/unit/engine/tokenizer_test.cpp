#include "engine/tokenizer.hpp"

#include <gtest/gtest.h>

#include <string>

namespace gw {
namespace {

TEST(count_tokens, table) {
  struct row {
    std::string text;
    std::uint32_t expected;
  };
  const row rows[] = {
      {"", 0},
      {"   \t\n\r ", 0},
      {"a", 1},
      {"abcd", 1},       // up to 4 bytes per word piece
      {"abcde", 2},
      {"abcdefgh", 2},
      {"abcdefghi", 3},
      {"hello world", 4},  // 2 + 2
      {"  hello   world  ", 4},  // whitespace is free
      {"hi, there!", 5},  // hi + , + there(2) + !
      {"...", 1},        // one punctuation run
      {"?!?!?", 2},      // 5 bytes of punctuation
      {"a.b", 3},        // word, punctuation, word
      {"x2", 1},         // digits belong to words
      {"2024-01-01", 5},  // 2024, -, 01, -, 01
      {"\xc3\xa9", 1},   // a non-ASCII byte run counts as punctuation: 2 bytes, one token
      {"caf\xc3\xa9", 2},  // "caf" + "\xc3\xa9"
  };
  for (const auto& r : rows) EXPECT_EQ(count_tokens(r.text), r.expected) << "'" << r.text << "'";
}

TEST(count_tokens, roughly_four_bytes_per_token_on_english) {
  const std::string text =
      "The gateway batches requests from many users so that the engine keeps its accelerator "
      "busy, and it streams every token back as soon as the engine produces it.";
  const auto n = count_tokens(text);
  EXPECT_GE(n, text.size() / 6);
  EXPECT_LE(n, text.size() / 3);
}

TEST(count_tokens, is_additive_over_whitespace_separated_parts) {
  const std::string a = "Some words, and punctuation!";
  const std::string b = "More text: here.";
  EXPECT_EQ(count_tokens(a + " " + b), count_tokens(a) + count_tokens(b));
}

// The definition, run by run, against the one-pass count on random text of every byte class.
TEST(count_tokens, matches_the_run_by_run_definition) {
  auto reference = [](std::string_view t) {
    auto cls = [](unsigned char c) {
      if (c == ' ' || (c >= '\t' && c <= '\r')) return 1;
      if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) return 2;
      return 0;
    };
    std::uint32_t n = 0;
    for (std::size_t i = 0; i < t.size();) {
      const int c = cls(static_cast<unsigned char>(t[i]));
      std::size_t j = i + 1;
      while (j < t.size() && cls(static_cast<unsigned char>(t[j])) == c) ++j;
      if (c != 1) n += static_cast<std::uint32_t>((j - i + 3) / 4);
      i = j;
    }
    return n;
  };
  const std::string alphabet = std::string("aZ09 \t\n.,!-") + "\xc3\xa9\x80\xff";
  std::uint64_t x = 88172645463325252ull;  // xorshift: the same texts every run
  for (int round = 0; round < 2000; ++round) {
    std::string t;
    x ^= x << 13, x ^= x >> 7, x ^= x << 17;
    const std::size_t len = x % 64;
    for (std::size_t i = 0; i < len; ++i) {
      x ^= x << 13, x ^= x >> 7, x ^= x << 17;
      t += alphabet[x % alphabet.size()];
    }
    ASSERT_EQ(count_tokens(t), reference(t)) << t;
  }
}

// count_tokens works on 64-byte blocks: runs that cross blocks, end on a block's last byte or
// start on its first, and every tail length, against the byte-at-a-time definition.
TEST(count_tokens, blocks_agree_with_the_scalar_definition) {
  std::uint64_t x = 0x9e3779b97f4a7c15ull;
  auto next = [&x] { return x ^= x << 13, x ^= x >> 7, x ^= x << 17; };
  // Long runs come from alphabets with few classes: words of one letter, punctuation, spaces.
  const std::string alphabets[] = {"a ", "a.", ". ", "aZ09 \t\n.,!-\xc3\xa9\x80\xff", "aaaaaaa.", "a\r\v\f"};
  for (int round = 0; round < 3000; ++round) {
    const std::string& alphabet = alphabets[next() % std::size(alphabets)];
    const std::size_t len = next() % 300;
    const std::size_t stay = 1 + next() % 70;  // bytes per run of one character, before a change
    std::string t;
    char c = alphabet[0];
    for (std::size_t i = 0; i < len; ++i) {
      if (next() % stay == 0) c = alphabet[next() % alphabet.size()];
      t += c;
    }
    ASSERT_EQ(count_tokens(t), detail::count_tokens_scalar(t)) << round << " '" << t << "'";
  }
  for (std::size_t len = 0; len <= 200; ++len) {  // one run of every length, at every phase
    for (std::size_t lead : {0, 1, 2, 3, 61, 62, 63, 64}) {
      const std::string t = std::string(lead, ' ') + std::string(len, 'w') + "." + std::string(len % 7, '!');
      ASSERT_EQ(count_tokens(t), detail::count_tokens_scalar(t)) << len << ' ' << lead;
    }
  }
}

}  // namespace
}  // namespace gw
