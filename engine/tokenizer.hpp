#pragma once
// Token counting for the built-in engine and for estimates. An approximation of BPE tokenizers
// on English text (about 4 bytes per token, at least one per word or punctuation run); real
// engines report exact counts in their usage.

#include <cstdint>
#include <string_view>

namespace gw {

std::uint32_t count_tokens(std::string_view text);

}  // namespace gw
