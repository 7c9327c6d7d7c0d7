#include "gateway/completion_job.hpp"

#include <charconv>
#include <chrono>

#include "backends/forward_body.hpp"
#include "backends/json_scan.hpp"
#include "engine/tokenizer.hpp"
#include "gateway/drain_state.hpp"
#include "gateway/generation_request.hpp"
#include "gateway/key_limits.hpp"
#include "gateway/local_framer.hpp"
#include "gateway/metrics.hpp"
#include "gateway/model_directory.hpp"
#include "gateway/request_ids.hpp"
#include "gateway/request_validator.hpp"
#include "gateway/tracer.hpp"
#include "policy/route_plan.hpp"

namespace gw {
namespace {

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

std::variant<parsed, api_error> parse(request_validator& validator, api_kind kind, const std::string& body) {
  if (kind == api_kind::chat) return to_parsed(validator.chat(body));
  return to_parsed(validator.completion(body));
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

// The prompt as the route plan sees it; the local engine counts it the same way.
std::uint32_t prompt_tokens_of(const parsed& p) {
  return std::visit(
      [](const auto& r) {
        if constexpr (std::is_same_v<std::decay_t<decltype(r)>, chat_request>)
          return count_tokens(render_chat_prompt(r.messages)) + r.extra_prompt_tokens;
        else
          return count_tokens(r.prompt);
      },
      p.request);
}

route_plan plan_for(const model_target& target, const incoming_request& req, std::uint32_t prompt_tokens, bool draining) {
  const auto now = std::chrono::steady_clock::now();
  local_snapshot local;
  if (target.pool) {
    const pool_load l = target.pool->load();
    local.available = l.available;
    local.queue_full = l.queue_full;
    local.estimated_wait_s = l.estimated_wait_s;
  }
  std::vector<bool> remote_available;
  // A Messages-native provider serves only requests that came as Messages.
  const bool messages = !req.messages_body.empty();
  for (auto* prov : target.remotes)
    remote_available.push_back(prov->enabled && prov->breaker.state(now) != breaker_state::open &&
                               (messages || prov->config.api == provider_api::openai));
  request_facts facts;
  facts.known_model = target.config != nullptr;
  facts.restricted = req.restricted;
  facts.prompt_tokens = prompt_tokens;
  return plan_route(facts, target.config ? target.config->routing : model_routing{}, local, remote_available, draining);
}

api_error no_target_error(const route_plan& plan, const std::string& model) {
  if (plan.reason == route_reason::unknown_model)
    return {api_errc::model_not_found,
            "The model '" + model + "' does not exist. GET /v1/models lists the models served here.", "model"};
  if (plan.reason == route_reason::draining)
    return {api_errc::draining, "The gateway is shutting down. Please retry on another instance.", "", 1};
  return {api_errc::no_route, "No target can take this request now. Please retry later.", "", 1};
}

// The local generation for the pool, or the 400 that says why the pool cannot run it.
void add_local_request(completion_job& job, const incoming_request& req, std::uint64_t seed_entropy) {
  const model_config& model = *job.target->config;
  const parsed& p = job.p;
  auto gen = std::visit([&](const auto& r) { return make_generation(r, model, seed_entropy); }, p.request);
  if (auto* e = std::get_if<api_error>(&gen)) {
    job.dr.local = *e;
    return;
  }
  local_request lr;
  lr.params = std::move(std::get<generation_params>(gen));
  // The built-in sim answers tools, reasoning, JSON formats, logprobs and n itself (local
  // servers receive the body and answer them on their own).
  if (model.pool.kind == "sim") {
    const auto& fields = std::visit([](const auto& r) -> const json::object_scan& { return r.fields; }, p.request);
    if (auto e = plan_sim(fields, job.kind, model, lr.params)) {
      job.dr.local = std::move(*e);
      return;
    }
  }
  lr.framer = make_local_framer(job.meta, p.stream, p.echo_prompt, lr.params.script);
  lr.upstream_path = job.dr.upstream_path;
  lr.stream = p.stream;
  lr.public_model = p.model;
  lr.client_usage = p.include_usage;
  // Called when a local server is chosen; the job (and `p`) and the request's body live until
  // the exchange ends.
  lr.upstream_body = [&p, body = std::string_view(req.body)](std::string_view server_model) {
    forward_edits e;
    e.model = server_model;
    e.include_usage = p.stream;
    return std::visit([&](const auto& r) { return forward_body(body, r.fields, e); }, p.request);
  };
  lr.affinity_key =
      std::visit([&](const auto& r) { return affinity_key(r, model.pool.servers.affinity_prefix_chars); }, p.request);
  lr.request_id = req.request_id;
  lr.trace = job.dr.trace;
  job.dr.local = std::move(lr);
}

}  // namespace

std::variant<std::unique_ptr<completion_job>, completion_refusal> prepare_completion(request_context& cx, api_kind kind,
                                                                                     const incoming_request& req,
                                                                                     exchange_record& rec) {
  auto job = std::make_unique<completion_job>(cx.limits);
  job->kind = kind;
  // Room for the id, the rate-limit and route headers: growing the list took three allocations.
  job->headers.reserve(8);
  job->headers.emplace_back("x-request-id", req.request_id);
  auto refuse = [&](api_error e) { return completion_refusal{std::move(e), std::move(job->headers)}; };

  auto parsed_or = parse(cx.validator, kind, req.body);
  if (auto* e = std::get_if<api_error>(&parsed_or)) return refuse(std::move(*e));
  job->p = std::move(std::get<parsed>(parsed_or));
  const parsed& p = job->p;
  rec.model = p.model;
  if (auto e = check_model_access(req, p.model)) return refuse(std::move(*e));
  const auto prio = parse_priority(req.priority);
  if (auto* e = std::get_if<api_error>(&prio)) return refuse(*e);

  job->target = &cx.models.find(p.model);
  job->prompt_tokens = prompt_tokens_of(p);
  job->priority = std::get<int>(prio);
  return job;
}

std::optional<completion_refusal> plan_completion(request_context& cx, completion_job& job,
                                                  const incoming_request& req, const key_admission* admission) {
  auto refuse = [&](api_error e) { return completion_refusal{std::move(e), std::move(job.headers)}; };
  const std::uint32_t prompt_tokens = job.prompt_tokens;
  if (admission) {
    // A refusal took nothing, so there is nothing to settle.
    if (auto e = admission_refusal(*admission, *req.key, job.headers, cx.stats)) return refuse(std::move(*e));
    job.settlement.key = req.key;
    job.settlement.used.estimated_tokens = prompt_tokens;
    job.settlement.used.shared = admission->shared;
  }
  const parsed& p = job.p;
  job.plan = plan_for(*job.target, req, prompt_tokens, cx.drain.draining());
  if (job.plan.targets.empty()) {
    cx.stats.count_route("none", to_string(job.plan.reason));
    return refuse(no_target_error(job.plan, p.model));
  }

  response_meta& meta = job.meta;
  meta.kind = job.kind;
  meta.id = cx.ids.new_id(job.kind == api_kind::chat ? "chatcmpl-" : "cmpl-");
  meta.created = std::chrono::duration_cast<std::chrono::seconds>(
                     std::chrono::system_clock::now().time_since_epoch())
                     .count();
  meta.model = p.model;
  meta.include_usage = p.include_usage;
  if (p.stream) meta.opening = chunk_opening(meta);

  dispatch_request& dr = job.dr;
  dr.target = job.target;
  dr.plan = &job.plan;
  dr.local = api_error{api_errc::no_route, "No local engine serves this model."};
  dr.upstream_path = job.kind == api_kind::chat ? "/chat/completions" : "/completions";
  dr.stream = p.stream;
  dr.trace = cx.tracing.upstream_for(req);
  dr.span = req.span.get();
  if (job.target->pool) add_local_request(job, req, cx.ids.entropy());
  dr.priority = effective_priority(req, job.priority, !req.priority.empty());
  dr.upstream_body = [&p, body = std::string_view(req.body), messages = std::string_view(req.messages_body)](
                         const remote_target& t, const provider_config& c) {
    forward_edits e;
    e.model = t.model;
    // A Messages-native provider gets the client's Messages body, with only its model named anew.
    if (c.api == provider_api::anthropic) {
      // serve_messages read it whole, so it scans; were it not to, it goes as it is.
      const auto scan = json::scan_object(messages);
      return scan ? forward_body(messages, *scan, e) : std::string(messages);
    }
    e.include_usage = p.stream;
    e.renames = &c.rename_fields;
    return std::visit([&](const auto& r) { return forward_body(body, r.fields, e); }, p.request);
  };
  dr.public_model = p.model;
  dr.client_usage = p.include_usage;
  dr.prompt_tokens_estimate = prompt_tokens;
  dr.request_id = req.request_id;
  dr.anthropic_version = req.anthropic_version;
  dr.anthropic_beta = req.anthropic_beta;
  if (p.stream && job.target->config->routing.continue_on_failure)
    job.cont = std::make_unique<continuation_state>(cx.stats, p.model);
  return std::nullopt;
}

}  // namespace gw
