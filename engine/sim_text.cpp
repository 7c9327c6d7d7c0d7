#include "engine/sim_text.hpp"

#include <array>
#include <cctype>

namespace gw {
namespace {

constexpr std::array<std::string_view, 96> words = {
    "the", "model", "gateway", "request", "token", "batch", "latency", "cluster", "engine",
    "queue", "stream", "prompt", "context", "cache", "memory", "throughput", "user", "answer",
    "we", "can", "will", "should", "would", "is", "are", "was", "be", "to", "of", "and", "in",
    "for", "with", "on", "at", "by", "from", "that", "this", "it", "as", "or", "an", "a", "each",
    "every", "when", "while", "because", "so", "then", "first", "next", "last", "more", "less",
    "fast", "slow", "local", "remote", "large", "small", "long", "short", "new", "good", "simple",
    "clear", "data", "result", "system", "value", "step", "time", "run", "send", "read", "write",
    "keep", "take", "make", "give", "find", "show", "think", "know", "use", "work", "need", "try",
    "help", "question", "reason", "point", "example", "way"};

std::uint64_t splitmix(std::uint64_t& x) {
  std::uint64_t z = (x += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

}  // namespace

std::uint64_t text_hash(std::string_view s) {
  std::uint64_t h = 14695981039346656037ULL;  // FNV-1a 64-bit offset basis
  for (unsigned char c : s) {
    h ^= c;
    h *= 1099511628211ULL;
  }
  return h;
}

sim_text::sim_text(std::uint64_t seed) : state_(seed) {
  // Natural lengths between 24 and ~600 tokens, skewed short like chat answers.
  const std::uint64_t r = next_random();
  natural_length_ = 24 + static_cast<std::uint32_t>((r % 240) + ((r >> 20) % 360) * ((r >> 40) % 2));
}

std::uint64_t sim_text::next_random() { return splitmix(state_); }

std::string sim_text::next_token() {
  if (sentence_length_ == 0) sentence_length_ = 6 + static_cast<std::uint32_t>(next_random() % 14);
  if (words_in_sentence_ == sentence_length_) {
    words_in_sentence_ = 0;
    sentence_length_ = 0;
    capitalize_ = true;
    if (++sentences_in_paragraph_ >= 4 && next_random() % 3 == 0) {
      sentences_in_paragraph_ = 0;
      return ".\n\n";
    }
    return ".";
  }
  std::string w(words[next_random() % words.size()]);
  if (capitalize_) {
    w[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(w[0])));
    capitalize_ = false;
  }
  // A paragraph's first word follows "\n\n" and takes no leading space.
  const bool leading_space = !(words_in_sentence_ == 0 && sentences_in_paragraph_ == 0);
  ++words_in_sentence_;
  return leading_space ? " " + w : w;
}

}  // namespace gw
