#pragma once
// The vocabulary shared by the batcher and every engine: what a sequence asks for, what one step
// produces for it, and how it can fail.

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "backends/finish_reason.hpp"

namespace gw {

using sequence_id = std::uint64_t;


// What a token of an answer is: answer text, reasoning (a reasoning model's thinking, sent as
// reasoning_content), or a tool call's arguments.
enum class output_channel : std::uint8_t { content, reasoning, tool_arguments };

struct sim_script;  // engine/sim_script.hpp

// Failures a sequence can end with; the gateway maps each to an HTTP status (api_error.hpp).
enum class engine_errc {
  queue_full,     // max_queued sequences are already waiting
  queue_timeout,  // waited longer than max_queue_wait before admission
  engine_failed,  // the engine failed while running it
  shutting_down,  // the pool is stopping
  upstream_rate_limited,  // a remote upstream answered 429
  upstream_rejected,      // a remote upstream refused the request (4xx): the client's fault
  upstream_failed,        // a remote upstream failed (5xx, transport, timeout, broken stream)
};
const char* to_string(engine_errc e);

struct generation_params {
  std::string prompt;               // the rendered prompt text
  std::uint32_t prompt_tokens = 0;  // its token count, as the pool's tokenizer counts it
  std::uint32_t max_tokens = 16;    // >= 1; prompt_tokens + max_tokens <= the model's length
  std::uint64_t seed = 0;           // same seed and prompt => same text
  std::vector<std::string> stop;    // the text ends before the first occurrence of any
  bool ignore_eos = false;          // run to max_tokens (or a stop string), never end early
  // Choices generated together for this request (OpenAI's `n`), each up to max_tokens: the
  // sequence reserves prompt_tokens + n * max_tokens of the token budget.
  std::uint32_t n = 1;
  // The simulated engine's plan for each choice (reasoning, tool calls, JSON answers); null: one
  // choice of plain text. Immutable once submitted, shared with the gateway's framer.
  std::shared_ptr<const sim_script> script;
};

// What one step produced for one choice of one sequence. A step's outputs for one sequence are
// consecutive, in choice order; the one carrying `finish` is the sequence's last.
struct sequence_output {
  sequence_id id = 0;
  std::string text;          // may be empty while a possible stop string is held back
  std::uint32_t tokens = 0;  // tokens generated this step (0 or 1 for the sim engine)
  std::uint32_t choice = 0;  // which of the sequence's n choices (0 when n = 1)
  output_channel channel = output_channel::content;  // what `text` is
  std::optional<finish_reason> choice_finish;  // set on the choice's last output
  std::optional<finish_reason> finish;  // set on the sequence's last output (every choice ended)
};

// Texts to embed, batched into an engine step with the decoding sequences.
struct embedding_job {
  sequence_id id = 0;
  std::vector<std::string> inputs;
  std::uint32_t dimensions = 0;  // 0: the engine's full dimension
};

struct embedding_output {
  sequence_id id = 0;
  std::vector<std::vector<float>> vectors;  // one unit-length vector per input, in order
  std::uint32_t tokens = 0;                  // input tokens
  // A local server's answer to a request forwarded alone, relayed as written but for the model
  // (backends/chunk_relay); `vectors` is then empty.
  std::string body;
};

struct step_result {
  std::vector<sequence_output> outputs;
  std::vector<embedding_output> embeddings;
  std::vector<sequence_id> failed;    // sequences the engine dropped because it failed them
  std::size_t batch_size = 0;         // sequences that decoded in this step
  std::chrono::nanoseconds pace{0};   // wall time this step should take (0: as fast as possible)
  std::chrono::steady_clock::time_point ended{};  // when its pace was over (set by engine_worker)
};

}  // namespace gw
