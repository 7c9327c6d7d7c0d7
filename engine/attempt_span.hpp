#pragma once
// One attempt of an upstream call (engine/remote_call) as an OpenTelemetry client span: a child
// of the request's span in the gateway, named by the operation and the model the upstream knows
// ("chat deepseek-chat"), with the gen_ai.* and http.* attributes that fit, the retry number,
// a `retry` event when the attempt's failure is retried, and error status when it failed.
// Tracing off, it only hands back the client's traceparent to pass on. Reactor thread only.

#include <chrono>
#include <cstdint>
#include <optional>
#include <random>
#include <string>
#include <string_view>

#include "backends/span_record.hpp"
#include "engine/upstream_trace.hpp"

namespace gw {

class attempt_span {
 public:
  struct facts {
    std::string_view url_path;  // "/chat/completions" or "/completions"
    std::string_view url;       // base URL + path, for url.full
    std::string_view target;    // the provider or local server's configured name
    bool local_server = false;
    std::string_view model;     // the model name the upstream is sent
    unsigned retry = 0;         // 0 for the first attempt
  };

  // Starts an attempt: with tracing on, a new span id under t.parent; the span is recorded when
  // t.sink is set. Any span still open from the previous attempt is dropped unrecorded.
  void begin(const upstream_trace& t, std::mt19937_64& rng, const facts& f);
  // The traceparent this attempt sends: its own span's context with tracing on, else the
  // client's as it came (empty: none).
  std::string_view traceparent(const upstream_trace& t) const {
    return t.parent ? std::string_view(traceparent_) : std::string_view(t.traceparent);
  }
  bool recording() const { return rec_.has_value(); }

  // The attempt failed and the call wants a retry after `delay`: sent, or refused by the
  // provider's retry budget.
  void retry_wanted(std::chrono::milliseconds delay, bool sent);
  // Ends the span and hands it to the trace's sink; later calls do nothing until the next
  // begin(). `status`: the upstream's HTTP status (0: none arrived); `usage`: (input, output)
  // tokens as the upstream reported them.
  void end_succeeded(long status, std::optional<std::pair<std::uint32_t, std::uint32_t>> usage);
  void end_failed(long status, std::string_view error_type);
  void end_cancelled(long status);

 private:
  void finish(long status);

  std::string traceparent_;
  std::optional<span_record> rec_;  // open and recorded
  span_sink* sink_ = nullptr;
};

}  // namespace gw
