#pragma once
// The hand-off between the batcher (producer) and one request's session (consumer), both on the
// reactor thread. Token events that arrive while the consumer is busy writing are coalesced, so
// a slow writer sends fewer, larger chunks instead of queueing one per token.
//
// Ownership: shared by the batcher and the session. The consumer holds it through a
// stream_lease, whose destruction cancels the sequence: the batcher sees `cancelled()` at the
// next step boundary and drops the sequence from its engine, freeing its permit.

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "engine/generation.hpp"
#include "engine/stream_framer.hpp"

namespace gw {

struct stream_delta {
  // What the client receives, ready to write: SSE events when streamed (without the final
  // `data: [DONE]`), or the body's bytes otherwise. An in-process sequence's framer writes them;
  // an upstream's chunks come as the upstream wrote them, edited by backends/chunk_relay.
  std::string text;
  std::uint32_t tokens = 0;
  std::optional<finish_reason> finish;
  std::optional<engine_errc> error;
  unsigned retry_after_s = 0;  // with error: when a retry may succeed
  std::string error_message;   // with error: client-safe detail (an upstream's 4xx message)
};

class token_stream {
 public:
  using clock = std::chrono::steady_clock;

  token_stream(boost::asio::any_io_executor ex, std::uint32_t prompt_tokens);

  // Producer side.
  // `text` is appended as it is (an upstream's frames).
  void push(std::string_view text, std::uint32_t tokens, std::optional<finish_reason> finish);
  // An engine's output, written by the framer (its text as it is without one).
  void push(const sequence_output& o);
  // Set before the first push; the stream owns it.
  void set_framer(std::unique_ptr<stream_framer> f) { framer_ = std::move(f); }
  void fail(engine_errc e, unsigned retry_after_s = 0, std::string message = {});
  // Also true once the consumer fell too far behind (overflowed): the producer stops then.
  bool cancelled() const { return cancelled_ || overflowed_; }
  // Exact counts reported by the producer (an upstream's usage) replace the running count.
  void set_usage(std::uint32_t prompt_tokens, std::uint32_t completion_tokens);
  // Whether set_usage ran: the counts are the producer's report, not the gateway's estimate
  // (spend is charged from reported usage only).
  bool usage_reported() const { return usage_reported_; }
  // Runs once when the consumer cancels (e.g. to abort an upstream transfer at once).
  void on_cancel(std::function<void()> f) { on_cancel_ = std::move(f); }

  // Consumer side. wait() completes when there is something to take (at once if there is), when
  // the stream was cancelled, when the awaiting coroutine is cancelled, or at `deadline` (the
  // consumer's cue to send a keep-alive); callers check has_pending() afterwards. The deadline
  // reuses the stream's one timer, so a keep-alive costs no timer per token.
  boost::asio::awaitable<void> wait(clock::time_point deadline = clock::time_point::max());
  bool has_pending() const;
  stream_delta take();
  // The same into `d`, which hands its text buffer (cleared) to the stream for the next events:
  // a stream's consumer then allocates no new buffer per event.
  void take_into(stream_delta& d);
  bool ended() const { return ended_; }  // finished or failed (pending events may remain)
  // Bounds the text held for a consumer still busy writing the previous events. Past it the
  // stream overflows: further events are discarded and the producer sees cancelled(), so a
  // reader slower than the generation costs at most this much memory.
  void limit_pending(std::size_t bytes) { pending_limit_ = bytes; }
  bool overflowed() const { return overflowed_; }
  void cancel();

  std::uint32_t prompt_tokens() const { return prompt_tokens_; }
  std::uint32_t completion_tokens() const { return completion_tokens_; }
  std::optional<clock::time_point> first_token_at() const { return first_token_at_; }
  clock::time_point created_at() const { return created_at_; }
  // When a local pool took the request out of its queue (a batch slot, a server's slot): the
  // queue wait is admitted_at - created_at. Unset for providers, which have no queue.
  void mark_admitted(clock::time_point t) { admitted_at_ = t; }
  std::optional<clock::time_point> admitted_at() const { return admitted_at_; }
  // Which server of a local pool serves it (empty: an in-process engine or a provider).
  void set_server(std::string name) { server_ = std::move(name); }
  const std::string& server() const { return server_; }

 private:
  void notify();

  boost::asio::steady_timer signal_;
  stream_delta pending_;
  std::uint32_t prompt_tokens_;
  std::uint32_t completion_tokens_ = 0;
  clock::time_point created_at_;
  std::optional<clock::time_point> first_token_at_;
  std::optional<clock::time_point> admitted_at_;
  std::function<void()> on_cancel_;
  std::unique_ptr<stream_framer> framer_;
  std::string server_;
  std::size_t pending_limit_ = 0;  // 0: unbounded
  bool ended_ = false;
  bool cancelled_ = false;
  bool overflowed_ = false;
  bool usage_reported_ = false;
};

// The consumer's handle: cancels the sequence when the request ends for any reason.
class stream_lease {
 public:
  explicit stream_lease(std::shared_ptr<token_stream> s) : s_(std::move(s)) {}
  stream_lease(stream_lease&&) = default;
  // The stream given up by assignment is cancelled like a destroyed one.
  stream_lease& operator=(stream_lease&& o) noexcept {
    if (this != &o) {
      if (s_) s_->cancel();
      s_ = std::move(o.s_);
    }
    return *this;
  }
  stream_lease(const stream_lease&) = delete;
  stream_lease& operator=(const stream_lease&) = delete;
  ~stream_lease() {
    if (s_) s_->cancel();
  }
  token_stream* operator->() const { return s_.get(); }
  token_stream& operator*() const { return *s_; }

 private:
  std::shared_ptr<token_stream> s_;
};

}  // namespace gw
