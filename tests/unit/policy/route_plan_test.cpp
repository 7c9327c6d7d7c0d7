#include "policy/route_plan.hpp"

#include <gtest/gtest.h>

#include <string>

namespace gw {
namespace {

TEST(plan_route, table) {
  struct row {
    bool served_locally;
    bool draining;
    route_reason reason;
    std::size_t targets;
  };
  const row rows[] = {
      {true, false, route_reason::local, 1},
      {true, true, route_reason::draining, 0},
      {false, false, route_reason::unknown_model, 0},
      {false, true, route_reason::unknown_model, 0},  // an unknown model is a 404 even while draining
  };
  for (const auto& r : rows) {
    const auto plan = plan_route(r.served_locally, r.draining);
    EXPECT_EQ(plan.reason, r.reason) << r.served_locally << r.draining;
    EXPECT_EQ(plan.targets.size(), r.targets) << r.served_locally << r.draining;
  }
}

TEST(plan_route, local_target_is_the_pool) {
  const auto plan = plan_route(true, false);
  ASSERT_EQ(plan.targets.size(), 1u);
  EXPECT_EQ(plan.targets[0].kind, target_kind::local_pool);
}

TEST(route_reason, names) {
  EXPECT_EQ(std::string(to_string(route_reason::local)), "local");
  EXPECT_EQ(std::string(to_string(route_reason::unknown_model)), "unknown-model");
  EXPECT_EQ(std::string(to_string(route_reason::draining)), "draining");
}

}  // namespace
}  // namespace gw
