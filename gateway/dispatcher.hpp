#pragma once
// Executes a route plan: starts the request on its first target and, while no token has reached
// the client, moves to the next target when one refuses or fails (a full local queue, a local
// engine failure, a provider that stays down after its retries). What it hands back is the
// stream that produced the first event, and which target that was.

#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <variant>

#include "engine/token_stream.hpp"
#include "engine/upstream_trace.hpp"
#include "gateway/api_error.hpp"
#include "gateway/model_directory.hpp"
#include "gateway/request_context.hpp"
#include "gateway/request_span.hpp"
#include "policy/route_plan.hpp"

namespace gw {

struct dispatch_request {
  const model_target* target = nullptr;
  const route_plan* plan = nullptr;
  // The local generation, or the 400 explaining why the local pool cannot run it (too long).
  std::variant<local_request, api_error> local;
  int priority = 0;
  std::string_view upstream_path;  // "/chat/completions" or "/completions": static
                                   // ("/messages" for a Messages-native provider)
  bool stream = true;         // the upstream body asks for a stream (else one JSON answer)
  std::function<std::string(const remote_target&, const provider_config&)> upstream_body;
  std::string_view public_model;  // the model the client named (the answer's `model`)
  bool client_usage = false;      // the client asked for usage itself
  std::uint32_t prompt_tokens_estimate = 0;
  // Views of the request's, which outlives its dispatch.
  std::string_view request_id;
  std::string_view anthropic_version, anthropic_beta;  // the client's, for Messages-native providers
  upstream_trace trace;  // what each upstream call carries of the trace (gateway/tracer)
  request_span* span = nullptr;  // the request's span, if recorded: fallbacks become its events
  // While the request waits for its first event (a queue slot, a provider's first byte), on_idle
  // runs each time idle_every passes (0: never); false means the client is gone, which ends the
  // wait as cancelled. Streams send SSE keep-alive comments with it.
  std::chrono::seconds idle_every{0};
  std::function<boost::asio::awaitable<bool>()> on_idle;
};

struct dispatched {
  std::optional<stream_lease> lease;  // the stream that produced `first`
  stream_delta first;                 // its first event (an error when every target failed)
  std::string route;                  // "local:<model>" or "remote:<provider>"
  std::string reason;                 // the plan's reason, or "fallback" after a failover
  provider_state* provider = nullptr; // the remote provider used, if any (for cost)
  std::optional<api_error> refusal;   // no target produced anything: answer this instead
  bool cancelled = false;             // the consumer went away while waiting
  std::size_t target_index = 0;       // the plan's target that produced `first`
};

// Completes when a target produced its first event, every target failed, or the consumer was
// cancelled (`cancelled`). The outcome goes into `out` (default-constructed), not the coroutine's
// result, which would be a second copy of it in the caller's frame.
boost::asio::awaitable<void> dispatch(request_context& cx, dispatch_request& r, dispatched& out);

// Starts the plan's remote target `i` with `body` (a continuation's, gateway/continuation):
// the same call as dispatch() makes, its chunks relayed as `continues` says.
std::shared_ptr<token_stream> start_remote_target(request_context& cx, const dispatch_request& r, std::size_t i,
                                                  std::string body, std::optional<relay_continuation> continues);

}  // namespace gw
