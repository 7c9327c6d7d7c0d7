#include "policy/route_plan.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

namespace gw {
namespace {

// "L" for the local pool, "R<i>" for remote i, comma-separated in plan order.
std::string describe(const route_plan& plan) {
  std::string out;
  for (const auto& t : plan.targets) {
    if (!out.empty()) out += ',';
    out += t.kind == target_kind::local_pool ? "L" : "R" + std::to_string(t.index);
  }
  return out;
}

struct route_case {
  std::string name;
  request_facts request;
  model_routing routing;
  local_snapshot local;
  std::vector<bool> remote_available;
  bool draining;
  std::string targets;
  route_reason reason;
};

// Shorthands for the table: a hybrid model with two remotes, a 1000-token long-prompt threshold
// and a 2 s TTFT target; local pool healthy and idle.
const model_routing hybrid{.has_local = true, .remotes = 2, .long_prompt_tokens = 1000, .ttft_target_s = 2};
const model_routing local_only{.has_local = true, .remotes = 0};
const model_routing remote_only_model{.has_local = false, .remotes = 2};
const request_facts plain{};
const request_facts secret{.restricted = true};
const request_facts big{.prompt_tokens = 5000};
const request_facts unknown{.known_model = false};
const local_snapshot idle{};
const local_snapshot down{.available = false};
const local_snapshot full{.queue_full = true};
const local_snapshot slow{.estimated_wait_s = 3};
const std::vector<bool> both{true, true};
const std::vector<bool> second{false, true};
const std::vector<bool> none{false, false};

model_routing with(model_routing r, auto edit) {
  edit(r);
  return r;
}

TEST(plan_route, table) {
  const route_case cases[] = {
      // unknown model comes first, whatever else holds
      {"unknown model", unknown, hybrid, idle, both, false, "", route_reason::unknown_model},
      {"unknown model while draining is still a 404", unknown, hybrid, idle, both, true, "",
       route_reason::unknown_model},
      {"unknown model, restricted", {.known_model = false, .restricted = true}, hybrid, idle, both, false, "",
       route_reason::unknown_model},
      // draining before everything else
      {"draining", plain, hybrid, idle, both, true, "", route_reason::draining},
      {"draining beats restricted", secret, hybrid, idle, both, true, "", route_reason::draining},
      {"draining beats remote-only", plain, remote_only_model, idle, both, true, "", route_reason::draining},
      // restricted: local or nothing
      {"restricted request", secret, hybrid, idle, both, false, "L", route_reason::sensitive_local},
      {"restricted model", plain, with(hybrid, [](auto& r) { r.restricted = true; }), idle, both, false, "L",
       route_reason::sensitive_local},
      {"restricted beats long prompt", {.restricted = true, .prompt_tokens = 5000}, hybrid, idle, both, false, "L",
       route_reason::sensitive_local},
      {"restricted beats overflow (full queue)", secret, hybrid, full, both, false, "L",
       route_reason::sensitive_local},
      {"restricted beats overflow (slow)", secret, hybrid, slow, both, false, "L", route_reason::sensitive_local},
      {"restricted with local down: refuse, never remote", secret, hybrid, down, both, false, "",
       route_reason::no_target},
      {"restricted without a local pool: refuse", secret, remote_only_model, idle, both, false, "",
       route_reason::no_target},
      {"restricted model without a local pool: refuse", plain,
       with(remote_only_model, [](auto& r) { r.restricted = true; }), idle, both, false, "",
       route_reason::no_target},
      {"restricted, local-only model", secret, local_only, idle, {}, false, "L",
       route_reason::sensitive_local},
      // no local pool
      {"remote only", plain, remote_only_model, idle, both, false, "R0,R1", route_reason::remote_only},
      {"remote only skips unavailable", plain, remote_only_model, idle, second, false, "R1",
       route_reason::remote_only},
      {"remote only, none available", plain, remote_only_model, idle, none, false, "", route_reason::no_target},
      {"remote only beats long prompt", big, with(remote_only_model, [](auto& r) { r.long_prompt_tokens = 10; }),
       idle, both, false, "R0,R1", route_reason::remote_only},
      {"no local, no remotes", plain, {.has_local = false, .remotes = 0}, idle, {}, false, "",
       route_reason::no_target},
      // long prompt
      {"long prompt", big, hybrid, idle, both, false, "R0,R1", route_reason::long_prompt},
      {"long prompt, one remote up", big, hybrid, idle, second, false, "R1", route_reason::long_prompt},
      {"long prompt, no remote up: local after all", big, hybrid, idle, none, false, "L", route_reason::local},
      {"prompt at the threshold is not long", {.prompt_tokens = 1000}, hybrid, idle, both, false, "L,R0,R1",
       route_reason::local},
      {"prompt one over the threshold", {.prompt_tokens = 1001}, hybrid, idle, both, false, "R0,R1",
       route_reason::long_prompt},
      {"threshold 0 is off", big, with(hybrid, [](auto& r) { r.long_prompt_tokens = 0; }), idle, both, false,
       "L,R0,R1", route_reason::local},
      {"long prompt beats local down", big, hybrid, down, both, false, "R0,R1", route_reason::long_prompt},
      {"long prompt beats overflow", big, hybrid, full, both, false, "R0,R1", route_reason::long_prompt},
      {"long prompt ignores fallback=false", big, with(hybrid, [](auto& r) { r.fallback = false; }), idle, both,
       false, "R0,R1", route_reason::long_prompt},
      // local down
      {"local down", plain, hybrid, down, both, false, "R0,R1", route_reason::local_down},
      {"local down, one remote up", plain, hybrid, down, second, false, "R1", route_reason::local_down},
      {"local down, no remote up", plain, hybrid, down, none, false, "", route_reason::no_target},
      {"local down, no remotes configured", plain, local_only, down, {}, false, "", route_reason::no_target},
      {"local down beats overflow", plain, hybrid, {.available = false, .queue_full = true}, both, false, "R0,R1",
       route_reason::local_down},
      {"local down ignores fallback=false", plain, with(hybrid, [](auto& r) { r.fallback = false; }), down, both,
       false, "R0,R1", route_reason::local_down},
      // overflow
      {"overflow on full queue", plain, hybrid, full, both, false, "R0,R1,L", route_reason::overflow},
      {"overflow on wait over TTFT target", plain, hybrid, slow, both, false, "R0,R1,L", route_reason::overflow},
      {"overflow with one remote up", plain, hybrid, full, second, false, "R1,L", route_reason::overflow},
      {"overflow, no remote up: local", plain, hybrid, full, none, false, "L", route_reason::local},
      {"wait at the TTFT target is not overflow", plain, hybrid, {.estimated_wait_s = 2}, both, false, "L,R0,R1",
       route_reason::local},
      {"TTFT target 0 is off", plain, with(hybrid, [](auto& r) { r.ttft_target_s = 0; }), slow, both, false,
       "L,R0,R1", route_reason::local},
      {"TTFT target 0 still overflows on a full queue", plain, with(hybrid, [](auto& r) { r.ttft_target_s = 0; }),
       full, both, false, "R0,R1,L", route_reason::overflow},
      {"NaN wait is not overflow", plain, hybrid, {.estimated_wait_s = std::nan("")}, both, false, "L,R0,R1",
       route_reason::local},
      {"overflow disabled", plain, with(hybrid, [](auto& r) { r.overflow = false; }), full, both, false,
       "L,R0,R1", route_reason::local},
      {"overflow disabled, no fallback", plain, with(hybrid, [](auto& r) {
         r.overflow = false;
         r.fallback = false;
       }),
       full, both, false, "L", route_reason::local},
      {"overflow ignores fallback=false", plain, with(hybrid, [](auto& r) { r.fallback = false; }), full, both,
       false, "R0,R1,L", route_reason::overflow},
      // local
      {"local with fallback", plain, hybrid, idle, both, false, "L,R0,R1", route_reason::local},
      {"local with fallback skips unavailable", plain, hybrid, idle, second, false, "L,R1", route_reason::local},
      {"local, no remote up", plain, hybrid, idle, none, false, "L", route_reason::local},
      {"local without fallback", plain, with(hybrid, [](auto& r) { r.fallback = false; }), idle, both, false, "L",
       route_reason::local},
      {"local only model", plain, local_only, idle, {}, false, "L", route_reason::local},
      // remote_available shorter or longer than the remote list
      {"missing availability counts as down", plain, with(hybrid, [](auto& r) { r.remotes = 3; }), idle,
       {true, false}, false, "L,R0", route_reason::local},
      {"extra availability entries ignored", plain, with(hybrid, [](auto& r) { r.remotes = 1; }), idle,
       {true, true, true}, false, "L,R0", route_reason::local},
      {"no availability at all: remote only refuses", plain, remote_only_model, idle, {}, false, "",
       route_reason::no_target},
  };
  for (const auto& c : cases) {
    const auto plan = plan_route(c.request, c.routing, c.local, c.remote_available, c.draining);
    EXPECT_EQ(describe(plan), c.targets) << c.name;
    EXPECT_EQ(plan.reason, c.reason) << c.name << ": got " << to_string(plan.reason);
  }
}

// The product's key invariant, checked over every combination of inputs rather than examples:
// whatever the config, load or health, a restricted request never gets a remote target.
TEST(plan_route, restricted_never_gets_a_remote_target) {
  const std::vector<std::vector<bool>> availabilities = {
      {}, {false}, {true}, {false, false}, {true, false}, {false, true}, {true, true},
      {true, true, true}, {false, true, false, true}, {true, true, true, true},
  };
  const std::uint32_t prompts[] = {0, 1000, 1001, 1000000};
  const std::uint32_t thresholds[] = {0, 1, 1000};
  const double ttfts[] = {0, 0.5, 2};
  const double waits[] = {0, 3, std::nan("")};
  std::size_t checked = 0, refused = 0;
  for (int restricted_by = 1; restricted_by <= 3; ++restricted_by)  // request, model, both
    for (bool known : {true, false})
      for (bool draining : {false, true})
        for (bool has_local : {false, true})
          for (std::size_t remotes = 0; remotes <= 4; ++remotes)
            for (const auto& avail : availabilities)
              for (auto prompt : prompts)
                for (auto threshold : thresholds)
                  for (auto ttft : ttfts)
                    for (bool overflow : {false, true})
                      for (bool fallback : {false, true})
                        for (bool available : {false, true})
                          for (bool queue_full : {false, true})
                            for (auto wait : waits) {
                              const request_facts req{known, (restricted_by & 1) != 0, prompt};
                              const model_routing routing{has_local, remotes, (restricted_by & 2) != 0, threshold,
                                                          ttft, overflow, fallback};
                              const local_snapshot local{available, queue_full, wait};
                              const auto plan = plan_route(req, routing, local, avail, draining);
                              ++checked;
                              if (plan.targets.empty()) ++refused;
                              bool ok = plan.targets.size() <= 1;
                              for (const auto& t : plan.targets) ok = ok && t.kind == target_kind::local_pool;
                              if (!plan.targets.empty())
                                ok = ok && plan.reason == route_reason::sensitive_local && has_local && available;
                              if (!ok) {
                                ADD_FAILURE() << "restricted request routed to " << describe(plan) << " ("
                                              << to_string(plan.reason) << ")";
                                return;
                              }
                            }
  EXPECT_GT(checked, 1000000u);
  EXPECT_GT(refused, 0u);
  EXPECT_LT(refused, checked);
}

TEST(plan_route, remote_indices_follow_config_order) {
  const auto plan = plan_route(plain, {.has_local = false, .remotes = 4}, idle, {true, false, true, true}, false);
  ASSERT_EQ(plan.targets.size(), 3u);
  EXPECT_EQ(plan.targets[0].index, 0u);
  EXPECT_EQ(plan.targets[1].index, 2u);
  EXPECT_EQ(plan.targets[2].index, 3u);
  for (const auto& t : plan.targets) EXPECT_EQ(t.kind, target_kind::remote_provider);
}

TEST(route_reason, names) {
  const std::pair<route_reason, std::string> names[] = {
      {route_reason::local, "local"},
      {route_reason::sensitive_local, "sensitive->local"},
      {route_reason::long_prompt, "long-prompt->remote"},
      {route_reason::overflow, "overflow->remote"},
      {route_reason::local_down, "local-down->remote"},
      {route_reason::remote_only, "remote-only"},
      {route_reason::unknown_model, "unknown-model"},
      {route_reason::draining, "draining"},
      {route_reason::no_target, "no-target"},
  };
  for (const auto& [r, name] : names) EXPECT_EQ(std::string(to_string(r)), name);
}

}  // namespace
}  // namespace gw
