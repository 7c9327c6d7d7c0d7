#include "gateway/router.hpp"

#include <array>

#include "gateway/client_auth.hpp"
#include "gateway/completion_handler.hpp"
#include "gateway/cors.hpp"
#include "gateway/key_policy.hpp"
#include "gateway/embeddings_handler.hpp"
#include "gateway/error_reply.hpp"

namespace gw {
namespace {

struct route_entry {
  std::string_view path;
  std::string_view method;
};
constexpr std::array<route_entry, 8> routes = {{
    {"/v1/chat/completions", "POST"},
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
  return req.method == "POST" &&
         (req.path == "/v1/chat/completions" || req.path == "/v1/completions" || req.path == "/v1/embeddings");
}

std::string endpoint_label(const std::string& path) {
  const route_entry* r = find_route(path);
  if (!r) return "other";
  return r->path == "/v1/models/" ? "/v1/models/{id}" : std::string(r->path);
}

boost::asio::awaitable<void> route_request(gateway& g, incoming_request& req, response_sink& sink,
                                           exchange_record& rec) {
  rec.endpoint = endpoint_label(req.path);
  const header_list headers{{"x-request-id", req.request_id}};
  const route_entry* r = find_route(req.path);
  // Errors are named locals, never braced temporaries inside co_await: GCC 12 destroys such
  // temporaries twice across the suspension (a double free seen in testing).
  if (!r) {
    const api_error e{api_errc::route_not_found, "Invalid URL (" + req.method + " " + req.path + ")"};
    co_await send_error(sink, rec, e, headers);
    co_return;
  }
  if (req.method == "OPTIONS") {
    // A browser's CORS preflight; an OPTIONS that is not one only learns the allowed methods.
    if (req.origin.empty() || req.cors_request_method.empty()) {
      rec.status = 204;
      const header_list allow{{"x-request-id", req.request_id}, {"Allow", std::string(r->method) + ", OPTIONS"}};
      co_await sink.send(204, "text/plain", "", allow);
      co_return;
    }
    header_list h = cors_preflight_headers(g.config().cors, req.origin, req.cors_request_headers);
    if (h.empty()) {
      const api_error e{api_errc::origin_not_allowed, "The origin " + req.origin + " may not call this API."};
      co_await send_error(sink, rec, e, headers);
      co_return;
    }
    rec.status = 204;
    h.emplace_back("x-request-id", req.request_id);
    co_await sink.send(204, "text/plain", "", h);
    co_return;
  }
  if (req.method != r->method) {
    header_list h = headers;
    h.emplace_back("Allow", std::string(r->method));
    const api_error e{api_errc::method_not_allowed,
                      "Method " + req.method + " is not allowed on " + req.path + "; use " + std::string(r->method) + "."};
    co_await send_error(sink, rec, e, h);
    co_return;
  }
  // The API needs a key when keys are configured; probes and metrics stay open to the operator's
  // network (they carry no model output).
  if (req.path.starts_with("/v1/") && g.keys().enabled()) {
    const std::string_view presented = bearer_token(req.authorization);
    req.key = g.keys().find(presented);
    if (!req.key) {
      header_list h = headers;
      h.emplace_back("WWW-Authenticate", "Bearer");
      const api_error e = presented.empty()
                              ? api_error{api_errc::missing_api_key,
                                          "You didn't provide an API key. Send it as Authorization: Bearer KEY."}
                              : api_error{api_errc::invalid_api_key, "Incorrect API key provided."};
      co_await send_error(sink, rec, e, h);
      co_return;
    }
    rec.key_name = req.key->name;
    if (req.key->restricted) req.restricted = true;  // its data never leaves the machine
  }
  if (req.path == "/v1/chat/completions") co_return co_await serve_completion(g, api_kind::chat, req, sink, rec);
  if (req.path == "/v1/completions") co_return co_await serve_completion(g, api_kind::completion, req, sink, rec);
  if (req.path == "/v1/embeddings") co_return co_await serve_embeddings(g, req, sink, rec);

  rec.status = 200;
  std::vector<model_entry> models = g.model_list();
  // A key sees the models it may use, as OpenAI lists a project's models.
  std::erase_if(models, [&](const model_entry& m) { return req.key && !key_allows_model(*req.key, m.id); });
  if (req.path == "/v1/models") {
    co_await sink.send(200, "application/json", models_body(models), headers);
  } else if (r->path == "/v1/models/") {
    const std::string id = req.path.substr(r->path.size());
    for (const auto& m : models) {
      if (m.id != id) continue;
      co_await sink.send(200, "application/json", model_body(m), headers);
      co_return;
    }
    const api_error e{api_errc::model_not_found, "The model '" + id + "' does not exist.", "model"};
    co_await send_error(sink, rec, e, headers);
  } else if (req.path == "/healthz") {
    co_await sink.send(200, "application/json", "{\"status\":\"ok\"}", headers);
  } else if (req.path == "/readyz") {
    if (g.ready()) {
      co_await sink.send(200, "application/json", "{\"status\":\"ready\"}", headers);
    } else {
      const api_error e{api_errc::draining, "The gateway is draining and takes no new requests."};
      co_await send_error(sink, rec, e, headers);
    }
  } else if (req.path == "/metrics") {
    co_await sink.send(200, "text/plain; version=0.0.4; charset=utf-8", g.stats().render(), headers);
  }
}

}  // namespace gw
