// Per-request decisions: the route plan, picking a local server by prefix affinity with bounded
// load, hashing the affinity key, and the batcher's admission count at a step boundary.

#include <benchmark/benchmark.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "engine/admission.hpp"
#include "policy/prefix_affinity.hpp"
#include "policy/route_plan.hpp"

namespace {

// The plan for an ordinary request: local pool first, two of three remotes behind it.
void BM_plan_route_local(benchmark::State& state) {
  const gw::request_facts request{true, false, 800};
  const gw::model_routing routing{true, 3, false, 32000, 2.0, true, true};
  const gw::local_snapshot local{true, false, 0.4};
  const std::vector<bool> remotes{true, false, true};
  for (auto _ : state) {
    auto plan = gw::plan_route(request, routing, local, remotes, false);
    benchmark::DoNotOptimize(plan);
  }
  state.SetItemsProcessed(state.iterations());
}

// The local pool is saturated (wait over the TTFT target): remotes first, local last.
void BM_plan_route_overflow(benchmark::State& state) {
  const gw::request_facts request{true, false, 800};
  const gw::model_routing routing{true, 3, false, 32000, 2.0, true, true};
  const gw::local_snapshot local{true, false, 5.0};
  const std::vector<bool> remotes{true, true, true};
  for (auto _ : state) {
    auto plan = gw::plan_route(request, routing, local, remotes, false);
    benchmark::DoNotOptimize(plan);
  }
  state.SetItemsProcessed(state.iterations());
}

// A restricted request: decided before remotes are looked at.
void BM_plan_route_restricted(benchmark::State& state) {
  const gw::request_facts request{true, true, 800};
  const gw::model_routing routing{true, 3, false, 32000, 2.0, true, true};
  const gw::local_snapshot local{true, false, 0.4};
  const std::vector<bool> remotes{true, true, true};
  for (auto _ : state) {
    auto plan = gw::plan_route(request, routing, local, remotes, false);
    benchmark::DoNotOptimize(plan);
  }
  state.SetItemsProcessed(state.iterations());
}

std::vector<std::string> server_names(std::size_t n) {
  std::vector<std::string> names;
  for (std::size_t i = 0; i < n; ++i) names.push_back("vllm-" + std::to_string(i) + ".local:8000");
  return names;
}

// Key hashes of 1024 different prefixes, cycled through so the ring lookup is not one branch.
std::vector<std::uint64_t> key_hashes() {
  std::vector<std::uint64_t> keys;
  for (std::size_t i = 0; i < 1024; ++i)
    keys.push_back(gw::affinity_hash("system prompt variant " + std::to_string(i)));
  return keys;
}

// 8 servers, 64 ring points each; arg 0: lightly loaded (the first ring member takes it),
// arg 1: a hot spot, so most walks pass over full or over-bound members.
void BM_pick_member_8(benchmark::State& state) {
  const gw::hash_ring ring(server_names(8));
  std::vector<gw::affinity_member> members(8);
  for (std::size_t i = 0; i < members.size(); ++i) {
    members[i].capacity = 16;
    members[i].in_flight = state.range(0) == 0 ? i % 3 : (i < 6 ? 16 : 2);
  }
  const auto keys = key_hashes();
  std::size_t k = 0;
  for (auto _ : state) {
    auto pick = gw::pick_member(ring, keys[k], members, 1.25);
    benchmark::DoNotOptimize(pick);
    if (++k == keys.size()) k = 0;
  }
  state.SetItemsProcessed(state.iterations());
}

// The ring walk alone (pick_member's inner step).
void BM_hash_ring_walk_8(benchmark::State& state) {
  const gw::hash_ring ring(server_names(8));
  const auto keys = key_hashes();
  std::size_t k = 0;
  for (auto _ : state) {
    auto order = ring.walk(keys[k]);
    benchmark::DoNotOptimize(order);
    if (++k == keys.size()) k = 0;
  }
  state.SetItemsProcessed(state.iterations());
}

void BM_affinity_hash_1k(benchmark::State& state) {
  std::string key;
  while (key.size() < 1024) key += "You are a helpful assistant for the billing team. ";
  key.resize(1024);
  for (auto _ : state) {
    benchmark::DoNotOptimize(key.data());
    auto h = gw::affinity_hash(key);
    benchmark::DoNotOptimize(h);
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * key.size()));
  state.SetItemsProcessed(state.iterations());
}

// admit_count over 1024 waiting reservations (prompt + max new tokens, 300..2300 tokens).
// arg 0: room for all 1024 (the scan runs to the end); arg 1: a realistic engine (256 slots,
// 256 Ki tokens of KV cache, half held) that stops early.
void BM_admit_count_1024(benchmark::State& state) {
  std::vector<std::uint64_t> waiting(1024);
  std::uint64_t x = 12345;
  for (auto& t : waiting) {
    x = x * 6364136223846793005ull + 1442695040888963407ull;
    t = 300 + (x >> 33) % 2000;
  }
  gw::batch_limits limits;
  gw::engine_load load;
  if (state.range(0) == 0) {
    limits.max_batch_size = 4096;
    limits.token_budget = std::uint64_t{1} << 32;
  } else {
    load.running = 64;
    load.held_tokens = limits.token_budget / 2;
  }
  std::size_t admitted = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(waiting.data());
    admitted = gw::admit_count(waiting, load, limits);
    benchmark::DoNotOptimize(admitted);
  }
  state.counters["admitted"] = static_cast<double>(admitted);
  state.SetItemsProcessed(state.iterations());  // items: admission decisions (steps)
}

}  // namespace

BENCHMARK(BM_plan_route_local);
BENCHMARK(BM_plan_route_overflow);
BENCHMARK(BM_plan_route_restricted);
BENCHMARK(BM_pick_member_8)->ArgName("hot_spot")->Arg(0)->Arg(1);
BENCHMARK(BM_hash_ring_walk_8);
BENCHMARK(BM_affinity_hash_1k);
BENCHMARK(BM_admit_count_1024)->ArgName("stops_early")->Arg(0)->Arg(1);
