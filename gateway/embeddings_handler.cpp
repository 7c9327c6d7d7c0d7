#include "gateway/embeddings_handler.hpp"

#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "backends/chunk_relay.hpp"
#include "backends/embeddings_wire.hpp"
#include "backends/forward_body.hpp"
#include "backends/json_writer.hpp"
#include "backends/upstream_client.hpp"
#include "backends/upstream_error.hpp"
#include "engine/tokenizer.hpp"
#include "gateway/drain_state.hpp"
#include "gateway/error_reply.hpp"
#include "gateway/key_limits.hpp"
#include "gateway/key_policy.hpp"
#include "gateway/metrics.hpp"
#include "gateway/model_directory.hpp"
#include "gateway/openai_json.hpp"
#include "gateway/request_validator.hpp"

namespace gw {
namespace {

using clock = std::chrono::steady_clock;

struct remote_answer {
  long status = 0;
  std::string body;
  upstream_result result;
  bool done = false;
};

// One non-streamed POST to a provider's /embeddings; the transfer is aborted if the client goes.
boost::asio::awaitable<remote_answer> call_provider(request_context& cx, provider_state& p, std::string body,
                                                    const std::string& request_id) {
  auto answer = std::make_shared<remote_answer>();
  auto signal = std::make_shared<boost::asio::steady_timer>(cx.executor, clock::time_point::max());
  upstream_request req = provider_request(p, "/embeddings", std::move(body), request_id, {}, false);
  upstream_handlers h;
  h.on_body = [answer](std::string_view b) {
    if (answer->body.size() < (64u << 20)) answer->body.append(b);
  };
  h.on_done = [answer, signal](const upstream_result& r) {
    answer->result = r;
    answer->status = r.status;
    answer->done = true;
    signal->cancel();
  };
  if (!p.breaker.allow(clock::now())) co_return remote_answer{};
  auto transfer = cx.upstreams.start(std::move(req), std::move(h));
  struct abort_guard {
    std::shared_ptr<upstream_transfer> t;
    std::shared_ptr<remote_answer> a;
    provider_state& p;
    ~abort_guard() {
      if (!a->done) {
        t->abort();
        p.breaker.record_cancelled(clock::now());
      }
    }
  } guard{transfer, answer, p};
  while (!answer->done) {
    boost::system::error_code ec;
    co_await signal->async_wait(boost::asio::redirect_error(boost::asio::use_awaitable, ec));
    auto cs = co_await boost::asio::this_coro::cancellation_state;
    if (cs.cancelled() != boost::asio::cancellation_type::none) co_return remote_answer{};
  }
  if (answer->result.error == upstream_errc::none && answer->status == 200)
    p.breaker.record_success(clock::now());
  else if (answer->result.error != upstream_errc::none || answer->status >= 500 || answer->status == 429)
    p.breaker.record_failure(clock::now());
  co_return std::move(*answer);
}

// Whether the request holds more than a coalesced call carries (model, input strings,
// encoding_format, dimensions).
bool needs_forwarding(const embedding_request& r) {
  if (r.token_input) return true;
  for (const auto& m : r.fields.members) {
    if (!json::key_is(m, "model") && !json::key_is(m, "input") && !json::key_is(m, "encoding_format") &&
        !json::key_is(m, "dimensions"))
      return true;
  }
  return false;
}

}  // namespace

boost::asio::awaitable<void> serve_embeddings(request_context& cx, incoming_request& req, response_sink& sink,
                                              exchange_record& rec) {
  header_list headers{{"x-request-id", req.request_id}};
  auto v = cx.validator.embedding(req.body);
  if (auto* e = std::get_if<api_error>(&v)) {
    co_await send_error(sink, rec, *e, headers);
    co_return;
  }
  auto& r = std::get<embedding_request>(v);
  rec.model = r.model;
  if (auto e = check_model_access(req, r.model)) {
    co_await send_error(sink, rec, *e, headers);
    co_return;
  }
  const model_target& target = cx.models.find(r.model);
  std::uint32_t tokens = 0;
  if (r.token_input) tokens = r.input_tokens;
  else
    for (const auto& in : r.inputs) tokens += std::max<std::uint32_t>(1, count_tokens(in));
  // Input tokens are known up front: charged now, refunded if no target serves the request.
  rate_settlement settlement{cx.limits, nullptr, {tokens, 0, 0, false}};
  if (req.key) {
    std::optional<key_admission> a = cx.limits.admit_now(*req.key, tokens);
    if (!a) a = co_await shared_admission(cx.limits, req.key, tokens);
    if (auto e = admission_refusal(*a, *req.key, headers, cx.stats)) {  // nothing was taken
      co_await send_error(sink, rec, *e, headers);
      co_return;
    }
    settlement.key = req.key;
    settlement.used.shared = a->shared;
  }

  const auto now = clock::now();
  local_snapshot local;
  if (target.pool) {
    const pool_load l = target.pool->load();
    local.available = l.available;
    local.queue_full = l.queue_full;
  }
  std::vector<bool> remote_available;
  // A Messages-native provider has no embeddings.
  for (auto* p : target.remotes)
    remote_available.push_back(p->enabled && p->breaker.state(now) != breaker_state::open &&
                               p->config.api == provider_api::openai);
  request_facts facts;
  facts.known_model = target.config != nullptr;
  facts.restricted = req.restricted;
  facts.prompt_tokens = tokens;
  const route_plan plan =
      plan_route(facts, target.config ? target.config->routing : model_routing{}, local, remote_available, cx.drain.draining());
  if (plan.targets.empty()) {
    api_error e{api_errc::no_route, "No target can take this request now. Please retry later.", "", 1};
    if (plan.reason == route_reason::unknown_model)
      e = {api_errc::model_not_found, "The model '" + r.model + "' does not exist.", "model"};
    else if (plan.reason == route_reason::draining)
      e = {api_errc::draining, "The gateway is shutting down. Please retry on another instance.", "", 1};
    co_await send_error(sink, rec, e, headers);
    co_return;
  }

  std::optional<api_error> last_error;
  for (std::size_t i = 0; i < plan.targets.size(); ++i) {
    const auto& t = plan.targets[i];
    const std::string reason = i == 0 ? to_string(plan.reason) : "fallback";
    header_list h = headers;
    if (t.kind == target_kind::local_pool) {
      rec.route = "local:" + target.config->id;
      rec.route_kind = target.config->pool.kind == "openai" ? "local-server" : "local";
      // What a local server is sent: the client's body, unless it is plain and others wait to be
      // coalesced with it. The sim engine embeds the inputs whatever else came with them.
      std::optional<embedding_forward> forward;
      {
        forward.emplace();
        forward->coalescable = !needs_forwarding(r);
        forward->public_model = r.model;
        // A copy: the request may wait in the pool's queue after its client has gone.
        forward->body = [body = req.body](std::string_view server_model) {
          forward_edits edits;
          edits.model = server_model;
          const auto scan = json::locate_object(body);  // checked by the validator
          return scan ? forward_body(body, *scan, edits) : body;
        };
      }
      auto submitted = target.pool->submit_embedding(r.inputs, r.dimensions.value_or(0), std::move(forward));
      if (auto* refusal = std::get_if<submit_refusal>(&submitted)) {
        last_error = to_api_error(refusal->error, refusal->retry_after_s);
        continue;
      }
      auto result = std::get<std::shared_ptr<embedding_result>>(submitted);
      co_await result->wait();
      if (!result->done()) co_return;  // the client went away
      if (result->error()) {
        last_error = to_api_error(*result->error(), result->retry_after_s());
        continue;
      }
      h.emplace_back("x-gateway-route", rec.route);
      h.emplace_back("x-gateway-route-reason", reason);
      cx.stats.count_route(rec.route, reason);
      rec.status = 200;
      rec.prompt_tokens = result->output()->tokens;
      settlement.used.actual_tokens = rec.prompt_tokens;
      settlement.used.usd = rec.prompt_tokens * target.config->price_input_per_million / 1e6;
      if (settlement.used.usd > 0) cx.stats.add_cost({rec.key_name, rec.model, "local"}, settlement.used.usd);
      if (!result->output()->body.empty())
        co_await sink.send(200, "application/json", result->output()->body, h);
      else
        co_await sink.send(200, "application/json",
                           embeddings_body(r.model, result->output()->vectors, result->output()->tokens, r.base64), h);
      co_return;
    }
    provider_state& p = *target.remotes.at(t.index);
    rec.route = "remote:" + p.config.name;
    rec.route_kind = "remote";
    // The client's body as sent but for the model (and a provider's renames): user, vendor
    // fields and token-array inputs reach the provider unchanged.
    forward_edits edits;
    edits.model = target.config->remote.at(t.index).model;
    edits.renames = &p.config.rename_fields;
    remote_answer a = co_await call_provider(cx, p, forward_body(req.body, r.fields, edits), req.request_id);
    if (a.done && a.result.error == upstream_errc::none && a.status == 200) {
      // The answer as written, but for the model: the client's name for it.
      std::string body;
      chunk_relay relay(r.model, true);
      chunk_facts answer;
      if (!relay.relay(body, a.body, answer)) {
        cx.stats.count_upstream_error(p.config.name, "broken_answer");
        last_error = to_api_error(engine_errc::upstream_failed, 1);
        continue;
      }
      h.emplace_back("x-gateway-route", rec.route);
      h.emplace_back("x-gateway-route-reason", reason);
      cx.stats.count_route(rec.route, reason);
      rec.status = 200;
      // Spend comes from the usage the provider reported; without it, from the gateway's count,
      // as an estimate in its own series.
      rec.prompt_tokens = answer.usage ? answer.usage->prompt : tokens;
      settlement.used.actual_tokens = rec.prompt_tokens;
      const double usd = rec.prompt_tokens * p.config.price_input_per_million / 1e6;
      settlement.used.usd = usd;
      if (answer.usage)
        cx.stats.add_cost({rec.key_name, rec.model, p.config.name}, usd);
      else
        cx.stats.add_estimated_cost({rec.key_name, rec.model, p.config.name}, usd);
      co_await sink.send(200, "application/json", std::move(body), h);
      co_return;
    }
    if (a.done && a.result.error == upstream_errc::none && a.status >= 400 && a.status < 500 && a.status != 429) {
      last_error = to_api_error(engine_errc::upstream_rejected, 0, upstream_error_message(a.body).value_or(""));
      break;  // the provider judged the request itself
    }
    cx.stats.count_upstream_error(p.config.name, a.done ? (a.result.error != upstream_errc::none
                                                                ? to_string(a.result.error)
                                                                : "http_" + std::to_string(a.status))
                                                         : "breaker_open");
    last_error = to_api_error(a.status == 429 ? engine_errc::upstream_rate_limited : engine_errc::upstream_failed,
                              a.result.retry_after ? static_cast<unsigned>(a.result.retry_after->count()) : 1);
  }
  if (plan.reason == route_reason::sensitive_local && last_error && last_error->code == api_errc::queue_full)
    last_error = api_error{api_errc::no_route,
                           "This request carries restricted data, which is served only by local engines, "
                           "and they cannot take it now. Please retry later.",
                           "", last_error->retry_after_s};
  const api_error e = last_error.value_or(api_error{api_errc::no_route, "No target could serve the request.", "", 1});
  co_await send_error(sink, rec, e, headers);
}

}  // namespace gw
