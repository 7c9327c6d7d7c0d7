#pragma once
// The route plan: where a request may run, in order, and why. Pure: it takes facts about the
// request, the model's routing settings and a snapshot of load and health (all read by the caller)
// and returns a decision, with no I/O, no clock and no state. Safe to call from any thread.
//
// The invariant every rule below serves: a restricted request (flagged by the client or by its
// model's config) never gets a remote target, whatever the config, load or health. It gets the
// local pool or nothing (503).

#include <cstddef>
#include <cstdint>
#include <vector>

namespace gw {

enum class route_reason {
  local,            // the model's local pool first, remotes (if fallback) behind it
  sensitive_local,  // restricted: the local pool only
  long_prompt,      // prompt over the model's long-prompt threshold: remotes only
  overflow,         // local pool saturated: remotes first, the local pool last
  local_down,       // local pool's breaker is open: remotes only
  remote_only,      // the model has no local pool
  unknown_model,    // nothing serves this model: 404
  draining,         // the gateway is shutting down: 503
  no_target,        // known model, but no target may take it now: 503
};
// The reason as it appears in logs and the x-gateway-route-reason header ("overflow->remote").
const char* to_string(route_reason r);

enum class target_kind { local_pool, remote_provider };

struct route_target {
  target_kind kind = target_kind::local_pool;
  std::size_t index = 0;  // into the model's remote provider list; 0 for the local pool
};

struct route_plan {
  std::vector<route_target> targets;  // try in order; empty: refuse (404 unknown_model, else 503)
  route_reason reason = route_reason::local;
};

// What the validated request says about itself.
struct request_facts {
  bool known_model = true;
  bool restricted = false;  // client asked that the request never leave the machine
  std::uint32_t prompt_tokens = 0;
};

// The model's routing settings, from config.
struct model_routing {
  bool has_local = true;                // the model has a local engine pool
  std::size_t remotes = 0;              // how many remote providers serve it
  bool restricted = false;              // every request for this model is restricted
  std::uint32_t long_prompt_tokens = 0; // prompts longer than this go remote; 0 = off
  double ttft_target_s = 0;             // overflow when the local wait would exceed it; 0 = off
  bool overflow = true;                 // may send to remotes when the local pool is saturated
  bool fallback = true;                 // remotes behind the local pool in a local plan
  // A stream whose local target fails after tokens were sent goes on, on the next allowed
  // target (gateway/continuation); not part of the plan itself.
  bool continue_on_failure = false;
};

// The local pool's state as the caller last saw it.
struct local_snapshot {
  bool available = true;  // its breaker allows requests
  bool queue_full = false;
  double estimated_wait_s = 0;  // time a new request would wait before its first token
};

// `remote_available[i]`: provider i's breaker allows requests. Entries past the end count as
// unavailable, entries past `routing.remotes` are ignored. Remote targets keep config order.
route_plan plan_route(const request_facts& request, const model_routing& routing,
                      const local_snapshot& local, const std::vector<bool>& remote_available,
                      bool draining);

}  // namespace gw
