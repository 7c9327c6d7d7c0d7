#pragma once
// The route plan: where a request may run, in order, and why. Pure: it takes facts about the
// request and a snapshot of the gateway's state and returns a decision, with no I/O.

#include <string>
#include <vector>

namespace gw {

enum class route_reason {
  local,          // served by the model's local engine pool
  unknown_model,  // no target serves this model: 404
  draining,       // the gateway is shutting down: 503
};
const char* to_string(route_reason r);

enum class target_kind { local_pool };

struct route_target {
  target_kind kind = target_kind::local_pool;
};

struct route_plan {
  std::vector<route_target> targets;  // empty: refuse with `reason`
  route_reason reason = route_reason::local;
};

route_plan plan_route(bool served_locally, bool draining);

}  // namespace gw
