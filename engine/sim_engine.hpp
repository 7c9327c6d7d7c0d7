#pragma once
// The built-in simulated engine: deterministic text (sim_text) under a timing model of a real
// accelerator deployment, so the gateway can be run, tested and load-tested anywhere.
//
// Timing model, in modeled seconds (then multiplied by time_scale to get wall time):
//  - prefill: one lane per engine; a sequence's prompt occupies it for
//    prompt_tokens / prefill_tokens_per_s, and its first token appears prefill_latency_s after
//    its prefill finishes (scheduling, KV transfer, first kernel launches);
//  - decode: one step over every decoding sequence takes
//    decode_base_s + decode_per_sequence_s * batch_size and yields one token per sequence.
// The model keeps its own clock, so the text and the token timings are deterministic and can be
// tested without waiting; time_scale = 0 removes all waiting (the gateway's own overhead).
//
// What a sequence says: without a script, one choice of free text (sim_text) to its natural end
// or max_tokens; with one (sim_script.hpp), each of its n choices follows its plan: reasoning,
// tool-call arguments or JSON as fixed pieces, then free text if the plan ends with it. The n
// choices of a sequence decode together like n sequences of the batch (as vLLM runs them), one
// token each per step, and each ends on its own; the sequence ends with its last choice.

#include <string>
#include <unordered_map>
#include <vector>

#include "engine/engine.hpp"
#include "engine/sim_text.hpp"
#include "engine/stop_matcher.hpp"

namespace gw {

struct sim_timing {
  double prefill_tokens_per_s = 20000;
  double prefill_latency_s = 0.05;
  double decode_base_s = 0.015;
  double decode_per_sequence_s = 0.00003;
  std::uint64_t kv_token_capacity = 262144;  // prompt + generated tokens the engine can hold
  double time_scale = 1.0;                   // wall seconds per modeled second; 0 = no waiting
  std::uint32_t embedding_dimensions = 1024; // length of the embedding vectors
};

// A named preset reproducing a reference deployment; nullptr if the name is unknown.
const sim_timing* find_sim_preset(std::string_view name);
std::vector<std::string> sim_preset_names();
// Whether a preset's model is a reasoning model (the deepseek-r1-* presets): the sim then
// thinks aloud (reasoning_content) before it answers, unless a request turns that off.
bool sim_preset_reasons(std::string_view name);

class sim_engine final : public engine {
 public:
  explicit sim_engine(sim_timing timing);

  void admit(sequence_id id, generation_params params) override;
  void cancel(sequence_id id) override;
  bool has_work() const override { return !sequences_.empty(); }
  step_result step() override;
  embedding_output embed(const embedding_job& job) override;

  double clock() const { return clock_; }  // modeled seconds since construction

 private:
  struct choice_state {
    choice_state(std::uint64_t seed, const std::vector<std::string>& stop) : text(seed), stops(stop) {}
    sim_text text;  // the free text
    stop_matcher stops;  // applies to the free text only
    std::uint32_t generated = 0;   // this choice's tokens so far
    std::uint32_t segment = 0;     // the script segment it is in
    std::uint32_t in_segment = 0;  // tokens into that segment
    bool done = false;
  };
  struct sequence {
    sequence(generation_params p, double ready);
    generation_params params;
    std::vector<choice_state> choices;
    double ready_at;            // modeled time its first token is available
    bool started = false;       // its first token (from the prefill) is out: it decodes now
    std::uint32_t running = 0;  // choices not done
  };
  // Generates one token for choice `i` of `s`; true when that choice has finished.
  bool generate(sequence_id id, sequence& s, std::uint32_t i, step_result& out);
  // One token for every running choice of `s`; true when the sequence has finished.
  bool generate(sequence_id id, sequence& s, step_result& out);

  sim_timing timing_;
  std::unordered_map<sequence_id, sequence> sequences_;
  double clock_ = 0;
  double prefill_free_at_ = 0;
  double embed_pending_s_ = 0;  // modeled cost of embeddings computed since the last step
};

}  // namespace gw
