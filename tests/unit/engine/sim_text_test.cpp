#include "engine/sim_text.hpp"

#include <gtest/gtest.h>

#include <cctype>
#include <cstdint>
#include <set>
#include <string>
#include <vector>

namespace gw {
namespace {

std::vector<std::string> tokens_of(std::uint64_t seed, std::size_t n) {
  sim_text t(seed);
  std::vector<std::string> out;
  for (std::size_t i = 0; i < n; ++i) out.push_back(t.next_token());
  return out;
}

bool is_sentence_end(const std::string& tok) { return tok == "." || tok == ".\n\n"; }

TEST(sim_text, same_seed_same_text_and_length) {
  for (std::uint64_t seed : {0ull, 1ull, 42ull, 0xdeadbeefull, ~0ull}) {
    EXPECT_EQ(tokens_of(seed, 500), tokens_of(seed, 500)) << seed;
    EXPECT_EQ(sim_text(seed).natural_length(), sim_text(seed).natural_length()) << seed;
  }
}

TEST(sim_text, different_seeds_give_different_text) {
  std::set<std::vector<std::string>> texts;
  for (std::uint64_t seed = 0; seed < 20; ++seed) texts.insert(tokens_of(seed, 40));
  EXPECT_EQ(texts.size(), 20u);
}

TEST(sim_text, natural_length_within_documented_range) {
  std::set<std::uint32_t> lengths;
  for (std::uint64_t seed = 0; seed < 2000; ++seed) {
    const auto n = sim_text(seed).natural_length();
    ASSERT_GE(n, 24u) << seed;
    ASSERT_LE(n, 24u + 239u + 359u) << seed;
    lengths.insert(n);
  }
  EXPECT_GT(lengths.size(), 100u);  // actually varies
}

TEST(sim_text, every_token_is_non_empty) {
  for (std::uint64_t seed = 0; seed < 50; ++seed)
    for (const auto& tok : tokens_of(seed, 300)) ASSERT_FALSE(tok.empty()) << seed;
}

TEST(sim_text, first_token_is_a_capitalized_word_without_leading_space) {
  for (std::uint64_t seed = 0; seed < 50; ++seed) {
    const auto tok = sim_text(seed).next_token();
    ASSERT_FALSE(tok.empty());
    EXPECT_TRUE(std::isupper(static_cast<unsigned char>(tok[0]))) << seed << ": " << tok;
  }
}

TEST(sim_text, sentences_are_capitalized_and_spaced) {
  for (std::uint64_t seed = 0; seed < 50; ++seed) {
    const auto toks = tokens_of(seed, 400);
    std::string prev = ".\n\n";  // the text starts like a new paragraph
    std::size_t words = 0;
    for (const auto& tok : toks) {
      if (is_sentence_end(tok)) {
        ASSERT_FALSE(is_sentence_end(prev)) << seed;  // never an empty sentence
        ASSERT_GE(words, 6u) << seed;
        ASSERT_LE(words, 19u) << seed;
        words = 0;
      } else {
        ++words;
        const bool paragraph_start = prev == ".\n\n";
        const std::string w = paragraph_start ? tok : tok.substr(1);
        if (!paragraph_start) ASSERT_EQ(tok[0], ' ') << seed << ": '" << tok << "'";
        ASSERT_FALSE(w.empty());
        const bool upper = std::isupper(static_cast<unsigned char>(w[0])) != 0;
        ASSERT_EQ(upper, is_sentence_end(prev)) << seed << ": '" << tok << "' after '" << prev << "'";
        for (std::size_t i = 0; i < w.size(); ++i) {
          const auto c = static_cast<unsigned char>(w[i]);
          ASSERT_TRUE(std::isalpha(c)) << seed << ": '" << tok << "'";
          if (i > 0) ASSERT_TRUE(std::islower(c)) << seed << ": '" << tok << "'";
        }
      }
      prev = tok;
    }
  }
}

// Published FNV-1a 64 test vectors (the offset basis once lost its last digit here).
TEST(text_hash, matches_fnv1a_64_reference_values) {
  EXPECT_EQ(text_hash(""), 0xcbf29ce484222325ull);
  EXPECT_EQ(text_hash("a"), 0xaf63dc4c8601ec8cull);
  EXPECT_EQ(text_hash("foobar"), 0x85944171f73967e8ull);
}

TEST(text_hash, is_stable_and_order_sensitive) {
  EXPECT_EQ(text_hash("same prompt"), text_hash(std::string("same ") + "prompt"));
  // FNV-1a structure: each byte is xored in, then multiplied by the 64-bit FNV prime.
  const std::uint64_t prime = 1099511628211ull;
  EXPECT_EQ(text_hash("a"), (text_hash("") ^ 'a') * prime);
  EXPECT_EQ(text_hash("ab"), (text_hash("a") ^ 'b') * prime);
}

TEST(text_hash, distinguishes_similar_texts) {
  EXPECT_NE(text_hash("prompt one"), text_hash("prompt two"));
  EXPECT_NE(text_hash("ab"), text_hash("ba"));
  EXPECT_EQ(text_hash(std::string("x\0y", 3)), text_hash(std::string("x\0y", 3)));
  EXPECT_NE(text_hash(std::string("x\0y", 3)), text_hash("x"));
}

}  // namespace
}  // namespace gw
