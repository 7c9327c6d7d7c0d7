#pragma once
// The local engine contract: a step-based engine, so the batcher can drive it with continuous
// batching (admit and drop sequences only at step boundaries).
//
// Thread-safety: none. Every call comes from the engine's own worker thread (engine_worker),
// one at a time; an engine never sees the reactor.

#include "engine/generation.hpp"

namespace gw {

class engine {
 public:
  virtual ~engine() = default;

  // Adds a sequence to the batch; it starts (prefill) with the next step.
  virtual void admit(sequence_id id, generation_params params) = 0;
  // Drops a sequence now; no output is produced for it afterwards. Unknown ids are ignored.
  virtual void cancel(sequence_id id) = 0;
  // True while any sequence is in the batch.
  virtual bool has_work() const = 0;
  // Runs one step over the batch and returns what each sequence produced. Sequences that
  // finished or failed in this step are no longer in the batch when it returns.
  virtual step_result step() = 0;
  // Embeds `job` as part of the next step: the vectors are computed now, their cost is added
  // to the next step's time (like a prefill of the inputs).
  virtual embedding_output embed(const embedding_job& job) = 0;
};

}  // namespace gw
