#include "gateway/router.hpp"

#include <array>

#include "gateway/completion_handler.hpp"
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
  if (req.method != r->method) {
    header_list h = headers;
    h.emplace_back("Allow", std::string(r->method));
    const api_error e{api_errc::method_not_allowed,
                      "Method " + req.method + " is not allowed on " + req.path + "; use " + std::string(r->method) + "."};
    co_await send_error(sink, rec, e, h);
    co_return;
  }
  if (req.path == "/v1/chat/completions") co_return co_await serve_completion(g, api_kind::chat, req, sink, rec);
  if (req.path == "/v1/completions") co_return co_await serve_completion(g, api_kind::completion, req, sink, rec);
  if (req.path == "/v1/embeddings") co_return co_await serve_embeddings(g, req, sink, rec);

  rec.status = 200;
  if (req.path == "/v1/models") {
    co_await sink.send(200, "application/json", models_body(g.model_list()), headers);
  } else if (r->path == "/v1/models/") {
    const std::string id = req.path.substr(r->path.size());
    for (const auto& m : g.model_list()) {
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
