#include "engine/admission.hpp"

namespace gw {

std::size_t admit_count(std::span<const std::uint64_t> waiting, engine_load load,
                        const batch_limits& limits) {
  std::size_t n = 0;
  for (std::uint64_t tokens : waiting) {
    if (load.running >= limits.max_batch_size) break;
    if (load.held_tokens + tokens > limits.token_budget) break;
    ++load.running;
    load.held_tokens += tokens;
    ++n;
  }
  return n;
}

}  // namespace gw
