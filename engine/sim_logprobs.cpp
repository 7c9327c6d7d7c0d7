#include "engine/sim_logprobs.hpp"

#include <algorithm>
#include <array>
#include <cmath>

namespace gw {
namespace {

// Alternatives: common tokens, enough that top_k distinct ones remain after skipping the chosen.
constexpr std::array<std::string_view, 24> alternatives = {
    " the", " a", " and", ",", ".", " to", " of", " in", " is", " that", "\n", " it",
    " for", " on", " with", " as", " this", " be", " at", " by", " we", " can", " an", " or"};

std::uint64_t mix(std::uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

double unit(std::uint64_t r) { return static_cast<double>(r >> 11) / static_cast<double>(1ULL << 53); }

}  // namespace

position_logprobs synth_logprobs(std::uint64_t seed, std::uint32_t position, std::string_view token,
                                 std::uint32_t top_k) {
  std::uint64_t state = mix(seed ^ (0x6c6f6770726f6273ULL + position));  // "logprobs"
  // Mostly confident, sometimes not: p0 in [0.4, 1), skewed towards 1.
  const double u = unit(state);
  const double p0 = 0.4 + 0.6 * (1 - u * u * u) - 1e-6;
  position_logprobs out;
  out.logprob = std::log(p0);
  top_k = std::min(top_k, max_top_logprobs);
  if (top_k == 0) return out;
  out.top.reserve(top_k);
  out.top.push_back({std::string(token), out.logprob});
  double rest = 1 - p0;
  const std::size_t start = mix(state) % alternatives.size();
  for (std::size_t i = 0; out.top.size() < top_k && i < alternatives.size(); ++i) {
    const std::string_view alt = alternatives[(start + i) % alternatives.size()];
    if (alt == token) continue;
    state = mix(state);
    rest *= 0.5 * (0.6 + 0.4 * unit(state));  // at most half the previous, so still descending
    out.top.push_back({std::string(alt), std::log(rest)});
  }
  return out;
}

}  // namespace gw
