#include "policy/route_plan.hpp"

namespace gw {

const char* to_string(route_reason r) {
  switch (r) {
    case route_reason::local: return "local";
    case route_reason::unknown_model: return "unknown-model";
    case route_reason::draining: return "draining";
  }
  return "unknown";
}

route_plan plan_route(bool served_locally, bool draining) {
  if (!served_locally) return {{}, route_reason::unknown_model};
  if (draining) return {{}, route_reason::draining};
  return {{route_target{target_kind::local_pool}}, route_reason::local};
}

}  // namespace gw
