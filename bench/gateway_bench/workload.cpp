#include "bench/gateway_bench/workload.hpp"

#include <algorithm>
#include <array>
#include <numeric>
#include <string_view>

#include "backends/json_writer.hpp"

namespace gw::bench {
namespace {

// Short common words: each is one token for the gateway's tokenizer (ceil(length / 4)) and in
// BPE vocabularies. 64 of them, so a draw is 6 bits.
constexpr std::array<std::string_view, 64> words = {
    "the",  "of",   "and",  "to",   "in",   "is",   "it",   "you",  "that", "he",   "was",  "for", "on",
    "are",  "as",   "with", "his",  "they", "at",   "be",   "this", "have", "from", "or",   "one", "had",
    "by",   "word", "but",  "not",  "what", "all",  "were", "we",   "when", "your", "can",  "said", "our",
    "use",  "an",   "each", "she",  "do",   "how",  "if",   "will", "up",   "out",  "many", "then", "them",
    "so",   "some", "her",  "make", "like", "him",  "into", "time", "has",  "look", "two",  "more"};

}  // namespace

void append_generated_prompt(std::string& out, std::uint32_t n, rng& r) {
  std::uint64_t bits = 0;
  int left = 0;
  for (std::uint32_t i = 0; i < n; ++i) {
    if (left == 0) {
      bits = r();
      left = 10;  // 10 draws of 6 bits from each 64-bit number
    }
    if (i > 0) out += ' ';
    out += words[bits & 63];
    bits >>= 6;
    --left;
  }
}

workload::workload(const bench_options& o, std::shared_ptr<const std::vector<dataset_entry>> dataset, unsigned shard,
                   unsigned shards)
    : prompt_tokens_(o.prompt_tokens),
      output_tokens_(o.output_tokens),
      output_tokens_given_(o.output_tokens_given),
      dataset_(std::move(dataset)),
      cursor_(shard),
      stride_(shards) {
  std::seed_seq seq{static_cast<std::uint32_t>(o.seed), static_cast<std::uint32_t>(o.seed >> 32), shard};
  rng_.seed(seq);
  if (dataset_) {
    order_.resize(dataset_->size());
    std::iota(order_.begin(), order_.end(), 0u);
    rng perm(o.seed);  // the same permutation in every shard
    std::shuffle(order_.begin(), order_.end(), perm);
  }
  head_ = "{\"model\":";
  json::append_string(head_, o.model);
  const bool chat_shape = o.endpoint == api_endpoint::chat || o.endpoint == api_endpoint::messages;
  if (o.endpoint == api_endpoint::embeddings) {
    // No length to ask for: the body ends after the input.
    head_ += ",\"input\":\"";
    tail_ = "\"}";
    return;
  }
  head_ += chat_shape ? ",\"messages\":[{\"role\":\"user\",\"content\":\"" : ",\"prompt\":\"";
  tail_ = chat_shape ? "\"}],\"max_tokens\":" : "\",\"max_tokens\":";
  if (o.ignore_eos) end_ += ",\"ignore_eos\":true";
  // The Messages API always reports usage in its events: no stream_options there.
  if (o.endpoint == api_endpoint::messages) end_ += o.stream ? ",\"stream\":true}" : ",\"stream\":false}";
  else end_ += o.stream ? ",\"stream\":true,\"stream_options\":{\"include_usage\":true}}" : ",\"stream\":false}";
  ask_tokens_ = true;
}

void workload::next(request_spec& out, std::uint32_t max_tokens) {
  out.body.clear();
  out.body += head_;
  if (dataset_) {
    const dataset_entry& e = (*dataset_)[order_[cursor_ % order_.size()]];
    cursor_ += stride_;
    // append_string quotes; the head already opened the quote, so escape into place.
    const std::size_t at = out.body.size();
    json::append_string(out.body, e.prompt);
    out.body.erase(at, 1);     // its opening quote
    out.body.pop_back();       // its closing quote
    out.prompt_tokens = e.prompt_words;
    out.max_tokens = (output_tokens_given_ || e.output_tokens == 0) ? output_tokens_.sample(rng_) : e.output_tokens;
  } else {
    out.prompt_tokens = prompt_tokens_.sample(rng_);
    out.max_tokens = output_tokens_.sample(rng_);
    append_generated_prompt(out.body, out.prompt_tokens, rng_);
  }
  if (max_tokens > 0) out.max_tokens = max_tokens;
  out.body += tail_;
  if (!ask_tokens_) {
    out.max_tokens = 0;
    return;
  }
  json::append_uint(out.body, out.max_tokens);
  out.body += end_;
}

}  // namespace gw::bench
