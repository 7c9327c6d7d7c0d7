#pragma once
// Mid-stream continuation (`routing.continue_on_failure`; README, "Streams that survive a local
// server"): when a local target fails after the client has seen text, the next allowed target is
// asked to go on with the same answer (the request plus the text so far as a prefill, as that
// target takes one: backends/continuation_body), and its chunks reach the client under the
// stream's first id and created (backends/chunk_relay), so that the client reads one answer.
//
// Who continues: the plan's targets after the failed one, in order (a restricted request's plan
// holds the local pool only), then the local pool again (another of its servers: never the one
// that failed). A target that cannot take a prefill (`continuation: none`, the in-process sim) is
// skipped. What is refused, whatever the targets (the stream then ends with its error event as
// before): tool-call deltas were streamed, the stream is inside reasoning, logprobs, n > 1,
// legacy echo or suffix, a prompt that is not one string, max_tokens already reached.
// Reactor thread only.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "backends/stream_transcript.hpp"
#include "engine/token_stream.hpp"
#include "gateway/drain_state.hpp"
#include "gateway/request_context.hpp"

namespace gw {

struct completion_job;
struct incoming_request;
struct exchange_record;
struct provider_state;

// One stream's continuation state; the job holds it when the model continues on failure.
struct continuation_state {
  explicit continuation_state(metrics& m, std::string model) : stats(m), model(std::move(model)) {}
  continuation_state(const continuation_state&) = delete;
  continuation_state& operator=(const continuation_state&) = delete;
  // Counts the last switch's outcome (gateway_continuations_total) if it is still open.
  ~continuation_state();

  metrics& stats;
  std::string model;
  stream_transcript transcript;  // what the client has been sent
  std::size_t target_index = 0;  // the plan's target now serving
  bool serving_local = true;     // that target is the local pool
  std::uint32_t carried_tokens = 0;  // completion tokens of the targets before it
  std::string avoid_server;          // the local server that failed last
  provider_state* provider = nullptr;  // the provider now serving, if any (for cost)
  int switches = 0;
  // The switch whose outcome is not counted yet: its kinds, then "completed" or "failed".
  std::string_view from_kind, to_kind;
  bool open = false;
  // Streams that ended (kept until the exchange ends) and the drain's hold on the current one.
  std::vector<stream_lease> retired;
  std::optional<stream_registration> registered;

  void count(std::string_view outcome);  // the open switch's outcome, once
};

struct continuation_start {
  std::optional<stream_lease> lease;  // the continuing stream; empty when refused
  std::string route;                  // "local:<model>" or "remote:<provider>"
  std::string_view kind;              // "local-server" or "remote"
  provider_state* provider = nullptr;
  const char* refused = nullptr;      // why not, when no stream
};

// Whether a stream that failed now (`failed`, after `st.transcript` reached the client) may be
// continued at all, and if so the continuing stream, started.
continuation_start start_continuation(request_context& cx, completion_job& job, const incoming_request& req,
                                      continuation_state& st, const token_stream& failed);

// At a failure after text (`error`, from the stream `lease` holds): starts the continuation and
// puts its stream in `lease` (the failed one is kept in `st.retired`), names both routes in
// `rec`, and returns the SSE comment to write. Empty when refused: the stream then ends with its
// error event as before.
std::string switch_stream(request_context& cx, completion_job& job, const incoming_request& req,
                          continuation_state& st, stream_lease& lease, exchange_record& rec, engine_errc error);

// The SSE comment the client reads at the switch.
std::string continuation_comment(std::string_view from, std::string_view to, std::string_view reason);

}  // namespace gw
