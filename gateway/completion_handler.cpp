#include "gateway/completion_handler.hpp"

#include <boost/asio/experimental/awaitable_operators.hpp>
#include <spdlog/spdlog.h>

#include <charconv>
#include <chrono>

#include "engine/tokenizer.hpp"
#include "gateway/dispatcher.hpp"
#include "gateway/error_reply.hpp"
#include "gateway/upstream_body.hpp"
#include "gateway/generation_request.hpp"
#include "gateway/key_policy.hpp"
#include "gateway/sse_keepalive.hpp"
#include "policy/route_plan.hpp"

namespace gw {
namespace {

using clock = std::chrono::steady_clock;

double seconds_between(clock::time_point a, clock::time_point b) {
  return std::chrono::duration<double>(b - a).count();
}

// What the validator produced, reduced to what serving needs from either API.
struct parsed {
  std::string model;
  bool stream = false;
  bool include_usage = false;
  std::string echo_prompt;  // legacy echo: text to prepend to the completion
  std::variant<chat_request, completion_request> request;
};

template <class Request>
std::variant<parsed, api_error> to_parsed(validated<Request> v) {
  if (auto* e = std::get_if<api_error>(&v)) return *e;
  auto& r = std::get<Request>(v);
  parsed p;
  p.model = r.model;
  p.stream = r.stream;
  p.include_usage = r.include_usage;
  if constexpr (std::is_same_v<Request, completion_request>) {
    if (r.echo) p.echo_prompt = r.prompt;
  }
  p.request = std::move(r);
  return p;
}

std::variant<parsed, api_error> parse(gateway& g, api_kind kind, const std::string& body) {
  if (kind == api_kind::chat) return to_parsed(g.validator().chat(body));
  return to_parsed(g.validator().completion(body));
}

// X-Priority: an integer in [-1000, 1000], higher served first; absent means 0.
std::variant<int, api_error> parse_priority(const std::string& h) {
  if (h.empty()) return 0;
  int v = 0;
  auto [p, ec] = std::from_chars(h.data(), h.data() + h.size(), v);
  if (ec != std::errc() || p != h.data() + h.size() || v < -1000 || v > 1000)
    return api_error{api_errc::invalid_field, "The X-Priority header must be an integer between -1000 and 1000.",
                     "X-Priority"};
  return v;
}

// Streams the sequence as chat.completion.chunk / text_completion events.
// `d` is the first event, already taken by the dispatcher.
boost::asio::awaitable<void> stream_events(gateway& g, stream_lease& s, stream_delta d, const response_meta& meta,
                                           const parsed& p, incoming_request& req, response_sink& sink,
                                           exchange_record& rec, const header_list& headers) {
  if (d.error && !sink.started()) {  // failed before the first token: a proper status still reaches the client
    const api_error e = to_api_error(*d.error, d.retry_after_s, d.error_message);
    co_await send_error(sink, rec, e, headers);
    co_return;
  }
  // Keep-alives may have started the stream already (a long wait for the first token).
  if (!sink.started() && !co_await sink.start_events(headers)) co_return;
  rec.status = 200;
  const auto keepalive = g.config().server.sse_keepalive;
  // Events pile up in the stream only while the previous write is still in flight: past
  // max_stream_buffer_bytes the reader is too slow for the generation, so it is dropped and its
  // generation cancelled instead of the gateway buffering for it without limit.
  s->limit_pending(g.config().server.max_stream_buffer_bytes);

  std::string frames;
  if (meta.kind == api_kind::chat) append_sse_event(frames, role_chunk(meta));  // legacy has no role
  std::optional<clock::time_point> last_write;
  bool first_content = true;
  for (;;) {
    if (!d.text.empty() || (first_content && !p.echo_prompt.empty())) {
      std::string text = first_content ? p.echo_prompt + d.text : d.text;
      append_sse_event(frames, content_chunk(meta, text));
      first_content = false;
    }
    bool done = false;
    if (d.finish) {
      append_sse_event(frames, finish_chunk(meta, *d.finish));
      if (meta.include_usage) append_sse_event(frames, usage_chunk(meta, {s->prompt_tokens(), s->completion_tokens()}));
      frames += sse_done;
      done = true;
    } else if (d.error) {
      // After the first byte a status can no longer change: one error event ends the stream.
      const api_error e = to_api_error(*d.error, d.retry_after_s, d.error_message);
      frames += error_event(e);
      rec.error = classify(e.code).code;
      done = true;
    }
    const auto now = clock::now();
    if (d.tokens > 0) {
      if (last_write)
        g.stats().inter_token_latency.observe(seconds_between(*last_write, now));
      else
        rec.ttft_s = seconds_between(req.received_at, now);
      last_write = now;
    }
    if (!frames.empty() && !co_await sink.send_events(frames)) {
      // A write that timed out while the stream overflowed: the reader was too slow.
      if (s->overflowed()) {
        g.stats().count_refused("slow_reader");
        rec.error = "slow_reader";
      }
      co_return;
    }
    frames.clear();
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
      g.stats().count_refused("slow_reader");
      rec.error = "slow_reader";
      rec.status = 499;
      sink.drop();
      co_return;
    }
    if (!s->has_pending()) co_return;  // cancelled: the client is gone
    d = s->take();
  }
  co_await sink.end_events();
}

// Collects the whole sequence, then answers one chat.completion / text_completion.
boost::asio::awaitable<void> collect(gateway&, stream_lease& s, stream_delta d, const response_meta& meta,
                                     const parsed& p, incoming_request& req, response_sink& sink,
                                     exchange_record& rec, const header_list& headers) {
  std::string text = p.echo_prompt;
  for (bool first = true;; first = false) {
    if (!first) {
      co_await s->wait();
      if (!s->has_pending()) co_return;  // cancelled: the client is gone
      d = s->take();
    }
    text += d.text;
    if (d.error) {
      const api_error e = to_api_error(*d.error, d.retry_after_s, d.error_message);
      co_await send_error(sink, rec, e, headers);
      co_return;
    }
    if (d.finish) {
      if (auto t = s->first_token_at()) rec.ttft_s = seconds_between(req.received_at, *t);
      rec.status = 200;
      co_await sink.send(200, "application/json",
                         completion_body(meta, text, *d.finish, {s->prompt_tokens(), s->completion_tokens()}),
                         headers);
      co_return;
    }
  }
}

// dispatch() for the race with keep-alives. It never throws: the race would otherwise wait on the
// keep-alives, which only end with the client, so a bug here becomes a 500 like anywhere else.
boost::asio::awaitable<dispatched> dispatch_and_flag(gateway& g, dispatch_request& dr, bool& placed) {
  dispatched d;
  try {
    d = co_await dispatch(g, dr);
  } catch (const boost::system::system_error& e) {
    if (e.code() == boost::asio::error::operation_aborted) {
      d.cancelled = true;  // the client went away while the request was being placed
    } else {
      spdlog::error("internal error request_id={} while placing the request: {}", dr.request_id, e.what());
      d.refusal = api_error{api_errc::internal, "The gateway hit an internal error."};
    }
  } catch (const std::exception& e) {
    spdlog::error("internal error request_id={} while placing the request: {}", dr.request_id, e.what());
    d.refusal = api_error{api_errc::internal, "The gateway hit an internal error."};
  }
  placed = true;
  co_return d;
}

}  // namespace

boost::asio::awaitable<void> serve_completion(gateway& g, api_kind kind, incoming_request& req,
                                              response_sink& sink, exchange_record& rec) {
  header_list headers{{"x-request-id", req.request_id}};
  auto parsed_or = parse(g, kind, req.body);
  if (auto* e = std::get_if<api_error>(&parsed_or)) {
    co_await send_error(sink, rec, *e, headers);
    co_return;
  }
  auto& p = std::get<parsed>(parsed_or);
  rec.model = p.model;
  if (auto e = check_model_access(req, p.model)) {
    co_await send_error(sink, rec, *e, headers);
    co_return;
  }

  auto prio = parse_priority(req.priority);
  if (auto* e = std::get_if<api_error>(&prio)) {
    co_await send_error(sink, rec, *e, headers);
    co_return;
  }
  const model_target target = g.find_model(p.model);
  const model_config* model = target.config;
  // The prompt as the route plan sees it; the local engine counts it the same way.
  const std::uint32_t prompt_tokens = std::visit(
      [](const auto& r) {
        if constexpr (std::is_same_v<std::decay_t<decltype(r)>, chat_request>)
          return count_tokens(render_chat_prompt(r.messages));
        else
          return count_tokens(r.prompt);
      },
      p.request);
  // The key's budgets: the prompt is charged now, the completion when the exchange ends.
  rate_settlement settlement{g, req.key, prompt_tokens};
  if (req.key) {
    const rate_status rs = g.admit(*req.key, prompt_tokens);
    append_rate_headers(headers, rs);
    if (!rs.allowed) {
      settlement.key = nullptr;  // nothing was taken
      g.stats().count_rate_limited(req.key->name, rs.tokens_exceeded ? "tokens" : "requests");
      const api_error e = rate_limit_error(rs);
      co_await send_error(sink, rec, e, headers);
      co_return;
    }
  }
  const auto now = std::chrono::steady_clock::now();
  local_snapshot local;
  if (target.pool) {
    const pool_load l = target.pool->load();
    local.available = l.available;
    local.queue_full = l.queue_full;
    local.estimated_wait_s = l.estimated_wait_s;
  }
  std::vector<bool> remote_available;
  for (auto* prov : target.remotes)
    remote_available.push_back(prov->enabled && prov->breaker.state(now) != breaker_state::open);
  request_facts facts;
  facts.known_model = model != nullptr;
  facts.restricted = req.restricted;
  facts.prompt_tokens = prompt_tokens;
  const route_plan plan =
      plan_route(facts, model ? model->routing : model_routing{}, local, remote_available, g.draining());
  if (plan.targets.empty()) {
    api_error e{api_errc::no_route, "No target can take this request now. Please retry later.", "", 1};
    if (plan.reason == route_reason::unknown_model)
      e = {api_errc::model_not_found, "The model '" + p.model + "' does not exist. GET /v1/models lists the models served here.",
           "model"};
    else if (plan.reason == route_reason::draining)
      e = {api_errc::draining, "The gateway is shutting down. Please retry on another instance.", "", 1};
    g.stats().count_route("none", to_string(plan.reason));
    co_await send_error(sink, rec, e, headers);
    co_return;
  }

  dispatch_request dr;
  dr.target = &target;
  dr.plan = &plan;
  dr.local = api_error{api_errc::no_route, "No local engine serves this model."};
  dr.upstream_path = kind == api_kind::chat ? "/chat/completions" : "/completions";
  dr.stream = p.stream;
  if (target.pool) {
    auto gen = std::visit([&](const auto& r) { return make_generation(r, *model, g.entropy()); }, p.request);
    if (auto* e = std::get_if<api_error>(&gen)) {
      dr.local = *e;
    } else {
      local_request lr;
      lr.params = std::move(std::get<generation_params>(gen));
      lr.upstream_path = dr.upstream_path;
      lr.stream = p.stream;
      // Called when a local server is chosen, while this coroutine (and `p`) still waits.
      lr.upstream_body = [&p](std::string_view server_model) {
        return std::visit([&](const auto& r) { return upstream_body(r, server_model); }, p.request);
      };
      lr.affinity_key = std::visit(
          [&](const auto& r) { return affinity_key(r, model->pool.servers.affinity_prefix_chars); }, p.request);
      lr.request_id = req.request_id;
      lr.traceparent = req.traceparent;
      dr.local = std::move(lr);
    }
  }
  dr.priority = effective_priority(req, std::get<int>(prio), !req.priority.empty());
  dr.upstream_body = [&p](const remote_target& t) {
    return std::visit([&](const auto& r) { return upstream_body(r, t.model); }, p.request);
  };
  dr.prompt_tokens_estimate = prompt_tokens;
  dr.request_id = req.request_id;
  dr.traceparent = req.traceparent;
  // While the request waits for its first token, a streaming client gets keep-alive comments
  // every sse_keepalive_s (after the first one the status is 200 and a failure becomes an
  // error event); a quicker answer keeps its real status.
  dispatched d;
  if (p.stream && g.config().server.sse_keepalive.count() > 0) {
    using namespace boost::asio::experimental::awaitable_operators;
    bool placed = false;
    auto raced = co_await (dispatch_and_flag(g, dr, placed) ||
                           keep_alive_until_done(sink, g.config().server.sse_keepalive, headers, placed));
    if (raced.index() == 1) co_return;  // the client is gone: dispatch was cancelled with it
    d = std::move(std::get<0>(raced));
  } else {
    d = co_await dispatch(g, dr);
  }
  rec.route = d.route;
  g.stats().count_route(d.route, d.reason);
  headers.emplace_back("x-gateway-route", d.route);
  headers.emplace_back("x-gateway-route-reason", d.reason);
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
  stream_lease& lease = *d.lease;
  // Until it ends, the stream is one that a drain must end with an error event.
  const stream_registration registered(g, *lease);
  // Token counts and cost reach the record however the exchange ends, a vanished client included.
  struct record_usage {
    gateway& g;
    exchange_record& rec;
    stream_lease& lease;
    provider_state* provider;
    rate_settlement& settlement;
    ~record_usage() {
      rec.prompt_tokens = lease->prompt_tokens();
      rec.completion_tokens = lease->completion_tokens();
      settlement.actual = rec.prompt_tokens + rec.completion_tokens;
      if (provider) {
        const auto& c = provider->config;
        g.stats().add_cost(c.name, (rec.prompt_tokens * c.price_input_per_million +
                                    rec.completion_tokens * c.price_output_per_million) / 1e6);
      }
    }
  } usage_guard{g, rec, lease, d.provider, settlement};

  response_meta meta;
  meta.kind = kind;
  meta.id = g.new_id(kind == api_kind::chat ? "chatcmpl-" : "cmpl-");
  meta.created = std::chrono::duration_cast<std::chrono::seconds>(
                     std::chrono::system_clock::now().time_since_epoch())
                     .count();
  meta.model = p.model;
  meta.include_usage = p.include_usage;

  if (p.stream)
    co_await stream_events(g, lease, std::move(d.first), meta, p, req, sink, rec, headers);
  else
    co_await collect(g, lease, std::move(d.first), meta, p, req, sink, rec, headers);
}

}  // namespace gw
