#include "engine/request_queue.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <string>
#include <vector>

namespace gw {
namespace {

using clock_type = request_queue<int>::clock;
using std::chrono::seconds;

// A fixed origin: the queue never reads the clock itself, so tests choose every deadline.
const clock_type::time_point t0 = clock_type::time_point{} + std::chrono::hours(1);
const clock_type::time_point far = t0 + std::chrono::hours(24);

std::vector<int> drain(request_queue<int>& q) {
  std::vector<int> out;
  while (!q.empty()) out.push_back(q.pop_front());
  return out;
}

TEST(request_queue, starts_empty) {
  request_queue<int> q(4);
  EXPECT_TRUE(q.empty());
  EXPECT_EQ(q.size(), 0u);
  EXPECT_EQ(q.capacity(), 4u);
  EXPECT_FALSE(q.next_deadline());
  EXPECT_FALSE(q.pop_expired(far));
}

TEST(request_queue, higher_priority_first) {
  request_queue<int> q(16);
  ASSERT_TRUE(q.push(0, far, 1));
  ASSERT_TRUE(q.push(5, far, 2));
  ASSERT_TRUE(q.push(-3, far, 3));
  ASSERT_TRUE(q.push(1000, far, 4));
  ASSERT_TRUE(q.push(1, far, 5));
  EXPECT_EQ(q.front(), 4);
  EXPECT_EQ(drain(q), (std::vector<int>{4, 2, 5, 1, 3}));
}

TEST(request_queue, fifo_within_a_priority) {
  request_queue<int> q(16);
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(q.push(7, far, int{i}));
  ASSERT_TRUE(q.push(9, far, 100));
  for (int i = 5; i < 8; ++i) ASSERT_TRUE(q.push(7, far, int{i}));
  EXPECT_EQ(drain(q), (std::vector<int>{100, 0, 1, 2, 3, 4, 5, 6, 7}));
}

TEST(request_queue, for_each_visits_in_admission_order_until_false) {
  request_queue<int> q(16);
  q.push(0, far, 1);
  q.push(2, far, 2);
  q.push(1, far, 3);
  q.push(2, far, 4);
  std::vector<int> seen;
  q.for_each([&](int e) {
    seen.push_back(e);
    return true;
  });
  EXPECT_EQ(seen, (std::vector<int>{2, 4, 3, 1}));
  seen.clear();
  q.for_each([&](int e) {
    seen.push_back(e);
    return seen.size() < 2;
  });
  EXPECT_EQ(seen, (std::vector<int>{2, 4}));
  EXPECT_EQ(q.size(), 4u);  // visiting removes nothing
}

TEST(request_queue, refuses_at_capacity_and_leaves_entry_untouched) {
  request_queue<std::unique_ptr<std::string>> q(2);
  ASSERT_TRUE(q.push(0, far, std::make_unique<std::string>("a")));
  ASSERT_TRUE(q.push(0, far, std::make_unique<std::string>("b")));
  auto c = std::make_unique<std::string>("c");
  EXPECT_FALSE(q.push(10, far, std::move(c)));  // priority does not bypass the bound
  ASSERT_TRUE(c);
  EXPECT_EQ(*c, "c");
  EXPECT_EQ(q.size(), 2u);

  // A freed slot can be taken again.
  EXPECT_EQ(*q.pop_front(), "a");
  EXPECT_TRUE(q.push(10, far, std::move(c)));
  EXPECT_EQ(*q.front(), "c");
}

TEST(request_queue, zero_capacity_refuses_everything) {
  request_queue<int> q(0);
  EXPECT_FALSE(q.push(0, far, 1));
  EXPECT_TRUE(q.empty());
}

TEST(request_queue, pop_expired_by_deadline_not_priority) {
  request_queue<int> q(16);
  q.push(9, t0 + seconds(30), 1);
  q.push(0, t0 + seconds(10), 2);
  q.push(5, t0 + seconds(20), 3);
  ASSERT_TRUE(q.next_deadline());
  EXPECT_EQ(*q.next_deadline(), t0 + seconds(10));

  EXPECT_FALSE(q.pop_expired(t0 + seconds(9)));
  EXPECT_EQ(q.size(), 3u);

  // A deadline equal to now has passed.
  auto e = q.pop_expired(t0 + seconds(10));
  ASSERT_TRUE(e);
  EXPECT_EQ(*e, 2);
  EXPECT_FALSE(q.pop_expired(t0 + seconds(10)));
  EXPECT_EQ(*q.next_deadline(), t0 + seconds(20));

  // Several past deadlines come out one per call, earliest first.
  std::vector<int> expired;
  while (auto x = q.pop_expired(t0 + seconds(60))) expired.push_back(*x);
  EXPECT_EQ(expired, (std::vector<int>{3, 1}));
  EXPECT_TRUE(q.empty());
  EXPECT_FALSE(q.next_deadline());
}

TEST(request_queue, equal_deadlines_expire_in_admission_order) {
  request_queue<int> q(16);
  q.push(0, t0, 1);
  q.push(3, t0, 2);
  q.push(0, t0, 3);
  std::vector<int> expired;
  while (auto x = q.pop_expired(t0)) expired.push_back(*x);
  EXPECT_EQ(expired, (std::vector<int>{2, 1, 3}));
}

TEST(request_queue, pop_front_also_forgets_the_deadline) {
  request_queue<int> q(16);
  q.push(1, t0 + seconds(5), 1);
  q.push(0, t0 + seconds(50), 2);
  EXPECT_EQ(q.pop_front(), 1);
  EXPECT_EQ(*q.next_deadline(), t0 + seconds(50));
  EXPECT_FALSE(q.pop_expired(t0 + seconds(10)));
}

TEST(request_queue, remove_if_removes_matching_and_their_deadlines) {
  request_queue<int> q(16);
  for (int i = 0; i < 6; ++i) q.push(i % 2, t0 + seconds(i), int{i});
  EXPECT_EQ(q.remove_if([](int e) { return e % 3 == 0; }), 2u);  // 0 and 3
  EXPECT_EQ(q.size(), 4u);
  EXPECT_EQ(*q.next_deadline(), t0 + seconds(1));
  EXPECT_EQ(q.remove_if([](int) { return false; }), 0u);

  std::vector<int> expired;
  while (auto x = q.pop_expired(t0 + seconds(100))) expired.push_back(*x);
  EXPECT_EQ(expired, (std::vector<int>{1, 2, 4, 5}));
}

TEST(request_queue, remove_if_keeps_order_of_the_rest_and_frees_capacity) {
  request_queue<int> q(4);
  q.push(0, far, 1);
  q.push(1, far, 2);
  q.push(0, far, 3);
  q.push(1, far, 4);
  EXPECT_FALSE(q.push(0, far, 5));
  EXPECT_EQ(q.remove_if([](int e) { return e == 2 || e == 3; }), 2u);
  EXPECT_TRUE(q.push(1, far, 6));
  EXPECT_EQ(drain(q), (std::vector<int>{4, 6, 1}));
}

}  // namespace
}  // namespace gw
