#pragma once
// Deterministic pseudo-text for the simulated engine: English-looking words with punctuation,
// one token per word piece, and a natural length at which the "model" stops by itself. The same
// seed gives the same text. It is a load generator's stand-in, never presented as inference.

#include <cstdint>
#include <string>
#include <string_view>

namespace gw {

class sim_text {
 public:
  explicit sim_text(std::uint64_t seed);

  // The next token's text (e.g. " model", ".", "\n\n").
  std::string next_token();
  // How many tokens this sequence generates before it ends on its own (an end-of-sequence).
  std::uint32_t natural_length() const { return natural_length_; }

 private:
  std::uint64_t next_random();

  std::uint64_t state_;
  std::uint32_t natural_length_;
  std::uint32_t words_in_sentence_ = 0;
  std::uint32_t sentence_length_ = 0;
  std::uint32_t sentences_in_paragraph_ = 0;
  bool capitalize_ = true;
};

// A stable 64-bit hash (FNV-1a) for seeding from text.
std::uint64_t text_hash(std::string_view s);

}  // namespace gw
