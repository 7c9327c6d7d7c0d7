#pragma once
// Which local server takes a request: consistent hashing on the prompt's leading text, with
// bounded load (Mirrokni, Thorup, Zadimoghaddam, "Consistent Hashing with Bounded Loads", 2017).
// Requests that share a prefix (a system prompt, the start of a conversation) land on the server
// whose KV cache already holds it; but a server loaded past `load_factor` times the average is
// passed over for the next one on the ring, so one hot prefix cannot pile every request onto one
// server while the others idle. Servers joining or leaving (ejected, re-admitted) move only the
// keys next to them on the ring.
//
// Pure: the caller passes each server's state; no I/O, no clock. Safe from any thread.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace gw {

struct affinity_member {
  bool eligible = true;       // healthy and accepting work
  std::size_t in_flight = 0;  // requests it is serving now
  std::size_t capacity = 1;   // most requests it may serve at once (the semaphore)
};

class hash_ring {
 public:
  // Each member gets `points` positions on the ring, hashed from its name, so the ring is the
  // same in every gateway process configured with the same names.
  explicit hash_ring(const std::vector<std::string>& member_names, std::size_t points = 64);

  // Members in ring order, starting from the first point at or after `key`; each member once.
  std::vector<std::size_t> walk(std::uint64_t key) const;

 private:
  std::vector<std::pair<std::uint64_t, std::size_t>> points_;  // sorted by position
  std::size_t members_;
};

// A stable 64-bit hash of an affinity key (the same in every process and run).
std::uint64_t affinity_hash(std::string_view key);

// The member to send a request with this key hash to, or nullopt when every eligible member is
// at capacity (the request waits). The bound on a member's load is
// ceil(load_factor x (in-flight over eligible members + 1) / eligible members); load_factor >= 1.
std::optional<std::size_t> pick_member(const hash_ring& ring, std::uint64_t key_hash,
                                       const std::vector<affinity_member>& members, double load_factor);

// The eligible member with the fewest requests in flight and room for one more (work with no
// useful prefix, like embeddings); ties go to the lowest index.
std::optional<std::size_t> pick_least_loaded(const std::vector<affinity_member>& members);

}  // namespace gw
