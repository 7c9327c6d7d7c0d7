#pragma once
// The continuous-batching admission decision, pure: given an engine's current load and the
// token reservations of the waiting sequences in queue order, how many of them to admit at this
// step boundary. Admission stops at the first sequence that does not fit: skipping it would
// let a stream of small requests starve a large one.

#include <cstddef>
#include <cstdint>
#include <span>

namespace gw {

struct batch_limits {
  std::size_t max_batch_size = 256;    // sequences per engine batch
  std::uint64_t token_budget = 262144;  // prompt + max new tokens reserved per engine (KV cache)
};

struct engine_load {
  std::size_t running = 0;          // sequences in the batch
  std::uint64_t held_tokens = 0;    // tokens they reserve
};

// Count of leading `waiting` reservations that fit into `load` under `limits`.
std::size_t admit_count(std::span<const std::uint64_t> waiting, engine_load load,
                        const batch_limits& limits);

}  // namespace gw
