#pragma once
// One request to a remote provider, seen by the consumer as a token_stream like a local
// sequence. Inside: the upstream's chunks are relayed as written, with only the edits of
// backends/chunk_relay (chunks before the first one with output are held back, so that a
// failure before the first token can still be retried or failed over); failures before the first
// token are retried on the same provider with backoff (honouring Retry-After) while the retry
// schedule and the provider's retry budget allow, except a 429 when another target can take the
// request; the breaker hears every attempt's outcome; usage comes from the upstream's
// final chunk; a stream cut without [DONE] fails, never passes for a finished answer.
// A consumer that cancels aborts the transfer at once. Reactor thread only.
//
// Used for remote providers and, with no retries, for the local inference servers of an
// `openai` engine pool (engine/server_pool): a remote target is an engine of the pool kind.

#include <boost/asio/any_io_executor.hpp>
#include <functional>
#include <memory>
#include <random>
#include <string>

#include "backends/chunk_relay.hpp"
#include <vector>
#include "engine/provider.hpp"
#include "backends/upstream_client.hpp"
#include "engine/token_stream.hpp"
#include "engine/upstream_trace.hpp"

namespace gw {

// How a call ended: answered in full; refused by the upstream as a bad request (4xx, the
// request's fault); failed (the upstream's fault: 5xx, 429, transport, timeout, cut stream); or
// cancelled by the consumer.
enum class call_outcome { succeeded, rejected, failed, cancelled };

struct remote_call_options {
  std::string_view url_path;  // "/chat/completions" or "/completions": static
  std::string body;      // from forward_body()
  // The id the client named, written back into the answer's `model`; whether the client asked
  // for usage itself (else the usage chunk the gateway asked for is not shown).
  std::string_view public_model;  // outlives the call
  bool client_usage = false;
  std::uint32_t prompt_tokens_estimate = 0;
  std::string request_id;  // sent as X-Request-Id
  // The trace headers to pass on; with tracing on, each attempt is a span of its own
  // (engine/attempt_span) and the traceparent sent names it.
  upstream_trace trace;
  std::string_view upstream_model;  // the model name the body carries, for the spans: static
  std::function<void(const std::string& kind)> on_error;  // each failed attempt, for metrics
  // Each retry the schedule wanted: sent, or skipped because the provider's retry budget was
  // spent (the call then fails, and the dispatcher may move on). For metrics.
  std::function<void(bool sent)> on_retry;
  // Another target follows in the plan: a 429 moves there at once rather than waiting out the
  // provider's Retry-After for a retry.
  bool can_fail_over = false;
  // Runs once when the call is over: answered in full, failed for good, or cancelled by the
  // consumer. The server pool returns its in-flight slot and records the server's health here.
  std::function<void(call_outcome)> on_finish;
  // Push into this stream instead of a new one (a request that waited in a pool's queue
  // already handed its stream to the consumer).
  std::shared_ptr<token_stream> out;
  // A local inference server, not a provider: its failures read as engine_failed (503
  // engine_unavailable) rather than as a provider's (502, 429).
  bool local_server = false;
  // The body asks for a stream (SSE, ends with [DONE]) or one JSON answer (upstream_body).
  bool stream = true;
  // A continuation of a stream another target began (chunk_relay::continue_stream).
  std::optional<relay_continuation> continues;
  // The upstream speaks Anthropic's Messages API (a Messages-native provider): its events are
  // relayed by backends/messages_relay, and message_stop ends the stream instead of [DONE].
  bool messages_api = false;
  // Request headers beyond the provider's own ("Name: value"): the client's anthropic-version
  // and anthropic-beta for a Messages-native provider.
  std::vector<std::string> extra_headers;
};

std::shared_ptr<token_stream> start_remote_call(boost::asio::any_io_executor ex, upstream_client& client,
                                                provider_state& provider, remote_call_options opts,
                                                std::mt19937_64& rng);

}  // namespace gw
