#include "engine/admission.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

namespace gw {
namespace {

struct admission_case {
  std::string name;
  std::vector<std::uint64_t> waiting;  // reservations in queue order
  engine_load load;
  batch_limits limits;
  std::size_t expected;
};

TEST(admit_count, table) {
  const admission_case cases[] = {
      {"empty queue", {}, {0, 0}, {4, 100}, 0},
      {"empty queue, busy engine", {}, {3, 90}, {4, 100}, 0},
      {"all fit", {10, 10, 10}, {0, 0}, {4, 100}, 3},
      {"batch size caps an empty engine", {1, 1, 1, 1, 1, 1}, {0, 0}, {4, 100}, 4},
      {"batch size counts running sequences", {1, 1, 1}, {3, 3}, {4, 100}, 1},
      {"batch already full", {1}, {4, 4}, {4, 100}, 0},
      {"batch over full (limit lowered)", {1}, {5, 5}, {4, 100}, 0},
      {"zero batch size admits nothing", {1}, {0, 0}, {0, 100}, 0},
      {"token budget exactly filled", {40, 60}, {0, 0}, {8, 100}, 2},
      {"token budget one over", {40, 61}, {0, 0}, {8, 100}, 1},
      {"token budget counts held tokens", {30, 30}, {1, 50}, {8, 100}, 1},
      {"token budget already exhausted", {1}, {1, 100}, {8, 100}, 0},
      {"head does not fit: nothing behind it is skipped to", {90, 1, 1}, {1, 20}, {8, 100}, 0},
      {"stops at first non-fitting, later small ones wait", {10, 80, 5, 5}, {0, 20}, {8, 100}, 1},
      {"batch limit hit before budget", {10, 10, 10}, {2, 0}, {3, 1000}, 1},
      {"budget hit before batch limit", {400, 400, 400}, {0, 0}, {3, 1000}, 2},
      {"zero-token reservations still take a slot", {0, 0, 0}, {0, 0}, {2, 0}, 2},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(admit_count(c.waiting, c.load, c.limits), c.expected) << c.name;
  }
}

TEST(admit_count, does_not_modify_the_callers_load) {
  const std::vector<std::uint64_t> waiting = {10, 10};
  const engine_load load{1, 5};
  EXPECT_EQ(admit_count(waiting, load, {8, 100}), 2u);
  EXPECT_EQ(load.running, 1u);
  EXPECT_EQ(load.held_tokens, 5u);
}

}  // namespace
}  // namespace gw
