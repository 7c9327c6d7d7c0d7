#include "policy/prefix_affinity.hpp"

#include <algorithm>
#include <cmath>

namespace gw {
namespace {

// splitmix64's finaliser: FNV-1a alone clusters similar short strings on the ring.
std::uint64_t mix(std::uint64_t z) {
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

}  // namespace

std::uint64_t affinity_hash(std::string_view key) {
  std::uint64_t h = 0xcbf29ce484222325ULL;
  for (unsigned char c : key) {
    h ^= c;
    h *= 0x100000001b3ULL;
  }
  return mix(h);
}

hash_ring::hash_ring(const std::vector<std::string>& member_names, std::size_t points)
    : members_(member_names.size()) {
  points_.reserve(member_names.size() * points);
  for (std::size_t m = 0; m < member_names.size(); ++m)
    for (std::size_t i = 0; i < points; ++i)
      points_.emplace_back(affinity_hash(member_names[m] + "#" + std::to_string(i)), m);
  std::sort(points_.begin(), points_.end());
}

std::vector<std::size_t> hash_ring::walk(std::uint64_t key) const {
  std::vector<std::size_t> order;
  order.reserve(members_);
  if (points_.empty()) return order;
  std::vector<bool> seen(members_, false);
  auto it = std::lower_bound(points_.begin(), points_.end(), std::make_pair(key, std::size_t{0}));
  for (std::size_t n = 0; n < points_.size() && order.size() < members_; ++n, ++it) {
    if (it == points_.end()) it = points_.begin();
    if (!seen[it->second]) {
      seen[it->second] = true;
      order.push_back(it->second);
    }
  }
  return order;
}

std::optional<std::size_t> pick_member(const hash_ring& ring, std::uint64_t key_hash,
                                       const std::vector<affinity_member>& members, double load_factor) {
  std::size_t eligible = 0, load = 0;
  for (const auto& m : members) {
    if (!m.eligible) continue;
    ++eligible;
    load += m.in_flight;
  }
  if (eligible == 0) return std::nullopt;
  const double bound = std::ceil(std::max(1.0, load_factor) * static_cast<double>(load + 1) /
                                 static_cast<double>(eligible));
  for (std::size_t i : ring.walk(key_hash)) {
    if (i >= members.size()) continue;
    const auto& m = members[i];
    if (m.eligible && m.in_flight < m.capacity && static_cast<double>(m.in_flight) < bound) return i;
  }
  // Everyone under the bound is full: any eligible member with room still beats waiting.
  return pick_least_loaded(members);
}

std::optional<std::size_t> pick_least_loaded(const std::vector<affinity_member>& members) {
  std::optional<std::size_t> best;
  for (std::size_t i = 0; i < members.size(); ++i) {
    const auto& m = members[i];
    if (!m.eligible || m.in_flight >= m.capacity) continue;
    if (!best || m.in_flight < members[*best].in_flight) best = i;
  }
  return best;
}

}  // namespace gw
