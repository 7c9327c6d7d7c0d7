#include "engine/provider.hpp"

#include <boost/beast/core/string.hpp>

namespace gw {
namespace {

bool configured(const provider_config& p, std::string_view name) {
  for (const auto& [k, v] : p.headers)
    if (boost::beast::iequals(k, name)) return true;
  return false;
}

}  // namespace

std::vector<std::string> messages_headers(const provider_config& p, std::string_view client_version,
                                          std::string_view client_beta) {
  std::vector<std::string> out;
  if (!configured(p, "anthropic-version"))
    out.push_back(std::string("anthropic-version: ")
                      .append(client_version.empty() ? default_anthropic_version : client_version));
  if (!client_beta.empty() && !configured(p, "anthropic-beta"))
    out.push_back(std::string("anthropic-beta: ").append(client_beta));
  return out;
}

upstream_request provider_request(const provider_state& p, std::string_view path, std::string body,
                                  std::string_view request_id, const trace_headers& trace, bool event_stream) {
  const auto& cfg = p.config;
  upstream_request req;
  req.url.reserve(cfg.base_url.size() + path.size());
  req.url.append(cfg.base_url).append(path);
  req.body = std::move(body);
  req.timeouts = cfg.timeouts;
  req.ca_file = cfg.ca_file;
  req.headers.reserve(6 + cfg.headers.size());
  req.headers.emplace_back("Content-Type: application/json");
  if (event_stream) req.headers.emplace_back("Accept: text/event-stream");
  if (!request_id.empty()) req.headers.push_back(std::string("X-Request-Id: ").append(request_id));
  if (!p.auth_header.empty()) req.headers.push_back(p.auth_header);
  if (!trace.traceparent.empty()) req.headers.push_back(std::string("traceparent: ").append(trace.traceparent));
  if (!trace.tracestate.empty()) req.headers.push_back(std::string("tracestate: ").append(trace.tracestate));
  for (const auto& [k, v] : cfg.headers) req.headers.push_back(k + ": " + v);
  return req;
}

}  // namespace gw
