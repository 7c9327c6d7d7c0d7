#pragma once
// Token counting for the built-in engine and for estimates. An approximation of BPE tokenizers
// on English text (about 4 bytes per token, at least one per word or punctuation run); real
// engines report exact counts in their usage.

#include <cstdint>
#include <string_view>

namespace gw {

std::uint32_t count_tokens(std::string_view text);

namespace detail {
// The byte-at-a-time definition count_tokens computes 64 bytes at a time; tests compare them.
std::uint32_t count_tokens_scalar(std::string_view text);
}  // namespace detail

}  // namespace gw
