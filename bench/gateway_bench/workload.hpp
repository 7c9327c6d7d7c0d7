#pragma once
// What each request asks for: the prompt (generated words or a dataset entry), max_tokens, and
// the JSON body. One workload per shard (reactor thread), drawing from its own seeded engine,
// so a --seed reproduces the sequence of requests. Not thread-safe.

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "bench/gateway_bench/dataset.hpp"
#include "bench/gateway_bench/options.hpp"
#include "bench/gateway_bench/sampling.hpp"

namespace gw::bench {

struct request_spec {
  std::string body;                 // the JSON request body
  std::uint32_t prompt_tokens = 0;  // the client's estimate (words); usage overrides it
  std::uint32_t max_tokens = 0;
};

// Appends `words` space-separated words of at most four letters (one token each for the
// gateway's tokenizer and for common BPE vocabularies), drawn from `r`.
void append_generated_prompt(std::string& out, std::uint32_t words, rng& r);

class workload {
 public:
  // Shard `shard` of `shards`: dataset entries are taken from one seeded permutation, shard s
  // taking positions s, s + shards, ... so shards do not repeat each other.
  workload(const bench_options& o, std::shared_ptr<const std::vector<dataset_entry>> dataset, unsigned shard,
           unsigned shards);

  // Fills `out` with the next request, reusing its capacity; with `max_tokens` > 0, asking for
  // that many tokens instead of a drawn length (a held connection's one short request).
  void next(request_spec& out, std::uint32_t max_tokens = 0);

 private:
  std::string head_;  // the body up to the prompt string's opening quote
  std::string tail_;  // from its closing quote to max_tokens' value
  std::string end_;   // after max_tokens' value
  bool ask_tokens_ = false;  // the body has max_tokens (not embeddings)
  length_distribution prompt_tokens_;
  length_distribution output_tokens_;
  bool output_tokens_given_;
  std::shared_ptr<const std::vector<dataset_entry>> dataset_;
  std::vector<std::uint32_t> order_;
  std::size_t cursor_;
  unsigned stride_;
  rng rng_;
};

}  // namespace gw::bench
