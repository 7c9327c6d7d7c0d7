#include "gateway/dispatcher.hpp"

#include "backends/upstream_client.hpp"
#include "engine/remote_call.hpp"
#include "gateway/drain_state.hpp"
#include "gateway/error_reply.hpp"
#include "gateway/metrics.hpp"
#include "gateway/request_ids.hpp"

namespace gw {
namespace {

// Failures that another target may fix. A provider's judgement of the request itself (4xx) is
// the client's to fix, so it ends the request.
// A drain that ended the wait is not a failure of the target either.
bool worth_failover(engine_errc e) { return e != engine_errc::upstream_rejected && e != engine_errc::shutting_down; }

// Whether a target after `i` can run the request at all: a local pool whose context the prompt
// does not fit cannot, and failing over to it would trade the real error for its 400.
bool later_target_usable(const dispatch_request& r, std::size_t i) {
  const auto& targets = r.plan->targets;
  for (std::size_t j = i + 1; j < targets.size(); ++j)
    if (targets[j].kind != target_kind::local_pool || std::holds_alternative<local_request>(r.local)) return true;
  return false;
}

// The request leaves `route` for the next target of its plan: an event of its span.
void note_fallback(const dispatch_request& r, const std::string& route, std::string_view why) {
  if (r.span) r.span->event("fallback", {{"gateway.route", route}, {"error.type", std::string(why)}});
}

// Starts target `i`: its stream, or null when the target cannot take the request (then `out`
// carries the refusal if it was the last one). Not part of dispatch()'s coroutine, so that what
// it builds (the remote call's options) is not kept in the coroutine's frame: Asio recycles
// frames of up to 1 KiB only, and a larger one is a fresh allocation per request.
std::shared_ptr<token_stream> start_target(request_context& cx, dispatch_request& r, std::size_t i, dispatched& out) {
  const auto& targets = r.plan->targets;
  const bool last = i + 1 == targets.size();
  if (targets[i].kind == target_kind::local_pool) {
    out.route = "local:" + r.target->config->id;
    out.provider = nullptr;
    if (auto* e = std::get_if<api_error>(&r.local)) {  // the prompt does not fit locally
      if (last) out.refusal = *e;
      else note_fallback(r, out.route, "does_not_fit");
      return nullptr;
    }
    // A plan names the local pool once, so its request can be handed over.
    auto submitted = r.target->pool->submit(std::move(std::get<local_request>(r.local)), r.priority);
    if (auto* refusal = std::get_if<submit_refusal>(&submitted)) {
      if (!last) {
        note_fallback(r, out.route, to_string(refusal->error));
        return nullptr;
      }
      out.refusal = to_api_error(refusal->error, refusal->retry_after_s);
      // Restricted data had nowhere else to go: say so, rather than "queue full" which
      // suggests that some other capacity exists for it.
      if (r.plan->reason == route_reason::sensitive_local)
        out.refusal = api_error{api_errc::no_route,
                                "This request carries restricted data, which is served only by local engines, "
                                "and they cannot take it now. Please retry later.",
                                "", refusal->retry_after_s};
      return nullptr;
    }
    return std::move(std::get<std::shared_ptr<token_stream>>(submitted));
  }
  provider_state& p = *r.target->remotes.at(targets[i].index);
  out.route = "remote:" + p.config.name;
  out.provider = &p;
  return start_remote_target(cx, r, i, r.upstream_body(r.target->config->remote.at(targets[i].index), p.config), {});
}

}  // namespace

std::shared_ptr<token_stream> start_remote_target(request_context& cx, const dispatch_request& r, std::size_t i,
                                                  std::string body, std::optional<relay_continuation> continues) {
  const auto& targets = r.plan->targets;
  provider_state& p = *r.target->remotes.at(targets[i].index);
  remote_call_options opts;
  opts.url_path = r.upstream_path;
  if (p.config.api == provider_api::anthropic) {
    opts.url_path = "/messages";
    opts.messages_api = true;
    opts.extra_headers = messages_headers(p.config, r.anthropic_version, r.anthropic_beta);
  }
  opts.stream = r.stream;
  opts.body = std::move(body);
  opts.continues = std::move(continues);
  opts.public_model = r.public_model;
  opts.client_usage = r.client_usage;
  opts.prompt_tokens_estimate = r.prompt_tokens_estimate;
  opts.request_id = r.request_id;
  opts.trace = r.trace;
  opts.upstream_model = r.target->config->remote.at(targets[i].index).model;  // the config outlives calls
  // Providers live as long as the gateway (a reload keeps them). Two pointers fit std::function's
  // inline storage; a copy of the name did not, and cost an allocation per call.
  opts.on_error = [m = &cx.stats, p = &p](const std::string& kind) { m->count_upstream_error(p->config.name, kind); };
  opts.on_retry = [m = &cx.stats, p = &p](bool sent) {
    m->count_upstream_retry(p->config.name, sent ? "sent" : "budget_exhausted");
  };
  opts.can_fail_over = later_target_usable(r, i);
  return start_remote_call(cx.executor, cx.upstreams, p, std::move(opts), cx.ids.rng());
}

boost::asio::awaitable<void> dispatch(request_context& cx, dispatch_request& r, dispatched& out) {
  out.reason = to_string(r.plan->reason);
  using clock = std::chrono::steady_clock;
  auto next_idle = r.idle_every.count() > 0 && r.on_idle ? clock::now() + r.idle_every : clock::time_point::max();
  const std::size_t n = r.plan->targets.size();
  for (std::size_t i = 0; i < n; ++i) {
    if (i > 0) out.reason = "fallback";
    auto stream = start_target(cx, r, i, out);
    if (!stream) {
      if (i + 1 == n) co_return;
      continue;
    }
    out.lease.emplace(std::move(stream));
    stream_lease& lease = *out.lease;
    // While it waits for a first event (a provider's first byte, a queue slot), the request is
    // one that the end of a drain must end too.
    const stream_registration registered(cx.drain, *lease);
    for (;;) {
      co_await lease->wait(next_idle);
      if (lease->has_pending() || clock::now() < next_idle) break;  // an event, or cancelled
      next_idle += r.idle_every;
      auto idle = r.on_idle();  // a named local, never a temporary inside co_await (GCC 12)
      if (!co_await std::move(idle)) break;  // a keep-alive could not be written: the client is gone
    }
    if (!lease->has_pending()) {  // the client went away
      out.cancelled = true;
      co_return;
    }
    out.first = lease->take();
    const bool failed_before_text = out.first.error && out.first.text.empty() && lease->completion_tokens() == 0;
    if (failed_before_text && later_target_usable(r, i) && worth_failover(*out.first.error)) {
      note_fallback(r, out.route, to_string(*out.first.error));
      out.lease.reset();  // cancels what is left of this attempt
      continue;
    }
    out.target_index = i;
    co_return;
  }
  co_return;
}

}  // namespace gw
