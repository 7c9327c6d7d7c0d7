#include "gateway/completion_handler.hpp"

#include "gateway/completion_job.hpp"

#include <spdlog/spdlog.h>

#include <chrono>

#include "gateway/config.hpp"
#include "gateway/dispatcher.hpp"
#include "gateway/drain_state.hpp"
#include "gateway/error_reply.hpp"
#include "gateway/key_policy.hpp"
#include "gateway/metrics.hpp"
#include "gateway/sse_keepalive.hpp"
#include "policy/route_plan.hpp"

namespace gw {
namespace {

using clock = std::chrono::steady_clock;

double seconds_between(clock::time_point a, clock::time_point b) {
  return std::chrono::duration<double>(b - a).count();
}

// Streams the answer's events as they come: an in-process engine's framed chunks or an
// upstream's relayed ones. `d` is the first delivery, already taken by the dispatcher.
// `job.cont`, when set, continues the stream on another target if its local target fails.
boost::asio::awaitable<void> stream_events(request_context& cx, stream_lease& s, stream_delta d, incoming_request& req,
                                           response_sink& sink, exchange_record& rec, completion_job& job) {
  const header_list& headers = job.headers;
  continuation_state* cont = job.cont.get();
  // A first delivery may hold text and the failure that cut it: a continuation goes on from it.
  const bool may_continue = job.cont && !d.text.empty();
  if (d.error && !sink.started() && !may_continue) {  // failed before the first token: a proper status still reaches the client
    const api_error e = to_api_error(*d.error, d.retry_after_s, d.error_message);
    co_await send_error(sink, rec, e, headers);
    co_return;
  }
  // Keep-alives may have started the stream already (a long wait for the first token).
  // No co_await inside && or || (here or anywhere): GCC 12 can lay out such a coroutine's frame
  // wrongly, which crashed send_keepalive (gateway/sse_keepalive.cpp).
  if (!sink.started()) {
    const bool started = co_await sink.start_events(headers);
    if (!started) co_return;
  }
  rec.status = 200;
  const auto keepalive = cx.config.server.sse_keepalive;
  // Events pile up in the stream only while the previous write is still in flight: past
  // max_stream_buffer_bytes the reader is too slow for the generation, so it is dropped and its
  // generation cancelled instead of the gateway buffering for it without limit.
  s->limit_pending(cx.config.server.max_stream_buffer_bytes);

  std::optional<clock::time_point> last_write;
  for (;;) {
    bool done = false;
    if (cont) cont->transcript.feed(d.text);
    if (d.error && cont) {
      std::string comment = switch_stream(cx, job, req, *cont, s, rec, *d.error);
      if (!comment.empty()) {
        d.text += comment;
        d.error.reset();
        s->limit_pending(cx.config.server.max_stream_buffer_bytes);
      }
    }
    if (d.finish) {
      if (cont) cont->count("completed");
      d.text += sse_done;
      done = true;
    } else if (d.error) {
      // After the first byte a status can no longer change: one error event ends the stream.
      const api_error e = to_api_error(*d.error, d.retry_after_s, d.error_message);
      d.text += error_event(e);
      rec.error = classify(e.code).code;
      done = true;
    }
    const auto now = clock::now();
    if (d.tokens > 0) {
      if (last_write)
        cx.stats.inter_token_latency.observe(rec.model, rec.route_kind, seconds_between(*last_write, now));
      else
        rec.ttft_s = seconds_between(req.received_at, now);
      last_write = now;
    }
    bool written = true;
    if (!d.text.empty()) written = co_await sink.send_events(d.text);
    if (!written) {
      // A write that timed out while the stream overflowed: the reader was too slow.
      if (s->overflowed()) {
        cx.stats.count_refused("slow_reader");
        rec.error = "slow_reader";
      }
      co_return;
    }
    if (done) break;
    for (;;) {
      const auto deadline = keepalive.count() > 0 ? clock::now() + keepalive : clock::time_point::max();
      co_await s->wait(deadline);
      if (s->has_pending() || s->cancelled()) break;
      auto cs = co_await boost::asio::this_coro::cancellation_state;
      if (cs.cancelled() != boost::asio::cancellation_type::none) co_return;
      // A long silence (a slow prefill upstream): a comment keeps proxies from cutting the stream.
      if (!co_await sink.send_events(sse_keepalive_comment)) co_return;
    }
    if (s->overflowed()) {
      cx.stats.count_refused("slow_reader");
      rec.error = "slow_reader";
      rec.status = 499;
      sink.drop();
      co_return;
    }
    if (!s->has_pending()) co_return;  // cancelled: the client is gone
    s->take_into(d);
  }
  co_await sink.end_events();
}

// Collects the whole body (framed by the engine's framer, or the upstream's, relayed), then
// answers it.
boost::asio::awaitable<void> collect(stream_lease& s, stream_delta d, incoming_request& req, response_sink& sink,
                                     exchange_record& rec, const header_list& headers) {
  std::string body;
  for (bool first = true;; first = false) {
    if (!first) {
      co_await s->wait();
      if (!s->has_pending()) co_return;  // cancelled: the client is gone
      s->take_into(d);
    }
    if (body.empty()) body.swap(d.text);  // the usual whole answer: taken, not copied
    else body += d.text;
    if (d.error) {
      const api_error e = to_api_error(*d.error, d.retry_after_s, d.error_message);
      co_await send_error(sink, rec, e, headers);
      co_return;
    }
    if (d.finish) {
      if (auto t = s->first_token_at()) rec.ttft_s = seconds_between(req.received_at, *t);
      rec.status = 200;
      co_await sink.send(200, "application/json", std::move(body), headers);
      co_return;
    }
  }
}

// The asynchronous half: placing the job on its route, then answering. Its frame holds only
// what lives across suspensions; the job holds the rest.
boost::asio::awaitable<void> run_completion(request_context& cx, incoming_request& req, response_sink& sink,
                                            exchange_record& rec, std::unique_ptr<completion_job> job) {
  const parsed& p = job->p;
  header_list& headers = job->headers;
  rate_settlement& settlement = job->settlement;
  if (p.stream) {
    // While the request waits for its first token, its client gets keep-alive comments every
    // sse_keepalive_s (after the first one the status is 200 and a failure becomes an error
    // event); a quicker answer keeps its real status. A hook of the dispatcher's wait rather than
    // a second coroutine racing it: a parallel group would cost every stream two spawned threads.
    job->dr.idle_every = cx.config.server.sse_keepalive;
    job->dr.on_idle = [&sink, &headers] { return send_keepalive(sink, headers); };
  }
  dispatched d;
  co_await dispatch(cx, job->dr, d);
  rec.route = d.route;
  if (!d.route.empty())
    rec.route_kind = d.provider ? "remote" : job->target->config->pool.kind == "openai" ? "local-server" : "local";
  cx.stats.count_route(d.route, d.reason);
  headers.emplace_back("x-gateway-route", d.route);
  headers.emplace_back("x-gateway-route-reason", d.reason);
  if (req.span) {
    req.span->add("gateway.route_reason", d.reason);
    // A local pool's queue: from the request's arrival in it to its admission.
    if (d.lease)
      if (const auto admitted = (*d.lease)->admitted_at())
        req.span->add("gateway.queue_wait_ms",
                      std::chrono::duration<double, std::milli>(*admitted - (*d.lease)->created_at()).count());
  }
  if (d.refusal) {
    if (sink.started()) {  // keep-alives went out: the refusal is the stream's one error event
      rec.error = classify(d.refusal->code).code;
      if (co_await sink.send_events(error_event(*d.refusal))) co_await sink.end_events();
    } else {
      co_await send_error(sink, rec, *d.refusal, headers);
    }
    co_return;
  }
  if (!d.lease || d.cancelled) co_return;  // the client went away while the request was being placed
  if (d.provider && d.provider->config.api == provider_api::anthropic) {
    sink.answer_is_native();
    // Its events are Messages events, which a continuation (written in the chat protocol) cannot
    // take up; the provider is remote, so a failure of it was never one to continue anyway.
    job->cont.reset();
  }
  stream_lease& lease = *d.lease;
  // Until it ends, the stream is one that a drain must end with an error event.
  const stream_registration registered(cx.drain, *lease);
  // Token counts and cost reach the record however the exchange ends, a vanished client included.
  // Spend is what the provider reported; a provider that served without reporting usage (the
  // client left before the usage chunk) is charged the gateway's counts as an estimate, in its
  // own series; one that failed before the first token (429, 5xx) is charged nothing.
  struct record_usage {
    metrics& stats;
    exchange_record& rec;
    stream_lease& lease;
    provider_state* provider;
    const model_config& model;  // prices local serving
    rate_settlement& settlement;
    bool failed_before_text;
    const completion_job& job;
    ~record_usage() {
      rec.prompt_tokens = lease->prompt_tokens();
      rec.completion_tokens = lease->completion_tokens();
      double carried_usd = 0;
      if (job.cont && job.cont->switches > 0) carried_usd = continued_usage();
      settlement.used.actual_tokens = rec.prompt_tokens + rec.completion_tokens;
      if (!provider) {  // local: the engine's own counts are the usage
        const double usd = (rec.prompt_tokens * model.price_input_per_million +
                            rec.completion_tokens * model.price_output_per_million) / 1e6;
        settlement.used.usd = usd;
        if (usd > 0) stats.add_cost({rec.key_name, rec.model, "local"}, usd);
        return;
      }
      const auto& c = provider->config;
      const double usd = (lease->prompt_tokens() * c.price_input_per_million +
                          lease->completion_tokens() * c.price_output_per_million) / 1e6;
      if (lease->usage_reported())
        stats.add_cost({rec.key_name, rec.model, c.name}, usd);
      else if (!failed_before_text)
        stats.add_estimated_cost({rec.key_name, rec.model, c.name}, usd);
      // An estimate still counts against the budget: the provider charged for what it sent.
      if (lease->usage_reported() || !failed_before_text) settlement.used.usd = usd + carried_usd;
    }
    // A continued stream (gateway/continuation): the answer's counts are the request's prompt and
    // every target's completion; a provider that went on is charged its own usage (the prefill
    // is its prompt), the local part at local prices. Returns that local part.
    double continued_usage() {
      const continuation_state& st = *job.cont;
      provider = st.provider;
      failed_before_text = false;
      rec.prompt_tokens = job.prompt_tokens;
      rec.completion_tokens += st.carried_tokens;
      if (!provider) return 0;  // a local server went on: all of it is priced below
      const double usd = (job.prompt_tokens * model.price_input_per_million +
                          st.carried_tokens * model.price_output_per_million) / 1e6;
      if (usd > 0) stats.add_cost({rec.key_name, rec.model, "local"}, usd);
      return usd;
    }
  } usage_guard{cx.stats, rec, lease, d.provider, *job->target->config, settlement,
                d.first.error && d.first.text.empty() && lease->completion_tokens() == 0, *job};

  if (p.stream)
    co_await stream_events(cx, lease, std::move(d.first), req, sink, rec, *job);
  else
    co_await collect(lease, std::move(d.first), req, sink, rec, headers);
}

// The route plan, then the answer; not a coroutine, so that a refusal needs no frame.
boost::asio::awaitable<void> plan_and_run(request_context& cx, incoming_request& req, response_sink& sink,
                                          exchange_record& rec, std::unique_ptr<completion_job> job,
                                          const key_admission* admission) {
  if (auto r = plan_completion(cx, *job, req, admission))
    return reply_error(sink, rec, std::move(r->error), std::move(r->headers));
  return run_completion(cx, req, sink, rec, std::move(job));
}

// A key whose limits live in Redis: its answer comes within state.redis.timeout_ms.
boost::asio::awaitable<void> admit_then_run(request_context& cx, incoming_request& req, response_sink& sink,
                                            exchange_record& rec, std::unique_ptr<completion_job> job) {
  const key_admission a = co_await shared_admission(cx.limits, req.key, job->prompt_tokens);
  co_await plan_and_run(cx, req, sink, rec, std::move(job), &a);
}

}  // namespace

// Not a coroutine: the checks run at once, and only an admitted job gets a frame.
boost::asio::awaitable<void> serve_completion(request_context& cx, api_kind kind, incoming_request& req,
                                              response_sink& sink, exchange_record& rec) {
  auto prepared = prepare_completion(cx, kind, req, rec);
  if (auto* r = std::get_if<completion_refusal>(&prepared))
    return reply_error(sink, rec, std::move(r->error), std::move(r->headers));
  auto job = std::move(std::get<std::unique_ptr<completion_job>>(prepared));
  if (!req.key) return plan_and_run(cx, req, sink, rec, std::move(job), nullptr);
  if (auto a = cx.limits.admit_now(*req.key, job->prompt_tokens))
    return plan_and_run(cx, req, sink, rec, std::move(job), &*a);
  return admit_then_run(cx, req, sink, rec, std::move(job));
}

}  // namespace gw
