#include "policy/route_plan.hpp"

namespace gw {

const char* to_string(route_reason r) {
  switch (r) {
    case route_reason::local: return "local";
    case route_reason::sensitive_local: return "sensitive->local";
    case route_reason::long_prompt: return "long-prompt->remote";
    case route_reason::overflow: return "overflow->remote";
    case route_reason::local_down: return "local-down->remote";
    case route_reason::remote_only: return "remote-only";
    case route_reason::unknown_model: return "unknown-model";
    case route_reason::draining: return "draining";
    case route_reason::no_target: return "no-target";
  }
  return "unknown";
}

namespace {

std::vector<route_target> available_remotes(std::size_t remotes, const std::vector<bool>& available) {
  std::vector<route_target> out;
  for (std::size_t i = 0; i < remotes && i < available.size(); ++i)
    if (available[i]) out.push_back({target_kind::remote_provider, i});
  return out;
}

constexpr route_target local_target{target_kind::local_pool, 0};

// The local pool cannot start the request soon enough: full queue, or a wait past the TTFT target.
// A NaN estimate compares false and so never triggers overflow.
bool saturated(const model_routing& routing, const local_snapshot& local) {
  return local.queue_full || (routing.ttft_target_s > 0 && local.estimated_wait_s > routing.ttft_target_s);
}

}  // namespace

route_plan plan_route(const request_facts& request, const model_routing& routing,
                      const local_snapshot& local, const std::vector<bool>& remote_available,
                      bool draining) {
  // 404 before 503: a client asking for a model nobody serves should learn that, drain or not.
  if (!request.known_model) return {{}, route_reason::unknown_model};
  if (draining) return {{}, route_reason::draining};

  // Decided before remotes are even listed, so that no later rule can add one.
  if (request.restricted || routing.restricted) {
    if (routing.has_local && local.available) return {{local_target}, route_reason::sensitive_local};
    return {{}, route_reason::no_target};
  }

  auto remotes = available_remotes(routing.remotes, remote_available);
  if (!routing.has_local) {
    if (remotes.empty()) return {{}, route_reason::no_target};
    return {std::move(remotes), route_reason::remote_only};
  }
  // The local pool is not a fallback here: the prompt would not fit its context.
  if (routing.long_prompt_tokens > 0 && request.prompt_tokens > routing.long_prompt_tokens &&
      !remotes.empty())
    return {std::move(remotes), route_reason::long_prompt};
  if (!local.available) {
    if (remotes.empty()) return {{}, route_reason::no_target};
    return {std::move(remotes), route_reason::local_down};
  }
  // Local stays last: if every remote fails before its first token, waiting beats refusing.
  if (routing.overflow && saturated(routing, local) && !remotes.empty()) {
    remotes.push_back(local_target);
    return {std::move(remotes), route_reason::overflow};
  }
  route_plan plan{{local_target}, route_reason::local};
  if (routing.fallback) plan.targets.insert(plan.targets.end(), remotes.begin(), remotes.end());
  return plan;
}

}  // namespace gw
