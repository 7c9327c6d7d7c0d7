#include "engine/remote_call.hpp"

#include <boost/asio/steady_timer.hpp>
#include <algorithm>

#include "backends/chunk_relay.hpp"
#include "backends/messages_relay.hpp"
#include "engine/attempt_span.hpp"
#include "backends/upstream_error.hpp"
#include "backends/sse_parser.hpp"
#include "policy/retry_schedule.hpp"

namespace gw {
namespace {

using clock = std::chrono::steady_clock;
constexpr std::size_t max_error_body = 64 * 1024;
constexpr std::size_t max_answer = 64u << 20;  // a non-streamed answer

struct call_state : std::enable_shared_from_this<call_state> {
  call_state(boost::asio::any_io_executor ex, upstream_client& c, provider_state& p, remote_call_options o,
             std::mt19937_64& r)
      : client(c), provider(p), opts(std::move(o)), rng(r), ex(ex),
        out(opts.out ? opts.out : std::make_shared<token_stream>(ex, opts.prompt_tokens_estimate)),
        relay(opts.public_model, opts.client_usage) {
    if (opts.continues) relay.continue_stream(*opts.continues);
    if (opts.messages_api) messages.emplace(opts.public_model);
    opts.out.reset();  // `out` holds it; a copy here would keep the stream alive in a cycle
  }

  upstream_client& client;
  provider_state& provider;
  remote_call_options opts;
  std::mt19937_64& rng;
  boost::asio::any_io_executor ex;
  // Made for the first retry only: a timer's construction looks its service up by type name,
  // work every call would pay for a retry it rarely makes.
  std::optional<boost::asio::steady_timer> retry_timer;
  std::shared_ptr<token_stream> out;
  std::shared_ptr<upstream_transfer> transfer;
  attempt_span span;  // the current attempt's, when traced
  unsigned retries = 0;
  std::uint32_t content_events = 0;  // content pushed to the consumer, over all attempts

  // The current attempt.
  long status = 0;
  sse_parser parser;
  chunk_relay relay;
  std::optional<messages_relay> messages;  // in place of `relay` for a Messages-native upstream
  std::string held;  // relayed chunks not yet pushed (see on_event)
  std::uint32_t held_output = 0;  // of which carried output
  chunk_facts facts;
  std::string error_body;
  std::string answer;  // a non-streamed 200 body
  std::optional<finish_reason> finish;
  std::optional<relayed_usage> usage;
  bool completed = false;  // [DONE] seen and delivered
  bool in_flight = false;  // an attempt holds a breaker slot and has no verdict yet
  bool broken = false;     // the upstream sent something that is not an OpenAI stream
  bool finished = false;   // on_finish has run

  void conclude(call_outcome o) {
    if (finished) return;
    finished = true;
    if (opts.on_finish) std::exchange(opts.on_finish, nullptr)(o);
  }
};

void attempt(const std::shared_ptr<call_state>& s);

// Appends the event, relayed, to s.held (nothing when it is not shown); false when it is not an
// object.
bool relay_into_held(call_state& s, const sse_event& ev) {
  if (s.messages) {
    return s.opts.stream ? s.messages->relay_event(s.held, ev.event, ev.data, s.facts)
                         : s.messages->relay_message(s.held, ev.data, s.facts);
  }
  const std::size_t before = s.held.size();
  if (s.opts.stream) s.held += "data: ";
  if (!s.relay.relay(s.held, ev.data, s.facts)) return false;
  if (!s.facts.shown) s.held.resize(before);
  else if (s.opts.stream) s.held += "\n\n";
  return true;
}

// Feeds one upstream SSE event (or a whole non-streamed answer) to the consumer; false when the
// stream is unusable.
bool on_event(call_state& s, sse_event&& ev) {
  // A Messages stream ends with its message_stop event, relayed like the others.
  bool end = ev.done;
  if (!end) {
    if (!relay_into_held(s, ev) || s.facts.error) return false;
    end = s.facts.end;
  }
  if (end) {
    s.completed = true;
    // What is still held: a non-streamed answer (its first token), or the chunks from the last
    // finish on. Counted before the usage, which replaces the running count.
    const std::uint32_t tokens = s.opts.stream ? s.held_output : 1;
    if (tokens) {
      s.out->push(s.held, tokens, std::nullopt);
      s.content_events += tokens;
      s.held.clear();
      s.held_output = 0;
    }
    // Only usage the upstream reported is set: without it the stream keeps its own counts (the
    // prompt estimate, one per content event), which are never charged as spend.
    if (s.usage) s.out->set_usage(s.usage->prompt, s.usage->completion);
    s.out->push(s.held, 0, s.finish.value_or(finish_reason::stop));
    s.held.clear();
    s.in_flight = false;
    s.provider.breaker.record_success(clock::now());
    std::optional<std::pair<std::uint32_t, std::uint32_t>> usage;
    if (s.usage) usage.emplace(s.usage->prompt, s.usage->completion);
    s.span.end_succeeded(s.status, usage);
    s.conclude(call_outcome::succeeded);
    return true;
  }
  if (s.facts.finish) s.finish = s.facts.finish;
  if (s.facts.usage) s.usage = s.facts.usage;
  // Chunks that only open the answer wait for the first output: until then a failure can still
  // move the request elsewhere, which a client that saw bytes could not follow. A chunk that
  // finishes a choice waits for [DONE] (or for more output: another choice goes on), so that a
  // stream cut after its finish ends with an error event, never as a finished answer.
  if (s.facts.output && !s.facts.finish && s.opts.stream) {
    s.out->push(s.held, 1 + s.held_output, std::nullopt);
    s.content_events += 1 + s.held_output;
    s.held.clear();
    s.held_output = 0;
  } else if (s.facts.output && s.opts.stream) {
    ++s.held_output;
  }
  return true;
}

void on_failure(const std::shared_ptr<call_state>& s, const upstream_result& r) {
  auto& p = s->provider;
  s->in_flight = false;
  p.breaker.record_failure(clock::now());
  engine_errc kind = engine_errc::upstream_failed;
  bool retryable = true;
  std::string message;
  // A certificate that does not verify will not verify on a retry either.
  if (r.error == upstream_errc::tls_failed) retryable = false;
  if (r.error == upstream_errc::none && !s->broken) {
    if (r.status == 429) {
      kind = engine_errc::upstream_rate_limited;
    } else if (r.status >= 400 && r.status < 500) {
      // The provider judged the request itself: retrying or failing over will not help.
      kind = engine_errc::upstream_rejected;
      retryable = false;
      if (auto m = upstream_error_message(s->error_body)) message = std::move(*m);
    }
  }
  std::string what;  // the failure's kind, for metrics and the attempt's span
  if (s->opts.on_error || s->span.recording()) {
    what = r.error != upstream_errc::none ? to_string(r.error)
           : s->broken                    ? "broken_stream"
           : r.status == 200              ? "cut_stream"
                                          : "http_" + std::to_string(r.status);
    if (s->opts.on_error) s->opts.on_error(what);
  }
  // The provider asked for a pause; another target can answer now instead of after it.
  if (kind == engine_errc::upstream_rate_limited && s->opts.can_fail_over) retryable = false;
  // After the first token the client has seen text: no retry can take it back.
  if (retryable && s->content_events == 0 && !s->out->cancelled()) {
    std::optional<std::chrono::milliseconds> retry_after;
    if (r.retry_after) retry_after = std::chrono::duration_cast<std::chrono::milliseconds>(*r.retry_after);
    std::uniform_real_distribution<double> u(0, 1);
    auto delay = retry_delay(p.config.retries, ++s->retries, retry_after, u(s->rng));
    // In a storm every request wants its retries; the budget keeps their sum near a fraction of
    // the traffic, so a failing provider is not sent 1 + max_retries times its load.
    const bool within_budget = delay && p.budget.try_retry(clock::now());
    if (delay && s->opts.on_retry) s->opts.on_retry(within_budget);
    if (delay) s->span.retry_wanted(*delay, within_budget);
    s->span.end_failed(s->status, what);
    if (within_budget) {
      if (!s->retry_timer) s->retry_timer.emplace(s->ex);
      s->retry_timer->expires_after(*delay);
      s->retry_timer->async_wait([s](boost::system::error_code ec) {
        if (!ec && !s->out->cancelled()) attempt(s);
      });
      return;
    }
  }
  s->span.end_failed(s->status, what);  // when no retry was considered
  // A client told "Retry-After: 0" (or nothing) would come straight back; one second is the floor.
  const unsigned retry_after_s = r.retry_after ? std::max(1u, static_cast<unsigned>(r.retry_after->count())) : 1;
  if (s->opts.local_server && kind != engine_errc::upstream_rejected) kind = engine_errc::engine_failed;
  s->out->fail(kind, retry_after_s, message);
  s->conclude(kind == engine_errc::upstream_rejected ? call_outcome::rejected : call_outcome::failed);
}

void attempt(const std::shared_ptr<call_state>& s) {
  s->status = 0;
  s->parser = sse_parser{};
  s->relay = chunk_relay(s->opts.public_model, s->opts.client_usage);
  if (s->opts.continues) s->relay.continue_stream(*s->opts.continues);
  if (s->opts.messages_api) s->messages.emplace(s->opts.public_model);
  s->held.clear();
  s->held_output = 0;
  s->error_body.clear();
  s->answer.clear();
  s->finish.reset();
  s->usage.reset();
  s->broken = false;

  // The plan saw this provider available; its breaker may have opened since (or its half-open
  // probe slot is taken): then this target fails at once and the next one is tried.
  if (!s->provider.breaker.allow(clock::now())) {
    s->out->fail(engine_errc::upstream_failed, 1);
    s->conclude(call_outcome::failed);
    return;
  }
  s->in_flight = true;
  if (s->retries == 0) s->provider.budget.record_request(clock::now());
  const auto& cfg = s->provider.config;
  if (s->opts.trace.parent) {
    std::string url;
    if (s->opts.trace.sink) url.append(cfg.base_url).append(s->opts.url_path);
    s->span.begin(s->opts.trace, s->rng,
                  {s->opts.url_path, url, cfg.name, s->opts.local_server, s->opts.upstream_model, s->retries});
  }
  // No retry can follow the last attempt the schedule allows: it takes the body instead of a copy.
  std::string body = s->retries >= s->provider.config.retries.max_retries ? std::move(s->opts.body) : s->opts.body;
  upstream_request req =
      provider_request(s->provider, s->opts.url_path, std::move(body), s->opts.request_id,
                       {s->span.traceparent(s->opts.trace), s->opts.trace.tracestate}, s->opts.stream);
  for (const auto& h : s->opts.extra_headers) req.headers.push_back(h);

  upstream_handlers h;
  h.owner = s;
  h.on_status = [s = s.get()](long status) { s->status = status; };
  h.on_body = [s = s.get()](std::string_view bytes) {
    if (s->status != 200) {
      if (s->error_body.size() < max_error_body) s->error_body.append(bytes.substr(0, max_error_body - s->error_body.size()));
      return;
    }
    if (s->broken || s->completed) return;
    if (!s->opts.stream) {
      if (s->answer.size() + bytes.size() > max_answer) s->broken = true;
      else s->answer.append(bytes);
      if (s->broken) s->transfer->abort();
      if (s->broken)
        on_failure(s->shared_from_this(), upstream_result{upstream_errc::transfer_failed, s->status, {}, "answer too large"});
      return;
    }
    const auto st = s->parser.feed(bytes, [&](sse_event&& ev) {
      if (!s->broken && !s->completed && !on_event(*s, std::move(ev))) s->broken = true;
    });
    if (st != sse_parser::status::ok) s->broken = true;
    if (s->broken) s->transfer->abort();  // on_done does not follow an abort: fail here
    if (s->broken)
      on_failure(s->shared_from_this(), upstream_result{upstream_errc::transfer_failed, s->status, {}, "broken stream"});
  };
  h.on_done = [s = s.get()](const upstream_result& r) {
    if (s->completed) return;
    if (!s->opts.stream && r.error == upstream_errc::none && s->status == 200 && !s->broken) {
      // The whole answer is one chunk-shaped object; [DONE] is implied by its end.
      sse_event whole;
      whole.data = std::move(s->answer);
      if (on_event(*s, std::move(whole))) {
        sse_event done;
        done.done = true;
        on_event(*s, std::move(done));
        return;
      }
      s->broken = true;
    }
    on_failure(s->shared_from_this(), r);  // ended without [DONE]: an error, a timeout, or a cut stream
  };
  s->transfer = s->client.start(std::move(req), std::move(h));
}

}  // namespace

std::shared_ptr<token_stream> start_remote_call(boost::asio::any_io_executor ex, upstream_client& client,
                                                provider_state& provider, remote_call_options opts,
                                                std::mt19937_64& rng) {
  auto s = std::make_shared<call_state>(ex, client, provider, std::move(opts), rng);
  s->out->on_cancel([w = std::weak_ptr(s)] {
    auto s = w.lock();
    if (!s) return;
    if (s->retry_timer) s->retry_timer->cancel();
    // After [DONE] the transfer only has the response's end left to read: letting it finish
    // keeps the connection for reuse (and the upstream does not log a client that went away).
    if (s->transfer && !s->completed) s->transfer->abort();
    if (s->in_flight) s->provider.breaker.record_cancelled(clock::now());
    s->in_flight = false;
    s->span.end_cancelled(s->status);
    s->conclude(call_outcome::cancelled);
  });
  attempt(s);
  return s->out;
}

}  // namespace gw
