#include "gateway/router.hpp"

#include <array>

#include "gateway/client_auth.hpp"
#include "gateway/completion_handler.hpp"
#include "gateway/config.hpp"
#include "gateway/cors.hpp"
#include "gateway/drain_state.hpp"
#include "gateway/embeddings_handler.hpp"
#include "gateway/error_reply.hpp"
#include "gateway/key_limits.hpp"
#include "gateway/key_policy.hpp"
#include "gateway/messages_handler.hpp"
#include "gateway/metrics.hpp"
#include "gateway/model_directory.hpp"

namespace gw {
namespace {

struct route_entry {
  std::string_view path;
  std::string_view method;
};
constexpr std::array<route_entry, 10> routes = {{
    {"/v1/chat/completions", "POST"},
    {"/v1/messages", "POST"},               // Anthropic Messages API (messages_handler)
    {"/v1/messages/count_tokens", "POST"},
    {"/v1/completions", "POST"},
    {"/v1/embeddings", "POST"},
    {"/v1/models", "GET"},
    {"/healthz", "GET"},
    {"/readyz", "GET"},
    {"/metrics", "GET"},
    {"/v1/models/", "GET"},  // prefix: /v1/models/{id}
}};

const route_entry* find_route(const std::string& path) {
  for (const auto& r : routes) {
    if (r.path.back() == '/' ? path.size() > r.path.size() && path.starts_with(r.path) : path == r.path)
      return &r;
  }
  return nullptr;
}

}  // namespace

bool is_generation_route(const incoming_request& req) {
  return req.method == "POST" && (req.path == "/v1/chat/completions" || req.path == "/v1/completions" ||
                                  req.path == "/v1/embeddings" || req.path == "/v1/messages");
}

std::string_view endpoint_label(const std::string& path) {
  const route_entry* r = find_route(path);
  if (!r) return "other";
  return r->path == "/v1/models/" ? "/v1/models/{id}" : r->path;
}

namespace {

// The answers that are not generations: short-lived coroutines, so their frames (errors,
// header lists, model lists) are not held for the length of a stream.
boost::asio::awaitable<void> reply(response_sink& sink, exchange_record& rec, unsigned status, std::string content_type,
                                   std::string body, header_list headers) {
  rec.status = status;
  co_await sink.send(status, content_type, body, headers);
}

header_list request_headers(const incoming_request& req) { return {{"x-request-id", req.request_id}}; }

boost::asio::awaitable<void> answer_options(const cors_config& cors, incoming_request& req, response_sink& sink,
                                            exchange_record& rec, const route_entry& r) {
  // A browser's CORS preflight; an OPTIONS that is not one only learns the allowed methods.
  if (req.origin.empty() || req.cors_request_method.empty()) {
    header_list allow{{"x-request-id", req.request_id}, {"Allow", std::string(r.method) + ", OPTIONS"}};
    return reply(sink, rec, 204, "text/plain", "", std::move(allow));
  }
  header_list h = cors_preflight_headers(cors, req.origin, req.cors_request_headers);
  if (h.empty()) {
    api_error e{api_errc::origin_not_allowed, "The origin " + req.origin + " may not call this API."};
    return reply_error(sink, rec, std::move(e), request_headers(req));
  }
  h.emplace_back("x-request-id", req.request_id);
  return reply(sink, rec, 204, "text/plain", "", std::move(h));
}

boost::asio::awaitable<void> answer_info(request_context& cx, incoming_request& req, response_sink& sink,
                                         exchange_record& rec, const route_entry& r) {
  if (req.path == "/healthz") return reply(sink, rec, 200, "application/json", "{\"status\":\"ok\"}", request_headers(req));
  if (req.path == "/readyz") {
    if (!cx.drain.draining()) return reply(sink, rec, 200, "application/json", "{\"status\":\"ready\"}", request_headers(req));
    api_error e{api_errc::draining, "The gateway is draining and takes no new requests."};
    return reply_error(sink, rec, std::move(e), request_headers(req));
  }
  if (req.path == "/metrics")
    return reply(sink, rec, 200, "text/plain; version=0.0.4; charset=utf-8", cx.stats.render(), request_headers(req));
  std::vector<model_entry> models = cx.models.list();
  // A key sees the models it may use, as OpenAI lists a project's models.
  std::erase_if(models, [&](const model_entry& m) { return req.key && !key_allows_model(*req.key, m.id); });
  if (req.path == "/v1/models") return reply(sink, rec, 200, "application/json", models_body(models), request_headers(req));
  const std::string id = req.path.substr(r.path.size());  // /v1/models/{id}
  for (const auto& m : models)
    if (m.id == id) return reply(sink, rec, 200, "application/json", model_body(m), request_headers(req));
  api_error e{api_errc::model_not_found, "The model '" + id + "' does not exist.", "model"};
  return reply_error(sink, rec, std::move(e), request_headers(req));
}

// Not a coroutine: it decides, then returns the chosen handler's coroutine for the session to
// await. A routing frame would otherwise stay allocated for the whole of every stream (it was
// 3.4 KB of the 22 KiB a stream cost). `front`: the Messages API's sink, on its paths only.
boost::asio::awaitable<void> route_checked(request_context& cx, incoming_request& req, response_sink& sink,
                                           exchange_record& rec, anthropic_sink* front) {
  const route_entry* r = find_route(req.path);
  if (!r) {
    api_error e{api_errc::route_not_found, "Invalid URL (" + req.method + " " + req.path + ")"};
    return reply_error(sink, rec, std::move(e), request_headers(req));
  }
  if (req.method == "OPTIONS") return answer_options(cx.config.cors, req, sink, rec, *r);
  if (req.method != r->method) {
    header_list h = request_headers(req);
    h.emplace_back("Allow", std::string(r->method));
    api_error e{api_errc::method_not_allowed,
                "Method " + req.method + " is not allowed on " + req.path + "; use " + std::string(r->method) + "."};
    return reply_error(sink, rec, std::move(e), std::move(h));
  }
  // The API needs a key when keys are configured; probes and metrics stay open to the operator's
  // network (they carry no model output).
  if (req.path.starts_with("/v1/") && cx.limits.keys().enabled()) {
    // Anthropic's clients send their key as x-api-key; either header is accepted on every path.
    std::string_view presented = bearer_token(req.authorization);
    if (presented.empty()) presented = req.x_api_key;
    req.key = cx.limits.keys().find(presented);
    if (!req.key) {
      header_list h = request_headers(req);
      h.emplace_back("WWW-Authenticate", "Bearer");
      api_error e = presented.empty()
                        ? api_error{api_errc::missing_api_key,
                                    "You didn't provide an API key. Send it as Authorization: Bearer KEY "
                                    "(or x-api-key: KEY)."}
                        : api_error{api_errc::invalid_api_key, "Incorrect API key provided."};
      return reply_error(sink, rec, std::move(e), std::move(h));
    }
    rec.key_name = req.key->name;
    if (req.key->restricted) req.restricted = true;  // its data never leaves the machine
  }
  if (front)
    return req.path == "/v1/messages" ? serve_messages(cx, req, *front, rec) : serve_count_tokens(cx, req, *front, rec);
  if (req.path == "/v1/chat/completions") return serve_completion(cx, api_kind::chat, req, sink, rec);
  if (req.path == "/v1/completions") return serve_completion(cx, api_kind::completion, req, sink, rec);
  if (req.path == "/v1/embeddings") return serve_embeddings(cx, req, sink, rec);
  return answer_info(cx, req, sink, rec, *r);
}

// The Messages API's paths: everything answered on them, the refusals above included, is
// written in Anthropic's shapes by the sink that lives in this frame.
boost::asio::awaitable<void> route_messages(request_context& cx, incoming_request& req, response_sink& sink,
                                            exchange_record& rec) {
  anthropic_sink front(sink);
  co_await route_checked(cx, req, front, rec, &front);
}

}  // namespace

boost::asio::awaitable<void> route_request(request_context& cx, incoming_request& req, response_sink& sink,
                                           exchange_record& rec) {
  rec.endpoint = endpoint_label(req.path);
  if (req.path == "/v1/messages" || req.path == "/v1/messages/count_tokens") return route_messages(cx, req, sink, rec);
  return route_checked(cx, req, sink, rec, nullptr);
}

}  // namespace gw
