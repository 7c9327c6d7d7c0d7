#include "engine/tokenizer.hpp"

#include <cctype>

namespace gw {

std::uint32_t count_tokens(std::string_view text) {
  // Each word costs ceil(len / 4) tokens (long words split into pieces), each punctuation or
  // non-ASCII byte run one token per 4 bytes; whitespace is folded into the following word.
  std::uint32_t tokens = 0;
  std::size_t i = 0;
  while (i < text.size()) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (std::isspace(c)) {
      ++i;
      continue;
    }
    std::size_t j = i;
    const bool word = std::isalnum(c) != 0;
    while (j < text.size()) {
      const auto d = static_cast<unsigned char>(text[j]);
      if (std::isspace(d) || (std::isalnum(d) != 0) != word) break;
      ++j;
    }
    tokens += static_cast<std::uint32_t>((j - i + 3) / 4);
    i = j;
  }
  return tokens;
}

}  // namespace gw
