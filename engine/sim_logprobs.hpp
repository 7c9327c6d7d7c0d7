#pragma once
// Deterministic log-probabilities for the simulated engine's tokens (logprobs / top_logprobs):
// plausible numbers, not a model's. The chosen token is always the most likely one (as under
// greedy decoding), with a probability in [0.4, 1); the alternatives share what is left, each
// at most half the one before, so the list is sorted descending and its probabilities sum to
// less than 1.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace gw {

struct token_logprob {
  std::string token;
  double logprob = 0;  // natural log, <= 0
};

struct position_logprobs {
  double logprob = 0;               // the chosen token's
  std::vector<token_logprob> top;   // top_k entries, the chosen token first; empty for top_k 0
};

inline constexpr std::uint32_t max_top_logprobs = 20;

// The chosen `token`'s logprob at `position` (0-based index of the token in its choice's
// answer) of the choice generated from `seed`, and the `top_k` (<= max_top_logprobs) most likely
// tokens there. Same arguments, same numbers.
position_logprobs synth_logprobs(std::uint64_t seed, std::uint32_t position, std::string_view token,
                                 std::uint32_t top_k);

}  // namespace gw
