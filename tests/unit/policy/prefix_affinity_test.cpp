#include "policy/prefix_affinity.hpp"

#include <gtest/gtest.h>

#include <map>
#include <set>
#include <string>
#include <vector>

namespace gw {
namespace {

std::vector<std::string> names(std::size_t n) {
  std::vector<std::string> v;
  for (std::size_t i = 0; i < n; ++i) v.push_back("server-" + std::to_string(i));
  return v;
}

std::vector<affinity_member> idle(std::size_t n, std::size_t capacity = 8) {
  return std::vector<affinity_member>(n, affinity_member{true, 0, capacity});
}

TEST(prefix_affinity, hash_is_stable_and_spreads) {
  EXPECT_EQ(affinity_hash("system prompt"), affinity_hash("system prompt"));
  EXPECT_NE(affinity_hash("system prompt"), affinity_hash("system prompt."));
  EXPECT_EQ(affinity_hash(""), affinity_hash(""));
}

TEST(prefix_affinity, walk_visits_every_member_once) {
  hash_ring ring(names(5));
  for (std::uint64_t key : {std::uint64_t{0}, std::uint64_t{1} << 40, ~std::uint64_t{0}, affinity_hash("x")}) {
    const auto order = ring.walk(key);
    EXPECT_EQ(order.size(), 5u);
    EXPECT_EQ(std::set<std::size_t>(order.begin(), order.end()).size(), 5u);
  }
}

TEST(prefix_affinity, the_same_key_goes_to_the_same_member) {
  hash_ring ring(names(4));
  const auto members = idle(4);
  const auto key = affinity_hash("<|system|>\nYou are a helpful assistant.\n<|user|>\nhi\n");
  const auto first = pick_member(ring, key, members, 1.25);
  ASSERT_TRUE(first);
  for (int i = 0; i < 10; ++i) EXPECT_EQ(pick_member(ring, key, members, 1.25), first);
}

TEST(prefix_affinity, different_keys_spread_over_all_members) {
  hash_ring ring(names(4));
  const auto members = idle(4);
  std::map<std::size_t, int> hits;
  for (int i = 0; i < 2000; ++i) ++hits[*pick_member(ring, affinity_hash("conversation " + std::to_string(i)), members, 1.25)];
  ASSERT_EQ(hits.size(), 4u);
  for (auto& [m, n] : hits) EXPECT_GT(n, 2000 / 4 / 3) << "member " << m << " got " << n;  // no member starved
}

TEST(prefix_affinity, a_member_past_the_load_bound_is_passed_over) {
  hash_ring ring(names(3));
  auto members = idle(3, 100);
  const auto key = affinity_hash("hot prefix");
  const std::size_t home = *pick_member(ring, key, members, 1.25);
  // Load the home member to the bound: ceil(1.25 x (4 + 1) / 3) = 3 is the bound; 4 > 3.
  members[home].in_flight = 4;
  const auto next = pick_member(ring, key, members, 1.25);
  ASSERT_TRUE(next);
  EXPECT_NE(*next, home);
  EXPECT_EQ(*next, ring.walk(key)[1]);  // the next member on the ring, not any member
}

TEST(prefix_affinity, a_hot_prefix_fills_members_within_the_bound) {
  // Every request shares one prefix: the bound keeps the busiest member within 1.25x the mean.
  hash_ring ring(names(4));
  auto members = idle(4, 1000);
  const auto key = affinity_hash("the same system prompt for everyone");
  for (int i = 0; i < 400; ++i) ++members[*pick_member(ring, key, members, 1.25)].in_flight;
  std::size_t most = 0;
  for (const auto& m : members) most = std::max(most, m.in_flight);
  EXPECT_LE(most, 126u);  // ceil(1.25 x 400 / 4) + 1
  EXPECT_GE(most, 100u);
}

TEST(prefix_affinity, ineligible_and_full_members_are_skipped) {
  hash_ring ring(names(3));
  auto members = idle(3, 2);
  const auto key = affinity_hash("k");
  const auto home = *pick_member(ring, key, members, 1.25);
  members[home].eligible = false;
  const auto other = pick_member(ring, key, members, 1.25);
  ASSERT_TRUE(other);
  EXPECT_NE(*other, home);
  for (auto& m : members) m.in_flight = m.capacity;
  EXPECT_FALSE(pick_member(ring, key, members, 1.25));  // all full: the request waits
  for (auto& m : members) m.eligible = false;
  members[0].in_flight = 0;
  EXPECT_FALSE(pick_member(ring, key, members, 1.25));  // none eligible
}

TEST(prefix_affinity, removing_a_member_moves_only_its_keys) {
  // Consistent hashing: with member 2 ejected, keys homed elsewhere stay where they were.
  hash_ring ring(names(4));
  auto members = idle(4, 1000);
  auto ejected = members;
  ejected[2].eligible = false;
  int moved = 0;
  for (int i = 0; i < 500; ++i) {
    const auto key = affinity_hash("c" + std::to_string(i));
    const auto before = *pick_member(ring, key, members, 1000);  // a huge bound: pure hashing
    const auto after = *pick_member(ring, key, ejected, 1000);
    if (before != 2) EXPECT_EQ(before, after);
    moved += before != after;
  }
  EXPECT_GT(moved, 0);
}

TEST(prefix_affinity, least_loaded_prefers_the_idlest_eligible_member) {
  std::vector<affinity_member> m{{true, 3, 4}, {true, 1, 4}, {false, 0, 4}, {true, 1, 4}};
  EXPECT_EQ(pick_least_loaded(m), 1u);
  m[1].in_flight = 4;
  m[3].in_flight = 4;
  EXPECT_EQ(pick_least_loaded(m), 0u);
  m[0].in_flight = 4;
  EXPECT_FALSE(pick_least_loaded(m));
}

}  // namespace
}  // namespace gw
