#include "gateway/continuation.hpp"

#include <spdlog/spdlog.h>

#include "backends/continuation_body.hpp"
#include "engine/local_pool.hpp"
#include "gateway/completion_job.hpp"
#include "gateway/dispatcher.hpp"
#include "gateway/http_exchange.hpp"
#include "gateway/metrics.hpp"

namespace gw {
namespace {

// A stream is not continued more often than this: a second or third server failing in turn is
// an outage, not a blip.
constexpr int max_switches = 3;

// What the client's request forbids, from its fields.
const char* request_refusal(const completion_job& job) {
  return std::visit([&](const auto& r) { return request_refuses_continuation(r.fields, job.kind == api_kind::chat); },
                    job.p.request);
}

// The continuation body for a target that receives `forwarded`; nullopt (and `why`) if it cannot.
std::optional<std::string> body_for(std::string forwarded, prefill_mode mode, const completion_job& job,
                                    const continuation_state& st, std::uint32_t tokens_done, const char** why) {
  continuation_input in;
  in.chat = job.kind == api_kind::chat;
  in.mode = mode;
  in.partial = st.transcript.text();
  in.tokens_done = tokens_done;
  return continuation_body(forwarded, in, why);
}

// The local pool again, on a server other than the one that failed: only `openai` pools whose
// servers take a prefill.
std::optional<stream_lease> start_local(completion_job& job, const incoming_request& req,
                                        const continuation_state& st, relay_continuation rc, std::uint32_t tokens_done, const char** why) {
  const model_config& model = *job.target->config;
  if (!job.target->pool || model.pool.kind != "openai") {
    *why = "no_prefill_support";
    return std::nullopt;
  }
  if (!st.avoid_server.empty()) {
    // The pool would fail it at once with no other healthy server: say so instead.
    const std::string avoided = model.id + "/" + st.avoid_server;
    bool other = false;
    for (const auto& h : job.target->pool->health()) other = other || (h.healthy && h.name != avoided);
    if (!other) {
      *why = "no_other_server";
      return std::nullopt;
    }
  }
  const prefill_mode mode = model.pool.servers.continuation;
  // The body does not depend on the server's model name but through `model`: checked once here.
  const provider_config plain;  // no renames: a local server gets the client's field names
  auto probe = body_for(job.dr.upstream_body(remote_target{{}, model.id}, plain), mode, job, st, tokens_done, why);
  if (!probe) return std::nullopt;
  local_request lr;
  lr.params.prompt_tokens = job.prompt_tokens;
  lr.upstream_path = job.dr.upstream_path;
  lr.stream = true;
  lr.public_model = job.p.model;
  lr.client_usage = job.p.include_usage;
  lr.request_id = req.request_id;
  lr.trace = job.dr.trace;
  lr.continues = std::move(rc);
  lr.avoid_server = st.avoid_server;
  // The job and the state outlive the call (the exchange waits for its stream).
  lr.upstream_body = [&job, &st, mode, tokens_done](std::string_view server_model) {
    const provider_config none;
    std::string forwarded = job.dr.upstream_body(remote_target{{}, std::string(server_model)}, none);
    auto body = body_for(forwarded, mode, job, st, tokens_done, nullptr);
    return body ? std::move(*body) : forwarded;
  };
  auto submitted = job.target->pool->submit(std::move(lr), job.dr.priority);
  if (auto* refusal = std::get_if<submit_refusal>(&submitted)) {
    *why = to_string(refusal->error);
    return std::nullopt;
  }
  return stream_lease(std::move(std::get<std::shared_ptr<token_stream>>(submitted)));
}

}  // namespace

continuation_state::~continuation_state() { count("failed"); }

void continuation_state::count(std::string_view outcome) {
  if (!open) return;
  open = false;
  stats.count_continuation(model, from_kind, to_kind, outcome);
}

continuation_start start_continuation(request_context& cx, completion_job& job, const incoming_request& req,
                                      continuation_state& st, const token_stream& failed) {
  continuation_start out;
  if (st.switches >= max_switches) out.refused = "too_many_switches";
  else if (const char* why = st.transcript.refusal()) out.refused = why;
  else if (const char* why = request_refusal(job)) out.refused = why;
  if (out.refused) return out;

  if (!failed.server().empty()) st.avoid_server = failed.server();
  const std::uint32_t tokens_done = st.carried_tokens + failed.completion_tokens();
  relay_continuation rc{st.transcript.id(), st.transcript.created(), tokens_done};
  const auto& targets = job.plan.targets;
  const bool restricted = job.plan.reason == route_reason::sensitive_local;
  const char* why = "no_target";
  for (std::size_t j = st.target_index + 1; j < targets.size(); ++j) {
    if (targets[j].kind == target_kind::local_pool) {
      if (auto lease = start_local(job, req, st, rc, tokens_done, &why)) {
        out.lease = std::move(lease);
        st.target_index = j;
        break;
      }
      continue;
    }
    if (restricted) continue;  // never: restricted plans hold no remote, and none is added here
    provider_state& p = *job.target->remotes.at(targets[j].index);
    if (!p.enabled) continue;
    auto body = body_for(job.dr.upstream_body(job.target->config->remote.at(targets[j].index), p.config),
                         p.config.continuation, job, st, tokens_done, &why);
    if (!body) continue;
    out.lease.emplace(start_remote_target(cx, job.dr, j, std::move(*body), rc));
    out.route = "remote:" + p.config.name;
    out.kind = "remote";
    out.provider = &p;
    st.target_index = j;
    st.serving_local = false;
    break;
  }
  // Past the plan: another server of the local pool (a restricted request's only way on).
  if (!out.lease) {  // start_local refuses a model without an `openai` pool
    if (auto lease = start_local(job, req, st, rc, tokens_done, &why)) out.lease = std::move(lease);
  }
  if (out.lease && out.route.empty()) {
    out.route = "local:" + job.target->config->id;
    out.kind = "local-server";
  }
  if (!out.lease) {
    out.refused = why;
    return out;
  }
  st.carried_tokens = tokens_done;
  ++st.switches;
  return out;
}

std::string switch_stream(request_context& cx, completion_job& job, const incoming_request& req,
                          continuation_state& st, stream_lease& lease, exchange_record& rec, engine_errc error) {
  st.count("failed");  // an earlier switch whose stream failed too
  // A target's failure, not the gateway's drain or the upstream judging the request.
  if (cx.drain.draining() || (error != engine_errc::engine_failed && error != engine_errc::upstream_failed &&
                              error != engine_errc::upstream_rate_limited))
    return {};
  // Only a local target's failure after text is continued (before text the dispatcher fails
  // over), or that of a continuation that failed before its own first output (then the next
  // candidate takes over). Other failures end as before, and are no refusal.
  const bool continuation_failed_early = st.switches > 0 && lease->completion_tokens() == 0;
  const bool nothing_to_continue = st.transcript.text().empty() && !st.transcript.refusal();
  if (nothing_to_continue || (!st.serving_local && !continuation_failed_early)) return {};
  const std::string_view from_kind = st.serving_local ? std::string_view(rec.route_kind) : "remote";
  auto next = start_continuation(cx, job, req, st, *lease);
  const std::string from = rec.route.substr(rec.route.rfind('>') + 1);
  if (!next.lease) {
    spdlog::warn("continuation refused request_id={} route={} reason={}", req.request_id, rec.route, next.refused);
    st.stats.count_continuation(st.model, from_kind, "none", "refused");
    return {};
  }
  spdlog::info("continuation request_id={} from={} to={} after_tokens={}", req.request_id, from, next.route,
               st.carried_tokens);
  stream_lease failed(std::move(lease));  // kept, not cancelled: it ended already
  st.retired.push_back(std::move(failed));
  lease = std::move(*next.lease);
  st.registered.reset();
  st.registered.emplace(cx.drain, *lease);
  st.from_kind = from_kind;
  st.to_kind = next.kind;
  st.open = true;
  st.provider = next.provider;
  rec.route += '>';
  rec.route += next.route;
  rec.continued = true;
  return continuation_comment(from, next.route, "upstream_failed");
}

std::string continuation_comment(std::string_view from, std::string_view to, std::string_view reason) {
  std::string c = ": gateway-continued from=";
  c.append(from).append(" to=").append(to).append(" reason=").append(reason).append("\n\n");
  return c;
}

}  // namespace gw
