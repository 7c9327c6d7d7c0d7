#include "engine/permit.hpp"

#include <gtest/gtest.h>

#include <optional>
#include <utility>
#include <vector>

namespace gw {
namespace {

TEST(permit, takes_on_construction_and_returns_on_destruction) {
  engine_capacity cap;
  {
    permit p(cap, 120);
    EXPECT_EQ(cap.running, 1u);
    EXPECT_EQ(cap.held_tokens, 120u);
    permit q(cap, 30);
    EXPECT_EQ(cap.running, 2u);
    EXPECT_EQ(cap.held_tokens, 150u);
  }
  EXPECT_EQ(cap.running, 0u);
  EXPECT_EQ(cap.held_tokens, 0u);
}

TEST(permit, default_constructed_holds_nothing) {
  engine_capacity cap{3, 300};
  { permit p; }
  EXPECT_EQ(cap.running, 3u);
  EXPECT_EQ(cap.held_tokens, 300u);
}

TEST(permit, move_construction_transfers_once) {
  engine_capacity cap;
  std::optional<permit> moved;
  {
    permit p(cap, 50);
    moved.emplace(std::move(p));
    EXPECT_EQ(cap.running, 1u);  // still held once, by `moved`
  }
  EXPECT_EQ(cap.running, 1u);
  EXPECT_EQ(cap.held_tokens, 50u);
  moved.reset();
  EXPECT_EQ(cap.running, 0u);
  EXPECT_EQ(cap.held_tokens, 0u);
}

TEST(permit, move_assignment_releases_the_old_capacity) {
  engine_capacity a, b;
  permit pa(a, 10);
  permit pb(b, 20);
  pa = std::move(pb);  // pa's hold on `a` is returned, it now holds `b`
  EXPECT_EQ(a.running, 0u);
  EXPECT_EQ(a.held_tokens, 0u);
  EXPECT_EQ(b.running, 1u);
  EXPECT_EQ(b.held_tokens, 20u);
}

TEST(permit, self_move_assignment_keeps_the_hold) {
  engine_capacity cap;
  permit p(cap, 10);
  permit& alias = p;
  p = std::move(alias);
  EXPECT_EQ(cap.running, 1u);
  EXPECT_EQ(cap.held_tokens, 10u);
}

TEST(permit, survives_container_reallocation) {
  engine_capacity cap;
  {
    std::vector<permit> v;
    for (int i = 0; i < 100; ++i) v.emplace_back(cap, 2);
    EXPECT_EQ(cap.running, 100u);
    EXPECT_EQ(cap.held_tokens, 200u);
    v.erase(v.begin(), v.begin() + 40);
    EXPECT_EQ(cap.running, 60u);
    EXPECT_EQ(cap.held_tokens, 120u);
  }
  EXPECT_EQ(cap.running, 0u);
  EXPECT_EQ(cap.held_tokens, 0u);
}

}  // namespace
}  // namespace gw
